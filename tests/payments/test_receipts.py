"""The receipt PDF: every parcel of a payment, on as many pages as it takes."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Assessment, Payment, PaymentItem
from payments.receipts import receipt_pdf
from tests.payments.helpers import make_due

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
