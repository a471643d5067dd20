"""The law of the four seeded regimes (EU, UK, US, Bosnia and Herzegovina), and exchange rates.

Facts and their sources are in docs/regimes.md. Rates marked "illustrative"
are placeholders for the national tariff, which an administration loads
itself; every row here changes through a proposal a second supervisor approves.
Functions take a model getter so that a data migration can run them on its
historical models.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from core.db import insert_rows
from law.fx import RateFile, penultimate_wednesday, read_rate_file
from law.tariff_load import tariff_rows_load

D = Decimal
ECB_FILE = Path(__file__).resolve().parent / "data" / "ecb-eurofxref-2024-2025.csv"
BAM_PER_EUR = D("1.95583")  # currency board peg, fixed by law since 1998

EU_MEMBER_STATES = tuple(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905
)
# Standard VAT rates: (country, rate, from, to). Changes of 2024-2025 kept as separate rows.
EU_VAT = [
    ("AT", "20"),
    ("BE", "21"),
    ("BG", "20"),
    ("HR", "25"),
    ("CY", "19"),
    ("CZ", "21"),
    ("DK", "25"),
    ("FR", "20"),
    ("DE", "19"),
    ("GR", "24"),
    ("HU", "27"),
    ("IE", "23"),
    ("IT", "22"),
    ("LV", "21"),
    ("LT", "21"),
    ("LU", "17"),
    ("MT", "18"),
    ("NL", "21"),
    ("PL", "23"),
    ("PT", "23"),
    ("SI", "22"),
    ("ES", "21"),
    ("SE", "25"),
]
EU_VAT_CHANGES = [
    ("EE", "22", date(2021, 7, 1), date(2025, 6, 30)),
    ("EE", "24", date(2025, 7, 1), None),
    ("FI", "24", date(2021, 7, 1), date(2024, 8, 31)),
    ("FI", "25.5", date(2024, 9, 1), None),
    ("RO", "19", date(2021, 7, 1), date(2025, 7, 31)),
    ("RO", "21", date(2025, 8, 1), None),
    ("SK", "20", date(2021, 7, 1), date(2024, 12, 31)),
    ("SK", "23", date(2025, 1, 1), None),
]
ILLUSTRATIVE = "illustrative rate: load the national tariff"
# (hs prefix, rate, description): a few common e-commerce goods; '' is the default.
EU_DUTY = [
    ("", "4", "default, " + ILLUSTRATIVE),
    ("6109", "12", "T-shirts, knitted"),
    ("6204", "12", "women's suits, dresses"),
    ("6403", "8", "footwear, leather uppers"),
    ("4202", "3", "handbags, cases"),
    ("8517", "0", "telephones"),
    ("8471", "0", "computers"),
    ("9503", "0", "toys"),
]
GB_DUTY = [("", "4", "default, " + ILLUSTRATIVE), ("6109", "12", "T-shirts"), ("8517", "0", "telephones")]


def seed_regimes(get_model: Callable[[str], type]) -> None:
    """Create the regimes and their law; existing regimes are left as they are."""
    Regime = get_model("Regime")
    for code, name, currency, countries, seeder in (
        ("EU", "European Union", "EUR", EU_MEMBER_STATES, _seed_eu),
        ("GB", "United Kingdom", "GBP", ["GB"], _seed_gb),
        ("US", "United States", "USD", ["US"], _seed_us),
        ("BA", "Bosnia and Herzegovina", "BAM", ["BA"], _seed_ba),
    ):
        if Regime.objects.filter(code=code).exists():
            continue
        regime = Regime.objects.create(code=code, name=name, currency=currency, countries=list(countries))
        seeder(get_model, regime)


def _rows(get_model, model_name: str, regime, rows: list[dict]) -> None:
    model = get_model(model_name)
    model.objects.bulk_create([model(regime=regime, **row) for row in rows])


def _seed_eu(get_model, regime) -> None:
    start = date(2021, 7, 1)
    _rows(
        get_model,
        "RegimeTerms",
        regime,
        [
            dict(
                valid_from=start,
                valuation_basis="CIF",
                rounding_scope="PER_LINE",
                rounding_places=2,
                low_value_ceiling=D("150"),
                fx_rule="PENULTIMATE_WEDNESDAY",
                ioss_accepted=True,
                ioss_value_cap=D("150"),
                storage_days=20,
                source="UCC Delegated Act Annex B column H7; UCC Art. 53, IA Art. 146 (monthly rate)",
            )
        ],
    )
    _rows(
        get_model,
        "DeMinimis",
        regime,
        [
            dict(
                valid_from=start,
                valid_to=date(2026, 6, 30),
                kind="DUTY",
                basis="INTRINSIC",
                amount=D("150"),
                source="Relief for consignments of negligible value, replaced by the flat duty on 2026-07-01",
            )
        ],
    )
    _rows(
        get_model,
        "FlatDuty",
        regime,
        [
            dict(
                valid_from=date(2026, 7, 1),
                valid_to=date(2028, 6, 30),
                amount=D("3"),
                max_intrinsic_value=D("150"),
                applies_with_ioss=True,
                applies_without_ioss=True,
                source="Council Reg. (EU) 2026/382: EUR 3 per distinct tariff line",
            )
        ],
    )
    _rows(
        get_model,
        "Fee",
        regime,
        [
            dict(
                valid_from=date(2026, 11, 1),
                name="EU customs handling fee",
                basis="PER_TARIFF_LINE",
                amount=D("2"),
                only_when_charges_due=False,
                source="EU handling fee on B2C declarations from 2026-11-01",
            )
        ],
    )
    vat = [
        dict(valid_from=start, country=country, rate=D(rate), source="VAT Directive; national standard rate")
        for country, rate in EU_VAT
    ]
    vat += [
        dict(valid_from=frm, valid_to=to, country=country, rate=D(rate), source="national standard rate")
        for country, rate, frm, to in EU_VAT_CHANGES
    ]
    _rows(get_model, "VatRate", regime, vat)
    _rows(
        get_model,
        "DutyRate",
        regime,
        [dict(valid_from=start, hs_prefix=prefix, rate=D(rate), description=text) for prefix, rate, text in EU_DUTY],
    )


def _seed_gb(get_model, regime) -> None:
    start = date(2021, 1, 1)
    _rows(
        get_model,
        "RegimeTerms",
        regime,
        [
            dict(
                valid_from=start,
                valuation_basis="CIF",
                rounding_scope="PER_LINE",
                rounding_places=2,
                fx_rule="DAILY",
                storage_days=21,
                source="UK low-value import rules from 2021-01-01",
            )
        ],
    )
    _rows(
        get_model,
        "DeMinimis",
        regime,
        [
            dict(
                valid_from=start,
                kind="DUTY",
                basis="INTRINSIC",
                amount=D("135"),
                source="No customs duty on non-excise goods up to GBP 135",
            ),
            dict(
                valid_from=start,
                kind="VAT",
                basis="INTRINSIC",
                amount=D("135"),
                source="Up to GBP 135 VAT is charged at the point of sale by the seller or marketplace",
            ),
            dict(
                valid_from=start,
                kind="VAT",
                basis="INTRINSIC",
                amount=D("39"),
                category="GIFT",
                source="Gifts up to GBP 39 are relieved of import VAT",
            ),
        ],
    )
    _rows(get_model, "VatRate", regime, [dict(valid_from=start, rate=D("20"), source="UK standard rate")])
    _rows(
        get_model,
        "Fee",
        regime,
        [
            dict(
                valid_from=start,
                name="Royal Mail fee",
                basis="PER_ITEM",
                amount=D("8"),
                only_when_charges_due=True,
                source="Carrier handling fee when charges are collected",
            )
        ],
    )
    _rows(
        get_model,
        "DutyRate",
        regime,
        [dict(valid_from=start, hs_prefix=prefix, rate=D(rate), description=text) for prefix, rate, text in GB_DUTY],
    )


def _seed_us(get_model, regime) -> None:
    start = date(2016, 3, 10)
    suspended = date(2025, 8, 29)
    _rows(
        get_model,
        "RegimeTerms",
        regime,
        [
            dict(
                valid_from=start,
                valuation_basis="FOB",
                rounding_scope="PER_LINE",
                rounding_places=2,
                low_value_ceiling=D("2500"),
                fx_rule="DAILY",
                storage_days=15,
                source="19 USC 1401a (transaction value); informal entry up to USD 2,500",
            )
        ],
    )
    _rows(
        get_model,
        "DeMinimis",
        regime,
        [
            dict(
                valid_from=start,
                valid_to=suspended - timedelta(days=1),
                kind="DUTY",
                basis="INTRINSIC",
                amount=D("800"),
                source="Section 321, 19 USC 1321(a)(2)(C); suspended for all countries 2025-08-29",
            ),
            dict(
                valid_from=suspended,
                kind="DUTY",
                basis="INTRINSIC",
                amount=D("100"),
                category="GIFT",
                source="Bona fide gifts up to USD 100, 19 USC 1321(a)(2)(A)",
            ),
        ],
    )
    _rows(
        get_model,
        "DutyRate",
        regime,
        [
            dict(
                valid_from=date(2025, 4, 5),
                hs_prefix="",
                rate=D("10"),
                description="IEEPA baseline ad valorem rate (EO 14257); " + ILLUSTRATIVE,
            )
        ],
    )


def _seed_ba(get_model, regime) -> None:
    start = date(2018, 4, 25)
    _rows(
        get_model,
        "RegimeTerms",
        regime,
        [
            dict(
                valid_from=start,
                valuation_basis="CIF",
                rounding_scope="PER_LINE",
                rounding_places=2,
                fx_rule="DAILY",
                storage_days=30,
                source="Law on Customs Policy in BiH",
            )
        ],
    )
    decision = "Decision on exemption from import duties, Official Gazette of BiH 24/18, from 2018-04-25"
    _rows(
        get_model,
        "DeMinimis",
        regime,
        [
            dict(valid_from=start, kind="DUTY", basis="INTRINSIC", amount=D("300"), source=decision),
            dict(
                valid_from=start,
                kind="DUTY",
                basis="INTRINSIC",
                amount=D("90"),
                category="GIFT",
                source=decision + " (non-commercial goods sent free of charge)",
            ),
            dict(
                valid_from=start,
                kind="VAT",
                basis="INTRINSIC",
                amount=D("300"),
                source="Import VAT follows the duty exemption for goods of negligible value (to confirm)",
            ),
            dict(
                valid_from=start,
                kind="VAT",
                basis="INTRINSIC",
                amount=D("90"),
                category="GIFT",
                source="Import VAT follows the duty exemption for gifts (to confirm)",
            ),
        ],
    )
    _rows(get_model, "VatRate", regime, [dict(valid_from=date(2006, 1, 1), rate=D("17"), source="BiH VAT Law")])
    _rows(
        get_model,
        "DutyRate",
        regime,
        [
            dict(
                valid_from=start,
                hs_prefix="",
                rate=D("10"),
                description="Single customs rate for shipments between natural persons; " + ILLUSTRATIVE,
            )
        ],
    )


# --- Exchange rates ------------------------------------------------------------------------------


def read_ecb_file(path: Path) -> dict[date, dict[str, Decimal]]:
    """Units of each currency per 1 EUR by business day, 'N/A' and empty columns left out."""
    return read_rate_file(path.read_text(encoding="utf-8")).rates


def exchange_rate_rows(
    fx_rule: str,
    base: str,
    published: dict[date, dict[str, Decimal]],
    *,
    file_base: str = "EUR",
    source: str = "ECB euro reference rate",
) -> list[dict]:
    """ExchangeRate field values for one regime whose currency is `base`, cross rates taken through the
    file's own base (units per 1 EUR for the ECB, per 1 USD for the Fed)."""
    per_unit = {day: _with_base_and_peg(quotes, file_base) for day, quotes in published.items()}
    per_unit = {day: quotes for day, quotes in per_unit.items() if base in quotes}
    if not per_unit:
        return []
    if fx_rule == "PENULTIMATE_WEDNESDAY":
        return _monthly_rows(base, per_unit, file_base=file_base, source=source)
    rows = []
    for day, quotes in sorted(per_unit.items()):
        rows += _cross_rows(base, quotes, day, day, None, file_base=file_base, source=source)
    return rows


