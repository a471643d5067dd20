"""An operator's data quality, as the customs–post memoranda of understanding measure it.

Each request's entries are counted as they are answered (received, rejected,
rejected by error code: IntakeTally, one row per operator, day, command and
code, added to in one statement). A month's report reads those counts beside
the operator's items: parcels that arrived without pre-advice (and those whose
pre-advice came after them), released items whose tracking events are
missing, and how long the operator took to answer customs' questions. An
operator reads only its own report (the API scopes it to the key); officers
read every operator's, month by month.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from psycopg2.extras import execute_values

from clearance.choices import ConsignmentState, EventCode
from clearance.models import Consignment, InformationRequest, PostalOperator
from postal.choices import ItemStatus
from postal.models import IntakeTally

# The events every released item should have, and the stamp each one leaves.
EXPECTED_EVENTS = {
    EventCode.EMD: "arrived_at",
    EventCode.EDB: "presented_at",
    EventCode.EMF: "exited_at",
    EventCode.EMI: "delivered_at",
}


def intake_tallies_record(*, operator: PostalOperator, source: str, results: Iterable[dict[str, Any]]) -> None:
    """Count a request's entries: received, rejected, and rejected with each error code (once per entry)."""
    counts: Counter[str] = Counter()
    for result in results:
        counts[IntakeTally.RECEIVED] += 1
        if result["status"] == ItemStatus.REJECTED:
            counts[IntakeTally.REJECTED] += 1
            counts.update({error["code"][:40] for error in result["errors"]})
    if not counts:
        return
    day = timezone.now().astimezone(UTC).date()
    rows = [(operator.pk, day, source, code, count) for code, count in counts.items()]
    table = IntakeTally._meta.db_table
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"INSERT INTO {table} (operator_id, day, source, code, count) VALUES %s "  # noqa: S608
            f"ON CONFLICT (operator_id, day, source, code) DO UPDATE SET count = {table}.count + EXCLUDED.count",
            rows,
        )


@dataclass
class SourceQuality:
    received: int = 0
    rejected: int = 0
    by_code: dict[str, int] = field(default_factory=dict)

    def rate(self, count: int) -> float | None:
        return round(count / self.received, 4) if self.received else None


@dataclass
class QualityReport:
    operator: PostalOperator
    month: date
    sources: dict[str, SourceQuality]
    arrived_without_pre_advice: int
    pre_advice_still_missing: int
    pre_advice_after_arrival: int
    released: int
    events_missing: dict[str, int]
    information_asked: int
    information_answered: int
    median_hours_to_answer: float | None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def quality_report(*, operator: PostalOperator, month: date) -> QualityReport:
    """The operator's figures for one month (UTC): its requests, its items pre-advised or recorded that month."""
    start, end = month_bounds(month)
    items = Consignment.objects.filter(operator=operator, pre_advised_at__gte=start, pre_advised_at__lt=end)
    unannounced = items.filter(unannounced=True).aggregate(
        arrived=Count("id"), missing=Count("id", filter=Q(late_pre_advice_at__isnull=True))
    )
    released = items.filter(state=ConsignmentState.RELEASED)
    missing = released.aggregate(
        total=Count("id"),
        **{code: Count("id", filter=Q(**{f"{column}__isnull": True})) for code, column in EXPECTED_EVENTS.items()},
    )
    asked, answered, median = _information_requests(operator, start, end)
    return QualityReport(
        operator=operator,
        month=start.date(),
        sources=_sources(operator, start.date(), end.date()),
        arrived_without_pre_advice=unannounced["arrived"],
        pre_advice_still_missing=unannounced["missing"],
        pre_advice_after_arrival=unannounced["arrived"] - unannounced["missing"],
        released=missing.pop("total"),
        events_missing={str(code): count for code, count in missing.items()},
        information_asked=asked,
        information_answered=answered,
        median_hours_to_answer=median,
    )


