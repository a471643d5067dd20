"""In a real browser (Playwright driving Chromium): the addressee answers customs in French with a PDF; an agency
user works the agency's queue and decides."""

from decimal import Decimal

import pytest

from agencies.models import Agency, AgencyMember, AnswerDocument, Referral
from clearance.choices import ConsignmentState, Lane
from officer.services import officer_refer, officer_request_info
from payments.services import access_token_for
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_the_addressee_answers_in_french_with_a_pdf(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    consignment = ConsignmentFactory(
        state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"), addressee_country="FR"
    )
    officer_request_info(
        consignment=consignment,
        officer=UserFactory(role="OFFICER"),
        question="Envoyez la facture, s'il vous plaît.",
        needed=["INVOICE"],
        days=7,
        outcome="RETURN",
    )
    invoice = tmp_path / "facture.pdf"
    invoice.write_bytes(PDF)
    page.set_extra_http_headers({"Accept-Language": "fr"})

    page.goto(f"{live_server.url}/pay/i/{access_token_for(consignment)}/")
    page.locator("#answer-customs").click()
    assert "La douane demande" in page.locator("#open-request").inner_text()
    assert "La facture ou la confirmation de commande" in page.locator("#needed").inner_text()
    page.get_by_label("Votre réponse").fill("La facture est jointe.")
    page.locator("#documents").set_input_files(str(invoice))
    page.locator("#send-answer").click()

    page.wait_for_selector("#no-open-request")
    assert "La douane n'attend pas de réponse" in page.locator("#no-open-request").inner_text()
    assert "facture.pdf" in page.locator("section.answered").inner_text()
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.HELD
    assert AnswerDocument.objects.get().content_type == "application/pdf"


def test_an_agency_user_works_the_queue_and_refuses_goods(page, live_server):
    agency = Agency.objects.create(code="environment", name="Environment agency", kind="ENVIRONMENT")
    user = UserFactory(role="AGENCY", username="env1", password="correct-horse-battery")
    AgencyMember.objects.create(user=user, agency=agency)
    consignment = ConsignmentFactory(
        state=ConsignmentState.HELD,
        lane=Lane.RED,
        risk_score=Decimal("0.9"),
        lines=[{"description": "Python skin handbag", "hs_code": "420221"}],
    )
    officer_refer(consignment=consignment, officer=UserFactory(role="OFFICER"), agency=agency, reason="CITES")

    page.goto(f"{live_server.url}/agency/login/")
    page.get_by_label("Username").fill("env1")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/agency/")
    page.get_by_role("link", name=consignment.item_id).click()
    assert page.locator("#referral-reason").inner_text() == "CITES"
    page.get_by_label("Refuse entry").check()
    page.get_by_label("Reason (customs and the operator read it)").fill("No CITES permit for this species")
    page.locator("#send-decision").click()

    page.wait_for_url(f"{live_server.url}/agency/")
    assert "Your decision was sent to customs." in page.locator("ul.messages").inner_text()
    assert "Refuse entry" in page.locator("#decided").inner_text()
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.HELD
    assert Referral.objects.get().decision == "REFUSE"
