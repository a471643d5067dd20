from datetime import date
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from law import seed
from law.fx import read_rate_file


class Command(BaseCommand):
    help = (
        "Load exchange rates for every regime from an ECB euro reference-rate file (Date, then units per EUR "
        "by currency code) or a US Federal Reserve H.10 file (Date, Country, Exchange rate: units per USD); "
        "rows already loaded are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--since", type=date.fromisoformat, help="leave out rates published before this day")

    def handle(self, *args, file: Path, since: date | None, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        try:
            rates = read_rate_file(file.read_text(encoding="utf-8"), since=since)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        if not rates.rates:
            raise CommandError(f"{file} has no rate{' since ' + since.isoformat() if since else ''}.")
        created = seed.exchange_rates_load(lambda name: apps.get_model("law", name), rates)
        days = sorted(rates.rates)
        self.stdout.write(
            f"{rates.format} file, {len(days)} publications from {days[0]} to {days[-1]}: "
            f"{created} exchange rates loaded."
        )
