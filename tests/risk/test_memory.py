"""Holds remembered: after a seizure, a return, a referral or prohibited goods, the same sender's or addressee's
next parcels go to an officer for a set time, through any operator and under any item id."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, PartyHold
from risk.memory import recent_holds
from risk.models import RiskAssessment
from risk.reasons import Finding, render
from risk.services import consignments_assess
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db

TOY = [
    {
        "description": "Plastic toy car",
        "quantity": 1,
        "netWeightKg": "0.200",
        "value": "9.00",
        "hsCode": "950300",
        "originCountry": "CN",
    }
]
REVOLVER = [{**TOY[0], "description": "Revolver", "hsCode": "930200"}]


@pytest.fixture(autouse=True)
def no_random_draw(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()
    yield
    cache.clear()


def _scored(client, serial, contents, **fields) -> Consignment:
    body = item(serial=serial, contents=contents, **fields)
    response = client.post("/api/v1/postal/items", batch(body), format="json")
    assert response.json()["results"][0]["status"] == "ACCEPTED", response.content
    consignment = Consignment.objects.filter(item_id=body["itemId"]).latest("pk")  # the live one
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    return consignment


def _codes(consignment) -> list[str]:
    return [f["code"] for f in RiskAssessment.objects.filter(consignment=consignment).latest("id").reasons]


def test_a_toy_after_a_revolver_from_the_same_sender_goes_to_an_officer_through_another_operator(
    operator_client, other_operator_client
):
    revolver = _scored(operator_client, 40000001, REVOLVER)
    assert revolver.state == ConsignmentState.HELD
    assert PartyHold.objects.filter(consignment_id=revolver.pk, kind="PROHIBITED").exists()

    toy = _scored(other_operator_client, 40000002, TOY)
    assert (toy.state, toy.lane) == (ConsignmentState.HELD, Lane.YELLOW)
    assert "history.recent_hold" in _codes(toy)
    finding = next(
        Finding.of(f) for f in RiskAssessment.objects.get(consignment=toy).reasons if f["code"] == "history.recent_hold"
    )
    assert revolver.item_id in render(finding)
    with translation.override("fr"):
        assert revolver.item_id in render(finding) and "vont à un agent" in render(finding)


def test_the_same_addressee_by_phone_is_remembered_and_strangers_are_not(operator_client, other_operator_client):
    _scored(operator_client, 40000011, REVOLVER)
    other_sender = {"name": "Guangzhou Gifts Ltd", "address": "8 Tianhe Rd", "city": "Guangzhou", "country": "CN"}
    same_phone = {**item()["addressee"], "name": "A. Hodzic", "address": "Titova 5", "postcode": "71210"}
    toy = _scored(other_operator_client, 40000012, TOY, sender=other_sender, addressee=same_phone)
    assert "history.recent_hold" in _codes(toy)

    stranger = {**same_phone, "name": "Edin Kovač", "phone": "+387 61 999 888", "email": "edin@example.ba"}
    green = _scored(other_operator_client, 40000013, TOY, sender=other_sender, addressee=stranger)
    assert (green.state, "history.recent_hold" in _codes(green)) != (ConsignmentState.HELD, True)
    assert "history.recent_hold" not in _codes(green)


def test_a_hold_is_forgotten_after_its_time(operator_client, other_operator_client):
    revolver = _scored(operator_client, 40000021, REVOLVER)
    PartyHold.objects.filter(consignment_id=revolver.pk).update(until=timezone.now() - timedelta(seconds=1))
    toy = _scored(other_operator_client, 40000022, TOY)
    assert "history.recent_hold" not in _codes(toy)


def test_a_chunk_is_matched_with_one_query(operator_client):
    _scored(operator_client, 40000031, REVOLVER)
    bodies = [item(serial=40000100 + n, contents=TOY) for n in range(40)]
    operator_client.post("/api/v1/postal/items", batch(*bodies), format="json")
    chunk = list(Consignment.objects.filter(item_id__in=[b["itemId"] for b in bodies]))
    with CaptureQueriesContext(connection) as queries:
        found = recent_holds(chunk)
    assert len(queries) == 1
    assert set(found) == {c.pk for c in chunk}


def test_a_held_parcel_withdrawn_and_sent_again_under_other_parties_goes_to_an_officer(operator_client):
    """Withdrawing never lifts a hold: the same item id announced again, whoever it now names, is for an officer,
    and so are the withdrawn parcel's parties on their next parcels."""
    held = _scored(operator_client, 40000011, TOY)
    Consignment.objects.filter(pk=held.pk).update(state=ConsignmentState.HELD, lane=Lane.YELLOW)
    response = operator_client.delete(
        f"/api/v1/postal/items/{held.item_id}", {"reason": "ORDER_CANCELLED"}, format="json"
    )
    assert response.json()["status"] == "WITHDRAWN"
    assert PartyHold.objects.filter(consignment_id=held.pk, kind="WITHDRAWN").exists()

    stranger = {**item()["addressee"], "name": "Ivana Perić", "address": "Obala 3", "email": "ip@example.hr"}
    again = _scored(operator_client, 40000011, TOY, addressee={**stranger, "phone": "+385 1 555 0101"})
    assert again.pk != held.pk and again.item_id == held.item_id
    assert (again.state, again.lane) == (ConsignmentState.HELD, Lane.YELLOW)
    assert "history.withdrawn_while_held" in _codes(again)
    with translation.override("fr"):
        finding = next(
            Finding.of(f)
            for f in RiskAssessment.objects.get(consignment=again).reasons
            if f["code"] == "history.withdrawn_while_held"
        )
        assert held.item_id in render(finding) and "retiré" in render(finding)

    next_parcel = _scored(operator_client, 40000012, TOY)  # the withdrawn parcel's own addressee again
    assert "history.recent_hold" in _codes(next_parcel)


def test_a_parcel_withdrawn_before_customs_held_it_leaves_nothing_remembered(operator_client):
    released = _scored(operator_client, 40000021, TOY)
    Consignment.objects.filter(pk=released.pk).update(state=ConsignmentState.PRE_ADVISED)
    assert (
        operator_client.delete(
            f"/api/v1/postal/items/{released.item_id}", {"reason": "NOT_SHIPPED"}, format="json"
        ).json()["status"]
        == "WITHDRAWN"
    )
    assert not PartyHold.objects.filter(consignment_id=released.pk).exists()
    again = _scored(operator_client, 40000021, TOY)
    assert "history.withdrawn_while_held" not in _codes(again)


def test_the_newest_hold_is_named_and_of_holds_recorded_at_one_time_the_last_recorded(operator_client):
    """Holds of one scoring chunk share their time: the choice among them is fixed, not the database's."""
    first = _scored(operator_client, 40000201, REVOLVER)
    second = _scored(operator_client, 40000202, REVOLVER)
    body = item(serial=40000203, contents=TOY)
    operator_client.post("/api/v1/postal/items", batch(body), format="json")
    toy = Consignment.objects.get(item_id=body["itemId"])
    holds = PartyHold.objects.filter(consignment_id__in=[first.pk, second.pk])
    assert holds.count() == 2

    holds.filter(consignment_id=first.pk).update(recorded_at=timezone.now())  # the first is now the newest
    assert recent_holds([toy])[toy.pk].params["item"] == first.item_id

    holds.update(recorded_at=timezone.now() - timedelta(hours=1))
    last_recorded = holds.order_by("-id").first()
    assert recent_holds([toy])[toy.pk].params["item"] == last_recorded.item_id
