"""Each customs decision is also a tracking event in UPU terms: on the feed, the webhook and the addressee's page."""

import json

import pytest

from clearance import transitions as T
from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Consignment
from clearance.services import consignments_transition
from clearance.tracking import CUSTOMS_EVENTS, CustomsEventReason
from core.actors import Actor
from core.choices import ActorKind
from postal import delivery
from postal.models import WebhookDelivery
from tests.payments.helpers import item_url
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db

OFFICER = Actor(kind=ActorKind.USER, label="officer:tests")
ITEM = "RB123456785GB"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _arrived_and_held(client):
    post(client, "/api/v1/postal/items", batch(item()))
    event = {"itemId": ITEM, "code": "EMD", "at": "2026-11-22T10:00:00Z", "office": "BASJJA"}
    post(client, "/api/v1/postal/events", {"events": [event]})
    consignment = Consignment.objects.get()
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.ASSESSED)
    consignments_transition(transition=T.HOLD, consignment_ids=[consignment.pk], actor=OFFICER)
    return consignment


def _feed(client):
    return client.get("/api/v1/postal/responses?after=0").json()["results"]


def test_a_hold_and_a_release_are_tracking_events_on_the_feed(operator_client):
    consignment = _arrived_and_held(operator_client)
    consignments_transition(transition=T.RELEASE, consignment_ids=[consignment.pk], actor=OFFICER)

    held, released = _feed(operator_client)

    assert held["event"] == {
        "code": "EME",
        "reasonCode": "HELD_FOR_INSPECTION",
        "office": "BASJJA",
        "at": held["decidedAt"],
    }
    assert (released["event"]["code"], released["event"]["reasonCode"]) == ("EDC", "RELEASED_NO_CHARGE")
    assert released["event"]["office"] == "BASJJA"


def test_an_item_not_arrived_yet_has_its_event_without_an_office(operator_client):
    post(operator_client, "/api/v1/postal/items", batch(item()))
    consignment = Consignment.objects.get()
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.ASSESSED)
    consignments_transition(transition=T.RELEASE, consignment_ids=[consignment.pk], actor=OFFICER)

    (released,) = _feed(operator_client)

    assert (released["event"]["code"], released["event"]["office"]) == ("EDC", "")


def test_a_withdrawn_pre_advice_makes_no_tracking_event(operator_client):
    post(operator_client, "/api/v1/postal/items", batch(item()))
    operator_client.delete(f"/api/v1/postal/items/{ITEM}?reason=ORDER_CANCELLED")

    (withdrawn,) = _feed(operator_client)

    assert (withdrawn["decision"], withdrawn["event"]) == ("WITHDRAWN", None)


@pytest.mark.parametrize(
    ("decision", "code", "reason"),
    [
        (DecisionCode.HOLD_INSPECTION, "EME", "HELD_FOR_INSPECTION"),
        (DecisionCode.REQUEST_INFO, "EME", "INFORMATION_REQUESTED"),
        (DecisionCode.REFER_OTHER_AGENCY, "EME", "REFERRED_TO_OTHER_AGENCY"),
        (DecisionCode.RELEASE_NO_CHARGE, "EDC", "RELEASED_NO_CHARGE"),
        (DecisionCode.RELEASE_CHARGES_DUE, "EDC", "RELEASED_CHARGES_DUE"),
        (DecisionCode.RELEASED, "EDC", "RELEASED_CHARGES_PAID"),
        (DecisionCode.RETURN_TO_SENDER, "EDX", "RETURNED_BY_CUSTOMS"),
        (DecisionCode.SEIZED, "EDX", "SEIZED"),
    ],
)
def test_every_decision_but_a_withdrawal_has_its_upu_event(decision, code, reason):
    assert CUSTOMS_EVENTS[decision] == (code, reason)
    assert set(CUSTOMS_EVENTS) == set(DecisionCode.values) - {DecisionCode.WITHDRAWN}


def test_the_webhook_carries_the_same_event(operator, operator_client, monkeypatch):
    sent = []
    monkeypatch.setattr(delivery, "post_signed", lambda url, secret, payload: sent.append(payload) or _answer())
    operator_client.put("/api/v1/postal/webhook", data={"url": "https://example.org/hook"}, format="json")
    _arrived_and_held(operator_client)

    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    for pk in WebhookDelivery.objects.values_list("pk", flat=True):
        delivery.webhook_delivery_send(delivery_id=pk)

    assert [payload["event"] for payload in sent] == [_feed(operator_client)[0]["event"]]
    assert sent[0]["event"]["code"] == "EME"


def _answer():
    from postal.webhooks import Answer

    return Answer(status=200, body="")


@pytest.mark.parametrize(
    ("language", "arrival", "held"),
    [
        ("en", "Arrival at inward office of exchange", "Held by customs for a check"),
        ("fr", "Arrivée au bureau d’échange", "Retenu par la douane pour un contrôle"),
    ],
)
def test_the_addressee_reads_the_timeline_in_plain_words(client, operator_client, language, arrival, held):
    consignment = _arrived_and_held(operator_client)

    html = client.get(item_url(consignment), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    timeline = html[html.index('id="timeline"') :]
    assert timeline.index(arrival) < timeline.index(held)
    assert "(BASJJA)" in timeline


def test_every_reason_has_plain_words():
    assert all(label for label in CustomsEventReason.labels)
