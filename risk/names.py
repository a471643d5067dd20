"""Parties matched by the parts of their names, and by what else identifies them.

A watchlist entry is a party: a name, and the address, phone, e-mail and
company number known for it. A sender or addressee matches an entry by name
when the parts of the two names meet part by part, whatever their order,
script or spelling: a dropped or added part ("Hüseyin Avni Çelik" for
"Hüseyin Çelik"), an initial ("I. M. Kovačević"), particles ("bin", "al",
"van der"), a company's legal form or trade words ("Huaxin" for "Shenzhen
Huaxin Trading Co., Ltd."), Cyrillic, Arabic and Chinese script, and the
transliteration schemes that spell one sound several ways ("Shevchenko",
"Ševčenko", "Schewtschenko"). Each part weighs by how common it is: sharing
"Mohammed" or "Wang" says little, sharing "Hadžiahmetović" a lot.

A name alone is a resemblance with a score; with a second identifier (the
same phone, e-mail, street address or company number) it is the party. The
split-shipment grouping compares addressees with the same functions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Indel, JaroWinkler, Levenshtein

from core.normalize import DEFAULT_IGNORABLE, MARKS, email_mailbox, latin_skeleton, phone_key
from risk.goods.text import pinyin_split, pinyin_syllables

# ---------------------------------------------------------------- parts of a name

DATA = Path(__file__).resolve().parent / "data" / "names"


def _words(name: str) -> frozenset[str]:
    """A word list of risk/data/names/, one word a line, # for comments."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ё": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "j", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch",
        "џ": "dz", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja", "є": "je",
        "і": "i", "ї": "ji", "ґ": "g",
    }
)  # fmt: skip
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Spellings of one sound in the transliteration schemes names reach us in, folded to one.
SOUNDS = (
    ("shch", "sc"), ("sch", "s"), ("tsch", "c"), ("tch", "c"), ("dzh", "dz"), ("dj", "d"), ("gj", "d"),
    ("ch", "c"), ("sh", "s"), ("zh", "z"), ("kh", "h"), ("ts", "c"), ("tz", "c"), ("cz", "c"), ("sz", "s"),
    ("ph", "f"), ("th", "t"), ("ck", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ie", "i"),
    ("w", "v"), ("y", "i"), ("q", "k"), ("x", "ks"), ("ae", "e"), ("oe", "e"), ("ue", "u"), ("ff", "v"),
)  # fmt: skip
# Letters that transliteration schemes swap for one another (German "z" for Russian "ц", "s" for "з"...).
SOUND_CLASSES = str.maketrans({"s": "s", "z": "s", "c": "s", "b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k",
                               "v": "f", "f": "f", "w": "f", "j": "", "h": "", "y": ""})  # fmt: skip
# Places a company is named after: they say little about which company it is.
PLACES = _words("places")
PINYIN_COMPANY_WORDS = _words("pinyin_company_words")
PARTICLES = _words("particles")
LEGAL_FORMS = _words("legal_forms")
COMPANY_WORDS = LEGAL_FORMS | _words("company_words")
# Given names and family names so common that sharing one says little about who a party is.
COMMON = _words("common_names")
# Cantonese (Hong Kong) spellings of Chinese family names and name syllables, with their Mandarin pinyin.
CANTONESE: dict[str, list[str]] = json.loads((DATA / "cantonese.json").read_text(encoding="utf-8"))
CHINESE_SURNAMES = _words("chinese_surnames")
# Initials of one letter that Latin writes with two: Đ, Lj, Nj, Dž (South Slavic), Ch, Sh, Zh (Cyrillic).
DIGRAPH_INITIALS = frozenset({"dj", "lj", "nj", "dz", "ch", "sh", "zh"})
PARTICLE_WEIGHT = 0.1
COMMON_WEIGHT = 0.45
INITIAL_WEIGHT = 0.5
PATRONYMIC_WEIGHT = 0.2
# Russian and Ukrainian patronymics, as transliterated ("Ivanovich", "Sergeyevna"); not Serbian "-ović".
PATRONYMIC = re.compile(r"(ovich|evich|ovych|ievich|yevich|ovna|evna|ivna|ichna|ovitch|ewitsch|owitsch)$")
COMPANY_WORD_WEIGHT = 0.15
# A name matches when the parts it shares weigh this much (one rare part and one more), explain this share of the
# probe's name and this share of the entry's (a dropped middle name or patronymic is fine).
NAME_EVIDENCE = 1.3
COMPANY_EVIDENCE = 0.95
PROBE_SHARE = 0.5
ENTRY_SHARE = 0.35
COMPANY_ENTRY_SHARE = 0.5


@dataclass(frozen=True)
class NamePart:
    written: str  # folded
    sound: str  # the spelling schemes folded to one
    consonants: str
    weight: float
    abjad: bool = False  # written in Arabic or Hebrew script: consonants only
    alts: frozenset[str] = frozenset()  # a Chinese name part in Mandarin pinyin, when written otherwise

    # Read for every pair of parts compared, so worked out once per part; derived, they take no part in
    # equality or hash.
    classes: str = field(init=False, repr=False, compare=False)  # the consonants' sound classes
    initial: bool = field(init=False, repr=False, compare=False)  # one letter, or one written as two ("Đ.", "Lj.")

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", re.sub(r"(.)\1+", r"\1", self.consonants.translate(SOUND_CLASSES)))
        object.__setattr__(self, "initial", len(self.written) == 1 or self.written in DIGRAPH_INITIALS)


@lru_cache(maxsize=65536)
def name_parts(name: str, *, company: bool = False) -> tuple[NamePart, ...]:
    """The parts of a name, folded, each with its weight."""
    abjad = bool(ABJAD.search(name or ""))
    words = _split_articles(_folded_words(name), abjad)
    is_company = company or (
        len(words) > 1 and any((w in COMPANY_WORDS and len(w) > 2) or w in PINYIN_COMPANY_WORDS for w in words)
    )
    if not is_company and (chinese := _chinese_name_parts(words)):
        return chinese
    return tuple(_part(word, is_company, abjad) for word in words)


def _chinese_name_parts(words: list[str]) -> tuple[NamePart, ...] | None:
    """A Chinese name in any romanization: the family name, and the given name as one part with its pinyin forms."""
    if not 2 <= len(words) <= 4 or not all(w.isalpha() and len(w) <= 7 for w in words):
        return None
    if words[0] in CHINESE_SURNAMES and all(_syllable_forms(w) for w in words[1:]):
        family, given, first = words[0], words[1:], True
    elif words[-1] in CHINESE_SURNAMES and len(words) <= 3 and all(_syllable_forms(w) for w in words[:-1]):
        family, given, first = words[-1], words[:-1], False
    else:
        return None
    family_part = _part(family, False)
    family_part = NamePart(
        family_part.written, family_part.sound, family_part.consonants, COMMON_WEIGHT,
        alts=frozenset(_syllable_forms(family)),
    )  # fmt: skip
    joined = "".join(given)
    forms = {"".join(combo) for combo in product(*(_syllable_forms(w) or {w} for w in given))}
    if not first and len(given) == 2:  # "Ming Wei Chen": a whole name turned round, its given name with it
        forms |= {"".join(combo) for combo in product(*(_syllable_forms(w) or {w} for w in reversed(given)))}
    given_part = _part(joined, False)
    given_part = NamePart(given_part.written, given_part.sound, given_part.consonants, 1.0, alts=frozenset(forms))
    return (family_part, given_part) if first else (given_part, family_part)


@lru_cache(maxsize=4096)
def _syllable_forms(syllable: str) -> frozenset[str]:
    """The Mandarin pinyin syllables a romanized syllable may stand for (itself, if it is pinyin)."""
    forms = set(CANTONESE.get(syllable, ()))
    forms |= {form for form in _wade_giles(syllable) if form in pinyin_syllables()}
    if syllable in pinyin_syllables():
        forms.add(syllable)
    for split in _two_syllables(syllable):
        forms.add(split)
    return frozenset(forms)


def _two_syllables(word: str) -> list[str]:
    """'weiming' is itself two syllables: keep it whole as a form."""
    return [word] if len(word) > 4 and pinyin_split(word) else []


def _wade_giles(syllable: str) -> set[str]:
    initials = (("hs", ("x",)), ("ch", ("zh", "j", "q", "ch")), ("ts", ("z", "c")), ("tz", ("z",)), ("k", ("g", "k")),
                ("p", ("b", "p")), ("t", ("d", "t")), ("j", ("r",)))  # fmt: skip
    finals = (("ien", "ian"), ("ieh", "ie"), ("ung", "ong"), ("ih", "i"), ("uo", "uo"), ("iung", "iong"))
    stems = {syllable}
    for old, new in initials:
        if syllable.startswith(old):
            stems |= {new_initial + syllable[len(old) :] for new_initial in new}
    forms = set()
    for stem in stems:
        forms.add(stem)
        for old, new in finals:
            if stem.endswith(old):
                forms.add(stem[: -len(old)] + new)
    return forms


ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def _split_articles(words: list[str], abjad: bool) -> list[str]:
    """In Arabic script the article is one letter joined to the name: "الحربي" -> "al hrby".

    Latin spellings that join it ("Alnajjar", "Benali") meet their spaced forms as whole names (_compact_match).
    """
    if not abjad:
        return words
    out: list[str] = []
    for word in words:
        if word.startswith("l") and len(_consonants(word)) >= 4:
            out += ["al", word[1:]]
        else:
            out.append(word)
    return out


def _folded_words(name: str) -> list[str]:
    text = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFKC", name or ""))
    if ABJAD.search(text):  # look-alike folding would read alef as "l": transliterate first
        return [w for w in NON_ALNUM.sub(" ", anyascii(text).casefold()).split() if w]
    if CJK.search(text):
        text = _chinese_name(text)
    text = text.translate(CYRILLIC).translate(_upper_cyrillic())
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "dj").replace("Đ", "Dj").replace("ß", "ss"))
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) not in MARKS)
    folded = visible.translate(latin_skeleton()).casefold()
    if not folded.isascii():  # Arabic, Greek, Hebrew, Armenian, ...
        folded = anyascii(folded).casefold()
    return [w for w in NON_ALNUM.sub(" ", folded).split() if w]


