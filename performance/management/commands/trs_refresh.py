"""manage.py trs_refresh --from 2026-10-01 --to 2026-10-31: rebuild the daily TRS summaries."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from performance import summaries


class Command(BaseCommand):
    help = "Rebuild the Time Release Study summaries of a period (the beat task keeps recent days fresh)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat)

    def handle(self, *args, start: date, end: date, **options):
        if start > end:
            raise CommandError("--from must not be after --to.")
        began = time.perf_counter()
        days = summaries.trs_days_refresh(start=start, end=end)
        self.stdout.write(f"{days} days rebuilt in {time.perf_counter() - began:.1f} s")
