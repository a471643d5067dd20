import json

import pytest

from clearance import transitions as T
from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Consignment, ConsignmentEvent, Decision, ItemKey, SeizureRequest
from clearance.services import consignments_transition
from core import s10
from core.actors import Actor
from core.choices import ActorKind
from core.models import AuditEntry
from officer.audit_text import FIXED
from officer.selectors import QueueFilters, queue_queryset
from postal import delivery
from postal.models import WebhookDelivery
from postal.withdrawals import REASON_SENTENCES
from tests.factories import UserFactory
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db

OFFICER = Actor(kind=ActorKind.USER, label="officer:tests")
ITEM = "RB123456785GB"
OTHER_ITEM = "RB123456799GB"
UNKNOWN_ITEM = s10.make("RB", 87654321, "GB")
URL = f"/api/v1/postal/items/{ITEM}"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def delete(client, url, body=None):
    if body is None:
        return client.delete(url)
    return client.delete(url, data=json.dumps(body), content_type="application/json")


def _pre_advise(client, *serials):
    response = post(client, "/api/v1/postal/items", batch(*(item(serial) for serial in serials or (12345678,))))
    assert response.json()["rejected"] == 0


def _events(client, item_id, *codes):
    events = [
        {"itemId": item_id, "code": code, "at": f"2026-11-22T1{hour}:00:00Z", "office": "BASJJA"}
        for hour, code in enumerate(codes)
    ]
    assert post(client, "/api/v1/postal/events", {"events": events}).json()["rejected"] == 0


def _put_in_state(state):
    Consignment.objects.filter(item_id=ITEM).update(state=state)