@lru_cache(maxsize=1)
def _upper_cyrillic() -> dict[int, str]:
    """Capital Cyrillic letters as their Latin transliteration in capitals."""
    return str.maketrans({chr(k).upper(): v.upper() for k, v in CYRILLIC.items() if chr(k).upper() != chr(k)})


def _chinese_name(text: str) -> str:
    """王小明 -> "wang xiaoming": the family name, then the given name as one word, as passports write it.

    A longer name is a company's: its words of two syllables ("shenzhen huaxin dianzi keji youxian gongsi").
    """
    out = []
    for chunk in re.split(r"(\s+)", text):
        if CJK.search(chunk):
            syllables = lazy_pinyin(chunk, style=Style.NORMAL, errors="ignore")
            if len(syllables) >= 5:
                out.append(" ".join("".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)))
            elif len(syllables) > 1:
                out.append(" ".join([syllables[0], "".join(syllables[1:])]))
            else:
                out.append("".join(syllables))
        else:
            out.append(chunk)
    return "".join(out)


def _part(word: str, company: bool, abjad: bool = False) -> NamePart:
    sound = _sound(word)
    if word in PARTICLES or (abjad and word in ("bn", "bnt", "b")):
        weight = PARTICLE_WEIGHT
    elif company and (word in COMPANY_WORDS or word in PLACES or word in PINYIN_COMPANY_WORDS):
        weight = COMPANY_WORD_WEIGHT
    elif word in COMMON or sound in _common_sounds():
        weight = COMMON_WEIGHT
    elif len(word) == 1 or word in DIGRAPH_INITIALS:
        weight = INITIAL_WEIGHT
    elif PATRONYMIC.search(word) and not company:
        weight = PATRONYMIC_WEIGHT
    else:
        weight = 1.0
    consonants = _consonants(sound)
    if abjad and len(consonants) > 3 and consonants.endswith("h"):
        consonants = consonants[:-1]  # ta marbuta, transliterated as a final h: "ftmh" is Fatima
    return NamePart(written=word, sound=sound, consonants=consonants, weight=weight, abjad=abjad)


