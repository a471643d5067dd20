"""Child processes for the runner, the tests and the benchmarks: their command lines (written once here),
started in groups, stopped whole, waited on."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_GRACE_SECONDS = 20
T = TypeVar("T")

# The platform's workers, as `make run` and the chaos stack run them (docker-compose.yml splits the first
# in two): scoring and everything else on prefork processes; webhook deliveries, which wait on partners'
# servers, on threads of their own so that scoring never waits behind them.
SCORING_QUEUES = "scoring,celery"
WEBHOOK_QUEUES = "webhooks"
WEBHOOK_THREADS = 8


def gunicorn_argv(*, bind: str, workers: int, options: Sequence[str] = ()) -> list[str]:
    """The web server on the project's WSGI application."""
    return [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind", bind, "--workers", str(workers), *options]


def celery_worker_argv(
    *,
    hostname: str,
    loglevel: str,
    queues: str | None = None,
    concurrency: int | None = None,
    pool: str | None = None,
    solitary: bool = False,
) -> list[str]:
    """A Celery worker of the project's app; without --queues it consumes every queue of the settings.

    `solitary`: no gossip and no mingle with other workers, for a worker started and stopped on its own
    (tests, benchmarks), so that it is ready at once.
    """
    argv = [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel", loglevel]
    if queues:
        argv += ["--queues", queues]
    if pool:
        argv += ["--pool", pool]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    if solitary:
        argv += ["--without-gossip", "--without-mingle"]
    return [*argv, "--hostname", hostname]


def celery_beat_argv(*, schedule: Path, loglevel: str) -> list[str]:
    """Celery beat, its schedule file kept where the run keeps its data."""
    return [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", loglevel, "--schedule", str(schedule)]


class ProcessGroup:
    """Child processes, each the leader of its own process group."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: Sequence[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(list(argv), cwd=BASE_DIR, start_new_session=True, **kwargs)
        self.children[name] = process
        return process

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children.items():
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop(self) -> None:
        for process in self.children.values():
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.children.values():
            # SIGKILL the whole group: also the pool processes of a worker that hung.
            signal_group(process, signal.SIGKILL)
            process.wait()


def signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def wait_until(predicate: Callable[[], T], *, timeout: float, interval: float = 0.1) -> T | None:
    """The predicate's first true value within the timeout, polled every interval; None when it never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    return None