class TestWithdrawOne:
    def test_it_withdraws_a_held_item_before_presentation_and_audits_it(self, operator_client):
        _pre_advise(operator_client)
        _put_in_state(ConsignmentState.HELD)
        consignment = Consignment.objects.get()
        assert list(queue_queryset(QueueFilters())) == [consignment]

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.status_code == 200
        body = response.json()
        assert (body["itemId"], body["status"], body["reason"]) == (ITEM, "WITHDRAWN", "ORDER_CANCELLED")
        consignment.refresh_from_db()
        assert consignment.state == ConsignmentState.WITHDRAWN
        assert list(queue_queryset(QueueFilters())) == []
        entry = AuditEntry.objects.get(target_id=consignment.pk, action="clearance.consignment.withdrawn")
        assert entry.payload["reasonCode"] == "ORDER_CANCELLED"
        assert entry.reason == "Pre-advice withdrawn by the operator: the order was cancelled."
        assert entry.actor_kind == ActorKind.OPERATOR

    def test_it_is_answered_on_the_feed_and_the_webhook(self, operator, operator_client):
        webhook = operator_client.put("/api/v1/postal/webhook", data={"url": "https://example.org/hook"}, format="json")
        assert webhook.status_code == 200
        _pre_advise(operator_client)

        delete(operator_client, URL + "?reason=RELABELLED")

        feed = operator_client.get("/api/v1/postal/responses?after=0").json()["results"]
        assert [(r["itemId"], r["decision"]) for r in feed] == [(ITEM, "WITHDRAWN")]
        assert "re-labelled" in feed[0]["reason"]
        delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
        assert WebhookDelivery.objects.get().decision.code == DecisionCode.WITHDRAWN

    def test_the_item_is_gone_for_the_operator_and_a_second_withdrawal_answers_the_same(self, operator_client):
        _pre_advise(operator_client)
        first = delete(operator_client, URL, {"reason": "NOT_SHIPPED"}).json()

        again = delete(operator_client, URL, {"reason": "NOT_SHIPPED"})

        assert again.status_code == 200
        assert again.json()["withdrawnAt"] == first["withdrawnAt"]
        assert Decision.objects.count() == 1
        assert operator_client.get(URL).status_code == 404
        assert not ItemKey.objects.exists()

    def test_the_same_s10_sent_again_is_a_new_pre_advice_that_gets_the_events(self, operator_client):
        _pre_advise(operator_client)
        delete(operator_client, URL, {"reason": "SENT_IN_ERROR"})

        response = post(operator_client, "/api/v1/postal/items", batch(item()))
        _events(operator_client, ITEM, "EMD")

        assert response.json()["results"][0]["status"] == "ACCEPTED"
        old, new = Consignment.objects.order_by("pre_advised_at", "pk")
        assert (old.state, new.state) == (ConsignmentState.WITHDRAWN, ConsignmentState.PRE_ADVISED)
        assert ItemKey.objects.get().consignment_id == new.pk
        assert operator_client.get(URL).json()["status"] == "PRE_ADVISED"
        assert list(ConsignmentEvent.objects.values_list("consignment_id", flat=True)) == [new.pk]

    def test_it_is_refused_after_presentation(self, operator_client):
        _pre_advise(operator_client)
        _events(operator_client, ITEM, "EMD", "EDB")

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "withdrawal_refused"
        assert error["details"][0]["code"] == "already_presented"
        assert Consignment.objects.get().state == ConsignmentState.PRE_ADVISED
        assert not AuditEntry.objects.filter(action="clearance.consignment.withdrawn").exists()
        assert not Decision.objects.exists()

    def test_an_item_that_arrived_but_was_not_presented_may_still_be_withdrawn(self, operator_client):
        _pre_advise(operator_client)
        _events(operator_client, ITEM, "EMD")

        assert delete(operator_client, URL, {"reason": "ORDER_CANCELLED"}).status_code == 200

    @pytest.mark.parametrize(
        ("state", "code"),
        [
            (ConsignmentState.RELEASED, "final_decision"),
            (ConsignmentState.SEIZED, "final_decision"),
            (ConsignmentState.RETURNED, "final_decision"),
            (ConsignmentState.PAID, "charges_paid"),
        ],
    )
    def test_it_is_refused_after_a_final_decision_or_payment(self, operator_client, state, code):
        _pre_advise(operator_client)
        _put_in_state(state)

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.status_code == 409
        assert response.json()["error"]["details"][0]["code"] == code
        assert Consignment.objects.get().state == state

    def test_it_is_refused_after_a_release_decided_by_the_system(self, operator_client):
        _pre_advise(operator_client)
        _put_in_state(ConsignmentState.ASSESSED)
        consignments_transition(transition=T.RELEASE, consignment_ids=[Consignment.objects.get().pk], actor=OFFICER)

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.json()["error"]["details"][0]["code"] == "final_decision"
        assert ItemKey.objects.filter(item_id=ITEM).exists()

    def test_it_is_refused_while_a_seizure_waits_for_a_supervisor(self, operator_client):
        _pre_advise(operator_client)
        _put_in_state(ConsignmentState.HELD)
        proposer = UserFactory()
        SeizureRequest.objects.create(consignment=Consignment.objects.get(), reason="Counterfeit", proposed_by=proposer)

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.json()["error"]["details"][0]["code"] == "under_customs_control"
        assert Consignment.objects.get().state == ConsignmentState.HELD

    def test_an_item_that_arrived_without_pre_advice_has_none_to_withdraw(self, operator_client):
        event = {"itemId": ITEM, "code": "EMD", "at": "2026-11-22T10:00:00Z", "office": "BASJJA"}
        post(operator_client, "/api/v1/postal/events", {"events": [event]})

        response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.status_code == 409
        assert response.json()["error"]["details"][0]["code"] == "no_pre_advice"
        assert Consignment.objects.get().state == ConsignmentState.HELD

    def test_another_operators_item_answers_404_and_is_untouched(self, operator_client, other_operator_client):
        _pre_advise(operator_client)

        response = delete(other_operator_client, URL, {"reason": "ORDER_CANCELLED"})

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert Consignment.objects.get().state == ConsignmentState.PRE_ADVISED

    @pytest.mark.parametrize(("body", "code"), [(None, "required"), ({"reason": "BORED"}, "invalid_choice")])
    def test_a_withdrawal_without_a_known_reason_is_a_400(self, operator_client, body, code):
        _pre_advise(operator_client)

        response = delete(operator_client, URL, body)

        assert response.status_code == 400
        assert {"field": "reason", "code": code} in [
            {"field": d["field"], "code": d["code"]} for d in response.json()["error"]["details"]
        ]
        assert Consignment.objects.get().state == ConsignmentState.PRE_ADVISED


