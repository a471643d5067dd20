"""make chaos: faults injected into the real stack on loopback, then a count of what was lost.

Runs its own PostgreSQL and Redis (append-only) under a scratch directory, so it
can kill and restart them, with gunicorn, a Celery worker and Celery beat. The
operator side is a client that does what api.md asks of operators: on a
connection error, a 5xx or a 409 it sends the same batch again with the same
Idempotency-Key. For each fault it prints what was injected, the items sent,
accepted, decided, lost (accepted but without a decision: must be 0) and
duplicated (a decision, webhook delivery or payment recorded twice: must be 0),
and how long the platform took to recover.

`--short` (CI) sends fewer items and keeps outages to seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from devstack import processes

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    fault: str
    injected: str
    sent: int = 0
    accepted: int = 0
    decided: int = 0
    lost: int = 0
    duplicated: int = 0
    recovered_seconds: float | None = None
    notes: list[str] = field(default_factory=list)
    # A recovery slower than this fails the fault (None: no limit).
    limit_seconds: float | None = None
    broken_rule: str = ""  # a rule of the fault that did not hold, in words

    @property
    def ok(self) -> bool:
        in_time = self.limit_seconds is None or (
            self.recovered_seconds is not None and self.recovered_seconds <= self.limit_seconds
        )
        return self.lost == 0 and self.duplicated == 0 and self.accepted > 0 and in_time and not self.broken_rule


class Stack:
    """The platform's processes on loopback, started and killed at will.

    Like the restart policy of docker-compose.yml (unless-stopped), a process
    that exits on its own is started again; the restarts are reported.
    """

    def __init__(self, env: dict[str, str], state) -> None:
        from devstack.processes import ProcessGroup

        self.env = env
        self.state = state
        self.group = ProcessGroup()
        self.base = ""
        self.restarts: dict[str, int] = {}
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def supervise(self) -> None:
        def loop() -> None:
            while not self.stopping.wait(0.5):
                with self.lock:
                    exited = [name for name, p in self.group.children.items() if p.poll() is not None]
                    for name in exited:
                        self.group.children.pop(name)
                        self.restarts[name] = self.restarts.get(name, 0) + 1
                        {"worker": self.start_worker, "webhooks": self.start_webhooks, "beat": self.start_beat}[name]()

        threading.Thread(target=loop, daemon=True).start()

    def take_restarts(self) -> str:
        with self.lock:
            text = ", ".join(f"{name} exited and was restarted {n}×" for name, n in self.restarts.items())
            self.restarts.clear()
        return text

    def start_web(self, workers: int = 2) -> None:
        from bench.run import start_web

        self.base = start_web(self.group, self.env, workers)

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        """Scoring and the rest, as `make run` and docker-compose run them."""
        return self._celery_worker(name, queues=processes.SCORING_QUEUES, concurrency=2)

    def start_webhooks(self) -> subprocess.Popen:
        """Webhook deliveries in threads of their own, as `make run` and docker-compose run them."""
        return self._celery_worker(
            "webhooks", queues=processes.WEBHOOK_QUEUES, pool="threads", concurrency=processes.WEBHOOK_THREADS
        )

    def _celery_worker(self, name: str, **options) -> subprocess.Popen:
        argv = processes.celery_worker_argv(
            hostname=f"{name}-{time.time_ns()}@%h", loglevel="ERROR", solitary=True, **options
        )
        return self.group.start(name, argv, env=self.env)

    def start_beat(self) -> None:
        schedule = Path(self.env["OPENCLEAR_VAR_DIR"]) / "celerybeat-schedule"
        self.group.start("beat", processes.celery_beat_argv(schedule=schedule, loglevel="ERROR"), env=self.env)

    def kill(self, name: str) -> None:
        """kill -9 a process and all its children (a worker's pool); it stays down until started again."""
        with self.lock:
            process = self.group.children.pop(name)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def ensure_worker(self) -> None:
        with self.lock:
            if "worker" not in self.group.children:
                self.start_worker()

    def ensure_webhooks(self) -> None:
        with self.lock:
            if "webhooks" not in self.group.children:
                self.start_webhooks()

    def kill_gunicorn_workers(self) -> int:
        """kill -9 the request-serving children of gunicorn; its master starts new ones."""
        master = self.group.children["web"].pid
        children = [
            int(pid)
            for pid in subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
        ]
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        return len(children)

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            self.group.stop()


# --- The operator's side ------------------------------------------------------------------------


class Operator:
    """A postal operator's client: sends batches and retries them with their Idempotency-Key."""

    serial = 0

    def __init__(self, stack: Stack, code: str) -> None:
        from bench.run import manage

        self.stack = stack
        self.code = code
        self.key = manage(stack.env, "create_operator", f"Chaos {code}", "--code", code).strip().splitlines()[-1]
        self.accepted: set[str] = set()
        self.sent = 0
        self.lock = threading.Lock()

    def headers(self, **extra) -> dict:
        return {"Authorization": f"Api-Key {self.key}", "Content-Type": "application/json", **extra}

    def batch(self, size: int, **overrides) -> list[dict]:
        from bench.run import _unique_id
        from simulation.traffic import Mix, OperatorSimulator

        items = OperatorSimulator(seed=Operator.serial, mix=Mix(risky_share=0.1, malformed_share=0.0)).batch(size)
        for item in items:
            Operator.serial += 1
            item["itemId"] = _unique_id(Operator.serial, item["itemId"])
            item.update(overrides)
        return items

    def send(self, items: list[dict], *, deadline: float) -> None:
        """POST until an answer with per-item results comes back (or the deadline passes)."""
        key = f"{self.code}-{items[0]['itemId']}-{len(items)}"
        body = json.dumps({"messageId": key, "items": items}).encode()
        with self.lock:
            self.sent += len(items)
        while time.monotonic() < deadline:
            try:
                response = requests.post(
                    f"{self.stack.base}/api/v1/postal/items",
                    data=body,
                    timeout=60,
                    headers=self.headers(**{"Idempotency-Key": key}),
                )
            except requests.RequestException:
                time.sleep(0.5)
                continue
            if response.status_code == 200:
                # DUPLICATE: stored by an earlier try whose answer was lost.
                ids = {
                    r["itemId"]
                    for r in response.json()["results"]
                    if r["status"] in ("ACCEPTED", "AMENDED", "DUPLICATE")
                }
                with self.lock:
                    self.accepted |= ids
                return
            time.sleep(0.5)  # 5xx while a store is down, 409 while the first try still runs
        raise RuntimeError(f"{self.code}: a batch was never answered")

    def send_many(self, batches: int, size: int, *, deadline: float, concurrency: int = 2) -> None:
        payloads = [self.batch(size) for _ in range(batches)]
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda items: self.send(items, deadline=deadline), payloads))


