"""CITES-listed goods through a real worker: held and released by the environment agency then by customs, released
on a valid permit without referral, held on an expired one with its reason."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency, AgencyMember, Permit, Referral
from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.normalize import name_key
from risk.choices import RuleStatus
from risk.models import Rule
from tests.factories import UserFactory
from tests.postal.payloads import batch, item
from tests.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.services, pytest.mark.django_db(transaction=True)]
NO_RANDOM_INSPECTION = {"OPENCLEAR_RISK_RANDOM_RATE": "0"}


def cites_permit(number: str, valid_to) -> None:
    Permit.objects.create(
        kind="CITES",
        number=number,
        holder="Amra Hodžić",
        holder_key=name_key("Amra Hodžić"),
        goods="Python skin handbags",
        hs_prefixes=["4202"],
        quantity=5,
        valid_from=timezone.now().date() - timedelta(days=200),
        valid_to=valid_to,
    )


def test_cites_goods_referred_permitted_and_expired(client, operator_client):
    # The administration's catalogue says a CITES permit lifts the hold of its CITES row.
    rule = Rule.objects.get(code="cites-regulated", status=RuleStatus.ACTIVE)
    rule.condition = {**rule.condition, "permit_kind": "CITES"}
    rule.save(update_fields=["condition"])
    today = timezone.now().date()
    cites_permit("FR2612345", today + timedelta(days=100))
    cites_permit("FR2600001", today - timedelta(days=1))
    line = {**item()["contents"][0], "description": "Python skin handbag", "hsCode": "420221", "quantity": 1}
    bodies = [
        item(serial=61, contents=[line]),
        item(serial=62, contents=[{**line, "permitNumber": "FR2612345"}]),
        item(serial=63, contents=[{**line, "permitNumber": "FR2600001"}]),
    ]
    ids = [body["itemId"] for body in bodies]
    with celery_worker(env=NO_RANDOM_INSPECTION):
        response = operator_client.post(
            "/api/v1/postal/items", data=json.dumps(batch(*bodies)), content_type="application/json"
        )
        assert response.json()["accepted"] == 3
        wait_until(
            lambda: not Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED).exists(),
            timeout=60,
            what="every item to be scored",
        )
    held, permitted, expired = (Consignment.objects.get(item_id=i) for i in ids)
    assert held.state == ConsignmentState.HELD
    assert permitted.state in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)
    assert any(r["code"] == "permit.valid" for r in permitted.risk_assessments.get().reasons)
    assert expired.state == ConsignmentState.HELD
    assert any(r["code"] == "permit.expired" for r in expired.risk_assessments.get().reasons)
    assert not Referral.objects.filter(consignment=permitted).exists()

    environment = Agency.objects.create(code="environment", name="Environment agency", kind="ENVIRONMENT")
    agency_user = UserFactory(role="AGENCY")
    AgencyMember.objects.create(user=agency_user, agency=environment)
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)
    client.post(f"/officer/items/{held.pk}/refer", {"agency": "environment", "reason": "CITES Appendix II"})
    client.force_login(agency_user)
    referral = Referral.objects.get(consignment=held)
    client.post(f"/agency/referrals/{referral.pk}/decide", {"decision": "RELEASE", "reason": "Captive-bred, checked"})
    client.force_login(officer)
    client.post(f"/officer/items/{held.pk}/release", {"reason": "The environment agency released it"})

    held.refresh_from_db()
    assert held.state in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)
    feed = operator_client.get("/api/v1/postal/responses").json()["results"]
    decisions = [r["decision"] for r in feed if r["itemId"] == held.item_id]
    assert decisions[:2] == ["HOLD_INSPECTION", "REFER_OTHER_AGENCY"]
    assert decisions[-1] in ("RELEASE_NO_CHARGE", "RELEASE_CHARGES_DUE")
