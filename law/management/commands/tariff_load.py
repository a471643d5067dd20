from datetime import date
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from law.tariff_load import tariff_rows_load


class Command(BaseCommand):
    help = (
        "Load a tariff file (commodity code and EU CET / UK Global Tariff duty columns) as duty rates "
        "of a regime in force from a date; ad valorem, specific and mixed duties."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--regime", required=True, choices=["GB", "EU"])
        parser.add_argument("--effective-from", required=True, type=date.fromisoformat)
        parser.add_argument("--source", default="")

    def handle(self, *args, file: Path, regime: str, effective_from: date, source: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        source = source or f"{file.name}, in force from {effective_from}"
        try:
            with transaction.atomic():
                count = tariff_rows_load(lambda name: apps.get_model("law", name), file, regime, effective_from, source)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{file} is not a tariff file for {regime}: {exc}") from None
        self.stdout.write(f"{count} duty rates loaded for {regime} from {effective_from}.")
