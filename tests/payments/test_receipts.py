"""The receipt PDF: every parcel of a payment, on as many pages as it takes."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState
from payments import cases
from payments.models import Assessment, Payment, PaymentItem, Refund
from payments.receipts import receipt_pdf
from tests.factories import UserFactory
from tests.payments.helpers import approved_by_a_second_officer, make_due, pay_with_card

pytestmark = pytest.mark.django_db


def test_a_payment_for_45_parcels_runs_onto_more_pages_and_shows_every_one():
    parcels = [make_due() for _ in range(45)]
    assessments = {a.consignment_id: a for a in Assessment.objects.filter(consignment__in=parcels, is_current=True)}
    total = sum((a.total for a in assessments.values()), Decimal("0"))
    payment = Payment.objects.create(
        idempotency_key="many",
        provider="sandbox",
        amount=total,
        currency="BAM",
        state="SUCCEEDED",
        paid_at=timezone.now(),
        verification_code="ABCDEF123456",
    )
    PaymentItem.objects.bulk_create(
        PaymentItem(payment=payment, consignment=p, assessment=assessments[p.pk], amount=assessments[p.pk].total)
        for p in parcels
    )

    pdf = receipt_pdf(payment).read()

    pages = len(re.findall(rb"/Type /Page\b", pdf))
    assert pages >= 2
    for parcel in parcels:
        assert parcel.item_id.encode() in pdf
    assert f"{total:,.2f} BAM".encode() in pdf and b"Page 2" in pdf


def test_the_receipt_names_the_administration_office_payer_and_goods_in_the_payers_language(client, settings):
    settings.OPENCLEAR_ADMINISTRATION_NAME = "Indirect Taxation Authority of Bosnia and Herzegovina"
    due = make_due()
    assessment = Assessment.objects.get(consignment=due, is_current=True)
    payment = Payment.objects.create(
        idempotency_key="fr",
        provider="sandbox",
        amount=assessment.total,
        currency="BAM",
        state="SUCCEEDED",
        paid_at=timezone.now(),
        verification_code="FEDCBA654321",
        payer_email="amra@example.ba",
        language="fr",
    )
    PaymentItem.objects.create(payment=payment, consignment=due, assessment=assessment, amount=assessment.total)

    pdf = receipt_pdf(payment).read()
    assert b"Indirect Taxation Authority of Bosnia and Herzegovina" in pdf
    assert b"amra@example.ba" in pdf and rb"Cotton T-shirt \(610910\)" in pdf  # PDF escapes parentheses
    assert b"/Lang (fr)" in pdf  # the document says its language
    assert b"Code de v" in pdf and b"verify/?code=FEDCBA654321" in pdf
    assert f"{assessment.total:.2f}".replace(".", ",").encode() in pdf  # amounts with a decimal comma in French


# --- Receipts and their check after refunds -----------------------------------------------------------


@pytest.fixture
def paid(client, monkeypatch):
    from payments import enqueue

    monkeypatch.setattr(enqueue, "case_mail", lambda case_id, step: None)  # no worker here; e-mails are not read
    due = make_due()
    pay_with_card(client, due)
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED
    return due


def _payment(consignment) -> Payment:
    return Payment.objects.get(items__consignment=consignment, state="SUCCEEDED")


def _verify(client, payment, language="en") -> str:
    response = client.get("/pay/verify/", {"code": payment.verification_code}, HTTP_ACCEPT_LANGUAGE=language)
    return response.content.decode()


def test_a_receipt_refunded_in_full_says_so_with_the_amount_and_the_date(client, paid):
    payment = _payment(paid)
    case = cases.case_open(consignment=paid, grounds="NOT_DELIVERED", reason="The parcel never came.")
    approved_by_a_second_officer(
        cases.case_uphold, case=case, officer=UserFactory(role="OFFICER"), resolution="Never delivered: refunded."
    )
    today = timezone.now().strftime("%Y-%m-%d")
    paid_amount = f"{payment.amount:,.2f} BAM"

    page = _verify(client, payment)
    assert 'data-standing="refunded"' in page and "Valid receipt" not in page
    assert f"refunded in full ({paid_amount}) on {today}" in page
    assert f"Case {case.pk} upheld: Never delivered: refunded." in page

    french = _verify(client, payment, "fr")
    assert "remboursés intégralement" in french and f"Dossier {case.pk} fondé" in french
    assert "Case " not in french

    pdf = receipt_pdf(payment).read()
    assert f"Refunded in full on {today}: {payment.amount:,.2f} BAM paid back.".encode() in pdf
    assert b"Paid, less refunds" in pdf and b"0.00 BAM" in pdf

    portal = client.get(f"/pay/payments/{payment.reference}/").content.decode()
    assert 'data-standing="refunded"' in portal and "Customs has released your parcel" not in portal


def test_a_receipt_partly_refunded_shows_the_refund_and_what_was_kept(client, paid):
    payment = _payment(paid)
    case = cases.case_open(consignment=paid, grounds="VALUE_WRONG", reason="The invoice says USD 340.")
    fix = cases.LineFix(position=1, hs_code="", value=Decimal("340.00"))
    cases.case_uphold(case=case, officer=UserFactory(role="OFFICER"), resolution="USD 340 it is.", fix=fix)
    refund = Refund.objects.get(payment=payment)
    assert 0 < refund.amount < payment.amount and refund.state == "SUCCEEDED"
    kept = payment.amount - refund.amount

    page = _verify(client, payment)
    assert 'data-standing="partly-refunded"' in page
    assert f"{kept:,.2f} BAM after refunds" in page and f"Refunded {refund.amount:,.2f} BAM on" in page

    pdf = receipt_pdf(payment).read()
    assert f"{refund.amount:,.2f} BAM, {timezone.now():%Y-%m-%d}".encode() in pdf
    assert f"{kept:,.2f} BAM".encode() in pdf and b"Refunded in full" not in pdf


def test_a_french_receipt_names_the_administration_in_french(paid, settings):
    payment = _payment(paid)
    Payment.objects.filter(pk=payment.pk).update(language="fr")
    payment.refresh_from_db()
    assert rb"Administration des douanes \(OpenClear\)" in receipt_pdf(payment).read()  # PDF escapes parentheses
    settings.OPENCLEAR_ADMINISTRATION_NAME = "Indirect Taxation Authority"
    settings.OPENCLEAR_ADMINISTRATION_NAME_FR = "Autorite des impots indirects"
    pdf = receipt_pdf(payment).read()
    assert b"Autorite des impots indirects" in pdf and b"Indirect Taxation Authority" not in pdf