@lru_cache(maxsize=1)
def _common_sounds() -> frozenset[str]:
    return frozenset(_sound(w) for w in COMMON)


def _sound(word: str) -> str:
    for written, said in SOUNDS:
        word = word.replace(written, said)
    return re.sub(r"(.)\1+", r"\1", word)


def _consonants(sound: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouy]", "", sound))


# ---------------------------------------------------------------- comparing names


def part_similarity(a: NamePart, b: NamePart) -> float:
    """1 the same part; about 0.9 a spelling variant; 0.7 an initial or an abbreviation; 0 otherwise."""
    if a.written == b.written or a.sound == b.sound:
        return 1.0
    if (a.alts or b.alts) and ({a.written} | a.alts) & ({b.written} | b.alts):
        return 0.9  # Cantonese or Wade-Giles against pinyin: "Cheung Wai Ming" is "Zhang Weiming"
    if a.initial or b.initial:
        return 0.7 if a.written[0] == b.written[0] else 0.0
    if a.abjad or b.abjad:  # one side has consonants only: compare consonants ("mhmd", "bdllh")
        return 0.85 if a.consonants == b.consonants and len(a.consonants) >= 2 else 0.0
    same_consonants = len(a.consonants) >= 3 and a.consonants == b.consonants and a.sound[0] == b.sound[0]
    if same_consonants and (len(a.consonants) >= 4 or Indel.normalized_similarity(a.sound, b.sound) >= 0.6):
        return 0.9  # Mohammed / Muhammad; not Hasan / Hüseyin
    if len(a.consonants) == 2 and a.consonants == b.consonants and min(len(a.sound), len(b.sound)) >= 5:
        return 0.85 if a.sound[0] == b.sound[0] else 0.0  # Youssef / Yusuf
    if min(len(a.sound), len(b.sound)) < 4:
        return 0.0
    shorter, longer = sorted((a.written, b.written), key=len)
    if len(shorter) >= 3 and len(longer) >= 6 and longer.startswith(shorter):
        return 0.7  # an abbreviation: "Tic." for "Ticaret", "Imp." for "Import"
    similarity = Indel.normalized_similarity(a.sound, b.sound)
    if similarity >= 0.85:
        return similarity
    if _one_slip(a.written, b.written):
        return 0.85  # one letter typed wrong in a long part: "Morewu" for "Moreau"
    if len(a.classes) >= 3 and a.classes == b.classes and a.sound[0] == b.sound[0]:
        return 0.85  # Kusnezow / Kuznetsov, Wolkow / Volkov
    return 0.0


