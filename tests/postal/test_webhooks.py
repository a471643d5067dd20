import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from clearance import transitions as T
from clearance.choices import ConsignmentState
from clearance.models import Consignment
from clearance.services import consignments_transition
from core.actors import Actor
from core.choices import ActorKind
from postal import delivery
from postal.choices import DeliveryStatus
from postal.models import WebhookDelivery, WebhookEndpoint
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on loopback that answers with the statuses it is given."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/customs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    instances = []

    def make(*statuses):
        instances.append(Receiver(statuses))
        return instances[-1]

    yield make
    for instance in instances:
        instance.close()


def _register(operator_client, url):
    response = operator_client.put("/api/v1/postal/webhook", data={"url": url}, format="json")
    assert response.status_code == 200
    return response.json()["secret"]


OFFICER = Actor(kind=ActorKind.USER, label="officer:tests")  # decisions on held items are an officer's


def _decide(operator):
    consignment = ConsignmentFactory(operator=operator)
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.HELD)
    consignments_transition(transition=T.RELEASE, consignment_ids=[consignment.pk], actor=OFFICER)
    return consignment


def _send_due():
    return [
        delivery.webhook_delivery_send(delivery_id=pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)
    ]


def test_a_receiver_can_verify_the_signed_response(operator, operator_client, receiver):
    server = receiver(200)
    secret = _register(operator_client, server.url)
    consignment = _decide(operator)

    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    assert _send_due() == [DeliveryStatus.DELIVERED]

    headers, body = server.requests[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-OpenClear-Signature"], expected)
    payload = json.loads(body)
    assert payload["itemId"] == consignment.item_id
    assert payload["decision"] == "RELEASE_NO_CHARGE"
    assert payload["sequence"] == 1


def test_a_delivery_is_retried_after_the_receiver_answers_500(operator, operator_client, receiver, settings):
    settings.OPENCLEAR_WEBHOOK_RETRY_BASE_SECONDS = 10
    server = receiver(500, 200)
    _register(operator_client, server.url)
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)

    assert _send_due() == ["retry"]
    record = WebhookDelivery.objects.get()
    assert (record.status, record.attempts, record.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert record.next_attempt_at > timezone.now()
    assert _send_due() == ["skipped"]  # not due yet: backoff holds

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert _send_due() == [DeliveryStatus.DELIVERED]
    assert len(server.requests) == 2
    assert _send_due() == ["skipped"]  # delivered: never sent again


def test_a_delivery_is_dead_after_the_last_attempt_and_can_be_retried(operator, operator_client, receiver, settings):
    settings.OPENCLEAR_WEBHOOK_MAX_ATTEMPTS = 2
    server = receiver(500, 503, 200)
    _register(operator_client, server.url)
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)

    _send_due()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert _send_due() == [DeliveryStatus.DEAD]

    delivery.webhook_delivery_retry(delivery=WebhookDelivery.objects.get())
    assert _send_due() == [DeliveryStatus.DELIVERED]


def test_dispatch_creates_one_delivery_per_response_however_often_it_runs(operator, operator_client, receiver):
    _register(operator_client, receiver().url)
    _decide(operator)
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    assert WebhookDelivery.objects.count() == 2


def test_an_unreachable_receiver_never_blocks_decisions(operator, operator_client):
    _register(operator_client, "http://127.0.0.1:9/nothing-listens-here")
    consignment = _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    assert _send_due() == ["retry"]
    assert "Connection refused" in WebhookDelivery.objects.get().last_error
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.RELEASED


def test_the_secret_is_shown_once(operator_client):
    _register(operator_client, "https://post.example/customs")
    shown = operator_client.get("/api/v1/postal/webhook").json()
    assert shown == {"url": "https://post.example/customs", "isActive": True}


class TricklingReceiver:
    """Answers a status line at once, then one byte of its headers every second, for a minute."""

    def __init__(self):
        import socket

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/customs"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"y" * 60:
                if self.stop.wait(1):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    def close(self):
        self.stop.set()
        self.listener.close()


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(operator, operator_client, settings):
    settings.OPENCLEAR_WEBHOOK_DEADLINE_SECONDS = 2
    slow = TricklingReceiver()
    try:
        _register(operator_client, slow.url)
        _decide(operator)
        delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
        assert _send_due() == ["retry"]  # without a total deadline it would end, a minute later, as delivered
    finally:
        slow.close()
    assert "No complete answer within 2 s" in WebhookDelivery.objects.get().last_error


def test_removing_the_webhook_stops_its_pending_deliveries(operator, operator_client, receiver):
    target = receiver(500)
    _register(operator_client, target.url)
    _decide(operator)
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    first = WebhookDelivery.objects.order_by("pk").first()
    assert delivery.webhook_delivery_send(delivery_id=first.pk) == "retry"

    assert operator_client.delete("/api/v1/postal/webhook").status_code == 204
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert _send_due() == ["skipped", "skipped"]
    assert len(target.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.251/hook",
        "http://0.0.0.0/hook",
        "ftp://post.example/hook",
        "http://user:secret@post.example/hook",
    ],
)
def test_a_webhook_cannot_point_inside(operator_client, settings, url):
    settings.OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = operator_client.put("/api/v1/postal/webhook", data={"url": url}, format="json")
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_an_address_that_turns_private_after_registration_is_refused_at_delivery(
    operator, operator_client, receiver, settings
):
    target = receiver(200)
    _register(operator_client, target.url)  # allowed here: the tests' own loopback receiver
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    settings.OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert _send_due() == ["retry"]
    assert "127.0.0.1" in WebhookDelivery.objects.get().last_error and not target.requests


def test_a_redirect_is_not_followed(operator, operator_client, receiver):
    elsewhere = receiver(200)

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", elsewhere.url)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _register(operator_client, f"http://127.0.0.1:{server.server_address[1]}/customs")
        _decide(operator)
        delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
        assert _send_due() == ["retry"]
    finally:
        server.shutdown()
        server.server_close()
    assert WebhookDelivery.objects.get().last_status_code == 307 and not elsewhere.requests


def test_webhook_tasks_have_a_queue_of_their_own():
    from config.celery import app
    from postal import tasks

    for task in (tasks.webhook_delivery_send, tasks.webhook_deliveries_dispatch, tasks.webhook_deliveries_sweep):
        assert app.amqp.router.route({}, task.name)["queue"].name == "webhooks"
    assert app.amqp.router.route({}, "risk.tasks.consignments_assess")["queue"].name == "scoring"


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_concurrent_senders_of_one_operator_do_not_skip_each_others_deliveries(operator, operator_client, receiver):
    from django.db import connection, transaction

    target = receiver()
    _register(operator_client, target.url)
    _decide(operator)
    _decide(operator)
    delivery.webhook_deliveries_dispatch(operator_id=operator.pk)
    first, second = WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)
    outcome = []

    def send_the_second_while_the_first_is_locked():
        outcome.append(delivery.webhook_delivery_send(delivery_id=second))
        connection.close()

    with transaction.atomic():  # a sender holds the first delivery while the operator's endpoint row is locked too
        WebhookDelivery.objects.select_for_update(of=("self",)).get(pk=first)
        WebhookEndpoint.objects.select_for_update().get(operator=operator)
        thread = threading.Thread(target=send_the_second_while_the_first_is_locked)
        thread.start()
        thread.join()
    assert outcome == [DeliveryStatus.DELIVERED]
