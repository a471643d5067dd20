"""Descriptions as the goods model reads them: words in one alphabet, however they were written.

A seller hides a word from a list in many ways: other scripts ("Пиштољ",
"手枪"), look-alike letters ("Pistоl" with a Cyrillic о), digits for letters
("C0caine"), letters spaced or dotted ("P i s t o l", "c.b.d"), pinyin with
tone marks or tone numbers ("shǒuqiāng", "shou3qiang1"), and inflection
("pištolja", "Pistolen"). Everything here turns a text into plain lower-case
Latin words so that one vocabulary meets all of them, and every function is a
pure function of its input (cached where words repeat).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

from core.normalize import DEFAULT_IGNORABLE, MARKS, latin_skeleton

# Serbian and Russian Cyrillic as Serbian Latin writes it, before accents are folded:
# "пиштољ" -> "pištolj" -> "pistolj", the same word as the Latin spelling.
CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ё": "e", "ж": "ž", "з": "z",
        "и": "i", "й": "j", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č",
        "џ": "dž", "ш": "š", "щ": "šč", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja", "є": "je",
        "і": "i", "ї": "ji", "ґ": "g", "ў": "u",
    }
)  # fmt: skip
# Greek as ELOT 743 writes it in Latin letters, word by word, before look-alike letters are folded: a Greek word
# is read, not mistaken letter by letter for Latin ("Υγραέριο" and "υγραέριο" are both "ygraerio").
GREEK = str.maketrans(
    {
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
        "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
        "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    }
)  # fmt: skip
# A whole word of Greek letters (a Greek letter inside a Latin word is a look-alike: "Pistοl").
GREEK_WORD = re.compile(r"(?<![^\W\d_])[\u0370-\u03ff\u1f00-\u1fff]+(?![^\W\d_])")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Three or more single letters, each followed by one or two spacers: "P i s t o l", "c.b.d", "K-E-T-A".
SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .·•*_\-/]{1,2}){2,}[^\W\d_](?![^\W\d_])")
SPACERS = re.compile(r"[ .·•*_\-/]")
NON_ALNUM = re.compile(r"[\W_]+")
TONE_NUMBERS = re.compile(r"^(?:[a-z]+[1-5])+[a-z]*$")
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"})
LETTERS_DIGITS = re.compile(r"[a-z]+|[0-9]+")
# Counts and measures glued to their number: "5000mah", "10ml", "20mg", "9mm", "12ga".
UNITS = frozenset(
    re.findall(
        r"\S+",
        """ah cal cl cm ct g ga gauge gr gram grams in inch iu k kg kw kwh l lb lbs ltr m mah mcg mg ml mm mw
        oz p pc pcs pieces puff puffs rd rds s ug v w wh x""",
    )
)


@lru_cache(maxsize=65536)
def words(text: str, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The text's words: one alphabet, lower case, no accents, digits read as letters where they make a known word."""
    return tuple(word for token in _folded(text).split() for word in _token_words(token, known))


def folded_tokens(text: str) -> list[str]:
    """The text's tokens before digits are read as letters or split from their units."""
    return _folded(text).split()


def _folded(text: str) -> str:
    text = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFKC", text or ""))
    text = CJK.sub(lambda match: " " + " ".join(_pinyin(match.group())) + " ", text)
    text = SPACED.sub(lambda match: SPACERS.sub("", match.group()), text)
    text = GREEK_WORD.sub(lambda match: _greek(match.group()), text)
    text = text.translate(CYRILLIC).translate(str.maketrans({c.upper(): v.upper() for c, v in _cyrillic_pairs()}))
    decomposed = unicodedata.normalize("NFKD", text)
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) not in MARKS)
    skeleton = visible.translate(latin_skeleton()).casefold().translate(latin_skeleton())
    if not skeleton.isascii():  # Greek, Arabic, Hebrew and the rest: a Latin transliteration
        skeleton = anyascii(skeleton).casefold()
    # "@" and "$" stand for letters inside words ("c@nnabis"); elsewhere they are punctuation.
    skeleton = re.sub(
        r"(?<=[a-z])[@$](?=[a-z])|(?<=[a-z])[@$]|[@$](?=[a-z])", lambda m: m.group().translate(LEET), skeleton
    )
    return NON_ALNUM.sub(" ", skeleton)


def _greek(word: str) -> str:
    plain = "".join(ch for ch in unicodedata.normalize("NFD", word.casefold()) if unicodedata.category(ch) not in MARKS)
    return plain.translate(GREEK)


