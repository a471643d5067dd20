"""Cases in a real browser: a payer disputes charges in the portal; officers answer from their case queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Assessment, Case
from tests.conftest import ARTIFACTS
from tests.factories import UserFactory
from tests.officer.test_dashboard_browser import PASSWORD, log_in
from tests.payments.helpers import make_due
from tests.payments.test_portal_browser import find_parcel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_payer_disputes_a_charge_and_follows_the_case(page, live_server):
    due = make_due()
    find_parcel(page, live_server, due)
    page.get_by_role("link", name="Dispute a charge").click()

    assert page.locator("h1").inner_text() == "Dispute the charges (before paying)"
    page.get_by_role("button", name="Send to customs").click()  # nothing explained: the browser asks for it
    assert page.locator("#id_reason:invalid").count() == 1
    assert not Case.objects.exists()

    page.get_by_label("What is wrong").select_option("VALUE_WRONG")
    page.get_by_label("Which charge").select_option(label="Cotton T-shirt")
    page.get_by_label("Explain").fill("The seller's invoice says USD 40; I attach it to my e-mail.")
    page.get_by_label("Your e-mail, for the answer").fill("amra@example.ba")
    page.get_by_role("button", name="Send to customs").click()

    page.wait_for_selector("#case-state")
    case = Case.objects.get()
    assert page.locator("#case-state").get_attribute("data-state") == "OPEN"
    assert case.deadline.strftime("%Y-%m-%d") in page.locator("#case-facts").inner_text()
    page.screenshot(path=ARTIFACTS / "portal-case.png", full_page=True)
    page.get_by_role("link", name="Back to the parcel").click()
    assert "Answer due by" in page.locator("#open-case").inner_text()
    assert page.locator("#open-a-case").count() == 0  # one open case at a time


def test_officers_work_the_case_queue_by_deadline_and_uphold_one(page, live_server):
    late, fresh = make_due(), make_due()
    from payments import cases

    overdue = cases.case_open(consignment=late, grounds="VALUE_WRONG", reason="The invoice says USD 340.")
    Case.objects.filter(pk=overdue.pk).update(
        created_at=timezone.now() - timedelta(days=12), deadline=timezone.now() - timedelta(days=2)
    )
    cases.case_open(consignment=fresh, grounds="OTHER", reason="Why so much?")
    officer = UserFactory(role="OFFICER", password=PASSWORD)
    before = Assessment.objects.get(consignment=late, is_current=True).total

    log_in(page, live_server, officer)
    page.get_by_role("link", name="Cases").click()
    rows = page.locator("#cases tbody tr")
    assert rows.count() == 2
    assert late.item_id in rows.nth(0).inner_text() and "overdue" in rows.nth(0).inner_text()
    assert "12" in rows.nth(0).locator("td.num").inner_text()
    page.screenshot(path=ARTIFACTS / "officer-cases.png", full_page=True)

    rows.nth(0).get_by_role("link", name="Dispute of charges still due").click()
    page.get_by_label("Upheld").check()
    page.get_by_label("Line", exact=True).select_option("1")
    page.get_by_label("Corrected value").fill("340.00")
    page.get_by_label("Answer to the payer").fill("The invoice was checked: USD 340.")
    page.get_by_role("button", name="Send the answer").click()
    assert "340.00" in page.locator("#review-facts").inner_text()
    page.locator("#review-send").click()

    page.wait_for_url(f"{live_server.url}/officer/cases/")
    assert page.locator("#cases tbody tr").count() == 1
    overdue.refresh_from_db()
    after = Assessment.objects.get(consignment=late, is_current=True).total
    assert overdue.state == "UPHELD" and after < before
