"""Reads of the risk app."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from risk.choices import RuleStatus
from risk.classifier import RiskModel
from risk.models import InspectionOutcome, ModelVersion, RiskAssessment, Rule
from risk.rules import CompiledRule, validate_condition

logger = logging.getLogger(__name__)
THRESHOLDS_CACHE_KEY = "risk:lane-thresholds"
_loaded_models: dict[int, RiskModel] = {}


def rules_in_force() -> list[CompiledRule]:
    """Active rules whose effective period includes now, ready to match.

    A rule that cannot be applied (a condition stored before it was checked as
    it is now) is left out and logged, never allowed to fail every item's
    scoring; the rules page lists it (rules_unusable).
    """
    compiled = []
    for rule in _rules_active_now():
        try:
            compiled.append(_compiled(rule))
        except Exception:
            logger.exception("Risk rule %s v%s cannot be applied; it is left out of scoring", rule.code, rule.version)
    return compiled


def rules_unusable() -> list[tuple[Rule, str]]:
    """Rules in force that scoring leaves out, with what is wrong with each."""
    unusable = []
    for rule in _rules_active_now():
        try:
            compile_rule(rule)
        except Exception as exc:
            details = "; ".join(d.get("message", "") for d in getattr(exc, "details", []))
            unusable.append((rule, " ".join(filter(None, [getattr(exc, "message", str(exc)), details]))))
    return unusable


# Compiled rules by (id, last change), kept by each worker process: a watchlist of
# thousands of names is transliterated once, not for every chunk scored.
_compiled_rules: dict[tuple[int, object], CompiledRule] = {}


def _compiled(rule: Rule) -> CompiledRule:
    key = (rule.pk, rule.updated_at)
    if key not in _compiled_rules:
        if len(_compiled_rules) > 2000:
            _compiled_rules.clear()
        _compiled_rules[key] = compile_rule(rule)
    return _compiled_rules[key]


def compile_rule(rule: Rule) -> CompiledRule:
    validate_condition(rule.kind, rule.condition)
    return CompiledRule(
        code=rule.code,
        version=rule.version,
        kind=rule.kind,
        description=rule.description,
        condition=rule.condition,
        force_lane=rule.force_lane,
        score=rule.score,
    )


def _rules_active_now() -> QuerySet[Rule]:
    now = timezone.now()
    return Rule.objects.filter(status=RuleStatus.ACTIVE, effective_from__lte=now).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=now)
    )


def consignments_unscored(consignments: list[Consignment]) -> list[Consignment]:
    """Those of these items whose current version has no risk assessment yet."""
    if not consignments:
        return []
    scored = set(
        RiskAssessment.objects.filter(consignment_id__in=[c.pk for c in consignments]).values_list(
            "consignment_id", "consignment_version"
        )
    )
    return [c for c in consignments if (c.pk, c.version) not in scored]


def scoring_backlog() -> int | None:
    """Messages waiting in the scoring queue; None when the broker cannot be asked."""
    try:
        with current_app.connection_for_read() as connection:
            channel: Any = connection.default_channel  # kombu's stubs type it as the abstract StdChannel
            return int(channel.queue_declare(queue="scoring").message_count)
    except Exception:  # the broker is down: the caller treats the backlog as unknown
        logger.warning("The scoring queue's length could not be read", exc_info=True)
        return None


def consignment_ids_held_unscored(*, limit: int = 10_000) -> list[int]:
    """Held items whose current version has no risk assessment long after their last change."""
    cutoff = timezone.now() - settings.OPENCLEAR_STUCK_AFTER
    scored = RiskAssessment.objects.filter(consignment_id=OuterRef("pk"), consignment_version=OuterRef("version"))
    return list(
        Consignment.objects.filter(state=ConsignmentState.HELD, updated_at__lt=cutoff)
        .exclude(Exists(scored))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def active_model() -> tuple[int, RiskModel] | None:
    """The promoted model, loaded once per worker process."""
    version = ModelVersion.objects.filter(is_active=True).only("id").first()
    if version is None:
        return None
    if version.pk not in _loaded_models:
        artifact = ModelVersion.objects.values_list("artifact", flat=True).get(pk=version.pk)
        _loaded_models.clear()
        _loaded_models[version.pk] = RiskModel.loads(bytes(artifact))
    return version.pk, _loaded_models[version.pk]


def lane_thresholds() -> tuple[float, float]:
    """(red, yellow) score thresholds that send about the target share to each lane.

    From the distribution of recent scores; never below the configured floors,
    so a quiet period cannot turn ordinary items red.
    """
    cached = cache.get(THRESHOLDS_CACHE_KEY)
    if cached:
        return tuple(cached)
    floors = (settings.OPENCLEAR_RISK_RED_THRESHOLD, settings.OPENCLEAR_RISK_YELLOW_THRESHOLD)
    scores = sorted(
        float(s) for s in RiskAssessment.objects.order_by("-assessed_at").values_list("score", flat=True)[:5000]
    )
    if len(scores) < 500:
        thresholds = floors
    else:
        red_q = scores[int(len(scores) * (1 - settings.OPENCLEAR_RISK_TARGET_RED_RATE))]
        yellow_share = settings.OPENCLEAR_RISK_TARGET_RED_RATE + settings.OPENCLEAR_RISK_TARGET_YELLOW_RATE
        yellow_q = scores[int(len(scores) * (1 - yellow_share))]
        thresholds = (max(floors[0], red_q), max(floors[1], yellow_q))
    cache.set(THRESHOLDS_CACHE_KEY, list(thresholds), timeout=300)
    return thresholds


def random_inspection_outcomes() -> int:
    """Inspection outcomes of items drawn at random: the unbiased labels a model learns from."""
    drawn = RiskAssessment.objects.filter(random_selection=True).values("consignment_id")
    return InspectionOutcome.objects.filter(consignment_id__in=drawn).values("consignment_id").distinct().count()
