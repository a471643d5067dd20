"""Scoring a batch of items: rules, built-in indicators, history and the model.

Selectivity as in ASYCUDA: a rule may force a lane, precedence RED > YELLOW >
GREEN; otherwise the score decides against the lane thresholds; a share of
green items goes to an officer at random, so that outcomes of unselected
traffic keep the model honest.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings

from clearance.choices import Lane
from clearance.models import Consignment, ContentLine
from clearance.selectors import content_lines
from core.normalize import email_mailbox, name_key, phone_key, screen_key
from risk import history
from risk.classifier import Factors, RiskModel
from risk.goods.findings import NO_REFERENCE, GoodsReading, goods_pass
from risk.goods.scoring import VALUE_BELOW, LineFacts
from risk.history import References
from risk.indicators import vague_descriptions
from risk.kinds.value_reference import BELOW_LISTED
from risk.memory import recent_holds
from risk.names import Party
from risk.permits import PERMIT_VALID, REFUSED_CODES, DeclaredPermit
from risk.postal_features import postal_frame
from risk.reasons import MODEL_SCORE, RANDOM_SELECTION, Finding, reason_of, render_english
from risk.rules import CompiledRule, ItemFacts
from risk.splits import Recallable, SplitShipments

logger = logging.getLogger(__name__)

PRECEDENCE: dict[str, int] = {Lane.RED: 3, Lane.YELLOW: 2, Lane.GREEN: 1}
UNDERVALUATION_SCORE = 0.35


def undervaluation_score(ratio: float) -> float:
    """Far below the reference (under half the limit) is a finding on its own; nearer it only adds weight.

    Prices of one subheading spread widely (sunglasses at 5 and at 150), so a
    value just under the limit is often honest; a tenth of it rarely is.
    """
    limit = settings.OPENCLEAR_RISK_UNDERVALUATION_RATIO
    return UNDERVALUATION_SCORE if ratio < limit / 2 else UNDERVALUATION_SCORE / 2


SPLIT_SHIPMENT_SCORE = 0.3
NETWORK_SCORE = 0.2  # a drop address or a shared phone adds weight; with another finding it reaches an officer


@dataclass
class Verdict:
    score: Decimal
    lane: str
    findings: list[Finding]
    rules_fired: list[str] = field(default_factory=list)
    model_score: Decimal | None = None
    random_selection: bool = False
    recall: tuple[int, ...] = ()  # earlier parcels of a split shipment to hold again before presentation

    @property
    def reasons(self) -> list[str]:
        """The findings in English, the one wording of the records and exports."""
        return [render_english(finding) for finding in self.findings]


def _party_facts(c: Consignment, party: str) -> dict[str, Any]:
    name = getattr(c, f"{party}_name")
    return {
        "name": name_key(name),
        "display": name[:80],
        "mailbox": email_mailbox(getattr(c, f"{party}_email")),
        "phone": phone_key(getattr(c, f"{party}_phone")),
        "party": Party(
            name=name,
            **{part: getattr(c, f"{party}_{part}") for part in ("address", "postcode", "city", "country")},
            phone=getattr(c, f"{party}_phone"),
            email=getattr(c, f"{party}_email"),
        ),
    }


def item_facts(
    c: Consignment,
    lines: list[ContentLine],
    goods: GoodsReading | None = None,
    line_facts: list[LineFacts] | None = None,
) -> ItemFacts:
    parties = {party: _party_facts(c, party) for party in ("sender", "addressee")}
    read = goods or GoodsReading()
    return ItemFacts(
        hs_codes=tuple(line.hs_code for line in lines if line.hs_code),
        origins=frozenset(line.origin_country for line in lines if line.origin_country),
        sender_country=c.sender_country,
        category=c.category,
        operator=c.operator.code,
        platform=c.platform,
        currency=c.currency,
        value=c.total_value,
        weight=c.gross_weight_kg,
        text=" " + " ".join(screen_key(line.description) for line in lines) + " ",
        parties=parties,
        harmless_words=read.harmless_words,
        naming_words=read.naming_words,
        copy_cue=read.copy_cue if goods is not None else True,
        lines=tuple(line_facts or ()),
        consignment_id=c.pk or 0,
        day=c.pre_advised_at.date() if c.pre_advised_at else None,
        permits=tuple(
            DeclaredPermit(line.position, line.permit_number, line.hs_code or "", line.quantity or 1)
            for line in lines
            if line.permit_number
        ),
    )


def goods_lines(c: Consignment, lines: list[ContentLine], rates: dict[str, float]) -> list[LineFacts]:
    """An item's lines as the goods model reads them, values in the reference currency (euro) when convertible."""
    rate, euro = rates.get(c.currency), rates.get("EUR")
    to_euro = Decimal(str(euro)) / Decimal(str(rate)) if rate and euro else None
    return [
        LineFacts(
            description=line.description,
            hs_code=line.hs_code or "",
            quantity=line.quantity or 1,
            value_eur=line.value * to_euro if to_euro is not None and line.value is not None else None,
            net_weight_kg=line.net_weight_kg,
        )
        for line in lines
    ]


