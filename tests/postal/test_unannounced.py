import json

import pytest

from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Consignment, ConsignmentEvent, ConsignmentVersion, Decision, PostalOperator
from core.models import AuditEntry
from officer.audit_text import FIXED
from officer.selectors import QueueFilters, queue_queryset, unannounced_counts
from postal import delivery
from postal.models import WebhookDelivery
from postal.unannounced import HOLD_REASON
from risk.models import RiskAssessment
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory, UserFactory
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db

ITEM = "RB123456785GB"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _event(code, hour, item_id=ITEM):
    return {"itemId": item_id, "code": code, "at": f"2026-11-22T{hour:02d}:00:00Z", "office": "BASJJA"}


def _send(client, *events):
    return post(client, "/api/v1/postal/events", {"events": list(events)}).json()


def test_an_arrival_without_pre_advice_is_recorded_held_and_told_to_the_operator(operator, operator_client):
    webhook = operator_client.put("/api/v1/postal/webhook", data={"url": "https://example.org/hook"}, format="json")
    assert webhook.status_code == 200

    answer = _send(operator_client, _event("EMD", 10), _event("EDB", 11))

    assert [r["status"] for r in answer["results"]] == ["ACCEPTED", "ACCEPTED"]
    consignment = Consignment.objects.get()
    assert (consignment.state, consignment.unannounced, consignment.version) == (ConsignmentState.HELD, True, 0)
    assert consignment.operator == operator
    assert (consignment.arrived_at.hour, consignment.presented_at.hour) == (10, 11)
    assert ConsignmentEvent.objects.filter(consignment=consignment).count() == 2
    actions = set(AuditEntry.objects.filter(target_id=consignment.pk).values_list("action", flat=True))
    assert actions == {"clearance.consignment.arrived_unannounced", "clearance.consignment.held"}
    feed = operator_client.get("/api/v1/postal/responses?after=0").json()["results"]
    assert [(r["itemId"], r["decision"], r["reason"]) for r in feed] == [(ITEM, "HOLD_INSPECTION", HOLD_REASON)]
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    assert WebhookDelivery.objects.get().decision.code == DecisionCode.HOLD_INSPECTION
    assert operator_client.get(f"/api/v1/postal/items/{ITEM}").json()["status"] == "HELD"


def test_a_repeated_arrival_records_one_item(operator_client):
    _send(operator_client, _event("EMD", 10))

    answer = _send(operator_client, _event("EMD", 10))

    assert answer["results"][0]["status"] == "DUPLICATE"
    assert Consignment.objects.count() == 1
    assert Decision.objects.count() == 1


def test_other_events_of_an_unknown_item_are_still_refused(operator_client):
    answer = _send(operator_client, _event("EDB", 11), _event("EMI", 12))

    assert [r["errors"][0]["code"] for r in answer["results"]] == ["unknown_item", "unknown_item"]
    assert not Consignment.objects.exists()


def test_a_late_pre_advice_attaches_to_the_held_item_and_is_scored(operator_client):
    _send(operator_client, _event("EMD", 10))
    held = Consignment.objects.get()

    answer = post(operator_client, "/api/v1/postal/items", batch(item())).json()

    assert answer["results"][0]["status"] == "ACCEPTED"
    consignment = Consignment.objects.get()
    assert consignment.pk == held.pk
    assert (consignment.state, consignment.version) == (ConsignmentState.HELD, 1)
    assert consignment.late_pre_advice_at is not None
    assert (consignment.sender_name, consignment.addressee_country) == ("Shenzhen Trading Co", "BA")
    assert ConsignmentVersion.objects.get(consignment=consignment).number == 1
    assert not RiskAssessment.objects.filter(consignment=consignment).exists()

    consignments_assess(consignment_ids=[consignment.pk])

    consignment.refresh_from_db()
    assert RiskAssessment.objects.filter(consignment=consignment, consignment_version=1).count() == 1
    assert consignment.state == ConsignmentState.HELD  # scored, and still the officer's to decide
    assert consignment.lane != ""
    assert AuditEntry.objects.filter(target_id=consignment.pk, action="risk.consignment.rescored").exists()


def test_another_operators_arrival_never_touches_a_pre_advised_item(operator_client, other_operator_client):
    post(operator_client, "/api/v1/postal/items", batch(item()))

    _send(other_operator_client, _event("EMD", 10))

    mine, theirs = Consignment.objects.order_by("unannounced")
    assert (mine.unannounced, mine.state, mine.arrived_at) == (False, ConsignmentState.PRE_ADVISED, None)
    assert (theirs.unannounced, theirs.state, theirs.operator.code) == (True, ConsignmentState.HELD, "OTHER")


