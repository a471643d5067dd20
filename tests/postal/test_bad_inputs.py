"""Hostile and odd input: each gets a clear error or is stored exactly, never a 500, and valid items are kept."""

import json

import pytest

from clearance.models import Consignment
from core.normalize import text_key
from risk.choices import RuleKind
from tests.postal.payloads import batch, item
from tests.risk.test_rules import compiled, facts

pytestmark = pytest.mark.django_db
URL = "/api/v1/postal/items"


def post_raw(client, raw: str):
    return client.post(URL, data=raw, content_type="application/json")


@pytest.mark.parametrize("constant", ["Infinity", "-Infinity", "NaN"])
def test_json_constants_outside_the_standard_are_a_400(operator_client, constant):
    raw = json.dumps(batch(item())).replace('"0.450"', constant)
    response = post_raw(operator_client, raw)
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == "bad_request" and constant.lstrip("-") in error["message"]
    assert not Consignment.objects.exists()


def test_an_absurd_exponent_is_a_field_error_and_the_other_items_are_kept(operator_client):
    raw = json.dumps(batch(item(serial=1), item(serial=2))).replace('"12.50"', "1e999999", 1)
    response = post_raw(operator_client, raw)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["status"] == "REJECTED" and results[0]["errors"][0]["field"] == "items[0].contents[0].value"
    assert results[1]["status"] == "ACCEPTED"
    assert list(Consignment.objects.values_list("item_id", flat=True)) == [results[1]["itemId"]]


def test_a_body_nested_beyond_the_parser_s_depth_is_refused_whole_with_a_clear_error(operator_client):
    # Too deep to parse safely means no item can be read from it: a 400, never a 500.
    raw = json.dumps(batch(item(serial=3), item(serial=4))).replace('"example-marketplace"', "[" * 900 + "]" * 900, 1)
    response = post_raw(operator_client, raw)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The body is nested too deeply."
    assert not Consignment.objects.exists()


def test_a_nested_value_where_text_belongs_is_a_field_error_and_the_other_item_is_kept(operator_client):
    raw = json.dumps(batch(item(serial=3), item(serial=4))).replace('"example-marketplace"', "[[[[1]]]]", 1)
    results = post_raw(operator_client, raw).json()["results"]
    assert [r["status"] for r in results] == ["REJECTED", "ACCEPTED"]
    assert results[0]["errors"][0]["field"] == "items[0].platform"


def test_a_thousand_items_with_long_texts_are_all_stored(operator_client, settings):
    items = [
        item(serial=10_000 + n, contents=[{**item()["contents"][0], "description": "Ω" * 300}]) for n in range(1000)
    ]
    response = operator_client.post(URL, data=json.dumps(batch(*items)), content_type="application/json")
    assert response.status_code == 200 and response.json()["accepted"] == 1000


def test_right_to_left_names_are_stored_as_sent_but_direction_overrides_are_refused(operator_client):
    arabic = item(serial=5, addressee={**item()["addressee"], "name": "مريم الحسن"})
    override = item(serial=6, sender={**item()["sender"], "name": "Good Shop \u202egnp.exe"})
    results = post_raw(operator_client, json.dumps(batch(arabic, override))).json()["results"]
    assert results[0]["status"] == "ACCEPTED"
    assert Consignment.objects.get(item_id=arabic["itemId"]).addressee_name == "مريم الحسن"
    assert results[1]["status"] == "REJECTED"
    assert results[1]["errors"][0] == {
        "field": "items[1].sender.name",
        "code": "invalid_characters",
        "message": "Contains control, direction-override or invalid characters.",
    }


def test_zero_width_characters_do_not_hide_a_name_from_a_watchlist():
    assert text_key("Acme\u200bCorp") == text_key("AcmeCorp") == "acmecorp"
    assert text_key("مريم") == "مريم"  # non-Latin names keep their letters, so they can be watchlisted
    rule = compiled(RuleKind.WATCHLIST, {"party": "sender", "names": ["AcmeCorp"]})
    assert rule.matches(facts(sender_name="Acme\u200bCorp\ufeff")) is not None


def test_sql_and_html_in_descriptions_are_stored_verbatim_and_shown_escaped(operator_client, client):
    from tests.factories import UserFactory

    description = "<script>alert(1)</script>'; DROP TABLE clearance_consignment; --"
    body = batch(item(serial=7, contents=[{**item()["contents"][0], "description": description}]))
    assert post_raw(operator_client, json.dumps(body)).json()["results"][0]["status"] == "ACCEPTED"
    stored = Consignment.objects.get()
    assert stored.lines.get().description == description
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get(f"/officer/items/{stored.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#x27;; DROP TABLE clearance_consignment; --" in page
