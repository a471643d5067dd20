"""The goods vocabulary (risk/data/goods/), read once per process into indexes the reader walks.

See risk/data/goods/README.md for the format. Terms are normalised with the
same function as descriptions (risk.goods.text.words), so a term and a
description meet whatever script, accents or spacing either was written in.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from risk.goods import text

DATA = Path(__file__).resolve().parent.parent / "data" / "goods"
FAMILIES = (
    "weapons_parts",
    "ammunition_pyrotechnics",
    "narcotics_nps",
    "medicines",
    "cites",
    "counterfeit",
    "currency_documents",
    "dangerous_goods",
    "dual_use",
    "waste_ods",
    "nicotine",
)
CONTEXT_FILE = "context.txt"
# Ordinary goods worth a known least (values.txt): read like the rest, compared on value, never "controlled".
VALUED = "goods"
PINYIN = "py"
INTL = "intl"  # a term written alike in every language (a model name)
HEADER = re.compile(r"^\[(?P<name>[a-z_.*0-9]+)\](?P<attrs>.*)$")


class VocabularyError(ValueError):
    pass


@dataclass(frozen=True)
class Concept:
    """What a group of terms names: a kind of goods of one family, and the HS codes it is honestly declared under.

    A strict concept names its goods whatever it is called: a knuckle-duster
    sold as a "keyring" or a stun gun as a "torch" is still the weapon, so
    only a negation ("no", "-free") lifts it.
    """

    key: str
    family: str
    hs_prefixes: tuple[str, ...]
    lane: str
    strict: bool = False
    floor_eur: Decimal | None = None  # valued goods: the least one piece (or gram) of them is worth
    per: str = "item"
    least_eur: Decimal | None = None  # goods valued by the gram: the least one piece is worth whatever it weighs

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


@dataclass(frozen=True)
class Term:
    concept: Concept
    words: tuple[str, ...]
    written: str
    lang: str
    weak: bool
    open_end: bool  # the last word matches any ending ("kokain*")

    @property
    def pinyin(self) -> bool:
        return self.lang == PINYIN


@dataclass
class Phrases:
    """A list of words and phrases, looked up by first word; `*` entries match the start of a compound."""

    by_first: dict[str, list[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(list))
    compound_parts: set[str] = field(default_factory=set)
    families: frozenset[str] = frozenset(FAMILIES)
    concepts: frozenset[str] = frozenset()  # when set, only these concepts (family.concept)

    def applies_to(self, concept: Concept) -> bool:
        if self.concepts:
            return concept.key in self.concepts
        return concept.family in self.families

    def add(self, phrase: tuple[str, ...]) -> None:
        if phrase and phrase not in self.by_first[phrase[0]]:
            self.by_first[phrase[0]].append(phrase)

    def match_at(self, tokens: tuple[str, ...], start: int) -> int:
        """The length of the longest phrase that starts at tokens[start], 0 if none."""
        best = 0
        token = tokens[start]
        keys = {token, *(token[: -len(end)] for end in CONTEXT_SUFFIXES if end and token.endswith(end))}
        for key in keys:
            for phrase in self.by_first.get(key, ()):
                if len(phrase) > best and _phrase_at(tokens, start, phrase):
                    best = len(phrase)
        return best

    def ends_at(self, tokens: tuple[str, ...], end: int) -> int:
        """The length of the longest phrase that ends just before tokens[end], 0 if none."""
        for size in range(min(4, end), 0, -1):
            if self.match_at(tokens, end - size) == size:
                return size
        return 0

    def compound_prefix(self, word: str) -> str | None:
        """The part of a compound's start this list holds ("klebe" of "klebepistole"), if any."""
        for size in range(len(word) - 3, 2, -1):
            if word[:size] in self.compound_parts:
                return word[:size]
        return None


def _phrase_at(tokens: tuple[str, ...], start: int, phrase: tuple[str, ...]) -> bool:
    """Context words are compared as written, a plural s or es allowed: they are common words of many languages."""
    if start + len(phrase) > len(tokens):
        return False
    return all(_context_word(tokens[start + k], word) for k, word in enumerate(phrase))


# A context word as written, in the plural, or with a Turkish possessive ("kılıfı" of "kılıf").
CONTEXT_SUFFIXES = ("", "s", "es", "i", "u", "si", "su")