def _one_slip(a: str, b: str) -> bool:
    """One letter replaced in a part of six letters or more, the first letter kept."""
    return len(a) == len(b) >= 6 and a[0] == b[0] and Levenshtein.distance(a, b) == 1


@dataclass(frozen=True)
class NameMatch:
    evidence: float  # the weight of the parts the two names share
    entry_share: float  # of the entry's name
    probe_share: float  # of the probe's name
    full: int  # parts the same or spelled otherwise
    initials: int
    family_met: bool = True  # the entry's family name is among the parts met
    whole: bool = False  # the entry's first name and family name are met
    conflict: bool = False  # each has a first name the other lacks: siblings, not one person

    @property
    def score(self) -> float:
        return (self.entry_share + self.probe_share) / 2


def compare_names(entry: Sequence[NamePart], probe: Sequence[NamePart]) -> NameMatch | None:
    """How far the probe's name is the entry's: each entry part meets its best free probe part."""
    if not entry or not probe:
        return None
    pairs = sorted(
        ((part_similarity(e, p), i, j) for i, e in enumerate(entry) for j, p in enumerate(probe)), reverse=True
    )
    used_probe: set[int] = set()
    met: dict[int, tuple[int, float]] = {}
    for similarity, i, j in pairs:
        if similarity <= 0 or i in met or j in used_probe:
            continue
        used_probe.add(j)
        met[i] = (j, similarity)
    shared = sum(entry[i].weight * similarity for i, (_, similarity) in met.items())
    probe_shared = sum(probe[j].weight * similarity for j, similarity in met.values())
    entry_total = sum(part.weight for part in entry) or 1.0
    probe_total = sum(part.weight for part in probe) or 1.0
    full = sum(
        1 for i, (_, s) in met.items() if s >= 0.85 and not entry[i].initial and entry[i].weight > PARTICLE_WEIGHT
    )
    initials = sum(1 for _, s in met.values() if s == 0.7)
    family_met = any(met.get(i, (0, 0.0))[1] >= 0.85 for i in _family_indexes(entry))
    weighty = [i for i, part in enumerate(entry) if part.weight >= COMMON_WEIGHT and not part.initial]
    # the first name and the family name met: a middle name or a patronymic left out is the same name
    whole = bool(weighty) and weighty[0] in met and family_met
    unmet_probe = [j for j, part in enumerate(probe) if j not in used_probe and part.weight >= COMMON_WEIGHT]
    conflict = bool(weighty) and weighty[0] not in met and any(not probe[j].initial for j in unmet_probe)
    return NameMatch(
        evidence=shared,
        entry_share=min(1.0, shared / entry_total),
        probe_share=min(1.0, probe_shared / probe_total),
        full=full,
        initials=initials,
        family_met=family_met or not _family_indexes(entry),
        whole=whole,
        conflict=conflict,
    )


