"""Events are judged against the item: none in the future, presentation after arrival, goods leaving without
a release recorded as out of control with the operator's liability."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from clearance.choices import ConsignmentState
from core.models import AuditEntry
from payments.models import Assessment
from postal.models import GoodsOutOfControl
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory
from tests.payments.helpers import make_due
from tests.risk.test_splits import to_london

pytestmark = pytest.mark.django_db


def _send(operator_client, *events):
    response = operator_client.post("/api/v1/postal/events", {"events": list(events)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _event(consignment, code, at, office="BASJJA"):
    return {"itemId": consignment.item_id, "code": code, "at": at.isoformat(), "office": office}


def test_a_presentation_dated_ahead_is_refused_and_does_not_stop_a_recall(operator_client, operator, settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    settings.OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD = "1000"
    cache.clear()
    cleared = to_london("80.00", state=ConsignmentState.RELEASED, operator=operator)
    now = timezone.now()
    (arrival, ahead) = _send(
        operator_client,
        _event(cleared, "EMD", now - timedelta(hours=1)),
        _event(cleared, "EDB", now + timedelta(hours=6)),
    )
    assert arrival["status"] == "ACCEPTED"
    assert (ahead["status"], ahead["errors"][0]["code"]) == ("REJECTED", "implausible_datetime")
    cleared.refresh_from_db()
    assert cleared.presented_at is None

    last = to_london("70.00")
    assert consignments_assess(consignment_ids=[last.pk])["recalled"] == 1
    cleared.refresh_from_db()
    assert cleared.state == ConsignmentState.HELD
    cache.clear()


def test_a_presentation_stamped_later_than_now_does_not_make_a_release_final(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    settings.OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD = "1000"
    cache.clear()
    cleared = to_london("80.00", state=ConsignmentState.RELEASED, presented_at=timezone.now() + timedelta(hours=3))
    last = to_london("70.00")
    assert consignments_assess(consignment_ids=[last.pk])["recalled"] == 1
    cleared.refresh_from_db()
    assert cleared.state == ConsignmentState.HELD
    cache.clear()


def test_a_presentation_before_arrival_is_refused(operator_client, operator):
    item = ConsignmentFactory(operator=operator, state=ConsignmentState.RELEASED)
    now = timezone.now()
    (early,) = _send(operator_client, _event(item, "EDB", now - timedelta(hours=2)))
    assert (early["status"], early["errors"][0]["code"]) == ("REJECTED", "not_arrived")
    results = _send(
        operator_client, _event(item, "EMD", now - timedelta(hours=1)), _event(item, "EDB", now - timedelta(hours=2))
    )
    assert [r["status"] for r in results] == ["ACCEPTED", "REJECTED"]
    assert results[1]["errors"][0]["code"] == "before_arrival"
    (good,) = _send(operator_client, _event(item, "EDB", now - timedelta(minutes=30)))
    assert good["status"] == "ACCEPTED"
    item.refresh_from_db()
    assert item.presented_at is not None


@pytest.mark.parametrize("code", ["EMI", "EMF"])
def test_delivery_of_an_unpaid_item_is_raised_as_goods_out_of_control_with_the_operators_liability(
    operator_client, operator, code
):
    due = make_due(operator=operator)
    total = Assessment.objects.get(consignment=due, is_current=True).total
    at = timezone.now() - timedelta(minutes=5)
    (result,) = _send(operator_client, _event(due, code, at))
    assert result["status"] == "ACCEPTED"
    breach = GoodsOutOfControl.objects.get(consignment_id=due.pk)
    assert (breach.state, breach.event_code, breach.liability, breach.currency) == ("CHARGES_DUE", code, total, "BAM")
    assert AuditEntry.objects.filter(target_id=due.pk, action="postal.consignment.out_of_control").exists()
    assert _send(operator_client, _event(due, code, at))[0]["status"] == "DUPLICATE"
    assert GoodsOutOfControl.objects.filter(consignment_id=due.pk).count() == 1


def test_delivery_of_a_held_item_is_raised_and_a_released_one_is_not(operator_client, operator):
    held = ConsignmentFactory(operator=operator, state=ConsignmentState.HELD)
    released = ConsignmentFactory(operator=operator, state=ConsignmentState.RELEASED)
    at = timezone.now() - timedelta(minutes=5)
    _send(operator_client, _event(held, "EMI", at), _event(released, "EMI", at))
    assert list(GoodsOutOfControl.objects.values_list("consignment_id", "state")) == [(held.pk, "HELD")]
