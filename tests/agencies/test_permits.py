"""Permits and licences as data: the registers loaded by CSV, a permit declared per line in the pre-advice,
and the catalogue row a permit lifts: a valid one releases the goods on that ground, any other is a finding."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from agencies.models import Permit, PermitUse
from agencies.permits import permits_load
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, ContentLine
from core.normalize import name_key
from risk.choices import RuleKind, RuleStatus
from risk.engine import Engine
from risk.models import Rule
from risk.reasons import render
from risk.rules import CompiledRule
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory
from tests.postal import payloads

pytestmark = pytest.mark.django_db

CITES_ROW = CompiledRule(
    code="cites-test",
    version=1,
    kind=RuleKind.PROHIBITED,
    description="Wildlife products needing a CITES permit",
    condition={"goods": "CITES wildlife", "keywords": ["python skin"], "permit_kind": "CITES"},
    force_lane=Lane.RED,
    score=Decimal("0"),
)
TODAY = timezone.now().date()


@pytest.fixture(autouse=True)
def _no_random_draw(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()
    yield
    cache.clear()


def permit(number="FR2612345", holder="Amra Hodžić", quantity=3, valid_to=None, hs=("4202",)) -> Permit:
    return Permit.objects.create(
        kind="CITES",
        number=number,
        holder=holder,
        holder_key=name_key(holder),
        goods="Python skin handbags",
        hs_prefixes=list(hs),
        quantity=quantity,
        valid_from=TODAY - timedelta(days=100),
        valid_to=valid_to or TODAY + timedelta(days=100),
    )


def scored(permit_number="FR2612345", quantity=1, **item):
    line = {"description": "Python skin handbag", "hs_code": "420221", "quantity": quantity}
    consignment = ConsignmentFactory(**item, lines=[line])
    ContentLine.objects.filter(consignment=consignment).update(permit_number=permit_number)
    consignment = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=consignment.pk)
    engine = Engine(rules=[CITES_ROW], model=None, thresholds=(0.7, 0.3), random_rate=0)
    return consignment, engine.assess([consignment])[consignment.pk]


def test_a_valid_permit_lifts_the_hold_with_a_reason_naming_it():
    permit()
    consignment, verdict = scored()
    assert verdict.lane == Lane.GREEN, verdict.reasons
    finding = next(f for f in verdict.findings if f.code == "permit.valid")
    assert not finding.lane and "CITES permit FR2612345" in render(finding)
    assert PermitUse.objects.get(consignment=consignment).quantity == 1
    # Scored again, the line takes its quantity once.
    Engine(rules=[CITES_ROW], model=None, thresholds=(0.7, 0.3), random_rate=0).assess([consignment])
    assert PermitUse.objects.filter(consignment=consignment).count() == 1


def test_an_expired_permit_is_a_finding_and_the_goods_stay_held():
    permit(valid_to=TODAY - timedelta(days=1))
    _, verdict = scored()
    assert verdict.lane == Lane.RED
    finding = next(f for f in verdict.findings if f.code == "permit.expired")
    assert "is not valid on" in render(finding) and finding.lane == Lane.RED


def test_a_permit_of_another_holder_is_a_finding():
    permit(holder="Somebody Else")
    _, verdict = scored()
    assert verdict.lane == Lane.RED
    assert any(f.code == "permit.other_holder" and "Somebody Else" in render(f) for f in verdict.findings)


@pytest.mark.parametrize(
    ("number", "quantity", "code"),
    [("NOPE-1", 1, "permit.not_found"), ("FR2612345", 5, "permit.used_up")],
)
def test_a_permit_not_found_or_used_up_is_a_finding(number, quantity, code):
    permit(quantity=3)
    _, verdict = scored(permit_number=number, quantity=quantity)
    assert verdict.lane == Lane.RED and any(f.code == code for f in verdict.findings)


def test_without_a_declared_permit_the_row_holds_as_before():
    permit()
    _, verdict = scored(permit_number="")
    assert verdict.lane == Lane.RED
    assert any(f.code == "goods.prohibited_word" for f in verdict.findings)


def test_a_permit_declared_through_the_api_releases_the_goods_and_an_expired_one_holds_them(operator_client):
    rule = Rule.objects.get(code="cites-regulated", status=RuleStatus.ACTIVE)
    rule.condition = {**rule.condition, "permit_kind": "CITES"}
    rule.save(update_fields=["condition"])
    permit(number="FR2612345")
    permit(number="FR2600001", valid_to=TODAY - timedelta(days=3))
    bodies = []
    for serial, number in ((55_000_001, "fr 261 2345"), (55_000_002, "FR2600001")):
        line = {**payloads.item()["contents"][0], "description": "Python skin handbag", "hsCode": "420221"}
        bodies.append(payloads.item(serial=serial, contents=[{**line, "quantity": 1, "permitNumber": number}]))
    response = operator_client.post("/api/v1/postal/items", payloads.batch(*bodies), format="json")
    assert [r["status"] for r in response.json()["results"]] == ["ACCEPTED", "ACCEPTED"], response.json()

    valid, expired = (Consignment.objects.get(item_id=body["itemId"]) for body in bodies)
    assert valid.lines.get().permit_number == "fr 261 2345"
    consignments_assess(consignment_ids=[valid.pk, expired.pk])

    valid.refresh_from_db()
    expired.refresh_from_db()
    reasons = {c.pk: c.risk_assessments.get().reasons for c in (valid, expired)}
    assert valid.state in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE), reasons[valid.pk]
    assert any(r["code"] == "permit.valid" for r in reasons[valid.pk])
    assert expired.state == ConsignmentState.HELD
    assert any(r["code"] == "permit.expired" for r in reasons[expired.pk])


def test_an_item_without_permit_numbers_keeps_its_content_hash(operator_client):
    body = payloads.item(serial=55_000_010)
    first = operator_client.post("/api/v1/postal/items", payloads.batch(body), format="json").json()
    again = operator_client.post("/api/v1/postal/items", payloads.batch(body), format="json").json()
    assert (first["results"][0]["status"], again["results"][0]["status"]) == ("ACCEPTED", "DUPLICATE")
    assert "permitNumber" not in Consignment.objects.get(item_id=body["itemId"]).versions.get().data["contents"][0]


REGISTER = (
    "kind,number,holder,goods,hs_codes,quantity,valid_from,valid_to\n"
    "CITES,FR 2612345,Amra Hodžić,Python skin handbags,4202,3,2026-01-01,2026-12-31\n"
    "CITES,FR2612346,Amra Hodžić,Python skin belts,,0,2026-01-01,2026-12-31\n"
    "MEDICINE,MA-7,Pharmacie Centrale,Insulin,3004,100,2026-06-01,2026-01-01\n"
    "BASEL,BN-1,Recycling SA,Used batteries,8548|8507,500,2026-01-01,2026-12-31\n"
)


def test_the_register_loads_good_rows_and_reports_bad_ones_by_line(tmp_path):
    result = permits_load(text=REGISTER, source="cites.csv")
    assert (result.created, [line for line, _ in result.errors]) == (2, [3, 4])
    assert "quantity" in result.errors[0][1] and "valid_to is before valid_from" in result.errors[1][1]
    loaded = Permit.objects.get(number="FR2612345")
    assert (loaded.hs_prefixes, loaded.valid_to, loaded.source) == (["4202"], date(2026, 12, 31), "cites.csv:2")

    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("permits_load", str(path), stdout=out, stderr=err)
    assert "0 permits added, 2 updated" in out.getvalue() and "line 3:" in err.getvalue()


def test_officers_see_the_registers(client, officer):
    permit()
    client.force_login(officer)
    page = client.get("/officer/permits/", {"kind": "CITES", "q": "FR 2612"}).content.decode()
    assert 'data-permit="FR2612345"' in page and "Python skin handbags" in page
    assert 'data-permit="' not in client.get("/officer/permits/", {"kind": "BASEL"}).content.decode()


def test_the_csv_pre_advice_carries_a_permit_number(operator_client):
    from postal import contract

    header = contract.csv_item_columns() + contract.csv_line_columns()
    body = payloads.item(serial=55_000_020)
    row = {
        "itemId": body["itemId"],
        "category": "SALE_OF_GOODS",
        "currency": "USD",
        "grossWeightKg": "0.450",
        "sender_name": "Shenzhen Trading Co",
        "sender_country": "CN",
        "addressee_name": "Amra Hodžić",
        "addressee_country": "BA",
        "description": "Python skin handbag",
        "quantity": "1",
        "netWeightKg": "0.300",
        "value": "120.00",
        "hsCode": "420221",
        "originCountry": "CN",
        "permitNumber": "FR2612345",
    }
    text = ",".join(header) + "\n" + ",".join(row.get(column, "") for column in header) + "\n"
    upload = SimpleUploadedFile("batch.csv", text.encode(), content_type="text/csv")
    response = operator_client.post("/api/v1/postal/items/csv", {"file": upload}, format="multipart")
    assert response.json()["results"][0]["status"] == "ACCEPTED", response.json()
    assert Consignment.objects.get(item_id=body["itemId"]).lines.get().permit_number == "FR2612345"


def test_the_officer_sees_the_declared_permit_on_the_item_page(client, officer):
    consignment, _ = scored()
    client.force_login(officer)
    page = client.get(f"/officer/items/{consignment.pk}/").content.decode()
    assert '<td class="permit"><a href="/officer/permits/?q=FR2612345">FR2612345</a></td>' in page


def test_a_permit_lifts_only_the_line_it_is_declared_on():
    """A valid permit on the handbag does not cover a second line of the same listed goods without one."""
    permit()
    lines = [
        {"description": "Python skin handbag", "hs_code": "420221", "quantity": 1},
        {"description": "Python skin boots", "hs_code": "640399", "quantity": 20},
    ]
    consignment = ConsignmentFactory(lines=lines)
    ContentLine.objects.filter(consignment=consignment, position=1).update(permit_number="FR2612345")
    consignment = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=consignment.pk)
    engine = Engine(rules=[CITES_ROW], model=None, thresholds=(0.7, 0.3), random_rate=0)
    verdict = engine.assess([consignment])[consignment.pk]
    assert verdict.lane == Lane.RED, verdict.reasons
    assert "permit.valid" not in {f.code for f in verdict.findings}

    ContentLine.objects.filter(consignment=consignment, position=2).update(permit_number="FR2612345")
    consignment = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=consignment.pk)
    verdict = engine.assess([consignment])[consignment.pk]
    assert verdict.lane != Lane.GREEN  # the permit is for handbags (HS 4202), not boots: still a finding
