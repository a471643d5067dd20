from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from law import seed


class Command(BaseCommand):
    help = (
        "Load exchange rates from an ECB euro reference-rate file (Date column, then units per EUR) "
        "for every regime; rows already loaded are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        try:
            created = seed.seed_exchange_rates(lambda name: apps.get_model("law", name), file)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{file} is not an ECB reference-rate file: {exc}") from None
        self.stdout.write(f"{created} exchange rates loaded.")