def _family_indexes(parts: Sequence[NamePart]) -> tuple[int, ...]:
    """Which parts may be the family name: the last weighty one (or the two last, Spanish and Portuguese style,
    when the name has four), the first of a Chinese name."""
    weighty = [i for i, part in enumerate(parts) if part.weight >= COMMON_WEIGHT and not part.initial]
    if not weighty:
        return ()
    if parts[0].alts and parts[0].written in CHINESE_SURNAMES:
        return (weighty[0],)
    if len(weighty) >= 4:
        return (weighty[-1], weighty[-2])
    return (weighty[-1],)


def names_match(entry: Sequence[NamePart], probe: Sequence[NamePart], *, company: bool = False) -> float:
    """The name score (0 to 1) when the probe names the entry's party, else 0.

    A person's two names must meet (one may be an initial), one of them whole,
    and together weigh more than two common names: "Ali Yılmaz" is not
    "Mehmet Ali Yılmaz", "Liu Yang" is not "Liu Jianguo". A company needs its
    distinctive name, not its legal form or its city. A name written as one
    word with its particles ("Abdelkader Elmansouri") meets its spaced form.
    """
    if (compact := _compact_match(entry, probe)) is not None:
        return compact
    found = compare_names(entry, probe)
    if found is None or (acronym := _acronym_match(entry, probe)):
        return acronym if found is None or acronym else 0.0
    core = [part for part in entry if part.weight > COMPANY_WORD_WEIGHT]
    needed = 1 if company else min(2, len(core)) if core else 1
    # a name of one part ("AcmeCorp") cannot weigh more than itself: all of it must be met
    evidence = min(COMPANY_EVIDENCE if company else NAME_EVIDENCE, sum(part.weight for part in entry))
    if found.full < 1 or found.full + found.initials < needed:
        return 0.0
    if not company and not found.family_met:
        return 0.0
    if found.evidence < evidence and not (found.whole and found.full + found.initials >= 2):
        return 0.0
    if found.probe_share < PROBE_SHARE or found.entry_share < (COMPANY_ENTRY_SHARE if company else ENTRY_SHARE):
        return 0.0
    if found.conflict and not company:
        return 0.0
    return round(found.score, 2)


