"""Maker-checker on the law: every kind of change is a proposal with a preview; only a second supervisor applies it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import AuditEntry
from law.choices import LawChangeKind, LawChangeStatus, LoadMode
from law.models import DeMinimis, DutyRate, Fee, FlatDuty, LawChange, Regime, RegimeTerms, VatRate
from law.selectors import in_force, tariff_for
from law.services import law_change_approve, law_change_propose, law_change_reject, tariff_load_propose
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
FILE = Path(__file__).resolve().parents[2] / "law" / "data" / "uk-global-tariff-2021.csv"
LATER = date(2027, 3, 1)  # under the EU flat duty (to 2028-06-30) and the handling fee (from 2026-11-01)


@pytest.fixture
def author(db):
    return UserFactory(role="SUPERVISOR", username="maker")


@pytest.fixture
def checker(db):
    return UserFactory(role="SUPERVISOR", username="checker")


def regime(code):
    return Regime.objects.get(code=code)


def propose(author, code, kind, entries, on=LATER, **fields):
    return law_change_propose(
        author=author, kind=kind, regime=regime(code), effective_from=on, entries=entries, summary="test", **fields
    )


def row(table, key, values, **extra):
    return {"table": table, "key": key, "values": values, **extra}


# (kind, regime, entries, a read of the law in force on a day): one change of each kind of law.
KINDS = [
    (
        LawChangeKind.VAT_RATES,
        "EU",
        [row("VatRate", {"country": "DE", "hs_prefix": ""}, {"rate": "20"})],
        lambda on: in_force(VatRate.objects.filter(regime__code="EU", country="DE", hs_prefix=""), on).get().rate,
        D("19.000"),
        D("20.000"),
    ),
    (
        LawChangeKind.DUTY_RATES,
        "GB",
        [row("DutyRate", {"hs_prefix": "61091000", "origin_country": ""}, {"rate": "10", "rate_text": "10.00%"})],
        lambda on: in_force(DutyRate.objects.filter(regime__code="GB", hs_prefix="61091000"), on).get().rate,
        D("12.000"),
        D("10.000"),
    ),
    (
        LawChangeKind.DE_MINIMIS,
        "GB",
        [row("DeMinimis", {"kind": "DUTY", "category": ""}, {"basis": "INTRINSIC", "amount": "100"})],
        lambda on: in_force(DeMinimis.objects.filter(regime__code="GB", kind="DUTY", category=""), on).get().amount,
        D("135.00"),
        D("100.00"),
    ),
    (
        LawChangeKind.FEES,
        "GB",
        [row("Fee", {"name": "Royal Mail fee"}, {"basis": "PER_ITEM", "amount": "9", "only_when_charges_due": "true"})],
        lambda on: in_force(Fee.objects.filter(regime__code="GB", name="Royal Mail fee"), on).get().amount,
        D("8.00"),
        D("9.00"),
    ),
    (
        LawChangeKind.REGIME_TERMS,
        "BA",
        [
            row(
                "RegimeTerms",
                {},
                {
                    "valuation_basis": "CIF",
                    "rounding_scope": "PER_LINE",
                    "rounding_places": "2",
                    "low_value_ceiling": "",
                    "fx_rule": "DAILY",
                    "fx_max_age_days": "7",
                    "ioss_accepted": "false",
                    "ioss_value_cap": "",
                    "storage_days": "45",
                },
            )
        ],
        lambda on: in_force(RegimeTerms.objects.filter(regime__code="BA"), on).get().storage_days,
        30,
        45,
    ),
    (
        LawChangeKind.FLAT_DUTY,
        "EU",
        [
            row(
                "FlatDuty",
                {},
                {
                    "amount": "4",
                    "max_intrinsic_value": "150",
                    "applies_with_ioss": "true",
                    "applies_without_ioss": "true",
                },
                valid_to="2028-06-30",
            )
        ],
        lambda on: in_force(FlatDuty.objects.filter(regime__code="EU"), on).get().amount,
        D("3.00"),
        D("4.00"),
    ),
]


@pytest.mark.parametrize(("kind", "code", "entries", "read", "old", "new"), KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_of_law_changes_only_when_a_second_supervisor_approves(
    author, checker, kind, code, entries, read, old, new
):
    change = propose(author, code, kind, entries)
    assert change.status == LawChangeStatus.PENDING
    assert change.preview["counts"] == {"added": 0, "changed": 1, "ended": 0, "unchanged": 0}
    assert read(LATER) == old  # nothing changes before approval

    with pytest.raises(PermissionDenied):
        law_change_approve(change=change, approver=author)  # four eyes
    with pytest.raises(PermissionDenied):
        law_change_approve(change=change, approver=UserFactory(role="OFFICER"))
    assert read(LATER) == old

    law_change_approve(change=change, approver=checker)
    assert read(LATER) == new
    assert read(LATER - timedelta(days=1)) == old  # the row in force ends the day before
    actions = list(AuditEntry.objects.filter(target_id=change.pk).values_list("action", flat=True).order_by("at"))
    assert actions == ["law.change.proposed", "law.change.approved"]
    assert law_change_approve(change=change, approver=checker).status == LawChangeStatus.APPLIED  # a no-op again


def test_a_rejected_change_changes_nothing_and_cannot_be_approved_later(author, checker):
    change = propose(author, "EU", LawChangeKind.VAT_RATES, KINDS[0][2])
    law_change_reject(change=change, reviewer=checker, reason="wrong rate")
    with pytest.raises(InvalidTransition):
        law_change_approve(change=change, approver=checker)
    assert KINDS[0][3](LATER) == D("19.000")


def test_only_a_supervisor_proposes(db):
    with pytest.raises(PermissionDenied):
        propose(UserFactory(role="OFFICER"), "EU", LawChangeKind.VAT_RATES, KINDS[0][2])


def test_a_bad_value_is_refused_with_its_row(author):
    for values, message in (({"rate": "-1"}, "Row 1 (VatRate)"), ({"rate": "12,5"}, "Row 1 (VatRate)")):
        with pytest.raises(ApplicationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            propose(author, "EU", LawChangeKind.VAT_RATES, [row("VatRate", {"country": "DE", "hs_prefix": ""}, values)])
    assert not LawChange.objects.exists()


def test_history_is_not_rewritten(author, checker):
    # The German rate row in force started on 2021-07-01: a change from that very day would rewrite it.
    with pytest.raises(ApplicationError, match="history is not rewritten"):
        propose(author, "EU", LawChangeKind.VAT_RATES, KINDS[0][2], on=date(2021, 7, 1))


def test_approval_refuses_when_the_law_moved_since_the_preview(author, checker):
    first = propose(author, "EU", LawChangeKind.VAT_RATES, KINDS[0][2])
    second = propose(
        author, "EU", LawChangeKind.VAT_RATES, [row("VatRate", {"country": "DE", "hs_prefix": ""}, {"rate": "21"})]
    )
    law_change_approve(change=first, approver=checker)
    with pytest.raises(InvalidTransition, match="changed since this proposal"):
        law_change_approve(change=second, approver=checker)
    assert KINDS[0][3](LATER) == D("20.000")


def _item(country, currency, value, hs="610910", days_ago=3):
    return ConsignmentFactory(
        addressee_country=country,
        currency=currency,
        total_value=D(value),
        pre_advised_at=timezone.now() - timedelta(days=days_ago),
        lines=[{"value": D(value), "hs_code": hs}],
    )


def test_the_preview_shows_the_effect_on_the_last_30_days_of_items(author):
    # Two German items of EUR 100 under the law of 2027-03: EUR 3 flat duty, VAT on 103, a EUR 2 fee.
    _item("DE", "EUR", "100")
    _item("DE", "EUR", "100", days_ago=20)
    _item("DE", "EUR", "100", days_ago=40)  # older than 30 days: left out
    _item("FR", "EUR", "100")  # French VAT does not change
    change = propose(author, "EU", LawChangeKind.VAT_RATES, KINDS[0][2])
    effect = change.preview["effect"]
    assert effect["computed"] and effect["items"] == 3
    # Before: DE 19.57 VAT x 2 + FR 20.60; after: DE 20.60 x 2 + FR 20.60.
    assert effect["before"]["vat"] == "59.74"
    assert effect["after"]["vat"] == "61.80"
    assert effect["before"]["total"] == "74.74"  # + 3 x (3 duty + 2 fee)
    assert effect["after"]["total"] == "76.80"
    assert effect["itemsChanged"] == 2
    assert [entry["before"] for entry in effect["largest"]] == ["24.57", "24.57"]


def test_the_preview_counts_items_crossing_a_threshold(author):
    _item("GB", "GBP", "120")  # T-shirt: below the GBP 135 duty relief, VAT charged at sale
    _item("GB", "GBP", "90")
    change = propose(
        author,
        "GB",
        LawChangeKind.DE_MINIMIS,
        [row("DeMinimis", {"kind": "DUTY", "category": ""}, {"basis": "INTRINSIC", "amount": "100"})],
    )
    effect = change.preview["effect"]
    assert effect["crossing"]["startPaying"] == 1  # the GBP 120 one now pays 12 % duty and the GBP 8 fee
    assert effect["after"]["total"] == "22.40"
    assert effect["before"]["total"] == "0.00"


# --- Tariff loads ---------------------------------------------------------------------------------

HEADER = "commodity,description,cet_duty_rate,ukgt_duty_rate\n"


def tariff(author, text, mode=LoadMode.PARTIAL, code="GB", on=LATER):
    return tariff_load_propose(
        author=author, regime=regime(code), effective_from=on, text=HEADER + text, mode=mode, file_name="t.csv"
    )


def gb_rate(code, on=LATER):
    return [(r.rate, r.rate_text) for r in in_force(DutyRate.objects.filter(regime__code="GB", hs_prefix=code), on)]


def test_a_truncated_complete_load_is_refused(author):
    with pytest.raises(ApplicationError, match="lists 1 rows where 11,830 are in force") as refused:
        tariff(author, "61091000,T-shirts,12.0%,10.0%\n", mode=LoadMode.COMPLETE)
    assert refused.value.code == "truncated_load"
    assert not LawChange.objects.exists()


def test_a_partial_load_changes_only_its_codes(author, checker):
    before = in_force(DutyRate.objects.filter(regime__code="GB").exclude(rate_text=""), LATER).count()
    handbags = DutyRate.objects.get(regime__code="GB", hs_prefix="42022100").description
    change = tariff(
        author, f'61091000,T-shirts,12.0%,10.0%\n99999910,A new code,1.0%,3.0%\n42022100,"{handbags}",3.0%,2.0%\n'
    )
    assert change.preview["counts"] == {"added": 1, "changed": 1, "ended": 0, "unchanged": 1}
    assert change.preview["chapters"] == [
        {"chapter": "61", "added": 0, "changed": 1, "ended": 0},
        {"chapter": "99", "added": 1, "changed": 0, "ended": 0},
    ]
    assert change.preview["largest"] == [{"code": "61091000", "before": "12.0%", "after": "10.0%", "points": "-2.000"}]
    assert gb_rate("61091000") == [(D("12.000"), "12.0%")]
    law_change_approve(change=change, approver=checker)
    assert gb_rate("61091000") == [(D("10.000"), "10.0%")]
    assert gb_rate("61091000", LATER - timedelta(days=1)) == [(D("12.000"), "12.0%")]
    assert in_force(DutyRate.objects.filter(regime__code="GB").exclude(rate_text=""), LATER).count() == before + 1
    assert gb_rate("95030075") == [(D("4.000"), "4.0%")]  # a code not in the file keeps its rate


BAD_RATES = ["-5.0%", "NaN%", "1e30%", '"12,5%"', "5000%", "\u0661\u0662%", "99999999999999999999 GBP / 100 kg"]


@pytest.mark.parametrize("bad", BAD_RATES)
def test_a_load_with_a_bad_rate_is_refused_unless_its_rows_are_accepted(author, checker, bad):
    change = tariff(author, f"61091000,T-shirts,12.0%,{bad}\n42022100,Handbags,3.0%,2.5%\n")
    assert [(row["line"], row["code"]) for row in change.unreadable] == [(2, "61091000")]
    with pytest.raises(ApplicationError, match=r"1 unreadable row\(s\) \(lines 2\)"):
        law_change_approve(change=change, approver=checker)
    with pytest.raises(ApplicationError):
        law_change_approve(change=change, approver=checker, accepted_lines=[3])
    assert gb_rate("42022100") == [(D("2.000"), "2.0%")]  # refused whole: nothing changed
    law_change_approve(change=change, approver=checker, accepted_lines=[2])
    assert gb_rate("42022100") == [(D("2.500"), "2.5%")]
    ((rate, text),) = gb_rate("61091000")
    assert rate == 0 and text.startswith("unreadable: ")  # an item of this code goes to an officer
    law = tariff_for(regime("GB"), LATER, "GBP")
    from payments.calculator import ItemInput, LineInput, assess_item

    item = ItemInput("SALE", "GBP", (LineInput(1, "T-shirt", D("200"), hs_code="61091000"),), "GB")
    assert "cannot be read" in assess_item(item, law).needs_officer


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_a_complete_load_ends_the_codes_it_does_not_list(author, checker):
    lines = FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(line for line in lines[1:] if not line.startswith("6109"))
    change = tariff_load_propose(
        author=author, regime=regime("GB"), effective_from=LATER, text=lines[0] + kept, mode=LoadMode.COMPLETE
    )
    ended = change.preview["counts"]["ended"]
    assert (
        ended == DutyRate.objects.filter(regime__code="GB", hs_prefix__startswith="6109").exclude(rate_text="").count()
    )
    assert change.preview["counts"]["unchanged"] == 11830 - ended
    law_change_approve(change=change, approver=checker)
    assert gb_rate("61091000") == []
    assert gb_rate("61091000", date(2026, 1, 1)) == [(D("12.000"), "12.0%")]


def test_the_admin_cannot_change_the_law(admin_client):
    vat = VatRate.objects.filter(regime__code="EU").first()
    assert admin_client.get(f"/admin/law/vatrate/{vat.pk}/change/").status_code == 200  # shown
    response = admin_client.post(f"/admin/law/vatrate/{vat.pk}/change/", {"rate": "99"})
    assert response.status_code == 403
    assert admin_client.get("/admin/law/vatrate/add/").status_code == 403
    assert admin_client.post(f"/admin/law/vatrate/{vat.pk}/delete/", {"post": "yes"}).status_code == 403
    vat.refresh_from_db()
    assert vat.rate != D("99")
    for model in ("regime", "regimeterms", "deminimis", "dutyrate", "flatduty", "fee", "exchangerate", "lawchange"):
        assert admin_client.get(f"/admin/law/{model}/add/").status_code == 403


def test_an_item_of_the_change_day_is_assessed_with_the_new_law(author, checker):
    from payments.assessment import consignments_assess_charges

    law_change_approve(change=propose(author, "EU", LawChangeKind.VAT_RATES, KINDS[0][2]), approver=checker)
    item = ConsignmentFactory(
        addressee_country="DE",
        currency="EUR",
        total_value=D("100"),
        pre_advised_at=datetime(2027, 3, 1, 8, tzinfo=UTC),
        lines=[{"value": D("100")}],
    )
    assessment = consignments_assess_charges(consignment_ids=[item.pk])[item.pk]
    assert assessment.vat == D("20.60")
