"""Reads for the Time Release Study and the performance indicators (WCO TRS and PMM).

The TRS and the daily counts come from the summaries (performance.summaries), so a
month over millions of items is a few thousand rows; the indicators that rest on
small tables (inspections, payments, disputes, webhook deliveries) are read from
them directly, bounded by the period.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Min, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from clearance.models import Decision, Office, PostalOperator
from payments.models import Case, ChargeAdjustment
from payments.selectors import REVENUE_CHANNELS, outstanding_now, refunded_between, revenue_by_channel
from performance.models import TrsBucket, TrsDay
from performance.trs import BREAKDOWNS, MEASURE_CODES, MEASURES, Stats, distribution, iso_week
from postal.models import WebhookDelivery
from risk.models import InspectionOutcome, RiskAssessment
from risk.reasons import codes_of, label


@dataclass
class TrsGroup:
    """The TRS of one group of items: the whole period, one lane, one week…"""

    label: str
    items: int = 0
    arrived: int = 0
    decided: int = 0
    decided_before_arrival: int = 0
    released: int = 0
    stats: dict[str, Stats] = field(default_factory=dict)
    counts: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def decided_before_arrival_share(self) -> float | None:
        return self.decided_before_arrival / self.decided if self.decided else None


@dataclass
class TrsResult:
    start: date
    end: date
    breakdown: str
    overall: TrsGroup
    groups: list[TrsGroup]
    as_of: datetime | None

    def distribution(self, measure: str) -> list[tuple[str, int]]:
        return distribution(self.overall.counts.get(measure, {}))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, tzinfo=UTC), datetime.combine(
        end + timedelta(days=1), time.min, tzinfo=UTC
    )


def trs_for_period(*, start: date, end: date, breakdown: str = "lane") -> TrsResult:
    """The Time Release Study of the items pre-advised from start to end (inclusive)."""
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {breakdown!r}")
    dimension = "all" if breakdown == "week" else breakdown
    days = TrsDay.objects.filter(day__range=(start, end), dimension__in={"all", dimension})
    buckets = (
        TrsBucket.objects.filter(day__range=(start, end), dimension__in={"all", dimension})
        .values("dimension", "value", "measure", "bucket", *(["day"] if breakdown == "week" else []))
        .annotate(n=Sum("count"), seconds=Sum("total_seconds"))
    )
    groups: dict[str, TrsGroup] = {}
    overall = TrsGroup(label="all")
    labels = _labels(breakdown)

    def group_of(row_dimension: str, value: str, day: date | None) -> list[TrsGroup]:
        found = [overall] if row_dimension == "all" else []
        if breakdown == "week" and row_dimension == "all":
            key = iso_week(day)
        elif row_dimension == dimension and breakdown != "week":
            key = value
        else:
            return found
        return [*found, groups.setdefault(key, TrsGroup(label=labels.get(key, key or "–")))]

    for day in days.values(
        "day", "dimension", "value", "items", "arrived", "decided", "decided_before_arrival", "released"
    ):
        for group in group_of(day["dimension"], day["value"], day["day"]):
            for name in ("items", "arrived", "decided", "decided_before_arrival", "released"):
                setattr(group, name, getattr(group, name) + day[name])
    seconds: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in buckets:
        for group in group_of(row["dimension"], row["value"], row.get("day")):
            counts = group.counts.setdefault(row["measure"], {})
            counts[row["bucket"]] = counts.get(row["bucket"], 0) + row["n"]
            seconds[id(group)][row["measure"]] += row["seconds"]
    for group in [overall, *groups.values()]:
        group.stats = {code: Stats.of(group.counts.get(code, {}), seconds[id(group)][code]) for code in MEASURE_CODES}
    ordered = sorted(groups.values(), key=lambda g: g.label if breakdown == "week" else -g.items)
    as_of = days.aggregate(oldest=Min("computed_at"))["oldest"]
    return TrsResult(start=start, end=end, breakdown=breakdown, overall=overall, groups=ordered, as_of=as_of)


def _labels(breakdown: str) -> dict[str, str]:
    if breakdown == "operator":
        return {str(pk): name for pk, name in PostalOperator.objects.values_list("pk", "name")}
    if breakdown == "office":
        return {code: f"{code} {name}" for code, name in Office.objects.values_list("code", "name")}
    return {}


def trs_frame(result: TrsResult) -> pd.DataFrame:
    """One row per group and measure, durations in seconds: for CSV and XLSX export."""
    rows = []
    for group in [result.overall, *result.groups]:
        for measure in MEASURES:
            stats = group.stats[measure.code]
            rows.append(
                {
                    "group": "all" if group is result.overall else f"{result.breakdown}: {group.label}",
                    "items": group.items,
                    "decided_before_arrival_share": group.decided_before_arrival_share,
                    "measure": measure.code,
                    "count": stats.count,
                    "mean_seconds": stats.mean,
                    "median_seconds": stats.median,
                    "p90_seconds": stats.p90,
                }
            )
    return pd.DataFrame(rows)


# --- Indicators (PMM style) -------------------------------------------------------------------------


@dataclass
class HitRate:
    selection: str
    inspected: int = 0
    found: int = 0

    @property
    def rate(self) -> float | None:
        return self.found / self.inspected if self.inspected else None


@dataclass
class Indicators:
    start: date
    end: date
    items_per_day: list[tuple[date, int]]
    lane_shares: list[tuple[str, int, float]]
    hit_rates: list[HitRate]
    collected: dict[str, Decimal]
    refunded: dict[str, Decimal]
    outstanding: dict[str, Decimal]
    webhook_latency: dict[str, float | int | None]
    disputes: dict[str, float | int | None]
    recovered: dict[str, Decimal] = field(default_factory=dict)
    reason_hit_rates: list[HitRate] = field(default_factory=list)  # by reason code (risk.reasons)
    by_channel: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # online, door, prepaid

    @property
    def revenue_rows(self) -> list[tuple]:
        """(currency, online, at the door, prepaid accounts, collected, refunded, outstanding, recovered at
        inspection), one row per currency seen."""
        zero = Decimal("0.00")
        channels = [self.by_channel.get(name, {}) for name in REVENUE_CHANNELS]
        kinds = (*channels, self.collected, self.refunded, self.outstanding, self.recovered)
        currencies = sorted(set().union(*kinds))
        return [(c, *(kind.get(c, zero) for kind in kinds)) for c in currencies]

    as_of: datetime | None = None

    @property
    def average_items_per_day(self) -> float:
        """Over every day of the period shown (up to today), days without items counted as 0."""
        return sum(n for _, n in self.items_per_day) / len(self.items_per_day) if self.items_per_day else 0.0


def indicators_for_period(*, start: date, end: date) -> Indicators:
    begin, finish = _bounds(start, end)
    hit_rates, reason_hit_rates = _hit_rates(begin, finish)
    channels = revenue_by_channel(begin=begin, finish=finish)
    return Indicators(
        start=start,
        end=end,
        items_per_day=_items_per_day(start, end),
        as_of=TrsDay.objects.filter(day__range=(start, end)).aggregate(oldest=Min("computed_at"))["oldest"],
        lane_shares=_lane_shares(start, end),
        hit_rates=hit_rates,
        reason_hit_rates=reason_hit_rates,
        by_channel=channels,
        collected=_total(channels.values()),
        refunded=refunded_between(begin=begin, finish=finish),
        # Outstanding is a stock, not a flow: what is due now, whatever the period.
        outstanding=outstanding_now(),
        webhook_latency=_webhook_latency(begin, finish),
        disputes=_disputes(start, end, begin, finish),
        # Duty found at inspection and charged in the period (WCO PMM: revenue recovered by controls).
        recovered=_sum_by_currency(
            ChargeAdjustment.objects.filter(created_at__gte=begin, created_at__lt=finish), "duty"
        ),
    )


def _items_per_day(start: date, end: date) -> list[tuple[date, int]]:
    """Every day of the period up to today, with its items (0 for a day without any, or not summarised yet)."""
    counted = dict(TrsDay.objects.filter(dimension="all", day__range=(start, end)).values_list("day", "items"))
    last = min(end, timezone.now().date())
    days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
    return [(day, counted.get(day, 0)) for day in days]


def _lane_shares(start: date, end: date) -> list[tuple[str, int, float]]:
    rows = (
        TrsDay.objects.filter(dimension="lane", day__range=(start, end))
        .values("value")
        .annotate(n=Sum("items"))
        .order_by("value")
    )
    total = sum(row["n"] for row in rows)
    return [(row["value"] or "–", row["n"], row["n"] / total) for row in rows if total]


_INSPECTIONS = f"""
SELECT o.irregularity_found, ra.rules_fired, ra.random_selection, ra.model_score, ra.reasons
FROM {InspectionOutcome._meta.db_table} o
JOIN LATERAL (
    SELECT rules_fired, random_selection, model_score, reasons FROM {RiskAssessment._meta.db_table}
    WHERE consignment_id = o.consignment_id AND assessed_at <= o.created_at
    ORDER BY assessed_at DESC LIMIT 1
) ra ON true
WHERE o.created_at >= %s AND o.created_at < %s
"""  # noqa: S608 - table names from the models; values are parameters


def selection_text(selection: str) -> str:
    """What selected inspected items ("all inspections", "rule <code>", "model", "random selection"), in the
    reader's language; the stored key stays as it is in the exports."""
    if selection.startswith("rule "):
        return gettext("Rule %(code)s") % {"code": selection[5:]}
    labels = {
        "all inspections": gettext("All inspections"),
        "model": gettext("The model"),
        "random selection": gettext("Random selection"),
    }
    return labels.get(selection, selection)


