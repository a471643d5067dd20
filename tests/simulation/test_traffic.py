from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from clearance.models import Consignment
from postal.validation import validate_event, validate_item
from risk.indicators import vague_descriptions
from simulation.traffic import Mix, OperatorSimulator


def _validate(items):
    return [validate_item(item, index) for index, item in enumerate(items)]


def test_ordinary_traffic_is_valid_and_realistic():
    items = OperatorSimulator(seed=3, mix=Mix(risky_share=0, malformed_share=0)).batch(2000)
    assert all(errors == [] for _, errors in _validate(items))
    origins = Counter(item["sender"]["country"] for item in items)
    assert origins.most_common(1)[0][0] == "CN"
    assert {item["addressee"]["country"] for item in items} == {"BA"}
    assert len({item["itemId"] for item in items}) > 1990  # S10 ids rarely collide


def test_the_risky_share_carries_each_kind_of_risk():
    items = OperatorSimulator(seed=4, mix=Mix(risky_share=1, malformed_share=0)).batch(500)
    assert all(errors == [] for _, errors in _validate(items))
    descriptions = [line["description"] for item in items for line in item["contents"]]
    assert any(d.startswith(("Nike", "Rolex", "Gucci", "Apple", "Adidas")) for d in descriptions)
    assert any(line["hsCode"].startswith("93") for item in items for line in item["contents"] if "hsCode" in line)
    assert any(vague_descriptions([d], "SALE_OF_GOODS") for d in descriptions)
    addressees = Counter(item["addressee"]["email"] for item in items)
    assert addressees.most_common(1)[0][1] >= 3  # split shipments to one addressee


def test_the_malformed_share_is_rejected_by_validation():
    items = OperatorSimulator(seed=5, mix=Mix(risky_share=0, malformed_share=1)).batch(200)
    assert all(item is None for item, _ in _validate(items))


@pytest.mark.django_db(transaction=True)
def test_the_command_sends_traffic_through_the_real_http_api(live_server, api_key):
    out = StringIO()
    call_command(
        "simulate_operator",
        "--url",
        live_server.url,
        "--key",
        api_key,
        "--count",
        "60",
        "--batch",
        "20",
        "--rate",
        "0",
        "--seed",
        "9",
        "--malformed-share",
        "0.2",
        stdout=out,
    )

    summary = out.getvalue()
    assert "60 items in 3 requests" in summary
    stored = Consignment.objects.count()
    assert 0 < stored < 60  # the malformed ones were rejected, the rest stored
    assert f"'ACCEPTED': {stored}" in summary


def test_addresses_belong_to_their_country():
    from simulation.traffic import PLACES

    items = OperatorSimulator(seed=6, mix=Mix(risky_share=0, malformed_share=0)).batch(300)
    places = {(city, postcode) for city, postcode in PLACES["BA"]}
    assert all((i["addressee"]["city"], i["addressee"]["postcode"]) in places for i in items)
    chinese = [i["sender"] for i in items if i["sender"]["country"] == "CN"]
    assert chinese and all(len(s["postcode"]) == 6 and s["postcode"].isdigit() for s in chinese)


@pytest.mark.django_db(transaction=True)
def test_the_simulated_parcels_arrive_and_are_presented_to_customs(live_server, api_key):
    import time

    from clearance.models import ConsignmentEvent
    from simulation.loadgen import LoadRunner

    runner = LoadRunner(
        base_url=live_server.url,
        api_key=api_key,
        batch=5,
        rate=0,
        mix=Mix(risky_share=0, malformed_share=0),
        seed=7,
        journey_scale=0.5,
    )
    runner.run(count=5)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and ConsignmentEvent.objects.filter(code="EDB").count() < 5:
        time.sleep(0.2)
    runner.stop()
    arrived = Consignment.objects.filter(arrived_at__isnull=False, presented_at__isnull=False)
    assert arrived.count() == Consignment.objects.count() == 5
    assert all(c.arrived_at > c.pre_advised_at for c in arrived)