def names_resemble(entry: Sequence[NamePart], probe: Sequence[NamePart]) -> float:
    """A looser reading for a name given beside one of the entry's identifiers: the family name met in full, the
    other parts not another person's ("Đ. Petrović", "Emine Şahin-Koch", "Hüseyin Avni Çelik"). Alone it is not
    enough to match (names_match)."""
    if (compact := _compact_match(entry, probe)) is not None and compact:
        return compact
    if acronym := _acronym_match(entry, probe):
        return acronym
    found = compare_names(entry, probe)
    if found is None or found.conflict or not found.family_met or found.full < 1:
        return 0.0
    return round(max(found.score, 0.5), 2)


def _compact_match(entry: Sequence[NamePart], probe: Sequence[NamePart]) -> float | None:
    """The whole names written as one when they are split otherwise: "Abdelkader" for "Abd el-Kader", "Benali" for
    "بن علي" (consonants only when one side is written in Arabic script)."""
    if len(entry) == len(probe):
        return None
    if any(p.abjad for p in (*entry, *probe)):
        left, right = "".join(p.consonants for p in entry), "".join(p.consonants for p in probe)
        return 0.85 if len(left) >= 5 and left == right else None
    left, right = "".join(p.sound for p in entry), "".join(p.sound for p in probe)
    if len(left) < 8:
        return None
    similarity = Indel.normalized_similarity(left, right)
    return round(similarity, 2) if similarity >= 0.9 else None


def _acronym_match(entry: Sequence[NamePart], probe: Sequence[NamePart]) -> float:
    """ "BTL" for "Balkan Trade Logistika d.o.o.": a probe word made of the entry's initials."""
    initials = "".join(p.written[0] for p in entry if p.written not in LEGAL_FORMS)
    for part in probe:
        if 2 <= len(part.written) <= 5 and len(initials) >= 2 and part.written == initials:
            return 0.8
    return 0.0


# ---------------------------------------------------------------- parties


STREET_WORDS = _words("street_words")


@lru_cache(maxsize=65536)
def street_key(address: str) -> str:
    """'Ul. Zmaja od Bosne br. 45' and 'Zmaja od Bosne 45' -> 'bosne 45 od zmaja': street words and numbers folded."""
    words = [w for w in _folded_words(address) if w not in STREET_WORDS]
    return " ".join(sorted(words))


