"""The effect of a proposed change of the law on the last 30 days of real items (registered with law.effects).

Each item of the regime pre-advised in the 30 days before today is assessed twice with the
calculator that assesses real items and the de minimis simulator: under the law in force on the
change's first day, and under that law as changed. Items whose charges move, and items that
cross a threshold (start or stop paying, start or stop needing an officer), are counted.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clearance.choices import ItemCategory
from clearance.models import Consignment
from clearance.selectors import WITH_LINES
from law.models import Regime
from law.selectors import TariffUnavailable, fx_rate
from law.tariff import Fx, Tariff
from payments.assessment import item_input
from payments.calculator import Breakdown, assess_item

DAYS = 30
LARGEST = 10  # the items whose charges move most, listed by the preview
ZERO = Decimal("0.00")


def law_change_effect(
    *, regime: Regime, on: date, before: Tariff, after: Tariff, limit: int = 20_000
) -> dict[str, Any]:
    """Charges before and after over the regime's items of the last 30 days (the latest `limit` of them)."""
    since = timezone.now() - timedelta(days=DAYS)
    items = (
        Consignment.objects.filter(addressee_country__in=regime.countries, pre_advised_at__gte=since)
        .exclude(category=ItemCategory.DOCUMENTS)
        .prefetch_related(WITH_LINES)
        .order_by("-pre_advised_at")[:limit]
    )
    totals = {"before": _Totals(), "after": _Totals()}
    crossing = {"startPaying": 0, "stopPaying": 0, "startNeedingOfficer": 0, "stopNeedingOfficer": 0}
    moved: list[tuple[Decimal, str, str, str]] = []
    skipped = 0
    laws: dict[str, tuple[Tariff, Tariff] | None] = {}  # per currency: both laws with its exchange rate
    for consignment in items:
        if consignment.currency not in laws:
            fx = _fx(regime, consignment.currency, on)
            laws[consignment.currency] = (
                (dataclasses.replace(before, fx=fx), dataclasses.replace(after, fx=fx)) if fx else None
            )
        pair = laws[consignment.currency]
        if pair is None:
            skipped += 1
            continue
        item = item_input(consignment)
        old, new = assess_item(item, pair[0]), assess_item(item, pair[1])
        totals["before"].add(old)
        totals["after"].add(new)
        _cross(crossing, old, new)
        if old.total != new.total:
            moved.append((new.total - old.total, consignment.item_id, str(old.total), str(new.total)))
    moved.sort(key=lambda entry: (-abs(entry[0]), entry[1]))
    return {
        "days": DAYS,
        "currency": regime.currency,
        "items": totals["before"].items,
        "skipped": skipped,
        "before": totals["before"].as_json(),
        "after": totals["after"].as_json(),
        "itemsChanged": len(moved),
        "crossing": crossing,
        "largest": [{"item": item_id, "before": old, "after": new} for _delta, item_id, old, new in moved[:LARGEST]],
    }


def _fx(regime: Regime, currency: str, on: date) -> Fx | None:
    try:
        return fx_rate(regime, currency, on)
    except TariffUnavailable:
        return None


def _cross(crossing: dict[str, int], old: Breakdown, new: Breakdown) -> None:
    if old.total == ZERO and new.total > ZERO:
        crossing["startPaying"] += 1
    if old.total > ZERO and new.total == ZERO:
        crossing["stopPaying"] += 1
    if not old.needs_officer and new.needs_officer:
        crossing["startNeedingOfficer"] += 1
    if old.needs_officer and not new.needs_officer:
        crossing["stopNeedingOfficer"] += 1


@dataclasses.dataclass
class _Totals:
    items: int = 0
    duty: Decimal = ZERO
    vat: Decimal = ZERO
    fees: Decimal = ZERO
    total: Decimal = ZERO
    paying: int = 0

    def add(self, breakdown: Breakdown) -> None:
        self.items += 1
        self.duty += breakdown.duty
        self.vat += breakdown.vat
        self.fees += breakdown.fees
        self.total += breakdown.total
        self.paying += int(breakdown.total > ZERO)

    def as_json(self) -> dict[str, Any]:
        return {
            "duty": str(self.duty),
            "vat": str(self.vat),
            "fees": str(self.fees),
            "total": str(self.total),
            "itemsPaying": self.paying,
        }
