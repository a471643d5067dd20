from concurrent.futures import ThreadPoolExecutor

import pytest

from core import health
from tests.factories import UserFactory

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def fresh_report(settings):
    settings.OPENCLEAR_HEALTH_CACHE_SECONDS = 0
    health._Memo.report, health._Memo.taken_at = None, 0.0


@pytest.mark.django_db
def test_it_reports_ok_when_the_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    rates = body["checks"].pop("exchange_rates")  # the law's check: reported, never fatal (tests/law/test_fx.py)
    assert set(rates) == {"ok", "stale", "lastRate"}
    assert body == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}, "workers": {"ok": False, "count": 0}},
    }


@pytest.mark.django_db
def test_staff_see_the_details(client):
    client.force_login(UserFactory(role="ADMIN", is_staff=True))
    body = client.get("/healthz").json()
    assert body["checks"]["database"]["ok"] is True and "ms" in body["checks"]["database"]
    # No worker runs in this test: reported, but not fatal.
    assert "no Celery worker answered" in body["checks"]["workers"]["error"]


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["broker"] == {"ok": False}
    assert "s3cret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_it_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse():
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr("core.health.check_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False}


def test_a_crowd_of_probes_is_answered_from_one_report(client, settings, monkeypatch):
    settings.OPENCLEAR_HEALTH_CACHE_SECONDS = 60
    asked = []

    def report():
        asked.append(1)
        return {
            "status": "ok",
            "checks": {
                "database": {"ok": True},
                "broker": {"ok": True},
                "workers": {"ok": True, "workers": ["w1@host-a", "w2@host-b"]},
            },
        }, True

    monkeypatch.setattr(health, "health_report", report)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: client.get("/healthz").json(), range(24)))
    assert len(asked) == 1
    assert all(body["checks"]["workers"] == {"ok": True, "count": 2} for body in bodies)
    assert "host-a" not in str(bodies)