# --- What the database says ----------------------------------------------------------------------


def _query(sql: str, params: list) -> list[tuple]:
    """A fresh connection per check: the database may have been restarted since the last one."""
    import psycopg2

    from config.env import parse_database_url

    url = parse_database_url(os.environ["DATABASE_URL"])
    for _ in range(60):
        try:
            conn = psycopg2.connect(host=url.host, port=url.port, user=url.user, password=url.password, dbname=url.name)
            break
        except psycopg2.OperationalError:
            time.sleep(1)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        conn.close()


def decided_count(operator: Operator) -> int:
    return _query(
        "SELECT count(DISTINCT c.id) FROM clearance_consignment c "
        "JOIN clearance_postaloperator o ON o.id = c.operator_id "
        "JOIN clearance_decision d ON d.consignment_id = c.id WHERE o.code = %s AND c.item_id = ANY(%s)",
        [operator.code, sorted(operator.accepted)],
    )[0][0]


def duplicates(operator: Operator) -> int:
    """Decisions of one code twice for an item, webhook deliveries twice for a decision, payments twice."""
    (twice,) = _query(
        "SELECT count(*) FROM (SELECT d.consignment_id, d.code FROM clearance_decision d "
        "JOIN clearance_postaloperator o ON o.id = d.operator_id WHERE o.code = %s "
        "GROUP BY 1, 2 HAVING count(*) > 1) x",
        [operator.code],
    )[0]
    (deliveries,) = _query(
        "SELECT count(*) FROM (SELECT w.decision_id FROM postal_webhookdelivery w "
        "JOIN clearance_decision d ON d.id = w.decision_id JOIN clearance_postaloperator o ON o.id = d.operator_id "
        "WHERE o.code = %s GROUP BY 1 HAVING count(*) > 1) x",
        [operator.code],
    )[0]
    (payments,) = _query(
        "SELECT count(*) FROM (SELECT pi.consignment_id FROM payments_paymentitem pi "
        "JOIN payments_payment p ON p.id = pi.payment_id JOIN clearance_consignment c ON c.id = pi.consignment_id "
        "JOIN clearance_postaloperator o ON o.id = c.operator_id WHERE o.code = %s AND p.state = 'SUCCEEDED' "
        "GROUP BY 1 HAVING count(*) > 1) x",
        [operator.code],
    )[0]
    return twice + deliveries + payments


