"""Normalising names, e-mails and phones so that watchlists match variants."""

from __future__ import annotations

import re
import unicodedata

NON_ALNUM = re.compile(r"[^a-z0-9]+")


def text_key(value: str) -> str:
    """'Amra  HODŽIĆ-Beg' -> 'amra hodzic beg': no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return NON_ALNUM.sub(" ", ascii_only).strip()


def email_key(value: str) -> str:
    return (value or "").strip().casefold()


def phone_key(value: str) -> str:
    """The last eight digits: the same line with or without its country code or trunk 0.

    Eight digits is the shortest national number in common use; a longer one
    still matches itself, and a collision only makes an officer look twice.
    """
    digits = re.sub(r"\D", "", value or "")
    return digits[-8:]


def party_key(*, name: str, postcode: str, country: str) -> str:
    """One addressee (or sender) across items: country, postcode and name, normalised."""
    return f"{country}|{text_key(postcode).replace(' ', '')}|{text_key(name)}"
