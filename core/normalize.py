"""Normalising names, e-mails and phones so that watchlists match variants."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import confusable_homoglyphs

NON_ALNUM = re.compile(r"[\W_]+")


def text_key(value: str) -> str:
    """'Amra  HODŽIĆ-Beg' -> 'amra hodzic beg': no accents, case or punctuation.

    What every screen matches on (watchlists, IPR brands, prohibited goods,
    rule keywords, vague descriptions): compatibility forms are folded (NFKD,
    full-width and mathematical letters), invisible format characters (zero-
    width spaces and joiners, soft hyphens, byte-order marks) dropped, so
    they cannot split a word, and letters that look like Latin ones (the
    Cyrillic "о" in "Pistоl") folded to their Latin skeleton, so a look-alike
    cannot slip past a list. Other letters of every script are kept (an
    Arabic or Cyrillic name can be watchlisted). The stored text stays as sent.
    """
    value = value or ""
    if value.isascii():  # most texts; ASCII has no accents, look-alikes or format characters
        return NON_ALNUM.sub(" ", value.casefold()).strip()
    decomposed = unicodedata.normalize("NFKD", value)
    visible = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    ).casefold()
    return NON_ALNUM.sub(" ", visible.translate(latin_skeleton())).strip()


@cache
def latin_skeleton() -> dict[int, str]:
    """{non-ASCII character: the ASCII letter it is confusable with}, from Unicode's confusables data.

    The data (UTS #39 confusables, as shipped by confusable_homoglyphs) lists
    each character's look-alikes; the skeleton keeps the ASCII letter among
    them, lower case. Digits are not letters here: "0" stays "0".
    """
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    table: dict[int, str] = {}
    for char, lookalikes in json.loads(path.read_text(encoding="utf-8")).items():
        char = char.replace("\u200e", "")  # the data wraps right-to-left letters in LRM marks
        if len(char) != 1 or char.isascii():
            continue
        letters = [c["c"] for c in lookalikes if len(c["c"]) == 1 and c["c"].isascii() and c["c"].isalpha()]
        if letters:
            table[ord(char)] = min(letters, key=lambda c: (not c.islower(), c)).lower()
    return table


ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(value: str) -> int | None:
    """A whole number written in ASCII digits, else None.

    str.isdigit() also accepts "²" or "٣", which int() then refuses: input from
    outside is read through this instead.
    """
    value = (value or "").strip()
    return int(value) if ASCII_DIGITS.fullmatch(value) else None


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
