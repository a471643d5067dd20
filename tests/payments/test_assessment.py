"""Worked examples of the duty and tax assessment, on the seeded law of each regime."""

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from law.choices import RoundingScope
from law.models import RegimeTerms
from law.seed import ECB_FILE, _monthly_rows, penultimate_wednesday
from payments.assessment import consignments_assess_charges
from payments.choices import IrgCategory
from payments.models import Assessment
from tests.factories import ConsignmentFactory

D = Decimal
pytestmark = pytest.mark.django_db


def assess(*, on: date, country: str, currency: str, lines: list[tuple[str, str]], **fields) -> Assessment:
    """Assess an item pre-advised on `on` whose lines are (value, hs code)."""
    consignment = ConsignmentFactory(
        pre_advised_at=datetime(on.year, on.month, on.day, 9, 30, tzinfo=UTC),
        addressee_country=country,
        currency=currency,
        total_value=sum((D(value) for value, _ in lines), D(0)),
        lines=[{"value": D(value), "hs_code": hs, "description": f"goods {hs}"} for value, hs in lines],
        **fields,
    )
    return consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]


# --- European Union --------------------------------------------------------------------------


def test_eu_after_the_flat_duty_without_ioss_is_the_domain_example():
    # Lines €40 + €30, freight €8, Dutch addressee (VAT 21%), July 2026: 2 × €3
    # duty, VAT on 40 + 30 + 8 + 6 = 84, i.e. €17.64.
    a = assess(
        on=date(2026, 7, 15),
        country="NL",
        currency="EUR",
        lines=[("40", "610910"), ("30", "950300")],
        postal_charges=D("8"),
    )
    assert (a.duty, a.vat, a.fees, a.total) == (D("6.00"), D("17.64"), D("0.00"), D("23.64"))
    assert a.customs_value == D("78.00")
    assert sum(line.vat_base for line in a.lines.all()) == D("84.0000")
    assert a.irg_category == IrgCategory.LOW_VALUE_DUTIABLE
    assert [line.duty_kind for line in a.lines.all()] == ["FLAT", "FLAT"]


def test_eu_from_november_2026_adds_the_handling_fee_per_tariff_line():
    a = assess(
        on=date(2026, 11, 22),
        country="NL",
        currency="EUR",
        lines=[("40", "610910"), ("30", "950300")],
        postal_charges=D("8"),
    )
    assert (a.duty, a.vat, a.fees, a.total) == (D("6.00"), D("17.64"), D("4.00"), D("27.64"))
    fee = a.fee_lines.get()
    assert (fee.name, fee.count, fee.unit_amount) == ("EU customs handling fee", 2, D("2.00"))


def test_eu_with_a_valid_ioss_number_charges_no_import_vat_but_the_flat_duty():
    a = assess(
        on=date(2026, 7, 15),
        country="FR",
        currency="EUR",
        lines=[("40", "610910"), ("30", "950300")],
        postal_charges=D("8"),
        ioss_number="IM2504748863",
    )
    assert a.ioss_applied is True
    assert (a.duty, a.vat, a.total) == (D("6.00"), D("0.00"), D("6.00"))


def test_eu_before_the_flat_duty_relieves_duty_but_charges_vat():
    a = assess(
        on=date(2026, 6, 30),
        country="DE",
        currency="EUR",
        lines=[("40", "610910"), ("30", "950300")],
        postal_charges=D("8"),
    )
    # No duty under €150; VAT 19% on 78: 40 + 30 + 8 spread over the lines.
    assert (a.duty, a.vat, a.total) == (D("0.00"), D("14.82"), D("14.82"))
    assert {line.duty_kind for line in a.lines.all()} == {"RELIEF"}


def test_eu_before_the_flat_duty_with_ioss_owes_nothing_and_is_category_2():
    a = assess(on=date(2026, 6, 30), country="DE", currency="EUR", lines=[("40", "610910")], ioss_number="IM2504748863")
    assert a.total == D("0.00")
    assert a.irg_category == IrgCategory.BELOW_DE_MINIMIS


def test_an_ioss_number_of_no_member_state_is_not_honoured():
    # 840 is the United States' numeric code: not an EU member state.
    a = assess(on=date(2026, 6, 30), country="DE", currency="EUR", lines=[("40", "610910")], ioss_number="IM8401234567")
    assert a.ioss_applied is False
    assert a.vat == D("7.60")
    assert "not valid" in " ".join(a.details["notes"])


