import pytest


@pytest.mark.django_db
def test_it_reports_ok_when_the_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    # No worker runs in this test: reported, but not fatal.
    assert body["checks"]["workers"]["ok"] is False
    assert "no Celery worker answered" in body["checks"]["workers"]["error"]


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert "ConnectionError" in body["checks"]["broker"]["error"]


def test_it_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse():
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr("core.health.check_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "ConnectionRefusedError: database down"
