"""Indicators learnt from past items: HS reference unit values (split shipments: risk.splits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from clearance.models import Consignment, ContentLine
from law.selectors import rates_against
from risk.reasons import UNDERVALUATION, Finding

REFERENCE_CACHE_KEY = "risk:hs-reference-unit-values"


@dataclass(frozen=True)
class References:
    """Median declared unit values in one currency, by HS subheading, where the subheading's goods are alike in price.

    `rates` are units of each currency per unit of `currency`, the exchange
    rates of a regime that keeps its accounts in it (payments.selectors).
    """

    currency: str
    rates: dict[str, float]
    values: dict[str, float]  # "610910" -> median unit value in `currency`

    def __len__(self) -> int:
        return len(self.values)

    def for_code(self, hs_code: str) -> tuple[str, float] | None:
        """(the subheading, its reference): like goods only, never the median of a heading's or chapter's
        other goods (a phone beside smart watches, gold beside silver rings)."""
        code = hs_code[:6]
        return (code, self.values[code]) if len(code) == 6 and code in self.values else None


NO_REFERENCES = References(currency="", rates={}, values={})


def hs_reference_unit_values_compute(*, days: int = 180, min_observations: int = 10) -> References:
    """Median declared unit value per HS subheading over recent items, in one currency.

    Read in one query, converted with the latest exchange rates and reduced
    with pandas; a subheading needs `min_observations` items to be a
    reference, and goods alike in price: where the dearer quarter of its items
    costs more than OPENCLEAR_RISK_REFERENCE_SPREAD times the cheaper quarter
    (herbal teas beside ginseng in 1211.90, cables beside GPUs), a median says
    nothing of any one item, and the subheading has no reference.
    """
    currency = settings.OPENCLEAR_RISK_REFERENCE_CURRENCY
    rates = {code: float(rate) for code, rate in rates_against(currency, timezone.now().date()).items() if rate}
    since = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT left(l.hs_code, 6), c.currency, l.value / l.quantity
            FROM {ContentLine._meta.db_table} l JOIN {Consignment._meta.db_table} c ON c.id = l.consignment_id
            WHERE c.pre_advised_at >= %s AND l.hs_code <> '' AND l.value > 0 AND l.quantity > 0
            ORDER BY c.pre_advised_at DESC LIMIT 500000
            """,  # noqa: S608
            [since],
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=["hs6", "currency", "unit_value"])
    frame["rate"] = frame["currency"].map(rates)
    frame = frame.dropna(subset=["rate"])  # a currency without a rate cannot be compared
    if frame.empty:
        return References(currency=currency, rates=rates, values={})
    frame["unit_value"] = frame["unit_value"].astype(float) / frame["rate"]
    unit_values = frame.groupby("hs6")["unit_value"]
    grouped = unit_values.agg(["median", "count"])
    grouped["low"], grouped["high"] = unit_values.quantile(0.25), unit_values.quantile(0.75)
    alike = (grouped["count"] >= min_observations) & (
        grouped["high"] <= grouped["low"] * settings.OPENCLEAR_RISK_REFERENCE_SPREAD
    )
    values = {code: float(median) for code, median in grouped.loc[alike, "median"].items() if len(code) == 6}
    return References(currency=currency, rates=rates, values=values)


def hs_reference_unit_values() -> References:
    """The reference values, from the cache the beat task keeps warm (computed if absent)."""
    try:
        values = cache.get(REFERENCE_CACHE_KEY)
    except Exception:  # kept by a version whose classes no longer load: computed afresh
        values = None
    if not isinstance(values, References):  # absent, or kept by an older version
        values = hs_reference_unit_values_compute()
        cache.set(REFERENCE_CACHE_KEY, values, timeout=settings.OPENCLEAR_RISK_REFERENCE_TTL)
    return values


def undervaluation(lines, currency: str, references: References) -> tuple[Finding, float] | None:
    """(finding, declared / reference) for the first line far below its HS reference, in the item's currency."""
    ratio_limit = settings.OPENCLEAR_RISK_UNDERVALUATION_RATIO
    rate = references.rates.get(currency)
    if not rate:
        return None
    for line in lines:
        found = references.for_code(line.hs_code or "")
        if not found or not line.quantity:
            continue
        level, reference_in_base = found
        reference = reference_in_base * rate  # back in the item's currency, as the officer reads it
        unit_value = float(line.value) / line.quantity
        if unit_value < reference * ratio_limit:
            params = {
                "goods": line.description,
                "unit": f"{unit_value:.2f}",
                "currency": currency,
                "below": f"{(1 - unit_value / reference) * 100:.0f}",
                "reference": f"{reference:.2f}",
                "hs_code": level,
            }
            return Finding(UNDERVALUATION.code, params), unit_value / reference
    return None
