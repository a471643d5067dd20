"""Revenue through the whole loop, with a real worker: collection at the door, prepaid items, cases, returns."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from payments import cases, collection
from payments.models import (
    AccountCharge,
    AccountMandate,
    Assessment,
    CollectionAgreement,
    DeferredAccount,
    Notification,
    Refund,
)
from tests.factories import UserFactory
from tests.payments.helpers import pay_with_card
from tests.postal.payloads import batch, item
from tests.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.services, pytest.mark.django_db(transaction=True)]
NO_RANDOM_INSPECTION = {"OPENCLEAR_RISK_RANDOM_RATE": "0"}


def _watch(serial: int, **fields) -> dict:
    """A USD 400 watch to Bosnia and Herzegovina: above its relief, so duty and VAT are due."""
    line = {
        "description": "Wrist watch",
        "quantity": 1,
        "netWeightKg": "0.100",
        "value": "400.00",
        "hsCode": "910211",
        "originCountry": "CN",
    }
    addressee = {**item()["addressee"], "name": f"Addressee {serial}", "postcode": f"7{serial:04d}"}
    return item(serial=serial, contents=[line], addressee=addressee, **fields)


def _post(operator_client, path: str, body: dict) -> dict:
    response = operator_client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def _ago(hours: int) -> str:
    return (timezone.now() - timedelta(hours=hours)).isoformat()


def _settled(item_id: str, states=(ConsignmentState.PRE_ADVISED, ConsignmentState.ASSESSED)) -> Consignment:
    return wait_until(
        lambda: Consignment.objects.exclude(state__in=states).filter(item_id=item_id).first(),
        timeout=60,
        what=f"{item_id} to be scored and routed",
    )


def test_a_parcel_collected_at_the_door_is_released_and_on_the_months_statement(operator_client, operator):
    CollectionAgreement.objects.create(operator=operator, valid_from=date(2026, 1, 1), reference="MoU-2026/4")
    body = _watch(1)
    with celery_worker(env=NO_RANDOM_INSPECTION):
        _post(operator_client, "/api/v1/postal/items", batch(body))
        consignment = _settled(body["itemId"])
        assert consignment.state == ConsignmentState.CHARGES_DUE
        assessment = Assessment.objects.get(consignment=consignment, is_current=True)
        report = {
            "itemId": body["itemId"],
            "amount": str(assessment.total),
            "currency": assessment.currency,
            "collectedAt": timezone.now().isoformat(),
            "reference": "POS-77",
        }
        result = _post(operator_client, "/api/v1/postal/collections", {"collections": [report]})["results"][0]
    assert result["status"] == "ACCEPTED"
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.RELEASED
    feed = operator_client.get("/api/v1/postal/responses").json()["results"]
    assert [r["decision"] for r in feed if r["itemId"] == body["itemId"]] == ["RELEASE_CHARGES_DUE", "RELEASED"]
    statement = collection.statement_build(operator=operator, month=timezone.now().date())
    assert statement.totals == {assessment.currency: {"items": 1, "amount": str(assessment.total)}}


def test_a_prepaid_parcel_is_released_without_any_e_mail_to_the_consumer(operator_client, operator):
    account = DeferredAccount.objects.create(
        code="globalshop", name="Global Shop", kind="PLATFORM", currency="BAM", limit=Decimal("5000.00")
    )
    AccountMandate.objects.create(account=account, operator=operator)
    body = _watch(2, termsOfDelivery="DDP", prepaid={"collector": "globalshop", "reference": "GS-1"})
    with celery_worker(env=NO_RANDOM_INSPECTION):
        _post(operator_client, "/api/v1/postal/items", batch(body))
        consignment = _settled(body["itemId"])
    assert consignment.state == ConsignmentState.RELEASED
    assert operator_client.get(f"/api/v1/postal/items/{body['itemId']}").json()["decision"]["decision"] == (
        "RELEASE_NO_CHARGE"
    )
    charge = AccountCharge.objects.get(consignment=consignment)
    assert charge.amount == Assessment.objects.get(consignment=consignment, is_current=True).total > 0
    assert not Notification.objects.filter(consignment=consignment).exists()


def test_a_dispute_upheld_after_payment_refunds_part_and_the_payer_is_e_mailed(client, operator_client):
    body = _watch(3)
    with celery_worker(env=NO_RANDOM_INSPECTION):
        _post(operator_client, "/api/v1/postal/items", batch(body))
        consignment = _settled(body["itemId"])
        pay_with_card(client, consignment)
        paid_total = Assessment.objects.get(consignment=consignment, is_current=True).total
        case = cases.case_open(
            consignment=consignment, grounds="VALUE_WRONG", reason="The invoice says USD 340.", language="en"
        )
        cases.case_uphold(
            case=case,
            officer=UserFactory(role="OFFICER"),
            resolution="Invoice accepted.",
            fix=cases.LineFix(position=1, hs_code="910211", value=Decimal("340.00")),
        )
        wait_until(
            lambda: Notification.objects.filter(consignment=consignment, kind="case_upheld").exists(),
            timeout=60,
            what="the worker to e-mail the payer",
        )
    corrected = Assessment.objects.get(consignment=consignment, is_current=True)
    refund = Refund.objects.get(case=case)
    assert (refund.amount, refund.state) == (paid_total - corrected.total, "SUCCEEDED")
    assert Decimal("0") < refund.amount < paid_total
    assert Notification.objects.get(consignment=consignment, kind="case_upheld").to == "amra@example.ba"


def test_goods_returned_to_the_sender_after_payment_are_refunded_by_the_worker(client, operator_client):
    body = _watch(4)
    with celery_worker(env=NO_RANDOM_INSPECTION):
        _post(operator_client, "/api/v1/postal/items", batch(body))
        consignment = _settled(body["itemId"])
        pay_with_card(client, consignment)
        arrived = {"itemId": body["itemId"], "code": "EMD", "at": _ago(2), "office": "BASJJA"}
        returned = {"itemId": body["itemId"], "code": "EDX", "at": _ago(0), "office": "BASJJA"}
        assert _post(operator_client, "/api/v1/postal/events", {"events": [arrived, returned]})["accepted"] == 2
        refund = wait_until(
            lambda: Refund.objects.filter(consignment=consignment, state="SUCCEEDED").first(),
            timeout=60,
            what="the worker to refund the returned goods",
        )
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    assert refund.amount == assessment.duty + assessment.vat
