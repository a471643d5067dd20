"""The payment portal in a real browser (Playwright driving Chromium) against a live server."""

import re

import pytest

from clearance.choices import ConsignmentState
from payments.models import Payment, SandboxCharge
from tests.payments.helpers import make_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def find_parcel(page, live_server, consignment, postcode="71000"):
    page.goto(f"{live_server.url}/pay/")
    page.get_by_label("Parcel number").fill(consignment.item_id)
    page.get_by_label("Your postcode").fill(postcode)
    page.get_by_role("button", name="Find my parcel").click()


def fill_card(page, number):
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVC").fill("123")


def test_find_see_the_breakdown_pay_and_download_the_receipt(page, live_server, tmp_path):
    due = make_due()
    assessment = due.assessments.get()
    find_parcel(page, live_server, due)

    assert page.locator("h1").inner_text() == f"Parcel {due.item_id}"
    assert page.locator("#total").inner_text() == f"{assessment.total} BAM"
    assert page.locator("table.breakdown tbody tr").first.inner_text().startswith("Cotton T-shirt")
    assert "Exchange rate:" in page.locator("p.small").inner_text()

    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    assert "Pay" in page.locator("h1").inner_text() and "to customs" in page.locator("h1").inner_text()
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay", exact=True).click()

    page.wait_for_selector("#verification-code")
    payment = Payment.objects.get()
    assert page.locator("#verification-code").inner_text() == payment.verification_code
    assert page.locator("#amount").inner_text() == f"{assessment.total} BAM"
    with page.expect_download() as download_info:
        page.locator("#download-receipt").click()
    pdf = tmp_path / "receipt.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and payment.verification_code.encode() in pdf.read_bytes()
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED


def test_a_declined_card_shows_why_and_charges_nothing(page, live_server):
    due = make_due()
    find_parcel(page, live_server, due)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    fill_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Pay", exact=True).click()

    assert page.locator("#payment-state").inner_text().startswith("Declined")
    assert "Nothing was charged." in page.content()
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE
    page.get_by_role("link", name="Try again").click()
    assert page.locator("#total").is_visible()


def test_a_double_submit_charges_once(page, live_server):
    due = make_due()
    find_parcel(page, live_server, due)
    page.get_by_role("button", name=re.compile(r"^Pay ")).dblclick()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay", exact=True).dblclick()
    page.wait_for_selector("#verification-code")
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert due.decisions.filter(code="RELEASED").count() == 1


def test_a_wrong_postcode_shows_no_parcel_data(page, live_server):
    due = make_due(sender_name="Ningbo Secret Supplies")
    find_parcel(page, live_server, due, postcode="99999")
    assert page.get_by_role("alert").inner_text() == "No parcel matches this number and postcode."
    assert "Ningbo" not in page.content()
