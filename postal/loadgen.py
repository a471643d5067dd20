"""Sending simulated pre-advice through the real HTTP API, at a chosen rate."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from postal.traffic import Mix, OperatorSimulator


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


class LoadRunner:
    """Threads that each post batches, together at most `rate` items a second."""

    def __init__(self, *, base_url: str, api_key: str, batch: int, rate: float, mix: Mix, seed: int | None) -> None:
        self.url = f"{base_url.rstrip('/')}/api/v1/postal/items"
        self.headers = {"Authorization": f"Api-Key {api_key}", "Content-Type": "application/json"}
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
        if response.status_code == 429:
            self._stop.wait(float(response.headers.get("Retry-After", "1")))

    def run(self, *, count: int | None, concurrency: int = 1) -> LoadStats:
        per_thread = None if count is None else -(-count // concurrency)
        threads = [
            threading.Thread(target=self._worker, args=(i, per_thread, concurrency), daemon=True)
            for i in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
        return self.stats
