import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clearance import transitions as T
from clearance.choices import ConsignmentState
from clearance.models import Consignment, ConsignmentEvent
from clearance.services import consignment_require_payment, consignments_transition
from core.actors import Actor
from core.choices import ActorKind
from tests.factories import ConsignmentFactory
from tests.postal.payloads import batch, item

ACTOR = Actor(kind=ActorKind.USER, label="officer:tests")  # decisions on held items are an officer's


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _held(operator, n):
    items = [ConsignmentFactory(operator=operator) for _ in range(n)]
    Consignment.objects.filter(pk__in=[i.pk for i in items]).update(state=ConsignmentState.HELD)
    return items


@pytest.mark.django_db
class TestEvents:
    url = "/api/v1/postal/events"

    def test_it_stamps_arrival_presentation_exit_and_delivery(self, operator_client):
        post(operator_client, "/api/v1/postal/items", batch(item()))
        events = [
            {"itemId": "RB123456785GB", "code": code, "at": f"2026-11-22T{hour}:00:00Z", "office": "BASJJA"}
            for code, hour in [("EMD", 10), ("EDB", 11), ("EMF", 12), ("EMI", 15)]
        ]
        response = post(operator_client, self.url, {"events": events})

        assert response.status_code == 200
        assert response.json()["accepted"] == 4
        consignment = Consignment.objects.get()
        assert consignment.arrived_at.hour == 10
        assert consignment.presented_at.hour == 11
        assert consignment.exited_at.hour == 12
        assert consignment.delivered_at.hour == 15

    def test_a_repeated_event_is_a_duplicate_and_a_later_one_does_not_move_the_stamp(self, operator_client):
        post(operator_client, "/api/v1/postal/items", batch(item()))
        first = {"itemId": "RB123456785GB", "code": "EMD", "at": "2026-11-22T10:00:00Z"}
        later = {**first, "at": "2026-11-22T18:00:00+02:00"}
        post(operator_client, self.url, {"events": [first]})
        response = post(operator_client, self.url, {"events": [first, later]})

        assert [r["status"] for r in response.json()["results"]] == ["DUPLICATE", "ACCEPTED"]
        assert Consignment.objects.get().arrived_at.hour == 10
        assert ConsignmentEvent.objects.count() == 2

    @pytest.mark.parametrize(
        ("event", "field", "code"),
        [
            ({"code": "EMD", "at": "2026-11-22T10:00:00"}, "at", "timezone_required"),
            ({"code": "EMD", "at": "2099-01-01T00:00:00Z"}, "at", "implausible_datetime"),
            ({"code": "EMD", "at": "yesterday"}, "at", "invalid_datetime"),
            ({"code": "XXX", "at": "2026-11-22T10:00:00Z"}, "code", "invalid_choice"),
            ({"code": "EMD", "at": "2026-11-22T10:00:00Z", "office": "../etc"}, "office", "invalid_office"),
        ],
    )
    def test_it_rejects_bad_events_with_a_clear_error(self, operator_client, event, field, code):
        response = post(operator_client, self.url, {"events": [{"itemId": "RB123456785GB", **event}]})
        errors = response.json()["results"][0]["errors"]
        assert {"field": f"events[0].{field}", "code": code} in [
            {"field": e["field"], "code": e["code"]} for e in errors
        ]

    def test_an_event_for_another_operators_item_is_rejected_as_unknown(self, operator_client, other_operator_client):
        post(operator_client, "/api/v1/postal/items", batch(item()))
        response = post(
            other_operator_client,
            self.url,
            {"events": [{"itemId": "RB123456785GB", "code": "EMF", "at": "2026-11-22T10:00:00Z"}]},
        )
        assert response.json()["results"][0]["errors"][0]["code"] == "unknown_item"
        assert Consignment.objects.get().exited_at is None

    def test_an_arrival_of_another_operators_item_never_reaches_it(self, operator_client, other_operator_client):
        post(operator_client, "/api/v1/postal/items", batch(item()))
        response = post(
            other_operator_client,
            self.url,
            {"events": [{"itemId": "RB123456785GB", "code": "EMD", "at": "2026-11-22T10:00:00Z"}]},
        )
        # For the other operator it is a parcel it never pre-advised: recorded and held as its own.
        assert response.json()["results"][0]["status"] == "ACCEPTED"
        mine = Consignment.objects.get(unannounced=False)
        assert (mine.arrived_at, mine.state) == (None, ConsignmentState.PRE_ADVISED)