def test_the_officer_filters_them_and_counts_them_per_operator(operator, operator_client, other_operator_client):
    _send(operator_client, _event("EMD", 10), _event("EMD", 10, "RB123456799GB"))
    _send(other_operator_client, _event("EMD", 10))
    post(operator_client, "/api/v1/postal/items", batch(item()))
    announced = ConsignmentFactory(operator=operator)
    Consignment.objects.filter(pk=announced.pk).update(state=ConsignmentState.HELD)

    filtered = queue_queryset(QueueFilters.from_query({"unannounced": "1"}))

    assert sorted(c.item_id for c in filtered) == [ITEM, ITEM, "RB123456799GB"]
    assert queue_queryset(QueueFilters()).count() == 4
    counts = {row["operator"]: (row["arrived"], row["waiting"]) for row in unannounced_counts()}
    other = PostalOperator.objects.get(code="OTHER")
    assert counts == {operator.name: (2, 1), other.name: (1, 1)}


def test_the_queue_page_marks_them_and_their_item_page_opens(client, operator_client):
    _send(operator_client, _event("EMD", 10))
    client.force_login(UserFactory(role="OFFICER"))

    queue = client.get("/officer/", {"unannounced": "1"}).content.decode()
    page = client.get(f"/officer/items/{Consignment.objects.get().pk}/")

    assert "No pre-advice" in queue
    assert ITEM in queue
    assert page.status_code == 200
    assert ITEM in page.content.decode()


def test_the_officer_reads_the_hold_in_their_language():
    assert HOLD_REASON in FIXED


def test_the_officer_releases_it_only_once_its_pre_advice_came_and_was_scored(operator_client):
    from core.exceptions import InvalidTransition
    from officer.services import officer_release

    officer = UserFactory(role="OFFICER")
    _send(operator_client, _event("EMD", 10))
    with pytest.raises(InvalidTransition, match="arrived without pre-advice"):
        officer_release(consignment=Consignment.objects.get(), officer=officer)
    post(operator_client, "/api/v1/postal/items", batch(item()))
    with pytest.raises(InvalidTransition, match="arrived without pre-advice"):
        officer_release(consignment=Consignment.objects.get(), officer=officer)
    assert Consignment.objects.get().state == ConsignmentState.HELD

    consignments_assess(consignment_ids=[Consignment.objects.get().pk])
    released = officer_release(consignment=Consignment.objects.get(), officer=officer, reason="Checked at the counter")

    assert released.state in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)


def test_an_officer_scans_a_parcel_never_pre_advised_and_it_is_held(client, operator, operator_client):
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)

    response = client.post("/officer/arrivals", {"operator": operator.pk, "item_id": ITEM.lower(), "office": "basjja"})

    consignment = Consignment.objects.get()
    assert response["Location"] == f"/officer/items/{consignment.pk}/"
    assert (consignment.state, consignment.unannounced, consignment.arrived_at is not None) == (
        ConsignmentState.HELD,
        True,
        True,
    )
    entry = AuditEntry.objects.get(target_id=consignment.pk, action="clearance.consignment.arrived_unannounced")
    assert entry.actor_user_id == officer.pk
    assert [r["decision"] for r in operator_client.get("/api/v1/postal/responses?after=0").json()["results"]] == [
        "HOLD_INSPECTION"
    ]


def test_an_officer_scan_of_a_pre_advised_parcel_stamps_its_arrival(client, operator, operator_client):
    post(operator_client, "/api/v1/postal/items", batch(item()))
    client.force_login(UserFactory(role="OFFICER"))

    client.post("/officer/arrivals", {"operator": operator.pk, "item_id": ITEM})

    consignment = Consignment.objects.get()
    assert (consignment.unannounced, consignment.state) == (False, ConsignmentState.PRE_ADVISED)
    assert consignment.arrived_at is not None


def test_an_officer_scan_of_a_wrong_s10_records_nothing(client, operator):
    client.force_login(UserFactory(role="OFFICER"))

    response = client.post("/officer/arrivals", {"operator": operator.pk, "item_id": "RB123456786GB"}, follow=True)

    assert "Not a UPU S10 item id" in response.content.decode()
    assert not Consignment.objects.exists()
