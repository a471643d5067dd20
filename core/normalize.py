"""Normalising names, e-mails and phones so that watchlists match variants."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import confusable_homoglyphs
from anyascii import anyascii

NON_ALNUM = re.compile(r"[\W_]+")


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters
# that render as nothing (joiners, variation selectors, Hangul fillers, tags), so
# they can sit inside a word unseen. Python's unicodedata does not expose the property.
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
MARKS = frozenset({"Mn", "Me", "Cf"})


def text_key(value: str) -> str:
    """'Amra  HODŽIĆ-Beg' -> 'amra hodzic beg': no accents, case or punctuation.

    What names, postcodes and watchlists match on: compatibility forms are
    folded (NFKD: full-width and mathematical letters), characters that render
    as nothing dropped (zero-width spaces and joiners, soft hyphens, variation
    selectors, Hangul fillers, every combining mark), so they cannot split a
    word, and letters that look like Latin ones, in either case (the Cyrillic
    "о" in "Pistоl", the capital "Т" in "PISТOL"), folded to their Latin
    skeleton, so a look-alike cannot slip past a list. Other letters of every
    script are kept (an Arabic or Cyrillic name can be watchlisted). The
    stored text stays as sent.
    """
    value = value or ""
    if value.isascii():  # most texts; ASCII has no accents, look-alikes or invisible characters
        return NON_ALNUM.sub(" ", value.casefold()).strip()
    decomposed = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFKD", value))
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) not in MARKS)
    # The skeleton is taken before case folding (capital look-alikes such as
    # Cyrillic Т have a Latin twin their lower case lacks) and after it.
    skeleton = visible.translate(latin_skeleton()).casefold().translate(latin_skeleton())
    return NON_ALNUM.sub(" ", skeleton).strip()


# Digits standing for letters inside a word ("Pist0l", "C0caine", "Her0in").
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
HAS_LETTER = re.compile(r"[^\W\d_]")


# Descriptions and names come back item after item ("Phone case", the same addressee): kept once worked out.
@lru_cache(maxsize=16384)
def screen_key(value: str) -> str:
    """text_key, with digits written for letters inside words read as the letters: what goods screens match.

    Prohibited goods, IPR brands and rule keywords compare descriptions and
    keywords both through this, so "Pist0l" meets "pistol". A word made of
    digits only ("18650", "2") is left alone; names and postcodes keep
    text_key, where digits are digits.
    """
    return " ".join(word.translate(LEET) if HAS_LETTER.search(word) else word for word in text_key(value).split(" "))


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


@lru_cache(maxsize=65536)
def name_key(value: str) -> str:
    """'Петров Алексей', 'Aleksei PETR0V' -> 'aleksei petrov': a person's name as a watchlist compares it.

    Any script is written in Latin letters (Cyrillic, Greek, Arabic, Chinese
    as pinyin), digits inside words are read as the letters they stand for,
    and the words are sorted, so a reversed or reordered name is the same
    name. Spelling variants ("Aleksey", "Aleksei") are left to the fuzzy
    comparison that uses this key.
    """
    return " ".join(sorted(name_words(value).split()))


def name_words(value: str) -> str:
    """The name as name_key reads it, in its own word order.

    Compared too, since a slip in a first letter moves a word in the sorted key.
    """
    return screen_key(anyascii(unicodedata.normalize("NFKC", value or "")))


def email_key(value: str) -> str:
    return (value or "").strip().casefold()


def email_mailbox(value: str) -> str:
    """The mailbox an address delivers to: "+tags" dropped, and the dots Gmail ignores."""
    local, _, domain = email_key(value).partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if domain else local


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