def _hit_rates(begin: datetime, finish: datetime) -> tuple[list[HitRate], list[HitRate]]:
    """Irregularities found per inspection, by what selected the item (each rule, the model, chance),
    and by the reason codes of its findings."""
    threshold = Decimal(str(settings.OPENCLEAR_RISK_YELLOW_THRESHOLD))
    rates: dict[str, HitRate] = {}
    by_reason: dict[str, HitRate] = {}

    def count(into: dict[str, HitRate], selection: str, found: bool) -> None:
        rate = into.setdefault(selection, HitRate(selection))
        rate.inspected += 1
        rate.found += int(found)

    with connection.cursor() as cursor:
        cursor.execute(_INSPECTIONS, [begin, finish])
        for found, rules_fired, random_selection, model_score, stored in cursor.fetchall():
            count(rates, "all inspections", found)
            # Django reads jsonb as text on raw cursors.
            for fired in {code.split("@")[0] for code in json.loads(rules_fired or "[]")}:
                count(rates, f"rule {fired}", found)
            if model_score is not None and model_score >= threshold:
                count(rates, "model", found)
            if random_selection:
                count(rates, "random selection", found)
            for code in set(codes_of(json.loads(stored or "[]"))):
                count(by_reason, code, found)
    ordered = sorted(rates.values(), key=lambda r: (r.selection != "all inspections", r.selection))
    return ordered, sorted(by_reason.values(), key=lambda r: (-r.inspected, r.selection))


