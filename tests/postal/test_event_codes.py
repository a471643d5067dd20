"""Every EMSEVT import code is taken with its office and time, and judged against the item's history."""

import json

import pytest

from clearance.choices import EventCode
from clearance.models import Consignment, ConsignmentEvent
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db

ITEM = "RB123456785GB"
NEW_CODES = ["EDA", "EME", "EDC", "EMG", "EDG", "EDH", "EMH"]


def _send(client, *events):
    response = client.post(
        "/api/v1/postal/events", data=json.dumps({"events": list(events)}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()["results"]


def _event(code, at, office="BASJJA"):
    return {"itemId": ITEM, "code": code, "at": at, "office": office}


@pytest.fixture
def pre_advised(operator_client):
    operator_client.post("/api/v1/postal/items", data=json.dumps(batch(item())), content_type="application/json")
    return operator_client


@pytest.mark.parametrize("code", NEW_CODES)
def test_each_import_code_is_stored_with_its_office_and_time(pre_advised, code):
    results = _send(
        pre_advised,
        _event("EMD", "2026-11-22T10:00:00Z"),
        _event("EMF", "2026-11-22T12:00:00Z"),
        _event(code, "2026-11-22T13:30:00Z", office="BA7100"),
    )

    assert [r["status"] for r in results] == ["ACCEPTED", "ACCEPTED", "ACCEPTED"]
    event = ConsignmentEvent.objects.get(code=code)
    assert (event.office_code, event.occurred_at.isoformat()) == ("BA7100", "2026-11-22T13:30:00+00:00")
    assert EventCode(code).label


def test_the_full_sequence_is_taken_and_stamps_the_timeline(pre_advised):
    sequence = ["EMD", "EDA", "EDB", "EME", "EDC", "EMF", "EMG", "EDG", "EMH", "EDH", "EMI"]
    results = _send(pre_advised, *(_event(code, f"2026-11-22T{8 + n:02d}:00:00Z") for n, code in enumerate(sequence)))

    assert all(r["status"] == "ACCEPTED" for r in results)
    consignment = Consignment.objects.get()
    stamps = [consignment.arrived_at, consignment.presented_at, consignment.exited_at, consignment.delivered_at]
    assert [stamp.hour for stamp in stamps] == [8, 10, 13, 18]
    assert ConsignmentEvent.objects.count() == len(sequence)


@pytest.mark.parametrize("code", ["EDA", "EME", "EDC", "EMF", "EMH", "EMI", "EDX"])
def test_nothing_but_the_arrival_comes_before_the_arrival(pre_advised, code):
    _send(pre_advised, _event("EMD", "2026-11-22T10:00:00Z"))

    (result,) = _send(pre_advised, _event(code, "2026-11-22T09:59:00Z"))

    assert (result["status"], result["errors"][0]["code"], result["errors"][0]["field"]) == (
        "REJECTED",
        "before_arrival",
        "events[0].at",
    )
    assert not ConsignmentEvent.objects.filter(code=code).exists()


def test_an_arrival_later_in_the_same_batch_counts(pre_advised):
    results = _send(pre_advised, _event("EMI", "2026-11-22T09:00:00Z"), _event("EMD", "2026-11-22T10:00:00Z"))

    assert [r["status"] for r in results] == ["REJECTED", "ACCEPTED"]
    assert Consignment.objects.get().delivered_at is None


@pytest.mark.parametrize("code", ["EMG", "EDG", "EDH", "EMH", "EMI"])
def test_the_delivery_office_comes_after_the_departure(pre_advised, code):
    _send(pre_advised, _event("EMD", "2026-11-22T10:00:00Z"), _event("EMF", "2026-11-22T14:00:00Z"))

    (result,) = _send(pre_advised, _event(code, "2026-11-22T13:00:00Z"))

    assert result["errors"][0]["code"] == "before_departure"


def test_retention_and_return_from_customs_may_precede_the_departure(pre_advised):
    _send(pre_advised, _event("EMD", "2026-11-22T10:00:00Z"), _event("EMF", "2026-11-22T14:00:00Z"))

    results = _send(pre_advised, _event("EME", "2026-11-22T11:00:00Z"), _event("EDC", "2026-11-22T13:00:00Z"))

    assert [r["status"] for r in results] == ["ACCEPTED", "ACCEPTED"]


def test_a_future_event_of_any_code_is_refused(pre_advised):
    (result,) = _send(pre_advised, _event("EMH", "2099-01-01T00:00:00Z"))

    assert result["errors"][0]["code"] == "implausible_datetime"
