"""Officers' forms in a real browser, in English and in French.

A refused form comes back with what was typed and chosen (never a default
decision); amounts are read as the officer's language writes them ("25,50" in
French); a form that changes money or a decision shows what it will send
before it is sent; upholding a case with a corrected value keeps the line's
HS code.
"""

from decimal import Decimal

import pytest
from django.utils import translation

from clearance.choices import ConsignmentState, Lane
from clearance.models import ContentLine
from core.templatetags.openclear import money
from payments import cases
from payments.models import Assessment, Case
from risk.models import InspectionOutcome
from tests.conftest import ARTIFACTS
from tests.factories import UserFactory
from tests.officer.test_dashboard_browser import PASSWORD, held
from tests.payments.helpers import make_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each language writes: the amount typed, a wrong one, and words of the error and the summary.
WRITTEN = {
    "en": {"amount": "25.50", "shown": "25.50", "large": "1,234.50", "wrong": "25,5x", "error": "must be an amount"},
    "fr": {"amount": "25,50", "shown": "25,50", "large": "1 234,50", "wrong": "25,5x", "error": "doit être un montant"},
}


@pytest.fixture(params=["en", "fr"])
def language(request):
    return request.param


@pytest.fixture
def officer_page(browser, live_server, language, request):
    """A logged-in officer's page whose browser asks for the language (Accept-Language)."""
    context = browser.new_context(locale=language, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    officer = UserFactory(role="OFFICER", password=PASSWORD)
    page.goto(f"{live_server.url}/officer/login/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#id_username").fill(officer.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/officer/")
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def money_in(language: str, amount: Decimal, currency: str = "BAM") -> str:
    with translation.override(language):
        return money(amount, currency)


def review_and_send(page) -> str:
    """The summary the form shows before it is sent; sends it."""
    dialog = page.locator("#review-dialog")
    dialog.wait_for(state="visible")
    summary = page.locator("#review-facts").inner_text()
    with page.expect_navigation():
        page.locator("#review-send").click()
    return summary


def error_text(page) -> str:
    return page.locator(".messages .error").inner_text()


def test_the_inspection_form_keeps_the_outcome_and_the_duty_and_charges_it(officer_page, live_server, language):
    page, words = officer_page, WRITTEN[language]
    item = held("0.8000", lane=Lane.RED)
    before = Assessment.objects.get(consignment=item, is_current=True).total
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    assert page.locator("input[name=irregularity_found]:checked").count() == 0  # no decision chosen for the officer

    page.locator("#irregular").check()
    page.locator("#kind").select_option("UNDERVALUATION")
    page.locator("#additional_duty").fill(words["wrong"])
    page.locator("#notes").fill("Invoice in the parcel says USD 95")
    page.locator("#record-outcome").click()
    review_and_send(page)

    assert words["error"] in error_text(page)
    assert page.locator("#irregular").is_checked() and not page.locator("#in-order").is_checked()
    assert page.locator("#kind").input_value() == "UNDERVALUATION"
    assert page.locator("#additional_duty").input_value() == words["wrong"]
    assert page.locator("#notes").input_value() == "Invoice in the parcel says USD 95"
    assert not InspectionOutcome.objects.filter(consignment=item).exists()

    page.locator("#additional_duty").fill(words["amount"])
    page.locator("#record-outcome").click()
    summary = review_and_send(page)
    assert f"{words['shown']} BAM" in summary and "Invoice in the parcel" in summary

    outcome = InspectionOutcome.objects.get(consignment=item)
    assert (outcome.irregularity_found, outcome.additional_duty) == (True, Decimal("25.50"))
    charged = Assessment.objects.get(consignment=item, is_current=True)
    assert charged.total == before + Decimal("25.50")
    assert money_in(language, charged.total) in page.locator("#release-summary").inner_text()  # what Release asks

    page.locator("#release-reason").fill("Duty found at inspection charged")
    page.locator("#release").click()
    page.wait_for_url(f"{live_server.url}/officer/")
    item.refresh_from_db()
    assert item.state == ConsignmentState.CHARGES_DUE
    assert item.decisions.order_by("-sequence").first().charges["total"] == str(charged.total)


def test_the_correction_form_keeps_the_line_and_reads_the_officers_amount(officer_page, live_server, language):
    page, words = officer_page, WRITTEN[language]
    item = held("0.5000", lines=[{"description": "Cotton T-shirt", "value": Decimal("20.00")}, {"description": "Mug"}])
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    page.locator("details:has(#correct-form) > summary").click()
    page.locator("#position").select_option("2")
    assert page.locator("#hs_code").input_value() == "610910"  # the chosen line's own code and value
    page.locator("#hs_code").fill("420222")
    page.locator("#value").fill(words["wrong"])
    page.locator("#correct-reason").fill("Invoice seen")
    page.locator("#correct-form button[type=submit]").click()
    review_and_send(page)

    assert words["error"] in error_text(page)
    assert page.locator("#correct-form").is_visible()
    assert page.locator("#position").input_value() == "2"
    assert (page.locator("#hs_code").input_value(), page.locator("#value").input_value()) == ("420222", words["wrong"])
    assert page.locator("#correct-reason").input_value() == "Invoice seen"

    page.locator("#value").fill(words["large"])
    page.locator("#correct-form button[type=submit]").click()
    summary = review_and_send(page)
    assert "420222" in summary and words["large"] in summary
    line = ContentLine.objects.get(consignment=item, position=2)
    assert (line.hs_code, line.value) == ("420222", Decimal("1234.50"))


def test_a_case_answer_keeps_the_decision_and_upholding_a_value_keeps_the_hs_code(officer_page, live_server, language):
    page, words = officer_page, WRITTEN[language]
    due = make_due()
    case = cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="The invoice says less.")  # "all of it"
    before = Assessment.objects.get(consignment=due, is_current=True).total
    page.goto(f"{live_server.url}/officer/cases/{case.pk}/")
    assert page.locator("input[name=upheld]:checked").count() == 0

    page.locator("#uphold").check()
    page.locator("#id_position").select_option("1")
    assert page.locator("#id_hs_code").input_value() == "610910"  # filled from the chosen line
    page.locator("#id_hs_code").fill("")  # left empty: the line keeps its code
    page.locator("#id_value").fill(words["wrong"])
    page.locator("#id_resolution").fill("The invoice was checked.")
    page.locator("#answer-case").click()
    review_and_send(page)

    assert words["error"] in error_text(page)
    assert page.locator("#uphold").is_checked() and not page.locator("#reject").is_checked()
    assert page.locator("#id_position").input_value() == "1"
    assert page.locator("#id_value").input_value() == words["wrong"]
    assert page.locator("#id_resolution").input_value() == "The invoice was checked."
    assert Case.objects.get(pk=case.pk).state == "OPEN"

    # A correction small enough for one officer (a larger one waits for a second officer's approval).
    page.locator("#id_value").fill("340.00" if language == "en" else "340,00")
    page.locator("#answer-case").click()
    summary = review_and_send(page)
    assert "The invoice was checked." in summary
    page.wait_for_url(f"{live_server.url}/officer/cases/")

    case.refresh_from_db()
    line = ContentLine.objects.get(consignment=due, position=1)
    assert case.state == "UPHELD"
    assert line.hs_code == "610910" and line.value == Decimal("340.00")
    assert Assessment.objects.get(consignment=due, is_current=True).total < before