def settle(outcome: Outcome, operator: Operator, *, since: float, timeout: float) -> Outcome:
    """Wait until every accepted item has a decision (or time runs out), then count."""
    deadline = time.monotonic() + timeout
    while True:
        decided = decided_count(operator)
        if decided >= len(operator.accepted) or time.monotonic() > deadline:
            break
        time.sleep(1)
    outcome.sent, outcome.accepted, outcome.decided = operator.sent, len(operator.accepted), decided
    outcome.lost = len(operator.accepted) - decided
    outcome.duplicated = duplicates(operator)
    if outcome.lost == 0:
        outcome.recovered_seconds = round(time.monotonic() - since, 1)
    return outcome


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    return bool(processes.wait_until(predicate, timeout=timeout, interval=0.2))


# --- The faults ----------------------------------------------------------------------------------


@dataclass
class Sizes:
    batches: int
    batch: int
    outage: float
    settle: float


def fault_worker_killed(stack: Stack, sizes: Sizes) -> Outcome:
    outcome = Outcome("worker killed", "kill -9 the Celery worker (and its pool) mid-batch, start another")
    outcome.limit_seconds = 60  # the lost chunks are found by the sweep within a minute
    operator = Operator(stack, "CHAOSWK")
    operator.send_many(sizes.batches, sizes.batch, deadline=time.monotonic() + 300)
    wait_until(lambda: decided_count(operator) > 0, 120)
    stack.kill("worker")
    outcome.notes.append(f"{decided_count(operator)} of {len(operator.accepted)} decided when it was killed")
    time.sleep(sizes.outage)
    stack.ensure_worker()
    return settle(outcome, operator, since=time.monotonic(), timeout=sizes.settle)


def fault_redis_killed(stack: Stack, sizes: Sizes) -> Outcome:
    from devstack import embedded

    outcome = Outcome("Redis killed", f"kill -9 Redis during ingest, restart it after {sizes.outage:.0f} s (AOF)")
    operator = Operator(stack, "CHAOSRD")
    sender = threading.Thread(
        target=operator.send_many, args=(sizes.batches, sizes.batch), kwargs={"deadline": time.monotonic() + 300}
    )
    sender.start()
    time.sleep(0.5)
    os.kill(embedded.redis_pid(), signal.SIGKILL)
    time.sleep(sizes.outage)
    (Path(embedded.REDIS_DIR) / "redis.pid").unlink(missing_ok=True)
    embedded.start_redis(stack.state)
    restarted = time.monotonic()
    sender.join()
    return settle(outcome, operator, since=restarted, timeout=sizes.settle)


