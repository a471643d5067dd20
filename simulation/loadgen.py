"""Sending simulated pre-advice through the real HTTP API, at a chosen rate."""

from __future__ import annotations

import heapq
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from core import s10
from simulation.traffic import Mix, OperatorSimulator


@dataclass
class LoadStats:
    requests: int = 0
    items: int = 0
    statuses: Counter = field(default_factory=Counter)
    http_errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, size: int, latency: float, body: dict | None, http_status: int) -> None:
        with self.lock:
            self.requests += 1
            self.items += size
            self.latencies.append(latency)
            if body is not None and http_status == 200:
                self.statuses.update(result["status"] for result in body["results"])
            else:
                self.http_errors[http_status] += 1

    def summary(self) -> str:
        elapsed = time.monotonic() - self.started
        return (
            f"{self.items} items in {self.requests} requests over {elapsed:.0f} s "
            f"({self.items / max(elapsed, 1e-9):.0f} items/s): {dict(self.statuses)}"
            + (f", HTTP errors {dict(self.http_errors)}" if self.http_errors else "")
        )


def wait_for_server(base_url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{base_url} did not answer within {timeout:.0f} s")


class ParcelJourney:
    """What happens to the accepted parcels after their pre-advice, in compressed time.

    Each parcel arrives at the office of exchange (EMD) a little after its
    pre-advice and is presented to customs (EDB); once the customs response
    lets it go (read from the responses feed), it leaves the office (EMF),
    reaches the delivery office (EMG), goes out for delivery (EDG), sometimes
    misses the addressee once (EMH), and is delivered (EMI). A share of the
    pre-advice is withdrawn before arrival (an order cancelled), and a share
    of parcels arrive with no pre-advice at all (an EMD for an S10 id never
    announced). Delays are drawn around `scale` seconds, so that a demo's Time
    Release Study fills within minutes.
    """

    RELEASING = {"RELEASE_NO_CHARGE", "RELEASED"}
    WITHDRAW = "WITHDRAW"

    def __init__(
        self,
        *,
        base_url: str,
        headers: dict,
        scale: float,
        seed: int | None,
        withdrawn_share: float = 0.0,
        unannounced_share: float = 0.0,
    ) -> None:
        self.events_url = f"{base_url.rstrip('/')}/api/v1/postal/events"
        self.withdrawals_url = f"{base_url.rstrip('/')}/api/v1/postal/withdrawals"
        self.responses_url = f"{base_url.rstrip('/')}/api/v1/postal/responses"
        self.headers = headers
        self.scale = scale
        self.withdrawn_share = withdrawn_share
        self.unannounced_share = unannounced_share
        self.rng = random.Random(seed)
        self._due: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        self._cursor = "0"

    def accepted(self, item_ids: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for item_id in item_ids:
                if self.rng.random() < self.withdrawn_share:
                    heapq.heappush(self._due, (now + self.rng.uniform(0.05, 0.25) * self.scale, item_id, self.WITHDRAW))
                    continue
                arrival = now + self.rng.uniform(0.3, 1.5) * self.scale
                heapq.heappush(self._due, (arrival, item_id, "EMD"))
                heapq.heappush(self._due, (arrival + self.rng.uniform(0.05, 0.3) * self.scale, item_id, "EDB"))
                if self.rng.random() < self.unannounced_share:
                    unannounced = s10.make("RR", self.rng.randrange(10_000_000, 100_000_000), "CN")
                    heapq.heappush(self._due, (arrival, unannounced, "EMD"))

    def _delivery(self, item_id: str, leaves: float) -> None:
        """The events of a released parcel from the office of exchange to the addressee's door."""
        at = leaves
        codes = ["EMF", "EMG", "EDG", *(["EMH", "EDG"] if self.rng.random() < 0.2 else []), "EMI"]
        for code in codes:
            heapq.heappush(self._due, (at, item_id, code))
            at += self.rng.uniform(0.2, 1.0) * self.scale

    def run(self, stop: threading.Event) -> None:
        session = requests.Session()
        next_poll = time.monotonic()
        while not stop.wait(1.0):
            if time.monotonic() >= next_poll:
                self._follow_responses(session)
                next_poll = time.monotonic() + 5
            self._send_due(session)

    def _follow_responses(self, session: requests.Session) -> None:
        try:
            page = session.get(self.responses_url, params={"after": self._cursor}, headers=self.headers, timeout=30)
            body = page.json()
        except (requests.RequestException, ValueError):
            return
        now = time.monotonic()
        with self._lock:
            for response in body.get("results", []):
                if response.get("decision") in self.RELEASING:
                    self._delivery(response["itemId"], now + self.rng.uniform(0.2, 1.0) * self.scale)
        self._cursor = str(body.get("next", self._cursor))

    def _send_due(self, session: requests.Session, now: float | None = None) -> None:
        """Send what is due by `now` (default: this moment)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            due = []
            while self._due and self._due[0][0] <= now and len(due) < 1000:
                due.append(heapq.heappop(self._due))
        if not due:
            return
        stamp = datetime.now(UTC).isoformat()
        events = [
            {"itemId": item_id, "code": code, "at": stamp, "office": _office(code)}
            for _, item_id, code in due
            if code != self.WITHDRAW
        ]
        withdrawals = [
            {"itemId": item_id, "reason": "ORDER_CANCELLED"} for _, item_id, code in due if code == self.WITHDRAW
        ]
        try:
            if withdrawals:
                session.post(self.withdrawals_url, json={"withdrawals": withdrawals}, headers=self.headers, timeout=30)
            if events:
                session.post(self.events_url, json={"events": events}, headers=self.headers, timeout=30)
        except requests.RequestException:
            with self._lock:  # tried again on the next round
                for entry in due:
                    heapq.heappush(self._due, entry)


# Events at the office of exchange; the others happen at the delivery office.
OFFICE_OF_EXCHANGE = frozenset({"EMD", "EDB", "EMF"})


def _office(code: str) -> str:
    return "BASJJA" if code in OFFICE_OF_EXCHANGE else "BA7100"


class LoadRunner:
    """Threads that each post batches, together at most `rate` items a second."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        batch: int,
        rate: float,
        mix: Mix,
        seed: int | None,
        journey_scale: float = 0.0,
        withdrawn_share: float = 0.0,
        unannounced_share: float = 0.0,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/api/v1/postal/items"
        self.headers = {"Authorization": f"Api-Key {api_key}", "Content-Type": "application/json"}
        self.journey = (
            ParcelJourney(
                base_url=base_url,
                headers=self.headers,
                scale=journey_scale,
                seed=seed,
                withdrawn_share=withdrawn_share,
                unannounced_share=unannounced_share,
            )
            if journey_scale > 0
            else None
        )
        self.batch = batch
        self.rate = rate
        self.mix = mix
        self.seed = seed
        self.stats = LoadStats()
        self._stop = threading.Event()
        self._sequence = 0
        self._lock = threading.Lock()

    def stop(self) -> None:
        self._stop.set()

    def wait_stopped(self, timeout: float) -> bool:
        return self._stop.wait(timeout)

    def _next_message_id(self) -> str:
        with self._lock:
            self._sequence += 1
            return f"SIM-{int(time.time())}-{self._sequence:06d}"

    def _worker(self, index: int, count: int | None, concurrency: int) -> None:
        simulator = OperatorSimulator(seed=None if self.seed is None else self.seed + index, mix=self.mix)
        session = requests.Session()
        interval = self.batch * concurrency / self.rate if self.rate > 0 else 0.0
        next_at = time.monotonic()
        sent = 0
        while not self._stop.is_set() and (count is None or sent < count):
            size = self.batch if count is None else min(self.batch, count - sent)
            payload = {"messageId": self._next_message_id(), "items": simulator.batch(size)}
            self._post(session, payload, size)
            sent += size
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _post(self, session: requests.Session, payload: dict, size: int) -> None:
        started = time.monotonic()
        try:
            response = session.post(self.url, json=payload, headers=self.headers, timeout=60)
        except requests.RequestException:
            self.stats.record(size, time.monotonic() - started, None, 0)
            self._stop.wait(1)
            return
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        self.stats.record(size, time.monotonic() - started, body, response.status_code)
        if self.journey and body and response.status_code == 200:
            self.journey.accepted([r["itemId"] for r in body["results"] if r["status"] == "ACCEPTED"])
        if response.status_code == 429:
            self._stop.wait(float(response.headers.get("Retry-After", "1")))

    def run(self, *, count: int | None, concurrency: int = 1) -> LoadStats:
        per_thread = None if count is None else -(-count // concurrency)
        threads = [
            threading.Thread(target=self._worker, args=(i, per_thread, concurrency), daemon=True)
            for i in range(concurrency)
        ]
        if self.journey:  # follows the parcels until stopped; the run ends with its senders
            threading.Thread(target=self.journey.run, args=(self._stop,), daemon=True).start()
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
        return self.stats
