"""The real tariff file (UK Global Tariff beside the EU CET) loaded as duty law, with worked examples."""

from datetime import date
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from law.models import DutyRate, Regime
from law.seed import TARIFF_LOADS
from law.selectors import tariff_for
from law.tariff_file import pad_code, parse_rate, read_tariff
from payments.calculator import ItemInput, LineInput, assess_item

FILE = str(Path(__file__).resolve().parents[2] / "law" / "data" / "uk-global-tariff-2021.csv")
ON = date(2025, 6, 1)  # before the EU flat duty (2026-07-01)


def test_codes_are_padded_as_the_readme_says():
    assert pad_code("1012100") == "01012100"
    assert pad_code("61091000") == "61091000"
    assert pad_code("102291010") == "0102291010"


def test_rates_are_read_as_ad_valorem_specific_or_mixed():
    assert parse_rate("12.0%").ad_valorem == D("12.0")
    specific = parse_rate("41.20 EUR / 100 kg")
    assert (specific.ad_valorem, specific.specific_amount, specific.specific_unit) == (D(0), D("41.20"), "100kg")
    assert parse_rate("34.00 GBP/100kg").specific_amount == D("34.00")
    assert parse_rate("7.00 EUR / tonne").specific_amount == D("0.700")
    assert parse_rate("52.00 EUR / 1,000 items").specific_unit == "1000items"
    mixed = parse_rate("10.20% + 93.10 EUR / 100 kg")
    assert (mixed.ad_valorem, mixed.specific_amount, mixed.complex) == (D("10.20"), D("93.10"), False)
    assert parse_rate("Entry Price").complex


def test_the_whole_file_reads_for_both_regimes():
    for regime in ("GB", "EU"):
        rows = read_tariff(FILE, regime)
        assert len(rows) == 11830
        assert len({row.code for row in rows}) == 11830
        assert all(len(row.code) in (8, 10) for row in rows)


@pytest.fixture
def loaded(db):
    """The seed loads the shipped file; a database emptied by a transactional test gets it again."""
    from django.apps import apps

    from law import seed

    if not DutyRate.objects.exclude(rate_text="").exists():
        seed.seed_tariffs(lambda name: apps.get_model("law", name))


SOURCES = {code: source for code, _start, source in TARIFF_LOADS}


def _assess(regime_code, hs_code, value="200", country=None, net_mass_kg=None):
    regime = Regime.objects.get(code=regime_code)
    tariff = tariff_for(regime, ON, regime.currency)
    item = ItemInput(
        category="SALE",
        currency=regime.currency,
        addressee_country=country or ("GB" if regime_code == "GB" else "DE"),
        lines=(LineInput(1, "goods", D(value), hs_code=hs_code, net_mass_kg=net_mass_kg),),
    )
    return assess_item(item, tariff)


# (regime, HS code, duty, VAT): value 200 in the regime's currency, above every de minimis;
# GB VAT 20 %, Germany 19 %.
WORKED = [
    ("GB", "61091000", "24.00", "44.80"),  # cotton T-shirt, 12 %
    ("EU", "61091000", "24.00", "42.56"),
    ("GB", "42022100", "4.00", "40.80"),  # handbag, UK 2 %
    ("EU", "42022100", "6.00", "39.14"),  # EU 3 %
    ("GB", "95030075", "8.00", "41.60"),  # plastic toy with a motor, UK 4 %
    ("EU", "95030075", "9.40", "39.79"),  # EU 4.7 %
]


@pytest.mark.parametrize(("regime", "hs_code", "duty", "vat"), WORKED)
def test_worked_examples_against_the_real_file(loaded, regime, hs_code, duty, vat):
    breakdown = _assess(regime, hs_code)
    assert (breakdown.duty, breakdown.vat) == (D(duty), D(vat))
    line = breakdown.lines[0]
    assert line.duty_source == SOURCES[regime]
    assert line.duty_rate_text.endswith("%")


def test_a_specific_duty_from_net_weight(loaded):
    # Roquefort 0406 40 10: GBP 117.00 / 100 kg (UK), EUR 140.90 / 100 kg (EU); 2 kg net.
    gb = _assess("GB", "04064010", net_mass_kg=D("2"))
    assert gb.lines[0].duty_rate_text == "117.00 GBP/100kg"
    assert gb.duty == D("2.34")
    assert gb.vat == (D("202.34") * gb.lines[0].vat_rate / 100).quantize(D("0.01"))
    eu = _assess("EU", "04064010", net_mass_kg=D("2"))
    assert (eu.duty, eu.vat) == (D("2.82"), D("38.54"))  # 202.818 x 19 % = 38.535


def test_a_code_not_in_the_file_falls_back_to_its_heading(loaded):
    assert not DutyRate.objects.filter(hs_prefix__startswith="42022190").exists()
    gb = _assess("GB", "42022190")
    eu = _assess("EU", "42022190")
    assert (gb.duty, gb.vat) == (D("4.00"), D("40.80"))  # 4202 21 00 at 2 %
    assert (eu.duty, eu.vat) == (D("6.00"), D("39.14"))  # 4202 21 00 at 3 %


