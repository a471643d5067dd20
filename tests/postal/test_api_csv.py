import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearance.models import Consignment
from core.s10 import make

pytestmark = pytest.mark.django_db
URL = "/api/v1/postal/items/csv"
HEADER = (
    "itemId,category,sender_name,sender_country,addressee_name,addressee_postcode,addressee_country,"
    "grossWeightKg,currency,description,quantity,netWeightKg,value,hsCode,originCountry\n"
)


def upload(client, text, **extra):
    return client.post(URL, {"file": SimpleUploadedFile("batch-7.csv", text.encode(), "text/csv"), **extra})


def test_rows_of_one_item_make_one_item_with_its_lines(operator_client):
    text = HEADER + (
        "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.900,USD,Cotton T-shirt,2,0.300,12.50,610910,CN\n"
        "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.900,USD,Leather belt,1,0.200,9.90,420330,CN\n"
    )
    response = upload(operator_client, text)

    assert response.status_code == 200
    assert response.json()["results"] == [{"itemId": "RB123456785GB", "status": "ACCEPTED", "errors": []}]
    assert response.json()["messageId"] == "batch-7.csv"
    consignment = Consignment.objects.get()
    assert [line.hs_code for line in consignment.lines.all()] == ["610910", "420330"]
    assert str(consignment.total_value) == "22.40"


def test_errors_name_the_file_line_and_column_and_valid_rows_are_kept(operator_client):
    text = HEADER + (
        "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.450,USD,Cotton T-shirt,2,0.300,12.50,610910,CN\n"
        f"{make('RB', 1, 'GB')},SALE_OF_GOODS,Shop,ZZ,Amra,71000,BA,0.450,USD,Mug,1,0.300,5.00,691200,CN\n"
        f"{make('RB', 2, 'GB')},SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.450,USD,Mug,one,0.300,5.00,123456,CN\n"
    )
    body = upload(operator_client, text).json()

    assert [r["status"] for r in body["results"]] == ["ACCEPTED", "REJECTED", "REJECTED"]
    assert body["results"][1]["errors"][0]["field"] == "rows[3].sender_country"
    fields = {e["field"]: e["code"] for e in body["results"][2]["errors"]}
    assert fields == {"rows[4].quantity": "invalid_quantity", "rows[4].hsCode": "invalid_hs_code"}
    assert Consignment.objects.count() == 1


def test_leading_zeros_survive(operator_client):
    text = HEADER + "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,01000,BA,0.450,USD,Live fish,1,0.300,12.50,030111,CN\n"
    assert upload(operator_client, text).json()["accepted"] == 1
    consignment = Consignment.objects.get()
    assert consignment.addressee_postcode == "01000"
    assert consignment.lines.get().hs_code == "030111"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("itemId,category\nRB123456785GB,GIFT\n", "Missing columns"),
        (HEADER.strip() + ",colour\n", "Unknown columns"),
        (HEADER, "no rows"),
    ],
)
def test_an_unusable_file_answers_400(operator_client, text, message):
    response = upload(operator_client, text)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_no_file_answers_400_and_json_answers_415(operator_client):
    assert operator_client.post(URL, {}).status_code == 400
    assert operator_client.post(URL, data="{}", content_type="application/json").status_code == 415


def test_a_non_utf8_file_answers_400(operator_client):
    response = operator_client.post(URL, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", "text/csv")})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_csv"


def test_rows_of_one_item_that_disagree_refuse_the_item_naming_both_rows(operator_client):
    text = HEADER + (
        "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.900,EUR,Cotton T-shirt,2,0.300,12.50,610910,CN\n"
        f"{make('RB', 7, 'GB')},SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.450,USD,Mug,1,0.300,5.00,691200,CN\n"
        "RB123456785GB,SALE_OF_GOODS,Shop,CN,Amra,71000,BA,0.900,USD,Leather belt,1,0.200,9.90,420330,CN\n"
    )
    results = upload(operator_client, text).json()["results"]

    refused, kept = results
    assert refused["status"] == "REJECTED" and kept["status"] == "ACCEPTED"
    assert refused["errors"] == [
        {
            "field": "rows[4].currency",
            "code": "conflicting_rows",
            "message": "Row 4 gives currency 'USD' where row 2 of the same item gives 'EUR': an item's own "
            "columns must be the same on each of its rows.",
        }
    ]
    assert list(Consignment.objects.values_list("item_id", flat=True)) == [make("RB", 7, "GB")]