def _sources(operator: PostalOperator, start: date, end: date) -> dict[str, SourceQuality]:
    sources = {source: SourceQuality() for source in IntakeTally.Source.values}
    rows = (
        IntakeTally.objects.filter(operator=operator, day__gte=start, day__lt=end)
        .values("source", "code")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        quality = sources[row["source"]]
        if row["code"] == IntakeTally.RECEIVED:
            quality.received = row["total"]
        elif row["code"] == IntakeTally.REJECTED:
            quality.rejected = row["total"]
        else:
            quality.by_code[row["code"]] = row["total"]
    return sources


def _information_requests(operator: PostalOperator, start: datetime, end: datetime) -> tuple[int, int, float | None]:
    """(asked that month, answered, median hours from question to answer)."""
    rows = InformationRequest.objects.filter(
        consignment__operator=operator, asked_at__gte=start, asked_at__lt=end
    ).values_list("asked_at", "answered_at")
    hours = [(answered - asked).total_seconds() / 3600 for asked, answered in rows if answered is not None]
    median = round(statistics.median(hours), 2) if hours else None
    return len(rows), len(hours), median


def quality_payload(report: QualityReport) -> dict[str, Any]:
    """The report as the API shows it."""
    return {
        "operator": report.operator.code,
        "month": report.month.strftime("%Y-%m"),
        **{
            source: {
                "received": quality.received,
                "rejected": quality.rejected,
                "rejectionRate": quality.rate(quality.rejected),
                "byCode": [
                    {"code": code, "count": count, "rate": quality.rate(count)}
                    for code, count in sorted(quality.by_code.items(), key=lambda pair: (-pair[1], pair[0]))
                ],
            }
            for source, quality in report.sources.items()
        },
        "arrivedWithoutPreAdvice": report.arrived_without_pre_advice,
        "preAdviceStillMissing": report.pre_advice_still_missing,
        "preAdviceAfterArrival": report.pre_advice_after_arrival,
        "released": report.released,
        "eventsMissing": report.events_missing,
        "informationRequests": {
            "asked": report.information_asked,
            "answered": report.information_answered,
            "medianHoursToAnswer": report.median_hours_to_answer,
        },
    }


def quality_csv_rows(report: QualityReport) -> list[list[Any]]:
    """One row per figure: month, measure, code, count, rate."""
    month = report.month.strftime("%Y-%m")
    rows: list[list[Any]] = [["month", "measure", "code", "count", "rate"]]
    for source, quality in report.sources.items():
        rows.append([month, f"{source}_received", "", quality.received, ""])
        rows.append([month, f"{source}_rejected", "", quality.rejected, _blank(quality.rate(quality.rejected))])
        for code, count in sorted(quality.by_code.items()):
            rows.append([month, f"{source}_rejected_by_code", code, count, _blank(quality.rate(count))])
    rows += [
        [month, "arrived_without_pre_advice", "", report.arrived_without_pre_advice, ""],
        [month, "pre_advice_still_missing", "", report.pre_advice_still_missing, ""],
        [month, "pre_advice_after_arrival", "", report.pre_advice_after_arrival, ""],
        [month, "released", "", report.released, ""],
        *([month, "events_missing", code, count, ""] for code, count in report.events_missing.items()),
        [month, "information_asked", "", report.information_asked, ""],
        [month, "information_answered", "", report.information_answered, ""],
        [month, "median_hours_to_answer", "", _blank(report.median_hours_to_answer), ""],
    ]
    return rows


def _blank(value: float | None) -> Any:
    return "" if value is None else value


def quality_trend(*, months: list[date]) -> list[tuple[PostalOperator, list[QualityReport]]]:
    """Every active operator's report for each month, side by side (officers only)."""
    reports: dict[int, list[QualityReport]] = defaultdict(list)
    operators = list(PostalOperator.objects.filter(is_active=True).order_by("name"))
    for operator in operators:
        for month in months:
            reports[operator.pk].append(quality_report(operator=operator, month=month))
    return [(operator, reports[operator.pk]) for operator in operators]