def _context_word(token: str, word: str) -> bool:
    if token == word:
        return True
    if len(word) < 4 or not token.startswith(word):
        return False
    return token[len(word) :] in CONTEXT_SUFFIXES


@dataclass
class Vocabulary:
    concepts: dict[str, Concept]
    terms_by_first: dict[str, list[Term]]
    pinyin_by_first: dict[str, list[Term]]
    single_words: dict[str, list[Term]]  # one-word terms of five letters or more, for compounds
    known: frozenset[str]
    negation_before: Phrases
    negation_after: Phrases
    describes: Phrases
    not_real: Phrases
    tool_purpose: Phrases
    toy: Phrases
    heads: list[Phrases]
    colour_of: Phrases
    testers: Phrases
    line_testers: Phrases
    supplements: Phrases
    purpose: Phrases
    devices: Phrases
    compatible: Phrases
    makes: list[Phrases]
    cues: dict[str, Phrases]
    links: frozenset[str]
    reversed_by_first: dict[str, list[Term]]

    def terms_at(self, tokens: tuple[str, ...], start: int) -> list[Term]:
        return self._lookup(self.terms_by_first, tokens[start])

    def reversed_at(self, tokens: tuple[str, ...], start: int) -> list[Term]:
        """Two-word terms written the other way round: "żółw żywy" for "żywy żółw"."""
        return self._lookup(self.reversed_by_first, tokens[start])

    @staticmethod
    def _lookup(index: dict[str, list[Term]], token: str) -> list[Term]:
        found: list[Term] = []
        # an inflected word finds its term however the term ends: "marijuane" -> "marijuan" -> "marijuana"
        keys = {key for base in text.bases(token) for key in (base, *text.stems(base))}
        keys |= {base + vowel for base in text.bases(token) if base != token and len(base) >= 5 for vowel in "aeiou"}
        for key in keys:
            found += index.get(key, ())
        return found


# Words that join a head to what it is for, made of or holds: "case for pistol", "étui pour pistolet".
LINKS = """for with of pour avec de du des d a au aux en für fur mit fuer von vom zum zur para con de del
per da di con dal della voor met van do dla z ze na w za sa s od na iz ile icin için dlja dlya s so ot
pentru cu din de la pro na s k pa"""


