"""Indicators learnt from past items: HS reference unit values (split shipments: risk.splits)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from clearance.models import Consignment, ContentLine

REFERENCE_CACHE_KEY = "risk:hs-reference-unit-values"


def hs_reference_unit_values_compute(*, days: int = 180, min_observations: int = 10) -> dict[str, float]:
    """Median declared unit value per (HS subheading, currency) over recent items.

    Read in one query and reduced with pandas; keys are "610910|USD".
    """
    since = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT left(l.hs_code, 6), c.currency, l.value / l.quantity
            FROM {ContentLine._meta.db_table} l JOIN {Consignment._meta.db_table} c ON c.id = l.consignment_id
            WHERE c.pre_advised_at >= %s AND l.hs_code <> '' AND l.value > 0
            ORDER BY c.pre_advised_at DESC LIMIT 500000
            """,  # noqa: S608
            [since],
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=["hs6", "currency", "unit_value"])
    if frame.empty:
        return {}
    frame["unit_value"] = frame["unit_value"].astype(float)
    grouped = frame.groupby(["hs6", "currency"])["unit_value"].agg(["median", "count"])
    grouped = grouped[grouped["count"] >= min_observations]
    return {f"{hs6}|{currency}": float(row["median"]) for (hs6, currency), row in grouped.iterrows()}


def hs_reference_unit_values() -> dict[str, float]:
    """The reference values, from the cache the beat task keeps warm (computed if absent)."""
    values = cache.get(REFERENCE_CACHE_KEY)
    if values is None:
        values = hs_reference_unit_values_compute()
        cache.set(REFERENCE_CACHE_KEY, values, timeout=settings.OPENCLEAR_RISK_REFERENCE_TTL)
    return values


def undervaluation_reason(lines, currency: str, references: dict[str, float]) -> str | None:
    """A reason when a line's unit value is far below its HS reference."""
    ratio_limit = settings.OPENCLEAR_RISK_UNDERVALUATION_RATIO
    for line in lines:
        reference = references.get(f"{line.hs_code[:6]}|{currency}")
        if not reference or not line.quantity:
            continue
        unit_value = float(line.value) / line.quantity
        if unit_value < reference * ratio_limit:
            return (
                f"Possible undervaluation: {line.description} declared at {unit_value:.2f} {currency} a unit, "
                f"{(1 - unit_value / reference) * 100:.0f}% below the reference of {reference:.2f} "
                f"for HS {line.hs_code[:6]}."
            )
    return None