class TestWithdrawMany:
    url = "/api/v1/postal/withdrawals"

    def test_each_entry_is_judged_on_its_own(self, operator_client):
        _pre_advise(operator_client, 12345678, 12345679)
        _events(operator_client, OTHER_ITEM, "EMD", "EDB")
        entries = [
            {"itemId": ITEM, "reason": "ORDER_CANCELLED"},
            {"itemId": OTHER_ITEM, "reason": "ORDER_CANCELLED"},
            {"itemId": ITEM, "reason": "ORDER_CANCELLED"},
            {"itemId": UNKNOWN_ITEM, "reason": "ORDER_CANCELLED"},
            {"itemId": ITEM, "reason": "WHY_NOT"},
        ]

        response = post(operator_client, self.url, {"withdrawals": entries})

        assert response.status_code == 200
        body = response.json()
        assert [r["status"] for r in body["results"]] == ["WITHDRAWN", "REJECTED", "DUPLICATE", "REJECTED", "REJECTED"]
        assert [e["code"] for r in body["results"] for e in r["errors"]] == [
            "already_presented",
            "unknown_item",
            "invalid_choice",
        ]
        assert body["results"][1]["errors"][0]["field"] == "withdrawals[1].itemId"
        assert (body["accepted"], body["rejected"]) == (2, 3)
        states = dict(Consignment.objects.values_list("item_id", "state"))
        assert states == {ITEM: ConsignmentState.WITHDRAWN, OTHER_ITEM: ConsignmentState.PRE_ADVISED}
        assert Decision.objects.get().code == DecisionCode.WITHDRAWN

    def test_items_withdrawn_before_are_duplicates(self, operator_client):
        _pre_advise(operator_client)
        delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

        response = post(operator_client, self.url, {"withdrawals": [{"itemId": ITEM, "reason": "ORDER_CANCELLED"}]})

        assert response.json()["results"][0]["status"] == "DUPLICATE"
        assert Decision.objects.count() == 1

    def test_another_operators_items_are_unknown(self, operator_client, other_operator_client):
        _pre_advise(operator_client)

        response = post(other_operator_client, self.url, {"withdrawals": [{"itemId": ITEM, "reason": "OTHER"}]})

        assert response.json()["results"][0]["errors"][0]["code"] == "unknown_item"
        assert Consignment.objects.get().state == ConsignmentState.PRE_ADVISED

    def test_an_empty_batch_is_a_400(self, operator_client):
        response = post(operator_client, self.url, {"withdrawals": []})

        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "withdrawals"


def test_the_officer_reads_every_withdrawal_reason_in_their_language():
    assert set(REASON_SENTENCES.values()) <= FIXED


def test_a_withdrawn_item_is_not_scored(operator_client):
    from risk.services import consignments_assess

    _pre_advise(operator_client)
    delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

    consignments_assess(consignment_ids=list(Consignment.objects.values_list("pk", flat=True)))

    assert Consignment.objects.get().state == ConsignmentState.WITHDRAWN


def test_goods_that_arrived_while_an_officer_holds_the_item_cannot_be_withdrawn(operator_client):
    _pre_advise(operator_client)
    _put_in_state(ConsignmentState.HELD)
    _events(operator_client, ITEM, "EMD")

    response = delete(operator_client, URL, {"reason": "ORDER_CANCELLED"})

    assert response.status_code == 409
    assert response.json()["error"]["details"][0]["code"] == "arrived"
    assert Consignment.objects.get().state == ConsignmentState.HELD


def test_an_item_an_officer_asked_about_is_remembered_when_withdrawn_before_arrival(operator_client):
    from clearance.models import PartyHold

    _pre_advise(operator_client)
    _put_in_state(ConsignmentState.INFO_REQUESTED)

    assert delete(operator_client, URL, {"reason": "ORDER_CANCELLED"}).status_code == 200
    assert PartyHold.objects.filter(item_id=ITEM, kind=PartyHold.Kind.WITHDRAWN).exists()
