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
from clearance.models import Consignment
from clearance.selectors import content_lines
from core.normalize import email_mailbox, is_abjad, name_forms, phone_key, screen_key
from risk import history
from risk.classifier import RiskModel
from risk.indicators import vague_descriptions
from risk.postal_features import postal_frame
from risk.rules import CompiledRule, ItemFacts
from risk.splits import SplitShipments

logger = logging.getLogger(__name__)

PRECEDENCE = {Lane.RED: 3, Lane.YELLOW: 2, Lane.GREEN: 1}
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
    reasons: list[str]
    rules_fired: list[str] = field(default_factory=list)
    model_score: Decimal | None = None
    random_selection: bool = False
    recall: tuple[int, ...] = ()  # earlier parcels of a split shipment to hold again before presentation


def _party_facts(c: Consignment, party: str) -> dict[str, Any]:
    name = getattr(c, f"{party}_name")
    forms = name_forms(name)
    return {
        "name": forms.key,
        "display": name[:80],
        "consonants": forms.consonants,
        "consonant_run": forms.consonant_run,
        "words": forms.words,
        "abjad": is_abjad(name),
        "mailbox": email_mailbox(getattr(c, f"{party}_email")),
        "phone": phone_key(getattr(c, f"{party}_phone")),
    }


def item_facts(c: Consignment, lines: list) -> ItemFacts:
    parties = {party: _party_facts(c, party) for party in ("sender", "addressee")}
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
    )


def random_draw(consignment_id: int) -> float:
    """The item's own draw in [0, 1) for random inspection, fixed for its life.

    A keyed hash of the id, so an amendment cannot re-roll the dice and an
    operator cannot predict which items will be drawn.
    """
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"random-inspection:{consignment_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class Engine:
    def __init__(
        self,
        *,
        rules: list[CompiledRule],
        model: tuple[int, RiskModel] | None,
        thresholds: tuple[float, float],
        random_rate: float,
        references: history.References | None = None,
    ) -> None:
        self.references = references  # HS reference unit values; None: the cached ones
        self.rules = rules
        self.model = model
        self.red, self.yellow = thresholds
        self.random_rate = random_rate

    def assess(self, consignments: list[Consignment], recallable=None) -> dict[int, Verdict]:
        references = self.references if self.references is not None else history.hs_reference_unit_values()
        splits = SplitShipments(consignments, recallable=recallable)
        model_scores, contributions = self._model(consignments)
        return {
            c.pk: self._verdict(c, references, splits, model_scores.get(c.pk), contributions.get(c.pk, []))
            for c in consignments
        }

    def _model(self, consignments: list[Consignment]) -> tuple[dict[int, float], dict[int, list[str]]]:
        if self.model is None or not consignments:
            return {}, {}
        _, model = self.model
        frame = postal_frame(consignments)
        scores = model.scores(frame)
        by_id = {c.pk: float(s) for c, s in zip(consignments, scores, strict=True)}
        # Explanations cost a model call per feature: only for items an officer will see.
        flagged = [i for i, s in enumerate(scores) if s >= self.yellow]
        explained = model.top_contributions(frame.iloc[flagged]) if flagged else []
        return by_id, {consignments[i].pk: words for i, words in zip(flagged, explained, strict=True)}

    def _verdict(self, c: Consignment, references, splits: SplitShipments, model_score, contributions) -> Verdict:
        lines = content_lines(c)
        findings: list[tuple[str, float, str]] = []  # (reason, score, forced lane)
        for reason_finding in vague_descriptions([x.description for x in lines], c.category):
            findings.append((reason_finding.reason, reason_finding.score, ""))
        if found := history.undervaluation(lines, c.currency, references):
            reason, ratio = found
            findings.append((reason, undervaluation_score(ratio), ""))
        split = splits.split(c)
        if split:
            findings.append((split.reason, SPLIT_SHIPMENT_SCORE, Lane.YELLOW))
        findings += [(reason, NETWORK_SCORE, "") for reason in splits.networks(c)]
        facts = item_facts(c, lines)
        fired = []
        for rule in self.rules:
            if reason := self._match(rule, facts):
                findings.append((reason, rule.score, rule.force_lane))
                fired.append(f"{rule.code}@v{rule.version}")
        verdict = self._decide(findings, fired, model_score, contributions, random_draw(c.pk))
        return replace(verdict, recall=split.recall) if split else verdict

    def _match(self, rule: CompiledRule, facts: ItemFacts) -> str | None:
        """The rule's reason, or None; a rule that fails is left out for this batch, never the item."""
        try:
            return rule.matches(facts)
        except Exception:
            logger.exception("Risk rule %s v%s failed; left out of this batch", rule.code, rule.version)
            self.rules = [r for r in self.rules if r is not rule]
            return None

    def _decide(self, findings, fired, model_score, contributions, draw: float) -> Verdict:
        rule_part = min(1.0, sum(score for _, score, _ in findings))
        score = 1 - (1 - rule_part) * (1 - (model_score or 0.0))
        lane = Lane.RED if score >= self.red else Lane.YELLOW if score >= self.yellow else Lane.GREEN
        for _, _, forced in findings:
            if forced and PRECEDENCE[forced] > PRECEDENCE[lane]:
                lane = forced
        reasons = [reason for reason, _, _ in findings]
        if model_score is not None and model_score >= self.yellow:
            reasons.append(f"Model score {model_score:.2f}: " + (", ".join(contributions) or "no single factor"))
        random_selection = lane == Lane.GREEN and draw < self.random_rate
        if random_selection:
            lane = Lane.YELLOW
            reasons.append("Selected at random for inspection (unbiased control sample).")
        return Verdict(
            score=Decimal(str(round(score, 4))),
            lane=lane,
            reasons=reasons,
            rules_fired=fired,
            model_score=None if model_score is None else Decimal(str(round(model_score, 4))),
            random_selection=random_selection,
        )
