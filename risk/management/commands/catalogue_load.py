from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from core.models import User
from risk.services import catalogue_import


class Command(BaseCommand):
    help = (
        "Propose the rows of a goods catalogue CSV (the format of risk/data/goods_catalogue.csv) that differ "
        "from the rules in force; a second supervisor approves them on the rules page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--author", required=True, help="Username of the supervisor proposing the rows")

    def handle(self, *args, file: Path, author: str, **options) -> None:
        user = User.objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"No user {author!r}.")
        try:
            result = catalogue_import(author=user, text=file.read_text(encoding="utf-8-sig"))
        except ApplicationError as exc:  # not a supervisor, or not a catalogue
            raise CommandError(exc.message) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        for error in result["errors"]:
            self.stderr.write(f"line {error['line']} {error['code']}: {error['message']}")
        self.stdout.write(
            f"{len(result['proposed'])} rule(s) proposed, {result['unchanged']} unchanged, "
            f"{len(result['errors'])} row(s) refused."
        )
