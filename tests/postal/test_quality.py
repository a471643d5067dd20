"""An operator's data-quality report: exact counts on a known batch, and one operator never reads another's."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment, InformationRequest
from postal.models import IntakeTally
from tests.factories import ConsignmentFactory, UserFactory
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _known_batch(client):
    """Four items (one with a bad HS code, one with a bad HS code and a bad currency), six events (one of an
    unknown item, one presentation before its arrival), two arrivals without pre-advice, one matched later."""
    items = [
        item(12345678),
        item(12345679),
        item(12345680, contents=[{**item()["contents"][0], "hsCode": "12"}]),
        item(12345681, currency="XXQ", contents=[{**item()["contents"][0], "hsCode": "12"}]),
    ]
    post(client, "/api/v1/postal/items", batch(*items))
    ids = [entry["itemId"] for entry in items]
    unannounced = ["RB876543216GB", item(12345690)["itemId"]]
    events = [
        {"itemId": ids[0], "code": "EMD", "at": "2026-11-22T10:00:00Z"},
        {"itemId": ids[0], "code": "EDB", "at": "2026-11-22T09:00:00Z"},
        {"itemId": ids[1], "code": "EMD", "at": "2026-11-22T10:00:00Z"},
        {"itemId": "RB111111115GB", "code": "EMF", "at": "2026-11-22T10:00:00Z"},
        {"itemId": unannounced[0], "code": "EMD", "at": "2026-11-22T10:00:00Z"},
        {"itemId": unannounced[1], "code": "EMD", "at": "2026-11-22T10:00:00Z"},
    ]
    post(client, "/api/v1/postal/events", {"events": events})
    post(client, "/api/v1/postal/items", batch(item(12345690)))


def _report(client, **params):
    response = client.get("/api/v1/postal/quality", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_report_counts_a_known_batch_exactly(operator, operator_client):
    _known_batch(operator_client)
    released = Consignment.objects.get(item_id=item(12345679)["itemId"])
    Consignment.objects.filter(pk=released.pk).update(state=ConsignmentState.RELEASED)
    officer = UserFactory(role="OFFICER")
    now = timezone.now()
    asked = [now - timedelta(hours=hours) for hours in (10, 8, 6)]
    for at, answer_after in zip(asked, (2, 6, None), strict=True):
        InformationRequest.objects.create(
            consignment=released,
            question="Invoice?",
            asked_by=officer,
            asked_at=at,
            answered_at=at + timedelta(hours=answer_after) if answer_after else None,
        )

    report = _report(operator_client)

    # One more item batch (the late pre-advice) makes 5 items received, 2 rejected.
    assert report["items"]["received"] == 5
    assert report["items"]["rejected"] == 2
    assert report["items"]["rejectionRate"] == 0.4
    by_code = {row["code"]: (row["count"], row["rate"]) for row in report["items"]["byCode"]}
    assert by_code == {"invalid_hs_code": (2, 0.4), "invalid_currency": (1, 0.2)}
    assert report["events"] == {
        "received": 6,
        "rejected": 2,
        "rejectionRate": 0.3333,
        "byCode": [
            {"code": "before_arrival", "count": 1, "rate": 0.1667},
            {"code": "unknown_item", "count": 1, "rate": 0.1667},
        ],
    }
    assert (report["arrivedWithoutPreAdvice"], report["preAdviceStillMissing"], report["preAdviceAfterArrival"]) == (
        2,
        1,
        1,
    )
    assert report["released"] == 1
    assert report["eventsMissing"] == {"EMD": 0, "EDB": 1, "EMF": 1, "EMI": 1}
    assert report["informationRequests"] == {"asked": 3, "answered": 2, "medianHoursToAnswer": 4.0}
    assert report["operator"] == operator.code


def test_one_operators_key_never_reads_anothers_figures(operator_client, other_operator_client):
    _known_batch(operator_client)
    ConsignmentFactory(operator=Consignment.objects.first().operator, unannounced=True)

    theirs = _report(other_operator_client)

    assert theirs["operator"] == "OTHER"
    assert (theirs["items"]["received"], theirs["events"]["received"]) == (0, 0)
    assert (theirs["arrivedWithoutPreAdvice"], theirs["released"]) == (0, 0)
    assert theirs["informationRequests"]["asked"] == 0
    assert _report(operator_client)["items"]["received"] == 5


def test_the_same_report_as_csv(operator_client):
    _known_batch(operator_client)

    response = operator_client.get("/api/v1/postal/quality/csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "measure", "code", "count", "rate"]
    figures = {(row[1], row[2]): (row[3], row[4]) for row in rows[1:]}
    assert figures[("items_rejected_by_code", "invalid_hs_code")] == ("2", "0.4")
    assert figures[("arrived_without_pre_advice", "")] == ("2", "")


def test_another_month_has_its_own_figures_and_a_bad_month_is_a_400(operator_client):
    _known_batch(operator_client)
    IntakeTally.objects.update(day="2026-01-15")

    assert _report(operator_client, month="2026-01")["items"]["received"] == 5
    response = operator_client.get("/api/v1/postal/quality", {"month": "2026-13"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "month"


def test_a_replayed_request_is_counted_once(operator_client):
    body = json.dumps(batch(item()))
    for _ in range(2):
        operator_client.post(
            "/api/v1/postal/items", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
        )

    assert _report(operator_client)["items"]["received"] == 1


def test_officers_see_every_operator_side_by_side(client, operator_client, other_operator_client):
    _known_batch(operator_client)
    post(other_operator_client, "/api/v1/postal/items", batch(item(22345678)))
    client.force_login(UserFactory(role="OFFICER"))

    html = client.get("/officer/performance/operators/").content.decode()

    assert 'data-operator="OTHER"' in html
    month = timezone.now().strftime("%Y-%m")
    assert f'<td data-month="{month}">' in html
    assert '<span class="rejected" title="Pre-advice rejected">2/5</span>' in html
    assert '<span class="rejected" title="Pre-advice rejected">0/1</span>' in html