def company_number_key(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    company_number: str = ""
    company: bool = False


@dataclass(frozen=True)
class PartyMatch:
    entry: Party
    name_score: float  # 0 when the names do not match
    identifiers: tuple[str, ...]  # "phone", "email", "address", "company_number" that are the entry's

    @property
    def matched(self) -> bool:
        return self.name_score > 0 or bool(self.identifiers)

    @property
    def confirmed(self) -> bool:
        """Two things that identify the party: the name and one more, or two others."""
        return len(self.identifiers) + (1 if self.name_score > 0 else 0) >= 2


@dataclass
class PartyIndex:
    """Watchlist entries, looked up by the parts of their names and by their identifiers."""

    entries: list[Party]
    parts: list[tuple[NamePart, ...]] = field(default_factory=list)
    by_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    seen: dict[Party, PartyMatch | None] = field(default_factory=dict)  # the same senders come back item after item

    def __post_init__(self) -> None:
        self.parts = [name_parts(entry.name, company=entry.company) for entry in self.entries]
        for index, (entry, parts) in enumerate(zip(self.entries, self.parts, strict=True)):
            for key in _block_keys(parts):
                self.by_key[key].add(index)
            for key in _identifier_keys(entry):
                self.by_key[key].add(index)
        # A key shared by many entries ("p:moh", a common family name) finds too many to compare one by one.
        self.crowded = max(CROWDED_KEY, len(self.entries) // 50)

    def match(self, probe: Party) -> PartyMatch | None:
        """The best entry the probe is, or resembles; None when none."""
        if probe in self.seen:
            return self.seen[probe]
        if len(self.seen) >= SEEN_LIMIT:
            self.seen.clear()
        self.seen[probe] = found = self._match(probe)
        return found

    def _match(self, probe: Party) -> PartyMatch | None:
        probe_parts = name_parts(probe.name, company=probe.company)
        best: PartyMatch | None = None
        for index in self._candidates(probe, probe_parts):
            entry = self.entries[index]
            identifiers = identifiers_shared(entry, probe)
            score = names_match(self.parts[index], probe_parts, company=entry.company or probe.company)
            if not score and identifiers:  # beside the entry's phone or e-mail, a name that resembles it is its
                score = names_resemble(self.parts[index], probe_parts)
            found = PartyMatch(entry=entry, name_score=score, identifiers=identifiers)
            if found.matched and (best is None or _rank(found) > _rank(best)):
                best = found
        return best

    def _candidates(self, probe: Party, probe_parts: tuple[NamePart, ...]) -> set[int]:
        """Entries sharing an identifier, or a name key few entries share; when every name key is crowded, the
        entries that share two of them."""
        candidates: set[int] = set()
        for key in _identifier_keys(probe):
            candidates |= self.by_key.get(key, set())
        buckets = sorted((self.by_key[key] for key in _block_keys(probe_parts) if key in self.by_key), key=len)
        quiet = [bucket for bucket in buckets if len(bucket) <= self.crowded]
        for bucket in quiet:
            candidates |= bucket
        if not quiet and len(buckets) >= 2:
            candidates |= buckets[0] & buckets[1]
        return candidates


CROWDED_KEY = 40
SEEN_LIMIT = 20_000


def _rank(found: PartyMatch) -> tuple[int, float]:
    return (len(found.identifiers) + (1 if found.name_score else 0), found.name_score)


def _block_keys(parts: Sequence[NamePart]) -> set[str]:
    """Keys under which a name is found: each part's sound, start, end and consonants, and a company's initials."""
    keys = set()
    for part in parts:
        if part.weight <= PARTICLE_WEIGHT or part.initial:
            continue
        keys |= {f"s:{part.sound}", f"p:{part.sound[:3]}"}
        keys |= {f"s:{alt}" for alt in part.alts}
        if len(part.sound) >= 5:
            keys.add(f"x:{part.sound[-4:]}")
        if len(part.consonants) >= 3:
            keys.add(f"c:{part.consonants}")
        if 2 <= len(part.written) <= 5:
            keys.add(f"a:{part.written}")
    initials = "".join(p.written[0] for p in parts if p.written not in LEGAL_FORMS)
    if 2 <= len(initials) <= 5:
        keys.add(f"a:{initials}")
    return keys


def _identifier_keys(party: Party) -> set[str]:
    keys = set()
    if phone := phone_key(party.phone):
        keys.add(f"tel:{phone}")
    if "@" in (party.email or ""):
        keys.add(f"mail:{email_mailbox(party.email)}")
    if number := company_number_key(party.company_number):
        keys.add(f"reg:{number}")
    return keys


def identifiers_shared(entry: Party, probe: Party) -> tuple[str, ...]:
    """Which of the entry's identifiers the probe gives too, however written."""
    shared = []
    if (phone := phone_key(entry.phone)) and len(phone) >= 6 and phone == phone_key(probe.phone):
        shared.append("phone")
    if "@" in (entry.email or "") and email_mailbox(entry.email) == email_mailbox(probe.email or ""):
        shared.append("email")
    if _same_address(entry, probe):
        shared.append("address")
    if (number := company_number_key(entry.company_number)) and number == company_number_key(probe.company_number):
        shared.append("company_number")
    return tuple(shared)


def _same_address(entry: Party, probe: Party) -> bool:
    """One street address however written: at the same place (postcode or city), the house and flat numbers of one
    among the other's, and the street's words met ("Av. Insurgentes Sur 1602, Col. Crédito Constructor" is
    "Avenida Insurgentes Sur 1602"; "Nevsky prospekt 88, kv. 4" is "Newski Prospekt 88, Wohnung 4")."""
    same_place = (
        _postcode(entry.postcode) == _postcode(probe.postcode) != "" or _folded(entry.city) == _folded(probe.city) != ""
    )
    if not same_place:
        return False
    street, other = street_key(entry.address).split(), street_key(probe.address).split()
    numbers, other_numbers = {w for w in street if w.isdigit()}, {w for w in other if w.isdigit()}
    if not numbers or not other_numbers:
        return False
    fewer, more = sorted((numbers, other_numbers), key=len)
    if not fewer <= more:
        return False
    words = [w for w in street if not w.isdigit() and len(w) >= 3]
    other_words = [w for w in other if not w.isdigit() and len(w) >= 3]
    if not words or not other_words:
        return not words and not other_words
    shorter, longer = sorted((words, other_words), key=len)
    met = sum(1 for w in shorter if any(_same_word(w, v) for v in longer))
    return met >= max(1, (len(shorter) + 1) // 2)


def _same_word(a: str, b: str) -> bool:
    return a == b or _sound(a) == _sound(b) or JaroWinkler.similarity(a, b) >= 0.9


def _postcode(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


@lru_cache(maxsize=65536)
def _folded(value: str) -> str:
    return " ".join(_folded_words(value))


# ---------------------------------------------------------------- one addressee across parcels


def place_keys(country: str, city: str, postcode: str) -> tuple[str, ...]:
    """Where a party lives, as the split-shipment grouping compares it: its city (all the city's postcodes are
    one place) and its postcode (for parcels that leave the city out)."""
    country = (country or "").upper()
    keys = []
    if town := "".join(_folded_words(city)):
        keys.append(f"{country}|{town}")
    if code := _postcode(postcode):
        keys.append(f"{country}|#{code}")
    return tuple(keys)


def name_keys(parts: Sequence[NamePart]) -> set[str]:
    """Keys that find a name again in its variants: each weighty part's sound beside the first letter of each other
    part ("hodzic a" for "Amra Hodžić", "A. Hodžić" and "Hodžić Amra"; "celik h" for "Hüseyin Avni Çelik" and
    "Huseyin Celik"). A common family name alone would find half a city; with an initial it finds one family."""
    kept = [p for p in parts if p.weight > PARTICLE_WEIGHT and not (p.weight <= COMPANY_WORD_WEIGHT and len(parts) > 1)]
    keys = set()
    for part in kept:
        if part.initial:
            continue
        others = {other.written[0] for other in kept if other is not part} or {""}
        keys |= {f"{sound} {initial}".strip() for sound in (part.sound, *part.alts) for initial in others}
    return keys


def match_keys(
    *, name: str, address: str, city: str, postcode: str, country: str, phone: str = "", email: str = ""
) -> list[str]:
    """The keys an addressee's parcels are found again by, whatever the spelling of the name or the street: at
    each of the party's places, each distinctive name part ("name:BA|sarajevo|hodzic"), the street with its house
    number ("street:..."), the phone and the e-mail mailbox."""
    places = place_keys(country, city, postcode)
    street = street_key(address)
    values = {
        "name": name_keys(name_parts(name)),
        "street": {street} if re.search(r"\d", street) else set(),  # no house number: not one address
        "phone": {number} if (number := phone_key(phone)) else set(),
        "mailbox": {email_mailbox(email)} if "@" in (email or "") else set(),
    }
    return sorted(f"{kind}:{place}|{value}" for kind, found in values.items() for value in found for place in places)


@lru_cache(maxsize=200_000)
def same_party(a: tuple[NamePart, ...], b: tuple[NamePart, ...]) -> float:
    """How far two parties' names are one person's, read either way round ("A. Hodžić" and "Amra Hodžić")."""
    return max(names_match(a, b), names_match(b, a))
