from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.permits import COLUMNS, permits_load


class Command(BaseCommand):
    help = (
        "Load a permit register (CSV columns: " + ", ".join(COLUMNS) + "; kind CITES, MEDICINE, DUAL_USE or "
        "BASEL; hs_codes separated by |; dates YYYY-MM-DD). Good rows are kept; each bad row is reported by its "
        "line and the command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        result = permits_load(text=file.read_text(encoding="utf-8"), source=file.name)
        self.stdout.write(f"{file.name}: {result.created} permits added, {result.updated} updated.")
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} rows not loaded (the others are).", returncode=1)
