"""Requests for information answered: by the addressee on the portal, by the operator through the API,
with documents checked by their content; one reminder before the deadline, then the outcome set when asking."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.documents import documents_check
from agencies.models import AnswerDocument, InformationTerms
from agencies.notifications import information_mail_send
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, Decision, InformationRequest
from core.exceptions import ApplicationError
from core.models import AuditEntry
from officer.services import officer_request_info
from officer.tasks import information_deadlines_apply
from payments.assessment import consignments_assess_charges
from payments.services import access_token_for, consignment_id_from_token
from tests.factories import ConsignmentFactory, UserFactory, image_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def pdf(name: str = "invoice.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def asked(officer, *, outcome: str = "RETURN", note: str = "", days: int = 7, **fields) -> InformationRequest:
    fields = {"addressee_email": "amra@example.ba", **fields}
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"), **fields)
    consignments_assess_charges(consignment_ids=[consignment.pk])
    return officer_request_info(
        consignment=consignment,
        officer=officer,
        question="Send the invoice of the shoes, please.",
        needed=["INVOICE", "PAYMENT_PROOF"],
        days=days,
        outcome=outcome,
        outcome_note=note,
    )


def state_of(request: InformationRequest) -> str:
    return Consignment.objects.values_list("state", flat=True).get(pk=request.consignment_id)


# --- The addressee on the portal ----------------------------------------------------------------------


def test_the_addressee_answers_with_a_pdf_and_the_officer_finds_it_on_the_item_page(client, officer):
    request = asked(officer)
    token = access_token_for(request.consignment)
    item_page = client.get(f"/pay/i/{token}/").content.decode()
    assert f"/pay/i/{token}/answer" in item_page
    page = client.get(f"/pay/i/{token}/answer").content.decode()
    assert "Send the invoice of the shoes, please." in page and "Proof of payment" in page

    response = client.post(
        f"/pay/i/{token}/answer", {"answer": "The invoice is attached.", "documents": [pdf("../../etc/inv.pdf")]}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert state_of(request) == ConsignmentState.HELD
    assert (request.answer, request.terms.answered_by) == ("The invoice is attached.", "ADDRESSEE")
    document = AnswerDocument.objects.get(request=request)
    assert document.file.name.startswith("private/answers/") and document.file.name.endswith(".pdf")
    assert "inv" not in document.file.name and document.original_name == "inv.pdf"
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    assert AuditEntry.objects.filter(target_id=request.consignment_id, action="agencies.information_request.answered")
    assert AuditEntry.objects.filter(target_id=request.consignment_id, action="clearance.consignment.info_answered")

    client.force_login(officer)
    officer_page = client.get(f"/officer/items/{request.consignment_id}/").content.decode()
    link = f"/officer/items/{request.consignment_id}/documents/{document.pk}"
    assert "The invoice is attached." in officer_page and link in officer_page
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    download.close()


def test_another_addressees_link_cannot_read_or_answer(client, officer):
    mine, theirs = asked(officer), asked(officer)
    their_token = access_token_for(theirs.consignment)
    client.post(f"/pay/i/{access_token_for(mine.consignment)}/answer", {"answer": "Here.", "documents": [pdf()]})
    my_document = AnswerDocument.objects.get(request=mine)

    assert client.get(f"/pay/i/{their_token}/documents/{my_document.pk}").status_code == 404
    their_page = client.get(f"/pay/i/{their_token}/answer").content.decode()
    assert "Here." not in their_page
    assert client.get(f"/pay/i/{their_token}x/answer").status_code == 404
    assert client.post(f"/pay/i/{their_token}x/answer", {"answer": "Mine now"}).status_code == 404
    assert state_of(theirs) == ConsignmentState.INFO_REQUESTED
    # Officers only: a signed-out visitor is sent to the login page, a trader is refused.
    assert client.get(f"/officer/items/{mine.consignment_id}/documents/{my_document.pk}").status_code == 302
    client.force_login(UserFactory(role="TRADER"))
    assert client.get(f"/officer/items/{mine.consignment_id}/documents/{my_document.pk}").status_code == 403
    client.force_login(officer)
    assert client.get(f"/officer/items/{theirs.consignment_id}/documents/{my_document.pk}").status_code == 404


def test_a_file_disguised_as_a_pdf_is_refused_and_the_typed_answer_kept(client, officer):
    request = asked(officer)
    token = access_token_for(request.consignment)
    program = pdf("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)

    response = client.post(f"/pay/i/{token}/answer", {"answer": "See the invoice", "documents": [program]})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Document 1 (invoice.pdf) is not accepted" in page and "See the invoice</textarea>" in page
    assert state_of(request) == ConsignmentState.INFO_REQUESTED
    assert not AnswerDocument.objects.exists()


def test_documents_are_recognised_by_their_content():
    png_named_pdf = image_upload("scan.pdf", content_type="application/pdf")
    assert documents_check([png_named_pdf])[0].extension == "png"
    for refused in (
        pdf(data=PDF.replace(b"%%EOF", b"")),  # cut short
        pdf(data=PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction <</S /JavaScript /JS (app.alert(1))>>")),
        SimpleUploadedFile("notes.txt", b"%PDF? no, plain text", content_type="text/plain"),
    ):
        with pytest.raises(ApplicationError):
            documents_check([refused])


# --- The operator through the API --------------------------------------------------------------------


def test_the_operator_answers_through_the_api_and_another_operator_gets_404(
    operator, operator_client, other_operator_client, officer
):
    request = asked(officer, operator=operator)
    url = f"/api/v1/postal/items/{request.consignment.item_id}/information"
    for call in (other_operator_client.get, other_operator_client.post):
        response = call(url, {"answer": "Not mine"}, format="multipart")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    listed = operator_client.get(url).json()["results"][0]
    assert (listed["needed"], listed["outcomeWithoutAnswer"]) == (["INVOICE", "PAYMENT_PROOF"], "RETURN")
    response = operator_client.post(
        url, {"answer": "Invoice from the sender", "documents": [pdf()]}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["answeredBy"], len(body["documents"]), body["documents"][0]["contentType"]) == (
        "OPERATOR",
        1,
        "application/pdf",
    )
    assert state_of(request) == ConsignmentState.HELD
    again = operator_client.post(url, {"answer": "Once more"}, format="multipart")
    assert again.status_code == 409 and again.json()["error"]["code"] == "no_open_request"
    assert operator_client.post(url, {"answer": "json"}, format="json").status_code == 415


def test_a_disguised_document_through_the_api_is_a_400_naming_it(operator, operator_client, officer):
    request = asked(officer, operator=operator)
    url = f"/api/v1/postal/items/{request.consignment.item_id}/information"
    response = operator_client.post(url, {"documents": [pdf(data=b"<html>not a pdf</html>")]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "documents[0]"
    assert state_of(request) == ConsignmentState.INFO_REQUESTED


# --- Deadline: one reminder, then the outcome -----------------------------------------------------------


def test_the_addressee_is_written_to_in_french_with_the_link_to_answer(officer):
    request = asked(officer, addressee_country="FR")
    assert information_mail_send(request_id=request.pk, step="asked") == 1
    assert information_mail_send(request_id=request.pk, step="asked") == 0  # once
    message = mail.outbox[-1]
    assert "informations" in message.subject and request.consignment.item_id in message.subject
    # The link's token is signed when the e-mail is written, perhaps in another second than a token signed here.
    link = re.search(r"/pay/i/([^/\s]+)/answer", message.body)
    assert link is not None and consignment_id_from_token(link.group(1)) == request.consignment.pk


def test_an_unanswered_request_is_reminded_once_then_returned(officer, django_capture_on_commit_callbacks):
    request = asked(officer, outcome="RETURN")
    now = timezone.now()
    InformationTerms.objects.filter(request=request).update(remind_at=now - timedelta(minutes=1))

    with django_capture_on_commit_callbacks() as callbacks:
        first, second = information_deadlines_apply(), information_deadlines_apply()
    assert (first, second) == ({"reminded": 1, "lapsed": 0}, {"reminded": 0, "lapsed": 0})
    assert len(callbacks) == 1  # one reminder e-mail enqueued
    assert information_mail_send(request_id=request.pk, step="reminder") == 1
    assert "Reminder" in mail.outbox[-1].subject

    InformationTerms.objects.filter(request=request).update(deadline=now - timedelta(minutes=1))
    first, second = information_deadlines_apply(), information_deadlines_apply()

    assert (first["lapsed"], second["lapsed"]) == (1, 0)
    assert state_of(request) == ConsignmentState.RETURNED
    codes = list(Decision.objects.filter(consignment=request.consignment).values_list("code", flat=True))
    assert codes.count("RETURN_TO_SENDER") == 1
    actions = AuditEntry.objects.filter(target_id=request.consignment_id).values_list("action", flat=True)
    assert list(actions).count("clearance.consignment.info_lapsed") == 1
    terms = InformationTerms.objects.get(request=request)
    assert terms.lapsed_at is not None and terms.outcome_applied == "RETURNED"


def test_an_unanswered_request_set_to_release_is_released_with_its_note(officer):
    request = asked(officer, outcome="RELEASE", note="Low value, nothing suspicious.")
    InformationTerms.objects.filter(request=request).update(deadline=timezone.now() - timedelta(minutes=1))

    assert information_deadlines_apply()["lapsed"] == 1
    assert information_deadlines_apply()["lapsed"] == 0

    assert state_of(request) in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)
    decision = Decision.objects.filter(consignment=request.consignment).order_by("-sequence").first()
    assert "Low value, nothing suspicious." in decision.reason


def test_an_answered_request_takes_no_outcome(client, officer):
    request = asked(officer)
    client.post(f"/pay/i/{access_token_for(request.consignment)}/answer", {"answer": "Invoice: USD 25."})
    InformationTerms.objects.filter(request=request).update(deadline=timezone.now() - timedelta(minutes=1))
    assert information_deadlines_apply()["lapsed"] == 0
    assert state_of(request) == ConsignmentState.HELD


def test_the_officer_must_choose_the_outcome(client, officer):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    client.force_login(officer)
    response = client.post(
        f"/officer/items/{consignment.pk}/request_info",
        {"question": "Invoice?", "needed": ["INVOICE"], "days": "10"},
        follow=True,
    )
    page = response.content.decode()
    assert "Choose what happens if no answer comes by the deadline." in page
    assert 'value="INVOICE" checked' in page and 'value="10"' in page  # kept as typed
    assert not InformationRequest.objects.filter(consignment=consignment).exists()


def test_the_answer_page_speaks_french(client, officer):
    request = asked(officer, addressee_country="FR")
    page = client.get(f"/pay/i/{access_token_for(request.consignment)}/answer", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert "La douane demande" in html and "Preuve de paiement" in html and "Votre réponse" in html


def test_documents_of_an_answer_undone_are_not_left_behind(client, officer, monkeypatch, settings):
    from agencies import services
    from core.exceptions import InvalidTransition

    request = asked(officer)

    def refused(**kwargs):
        raise InvalidTransition("Refused for the test.")

    monkeypatch.setattr(services.clearance_services, "consignment_answer_info", refused)
    response = client.post(
        f"/pay/i/{access_token_for(request.consignment)}/answer", {"answer": "Here", "documents": [pdf(), pdf()]}
    )
    assert response.status_code == 400 and "Refused for the test." in response.content.decode()
    assert not AnswerDocument.objects.exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_an_answer_after_the_deadline_is_refused_and_the_outcome_still_applies(client, officer):
    request = asked(officer)
    InformationTerms.objects.filter(request=request).update(deadline=timezone.now() - timedelta(minutes=1))
    response = client.post(
        f"/pay/i/{access_token_for(request.consignment)}/answer", {"answer": "Late invoice."}, follow=True
    )
    assert "The deadline to answer about parcel" in response.content.decode()
    request.refresh_from_db()
    assert request.answer == "" and state_of(request) == ConsignmentState.INFO_REQUESTED
    assert information_deadlines_apply()["lapsed"] == 1


@pytest.mark.parametrize(
    ("needed", "lane"), [(["PERMIT"], Lane.YELLOW), (["PRESCRIPTION"], Lane.YELLOW), (["INVOICE"], Lane.RED)]
)
def test_silence_never_releases_goods_needing_a_permit_or_a_prescription_nor_a_red_item(officer, needed, lane):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=lane, risk_score=Decimal("0.9"))
    with pytest.raises(ApplicationError, match="not released without an answer"):
        officer_request_info(
            consignment=consignment,
            officer=officer,
            question="Send the permit, please.",
            needed=needed,
            days=7,
            outcome="RELEASE",
            outcome_note="Nothing suspicious.",
        )
    assert Consignment.objects.get(pk=consignment.pk).state == ConsignmentState.HELD
