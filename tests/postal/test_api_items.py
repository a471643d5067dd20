import json

import pytest

from clearance.choices import ConsignmentState
from clearance.models import Consignment, ConsignmentVersion
from core.models import AuditEntry
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db
URL = "/api/v1/postal/items"


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_it_accepts_a_valid_item_and_stores_it(operator_client, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(operator_client, batch(item()))

    assert response.status_code == 200
    assert response.json() == {
        "messageId": "OP-20261122-000123",
        "accepted": 1,
        "rejected": 0,
        "results": [{"itemId": "RB123456785GB", "status": "ACCEPTED", "errors": []}],
    }
    stored = Consignment.objects.get(operator=operator, item_id="RB123456785GB")
    assert stored.state == ConsignmentState.PRE_ADVISED
    assert str(stored.total_value) == "12.50"
    assert stored.addressee_postcode == "71000"
    assert stored.lines.get().hs_code == "610910"
    assert ConsignmentVersion.objects.get(consignment=stored).data["contents"][0]["value"] == "12.50"
    assert AuditEntry.objects.get(target_id=stored.pk).action == "clearance.consignment.pre_advised"
    assert len(callbacks) == 1  # one risk task for the chunk, after commit


def test_it_enqueues_risk_scoring_in_chunks_not_per_item(
    operator_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OPENCLEAR_RISK_CHUNK_SIZE = 2
    chunks = []
    monkeypatch.setattr("risk.tasks.consignments_assess.delay", lambda ids: chunks.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        post(operator_client, batch(*[item(serial=n) for n in range(10000000, 10000005)]))
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]


def test_a_broker_outage_does_not_turn_stored_items_into_an_error(
    operator_client, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down(ids):
        raise OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr("risk.tasks.consignments_assess.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(operator_client, batch(item()))
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "ACCEPTED"
    # Stored and waiting: the stuck-item sweep enqueues it once the broker is back.
    assert Consignment.objects.get().state == ConsignmentState.PRE_ADVISED


def test_a_valid_item_is_stored_even_when_others_in_its_batch_are_rejected(operator_client):
    bad = item(serial=11111111, currency="XXX1")
    response = post(operator_client, batch(item(), bad, item(serial=22222222)))

    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert [r["status"] for r in body["results"]] == ["ACCEPTED", "REJECTED", "ACCEPTED"]
    assert body["results"][1]["errors"][0]["field"] == "items[1].currency"
    assert Consignment.objects.count() == 2


def test_the_same_content_again_is_a_duplicate_with_no_change(operator_client):
    post(operator_client, batch(item()))
    response = post(operator_client, batch(item()))
    assert response.json()["results"][0]["status"] == "DUPLICATE"
    assert ConsignmentVersion.objects.count() == 1


def test_new_content_before_a_final_decision_is_an_amendment(operator_client, django_capture_on_commit_callbacks):
    post(operator_client, batch(item()))
    consignment = Consignment.objects.get()
    # Green and asked to pay, never in front of an officer: the new version is scored from the start.
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.CHARGES_DUE, lane="GREEN")
    changed = item(
        contents=[
            {
                "description": "Cotton T-shirt",
                "quantity": 3,
                "netWeightKg": "0.400",
                "value": "18.75",
                "hsCode": "610910",
                "originCountry": "CN",
            }
        ]
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = post(operator_client, batch(changed, message_id="OP-2"))

    assert response.json()["results"][0]["status"] == "AMENDED"
    consignment.refresh_from_db()
    assert (consignment.state, consignment.version, consignment.lane) == (ConsignmentState.PRE_ADVISED, 2, "")
    assert str(consignment.total_value) == "18.75"
    assert consignment.lines.get().quantity == 3
    assert list(consignment.versions.values_list("number", flat=True)) == [1, 2]
    assert AuditEntry.objects.filter(target_id=consignment.pk, action="clearance.consignment.amended").count() == 1
    assert len(callbacks) == 1  # scored again


@pytest.mark.parametrize("state", ["RELEASED", "SEIZED", "RETURNED", "REFERRED", "PAID"])
def test_an_amendment_after_a_final_decision_is_rejected(operator_client, state):
    post(operator_client, batch(item()))
    Consignment.objects.update(state=state)

    response = post(operator_client, batch(item(grossWeightKg="0.500")))

    result = response.json()["results"][0]
    assert result["status"] == "REJECTED"
    assert result["errors"][0]["code"] == "amendment_refused"
    assert result["errors"][0]["field"] == "items[0].itemId"
    assert Consignment.objects.get().version == 1


def test_one_item_twice_in_a_batch_with_different_content_is_rejected_the_second_time(operator_client):
    response = post(operator_client, batch(item(), item(grossWeightKg="0.900")))
    assert [r["status"] for r in response.json()["results"]] == ["ACCEPTED", "REJECTED"]
    assert response.json()["results"][1]["errors"][0]["code"] == "conflict_in_batch"


RULES = [
    ("itemId", "RB123456786GB", "invalid_check_digit", "items[0].itemId"),
    ("itemId", "RB12345678GB", "invalid_s10", "items[0].itemId"),
    ("category", "BRIBE", "invalid_choice", "items[0].category"),
    ("currency", "ABC", "invalid_currency", "items[0].currency"),
    ("grossWeightKg", "-1", "invalid_decimal", "items[0].grossWeightKg"),
    ("grossWeightKg", "0.1234", "too_many_decimals", "items[0].grossWeightKg"),
    ("grossWeightKg", "0.100", "weight_below_contents", "items[0].grossWeightKg"),
    ("postalCharges", "1e3", "invalid_decimal", "items[0].postalCharges"),
    ("postalCharges", True, "invalid_type", "items[0].postalCharges"),
    ("iossNumber", "IM12", "invalid_ioss", "items[0].iossNumber"),
    ("sender", {"name": "X", "country": "ZZ"}, "invalid_country", "items[0].sender.country"),
    ("addressee", {"country": "BA"}, "required", "items[0].addressee.name"),
    ("addressee", {"name": "A\u202eB", "country": "BA"}, "invalid_characters", "items[0].addressee.name"),
    ("addressee", {"name": "A", "country": "BA", "email": "nope"}, "invalid_email", "items[0].addressee.email"),
    ("contents", [], "required", "items[0].contents"),
    ("status", "RELEASED", "unknown_field", "items[0].status"),
    ("lane", "GREEN", "unknown_field", "items[0].lane"),
]


@pytest.mark.parametrize(("field", "value", "code", "path"), RULES, ids=[f"{r[0]}-{r[2]}" for r in RULES])
def test_it_rejects_each_broken_rule_with_path_and_code(operator_client, field, value, code, path):
    response = post(operator_client, batch(item(**{field: value})))

    result = response.json()["results"][0]
    assert result["status"] == "REJECTED"
    assert {"field": path, "code": code} in [{"field": e["field"], "code": e["code"]} for e in result["errors"]]
    assert Consignment.objects.count() == 0


LINE_RULES = [
    ("hsCode", "999999", "invalid_hs_code"),
    ("hsCode", "61091", "invalid_hs_code"),
    ("hsCode", None, "required"),
    ("quantity", 0, "invalid_quantity"),
    ("quantity", 1.5, "invalid_quantity"),
    ("value", "12.555", "too_many_decimals"),
    ("originCountry", "XY", "invalid_country"),
    ("description", "Shirt\u0000", "invalid_characters"),
    ("description", "x" * 301, "too_long"),
]


@pytest.mark.parametrize(("field", "value", "code"), LINE_RULES, ids=[f"{r[0]}-{r[2]}" for r in LINE_RULES])
def test_it_rejects_broken_content_lines(operator_client, field, value, code):
    line = {**item()["contents"][0], field: value}
    if value is None:
        del line[field]
    response = post(operator_client, batch(item(contents=[line])))

    errors = response.json()["results"][0]["errors"]
    assert {"field": f"items[0].contents[0].{field}", "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in errors
    ]


def test_documents_need_no_hs_code(operator_client):
    documents = item(
        category="DOCUMENTS",
        contents=[{"description": "Contract", "quantity": 1, "netWeightKg": "0.050", "value": "0"}],
    )
    assert post(operator_client, batch(documents)).json()["results"][0]["status"] == "ACCEPTED"


def test_amounts_as_json_numbers_are_accepted_exactly(operator_client):
    body = json.dumps(batch(item())).replace('"12.50"', "12.50")
    response = operator_client.post(URL, data=body, content_type="application/json")
    assert response.json()["results"][0]["status"] == "ACCEPTED"
    assert str(Consignment.objects.get().total_value) == "12.50"


def test_a_sale_of_goods_must_declare_its_price(operator_client):
    free = item(contents=[{**item()["contents"][0], "value": "0"}])
    errors = post(operator_client, batch(free)).json()["results"][0]["errors"]
    assert errors[0]["code"] == "value_required"


def test_more_than_1000_items_answers_413(operator_client):
    response = post(operator_client, batch(*[item()] * 1001))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"


def test_a_body_over_the_size_limit_answers_413(operator_client, settings):
    settings.OPENCLEAR_API_MAX_BODY_BYTES = 1000
    response = post(operator_client, batch(item(), item(serial=2)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    "raw",
    ['{"items": [', '{"items": [], "items": []}', '{"items": [{"grossWeightKg": NaN}]}', "[" * 5000 + "]" * 5000],
    ids=["truncated", "duplicate-keys", "nan", "deeply-nested"],
)
def test_a_malformed_body_answers_400_in_the_error_format(operator_client, raw):
    response = operator_client.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert response["Content-Type"] == "application/json"


def test_a_wrong_content_type_answers_415(operator_client):
    response = operator_client.post(URL, data="itemId=RB123456785GB", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_body_without_items_answers_400_with_details(operator_client):
    response = post(operator_client, {"messageId": "X"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "items"


def test_no_key_answers_401_and_a_bad_key_too(client, operator_client):
    assert client.post(URL, data="{}", content_type="application/json").status_code == 401
    response = client.post(URL, data="{}", content_type="application/json", HTTP_AUTHORIZATION="Api-Key nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_revoked_key_answers_401(operator_client, operator):
    from postal.models import ApiKey
    from postal.services import api_key_revoke

    api_key_revoke(api_key=ApiKey.objects.get(operator=operator))
    assert post(operator_client, batch(item())).status_code == 401


def test_an_idempotency_key_replays_the_first_response(operator_client):
    first = post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="abc-1")
    second = post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="abc-1")

    assert second.status_code == first.status_code == 200
    assert second.json() == first.json()
    assert second.json()["results"][0]["status"] == "ACCEPTED"  # not DUPLICATE: the first answer, replayed
    assert second["Idempotent-Replayed"] == "true"


def test_a_request_that_dies_midway_leaves_nothing_and_its_retry_is_processed(operator_client, monkeypatch):
    from postal import services

    real = services.preadvice_receive

    def dies_after_storing(**kwargs):
        real(**kwargs)
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "preadvice_receive", dies_after_storing)
    with pytest.raises(ConnectionError):
        post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="dies-1")
    assert not Consignment.objects.exists()  # the items and the key's record went together
    monkeypatch.setattr(services, "preadvice_receive", real)
    retry = post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="dies-1")
    assert retry.status_code == 200 and retry.json()["results"][0]["status"] == "ACCEPTED"


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_retry_while_the_first_request_runs_answers_409(operator_client, operator):
    import psycopg2

    from tests.processes import test_database_url

    other = psycopg2.connect(test_database_url())
    other.autocommit = False
    with other.cursor() as cursor:  # the first request, holding the key's lock in its transaction
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [operator.pk, "busy-1"])
        response = post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="busy-1")
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_conflict"
    other.rollback()  # the first request died: its lock goes with its transaction
    other.close()
    assert post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="busy-1").status_code == 200


def test_an_idempotency_key_reused_with_another_body_answers_409(operator_client):
    post(operator_client, batch(item()), HTTP_IDEMPOTENCY_KEY="abc-2")
    response = post(operator_client, batch(item(serial=3)), HTTP_IDEMPOTENCY_KEY="abc-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Consignment.objects.count() == 1


def test_operators_do_not_share_item_ids(operator_client, other_operator_client):
    post(operator_client, batch(item()))
    response = post(other_operator_client, batch(item()))
    assert response.json()["results"][0]["status"] == "ACCEPTED"
    assert Consignment.objects.filter(item_id="RB123456785GB").count() == 2


def test_throttled_requests_answer_429_with_retry_after(operator_client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"operator": "2/min"}}
    try:
        statuses = [operator_client.get("/api/v1/postal/responses").status_code for _ in range(3)]
        response = operator_client.get("/api/v1/postal/responses")
    finally:
        cache.clear()
    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


@pytest.mark.services
def test_the_rate_limit_holds_under_a_crowd_of_concurrent_requests(operator, settings):
    import threading
    from types import SimpleNamespace

    from django.core.cache import cache

    from postal.throttling import OperatorRateThrottle

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"operator": "100/hour"}}
    request = SimpleNamespace(user=SimpleNamespace(operator=operator))
    start, allowed, lock = threading.Barrier(25), [], threading.Lock()

    def client():
        start.wait()
        for _ in range(12):
            if OperatorRateThrottle().allow_request(request, None):
                with lock:
                    allowed.append(1)

    threads = [threading.Thread(target=client) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.clear()
    assert len(allowed) == 100  # of 300 at once; never more (nor fewer, within one window)


def test_unknown_keys_and_ids_with_nul_or_lone_surrogates_are_echoed_escaped(operator_client):
    raw = '{"items": [{"itemId": "RB\\u0000\\udb4c", "x\\u0000\\ud8e0": 1}]}'  # JSON escapes: NUL, lone surrogates
    response = operator_client.post(URL, data=raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul-1")

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["itemId"] == "RB\\x00\\udb4c"
    assert "items[0].x\\x00\\ud8e0" in [e["field"] for e in result["errors"]]
    replay = operator_client.post(URL, data=raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul-1")
    assert replay.json() == response.json()


def test_a_lone_surrogate_in_a_text_field_is_a_field_error(operator_client):
    body = json.dumps(batch(item())).replace("Cotton T-shirt", "Cotton \\udb4c shirt")
    response = operator_client.post(URL, data=body, content_type="application/json")
    errors = response.json()["results"][0]["errors"]
    assert errors == [
        {
            "field": "items[0].contents[0].description",
            "code": "invalid_characters",
            "message": "Contains control, direction-override or invalid characters.",
        }
    ]