def _with_base_and_peg(quotes: dict[str, Decimal], file_base: str) -> dict[str, Decimal]:
    quotes = {**quotes, file_base: D("1")}
    if "EUR" in quotes:  # the convertible mark is pegged to the euro
        quotes["BAM"] = (BAM_PER_EUR * quotes["EUR"]).quantize(D("0.0000000001"))
    return quotes


def _monthly_rows(base: str, per_unit: dict[date, dict[str, Decimal]], **naming) -> list[dict]:
    """Each month's rows take the rate of the penultimate Wednesday of the month before.

    If that Wednesday was a holiday, the latest earlier publication is used.
    The last month stays in force until a newer rate is loaded.
    """
    days = sorted(per_unit)
    rows: list[dict] = []
    month = date(days[0].year, days[0].month, 1)
    while True:
        wednesday = penultimate_wednesday(month.year, month.month)
        published = [day for day in days if day <= wednesday]
        if wednesday > days[-1]:
            break
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        if published:
            valid_to = (next_month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            rows += _cross_rows(base, per_unit[published[-1]], published[-1], next_month, valid_to, **naming)
        month = next_month
    if not rows:
        return rows
    last_from = max(row["valid_from"] for row in rows)
    for row in rows:
        if row["valid_from"] == last_from:
            row["valid_to"] = None
    return rows


def _cross_rows(
    base, quotes, published_on, valid_from, valid_to, *, file_base="EUR", source="ECB euro reference rate"
) -> list[dict]:
    base_per_unit = quotes[base]
    through = "" if base == file_base else f", cross rate through {file_base} to {base}"
    return [
        {
            "currency": code,
            "units_per_regime_unit": (per_unit / base_per_unit).quantize(D("0.00000001")),
            "published_on": published_on,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source": source + through,
        }
        for code, per_unit in sorted(quotes.items())
        if code != base
    ]


SOURCES = {"ECB": "ECB euro reference rate", "Fed H.10": "Fed H.10 monthly average"}


def exchange_rates_load(get_model: Callable[[str], type], rates: RateFile) -> int:
    """Load a rate file for every regime; rows already present are kept. Returns the rows added."""
    Regime, ExchangeRate, RegimeTerms = get_model("Regime"), get_model("ExchangeRate"), get_model("RegimeTerms")
    before = ExchangeRate.objects.count()
    for regime in Regime.objects.all():
        # The rule of the regime's latest terms decides how published rates are dated.
        terms = RegimeTerms.objects.filter(regime=regime).order_by("-valid_from").first()
        fx_rule = terms.fx_rule if terms else "DAILY"
        rows = exchange_rate_rows(
            fx_rule, regime.currency, rates.rates, file_base=rates.base, source=SOURCES[rates.format]
        )
        insert_rows(ExchangeRate, [{"regime_id": regime.pk, **row} for row in rows], on_conflict_do_nothing=True)
    return ExchangeRate.objects.count() - before


def seed_exchange_rates(get_model: Callable[[str], type], path: Path = ECB_FILE) -> int:
    """Load the shipped ECB file for every regime; rows already present are kept. Returns the rows added."""
    return exchange_rates_load(get_model, read_rate_file(path.read_text(encoding="utf-8")))


TARIFF_FILE = Path(__file__).resolve().parent / "data" / "uk-global-tariff-2021.csv"
TARIFF_LOADS = [
    ("GB", date(2021, 1, 1), "UK Global Tariff from 2021-01-01 (DIT, published 2020-12-02), OGL v3.0"),
    ("EU", date(2020, 1, 1), "EU Common External Tariff 2020, third-country duty (as in the DIT file), OGL v3.0"),
]


def seed_tariffs(get_model) -> int:
    """The shipped tariff file as the duty rates of the EU and the UK; returns the rows written."""
    return sum(
        tariff_rows_load(get_model, TARIFF_FILE, code, start, source)
        for code, start, source in TARIFF_LOADS
        if get_model("Regime").objects.filter(code=code).exists()
    )
