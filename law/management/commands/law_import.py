from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from core.models import User
from law.services import law_file_propose


class Command(BaseCommand):
    help = (
        "Propose the rows of a law file (the format law_export writes) as changes of the law, one per regime; "
        "a second supervisor approves them in the dashboard (/officer/law/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--author", required=True, help="username of the supervisor who proposes it")

    def handle(self, *args, file: Path, author: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        user = User.objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"No user {author!r}.")
        try:
            proposed = law_file_propose(author=user, text=file.read_text(encoding="utf-8"), file_name=file.name)
        except (ApplicationError, UnicodeDecodeError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        for change in proposed:
            counts = change.preview["counts"]
            self.stdout.write(
                f"Proposal {change.pk} ({change.regime.code}): {counts['added']} added, {counts['changed']} changed, "
                f"{counts['ended']} ended, {counts['unchanged']} unchanged."
            )