@cache
def _cyrillic_pairs() -> tuple[tuple[str, str], ...]:
    return tuple((chr(key), value) for key, value in CYRILLIC.items() if chr(key).upper() != chr(key))


def _pinyin(hanzi: str) -> list[str]:
    return [syllable for syllable in lazy_pinyin(hanzi, style=Style.NORMAL, errors="ignore") if syllable.isascii()]


@lru_cache(maxsize=65536)
def _token_words(token: str, known: frozenset[str]) -> tuple[str, ...]:
    """One folded token as words: tone numbers dropped, digits read as letters, numbers split from units."""
    if token.isalpha() or token.isdigit():
        return (token,)
    if TONE_NUMBERS.match(token) and _all_syllables(token):  # "shou3qiang1"
        return (re.sub(r"[1-5]", "", token),)
    read = token.translate(LEET)
    # digits read as letters only into a word of four letters or more that the vocabulary knows:
    # "c0caine", "w33d"; "m1t" stays the steroid's code, not the German "mit"
    if read.isalpha() and len(read) >= 4 and (read in known or not known):
        return (read,)
    parts = LETTERS_DIGITS.findall(token)
    return tuple(parts) if parts else (token,)


def _all_syllables(token: str) -> bool:
    return all(part in pinyin_syllables() for part in re.split(r"[1-5]", token) if part)


# ---------------------------------------------------------------- pinyin

INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
    "",
)
FINALS = (
    "iang", "iong", "uang", "ueng", "ang", "eng", "ing", "ong", "ian", "iao", "uai", "uan", "van", "ai", "ei", "ao",
    "ou", "an", "en", "er", "ia", "ie", "in", "iu", "ua", "uo", "ui", "un", "ue", "ve", "a", "o", "e", "i", "u", "v",
)  # fmt: skip


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every syllable of Mandarin pinyin without tones (a superset: a few combinations do not occur)."""
    return frozenset(initial + final for initial in INITIALS for final in FINALS if initial + final)


@lru_cache(maxsize=65536)
def pinyin_split(word: str) -> tuple[str, ...] | None:
    """'shouqiang' -> ('shou', 'qiang'); None when the word is not pinyin syllables throughout.

    Longest syllable first, backtracking, so "xian" stays one syllable and
    "xiangya" splits as "xiang ya". Only words of two syllables or more are
    split: one syllable alone is too often an English or other word.
    """
    if not word.isalpha() or len(word) < 4:
        return None
    found = _split(word, pinyin_syllables())
    return tuple(found) if found and len(found) >= 2 else None


def _split(word: str, syllables: frozenset[str]) -> list[str] | None:
    if not word:
        return []
    for size in range(min(6, len(word)), 0, -1):
        head = word[:size]
        if head in syllables and (rest := _split(word[size:], syllables)) is not None:
            return [head, *rest]
    return None


def syllable_stream(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words with every pinyin word split into its syllables, for matching pinyin terms."""
    return syllables_with_origin(tokens)[0]


def syllables_with_origin(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The syllable stream, and for each syllable the position of the word it came from."""
    out: list[str] = []
    origin: list[int] = []
    for position, token in enumerate(tokens):
        split = pinyin_split(token) or (token,)
        out.extend(split)
        origin.extend([position] * len(split))
    return tuple(out), tuple(origin)


# ---------------------------------------------------------------- inflection

# Endings that inflect a noun in the languages parcels are described in (plural, case, article).
ENDINGS = frozenset(
    re.findall(
        r"\S+",
        """a ach ae ai ama ami at e ei ek ele em en er ern es et i ie ies ih ii im ima in ja je ji ju ka ke ki
        ku lar lari le ler leri n nin o oj om on ot ov ova ove ovi ow s si u ul ului um un us ut x y""",
    )
)


def stems(word: str) -> tuple[str, ...]:
    """The forms an inflected word may be written from: itself and without its final vowel ("marihuana")."""
    if len(word) >= 4 and word[-1] in "aeiouy":
        return (word, word[:-1])
    return (word,)


def bases(token: str) -> tuple[str, ...]:
    """Where a written word may come from: itself, or a stem it inflects with a known ending."""
    found = [token]
    for size in range(1, 5):
        if len(token) - size >= 3 and token[-size:] in ENDINGS:
            found.append(token[:-size])
    return tuple(found)
