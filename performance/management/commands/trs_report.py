"""manage.py trs_report --from 2026-10-01 --to 2026-10-31 --output report.pdf (or .html)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from performance import indicators as performance
from performance import reports, summaries
from performance.trs import BREAKDOWNS


class Command(BaseCommand):
    help = "Write the Time Release Study of a period as PDF or HTML (by the output's extension)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="start", required=True, type=date.fromisoformat, help="First day, YYYY-MM-DD"
        )
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat, help="Last day, YYYY-MM-DD")
        parser.add_argument("--output", required=True, type=Path, help="report.pdf or report.html")
        parser.add_argument("--breakdown", default="lane", choices=BREAKDOWNS)
        parser.add_argument("--refresh", action="store_true", help="Rebuild the period's daily summaries first")

    def handle(self, *args, start: date, end: date, output: Path, breakdown: str, refresh: bool, **options):
        if start > end:
            raise CommandError("--from must not be after --to.")
        if output.suffix.lower() not in {".pdf", ".html", ".htm"}:
            raise CommandError("--output must end in .pdf or .html.")
        if refresh:
            summaries.trs_days_refresh(start=start, end=end)
        result = performance.trs_for_period(start=start, end=end, breakdown=breakdown)
        indicators = performance.indicators_for_period(start=start, end=end)
        if output.suffix.lower() == ".pdf":
            output.write_bytes(reports.trs_report_pdf(result, indicators))
        else:
            output.write_text(reports.trs_report_html(result, indicators), encoding="utf-8")
        self.stdout.write(f"{output}: {result.overall.items} items, {start} – {end}")
