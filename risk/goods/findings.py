"""The goods model's findings as the engine records them: reason codes, their wording, and the chunk pass.

`goods_pass(items)` reads a chunk of items at once (descriptions, declared
codes, values in euro) and returns, for each item, its findings about the
goods and what the catalogue's rules should know of its words: which listed
words only describe other goods ("leopard print", "glue gun") and whether the
item carries a copy cue (a brand alone is not a finding).

Lanes are graded: a term that names controlled goods sends the item to an
officer YELLOW, RED when the goods are prohibited and declared under a code
they do not belong to (concealment); a resemblance the statistical model sees
is YELLOW with its probability; goods worth far more than declared are
weighed, and held when declared under a quarter of their least price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from risk.goods import reader
from risk.goods.model import NONE, goods_model
from risk.goods.scoring import (
    CONTROLLED,
    COUNTERFEIT,
    MISDECLARED,
    VALUE_BELOW,
    GoodsFinding,
    LineFacts,
    goods_findings,
    item_readings,
)
from risk.goods.vocabulary import VALUED
from risk.reasons import Finding, reason_register

RED, YELLOW = "RED", "YELLOW"
COPY_OFFER = "goods.copy_offer"
RESEMBLES = "goods.resembles"
NO_REFERENCE = "value.no_reference"
# The statistical layer speaks only where the vocabulary saw a term of the family that nothing made harmless (a
# generic cue such as "mg" or "tablets" is not enough), and only when it is this sure: on the development sets,
# a term at 0.95 or more added about 5 % of the goods to stop for under 1 % of the look-alikes; below 0.95, or
# with a cue alone, it added as many look-alikes as goods to stop.
RESEMBLANCE_PROBABILITY = 0.95
RESEMBLANCE_SCORE = 0.3

FAMILY_LABELS = {
    "weapons_parts": gettext_noop("weapons or their parts"),
    "ammunition_pyrotechnics": gettext_noop("ammunition, explosives or pyrotechnics"),
    "narcotics_nps": gettext_noop("narcotics or new psychoactive substances"),
    "medicines": gettext_noop("medicines needing a prescription or authorisation"),
    "cites": gettext_noop("CITES species or their parts"),
    "counterfeit": gettext_noop("counterfeit or copied goods"),
    "currency_documents": gettext_noop("counterfeit currency or false documents"),
    "dangerous_goods": gettext_noop("dangerous goods"),
    "dual_use": gettext_noop("dual-use items"),
    "waste_ods": gettext_noop("waste or ozone-depleting substances"),
    "nicotine": gettext_noop("tobacco or nicotine products"),
}
PER = {"item": gettext_noop("a piece"), "gram": gettext_noop("a gram")}

CONTROLLED_REASON = reason_register(
    CONTROLLED,
    gettext_noop("Reads as %(family)s: “%(words)s” (line %(line)s)."),
    label=gettext_noop("Controlled goods read in the description"),
    words=("family",),
)
MISDECLARED_REASON = reason_register(
    MISDECLARED,
    gettext_noop(
        "Reads as %(family)s: “%(words)s”, declared under HS %(declared_hs)s (%(declared_as)s) (line %(line)s)."
    ),
    label=gettext_noop("Controlled goods declared under another code"),
    words=("family",),
)
COUNTERFEIT_REASON = reason_register(
    COUNTERFEIT,
    gettext_noop("Offered as a copy of %(brand)s (%(owner)s): %(cue)s (line %(line)s)."),
    label=gettext_noop("Brand with a copy cue"),
)
COPY_OFFER_REASON = reason_register(
    COPY_OFFER,
    gettext_noop("Offered as a copy: “%(cue)s” (line %(line)s)."),
    label=gettext_noop("Goods offered as copies"),
)
RESEMBLES_REASON = reason_register(
    RESEMBLES,
    gettext_noop("Resembles %(family)s (probability %(probability)s): “%(words)s” (line %(line)s)."),
    label=gettext_noop("Resembles controlled goods"),
    words=("family",),
)
VALUE_REASON = reason_register(
    VALUE_BELOW,
    gettext_noop(
        "Possible undervaluation: %(goods)s declared at %(declared)s EUR %(per)s, %(share)s%% of the least such "
        "goods sell for (%(reference)s EUR) (line %(line)s)."
    ),
    label=gettext_noop("Declared far below what such goods sell for"),
    words=("per",),
)
NO_REFERENCE_REASON = reason_register(
    NO_REFERENCE,
    gettext_noop("No value reference for these goods: the declared value was not compared."),
    label=gettext_noop("No value reference"),
)


@dataclass
class GoodsReading:
    """What the goods pass found on one item."""

    findings: list[Finding] = field(default_factory=list)
    harmless_words: frozenset[str] = frozenset()  # words that only describe other goods here
    naming_words: frozenset[str] = frozenset()  # words that name controlled goods here
    copy_cue: bool = False  # a copy cue, a misspelt brand or a price far below a brand's
    valued: bool = False  # the goods are on the reference list of valued goods


def goods_pass(items: Sequence[Sequence[LineFacts]]) -> list[GoodsReading]:
    """One reading per item, in order: the vocabulary's findings, then the model's where the vocabulary was silent."""
    found = goods_findings(items)
    resemblances = _resemblances(items, found)
    return [
        _reading(lines, findings, resemblances.get(index))
        for index, (lines, findings) in enumerate(zip(items, found, strict=True))
    ]


def _reading(lines: Sequence[LineFacts], findings: list[GoodsFinding], resemblance: Finding | None) -> GoodsReading:
    readings = item_readings(lines)
    harmless, naming = set(), set()
    for _, hits in readings:
        for hit in hits:  # as the item confirms them: an unconfirmed weak term only describes
            (naming if hit.names_goods else harmless).update(hit_words(hit))
    recorded = [_finding(finding) for finding in findings]
    if resemblance is not None and not any(f.code in (CONTROLLED, MISDECLARED) for f in recorded):
        recorded.append(resemblance)
    return GoodsReading(
        findings=recorded,
        harmless_words=frozenset(harmless),
        naming_words=frozenset(naming),
        copy_cue=any(f.code in (COUNTERFEIT, COPY_OFFER) for f in recorded)
        or any(b.misspelt for r, _ in readings for b in r.brand_hits),
        valued=any(h.term.concept.floor_eur is not None and h.names_goods for _, hits in readings for h in hits),
    )


def hit_words(hit: reader.Hit) -> set[str]:
    """A hit's words for the catalogue to compare with its keywords: as the vocabulary wrote them ("pistol") and
    as the line did ("pistolet")."""
    return {" ".join(hit.term.words), *([hit.seen] if hit.seen else [])}


def _finding(found: GoodsFinding) -> Finding:
    params = dict(found.params)
    if found.code in (CONTROLLED, MISDECLARED):
        params["family"] = FAMILY_LABELS.get(found.family, found.family)
        concealed = found.code == MISDECLARED and found.lane == RED
        return Finding(found.code, params, weight=found.score, lane=RED if concealed else YELLOW)
    if found.code == COUNTERFEIT:
        code = COUNTERFEIT if params.get("brand") else COPY_OFFER
        return Finding(code, params, weight=found.score, lane=YELLOW)
    if found.code == VALUE_BELOW:
        params["per"] = PER.get(params.get("per", "item"), params.get("per", ""))
        return Finding(found.code, params, weight=found.score, lane=found.lane)
    return Finding(found.code, params, weight=found.score, lane=found.lane)


def _resemblances(items: Sequence[Sequence[LineFacts]], found: list[list[GoodsFinding]]) -> dict[int, Finding]:
    """The model's resemblance for items the vocabulary found nothing controlled on, where its words hint at one."""
    model = goods_model()
    if model is None:
        return {}
    candidates = [
        (index, number, line)
        for index, lines in enumerate(items)
        if not any(f.code in (CONTROLLED, MISDECLARED) for f in found[index])
        for number, line in enumerate(lines, start=1)
    ]
    if not candidates:
        return {}
    resemblances = model.resemblances([line.description for _, _, line in candidates])
    out: dict[int, Finding] = {}
    for (index, number, line), resemblance in zip(candidates, resemblances, strict=True):
        if resemblance.family in (NONE, VALUED) or resemblance.probability < RESEMBLANCE_PROBABILITY or index in out:
            continue  # the valued goods (phones, watches) are no controlled family: their price is read instead
        if any(f.family == resemblance.family for f in found[index]):
            continue  # the vocabulary said it already (a brand offered as a copy)
        reading = reader.read_line(line.description)
        evidence = [h for h in reading.hits if h.family == resemblance.family]
        if any(h.status not in (reader.NAMES, reader.UNCONFIRMED) for h in evidence):
            continue  # the words around it already said the term is harmless here
        if not evidence:
            continue
        words = evidence[0].seen or evidence[0].term.written
        params = {
            "family": FAMILY_LABELS.get(resemblance.family, resemblance.family),
            "probability": f"{resemblance.probability:.2f}",
            "words": words,
            "line": str(number),
        }
        out[index] = Finding(RESEMBLES, params, weight=RESEMBLANCE_SCORE, lane=YELLOW)
    return out


def text_signals(items: Sequence[Sequence[str]]) -> list[tuple[float, float]]:
    """What the risk model reads of each item's descriptions: (1 when the vocabulary names a controlled family in a
    line, else 0; the statistical layer's highest probability, over the lines, that a line is of a controlled
    family). Read from the words alone, without values or codes, the same in training and in scoring."""
    lines = [[LineFacts(description, "", 1, None, None) for description in descriptions] for descriptions in items]
    model = goods_model()
    flat = [line.description for descriptions in lines for line in descriptions]
    probabilities = model.probabilities(flat) if model is not None and flat else None
    controlled = [i for i, name in enumerate(model.classes) if name not in (NONE, VALUED)] if model is not None else []
    signals, position = [], 0
    for descriptions in lines:
        named = any(
            hit.names_goods and hit.family not in (VALUED, "counterfeit")
            for _, hits in item_readings(descriptions)
            for hit in hits
        )
        rows = probabilities[position : position + len(descriptions)] if probabilities is not None else None
        position += len(descriptions)
        likeness = float(rows[:, controlled].max()) if rows is not None and len(rows) and controlled else 0.0
        signals.append((1.0 if named else 0.0, likeness))
    return signals
