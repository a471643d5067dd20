"""Rates as the tariff states them: read strictly, computed where the item gives what they need, else an officer's."""

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from law.duty import DutyUnreadable, Quantities, duty_compute, duty_needs, duty_read
from law.tariff_file import read_tariff_file, read_tariff_text

FILE = Path(__file__).resolve().parents[2] / "law" / "data" / "uk-global-tariff-2021.csv"
HEADER = "commodity,description,cet_duty_rate,ukgt_duty_rate\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5.0%", "a negative rate"),
        ("NaN%", "not a number"),
        ("1e30%", "exponent notation"),
        ("12,5%", "a decimal comma"),
        ("5000%", "an implausible rate: 5000% (the limit is 200%)"),
        ("\u0661\u0662%", "digits other than 0-9"),  # Arabic-Indic 12
        ("\uff11\uff12%", "digits other than 0-9"),  # full-width 12
        ("99999999999999 EUR / 100 kg", "an implausible rate"),
        ("12.0% + 10 EUR / 100 bananas", "an unknown unit"),
        ("twelve percent", "an unknown duty term"),
        ("", "no rate"),
    ],
)
def test_a_bad_rate_is_an_error_that_says_why(text, message):
    with pytest.raises(DutyUnreadable, match=message.replace("(", r"\(").replace(")", r"\)")):
        duty_read(text)


def test_each_bad_rate_is_an_error_of_its_line_and_the_good_rows_are_kept():
    text = HEADER + "\n".join(
        [
            '61091000,"T-shirts",12.0%,12.0%',
            "61099020,bad,-5.0%,-5.0%",
            "61099030,bad,NaN%,NaN%",
            "61099040,bad,1e30%,1e30%",
            '61099050,bad,"12,5%","12,5%"',
            "61099060,bad,5000%,5000%",
            "61099070,bad,\u0661\u0662%,\u0661\u0662%",
            "61099080,overflow,99999999999999999999 EUR / 100 kg,99999999999999999999 GBP / 100 kg",
            "6109908X,bad code,1.0%,1.0%",
            "61091000,twice,2.0%,2.0%",
            "61099090,fine,4.5% + 10 EUR / 100 kg,4.5% + 10 GBP / 100 kg",
        ]
    )
    reading = read_tariff_text(text, "EU")
    assert [row.code for row in reading.rows] == ["61091000", "61099090"]
    assert [(error.line, error.code) for error in reading.errors] == [
        (3, "61099020"),
        (4, "61099030"),
        (5, "61099040"),
        (6, "61099050"),
        (7, "61099060"),
        (8, "61099070"),
        (9, "61099080"),
        (10, "6109908X"),
        (11, "61091000"),
    ]
    assert reading.errors[-1].message == "the code is listed twice (first at line 2)"
    assert "implausible" in reading.errors[6].message  # the overflow is a row error, not a traceback


def test_a_file_without_the_regimes_column_is_refused_whole():
    with pytest.raises(ValueError, match="no column ukgt_duty_rate"):
        read_tariff_text("commodity,description,cet_duty_rate\n61091000,x,12%\n", "GB")


def test_the_shipped_file_reads_whole_and_lists_the_duties_an_officer_computes():
    for regime, officer_rows in (("GB", 437), ("EU", 551)):
        reading = read_tariff_file(FILE, regime)
        assert (len(reading.rows), reading.errors) == (11830, [])
        listed = [(row.line, row.code, duty_needs(duty_read(row.rate_text))) for row in reading.rows]
        needing = [entry for entry in listed if entry[2]]
        assert len(needing) == officer_rows
    eu = {row.code: row for row in read_tariff_file(FILE, "EU").rows}
    assert duty_needs(duty_read(eu["07020000"].rate_text)) == "the entry price"  # tomatoes: Entry Price


def compute(text, value="100", net_kg=None, items=None, on=date(2025, 3, 1), currency="EUR"):
    quantities = Quantities(net_kg=None if net_kg is None else D(net_kg), items=None if items is None else D(items))
    return duty_compute(duty_read(text), customs_value=D(value), quantities=quantities, currency=currency, on=on)


def test_seasonal_rates_are_chosen_by_the_day():
    text = "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)"
    assert compute(text, on=date(2025, 1, 15)).amount == D("14")
    assert compute(text, on=date(2025, 3, 1)).amount == D("0")
    rest = "9.60% MIN 1.1\xa0€/100\xa0kg/net (01 JAN-14 APR, 1 DEC-31 DEC), 13.60% MIN 1.6€/100kg/net"
    assert compute(rest, net_kg="2", on=date(2025, 1, 1)).amount == D("9.6")
    assert compute(rest, value="1", net_kg="200", on=date(2025, 6, 1)).amount == D("3.2")  # the minimum


def test_min_and_max_bound_the_duty():
    text = "18.40% MIN 22.00 EUR / 100 kg MAX 24.00 EUR / 100 kg"
    assert compute(text, value="10", net_kg="50").amount == D("11")  # 1.84 < the 11.00 minimum for 50 kg
    assert compute(text, value="60", net_kg="50").amount == D("11.04")
    assert compute(text, value="1000", net_kg="50").amount == D("12")  # 184 > the 12.00 maximum
    assert compute("0.50 EUR / item MIN 2.70% MAX 4.60%", value="100", items="3").amount == D("2.7")


def test_a_duty_the_item_cannot_give_is_for_an_officer_never_zero():
    for text, why in (
        ("Entry Price", "the entry price"),
        ("9.00% +  EA MAX 18.70%  + ADSZ", "agricultural component"),
        ("1.19 EUR / kg / lactic matter + 27.50 EUR / 100 kg", "content of a component"),
        ("1.75 EUR / % vol / hl", "alcoholic strength"),
        ("32.00 EUR / hl", "volume in litres"),
        ("41.20 EUR / 100 kg", "net mass"),
    ):
        computed = compute(text)
        assert computed.amount is None
        assert why in computed.officer_reason
    assert "in GBP, not in EUR" in compute("34.00 GBP/100kg", net_kg="1").officer_reason
