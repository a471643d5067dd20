"""The monthly IOSS report: per IOSS number, the value declared under it, items above the EUR 150 ceiling,
and items whose seller is not the number's holder (a borrowed number); as CSV and XLSX.

Read from the items pre-advised in the month with an IOSS number and their current assessments, which
keep the register's finding of each (payments.assessment: `details["ioss"]`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from openpyxl import Workbook

from law.models import IossRegistration
from payments.models import Assessment

CEILING = Decimal("150")  # EUR: IOSS covers goods of an intrinsic value up to it
COLUMNS = [
    "ioss_number",
    "holder",
    "items",
    "value_declared_eur",
    "items_above_150_eur",
    "items_of_unrelated_sellers",
    "items_unknown_number",
    "items_revoked_number",
    "unrelated_sellers",
]


@dataclass
class NumberLine:
    number: str
    holder: str = ""
    items: int = 0
    value: Decimal = Decimal("0.00")
    above_ceiling: int = 0
    unrelated: int = 0
    unknown: int = 0
    revoked: int = 0
    sellers: set[str] = field(default_factory=set)

    def row(self) -> list[str]:
        return [
            self.number,
            self.holder,
            str(self.items),
            str(self.value),
            str(self.above_ceiling),
            str(self.unrelated),
            str(self.unknown),
            str(self.revoked),
            "; ".join(sorted(self.sellers)),
        ]


@dataclass
class IossReport:
    month: date
    lines: list[NumberLine]

    @property
    def borrowed(self) -> list[NumberLine]:
        return [line for line in self.lines if line.unrelated]


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def ioss_report(*, month: date) -> IossReport:
    """The report of the month starting `month` (its first day), over the items to EUR regimes."""
    first = month.replace(day=1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(_next_month(first), time.min, tzinfo=UTC)
    assessments = (
        Assessment.objects.filter(
            is_current=True,
            currency="EUR",
            consignment__pre_advised_at__gte=start,
            consignment__pre_advised_at__lt=end,
        )
        .exclude(consignment__ioss_number="")
        .select_related("consignment")
        .order_by("consignment__ioss_number", "consignment_id")
    )
    lines: dict[str, NumberLine] = {}
    for assessment in assessments.iterator(chunk_size=2000):
        consignment = assessment.consignment
        number = consignment.ioss_number
        line = lines.setdefault(number, NumberLine(number))
        finding = (assessment.details or {}).get("ioss", {}).get("finding", "")
        line.items += 1
        line.value += assessment.intrinsic_value
        line.above_ceiling += int(assessment.intrinsic_value > CEILING)
        line.unknown += int(finding == "unknown")
        line.revoked += int(finding == "revoked")
        if finding == "unrelated_seller":
            line.unrelated += 1
            line.sellers.add(consignment.sender_name)
    holders = dict(
        IossRegistration.objects.filter(number__in=list(lines), valid_from__lt=_next_month(first))
        .order_by("valid_from")
        .values_list("number", "holder")
    )
    for number, line in lines.items():
        line.holder = holders.get(number, "")
    return IossReport(month=first, lines=list(lines.values()))


def ioss_report_csv(report: IossReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(line.row() for line in report.lines)
    return buffer.getvalue()


def ioss_report_xlsx(report: IossReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"IOSS {report.month:%Y-%m}"
    sheet.append(COLUMNS)
    for line in report.lines:
        row = line.row()
        sheet.append([row[0], row[1], line.items, line.value, *map(int, row[4:8]), row[8]])
    borrowed = book.create_sheet("Unrelated sellers")
    borrowed.append(["ioss_number", "holder", "seller", "items_of_unrelated_sellers"])
    for line in report.borrowed:
        for seller in sorted(line.sellers):
            borrowed.append([line.number, line.holder, seller, line.unrelated])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
