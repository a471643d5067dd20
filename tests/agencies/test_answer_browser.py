"""The addressee answers customs in French in a real browser (Playwright driving Chromium), with a PDF."""

from decimal import Decimal

import pytest

from agencies.models import AnswerDocument
from clearance.choices import ConsignmentState, Lane
from officer.services import officer_request_info
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
