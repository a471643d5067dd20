"""Checks behind /healthz: can we reach the database, the broker, a worker?"""

from __future__ import annotations

import time

import redis
from celery import current_app
from django.conf import settings
from django.db import connection


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
        result = {"ok": True}
        if detail:
            result.update(detail)
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker() -> dict:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_workers() -> dict:
    replies = current_app.control.ping(timeout=1.0) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise RuntimeError("no Celery worker answered within 1 s")
    return {"workers": names}


def health_report() -> tuple[dict, bool]:
    """The report, and whether the service can do its work (database and broker up).

    Workers are reported but do not make the service unhealthy: the API keeps
    accepting pre-advice while workers restart, and the queue holds the work.
    """
    database = _timed(check_database)
    broker = _timed(check_broker)
    workers = _timed(check_workers) if broker["ok"] else {"ok": False, "error": "broker unreachable"}
    healthy = database["ok"] and broker["ok"]
    report = {
        "status": "ok" if healthy else "unavailable",
        "checks": {"database": database, "broker": broker, "workers": workers},
    }
    return report, healthy
