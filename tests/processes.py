"""Real processes for integration tests: a Celery worker on the real broker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from devstack import processes

BASE_DIR = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A URL for the test database pytest-django created, for child processes."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}{port}/{db['NAME']}"


def clean_env() -> dict[str, str]:
    """This process's environment without what only the test process itself may use."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def child_env(**extra: str) -> dict[str, str]:
    return {
        **clean_env(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **extra,
    }


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """The predicate's first true value; the test fails when none came in time."""
    value = processes.wait_until(predicate, timeout=timeout, interval=interval)
    if not value:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")
    return value


@contextlib.contextmanager
def celery_worker(
    *, concurrency: int = 1, queues: str | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` against the test database and the test broker.

    The broker's test database is emptied first: a message left by an earlier
    run must not act on this run's rows. `env` sets the worker's own settings
    (a `settings` fixture override changes only the test process).
    """
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    argv = processes.celery_worker_argv(
        hostname=f"test-{os.getpid()}@%h",
        loglevel="WARNING",
        queues=queues,
        concurrency=concurrency,
        pool="prefork",
        solitary=True,
    )
    process = subprocess.Popen(argv, cwd=BASE_DIR, env=child_env(**(env or {})), start_new_session=True)
    try:
        from config.celery import app

        wait_until(lambda: app.control.ping(timeout=0.5), timeout=60, what="the Celery worker to answer")
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