def test_the_flat_duty_counts_distinct_tariff_lines():
    five_shirts = assess(on=date(2026, 8, 1), country="NL", currency="EUR", lines=[("10", "610910")] * 5)
    assert five_shirts.duty == D("3.00")
    shoes_dolls_shirts = assess(
        on=date(2026, 8, 1), country="NL", currency="EUR", lines=[("30", "640399"), ("20", "950300"), ("10", "610910")]
    )
    assert shoes_dolls_shirts.duty == D("9.00")


def test_eu_above_150_euros_needs_a_full_declaration():
    a = assess(on=date(2026, 8, 1), country="IT", currency="EUR", lines=[("160", "851713")])
    assert a.irg_category == IrgCategory.HIGH_VALUE
    assert "full declaration" in a.needs_officer


def test_vat_rates_follow_their_effective_dates():
    # Slovakia's standard rate went from 20% to 23% on 2025-01-01.
    before = assess(on=date(2024, 12, 31), country="SK", currency="EUR", lines=[("100", "610910")])
    after = assess(on=date(2025, 1, 1), country="SK", currency="EUR", lines=[("100", "610910")])
    assert (before.vat, after.vat) == (D("20.00"), D("23.00"))


# --- United Kingdom: £135 ----------------------------------------------------------------------


def test_uk_up_to_135_pounds_owes_nothing_at_import():
    a = assess(on=date(2026, 3, 1), country="GB", currency="GBP", lines=[("130", "610910")], postal_charges=D("5"))
    assert (a.total, a.irg_category) == (D("0.00"), IrgCategory.BELOW_DE_MINIMIS)
    assert not a.fee_lines.exists()  # the carrier's fee only when something is collected


def test_uk_above_135_pounds_pays_duty_vat_and_the_carrier_fee():
    a = assess(on=date(2026, 3, 1), country="GB", currency="GBP", lines=[("140", "610910")], postal_charges=D("5"))
    # CIF 145; duty 12% = 17.40; VAT 20% of 162.40 = 32.48; Royal Mail £8.
    assert (a.customs_value, a.duty, a.vat, a.fees, a.total) == (
        D("145.00"),
        D("17.40"),
        D("32.48"),
        D("8.00"),
        D("57.88"),
    )


def test_uk_gifts_pay_vat_above_39_pounds():
    small = assess(on=date(2026, 3, 1), country="GB", currency="GBP", lines=[("30", "610910")], category="GIFT")
    larger = assess(on=date(2026, 3, 1), country="GB", currency="GBP", lines=[("50", "610910")], category="GIFT")
    assert small.total == D("0.00")
    assert (larger.duty, larger.vat, larger.fees) == (D("0.00"), D("10.00"), D("8.00"))


# --- CIF and FOB -------------------------------------------------------------------------------------


def test_fob_regime_leaves_transport_out_of_the_customs_value():
    # United States after Section 321 was suspended: 10% on the goods only.
    a = assess(on=date(2025, 9, 1), country="US", currency="USD", lines=[("100", "610910")], postal_charges=D("20"))
    assert (a.customs_value, a.duty, a.vat, a.total) == (D("100.00"), D("10.00"), D("0.00"), D("10.00"))


def test_section_321_relieved_the_same_item_before_its_suspension():
    a = assess(on=date(2025, 8, 28), country="US", currency="USD", lines=[("500", "610910")])
    assert a.total == D("0.00")


def test_cif_regime_includes_transport_in_the_duty_and_vat_base():
    # Bosnia and Herzegovina: above 300 BAM, 10% duty on 400 + 20, VAT 17% on 462.
    a = assess(on=date(2026, 3, 1), country="BA", currency="BAM", lines=[("400", "610910")], postal_charges=D("20"))
    assert (a.customs_value, a.duty, a.vat, a.total) == (D("420.00"), D("42.00"), D("78.54"), D("120.54"))


def test_bih_relieves_purchases_up_to_300_bam_but_gifts_only_up_to_90():
    purchase = assess(on=date(2026, 3, 1), country="BA", currency="BAM", lines=[("200", "610910")])
    gift = assess(on=date(2026, 3, 1), country="BA", currency="BAM", lines=[("200", "610910")], category="GIFT")
    assert purchase.total == D("0.00")
    assert (gift.duty, gift.vat) == (D("20.00"), D("37.40"))


