"""Checks behind /healthz: can we reach the database, the broker, a worker?"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

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
    except Exception as exc:  # any failure means "down", reported as text
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


# Checks the apps above core add (the law's exchange rates): name -> a function returning its detail,
# with "ok" and, under "public", what anyone may see. They never make the service unhealthy.
_registered: dict[str, Callable[[], dict]] = {}


def health_check_register(name: str, check: Callable[[], dict]) -> None:
    """Called from an app's AppConfig.ready."""
    _registered[name] = check


class _Memo:
    """The last report of this process: anonymous callers read it, one caller at a time refreshes it."""

    report: tuple[dict, bool] | None = None
    taken_at = 0.0
    lock = threading.Lock()


def health_report_cached() -> tuple[dict, bool]:
    """The report, at most OPENCLEAR_HEALTH_CACHE_SECONDS old.

    Asking every worker for a reply takes up to a second; a crowd of probes
    must not each pay it. One refreshes while the others get the last report.
    """
    fresh = time.monotonic() - _Memo.taken_at < settings.OPENCLEAR_HEALTH_CACHE_SECONDS
    if _Memo.report is not None and fresh:
        return _Memo.report
    if _Memo.lock.acquire(blocking=_Memo.report is None):
        try:
            _Memo.report, _Memo.taken_at = health_report(), time.monotonic()
        finally:
            _Memo.lock.release()
    return _Memo.report or health_report()


def public_summary(report: dict) -> dict:
    """What anyone may see: up or not, per part, and how many workers answered; no names, no errors."""
    checks = report["checks"]
    summary = {name: {"ok": check["ok"], **check.get("public", {})} for name, check in checks.items()}
    summary["workers"]["count"] = len(checks["workers"].get("workers", []))
    return {"status": report["status"], "checks": summary}


def health_report() -> tuple[dict, bool]:
    """The report, and whether the service can do its work (database and broker up).

    Workers are reported but do not make the service unhealthy: the API keeps
    accepting pre-advice while workers restart, and the queue holds the work.
    """
    database = _timed(check_database)
    broker = _timed(check_broker)
    workers = _timed(check_workers) if broker["ok"] else {"ok": False, "error": "broker unreachable"}
    healthy = database["ok"] and broker["ok"]
    checks = {"database": database, "broker": broker, "workers": workers}
    for name, check in _registered.items():
        checks[name] = _timed(check) if database["ok"] else {"ok": False, "error": "database unreachable"}
    report = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return report, healthy
