"""manage.py consignment_partitions [--ahead N] [--month 2026-10 …]: make and list the item table's partitions."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clearance import partitions


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError as error:
        raise CommandError(f"--month takes a month as YYYY-MM, not {text!r}.") from error


class Command(BaseCommand):
    help = (
        "Make the item table's monthly partitions (this month and the next N, and any month named) "
        "and list them with their estimated rows. Beat makes the coming months daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=None, help="Make this month's and the next N months'.")
        parser.add_argument("--month", action="append", default=[], type=_month, help="A month to make, YYYY-MM.")

    def handle(self, *args, ahead: int | None, month: list[date], **options):
        made = partitions.partitions_ensure(partitions.month_number(m) for m in month)
        if ahead is not None:
            if ahead < 0:
                raise CommandError("--ahead must not be negative.")
            made += partitions.partitions_ensure_ahead(today=timezone.now().date(), months=ahead)
        for name in made:
            self.stdout.write(f"made {name}")
        for partition in partitions.partitions_list():
            label = f"{partition.month:%Y-%m}" if partition.month else "before partitioning"
            self.stdout.write(f"{partition.name}\t{label}\t~{partition.rows} rows")
