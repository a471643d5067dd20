import sys
from datetime import date

from django.apps import apps
from django.core.management.base import BaseCommand

from law.tariff_load import tariff_rows_export


class Command(BaseCommand):
    help = "Write the tariff of a regime in force on a date in the tariff file's own format (read by tariff_load)."

    def add_arguments(self, parser):
        parser.add_argument("--regime", required=True, choices=["GB", "EU"])
        parser.add_argument("--on", required=True, type=date.fromisoformat)
        parser.add_argument("--output", default="-", help="a file; '-' for standard output")

    def handle(self, *args, regime: str, on: date, output: str, **options):
        def get_model(name):
            return apps.get_model("law", name)

        if output == "-":
            tariff_rows_export(get_model, regime, on, sys.stdout)
            return
        with open(output, "w", newline="", encoding="utf-8") as out:
            count = tariff_rows_export(get_model, regime, on, out)
        self.stdout.write(f"{count} duty rates written to {output}.")
