"""The IOSS register as effective-dated law: an unknown, revoked or borrowed number pays import VAT, saying why;
the monthly report (CSV and XLSX) shows the value per number, items above EUR 150 and borrowed numbers."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from law.models import IossRegistration, LawChange
from law.services import law_change_approve
from payments.assessment import consignments_assess_charges
from payments.ioss import ioss_report, ioss_report_csv, ioss_report_xlsx
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
REGISTER = """number,holder,trading_names,member_state,status,valid_from,valid_to
IM2500000001,Shop One SAS,ShopOne; Shop-One Outlet,FR,ACTIVE,,
IM2500000002,Shop Two,,FR,ACTIVE,2026-01-01,
IM2500000003,Real Holder Ltd,,FR,ACTIVE,,
"""
REVOCATION = (
    "number,holder,trading_names,member_state,status,valid_from\nIM2500000002,Shop Two,,FR,REVOKED,2026-11-10\n"
)


def load(tmp_path, text, on):
    maker, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    register = tmp_path / "register.csv"
    register.write_text(text)
    out = StringIO()
    call_command("ioss_load", str(register), "--effective-from", on, "--author", maker.username, stdout=out)
    assert "Proposal" in out.getvalue()
    change = LawChange.objects.filter(author=maker).get()
    return law_change_approve(change=change, approver=checker)


def item(number, sender, value="100", day=15, month=11):
    consignment = ConsignmentFactory(
        addressee_country="DE",
        currency="EUR",
        ioss_number=number,
        sender_name=sender,
        total_value=D(value),
        pre_advised_at=datetime(2026, month, day, 10, tzinfo=UTC),
        lines=[{"value": D(value)}],
    )
    return consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]


def test_without_a_register_a_number_is_checked_by_its_form_only():
    assert item("IM2500000099", "Anyone").ioss_applied


def test_the_register_admits_the_holder_and_refuses_unknown_revoked_and_borrowed_numbers(tmp_path):
    load(tmp_path, REGISTER, "2026-01-01")
    load(tmp_path, REVOCATION, "2026-11-10")
    assert list(
        IossRegistration.objects.filter(number="IM2500000002").order_by("valid_from").values_list("status", "valid_to")
    ) == [("ACTIVE", date(2026, 11, 9)), ("REVOKED", None)]

    own = item("IM2500000001", "SHOP-ONE OUTLET")  # a trading name, written otherwise
    assert own.ioss_applied and own.vat == 0
    assert own.details["ioss"] == {"number": "IM2500000001", "finding": "ok", "message": ""}
    assert item("IM2500000002", "Shop Two", day=9).ioss_applied  # before its revocation

    for number, sender, finding, says in (
        ("IM2500000002", "Shop Two", "revoked", "was revoked from 2026-11-10"),
        ("IM2500000003", "Other Seller Co", "unrelated_seller", "is registered to Real Holder Ltd, not to the seller"),
        ("IM2500000099", "Shop One SAS", "unknown", "is not in the register on 2026-11-15"),
    ):
        assessment = item(number, sender)
        assert not assessment.ioss_applied
        assert assessment.vat == D("19.57")  # 19 % of 100 + the EUR 3 flat duty
        assert assessment.details["ioss"]["finding"] == finding
        assert says in assessment.details["ioss"]["message"]
        assert any(says in note and "Import VAT is charged" in note for note in assessment.details["notes"])


def test_the_monthly_report_shows_value_ceiling_and_borrowed_numbers(tmp_path, client):
    load(tmp_path, REGISTER, "2026-01-01")
    load(tmp_path, REVOCATION, "2026-11-10")
    item("IM2500000001", "Shop One SAS", "100")
    item("IM2500000001", "ShopOne", "200")  # above the EUR 150 ceiling
    item("IM2500000002", "Shop Two", "50")  # revoked
    item("IM2500000003", "Other Seller Co", "80")  # borrowed
    item("IM2500000003", "Third Seller", "20")  # borrowed again
    item("IM2500000003", "Real Holder Ltd", "30")
    item("IM2500000001", "Shop One SAS", "70", day=31, month=10)  # October: not in the report

    report = ioss_report(month=date(2026, 11, 1))
    rows = list(csv.reader(io.StringIO(ioss_report_csv(report))))
    assert rows[0][:8] == [
        "ioss_number",
        "holder",
        "items",
        "value_declared_eur",
        "items_above_150_eur",
        "items_of_unrelated_sellers",
        "items_unknown_number",
        "items_revoked_number",
    ]
    assert rows[1:] == [
        ["IM2500000001", "Shop One SAS", "2", "300.00", "1", "0", "0", "0", ""],
        ["IM2500000002", "Shop Two", "1", "50.00", "0", "0", "0", "1", ""],
        ["IM2500000003", "Real Holder Ltd", "3", "130.00", "0", "2", "0", "0", "Other Seller Co; Third Seller"],
    ]
    book = load_workbook(io.BytesIO(ioss_report_xlsx(report)))
    assert book.sheetnames == ["IOSS 2026-11", "Unrelated sellers"]
    assert [cell.value for cell in book["IOSS 2026-11"][4]][:6] == ["IM2500000003", "Real Holder Ltd", 3, 130, 0, 2]
    assert [[c.value for c in r] for r in book["Unrelated sellers"].iter_rows(min_row=2)] == [
        ["IM2500000003", "Real Holder Ltd", "Other Seller Co", 2],
        ["IM2500000003", "Real Holder Ltd", "Third Seller", 2],
    ]

    client.force_login(UserFactory(role="OFFICER"))
    response = client.get("/officer/law/ioss-report.csv", {"month": "2026-11"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('ioss-2026-11.csv"')
    assert response.content.decode() == ioss_report_csv(report)
    xlsx = client.get("/officer/law/ioss-report.xlsx", {"month": "2026-11"})
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["IOSS 2026-11", "Unrelated sellers"]