# --- Rounding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "duty"), [(RoundingScope.PER_LINE, "30.03"), (RoundingScope.PER_DECLARATION, "30.02")]
)
def test_rounding_per_line_or_per_declaration(scope, duty):
    RegimeTerms.objects.filter(regime__code="BA").update(rounding_scope=scope)
    # Three lines of 100.05 BAM: 10% is 10.005 each; half up per line = 10.01 × 3,
    # per declaration 30.015 → 30.02.
    a = assess(on=date(2026, 3, 1), country="BA", currency="BAM", lines=[("100.05", "610910")] * 3)
    assert a.duty == D(duty)
    assert a.details["rounding"]["scope"] == scope


# --- Exchange rates -----------------------------------------------------------------------------------


def _ecb_rate(day: str, currency: str) -> Decimal:
    with ECB_FILE.open() as handle:
        for row in csv.DictReader(handle):
            if row["Date"] == day:
                return D(row[currency])
    raise AssertionError(f"no ECB row for {day}")


def test_penultimate_wednesday():
    assert penultimate_wednesday(2025, 2) == date(2025, 2, 19)
    assert penultimate_wednesday(2025, 3) == date(2025, 3, 19)
    assert penultimate_wednesday(2024, 7) == date(2024, 7, 24)  # July 2024 ends on a Wednesday


@pytest.mark.parametrize(
    ("pre_advised", "published"),
    [(date(2025, 3, 1), "2025-02-19"), (date(2025, 3, 31), "2025-02-19"), (date(2025, 4, 1), "2025-03-19")],
)
def test_eu_uses_the_penultimate_wednesday_rate_of_the_month_before(pre_advised, published):
    a = assess(on=pre_advised, country="NL", currency="USD", lines=[("50", "610910")])
    assert a.fx_published_on == date.fromisoformat(published)
    assert a.fx_rate == _ecb_rate(published, "USD")
    assert a.intrinsic_value == (D("50") / _ecb_rate(published, "USD")).quantize(D("0.01"))


def test_a_daily_regime_uses_the_last_rate_published_on_or_before_the_date():
    # Saturday 2025-03-08 takes Friday's rate; GBP per USD is the cross rate through the euro.
    a = assess(on=date(2025, 3, 8), country="GB", currency="USD", lines=[("50", "610910")])
    assert a.fx_published_on == date(2025, 3, 7)
    expected = (_ecb_rate("2025-03-07", "USD") / _ecb_rate("2025-03-07", "GBP")).quantize(D("0.00000001"))
    assert a.fx_rate == expected


def test_a_missing_wednesday_falls_back_to_the_latest_earlier_rate():
    rates = {
        date(2025, 2, 18): {"USD": D("1.04")},
        date(2025, 2, 20): {"USD": D("1.05")},
        date(2025, 3, 19): {"USD": D("1.09")},
    }
    rows = _monthly_rows("EUR", {day: {**q, "EUR": D(1)} for day, q in rates.items()})
    march = next(row for row in rows if row["valid_from"] == date(2025, 3, 1) and row["currency"] == "USD")
    assert (march["published_on"], march["units_per_regime_unit"]) == (date(2025, 2, 18), D("1.04"))


# --- Versions and reproducibility ---------------------------------------------------------------------


def test_a_reassessment_is_a_new_version_and_keeps_the_old_one():
    a = assess(on=date(2026, 7, 15), country="NL", currency="EUR", lines=[("40", "610910")])
    again = consignments_assess_charges(consignment_ids=[a.consignment_id], reason="HS code corrected")
    second = again[a.consignment_id]
    assert (a.number, second.number) == (1, 2)
    a.refresh_from_db()
    assert a.is_current is False and second.is_current is True
    assert Assessment.objects.filter(consignment_id=a.consignment_id).count() == 2


def test_an_item_for_a_country_without_a_regime_goes_to_an_officer():
    a = assess(on=date(2026, 7, 15), country="JP", currency="JPY", lines=[("4000", "610910")])
    assert a.regime is None
    assert "No duty regime" in a.needs_officer
