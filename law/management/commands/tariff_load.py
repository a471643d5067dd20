from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from core.models import User
from law.choices import LoadMode
from law.models import Regime
from law.services import tariff_load_propose


class Command(BaseCommand):
    help = (
        "Propose a tariff file (commodity code and EU CET / UK Global Tariff duty columns) as the duty rates "
        "of a regime from a date. Nothing changes until a second supervisor approves it in the dashboard "
        "(/officer/law/); unreadable rows are listed by line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--regime", required=True, choices=["GB", "EU"])
        parser.add_argument("--effective-from", required=True, type=date.fromisoformat)
        parser.add_argument(
            "--mode",
            required=True,
            choices=["complete", "partial"],
            help="complete: the file replaces the regime's tariff; partial: only the codes in the file change",
        )
        parser.add_argument("--author", required=True, help="username of the supervisor who proposes it")
        parser.add_argument("--source", default="")

    def handle(self, *args, file: Path, regime: str, effective_from: date, mode: str, author: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        user = User.objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"No user {author!r}.")
        try:
            change = tariff_load_propose(
                author=user,
                regime=Regime.objects.get(code=regime),
                effective_from=effective_from,
                text=file.read_text(encoding="utf-8"),
                mode=LoadMode.COMPLETE if mode == "complete" else LoadMode.PARTIAL,
                source=options["source"],
                file_name=file.name,
            )
        except (ApplicationError, UnicodeDecodeError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        counts = change.preview["counts"]
        self.stdout.write(
            f"Proposal {change.pk}: {counts['added']} added, {counts['changed']} changed, {counts['ended']} ended, "
            f"{counts['unchanged']} unchanged; it waits for a second supervisor."
        )
        for row in change.unreadable:
            self.stdout.write(f"  line {row['line']} ({row['code']}): {row['text']!r}: {row['message']}")