@pytest.mark.django_db
class TestItemDetail:
    def test_it_shows_status_decision_and_charges_but_never_risk_data(self, operator_client, operator):
        consignment = _held(operator, 1)[0]
        Consignment.objects.filter(pk=consignment.pk).update(lane="RED", risk_score="0.9100")
        charges = {"duty": "3.00", "vat": "7.35", "fees": "2.00", "total": "12.35", "currency": "EUR"}
        consignment_require_payment(consignment=consignment, actor=ACTOR, charges=charges, reason="VAT due")

        response = operator_client.get(f"/api/v1/postal/items/{consignment.item_id}")

        body = response.json()
        assert response.status_code == 200
        assert body["status"] == "CHARGES_DUE"
        assert body["decision"]["decision"] == "RELEASE_CHARGES_DUE"
        assert body["decision"]["sequence"] == 1
        assert body["charges"] == charges
        assert set(body) == {
            "itemId",
            "status",
            "version",
            "preAdvisedAt",
            "arrivedAt",
            "presentedAt",
            "exitedAt",
            "deliveredAt",
            "decision",
            "charges",
        }
        text = json.dumps(body)
        assert "RED" not in text and "0.91" not in text and "lane" not in text.lower()

    def test_another_operators_item_answers_404_like_an_unknown_one(self, operator, other_operator_client):
        consignment = ConsignmentFactory(operator=operator)
        foreign = other_operator_client.get(f"/api/v1/postal/items/{consignment.item_id}")
        unknown = other_operator_client.get("/api/v1/postal/items/RB999999990GB")
        assert foreign.status_code == unknown.status_code == 404
        assert foreign.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
class TestResponsesFeed:
    url = "/api/v1/postal/responses"

    def test_it_pages_through_decisions_in_order_each_once(self, operator_client, operator):
        items = _held(operator, 5)
        consignments_transition(transition=T.RELEASE, consignment_ids=[i.pk for i in items[:3]], actor=ACTOR)
        consignments_transition(transition=T.SEIZE, consignment_ids=[items[3].pk], actor=ACTOR, reason="fake")

        first = operator_client.get(self.url, {"limit": 2}).json()
        second = operator_client.get(self.url, {"after": first["next"], "limit": 2}).json()
        third = operator_client.get(self.url, {"after": second["next"]}).json()

        sequences = [r["sequence"] for page in (first, second, third) for r in page["results"]]
        assert sequences == [1, 2, 3, 4]
        assert second["results"][1]["decision"] == "SEIZED"
        assert second["results"][1]["reason"] == "fake"
        assert third == {"results": [], "next": "4"}

    def test_an_operator_never_sees_another_operators_responses(self, operator, other_operator_client):
        items = _held(operator, 2)
        consignments_transition(transition=T.RELEASE, consignment_ids=[i.pk for i in items], actor=ACTOR)
        assert other_operator_client.get(self.url).json()["results"] == []

    @pytest.mark.parametrize("after", ["-1", "abc", "1.5"])
    def test_a_bad_cursor_answers_400(self, operator_client, after):
        response = operator_client.get(self.url, {"after": after})
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "after"


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_the_feed_gives_every_response_once_in_order_while_decisions_are_made_concurrently(operator, operator_client):
    items = _held(operator, 120)
    chunks = [items[i::4] for i in range(4)]
    seen: list[int] = []
    done = threading.Event()

    def decide(chunk):
        try:
            for consignment in chunk:
                consignments_transition(transition=T.RELEASE, consignment_ids=[consignment.pk], actor=ACTOR)
        finally:
            connection.close()

    def read_feed():
        cursor = "0"
        try:
            while True:
                finished = done.is_set()
                page = operator_client.get("/api/v1/postal/responses", {"after": cursor, "limit": 7}).json()
                seen.extend(r["sequence"] for r in page["results"])
                cursor = page["next"]
                if finished and not page["results"]:
                    return
        finally:
            connection.close()

    reader = threading.Thread(target=read_feed)
    reader.start()
    writers = [threading.Thread(target=decide, args=(chunk,)) for chunk in chunks]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    reader.join(timeout=60)

    assert seen == list(range(1, 121))


