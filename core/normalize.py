"""Normalising names, e-mails and phones so that watchlists match variants."""

from __future__ import annotations

import re
import unicodedata

NON_ALNUM = re.compile(r"[\W_]+")


def text_key(value: str) -> str:
    """'Amra  HODŽIĆ-Beg' -> 'amra hodzic beg': no accents, case or punctuation.

    Letters of every script are kept (an Arabic or Cyrillic name can be
    watchlisted); invisible format characters (zero-width spaces and joiners,
    byte-order marks) are dropped, so they cannot split a name to slip past a
    watchlist.
    """
    value = value or ""
    if value.isascii():  # most names; ASCII has no accents and no format characters
        return NON_ALNUM.sub(" ", value.casefold()).strip()
    decomposed = unicodedata.normalize("NFKD", value)
    visible = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    ).casefold()
    return NON_ALNUM.sub(" ", visible).strip()


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
