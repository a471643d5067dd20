from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from postal.services import api_key_issue, operator_create


class Command(BaseCommand):
    help = "Create a postal operator and print a new API key (shown once, stored hashed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The operator's name, e.g. 'BH Pošta'")
        parser.add_argument("--code", help="Short code (default: from the name)")
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2 country of the operator")

    def handle(self, *args, name: str, code: str | None, country: str, **options) -> None:
        code = code or slugify(name).upper()[:32]
        try:
            operator = operator_create(code=code, name=name, country=country)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        _, raw_key = api_key_issue(operator=operator)
        self.stdout.write(f"Created operator {operator.code} ({operator.name}).")
        self.stdout.write("API key (shown once, store it now):")
        self.stdout.write(raw_key)