def test_the_command_sends_to_where_make_run_serves_and_explains_when_nothing_answers(settings, tmp_path):
    """Without --url it takes the platform's address, else the one `make run` wrote to var/; a connection
    refused is a message saying what to do, not a run that counts HTTP errors {0: N}."""
    import json
    import socket

    from django.core.management.base import CommandError

    from config import env

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = tmp_path / "serving.json"
    served.write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "pid": 1}))
    original = env.SERVED_FILE
    env.SERVED_FILE = served
    try:
        assert env.served_url() == f"http://127.0.0.1:{port}"
    finally:
        env.SERVED_FILE = original

    settings.OPENCLEAR_SIMULATOR_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(CommandError) as refused:
        call_command("simulate_operator", "--key", "k", "--count", "1", stdout=StringIO())
    assert f"nothing answers at http://127.0.0.1:{port}" in str(refused.value)
    assert "make run" in str(refused.value) and "OPENCLEAR_PUBLIC_URL" in str(refused.value)


def test_the_simulator_address_follows_the_public_url_then_make_runs(monkeypatch, tmp_path):
    import importlib
    import json

    from config import env

    served = tmp_path / "serving.json"
    served.write_text(json.dumps({"url": "http://127.0.0.1:9123"}))
    monkeypatch.setattr(env, "SERVED_FILE", served)
    monkeypatch.delenv("OPENCLEAR_PUBLIC_URL", raising=False)
    import config.settings.base as base

    try:
        assert importlib.reload(base).OPENCLEAR_SIMULATOR_URL == "http://127.0.0.1:9123"
        monkeypatch.setenv("OPENCLEAR_PUBLIC_URL", "https://clearance.example.org")
        assert importlib.reload(base).OPENCLEAR_SIMULATOR_URL == "https://clearance.example.org"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


class _RecordingSession:
    """Stands for requests.Session: keeps what would have been posted, answers the feed page it is given."""

    def __init__(self, page=None):
        self.posts = []
        self.page = page or {"results": [], "next": "0"}

    def post(self, url, json, headers, timeout):
        self.posts.append((url.rsplit("/", 1)[-1], json))

    def get(self, url, params, headers, timeout):
        page = self.page

        class Answer:
            def json(self):
                return page

        return Answer()


def test_the_journey_withdraws_some_pre_advice_sends_unannounced_parcels_and_follows_the_rest_to_the_door():
    from core import s10
    from simulation.loadgen import ParcelJourney

    journey = ParcelJourney(
        base_url="http://platform", headers={}, scale=1.0, seed=1, withdrawn_share=0.3, unannounced_share=0.3
    )
    ids = [s10.make("RB", 10_000_000 + n, "GB") for n in range(50)]
    journey.accepted(ids)
    session = _RecordingSession()
    journey._send_due(session, now=float("inf"))  # all that is due, whenever

    sent = dict(session.posts)
    withdrawn = {entry["itemId"] for entry in sent["withdrawals"]["withdrawals"]}
    arrived = {event["itemId"] for event in sent["events"]["events"] if event["code"] == "EMD"}
    presented = {event["itemId"] for event in sent["events"]["events"] if event["code"] == "EDB"}
    assert withdrawn and all(e["reason"] == "ORDER_CANCELLED" for e in sent["withdrawals"]["withdrawals"])
    assert presented == set(ids) - withdrawn
    unannounced = arrived - set(ids)
    assert unannounced and all(s10.is_valid(item_id) for item_id in unannounced)
    assert arrived & set(ids) == presented

    released = sorted(presented)[0]
    session = _RecordingSession({"results": [{"itemId": released, "decision": "RELEASE_NO_CHARGE"}], "next": "1"})
    journey._follow_responses(session)
    journey._send_due(session, now=float("inf"))

    (path, body), *_ = session.posts
    codes = [event["code"] for event in body["events"] if event["itemId"] == released]
    assert path == "events"
    assert codes[:3] == ["EMF", "EMG", "EDG"] and codes[-1] == "EMI"
    assert all(validate_event(event, 0, datetime.now(UTC))[1] == [] for event in body["events"])
