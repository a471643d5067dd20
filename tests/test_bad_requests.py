"""Bad input is a 4xx with a message, never a 500: the API answers api.md's JSON error, pages a 400 page."""

import pytest

from tests.payments.helpers import make_due
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db


def api_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/postal/items/RB%00", 400),  # NUL in the path
        ("/api/v1/postal/items/RB123456785GB%00", 400),
        ("/api/v1/postal/items/%D9%A1%D9%A2", 404),  # Arabic-Indic digits: no item id at all
        ("/api/v1/postal/items/RB%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6%D9%A7%D9%A8%D9%A5GB", 404),
        ("/api/v1/postal/responses?after=%C2%B2", 400),  # "²" is a digit to str.isdigit, not to int()
        ("/api/v1/postal/responses?limit=%C2%B2", 400),
        ("/api/v1/postal/responses?after=%00", 400),
        ("/api/v1/postal/responses?after=99999999999999999999999", 400),
    ],
)
def test_the_api_answers_a_json_error_for_bad_paths_and_parameters(operator_client, url, status):
    error = api_error(operator_client.get(url), status)
    assert error["code"] and error["message"]


def test_a_csv_quantity_that_is_not_an_ascii_number_is_a_row_error(operator_client):
    header = "itemId,category,currency,grossWeightKg,sender_name,sender_country,addressee_name,addressee_country,"
    header += "description,quantity,netWeightKg,value,hsCode,originCountry\n"
    row = "RB123456785GB,SALE_OF_GOODS,USD,0.5,Shop,CN,Amra,BA,T-shirt,²,0.2,10.00,610910,CN\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("batch.csv", (header + row).encode(), content_type="text/csv")
    response = operator_client.post("/api/v1/postal/items/csv", {"file": upload}, format="multipart")
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == "REJECTED" and result["errors"][0]["code"] == "invalid_quantity"


def test_digits_of_other_scripts_are_not_an_s10_id_or_an_amount(operator_client):
    body = batch(item(itemId="RB١٢٣٤٥٦٧٨٥GB"), item(serial=12345679, grossWeightKg="٠.٤٥٠"))
    results = operator_client.post("/api/v1/postal/items", body, format="json").json()["results"]
    assert [r["errors"][0]["code"] for r in results] == ["invalid_s10", "invalid_decimal"]


@pytest.mark.parametrize(
    "url", ["/pay/verify/?code=%00", "/pay/sandbox/checkout/%00/", "/pay/sandbox/checkout/x%00y/", "/officer/?q=%00"]
)
def test_a_page_answers_a_400_page_with_a_message_for_nul(client, url):
    response = client.get(url)
    assert response.status_code == 400 and "NUL character" in response.content.decode()


def test_a_payment_webhook_with_a_non_ascii_signature_is_refused(client):
    for signature in ("t=1,v1=é", "t=²,v1=ab", "v1=" + "ü" * 64):
        response = client.post(
            "/pay/webhooks/sandbox/", data=b"{}", content_type="application/json", HTTP_X_SANDBOX_SIGNATURE=signature
        )
        assert response.status_code == 400 and response.json()["error"]["code"] == "WEBHOOK_REJECTED"


def test_a_trader_paying_with_non_ascii_ids_gets_nothing_started(client):
    from core.models import User
    from payments.models import Payment, Trader

    due = make_due()
    trader = Trader.objects.create(name="Shop")
    user = User.objects.create_user(username="t", password="x" * 12, role="TRADER")
    trader.members.add(user)
    client.force_login(user)
    response = client.post("/pay/trader/pay", {"items": ["²", f"{due.pk}\u0663"], "idempotency_key": "k"})
    assert response.status_code in (302, 400) and not Payment.objects.exists()
