"""Findings about the goods of a chunk of items: what each parcel holds, against what it declares.

Chunk in, findings out: `goods_findings(items)` takes every item's lines and
returns each item's findings, in order. A finding names its family, the words
that show it and, when the declared HS code is not where such goods belong,
both the goods as read and the code declared ("reads as pepper spray, 3307
declared"). Lanes are graded: a term that names controlled goods sends the
item to an officer in its concept's lane; a brand with a copy cue, or a
resemblance the model sees, sends it YELLOW.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.reference import hs_descriptions
from risk.goods import reader
from risk.goods.reader import BrandHit, Hit, LineReading
from risk.goods.vocabulary import VALUED, Concept, Vocabulary

VALUE_BELOW = "value.below_reference"
CONTROLLED = "goods.controlled"
MISDECLARED = "goods.controlled_misdeclared"
COUNTERFEIT = "goods.counterfeit_brand"
RESEMBLES = "goods.resembles"
GOODS_CODES = (CONTROLLED, MISDECLARED, COUNTERFEIT, RESEMBLES)

# A brand offered for under this share of its lowest genuine price is a copy cue.
BRAND_PRICE_SHARE = Decimal("0.2")
# The HS codes of each kind of branded goods: a brand's price floor is for its own kind of goods only
# (a Dior lipstick is not priced like a Dior bag, a case "for iPhone" not like an iPhone).
BRAND_GOODS_HS = {
    "watch": ("9101", "9102", "9103", "9111", "9113"),
    "handbag": ("4202",), "bags": ("4202",), "luggage": ("4202",), "leather goods": ("4202", "4203"),
    "accessories": ("4202", "4203", "6117", "6214", "6215", "6505"),
    "clothing": ("61", "62", "6505", "6506"), "sportswear": ("61", "62", "6505"),
    "shoes": ("64",), "sunglasses": ("9004",), "jewellery": ("7113", "7114", "7116", "7117"),
    "perfume": ("3303",), "cosmetics": ("3304", "3305"), "personal care": ("8509", "8510", "8516", "3306"),
    "electronics": ("8471", "8517", "8518", "8519", "8521", "8525", "8528", "8806", "9504"),
    "toys": ("9503", "9504", "9505"), "pens": ("9608",), "household": ("7323", "9617", "3924"),
    "car parts": ("8708", "8511", "8512", "8421", "6813"), "automotive": ("8708", "8703"),
    "batteries": ("8506", "8507"), "tools": ("8467", "8204", "8205"),
    "medicines": ("3004",), "cigarettes": ("2402",), "cigars": ("2402",), "tobacco": ("2403",),
    "vapes": ("8543", "2404"), "smoking": ("9613",),
}  # fmt: skip
# Valued goods declared under this share of their least price are undervalued; under the second, an officer looks.
VALUE_SHARE = Decimal("0.5")
VALUE_SHARE_HELD = Decimal("0.25")
VALUE_SCORE = 0.25
CONTROLLED_SCORE = 0.6
COUNTERFEIT_SCORE = 0.4


@dataclass(frozen=True)
class LineFacts:
    description: str
    hs_code: str = ""
    quantity: int = 1
    value_eur: Decimal | None = None  # the line's declared value in euro, when it can be converted
    net_weight_kg: Decimal | None = None

    @property
    def unit_value_eur(self) -> Decimal | None:
        if self.value_eur is None:
            return None
        return self.value_eur / max(self.quantity, 1)

    @property
    def gram_value_eur(self) -> Decimal | None:
        if self.value_eur is None or not self.net_weight_kg or self.net_weight_kg <= 0:
            return None
        return self.value_eur / (self.net_weight_kg * 1000)


@dataclass(frozen=True)
class GoodsFinding:
    code: str
    family: str
    lane: str  # the lane this finding sends the item to: "RED" or "YELLOW"
    score: float
    params: dict[str, str] = field(default_factory=dict)


def goods_findings(items: Sequence[Sequence[LineFacts]]) -> list[list[GoodsFinding]]:
    """Each item's findings about its goods (one list per item, in the items' order)."""
    return [_item_findings(lines) for lines in items]


def item_readings(lines: Sequence[LineFacts]) -> list[tuple[reader.LineReading, list[Hit]]]:
    """Each line's reading with its hits as the item confirms them: a weak term ("imitation", "lithium") names
    goods only with a cue of its family somewhere in the item, or under the family's own HS code."""
    readings = [reader.read_line(line.description) for line in lines]
    item_cues: dict[str, tuple[str, ...]] = {}
    for reading in readings:
        for family, cues in reading.cue_all.items():
            item_cues[family] = (*item_cues.get(family, ()), *cues)
    return [
        (reading, reader.confirm_weak(reading, item_cues=item_cues, hs_code=line.hs_code))
        for line, reading in zip(lines, readings, strict=True)
    ]


def _item_findings(lines: Sequence[LineFacts]) -> list[GoodsFinding]:
    findings: dict[str, GoodsFinding] = {}
    for number, (line, (reading, hits)) in enumerate(zip(lines, item_readings(lines), strict=True), start=1):
        for hit in hits:
            if hit.names_goods and hit.family not in ("counterfeit", VALUED) and hit.family not in findings:
                findings[hit.family] = _controlled(hit, line, number)
        if "counterfeit" not in findings and (found := _counterfeit(reading, hits, line, number)):
            findings["counterfeit"] = found
        if "value" not in findings and (found := _below_reference(hits, line, number)):
            findings["value"] = found
    return list(findings.values())


