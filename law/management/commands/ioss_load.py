from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from core.models import User
from law.choices import LawChangeKind, LoadMode
from law.export import LawFileError, table_rows_read
from law.models import Regime
from law.services import law_change_propose


class Command(BaseCommand):
    help = (
        "Propose the IOSS register an administration receives (CSV: number, holder, trading_names, member_state, "
        "status ACTIVE or REVOKED, optional valid_from and valid_to) as effective-dated rows of a regime; "
        "a second supervisor approves it in the dashboard (/officer/law/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--regime", default="EU")
        parser.add_argument("--effective-from", required=True, type=date.fromisoformat)
        parser.add_argument("--mode", choices=["complete", "partial"], default="partial")
        parser.add_argument("--author", required=True, help="username of the supervisor who proposes it")

    def handle(self, *args, file: Path, regime: str, effective_from: date, mode: str, author: str, **options):
        user = User.objects.filter(username=author).first()
        if user is None or not file.is_file():
            raise CommandError(f"No user {author!r}." if user is None else f"{file} is not a file")
        try:
            entries = table_rows_read(table_name="IossRegistration", text=file.read_text(encoding="utf-8"))
            change = law_change_propose(
                author=user,
                kind=LawChangeKind.IOSS_REGISTER,
                regime=Regime.objects.get(code=regime),
                effective_from=effective_from,
                entries=entries,
                summary=f"IOSS register {file.name}",
                mode=LoadMode.COMPLETE if mode == "complete" else LoadMode.PARTIAL,
                file_name=file.name,
            )
        except LawFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        except (ApplicationError, UnicodeDecodeError, Regime.DoesNotExist) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        counts = change.preview["counts"]
        self.stdout.write(
            f"Proposal {change.pk}: {counts['added']} added, {counts['changed']} changed, {counts['ended']} ended."
        )