def _total(parts) -> dict[str, Decimal]:
    """{currency: sum} of several {currency: amount}."""
    total: dict[str, Decimal] = {}
    for part in parts:
        for currency, amount in part.items():
            total[currency] = total.get(currency, Decimal("0")) + amount
    return total


def _sum_by_currency(rows: QuerySet, amount: str) -> dict[str, Decimal]:
    totals = rows.values("currency").annotate(total=Sum(amount)).order_by("currency")
    return {row["currency"]: row["total"] for row in totals}


_WEBHOOK_LATENCY = f"""
SELECT count(*) FILTER (WHERE w.delivered_at IS NOT NULL), count(*) FILTER (WHERE w.status = 'DEAD'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM w.delivered_at - d.decided_at)),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM w.delivered_at - d.decided_at))
FROM {WebhookDelivery._meta.db_table} w JOIN {Decision._meta.db_table} d ON d.id = w.decision_id
WHERE d.decided_at >= %s AND d.decided_at < %s
"""  # noqa: S608 - table names from the models; values are parameters
_DISPUTES = f"""
SELECT count(*), count(resolved_at),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at))
FROM {Case._meta.db_table} WHERE created_at >= %s AND created_at < %s
"""  # noqa: S608 - as above


def _webhook_latency(begin: datetime, finish: datetime) -> dict[str, float | int | None]:
    """From the decision to its webhook delivered; the pull feed's readers are not timed."""
    with connection.cursor() as cursor:
        cursor.execute(_WEBHOOK_LATENCY, [begin, finish])
        delivered, dead, median, p90 = cursor.fetchone()
    return {"delivered": delivered, "dead": dead, "median": _float(median), "p90": _float(p90)}


def _disputes(start: date, end: date, begin: datetime, finish: datetime) -> dict[str, float | int | None]:
    with connection.cursor() as cursor:
        cursor.execute(_DISPUTES, [begin, finish])
        opened, resolved, median = cursor.fetchone()
    charged = TrsDay.objects.filter(dimension="all", day__range=(start, end)).aggregate(n=Sum("charged"))["n"] or 0
    return {
        "opened": opened,
        "resolved": resolved,
        "charged_items": charged,
        "rate": opened / charged if charged else None,
        "median_seconds_to_resolve": _float(median),
    }


def _float(value) -> float | None:
    return None if value is None else float(value)


def _english(render, value: str) -> str:
    """The one wording of an export."""
    with translation.override("en"):
        return render(value)


def indicator_frames(indicators: Indicators) -> dict[str, pd.DataFrame]:
    """The indicators as tables, one per sheet of the XLSX export."""
    return {
        "items_per_day": pd.DataFrame(indicators.items_per_day, columns=["day", "items"]),
        "lane_shares": pd.DataFrame(indicators.lane_shares, columns=["lane", "items", "share"]),
        "hit_rates": pd.DataFrame(
            [(r.selection, r.inspected, r.found, r.rate) for r in indicators.hit_rates],
            columns=["selection", "inspected", "irregularities_found", "hit_rate"],
        ),
        "reason_hit_rates": pd.DataFrame(
            [
                (r.selection, _english(label, r.selection), r.inspected, r.found, r.rate)
                for r in indicators.reason_hit_rates
            ],
            columns=["reason", "reason_label", "inspected", "irregularities_found", "hit_rate"],
        ),
        "revenue": pd.DataFrame(
            [(c, f"collected_{channel}", a) for channel, part in indicators.by_channel.items() for c, a in part.items()]
            + [(c, "collected", a) for c, a in indicators.collected.items()]
            + [(c, "refunded", a) for c, a in indicators.refunded.items()]
            + [(c, "outstanding", a) for c, a in indicators.outstanding.items()]
            + [(c, "recovered_at_inspection", a) for c, a in indicators.recovered.items()],
            columns=["currency", "kind", "amount"],
        ),
        "webhooks": pd.DataFrame([indicators.webhook_latency]),
        "disputes": pd.DataFrame([indicators.disputes]),
    }