def below_references(lines: Sequence[LineFacts], vocab: Vocabulary) -> GoodsFinding | None:
    """The first line whose goods, read with a vocabulary of valued goods (a supervisor's references), are declared
    far below the least they are worth."""
    for number, line in enumerate(lines, start=1):
        hits = reader.read_line_in(line.description, vocab).hits
        if found := _below_reference(hits, line, number):
            return found
    return None


def _below_reference(hits: list[Hit], line: LineFacts, number: int) -> GoodsFinding | None:
    """Valued goods as read (not a case or a box for them) declared far below the least they sell for."""
    valued = [h for h in hits if h.names_goods and h.term.concept.floor_eur is not None]
    if not valued:
        return None
    best = max(valued, key=lambda h: h.term.concept.floor_eur or 0)
    concept = best.term.concept
    declared, floor, per = _declared_against(concept, line)
    if declared is None or floor <= 0 or declared >= floor * VALUE_SHARE:
        return None
    share = declared / floor
    params = {
        "goods": best.seen or best.term.written,
        "declared": f"{declared:.2f}",
        "reference": f"{floor:.2f}",
        "currency": "EUR",
        "per": per,
        "share": f"{share * 100:.0f}",
        "line": str(number),
    }
    lane = "YELLOW" if share < VALUE_SHARE_HELD else ""
    return GoodsFinding(VALUE_BELOW, "value", lane, VALUE_SCORE, params)


def _controlled(hit: Hit, line: LineFacts, number: int) -> GoodsFinding:
    concept = hit.term.concept
    lane = concept.lane if not hit.term.weak else "YELLOW"
    params = {
        "family": concept.family,
        "goods": concept.name,
        "words": hit.seen or hit.term.written,
        "line": str(number),
    }
    if line.hs_code and concept.hs_prefixes and not any(line.hs_code.startswith(p) for p in concept.hs_prefixes):
        params |= {"declared_hs": line.hs_code, "declared_as": hs_meaning(line.hs_code)}
        return GoodsFinding(MISDECLARED, concept.family, lane, CONTROLLED_SCORE, params)
    return GoodsFinding(CONTROLLED, concept.family, lane, CONTROLLED_SCORE, params)


def _declared_against(concept: Concept, line: LineFacts) -> tuple[Decimal | None, Decimal, str]:
    """The declared value and the reference it is compared with: by the gram when the weight says, else by the piece."""
    if concept.per == "gram":
        per_gram = line.gram_value_eur
        if per_gram is not None and concept.floor_eur:
            return per_gram, concept.floor_eur, "gram"
        return line.unit_value_eur, concept.least_eur or Decimal(0), "item"
    return line.unit_value_eur, concept.floor_eur or Decimal(0), "item"


def _counterfeit(reading: LineReading, hits: list[Hit], line: LineFacts, number: int) -> GoodsFinding | None:
    """A brand beside a copy cue, far below its price, or misspelt; a brand alone is not a finding."""
    copy_terms = [h for h in hits if h.family == "counterfeit" and h.status == reader.NAMES]
    strong = next((h for h in copy_terms if not h.term.weak), None)
    for brand_hit in reading.brand_hits:
        cue = _copy_cue(brand_hit, copy_terms, reading, line)
        if cue:
            return _counterfeit_finding(brand_hit.brand.name, brand_hit.brand.owner, cue, number)
    if strong is not None:
        return _counterfeit_finding("", "", strong.seen or strong.term.written, number)
    return None


def _copy_cue(brand_hit: BrandHit, copy_terms: list[Hit], reading: LineReading, line: LineFacts) -> str:
    if brand_hit.misspelt:
        return f"misspelt {brand_hit.written}"
    if copy_terms:
        return copy_terms[0].seen or copy_terms[0].term.written
    if cue := reading.cue_words.get("counterfeit"):
        return cue
    if _priced_as_brand_goods(brand_hit, reading, line):
        return f"{line.unit_value_eur:.2f} EUR"
    return ""


def _priced_as_brand_goods(brand_hit: BrandHit, reading: LineReading, line: LineFacts) -> bool:
    """The brand's own kind of goods (by the declared code), not something for it, far below its price."""
    kinds = BRAND_GOODS_HS.get(brand_hit.brand.goods, ())
    if not kinds or not line.hs_code or not line.hs_code.startswith(kinds) or reading.compatible:
        return False
    floor = reader.brand_price_floor(brand_hit.brand)
    return line.unit_value_eur is not None and line.unit_value_eur < floor * BRAND_PRICE_SHARE


def _counterfeit_finding(brand: str, owner: str, cue: str, number: int) -> GoodsFinding:
    params = {"family": "counterfeit", "brand": brand, "owner": owner, "cue": cue, "line": str(number)}
    return GoodsFinding(COUNTERFEIT, "counterfeit", "YELLOW", COUNTERFEIT_SCORE, params)


def hs_meaning(code: str) -> str:
    """What a declared code says, from its heading or chapter: "9503" -> "Toys ..."."""
    descriptions = hs_descriptions()
    for size in (6, 4, 2):
        if found := descriptions.get(code[:size]):
            return found if len(found) <= 60 else found[:60].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return ""
