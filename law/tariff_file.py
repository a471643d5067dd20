"""Reading a tariff file (the UK Global Tariff beside the EU CET, see the data README) into duty rows.

Pure functions: no database. `law.management.commands.tariff_load` writes the rows.
Rates are ad valorem (`12.0%`), specific (`41.20 EUR / 100 kg`, `52.00 EUR / 1,000 items`,
`9.90 EUR / hl`, `7.00 EUR / tonne`) or mixed (`10.20% + 93.10 EUR / 100 kg`). Other forms (entry
prices, MIN/MAX, seasonal or sugar-content duties) keep their ad valorem part and are marked complex.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

RATE_COLUMNS = {"EU": "cet_duty_rate", "GB": "ukgt_duty_rate"}
CURRENCIES = {"EU": "EUR", "GB": "GBP"}

UNIT_100KG = "100kg"
UNIT_1000_ITEMS = "1000items"
UNIT_ITEM = "item"
UNIT_HL = "hl"

_AD_VALOREM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_SPECIFIC = [
    (re.compile(rf"^{_NUMBER}\s*(EUR|GBP)\s*/\s*100\s*kg$"), UNIT_100KG, Decimal(1)),
    (re.compile(rf"^{_NUMBER}\s*(EUR|GBP)\s*/\s*tonne$"), UNIT_100KG, Decimal("0.1")),
    (re.compile(rf"^{_NUMBER}\s*(EUR|GBP)\s*/\s*1,?000\s*items$"), UNIT_1000_ITEMS, Decimal(1)),
    (re.compile(rf"^{_NUMBER}\s*(EUR|GBP)\s*/\s*item$"), UNIT_ITEM, Decimal(1)),
    (re.compile(rf"^{_NUMBER}\s*(EUR|GBP)\s*/\s*hl$"), UNIT_HL, Decimal(1)),
]


@dataclass(frozen=True)
class ParsedRate:
    ad_valorem: Decimal
    specific_amount: Decimal | None = None
    specific_unit: str = ""
    specific_currency: str = ""
    complex: bool = False


@dataclass(frozen=True)
class TariffRow:
    code: str
    description: str
    rate_text: str
    rate: ParsedRate


def pad_code(commodity: str) -> str:
    """Leading zeros were dropped: 7 digits are a CN8 code, 9 digits a 10-digit code."""
    digits = commodity.strip()
    if not digits.isdigit():
        raise ValueError(f"not a commodity code: {commodity!r}")
    return digits.zfill(8) if len(digits) <= 8 else digits.zfill(10)


def _specific(text: str) -> tuple[Decimal, str, str] | None:
    for pattern, unit, factor in _SPECIFIC:
        match = pattern.match(text.strip())
        if match:
            return Decimal(match.group(1).replace(",", "")) * factor, unit, match.group(2)
    return None


def parse_rate(text: str) -> ParsedRate:
    text = " ".join(text.split())
    match = _AD_VALOREM.match(text)
    if match:
        return ParsedRate(ad_valorem=Decimal(match.group(1)))
    specific = _specific(text)
    if specific:
        return ParsedRate(ZERO, *specific)
    if "+" in text:
        left, _, right = text.partition("+")
        match, specific = _AD_VALOREM.match(left), _specific(right)
        if match and specific:
            return ParsedRate(Decimal(match.group(1)), *specific)
    leading = re.match(r"^\s*(\d+(?:\.\d+)?)\s*%", text)
    return ParsedRate(ad_valorem=Decimal(leading.group(1)) if leading else ZERO, complex=True)


ZERO = Decimal("0")


def read_tariff(path: str | Path, regime: str) -> list[TariffRow]:
    column = RATE_COLUMNS[regime]
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            TariffRow(
                code=pad_code(record["commodity"]),
                description=record["description"],
                rate_text=record[column].strip(),
                rate=parse_rate(record[column]),
            )
            for record in csv.DictReader(handle)
            if record.get(column, "").strip()
        ]
