import os
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from clearance.models import Office, PostalOperator
from config.env import VAR_DIR
from core.choices import Role
from core.models import User
from payments.models import AccountMandate, CollectionAgreement, DeferredAccount, Trader
from postal.services import api_key_issue, operator_create

DEMO_OPERATOR_CODE = "DEMOPOST"
# Demo logins for a local run only; `make run` prints them.
DEMO_ACCOUNTS = [
    ("officer", Role.OFFICER, "officer-demo-pass"),
    ("supervisor", Role.SUPERVISOR, "supervisor-demo-pass"),
    ("supervisor2", Role.SUPERVISOR, "supervisor2-demo-pass"),  # the second pair of eyes
    ("admin", Role.ADMIN, "admin-demo-pass"),
    ("trader", Role.TRADER, "trader-demo-pass"),
]
# The demo trader pays for what the simulator sells through this platform.
DEMO_TRADER_PLATFORM = "globalshop"
# What a demo DDP pre-advice names as its collector.
DEMO_DDP_ACCOUNT = "demo-platform"


class Command(BaseCommand):
    help = "Create the demo office, accounts and postal operator (idempotent) and print the logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, url: str, **options) -> None:
        office, _ = Office.objects.get_or_create(
            code="BASJJA", defaults={"name": "Sarajevo international mail office", "country": "BA"}
        )
        for username, role, password in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role, "office": office})
            if created:
                user.is_staff = role == Role.ADMIN
                user.is_superuser = role == Role.ADMIN
                user.set_password(password)
                user.save()
        self._ensure_operator()
        self._ensure_trader()
        self._ensure_collection()
        self._print(url)

    def _ensure_trader(self) -> None:
        trader, _ = Trader.objects.get_or_create(
            name="Globalshop marketplace", defaults={"platforms": [DEMO_TRADER_PLATFORM]}
        )
        trader.members.add(User.objects.get(username="trader"))

    def _ensure_collection(self) -> None:
        """The other collection models, set up for the demo (docs/regimes.md, "Who pays")."""
        operator = PostalOperator.objects.get(code=DEMO_OPERATOR_CODE)
        CollectionAgreement.objects.get_or_create(
            operator=operator, valid_from=date(2026, 1, 1), defaults={"reference": "Demo collection agreement"}
        )
        account, _ = DeferredAccount.objects.get_or_create(
            code=DEMO_DDP_ACCOUNT,
            defaults={"name": "Demo platform (DDP)", "kind": "PLATFORM", "currency": "BAM", "limit": Decimal("10000")},
        )
        AccountMandate.objects.get_or_create(account=account, operator=operator, platform="", seller="")

    def _ensure_operator(self) -> None:
        key_file = VAR_DIR / "demo-operator.key"
        if PostalOperator.objects.filter(code=DEMO_OPERATOR_CODE).exists() and key_file.exists():
            return
        operator = PostalOperator.objects.filter(code=DEMO_OPERATOR_CODE).first() or operator_create(
            code=DEMO_OPERATOR_CODE, name="Demo Post", country="CN"
        )
        _, raw_key = api_key_issue(operator=operator, name="demo simulator")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(raw_key)
        os.chmod(key_file, 0o600)

    def _print(self, url: str) -> None:
        lines = [
            "",
            f"  Officers:       {url}/officer/",
            f"  Front door:     {url}/",
            f"  Payment portal: {url}/pay/   (traders log in at {url}/pay/login/)",
            f"  Admin:          {url}/admin/",
            f"  Health:         {url}/healthz",
            f"  API docs:       {url}/api/docs/   (schema: {url}/api/schema/)",
            "",
            "  Demo logins (user / password):",
            *[f"    {username:<11} {password}   ({role.label})" for username, role, password in DEMO_ACCOUNTS],
            f"  Demo postal operator {DEMO_OPERATOR_CODE}: API key in var/demo-operator.key",
        ]
        self.stdout.write("\n".join(lines))
