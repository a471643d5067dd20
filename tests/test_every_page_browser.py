"""Every kind of page, in English and in French, as a new user meets it in Chromium.

Screenshots of each page in each language go to test-artifacts/pages/. Each
page must answer 200, show no untranslated English in French (a few known
words aside), and draw its charts with coordinates that survive a locale.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState, Lane
from payments import cases
from payments.services import access_token_for
from performance.summaries import trs_days_refresh
from tests.conftest import ARTIFACTS
from tests.factories import ConsignmentFactory, UserFactory
from tests.officer.test_dashboard_browser import PASSWORD, held, log_in
from tests.payments.helpers import make_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ARTIFACTS / "pages"
# English words a French page may show: names, codes and what the data itself says.
FRENCH_ALLOWED = re.compile(r"\b(OpenClear|English|Cotton|T-shirt|Shenzhen|Trading|Co|Keji|Rd|Sarajevo)\b")
ENGLISH_TELLTALES = re.compile(
    r"\b(Release|Queue|Items|Charges|Parcel|Status|Back|Search|Download|Revenue|Cases|Total to pay|Log out|"
    r"Find my parcel|Check a receipt|Nothing is to be paid|Indicators|Simulator|Release times)\b"
)


@pytest.fixture
def world():
    """A little of everything: items in the queue, one due, one paid with a case, summaries built."""
    supervisor = UserFactory(role="SUPERVISOR", username="sup", password=PASSWORD)
    trader_user = UserFactory(role="TRADER", username="trader1", password=PASSWORD)
    queued = held("0.8700", lane=Lane.RED, lines=[{"description": "9mm pistol", "hs_code": "930200"}])
    due = make_due(addressee_email="amra@example.ba")
    case = cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="The invoice says USD 40.")
    ConsignmentFactory(state=ConsignmentState.RELEASED, lane=Lane.GREEN, arrived_at=timezone.now())
    today = timezone.now().date()
    trs_days_refresh(start=today - timedelta(days=7), end=today)
    from payments.models import Trader

    trader = Trader.objects.create(name="Alpha Trading", sender_emails=["sales@alpha.example"])
    trader.members.add(trader_user)
    return {"supervisor": supervisor, "trader": trader_user, "queued": queued, "due": due, "case": case}


def _pages(world, live_server):
    base = live_server.url
    due = world["due"]
    return {
        "officer": [
            ("queue", f"{base}/officer/"),
            ("item", f"{base}/officer/items/{world['queued'].pk}/"),
            ("cases", f"{base}/officer/cases/"),
            ("case", f"{base}/officer/cases/{world['case'].pk}/"),
            ("revenue", f"{base}/officer/revenue/"),
            ("seizures", f"{base}/officer/seizures/"),
            ("rules", f"{base}/officer/rules/"),
            ("models", f"{base}/officer/models/"),
            ("search", f"{base}/officer/search/?q={due.item_id}"),
            ("trs", f"{base}/officer/performance/trs/"),
            ("indicators", f"{base}/officer/performance/indicators/"),
            ("simulator", f"{base}/officer/performance/simulator/"),
        ],
        "public": [
            ("home", f"{base}/"),
            ("lookup", f"{base}/pay/"),
            ("parcel", f"{base}/pay/i/{access_token_for(due)}/"),
            ("case-form", f"{base}/pay/i/{access_token_for(due)}/case"),
            ("payer-case", f"{base}/pay/cases/{cases.case_token(world['case'])}/"),
            ("verify", f"{base}/pay/verify/"),
            ("trader-login", f"{base}/pay/login/"),
            ("officer-login", f"{base}/officer/login/"),
        ],
    }


def _set_language(page, base, language):
    page.goto(f"{base}/pay/")
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.locator("#language-switch").click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_answers_in_its_language_with_readable_charts(page, live_server, world, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = _pages(world, live_server)
    _set_language(page, live_server.url, language)
    for name, url in pages["public"]:
        _visit(page, url, name, language)
    log_in(page, live_server, world["supervisor"]) if language == "en" else _log_in_french(page, live_server, world)
    for name, url in pages["officer"]:
        _visit(page, url, name, language)
        for svg in page.locator("svg").all():
            markup = svg.inner_html()
            # A coordinate printed "16,0" breaks the drawing: never a comma inside a number attribute.
            assert not re.search(r'\b(x|y|width|height|x1|x2|y1|y2)="[^"]*,', markup), (name, markup[:200])


def _log_in_french(page, live_server, world):
    page.goto(f"{live_server.url}/officer/login/")
    page.locator("input[name=username]").fill(world["supervisor"].username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/officer/")


def _visit(page, url, name, language):
    response = page.goto(url)
    assert response.status == 200, (name, response.status)
    assert page.locator("html").get_attribute("lang") == language
    page.screenshot(path=SHOTS / f"{name}-{language}.png", full_page=True)
    if language == "fr":
        text = FRENCH_ALLOWED.sub("", page.locator("main").inner_text() + page.locator("header").inner_text())
        leftover = ENGLISH_TELLTALES.findall(text)
        assert not leftover, (name, leftover)


def test_the_front_door_sends_each_user_to_their_place(page, live_server):
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200
    doors = {a.get_attribute("id"): a.get_attribute("href") for a in page.locator("#doors a").all()}
    assert doors == {
        "door-officer": "/officer/",
        "door-payer": "/pay/",
        "door-trader": "/pay/login/",
        "door-api": "/api/docs/",
        "door-verify": "/pay/verify/",
        "door-admin": "/admin/",
    }
    assert page.locator("link[rel=icon]").get_attribute("href").endswith("favicon.svg")
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200


def test_the_parcel_page_fits_a_phone_and_never_shows_the_addressees_e_mail(browser, live_server):
    due = make_due(addressee_email="amra@example.ba")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/pay/i/{access_token_for(due)}/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # the breakdown scrolls inside its box; the page itself does not
    assert phone.locator("#email").input_value() == ""
    assert "amra@example.ba" not in phone.content()
    phone.screenshot(path=ARTIFACTS / "parcel-phone.png", full_page=True)
    context.close()


def test_a_trader_sees_the_total_of_what_they_select_before_paying(page, live_server):
    from payments.models import Trader

    user = UserFactory(role="TRADER", username="alpha", password=PASSWORD)
    trader = Trader.objects.create(name="Alpha", sender_emails=["sales@alpha.example"])
    trader.members.add(user)
    first = make_due(sender_email="sales@alpha.example", total_value=Decimal("400.00"))
    second = make_due(sender_email="sales@alpha.example", total_value=Decimal("500.00"))
    totals = {c.pk: c.assessments.get(is_current=True).total for c in (first, second)}
    page.goto(f"{live_server.url}/pay/login/")
    page.locator("input[name=username]").fill("alpha")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/pay/trader/")

    assert page.locator("input[name=items]:checked").count() == 0
    assert page.locator("#pay-selected").is_disabled()
    page.locator(f"#item-{first.pk}").check()
    page.locator(f"#item-{second.pk}").check()
    expected = f"{totals[first.pk] + totals[second.pk]:,.2f} BAM"
    assert page.locator("#selection-total").inner_text() == f"Selected: 2 parcel(s), to pay {expected}"
    assert page.locator("#pay-selected").is_enabled()


def test_a_case_answered_is_followed_on_its_page_not_opened_again(client):
    due = make_due()
    case = cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="Too much.")
    cases.case_reject(case=case, officer=UserFactory(role="OFFICER"), resolution="The value stands.")
    page = client.get(f"/pay/i/{access_token_for(due)}/").content.decode()
    assert 'id="open-a-case"' not in page
    assert f"/pay/cases/{cases.case_token(case)}/" in page
