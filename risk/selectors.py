"""Reads of the risk app."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from risk.choices import RuleStatus
from risk.model import RiskModel
from risk.models import ModelVersion, RiskAssessment, Rule
from risk.rules import CompiledRule

THRESHOLDS_CACHE_KEY = "risk:lane-thresholds"
_loaded_models: dict[int, RiskModel] = {}


def rules_in_force() -> list[CompiledRule]:
    """Active rules whose effective period includes now."""
    now = timezone.now()
    rules = Rule.objects.filter(status=RuleStatus.ACTIVE, effective_from__lte=now).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=now)
    )
    return [
        CompiledRule(code=r.code, version=r.version, kind=r.kind, description=r.description,
                     condition=r.condition, force_lane=r.force_lane, score=r.score)
        for r in rules
    ]  # fmt: skip


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


def rules_pending() -> QuerySet[Rule]:
    return Rule.objects.filter(status=RuleStatus.PENDING).select_related("created_by")