def random_draw(consignment_id: int) -> float:
    """The item's own draw in [0, 1) for random inspection, fixed for its life.

    A keyed hash of the id, so an amendment cannot re-roll the dice and an
    operator cannot predict which items will be drawn.
    """
    key = str(settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"random-inspection:{consignment_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# A permit's refusal is listed goods found as much as the row's own finding it replaces.
LISTED_GOODS = frozenset({"goods.prohibited_word", "goods.prohibited_elsewhere", "goods.prohibited_hs", *REFUSED_CODES})
READ_GOODS = frozenset({"goods.controlled", "goods.controlled_misdeclared", "goods.resembles"})
GOODS_READ = READ_GOODS | {"goods.counterfeit_brand", "goods.copy_offer", *LISTED_GOODS}
# Findings that make the item's sender and addressee remembered (risk.memory): goods no one may send.
PROHIBITED_FINDINGS = LISTED_GOODS | {"goods.controlled", "goods.controlled_misdeclared"}


def _without_repeats(fired: list[Finding]) -> list[Finding]:
    """The catalogue's listed goods are the precise layer: when a listed word fired, the goods model's reading of
    the same goods would only say it again; so would the shipped value list beside a supervisor's reference."""
    codes = {f.code for f in fired}
    # Goods a permit covers were read by the catalogue too: the goods model's reading would hold them again.
    repeated = (READ_GOODS if codes & (LISTED_GOODS | {PERMIT_VALID.code}) else set()) | (
        {VALUE_BELOW} if BELOW_LISTED.code in codes else set()
    )
    return [f for f in fired if f.code not in repeated]


class Engine:
    def __init__(
        self,
        *,
        rules: list[CompiledRule],
        model: tuple[int, RiskModel] | None,
        thresholds: tuple[float, float],
        random_rate: float,
        references: history.References | None = None,
        read_goods: bool = True,
    ) -> None:
        self.references = references  # HS reference unit values; None: the cached ones
        self.read_goods = read_goods  # False: the rules and indicators alone (an evaluation's baseline)
        self.rules = rules
        self.model = model
        self.red, self.yellow = thresholds
        self.random_rate = random_rate

    def assess(self, consignments: list[Consignment], recallable: Recallable | None = None) -> dict[int, Verdict]:
        references = self.references if self.references is not None else history.hs_reference_unit_values()
        splits = SplitShipments(consignments, recallable=recallable)
        model_scores, contributions = self._model(consignments)
        lines = {c.pk: content_lines(c) for c in consignments}
        line_facts = [goods_lines(c, lines[c.pk], references.rates) for c in consignments]
        goods = goods_pass(line_facts) if self.read_goods else [GoodsReading() for _ in consignments]
        read = [g if self.read_goods else None for g in goods]
        by_rule = self._rule_findings(
            [item_facts(c, lines[c.pk], g, f) for c, g, f in zip(consignments, read, line_facts, strict=True)]
        )
        remembered = recent_holds(consignments)
        verdicts = {}
        for index, c in enumerate(consignments):
            found = [finding for findings in by_rule if (finding := findings[index])]
            if c.pk in remembered:
                found.append(remembered[c.pk])
            verdicts[c.pk] = self._verdict(
                c,
                lines[c.pk],
                references,
                splits,
                found + goods[index].findings,
                model_scores.get(c.pk),
                contributions.get(c.pk, []),
                referenced=goods[index].valued,
            )
        return verdicts

    def _model(self, consignments: list[Consignment]) -> tuple[dict[int, float], dict[int, Factors]]:
        if self.model is None or not consignments:
            return {}, {}
        _, model = self.model
        # Explanations cost a model call per feature: only for items an officer will see.
        scores, explained = model.scores_explained(postal_frame(consignments), self.yellow)
        by_id = {c.pk: float(s) for c, s in zip(consignments, scores, strict=True)}
        return by_id, {consignments[i].pk: factors for i, factors in explained.items()}

    def _rule_findings(self, chunk: list[ItemFacts]) -> list[list[Finding | None]]:
        """Each rule's findings over the chunk, in the order of the rules; a rule that fails is left
        out for this batch, never the items."""
        found = []
        for rule in list(self.rules):
            try:
                found.append(rule.match_chunk(chunk))
            except Exception:
                logger.exception("Risk rule %s v%s failed; left out of this batch", rule.code, rule.version)
                self.rules = [r for r in self.rules if r is not rule]
        return found

    def _verdict(
        self,
        c: Consignment,
        lines: list[ContentLine],
        references: References,
        splits: SplitShipments,
        fired: list[Finding],
        model_score: float | None,
        factors: Factors,
        *,
        referenced: bool,
    ) -> Verdict:
        findings = vague_descriptions([x.description for x in lines], c.category)
        valued = any(f.code in (VALUE_BELOW, BELOW_LISTED.code) for f in fired)
        if not valued and (found := history.undervaluation(lines, c.currency, references)):
            finding, ratio = found
            findings.append(replace(finding, weight=undervaluation_score(ratio)))
            valued = True
        referenced = referenced or valued or any(references.for_code(x.hs_code or "") for x in lines)
        split = splits.split(c)
        if split:
            findings.append(replace(split.finding, weight=SPLIT_SHIPMENT_SCORE, lane=Lane.YELLOW))
        findings += [replace(finding, weight=NETWORK_SCORE) for finding in splits.networks(c)]
        findings += _without_repeats(fired)
        verdict = self._decide(findings, [f.rule for f in fired if f.rule], model_score, factors, random_draw(c.pk))
        # An officer looking at the goods should know their value was not compared, not guess it from silence.
        if verdict.lane != Lane.GREEN and not referenced and any(f.code in GOODS_READ for f in verdict.findings):
            verdict = replace(verdict, findings=[*verdict.findings, Finding(NO_REFERENCE)])
        return replace(verdict, recall=split.recall) if split else verdict

    def _score(self, findings: list[Finding], model_score: float | None) -> float:
        rule_part = min(1.0, sum(finding.weight for finding in findings))
        return 1 - (1 - rule_part) * (1 - (model_score or 0.0))

    def _lane(self, findings: list[Finding], score: float) -> str:
        lane: str = Lane.RED if score >= self.red else Lane.YELLOW if score >= self.yellow else Lane.GREEN
        for finding in findings:
            if finding.lane and PRECEDENCE[finding.lane] > PRECEDENCE[lane]:
                lane = finding.lane
        return lane

    def _decide(
        self, findings: list[Finding], fired: list[str], model_score: float | None, factors: Factors, draw: float
    ) -> Verdict:
        score = self._score(findings, model_score)
        lane = self._lane(findings, score)
        # A finding with a ceiling (a name that only resembles a watchlist entry) sends the item no higher than
        # its ceiling unless the other findings do.
        if any(_ceiling(finding) for finding in findings):
            others = [finding for finding in findings if not _ceiling(finding)]
            highest = max((_ceiling(f) for f in findings if _ceiling(f)), key=PRECEDENCE.__getitem__)
            without = self._lane(others, self._score(others, model_score))
            allowed = max(without, highest, key=PRECEDENCE.__getitem__)
            lane = min(lane, allowed, key=PRECEDENCE.__getitem__)
        findings = list(findings)
        if model_score is not None and model_score >= self.yellow:
            params = {"score": f"{model_score:.2f}", "factors": [[name, f"{lift:.2f}"] for name, lift in factors]}
            findings.append(Finding(MODEL_SCORE.code, params))
        random_selection = lane == Lane.GREEN and draw < self.random_rate
        if random_selection:
            lane = Lane.YELLOW
            findings.append(Finding(RANDOM_SELECTION.code, lane=Lane.YELLOW))
        return Verdict(
            score=Decimal(str(round(score, 4))),
            lane=lane,
            findings=findings,
            rules_fired=fired,
            model_score=None if model_score is None else Decimal(str(round(model_score, 4))),
            random_selection=random_selection,
        )


def _ceiling(finding: Finding) -> str:
    reason = reason_of(finding.code)
    return reason.ceiling if reason else ""
