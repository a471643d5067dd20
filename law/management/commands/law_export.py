import sys
from datetime import date

from django.core.management.base import BaseCommand

from law.export import law_rows_export


class Command(BaseCommand):
    help = "Write the law in force on a date (every table, or some regimes) as one CSV, read back by law_import."

    def add_arguments(self, parser):
        parser.add_argument("--on", required=True, type=date.fromisoformat)
        parser.add_argument("--regime", action="append", help="a regime's code; repeat for several (default: all)")
        parser.add_argument("--output", default="-", help="a file; '-' for standard output")

    def handle(self, *args, on: date, regime: list[str] | None, output: str, **options):
        if output == "-":
            law_rows_export(on=on, out=sys.stdout, regimes=regime)
            return
        with open(output, "w", newline="", encoding="utf-8") as out:
            count = law_rows_export(on=on, out=out, regimes=regime)
        self.stdout.write(f"{count} rows of law in force on {on} written to {output}.")