def _load(path, regime, effective_from, mode="complete"):
    """tariff_load proposes; a second supervisor approves."""
    from law.models import LawChange
    from law.services import law_change_approve
    from tests.factories import UserFactory

    maker = UserFactory(role="SUPERVISOR")
    out = StringIO()
    call_command(
        "tariff_load",
        path,
        "--regime",
        regime,
        "--effective-from",
        effective_from,
        "--mode",
        mode,
        "--author",
        maker.username,
        stdout=out,
    )
    change = LawChange.objects.get(author=maker)
    assert f"Proposal {change.pk}:" in out.getvalue()
    return law_change_approve(change=change, approver=UserFactory(role="SUPERVISOR"))


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_loading_again_from_a_later_date_ends_the_earlier_rates_that_change(loaded, tmp_path):
    text = Path(FILE).read_text(encoding="utf-8")
    shirts = '61091000,"T-shirts, singlets and other vests of cotton, knitted or crocheted",12.0%,'
    changed = tmp_path / "tariff.csv"
    changed.write_text(text.replace(shirts + "12.0%", shirts + "11.0%"), encoding="utf-8")
    _load(str(changed), "GB", "2024-01-01")
    gb = DutyRate.objects.filter(regime__code="GB", hs_prefix="61091000")
    assert sorted((row.valid_from.isoformat(), str(row.valid_to), row.rate_text) for row in gb) == [
        ("2021-01-01", "2023-12-31", "12.0%"),
        ("2024-01-01", "None", "11.0%"),
    ]


def _law(regime_code, on):
    from law.selectors import in_force

    rows = in_force(DutyRate.objects.filter(regime__code=regime_code).exclude(rate_text=""), on)
    return sorted(
        (row.hs_prefix, row.rate, row.specific_amount, row.specific_unit, row.rate_text, row.description)
        for row in rows
    )


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
@pytest.mark.parametrize("regime", ["GB", "EU"])
def test_import_export_import_gives_the_same_tariff(loaded, regime, tmp_path):
    exported = tmp_path / "tariff.csv"
    call_command(
        "tariff_export", "--regime", regime, "--on", "2022-06-01", "--output", str(exported), stdout=StringIO()
    )
    change = _load(str(exported), regime, "2023-01-01")
    assert change.preview["counts"]["unchanged"] == 11830 and change.unreadable == []
    before, after = _law(regime, date(2022, 6, 1)), _law(regime, date(2023, 6, 1))
    assert len(before) == 11830
    assert after == before


def test_the_admin_lists_the_loaded_rates_as_stated(loaded, admin_client):
    response = admin_client.get("/admin/law/dutyrate/", {"q": "0406401"})
    assert response.status_code == 200
    assert "117.00 GBP/100kg" in response.content.decode()


def test_a_seasonal_duty_is_charged_at_the_rate_of_the_day(loaded):
    # Tomatoes 0702 00 00, UK: 8 % from 1 November to 14 May, 14 % from 15 May to 31 October.
    breakdown = _assess("GB", "07020000")  # ON is 1 June
    assert (breakdown.duty, breakdown.needs_officer) == (D("28.00"), "")


def test_a_duty_the_item_cannot_give_is_for_an_officer_and_holds_the_item(loaded):
    from datetime import UTC, datetime

    from clearance.choices import ConsignmentState
    from payments.assessment import consignments_assess_charges, consignments_route
    from tests.factories import ConsignmentFactory

    # Wine 2204 21 06, UK: 26.00 GBP/hl; a declaration gives no litres.
    breakdown = _assess("GB", "22042106")
    line = breakdown.lines[0]
    assert (line.duty, line.duty_rate_text) == (D("0"), "26.00 GBP/hl")
    assert "the volume in litres" in line.needs_officer
    assert breakdown.needs_officer.startswith("Line 1 (HS 22042106): The duty '26.00 GBP/hl' cannot be computed")
    assert "An officer sets the duty" in breakdown.needs_officer

    consignment = ConsignmentFactory(
        state=ConsignmentState.ASSESSED,
        addressee_country="GB",
        currency="GBP",
        total_value=D("200"),
        pre_advised_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        lines=[{"value": D("200"), "hs_code": "22042106", "description": "wine"}],
    )
    assessment = consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]
    assert "the volume in litres" in assessment.needs_officer
    assert not assessment.charges_unknown  # the other charges are known: an officer may add the duty and release
    assert assessment.vat == D("40.00")  # VAT on the value; the officer's duty comes on top
    consignments_route(assessments={consignment.pk: assessment})
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.HELD


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_the_prefix_index_finds_what_a_scan_of_every_row_finds(loaded):
    from law.tariff import _most_specific_row

    regime = Regime.objects.get(code="GB")
    tariff = tariff_for(regime, ON, regime.currency)
    # A scan of every row per probe is quadratic: a spread sample of the tariff's codes, and codes it lacks.
    codes = [row.hs_prefix for row in tariff.duty_rates][::13]
    probes = (
        codes + [code[:6] for code in codes[::3]] + [code[:4] + "9999" for code in codes[::5]] + ["", "12", "999999"]
    )
    for code in probes:
        for origin in ("", "CN"):
            admits = lambda row, origin=origin: row.origin_country in ("", origin)  # noqa: E731
            assert tariff.duty_row(code, origin) == _most_specific_row(tariff.duty_rates, code, admits), code