def fault_postgres_restarted(stack: Stack, sizes: Sizes) -> Outcome:
    from devstack import embedded

    outcome = Outcome("PostgreSQL restarted", "pg_ctl restart (fast) during ingest")
    operator = Operator(stack, "CHAOSPG")
    sender = threading.Thread(
        target=operator.send_many, args=(sizes.batches, sizes.batch), kwargs={"deadline": time.monotonic() + 300}
    )
    sender.start()
    time.sleep(0.5)
    embedded.stop_postgres()
    time.sleep(sizes.outage)
    embedded.start_postgres(stack.state)
    restarted = time.monotonic()
    sender.join()
    return settle(outcome, operator, since=restarted, timeout=sizes.settle)


class _Receiver(BaseHTTPRequestHandler):
    received: list[int] = []

    def do_POST(self):  # http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Receiver.received.append(body.get("sequence"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        return


def fault_webhook_receiver_down(stack: Stack, sizes: Sizes) -> Outcome:
    from devstack.embedded import free_port

    port = free_port()
    outcome = Outcome("webhook receiver down", f"operator's webhook refuses connections for {sizes.outage:.0f} s")
    operator = Operator(stack, "CHAOSWH")
    requests.put(
        f"{stack.base}/api/v1/postal/webhook",
        json={"url": f"http://127.0.0.1:{port}/hook"},
        headers=operator.headers(),
        timeout=30,
    ).raise_for_status()
    operator.send_many(1, sizes.batch, deadline=time.monotonic() + 300)
    time.sleep(sizes.outage)
    server = ThreadingHTTPServer(("127.0.0.1", port), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    back = time.monotonic()
    settle(outcome, operator, since=back, timeout=sizes.settle)

    def undelivered() -> int:
        return _query(
            "SELECT count(*) FROM clearance_decision d JOIN clearance_postaloperator o ON o.id = d.operator_id "
            "LEFT JOIN postal_webhookdelivery w ON w.decision_id = d.id AND w.status = 'DELIVERED' "
            "WHERE o.code = %s AND w.id IS NULL",
            [operator.code],
        )[0][0]

    wait_until(lambda: undelivered() == 0, sizes.settle)
    server.shutdown()
    outcome.lost += undelivered()
    if outcome.lost:
        outcome.notes.append(f"undelivered: {_delivery_states(operator)}")
    outcome.recovered_seconds = round(time.monotonic() - back, 1) if outcome.lost == 0 else None
    outcome.notes.append(f"{len(_Receiver.received)} webhook calls received")
    return outcome


class _TricklingHandler(socketserver.BaseRequestHandler):
    """Answers 200 at once, then one byte of its headers every 5 s: a partner's server that never finishes."""

    stop = threading.Event()

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\n")
        for byte in b"X-Slow: " + b"y" * 24:
            if _TricklingHandler.stop.wait(5):
                return
            try:
                self.request.sendall(bytes([byte]))
            except OSError:
                return  # the platform cut it off at its deadline


def _latency_of_decisions(operator: Operator) -> float:
    """The slowest of the operator's items, from its pre-advice to its first customs response, in seconds."""
    return float(
        _query(
            "SELECT coalesce(max(extract(epoch FROM d.first - c.pre_advised_at)), 0) FROM clearance_consignment c "
            "JOIN clearance_postaloperator o ON o.id = c.operator_id "
            "JOIN LATERAL (SELECT min(decided_at) AS first FROM clearance_decision WHERE consignment_id = c.id) d "
            "ON true WHERE o.code = %s",
            [operator.code],
        )[0][0]
    )


def fault_slow_webhook(stack: Stack, sizes: Sizes) -> Outcome:
    """One operator's webhook trickles its answers; another operator's decisions must not wait for it."""
    from devstack.embedded import free_port

    outcome = Outcome("slow webhook", "one operator's webhook answers 200, then trickles a byte every 5 s")
    baseline = Operator(stack, "CHAOSB1")
    baseline.send_many(1, sizes.batch, deadline=time.monotonic() + 120)
    settle(Outcome("baseline", ""), baseline, since=time.monotonic(), timeout=sizes.settle)
    port = free_port()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _TricklingHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slow = Operator(stack, "CHAOSSL")
    requests.put(
        f"{stack.base}/api/v1/postal/webhook",
        json={"url": f"http://127.0.0.1:{port}/hook"},
        headers=slow.headers(),
        timeout=30,
    ).raise_for_status()
    try:
        slow.send_many(1, sizes.batch, deadline=time.monotonic() + 120)
        wait_until(lambda: decided_count(slow) > 0, 60)  # its deliveries are now trickling
        other = Operator(stack, "CHAOSOT")
        started = time.monotonic()
        other.send_many(1, sizes.batch, deadline=time.monotonic() + 120)
        settle(outcome, other, since=started, timeout=sizes.settle)
    finally:
        _TricklingHandler.stop.set()
        server.shutdown()
        server.server_close()
    delay = _latency_of_decisions(other) - _latency_of_decisions(baseline)
    outcome.notes.append(f"the other operator's slowest decision took {delay:+.1f} s against the baseline (limit 2 s)")
    if delay > 2:
        outcome.broken_rule = f"another operator's decisions waited {delay:.1f} s behind a slow webhook"
    return outcome


def _delivery_states(operator: Operator) -> str:
    """The operator's deliveries that did not arrive: status, attempts and last error, counted."""
    rows = _query(
        "SELECT coalesce(w.status, 'none'), coalesce(w.attempts, 0), coalesce(left(w.last_error, 80), ''), count(*) "
        "FROM clearance_decision d JOIN clearance_postaloperator o ON o.id = d.operator_id "
        "LEFT JOIN postal_webhookdelivery w ON w.decision_id = d.id "
        "WHERE o.code = %s AND (w.id IS NULL OR w.status <> 'DELIVERED') GROUP BY 1, 2, 3",
        [operator.code],
    )
    return "; ".join(f"{n}× {status} after {attempts} attempts {error}" for status, attempts, error, n in rows)


def fault_gunicorn_worker_killed(stack: Stack, sizes: Sizes) -> Outcome:
    outcome = Outcome("web worker killed", "kill -9 gunicorn's workers during a 1000-item request")
    operator = Operator(stack, "CHAOSGW")
    items = operator.batch(1000)
    sender = threading.Thread(target=operator.send, args=(items,), kwargs={"deadline": time.monotonic() + 300})
    sender.start()
    time.sleep(0.3)
    killed = stack.kill_gunicorn_workers()
    outcome.notes.append(f"{killed} gunicorn workers killed")
    sender.join()
    return settle(outcome, operator, since=time.monotonic(), timeout=sizes.settle)


def fault_payment_storm(stack: Stack, sizes: Sizes) -> Outcome:
    outcome = Outcome(
        "payment provider errors, then a retry storm",
        "a failing card, then 20 concurrent payment starts with one key and the provider's webhook 20 times at once",
    )
    operator = Operator(stack, "CHAOSPY")
    # USD 400 to Bosnia and Herzegovina, low risk: charges due.
    items = operator.batch(5, category="SALE_OF_GOODS")
    for item in items:
        item["addressee"]["country"] = "BA"
        for line in item["contents"]:
            line["value"] = "200.00"
    operator.send(items, deadline=time.monotonic() + 120)
    from bench.run import manage

    script = (
        "import json; from clearance.models import Consignment; from payments.services import access_token_for; "
        f"print(json.dumps([[c.item_id, access_token_for(c), c.state] for c in Consignment.objects.filter("
        f"operator__code='{operator.code}')]))"
    )
    wait_until(lambda: decided_count(operator) == len(operator.accepted), sizes.settle)
    due = [
        (item_id, token)
        for item_id, token, state in _last_json(manage(stack.env, "shell", "-c", script))
        if state == "CHARGES_DUE"
    ]
    if not due:
        outcome.notes.append("no item with charges due: nothing to pay")
        return settle(outcome, operator, since=time.monotonic(), timeout=5)
    for item_id, token in due:
        _pay_through_storm(stack, token, item_id)
    outcome = settle(outcome, operator, since=time.monotonic(), timeout=sizes.settle)
    (unreleased,) = _query(
        "SELECT count(*) FROM clearance_consignment WHERE item_id = ANY(%s) AND state <> 'RELEASED'",
        [[item_id for item_id, _ in due]],
    )[0]
    outcome.lost += unreleased
    outcome.notes.append(f"{len(due)} items paid through the storm, {unreleased} not released")
    return outcome


def _pay_through_storm(stack: Stack, token: str, item_id: str) -> None:
    """A payment the provider fails, then a storm: 20 concurrent starts with one key, the webhook 20 times."""
    page = f"{stack.base}/pay/i/{token}/"

    def start(key: str) -> str:
        session = requests.Session()
        session.get(page, timeout=30)
        response = session.post(
            page + "pay",
            data={"idempotency_key": key, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": page},
            allow_redirects=False,
            timeout=30,
        )
        return response.headers.get("Location", "")

    def card(checkout: str, number: str) -> None:
        session = requests.Session()
        session.get(stack.base + checkout, timeout=30)
        session.post(
            stack.base + checkout,
            data={"card": number, "expiry": "12/30", "cvc": "123", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": stack.base + checkout},
            timeout=30,
        )

    card(start(f"fails-{item_id}"), "4000000000000119")  # the provider answers with an error
    with ThreadPoolExecutor(10) as pool:  # the payer's browser retries, all with one key
        checkouts = set(pool.map(lambda _: start(f"storm-{item_id}"), range(20)))
    if len(checkouts) != 1:
        raise RuntimeError(f"one idempotency key gave {len(checkouts)} different answers: {checkouts}")
    checkout = checkouts.pop()
    card(checkout, "4242424242424242")
    from bench.run import manage

    body, headers = _last_json(
        manage(
            stack.env,
            "shell",
            "-c",
            (
                "import json; from payments.models import SandboxCharge; from payments.providers import get_provider; "
                f"c = SandboxCharge.objects.get(checkout_token='{checkout.rstrip('/').rsplit('/', 1)[-1]}', "
                "outcome='succeeded'); b, h = get_provider('sandbox').webhook_for(c); "
                "print(json.dumps([b.decode(), dict(h)]))"
            ),
        )
    )
    with ThreadPoolExecutor(10) as pool:  # the provider resends its webhook
        list(
            pool.map(
                lambda _: requests.post(
                    f"{stack.base}/pay/webhooks/sandbox/",
                    data=body.encode(),
                    headers={**headers, "Content-Type": "application/json"},
                    timeout=30,
                ),
                range(20),
            )
        )


def _last_json(output: str):
    """The JSON a `manage.py shell -c` script printed last (start-up may print before it)."""
    return json.loads(output.strip().splitlines()[-1])


def fault_poison_item(stack: Stack, sizes: Sizes) -> Outcome:
    outcome = Outcome("poison item", "one stored item corrupted (its lines lost) so that scoring it crashes")
    stack.kill("worker")
    operator = Operator(stack, "CHAOSPO")
    operator.send_many(1, min(sizes.batch, 500), deadline=time.monotonic() + 120)
    poison = sorted(operator.accepted)[0]
    _query(
        "DELETE FROM clearance_contentline WHERE consignment_id = (SELECT c.id FROM clearance_consignment c "
        "JOIN clearance_postaloperator o ON o.id = c.operator_id WHERE o.code = %s AND c.item_id = %s) "
        "RETURNING 1",
        [operator.code, poison],
    )
    _query(
        "UPDATE clearance_consignment SET total_value = 0, postal_charges = 5, addressee_country = 'BA' "
        "WHERE item_id = %s RETURNING 1",
        [poison],
    )
    stack.ensure_worker()
    outcome = settle(outcome, operator, since=time.monotonic(), timeout=sizes.settle)
    (state, lane) = _query("SELECT state, lane FROM clearance_consignment WHERE item_id = %s", [poison])[0]
    outcome.notes.append(f"poison item {poison}: {state} {lane}")
    return outcome


FAULTS = {
    "worker": fault_worker_killed,
    "redis": fault_redis_killed,
    "postgres": fault_postgres_restarted,
    "webhook": fault_webhook_receiver_down,
    "slow-webhook": fault_slow_webhook,
    "gunicorn": fault_gunicorn_worker_killed,
    "payment": fault_payment_storm,
    "poison": fault_poison_item,
}


# --- Running it ------------------------------------------------------------------------------------


def chaos_env(state, var_dir: Path) -> dict[str, str]:
    from config.env import redis_url_with_db

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update(
        {
            "OPENCLEAR_VAR_DIR": str(var_dir),
            "DATABASE_URL": state.database_url,
            "REDIS_URL": state.redis_url,
            "CELERY_BROKER_URL": redis_url_with_db(state.redis_url, 0),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DJANGO_LOG_LEVEL": "ERROR",
            "OPENCLEAR_API_RATE": "100000/s",
            # The sweeps keep their defaults: the recovery times measured are the ones a deployment gets.
            "OPENCLEAR_WEBHOOK_RETRY_BASE_SECONDS": "1",
            # The faults' own receivers listen on loopback.
            "OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
        }
    )
    return env


def report(outcomes: list[Outcome]) -> None:
    print("\n| fault | injected | sent | accepted | decided | lost | duplicated | recovered in | held | notes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        recovered = "—" if o.recovered_seconds is None else f"{o.recovered_seconds} s"
        if o.limit_seconds is not None:
            recovered += f" (limit {o.limit_seconds:.0f} s)"
        notes = "; ".join([*o.notes, *([f"RULE BROKEN: {o.broken_rule}"] if o.broken_rule else [])])
        print(
            f"| {o.fault} | {o.injected} | {o.sent} | {o.accepted} | {o.decided} | {o.lost} | {o.duplicated} "
            f"| {recovered} | {'yes' if o.ok else 'NO'} | {notes} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos")
    parser.add_argument("--short", action="store_true", help="fewer items, outages of seconds (CI)")
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    parser.add_argument("--json", type=Path, help="also write the outcomes here")
    args = parser.parse_args(argv)
    sizes = Sizes(batches=3, batch=200, outage=3, settle=90) if args.short else Sizes(8, 1000, 60, 600)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    var_dir = Path(tempfile.mkdtemp(prefix="openclear-chaos-"))
    os.environ["OPENCLEAR_VAR_DIR"] = str(var_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    from devstack import embedded

    state, started = embedded.start()
    os.environ.update(chaos_env(state, var_dir))
    stack = Stack(dict(os.environ), state)
    outcomes: list[Outcome] = []
    try:
        from bench.run import manage

        manage(stack.env, "migrate", "--noinput", "-v", "0")
        stack.start_web()
        stack.start_worker()
        stack.start_webhooks()
        stack.start_beat()
        stack.supervise()
        for name in args.only or list(FAULTS):
            print(f"Fault: {name} …", flush=True)
            try:
                outcome = FAULTS[name](stack, sizes)
            except Exception as exc:  # a harness failure is reported as a failed fault, and the others still run
                outcome = Outcome(name, "the fault could not be run to its end", notes=[repr(exc)[:300]])
            if restarts := stack.take_restarts():
                outcome.notes.append(restarts)
            outcomes.append(outcome)
            stack.ensure_worker()
            stack.ensure_webhooks()
    finally:
        stack.stop()
        embedded.stop(started)
        shutil.rmtree(var_dir, ignore_errors=True)
    report(outcomes)
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ | {"ok": o.ok} for o in outcomes], indent=2))
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    sys.exit(main())
