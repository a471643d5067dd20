import re

import pytest

from core.actors import Actor
from tests.factories import ConsignmentFactory, PostalOperatorFactory, UserFactory


@pytest.fixture
def operator(db):
    return PostalOperatorFactory()


@pytest.fixture
def officer(db):
    return UserFactory(role="OFFICER")


@pytest.fixture
def officer_actor(officer):
    return Actor.for_user(officer)


@pytest.fixture
def consignment(operator):
    return ConsignmentFactory(operator=operator)


@pytest.fixture
def api_key(operator):
    from postal.services import api_key_issue

    _, raw_key = api_key_issue(operator=operator)
    return raw_key


@pytest.fixture
def operator_client(api_key):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


@pytest.fixture
def other_operator_client(db):
    from rest_framework.test import APIClient

    from postal.services import api_key_issue

    _, raw_key = api_key_issue(operator=PostalOperatorFactory(code="OTHER"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def _ensure_regulatory_data() -> None:
    from django.apps import apps

    from law import seed
    from law.models import Regime

    def get_model(name):
        return apps.get_model("law", name)

    if not Regime.objects.exists():
        seed.seed_regimes(get_model)
        seed.seed_exchange_rates(get_model)
    from risk.catalogue import catalogue_seed
    from risk.models import Rule

    if not Rule.objects.exclude(created_by=None).exists():  # the shipped goods catalogue, as the migration seeds it
        catalogue_seed(Rule)
    from decimal import Decimal

    from payments.models import MoneyApprovalThreshold

    # The four-eyes threshold the migration seeds.
    MoneyApprovalThreshold.objects.get_or_create(
        currency="", defaults={"amount": Decimal("100.00"), "share": Decimal("0.5")}
    )


@pytest.fixture(scope="session", autouse=True)
def regulatory_data_committed(request, django_db_blocker):
    """The seeded duty law and exchange rates, present in the test database.

    The data migration seeds them; a reused test database may have been
    emptied by the transactional tests of an earlier run. A session whose
    tests use no database (one such file run alone) sets none up.
    """
    if not any(_uses_database(item) for item in request.session.items):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        _ensure_regulatory_data()
        _ensure_tariffs()


def _ensure_tariffs() -> None:
    """The shipped tariff, once per session (a reused database emptied by transactional tests lacks it).

    Not reloaded after each transactional test's flush: tests that need it after one load it themselves.
    """
    from django.apps import apps

    from law import seed
    from law.models import DutyRate

    if not DutyRate.objects.exclude(rate_text="").exists():
        seed.seed_tariffs(lambda name: apps.get_model("law", name))


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in getattr(item, "fixturenames", ())


@pytest.fixture(autouse=True)
def regulatory_data_after_flush(request):
    """A transactional test empties every table when it ends: the next one seeds again.

    pytest-django runs transactional tests after the others, so this costs
    one seeding per transactional test only.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        _ensure_regulatory_data()


# --- A real browser: Playwright driving Debian's Chromium ----------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does this as root)")
    # Playwright's sync API keeps an event loop running in this thread until
    # the session ends; Django refuses ORM calls (the tests' own, and the
    # flush after each transactional test) from such a thread unless told it
    # is safe, which it is: the test thread serves no async requests.
    # Subprocesses that run deployment checks drop the variable (tests.processes.clean_env).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(autouse=True)
def english_after_each_test():
    """LocaleMiddleware leaves the language of the last request active in the thread; reset it."""
    yield
    from django.utils import translation

    translation.activate("en")


ITEM_DECISION = re.compile(
    r"^/officer/items/(\d+)/(release|request_info|inspect|propose_seizure|return|refer|correct)$"
)


@pytest.fixture(autouse=True)
def decision_forms_carry_the_pages_stamp(request, monkeypatch):
    """A decision form posted by a test carries the stamp its page would carry (the item as it is now), unless
    the test gives its own or is marked without_stamp; the officer's views refuse a decision without one."""
    if request.node.get_closest_marker("without_stamp"):
        return
    from django.test import Client

    post = Client.post

    def post_with_stamp(self, path, data=None, *args, **kwargs):
        match = ITEM_DECISION.match(path)
        if match and (data is None or isinstance(data, dict)) and "seen" not in (data or {}):
            from clearance.models import Consignment
            from officer.selectors import decision_stamp

            consignment = Consignment.objects.filter(pk=int(match[1])).first()
            if consignment is not None:
                data = {**(data or {}), "seen": decision_stamp(consignment)}
        return post(self, path, data, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post_with_stamp)
