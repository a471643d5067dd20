"""The dashboard's Law pages: propose, preview, approve or reject (a second supervisor), export."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEntry
from law.models import DutyRate, LawChange, VatRate
from law.selectors import in_force
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LATER = date(2027, 3, 1)


@pytest.fixture
def maker(client):
    user = UserFactory(role="SUPERVISOR", username="maker")
    client.force_login(user)
    return user


def de_rate(on=LATER):
    return in_force(VatRate.objects.filter(regime__code="EU", country="DE", hs_prefix=""), on).get().rate


def test_the_law_page_shows_the_law_in_force_and_its_exports(client):
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get("/officer/law/").content.decode()
    assert 'data-regime="GB"' in page and "11830" in page  # the UK Global Tariff's codes
    assert 'id="propose-tariff"' not in page  # an officer reads; a supervisor proposes
    law = client.get("/officer/law/law.csv", {"on": "2026-12-01", "regime": "GB"})
    assert law["Content-Type"].startswith("text/csv") and law.content.decode().count("\nDutyRate,GB,") > 11830
    tariff = client.get("/officer/law/tariff.csv", {"on": "2026-12-01", "regime": "GB"}).content.decode()
    assert tariff.startswith("commodity,description,cet_duty_rate,ukgt_duty_rate") and "\n61091000," in tariff
    assert client.post("/officer/law/rows", {}).status_code == 403
    client.force_login(UserFactory(role="SUPERVISOR"))
    rows = client.get("/officer/law/", {"table": "VatRate", "regime": "BA"}).content.decode()
    assert "country,hs_prefix,rate,valid_to,end" in rows and ",17.000," in rows  # the rows in force, to edit


def test_a_change_is_proposed_previewed_and_applied_by_a_second_supervisor(client, maker):
    response = client.post(
        "/officer/law/rows",
        {
            "regime": "EU",
            "table": "VatRate",
            "effective_from": LATER.isoformat(),
            "summary": "German standard rate to 20 %",
            "rows": "country,hs_prefix,rate\nDE,,20\n",
        },
    )
    change = LawChange.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/officer/law/changes/{change.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="count-changed">1<' in page and 'id="withdraw"' in page and 'id="approve"' not in page
    assert client.post(f"/officer/law/changes/{change.pk}/approve").status_code == 302
    assert de_rate() == D("19.000")  # the author's approval was refused
    assert "approved by a supervisor other than its author" in client.get(response["Location"]).content.decode()

    client.force_login(UserFactory(role="SUPERVISOR", username="checker"))
    assert 'id="approve"' in client.get(response["Location"]).content.decode()
    client.post(f"/officer/law/changes/{change.pk}/approve")
    assert de_rate() == D("20.000")
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="APPLIED"' in page and "Change of the law approved and applied" in page
    assert AuditEntry.objects.filter(target_id=change.pk, action="law.change.approved").exists()


def test_a_bad_rows_form_keeps_what_was_typed(client, maker):
    rows = "country,hs_prefix,rate\nDE,,-20\n"
    response = client.post(
        "/officer/law/rows",
        {"regime": "EU", "table": "VatRate", "effective_from": "2027-03-01", "summary": "typo", "rows": rows},
    )
    assert response.status_code == 400
    assert "line 2" in response.content.decode() and "DE,,-20" in response.content.decode()
    assert not LawChange.objects.exists()


def test_a_tariff_upload_lists_its_unreadable_rows_and_needs_them_accepted(client, maker):
    text = "commodity,description,cet_duty_rate,ukgt_duty_rate\n61091000,T-shirts,12.0%,NaN%\n42022100,Bags,3%,2.5%\n"
    response = client.post(
        "/officer/law/tariff",
        {
            "regime": "GB",
            "effective_from": "2027-03-01",
            "mode": "PARTIAL",
            "file": SimpleUploadedFile("t.csv", text.encode()),
        },
    )
    change = LawChange.objects.get()
    assert response["Location"] == f"/officer/law/changes/{change.pk}/"
    client.force_login(UserFactory(role="SUPERVISOR", username="checker"))
    page = client.get(response["Location"]).content.decode()
    assert 'name="accept" value="2"' in page and "not a number" in page
    client.post(f"/officer/law/changes/{change.pk}/approve")
    assert "accept exactly these rows" in client.get(response["Location"]).content.decode()
    client.post(f"/officer/law/changes/{change.pk}/approve", {"accept": ["2"]})
    codes = in_force(DutyRate.objects.filter(regime__code="GB", hs_prefix__in=["61091000", "42022100"]), LATER)
    assert sorted(codes.values_list("hs_prefix", "rate_text")) == [
        ("42022100", "2.5%"),
        ("61091000", "unreadable: NaN%"),
    ]


def test_a_truncated_complete_tariff_is_refused_on_the_page(client, maker):
    text = "commodity,description,cet_duty_rate,ukgt_duty_rate\n61091000,T-shirts,12.0%,10.0%\n"
    response = client.post(
        "/officer/law/tariff",
        {
            "regime": "GB",
            "effective_from": "2027-03-01",
            "mode": "COMPLETE",
            "file": SimpleUploadedFile("t.csv", text.encode()),
        },
        follow=True,
    )
    assert "is it truncated?" in response.content.decode()
    assert not LawChange.objects.exists()
