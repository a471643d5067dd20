"""Reading what a parcel holds from its description: controlled goods named, and what only describes.

A term of the vocabulary is a finding only when it names the goods. The words
around it decide: a negation ("nicotine-free", "sans tabac"), a description
("leopard print", "Cannabis scent", "motif python"), a tool or a toy named
after a weapon ("glue gun", "pistolet à colle", "Klebepistole", "water
pistol"), other goods the term only qualifies ("pistol holster", "étui pour
pistolet", "cocaine lip gloss", "phone with lithium battery"), a material that
is not the animal's ("faux python", "ivory lace dress"). A weak term ("rounds",
"sema") counts only beside a cue of its family or under the HS code of its
goods. A brand is a finding only with a copy cue, a price far below the
brand's, or a misspelling of it.

Everything here reads text only; risk.goods.scoring turns readings into findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from risk.goods import text
from risk.goods.vocabulary import Brand, Phrases, Term, Vocabulary, brands, ordinary_words, vocabulary

# Parts of one line that are separate goods or separate remarks.
SEGMENTS = re.compile(r"[,;|+\n\r\t\[\]{}•·]|\s[-–—]\s|\s/\s")

NAMES = "names"  # the term names the goods
NEGATED = "negated"
DESCRIBES = "describes"
TOOL = "tool"
TOY = "toy"
OTHER_GOODS = "other_goods"
NOT_REAL = "not_real"
UNCONFIRMED = "unconfirmed"

WINDOW = 3
QUOTED = re.compile(r"['\"«»„“”‘’`]([^'\"«»„“”‘’`]{1,40})['\"«»„“”‘’`]")
WINKED = frozenset({"narcotics_nps", "medicines", "nicotine"})
# Families whose HS codes hold nothing else: declared under them, a weak term names the goods ("rounds", 9306).
# Others share their codes with harmless goods (8506 alkaline cells, 3004 vitamins, 4911 printed matter).
HS_CONFIRMS = frozenset({"weapons_parts", "ammunition_pyrotechnics", "nicotine", "waste_ods"})
SHARED_CODES = ("8211", "9506", "9503", "8543", "8513")  # knives, sports and toys, appliances, torches
# Turkish "-siz" and its vowel-harmony forms: "asbestsiz" is "without asbestos".
NEGATING_SUFFIXES = frozenset({"siz", "sız", "suz", "süz", "sis", "sus", "free", "frei", "freie", "freies"})
# Words that join two goods under one negation: "without nicotine and tobacco", "bez nikotina i duhana".
AND_OR = frozenset({"and", "or", "nor", "et", "ou", "ni", "und", "oder", "y", "o", "e", "i", "ili", "ve", "veya"})
WEAPON_FAMILIES = frozenset({"weapons_parts", "ammunition_pyrotechnics"})
# What makes goods of a family that: without it, none of the family's words name the goods in that line.
DEFINING = {"nicotine": frozenset({"nicotine", "nikotin", "nicotina", "nikotyna", "nikotina", "nikotinu", "nic"})}


@dataclass(frozen=True)
class Hit:
    """A term found in a line, and what the words around it made of it."""

    term: Term
    start: int
    end: int
    status: str
    context: str = ""  # the word that decided the status
    seen: str = ""  # the words as the description wrote them (folded)

    @property
    def family(self) -> str:
        return self.term.concept.family

    @property
    def names_goods(self) -> bool:
        return self.status == NAMES


@dataclass(frozen=True)
class BrandHit:
    brand: Brand
    written: str
    misspelt: bool


@dataclass
class LineReading:
    tokens: tuple[str, ...]
    hits: list[Hit] = field(default_factory=list)
    brand_hits: list[BrandHit] = field(default_factory=list)
    cues: frozenset[str] = frozenset()  # families with a cue in the line
    cue_words: dict[str, str] = field(default_factory=dict)  # the first cue of each family, as shown
    cue_all: dict[str, tuple[str, ...]] = field(default_factory=dict)  # every cue of each family
    compatible: bool = False  # the line names a brand only as what the goods fit ("case for iPhone")
    quoted: frozenset[str] = frozenset()  # words the sender put in quotes: "tea sample 'Amnesia' 10g"


def read_line(description: str) -> LineReading:
    return _read_line(description or "")


def read_line_in(description: str, vocab: Vocabulary) -> LineReading:
    """The line read with another vocabulary (a supervisor's value references), the same contexts."""
    return _read(description or "", vocab)


@lru_cache(maxsize=32768)
def _read_line(description: str) -> LineReading:
    return _read(description, vocabulary())


def _read(description: str, vocab: Vocabulary) -> LineReading:
    reading = LineReading(tokens=text.words(description, vocab.known))
    cue_words: dict[str, list[str]] = {}
    for segment in SEGMENTS.split(description):
        tokens = text.words(segment, vocab.known)
        if not tokens:
            continue
        hits = _segment_hits(vocab, tokens)
        _collect_cues(vocab, _without_harmless(tokens, hits), cue_words)
        reading.hits += hits
        reading.brand_hits += _brand_hits(tokens) + _brands_in_digits(segment)
    reading.cue_words = {family: found[0] for family, found in cue_words.items()}
    reading.cue_all = {family: tuple(found) for family, found in cue_words.items()}
    reading.cues = frozenset(cue_words)
    reading.hits = [_line_context(vocab, reading.tokens, hit) for hit in reading.hits]
    reading.hits = _family_negation(reading.hits, _negated_cues(vocab, reading.tokens))
    reading.compatible = any(vocab.compatible.match_at(reading.tokens, i) for i in range(len(reading.tokens)))
    reading.quoted = frozenset(
        word for match in QUOTED.finditer(description) for word in text.words(match.group(1), vocab.known)
    )
    return reading


def _without_harmless(tokens: tuple[str, ...], hits: list[Hit]) -> tuple[str, ...]:
    """The words cues are read from: a "gun" that is a dart gun or a glue gun is no calibre's companion."""
    harmless = {i for hit in hits if hit.status not in (NAMES, UNCONFIRMED) for i in range(hit.start, hit.end)}
    return tuple("" if i in harmless else token for i, token in enumerate(tokens))


def _family_negation(hits: list[Hit], negated_cues: dict[str, str]) -> list[Hit]:
    """A line that says its goods are without something ("sans nicotine", "batteries not included", "no gas")
    says it of every word of that family in it: the pod, the liquid, the 21700 slot."""
    negated = {**negated_cues, **{hit.term.concept.family: hit.context for hit in hits if hit.status == NEGATED}}
    return [
        Hit(hit.term, hit.start, hit.end, NEGATED, negated[hit.family], hit.seen)
        if hit.status == NAMES
        and hit.family in negated
        and not hit.term.concept.strict
        and not DEFINING.get(hit.family, frozenset()) & set(hit.term.words)  # "tobacco-free nicotine pouches"
        else hit
        for hit in hits
    ]


def _negated_cues(vocab: Vocabulary, tokens: tuple[str, ...]) -> dict[str, str]:
    """Families whose defining substance the line says it is without: "0 mg Nikotinfrei", "bez nikotina", "nicotine
    free". Only the substance: "tobacco-free nicotine pouches" are nicotine pouches all the same."""
    found: dict[str, str] = {}
    for family, substance in DEFINING.items():
        for position, token in enumerate(tokens):
            stem, suffix = _negating_suffix(token)
            if suffix and stem in substance:
                found[family] = token
                break
            if token not in substance:
                continue
            before = position > 0 and vocab.negation_before.ends_at(tokens, position)
            after = position + 1 < len(tokens) and vocab.negation_after.match_at(tokens, position + 1)
            if before or after:
                found[family] = " ".join(tokens[max(0, position - 1) : position + 2])
                break
    return found


def _negating_suffix(token: str) -> tuple[str, str]:
    """("nikotin", "frei") of "nikotinfrei"; ("", "") when the word ends in no negating suffix."""
    for suffix in ("freie", "freies", "frei", "free", "less"):
        if token.endswith(suffix) and len(token) > len(suffix) + 3:
            return token[: -len(suffix)], suffix
    return "", ""


def _line_context(vocab: Vocabulary, line: tuple[str, ...], hit: Hit) -> Hit:
    """What the whole line says: a tester or detector tests for the goods; a device holds its battery;
    a line that begins with a case or a cover ("Funda de móvil … iPhone 15") sells that, not the phone."""
    if hit.status != NAMES or hit.term.concept.strict:
        return hit
    if hit.term.concept.floor_eur is not None and line:
        for heads in vocab.heads:
            if heads.applies_to(hit.term.concept) and (heads.match_at(line, 0) or _compound_ending(heads, line[0])):
                return Hit(hit.term, hit.start, hit.end, OTHER_GOODS, line[0], hit.seen)
    line_wide = ((vocab.line_testers, DESCRIBES), (vocab.devices, OTHER_GOODS), (vocab.supplements, OTHER_GOODS))
    for phrases, status in line_wide:
        if phrases.applies_to(hit.term.concept) and (phrases is not vocab.supplements or hit.term.weak):
            for position in range(len(line)):
                if size := phrases.match_at(line, position):
                    context = " ".join(line[position : position + size])
                    return Hit(hit.term, hit.start, hit.end, status, context, hit.seen)
    return hit


def confirm_weak(reading: LineReading, *, item_cues: dict[str, tuple[str, ...]], hs_code: str) -> list[Hit]:
    """The line's hits, weak terms confirmed by a cue of their family in the item or by the declared HS code."""
    confirmed = []
    for hit in reading.hits:
        if hit.term.weak and hit.status == NAMES:
            concept = hit.term.concept
            declared_as_such = (
                concept.family in HS_CONFIRMS
                and bool(hs_code)
                and not hs_code.startswith(SHARED_CODES)
                and any(hs_code.startswith(p) for p in concept.hs_prefixes)
            )
            # a cue other than the term's own words: "hologram" does not confirm "hologram", "licence" does
            cued = any(_other_word(cue, hit.term) for cue in item_cues.get(hit.family, ()))
            # a street name in quotes among harmless goods is a wink: "Tea 'Amnesia'", "Chocolate 'costo'"
            cued = cued or (hit.family in WINKED and set(hit.term.words) <= reading.quoted)
            cued = cued or (hit.family == "counterfeit" and bool(reading.brand_hits))  # "Rolex-style"
            if not (cued or declared_as_such or _confirmed_by_sibling(reading, hit)):
                hit = Hit(hit.term, hit.start, hit.end, UNCONFIRMED, "", hit.seen)
        confirmed.append(hit)
    return confirmed


def _other_word(cue: str, term: Term) -> bool:
    """Whether a cue is another word than the term's own, however spaced or inflected: "huzhao" is the term
    "hu zhao", "passports" the term "passport"."""
    cue, own = cue.replace(" ", ""), "".join(term.words)
    return cue not in own and own not in cue


def _confirmed_by_sibling(reading: LineReading, weak: Hit) -> bool:
    return any(h is not weak and h.family == weak.family and h.names_goods and not h.term.weak for h in reading.hits)


# ---------------------------------------------------------------- terms


def _segment_hits(vocab: Vocabulary, tokens: tuple[str, ...]) -> list[Hit]:
    hits = _word_hits(vocab, tokens)
    covered = {position for hit in hits for position in range(hit.start, hit.end)}
    return hits + [hit for hit in _pinyin_hits(vocab, tokens) if hit.start not in covered]


def _word_hits(vocab: Vocabulary, tokens: tuple[str, ...]) -> list[Hit]:
    hits: list[Hit] = []
    position = 0
    while position < len(tokens):
        found = _longest_term(vocab, tokens, position, pinyin=False)
        if found is None:
            if compound := _compound_hit(vocab, tokens, position):
                hits.append(compound)
            position += 1
            continue
        term, end = found
        hits.append(_judge(vocab, tokens, term, position, end))
        position = end
    return hits


def _pinyin_hits(vocab: Vocabulary, tokens: tuple[str, ...]) -> list[Hit]:
    """Pinyin terms, matched syllable by syllable and judged among the words they were written in."""
    syllables, origin = text.syllables_with_origin(tokens)
    hits: list[Hit] = []
    position = 0
    while position < len(syllables):
        found = _longest_term(vocab, syllables, position, pinyin=True)
        if found is None:
            position += 1
            continue
        term, end = found
        first, last = origin[position], origin[end - 1]
        # a term must begin and end where written words do: "zi dan" is not inside "xizi danbai"
        if (position == 0 or origin[position - 1] != first) and (end == len(syllables) or origin[end] != last):
            hits.append(_judge(vocab, tokens, term, first, last + 1))
            position = end
        else:  # across written words ("zhi hu" in "ding zhi huzhao"): a term may still begin at the next syllable
            position += 1
    return hits


def _longest_term(vocab: Vocabulary, tokens: tuple[str, ...], start: int, *, pinyin: bool) -> tuple[Term, int] | None:
    candidates = vocab.pinyin_by_first.get(tokens[start], []) if pinyin else vocab.terms_at(tokens, start)
    best: tuple[Term, int] | None = None
    if not pinyin:
        candidates = candidates + vocab.reversed_at(tokens, start)
    for term in candidates:
        end = _term_end(tokens, start, term, pinyin=pinyin, links=vocab.links)
        if end and (best is None or end > best[1] or (end == best[1] and best[0].weak and not term.weak)):
            best = (term, end)
    return best


def _term_end(tokens: tuple[str, ...], start: int, term: Term, *, pinyin: bool, links: frozenset[str]) -> int:
    words = term.words
    if start + len(words) > len(tokens):
        return 0
    for offset, word in enumerate(words):
        token = tokens[start + offset]
        last = offset == len(words) - 1
        if pinyin:
            ok = token == word
        elif last and term.open_end:
            ok = token.startswith(word)
        elif term.weak:  # weak terms are common words: as written, or in the plural
            ok = token in (word, word + "s", word + "es")
        else:
            # "essence pour briquet" for "essence à briquet": link words stand for each other
            ok = _matches(token, word) or (offset > 0 and word in links and token in links)
        if not ok:
            return 0
    return start + len(words)


def _matches(token: str, word: str) -> bool:
    if token == word:
        return True
    if len(word) < 5 or len(token) < 4:  # "sarm" is not inflected into "sarma"
        return token in (word + "s", word + "es")
    return any(base in text.stems(word) for base in text.bases(token))


def _compound_hit(vocab: Vocabulary, tokens: tuple[str, ...], position: int) -> Hit | None:
    """A term inside a compound: "Klebepistole" (modifier + term), "Kokainpulver" (term + what it is)."""
    token = tokens[position]
    if len(token) < 8 or not token.isalpha():
        return None
    for size in range(3, len(token) - 4):
        head = token[size:]
        terms = _single(vocab, head)
        if terms:
            return _judge_compound_head(vocab, tokens, position, terms[0], token[:size])
    for size in range(len(token) - 3, 4, -1):
        terms = [t for t in vocab.single_words.get(token[:size], ()) if not t.weak]
        if terms:
            return _judge_compound_tail(vocab, tokens, position, terms[0], token[size:])
    return None


def _single(vocab: Vocabulary, word: str) -> list[Term]:
    for base in text.bases(word):
        for stem in {base, *text.stems(base)}:
            if terms := vocab.single_words.get(stem):
                return [t for t in terms if not t.weak]
    return []


def _judge_compound_head(vocab: Vocabulary, tokens: tuple[str, ...], position: int, term: Term, modifier: str) -> Hit:
    family = term.concept.family
    for phrases, status in ((vocab.tool_purpose, TOOL), (vocab.toy, TOY), (vocab.describes, DESCRIBES)):
        if not term.concept.strict and phrases.applies_to(term.concept) and _part_of(phrases, modifier):
            return Hit(term, position, position + 1, status, modifier, tokens[position])
    if family == "cites" and _part_of(vocab.not_real, modifier):
        return Hit(term, position, position + 1, NOT_REAL, modifier, tokens[position])
    return _judge(vocab, tokens, term, position, position + 1)


def _judge_compound_tail(vocab: Vocabulary, tokens: tuple[str, ...], position: int, term: Term, tail: str) -> Hit:
    if _part_of(vocab.negation_after, tail) or tail.startswith("frei") or tail in NEGATING_SUFFIXES:
        return Hit(term, position, position + 1, NEGATED, tail, tokens[position])
    if term.concept.strict:
        return _judge(vocab, tokens, term, position, position + 1)
    if _part_of(vocab.describes, tail) or _part_of(vocab.testers, tail):
        return Hit(term, position, position + 1, DESCRIBES, tail, tokens[position])
    for heads in vocab.heads:
        if heads.applies_to(term.concept) and _part_of(heads, tail):
            return Hit(term, position, position + 1, OTHER_GOODS, tail, tokens[position])
    return _judge(vocab, tokens, term, position, position + 1)


def _part_of(phrases: Phrases, word: str) -> bool:
    """A compound part the list holds: as a word, a `*` part, or a word's start ("kleber" for "klebe")."""
    if word in phrases.compound_parts or any((word,) == p for p in phrases.by_first.get(word, ())):
        return True
    return any(word.startswith(part) or part.startswith(word) for part in phrases.compound_parts if len(part) >= 4)


# ---------------------------------------------------------------- context


def _judge(vocab: Vocabulary, tokens: tuple[str, ...], term: Term, start: int, end: int) -> Hit:
    """What the words around a term make of it (the first rule that applies)."""
    checks = (
        (NEGATED, _negated),
        (OTHER_GOODS, _purpose),
        (NOT_REAL, _not_real),
        (DESCRIBES, _described),
        (TOOL, _tool),
        (TOY, _toy),
        (OTHER_GOODS, _other_goods),
    )
    if term.concept.strict:
        checks = checks[:1]
    seen = " ".join(tokens[start:end])
    for status, check in checks:
        if (because := check(vocab, tokens, start, end, term)) and not _makes(vocab, term, because):
            return Hit(term, start, end, status, because, seen)
    return Hit(term, start, end, NAMES, "", seen)


def _makes(vocab: Vocabulary, term: Term, context: str) -> bool:
    """A word that makes the goods, not other goods nor a description of them: a licence's "template", its
    "PVC" card, a hologram "sticker", a passport "model" are the forgery itself."""
    words = tuple(context.split())
    return any(makes.applies_to(term.concept) and makes.match_at(words, 0) == len(words) for makes in vocab.makes)


def _negated(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    for before in (start, start - 1):
        if before > 0 and (size := vocab.negation_before.ends_at(tokens, before)):
            return " ".join(tokens[before - size : before])
    # "bez nikotina i duhana", "without nicotine or tobacco": the negation covers both of a pair
    if start >= 3 and tokens[start - 1] in AND_OR:
        for before in (start - 2, start - 3):
            if before > 0 and (size := vocab.negation_before.ends_at(tokens, before)):
                return " ".join(tokens[before - size : before])
    if end < len(tokens) and (size := vocab.negation_after.match_at(tokens, end)):
        return " ".join(tokens[end : end + size])
    return ""


def _purpose(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    """ "Etui für 20 Zigaretten", "pompe pour réfrigérants", "cooler for insulin pens": what the goods serve."""
    if not vocab.purpose.applies_to(term.concept) or term.words[0] in vocab.purpose.by_first:
        return ""
    for before in (start - 1, start - 2):
        if before > 0 and vocab.purpose.match_at(tokens, before) and tokens[before - 1] not in vocab.links:
            return tokens[before]
    return ""


def _not_real(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    if term.concept.family != "cites":
        return ""
    found = _near(vocab.not_real, tokens, start, end, before=2, after=2)
    return found or _near(vocab.colour_of, tokens, start, end, before=2, after=3)


def _described(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    # "Rolex-style" is a copy cue, not a style of goods; a "counterfeit detector" is still a tester
    copies = term.concept.family == "counterfeit"
    found = "" if copies else _near(vocab.describes, tokens, start, end, before=2, after=2)
    # a tester is what the term qualifies: "drug test", "détecteur de faux billets", not "1000m detection" further on
    return found or _near(vocab.testers, tokens, start, end, before=2, after=1)


def _tool(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    if not vocab.tool_purpose.applies_to(term.concept):
        return ""
    return _near(vocab.tool_purpose, tokens, start, end, before=2, after=3)


def _toy(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    if not vocab.toy.applies_to(term.concept):
        return ""
    return _near(vocab.toy, tokens, start, end, before=len(tokens), after=len(tokens))


def _other_goods(vocab: Vocabulary, tokens: tuple[str, ...], start: int, end: int, term: Term) -> str:
    for heads in vocab.heads:
        if not heads.applies_to(term.concept):
            continue
        # A phrase that holds the term names other goods: "bath bomb", "bomba da bagno", "dian chi he".
        for position in range(max(0, start - 3), end):
            size = heads.match_at(tokens, position)
            if size and position + size >= end and (position < start or position + size > end):
                return " ".join(tokens[position : position + size])
        # The goods come after what qualifies them ("pistol holster", "cocaine lip gloss"), unless a link word
        # stands between: "gas butano para soplete", "pistol with holster" sell the term's goods ...
        for position in range(end, min(len(tokens), end + WINDOW + 1)):
            if tokens[position] in vocab.links:
                break
            if size := heads.match_at(tokens, position):
                return " ".join(tokens[position : position + size])
        # ... or before, joined by a link word ("case for pistol", "étui pour pistolet", "futrola za pištolj").
        if found := _head_before(vocab, heads, tokens, start):
            return found
    return ""


def _head_before(vocab: Vocabulary, heads: Phrases, tokens: tuple[str, ...], start: int) -> str:
    link = start - 1
    while link >= 0 and tokens[link] in vocab.links:
        link -= 1
    if link == start - 1:  # no link word: a head just before the term ("étui pistolet", "vela perfumada tabaco")
        for end in (start, start - 1):
            if end > 0 and (size := heads.ends_at(tokens, end)):
                return " ".join(tokens[end - size : end])
            if end > 0 and _compound_ending(heads, tokens[end - 1]):  # "Klapphülle Galaxy S24"
                return tokens[end - 1]
        return ""
    for end in range(link + 1, max(0, link - WINDOW), -1):
        if size := heads.ends_at(tokens, end):
            return " ".join(tokens[end - size : end])
    return ""


def _compound_ending(phrases: Phrases, token: str) -> bool:
    return len(token) > 6 and any(token.endswith(part) for part in phrases.compound_parts if len(part) >= 4)


def _near(phrases: Phrases, tokens: tuple[str, ...], start: int, end: int, *, before: int, after: int) -> str:
    """A phrase of the list within the window around tokens[start:end], or one that holds the term ("ivory white")."""
    for position in range(max(0, start - 3), start + 1):
        size = phrases.match_at(tokens, position)
        if size and position + size >= end and (position < start or position + size > end):
            return " ".join(tokens[position : position + size])
    for position in range(end, min(len(tokens), end + after + 1)):
        if size := phrases.match_at(tokens, position):
            return " ".join(tokens[position : position + size])
    for position in range(start, max(0, start - before - 1), -1):
        if size := phrases.ends_at(tokens, position):
            return " ".join(tokens[position - size : position])
    return ""


def _collect_cues(vocab: Vocabulary, tokens: tuple[str, ...], found: dict[str, list[str]]) -> None:
    for family, phrases in vocab.cues.items():
        for position in range(len(tokens)):
            if size := phrases.match_at(tokens, position):
                cue = " ".join(tokens[position : position + size])
                if cue not in found.setdefault(family, []):
                    found[family].append(cue)


# ---------------------------------------------------------------- brands


@lru_cache(maxsize=1)
def _brand_index() -> tuple[dict[str, list[tuple[Brand, tuple[str, ...]]]], dict[str, Brand]]:
    by_first: dict[str, list[tuple[Brand, tuple[str, ...]]]] = {}
    single: dict[str, Brand] = {}
    for brand in brands():
        for alias in brand.aliases:
            by_first.setdefault(alias[0], []).append((brand, alias))
            if len(alias) == 1 and len(alias[0]) >= 4:
                single[alias[0]] = brand
    return by_first, single


def _brand_hits(tokens: tuple[str, ...]) -> list[BrandHit]:
    by_first, single = _brand_index()
    hits = []
    for position, token in enumerate(tokens):
        for brand, alias in by_first.get(token, ()):
            if tuple(tokens[position : position + len(alias)]) == alias:
                hits.append(BrandHit(brand, " ".join(alias), misspelt=False))
                break
        else:
            if misspelt := _misspelt_brand(token, single) or _misspelt_pair(tokens, position):
                hits.append(misspelt)
    return hits


def _brands_in_digits(segment: str) -> list[BrandHit]:
    """A brand written with digits for letters ("R0LEX", "Guc1") is a copy's way of writing it."""
    _, single = _brand_index()
    found = []
    for raw in text.folded_tokens(segment):
        if raw.isalpha() or raw.isdigit():
            continue
        read = raw.translate(text.LEET)
        if read in single:
            found.append(BrandHit(single[read], raw, misspelt=True))
    return found


def _misspelt_pair(tokens: tuple[str, ...], position: int) -> BrandHit | None:
    """A two-word brand with a slip in either word: "Micheal Kors", "Canada Goos"."""
    if position + 1 >= len(tokens) or not (tokens[position].isalpha() and tokens[position + 1].isalpha()):
        return None
    if _ordinary_word(tokens[position]) and _ordinary_word(tokens[position + 1]):
        return None  # "plain jersey" is not "Spain jersey", "winter jersey" not "Inter jersey"
    written = tokens[position] + tokens[position + 1]
    pairs = _brand_pairs()
    match = process.extractOne(written, list(pairs), scorer=Levenshtein.distance, score_cutoff=2)
    if match is None or match[1] == 0 or len(match[0]) < 9:
        return None
    brand, alias = pairs[match[0]]
    # the words that differ from the brand's must not be words of their own: "tester digital" is no "Western Digital"
    if any(w != a and _ordinary_word(w) for w, a in zip(tokens[position : position + 2], alias, strict=False)):
        return None
    return BrandHit(brand, f"{tokens[position]} {tokens[position + 1]}", misspelt=True)


@lru_cache(maxsize=1)
def _brand_pairs() -> dict[str, tuple[Brand, tuple[str, ...]]]:
    return {"".join(alias): (brand, alias) for brand in brands() for alias in brand.aliases if len(alias) == 2}


def _misspelt_brand(token: str, single: dict[str, Brand]) -> BrandHit | None:
    """A word one letter from a brand ("guccii", "rolx", "nlke") that is not a word of any language."""
    if len(token) < 5 or not token.isalpha() or token in single or token in vocabulary().known:
        return None
    match = process.extractOne(token, list(single), scorer=Levenshtein.distance, score_cutoff=2)
    if match is None:
        return None
    alias, distance, _ = match
    if alias[0] != token[0] and not _looks_alike(token, alias):  # a copy keeps the brand's first letter: "Guccii"
        return None
    allowed = 2 if len(alias) >= 8 else 1
    if distance > allowed or (len(alias) < 5 and not _looks_alike(token, alias)) or _ordinary_word(token):
        return None
    return BrandHit(single[alias], token, misspelt=True)


def _looks_alike(token: str, alias: str) -> bool:
    """Short brands only by letters that look alike: "nlke" for "nike", "rn" for "m"."""
    swaps = (("l", "i"), ("i", "l"), ("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"))
    return any(token.replace(a, b) == alias for a, b in swaps)


def _ordinary_word(token: str) -> bool:
    return token in ordinary_words()


def brand_price_floor(brand: Brand) -> Decimal:
    return Decimal(brand.floor_eur)