@pytest.mark.django_db
def test_the_stuck_item_sweep_re_enqueues_old_pre_advised_items(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from risk.tasks import consignments_sweep_stuck

    settings.OPENCLEAR_RISK_CHUNK_SIZE = 500
    sent = []
    monkeypatch.setattr("risk.tasks.consignments_assess.delay", lambda ids: sent.append(ids))
    stuck = ConsignmentFactory(state_changed_at=timezone.now() - timedelta(hours=1))
    ConsignmentFactory()  # fresh: its task is probably still in the queue

    with django_capture_on_commit_callbacks(execute=True):
        assert consignments_sweep_stuck() == 1
    assert sent == [[stuck.pk]]


@pytest.mark.django_db
def test_an_item_lost_with_a_killed_worker_is_swept_soon_when_the_scoring_queue_is_empty(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from risk import selectors
    from risk.tasks import consignments_sweep_stuck

    settings.OPENCLEAR_STUCK_IDLE_AFTER = timedelta(seconds=30)
    sent = []
    monkeypatch.setattr("risk.tasks.consignments_assess.delay", lambda ids: sent.append(ids))
    lost = ConsignmentFactory(state_changed_at=timezone.now() - timedelta(seconds=45))
    ConsignmentFactory()  # its task was just enqueued

    monkeypatch.setattr(selectors, "scoring_backlog", lambda: 3)  # a backlog: the item may still be in it
    with django_capture_on_commit_callbacks(execute=True):
        assert consignments_sweep_stuck() == 0
    monkeypatch.setattr(selectors, "scoring_backlog", lambda: 0)  # nothing waits: the item was lost
    with django_capture_on_commit_callbacks(execute=True):
        assert consignments_sweep_stuck() == 1
    assert sent == [[lost.pk]]


@pytest.mark.django_db
def test_the_scoring_backlog_is_read_from_the_broker():
    from config.celery import app
    from risk.selectors import scoring_backlog
    from risk.tasks import consignments_assess

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("scoring")
        assert scoring_backlog() == 0
        consignments_assess.apply_async(([1],), connection=connection)
        consignments_assess.apply_async(([2],), connection=connection)
        assert scoring_backlog() == 2
        connection.default_channel.queue_purge("scoring")


@pytest.mark.django_db
def test_the_items_charges_are_the_current_assessment_after_each_correction(operator_client, operator):
    from decimal import Decimal

    from officer.services import officer_correct_line
    from payments.models import Assessment
    from tests.factories import UserFactory
    from tests.payments.helpers import approved_by_a_second_officer, make_due

    due = make_due(operator=operator)
    officer = UserFactory(role="OFFICER")
    url = f"/api/v1/postal/items/{due.item_id}"
    first = Assessment.objects.get(consignment=due, is_current=True)
    assert operator_client.get(url).json()["charges"] == first.charges()

    officer_correct_line(
        consignment=due, officer=officer, position=1, hs_code="", value=Decimal("340.00"), reason="Invoice: USD 340"
    )
    lower = Assessment.objects.get(consignment=due, is_current=True)
    body = operator_client.get(url).json()
    assert lower.total < first.total and body["charges"] == lower.charges()
    assert body["decision"]["charges"] == lower.charges()  # the new amount was sent to the operator too

    approved_by_a_second_officer(  # giving up nearly all the charges takes four eyes
        officer_correct_line,
        consignment=due,
        officer=officer,
        position=1,
        hs_code="",
        value=Decimal("10.00"),
        reason="Invoice: USD 10",
    )
    body = operator_client.get(url).json()
    assert body["status"] == "RELEASED" and body["decision"]["decision"] == "RELEASE_NO_CHARGE"
    assert body["charges"]["total"] == "0.00"  # not the superseded amount an operator would collect at the door