def concept_files() -> list[Path]:
    """Every vocabulary file: the families' terms and the valued goods (all of risk/data/goods/*.txt but context)."""
    return sorted(path for path in DATA.glob("*.txt") if path.name != CONTEXT_FILE)


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary in risk/data/goods, indexed; raises VocabularyError naming the file and line of a bad entry."""
    raw_terms = [entry for path in concept_files() for entry in _read_concept_file(path)]
    raw_context = _read_sections(DATA / CONTEXT_FILE)
    raw_brands = _brand_aliases()
    alpha_words = {
        word for _, written, _, _ in raw_terms for word in re.split(r"[\W_]+", written.casefold()) if word.isalpha()
    }
    alpha_words |= {w for phrase in raw_brands for w in phrase.split() if w.isalpha()}
    known = frozenset(_fold_word(w) for w in alpha_words)
    terms = [_term(concept, written, lang, weak, known) for concept, written, lang, weak in raw_terms]
    terms = [term for term in terms if term.words]
    by_first: dict[str, list[Term]] = defaultdict(list)
    pinyin_first: dict[str, list[Term]] = defaultdict(list)
    singles: dict[str, list[Term]] = defaultdict(list)
    for term in terms:
        index = pinyin_first if term.pinyin else by_first
        index[term.words[0]].append(term)
        if not term.pinyin and len(term.words) == 1 and len(term.words[0]) >= 5:
            singles[term.words[0]].append(term)
    sections = {name: _phrases(entries, known) for name, entries in raw_context.items()}
    links = frozenset(text.words(LINKS))
    reversed_first: dict[str, list[Term]] = defaultdict(list)
    for term in terms:
        if _reversible(term, links):
            flipped = Term(term.concept, term.words[::-1], term.written, term.lang, term.weak, open_end=False)
            reversed_first[flipped.words[0]].append(flipped)
    return Vocabulary(
        concepts={term.concept.key: term.concept for term in terms},
        terms_by_first=dict(by_first),
        pinyin_by_first=dict(pinyin_first),
        single_words=dict(singles),
        known=known,
        negation_before=sections["negation.before"],
        negation_after=sections["negation.after"],
        describes=sections["describes"],
        not_real=sections["not_real"],
        tool_purpose=sections["tool_purpose"],
        toy=sections["toy"],
        heads=[phrases for name, phrases in sections.items() if name.startswith("heads.")],
        colour_of=sections["colour_of"],
        testers=sections["testers"],
        line_testers=sections["line_testers"],
        supplements=sections["line_supplements"],
        purpose=sections["purpose"],
        devices=sections["line_devices"],
        compatible=sections["compatible"],
        makes=[phrases for name, phrases in sections.items() if name.startswith("makes.")],
        cues={name.split(".", 1)[1]: phrases for name, phrases in sections.items() if name.startswith("cues.")},
        links=links,
        reversed_by_first=dict(reversed_first),
    )


@dataclass(frozen=True)
class ValuedGoods:
    """Goods with a least price that a supervisor keeps (risk.kinds.value_reference), read as the vocabulary's
    valued goods are: by their names, not when a line is a case or a part for them."""

    key: str
    terms: tuple[str, ...]
    hs_prefixes: tuple[str, ...]
    floor_eur: Decimal
    per: str = "item"  # or "gram"
    least_eur: Decimal | None = None  # by the gram: the least one piece is worth, whatever it weighs


def valued_vocabulary(goods: Sequence[ValuedGoods]) -> Vocabulary:
    """A vocabulary of these goods alone, with every context of the shipped one (heads, links, negations)."""
    base = vocabulary()
    concepts = [
        Concept(
            key=f"{VALUED}.{entry.key}",
            family=VALUED,
            hs_prefixes=entry.hs_prefixes,
            lane="",
            floor_eur=entry.floor_eur,
            per=entry.per,
            least_eur=entry.least_eur,
        )
        for entry in goods
    ]
    raw = [(concept, written) for concept, entry in zip(concepts, goods, strict=True) for written in entry.terms]
    known = base.known | {_fold_word(w) for _, written in raw for w in re.split(r"[\W_]+", written.casefold()) if w}
    terms = [t for t in (_term(concept, written, INTL, False, known) for concept, written in raw) if t.words]
    by_first: dict[str, list[Term]] = defaultdict(list)
    singles: dict[str, list[Term]] = defaultdict(list)
    for term in terms:
        by_first[term.words[0]].append(term)
        if len(term.words) == 1 and len(term.words[0]) >= 5:
            singles[term.words[0]].append(term)
    return replace(
        base,
        concepts={term.concept.key: term.concept for term in terms},
        terms_by_first=dict(by_first),
        pinyin_by_first={},
        single_words=dict(singles),
        known=known,
        reversed_by_first={},
    )


def _reversible(term: Term, links: frozenset[str]) -> bool:
    words = term.words
    return (
        not term.pinyin
        and not term.weak
        and len(words) == 2
        and words[0] != words[1]
        and all(w.isalpha() and w not in links and len(w) >= 3 for w in words)
    )


def _fold_word(word: str) -> str:
    folded = text.words(word)
    return folded[0] if folded else word


def _term(concept: Concept, written: str, lang: str, weak: bool, known: frozenset[str]) -> Term:
    open_end = written.endswith("*")
    tokens = text.words(written.rstrip("*"), known)
    if lang == PINYIN:
        tokens = text.syllable_stream(tokens)
    return Term(concept=concept, words=tokens, written=written, lang=lang, weak=weak, open_end=open_end)


def _read_concept_file(path: Path) -> list[tuple[Concept, str, str, bool]]:
    entries: list[tuple[Concept, str, str, bool]] = []
    concept: Concept | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if header := HEADER.match(line):
            concept = _concept(header.group("name"), header.group("attrs"), f"{path.name}:{number}")
            continue
        if concept is None:
            raise VocabularyError(f"{path.name}:{number}: a term before any [family.concept] header")
        lang, _, body = line.partition(":")
        weak = lang.startswith("~")
        for written in (part.strip() for part in body.split(",")):
            _check_term(written, f"{path.name}:{number}")
            if written:
                entries.append((concept, written, lang.lstrip("~").strip(), weak))
    return entries


def _check_term(written: str, where: str) -> None:
    if "?" in written or (written and len(written.replace(" ", "")) < 2):
        raise VocabularyError(f"{where}: {written!r} is not a term")


def _concept(name: str, attrs: str, where: str) -> Concept:
    family, _, _ = name.partition(".")
    if family not in (*FAMILIES, VALUED):
        raise VocabularyError(f"{where}: unknown family {family!r}")
    values = dict(part.split("=", 1) for part in attrs.split() if "=" in part)
    prefixes = tuple(p for p in values.get("hs", "").split(",") if p)
    try:
        floor = Decimal(values["floor"]) if "floor" in values else None
        least = Decimal(values["least"]) if "least" in values else None
    except InvalidOperation:
        raise VocabularyError(f"{where}: floor= or least= is not an amount") from None
    return Concept(
        key=name,
        family=family,
        hs_prefixes=prefixes,
        lane=values.get("lane", "YELLOW"),
        strict=values.get("context") == "strict",
        floor_eur=floor,
        per=values.get("per", "item"),
        least_eur=least,
    )


Entry = tuple[str, str, frozenset[str] | None, frozenset[str]]


def _read_sections(path: Path) -> dict[str, list[Entry]]:
    """{section: [(language, entry, families, concepts)]}; a language ending in * holds compound parts."""
    sections: dict[str, list[Entry]] = defaultdict(list)
    name, families, concepts = "", None, frozenset[str]()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if header := HEADER.match(line):
            name = header.group("name")
            attrs = dict(part.split("=", 1) for part in header.group("attrs").split() if "=" in part)
            families = frozenset(attrs["families"].split(",")) if "families" in attrs else None
            concepts = frozenset(attrs["concepts"].split(",")) if "concepts" in attrs else frozenset()
            if families and not families <= {*FAMILIES, VALUED}:
                raise VocabularyError(f"{path.name}:{number}: unknown families {sorted(families - set(FAMILIES))}")
            sections[name]
            continue
        lang, _, body = line.partition(":")
        for entry in (part.strip() for part in body.split(",")):
            _check_term(entry, f"{path.name}:{number}")
            if entry:
                sections[name].append((lang.strip(), entry, families, concepts))
    return sections


def _phrases(entries: list[Entry], known: frozenset[str]) -> Phrases:
    phrases = Phrases()
    for lang, entry, families, concepts in entries:
        if families is not None:
            phrases.families = families
        phrases.concepts = concepts
        tokens = text.words(entry, known)
        if lang.endswith("*"):
            phrases.compound_parts.update(tokens[:1])
        elif lang == PINYIN:
            phrases.add(text.syllable_stream(tokens))
            phrases.add(tokens)
            phrases.add(("".join(tokens),))
        else:
            phrases.add(tokens)
    return phrases


@dataclass(frozen=True)
class Brand:
    name: str
    aliases: tuple[tuple[str, ...], ...]
    goods: str
    floor_eur: int
    owner: str


@cache
def brands() -> tuple[Brand, ...]:
    known = vocabulary().known
    return tuple(
        Brand(
            name=row["brand"],
            aliases=tuple(text.words(alias, known) for alias in row["aliases"].split("|") if alias.strip()),
            goods=row["goods"],
            floor_eur=int(row["floor_eur"]),
            owner=row["owner"],
        )
        for row in _brand_rows()
    )


def _brand_rows() -> list[dict[str, str]]:
    """brands.csv, then the other brands*.csv files: an alias listed twice keeps its first brand."""
    rows = []
    for path in sorted(DATA.glob("brands*.csv"), key=lambda p: (p.name != "brands.csv", p.name)):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def _brand_aliases() -> list[str]:
    return [alias for row in _brand_rows() for alias in row["aliases"].split("|")]


@cache
def ordinary_words() -> frozenset[str]:
    """Words of goods in 24 languages (the Combined Nomenclature) and the vocabulary's own: not misspelt brands."""
    path = DATA / "ordinary_words.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        words = frozenset(handle.read().split())
    vocab = vocabulary()
    context = (vocab.describes, vocab.testers, vocab.tool_purpose, vocab.toy, vocab.compatible, *vocab.heads)
    in_context = {word for phrases in context for group in phrases.by_first.values() for p in group for word in p}
    return words | vocab.known | in_context
