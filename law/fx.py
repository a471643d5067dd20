"""Exchange rates: reading the published files, and telling a stale rate. Pure functions: no database.

Two formats are read (see law/data/README.md):
- the ECB's euro reference rates: `Date` then one column per ISO 4217 code, units per 1 EUR, `N/A` when
  not quoted;
- the US Federal Reserve's H.10 release, long: `Date, Country, Exchange rate`, units per 1 USD, the
  country named in English (`Euro`, `United Kingdom`, `South Korea`).

A rate is stale when it was published before what the regime's rule asks for, less the days of grace
the regime's terms allow (`fx_max_age_days`): the day itself for a daily rule, the penultimate
Wednesday of the month before for the EU's monthly rule.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from law.choices import FxRule

D = Decimal
# The Fed's series names, and their currencies; series of currencies replaced by the euro are left out.
FED_SERIES = {
    "Australia": "AUD",
    "Brazil": "BRL",
    "Canada": "CAD",
    "China": "CNY",
    "Denmark": "DKK",
    "Euro": "EUR",
    "Hong Kong": "HKD",
    "India": "INR",
    "Japan": "JPY",
    "Malaysia": "MYR",
    "Mexico": "MXN",
    "New Zealand": "NZD",
    "Norway": "NOK",
    "Singapore": "SGD",
    "South Africa": "ZAR",
    "South Korea": "KRW",
    "Sri Lanka": "LKR",
    "Sweden": "SEK",
    "Switzerland": "CHF",
    "Taiwan": "TWD",
    "Thailand": "THB",
    "United Kingdom": "GBP",
    "Venezuela": "VES",
}
FED_LEGACY = {"Austria", "Belgium", "Finland", "France", "Germany", "Greece", "Ireland", "Italy", "Netherlands"}
FED_LEGACY |= {"Portugal", "Spain"}


@dataclass
class RateFile:
    """Units of each currency per one unit of `base`, by day of publication."""

    base: str
    rates: dict[date, dict[str, Decimal]]
    format: str
    skipped: int = 0  # values not quoted (N/A, a series of a replaced currency)


ISO_4217_FILE = Path(__file__).resolve().parent / "data" / "iso4217-codes-all.csv"


@lru_cache(maxsize=1)
def iso_4217_codes() -> frozenset[str]:
    """Current and withdrawn codes (ISO 4217 tables A.1 and A.3): rate files still carry withdrawn ones."""
    with ISO_4217_FILE.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["AlphabeticCode"] for row in csv.DictReader(handle) if row["AlphabeticCode"])


def _currency(code: str) -> str:
    code = code.strip().upper()
    if code not in iso_4217_codes():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


def _rate(text: str, line: int) -> Decimal:
    try:
        value = D(text.strip())
    except InvalidOperation:
        raise ValueError(f"line {line}: {text!r} is not a rate") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"line {line}: {text!r} is not a rate above zero")
    return value


def _day(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"line {line}: {text!r} is not a date (YYYY-MM-DD)") from None


def read_rate_file(text: str, *, since: date | None = None) -> RateFile:
    """The rates of an ECB or Fed H.10 file (told apart by their header); raises ValueError naming a bad line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [column.strip() for column in next(reader, [])]
    if header[:3] == ["Date", "Country", "Exchange rate"]:
        return _read_fed(reader, since)
    if header[:1] == ["Date"] and len(header) > 1:
        return _read_ecb(header, reader, since)
    raise ValueError("not an ECB (Date, then currency codes) or Fed H.10 (Date, Country, Exchange rate) file")


def _read_ecb(header: list[str], reader, since: date | None) -> RateFile:
    codes = [_currency(code) if code else "" for code in header[1:]]
    result = RateFile(base="EUR", rates={}, format="ECB")
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        day = _day(record[0], reader.line_num)
        if since and day < since:
            continue
        quotes = {}
        for code, cell in zip(codes, record[1:], strict=False):
            if not code or cell.strip() in ("", "N/A"):
                result.skipped += bool(code)
                continue
            quotes[code] = _rate(cell, reader.line_num)
        result.rates[day] = quotes
    return result


def _read_fed(reader, since: date | None) -> RateFile:
    result = RateFile(base="USD", rates={}, format="Fed H.10")
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) < 3:
            raise ValueError(f"line {reader.line_num}: Date, Country and Exchange rate expected")
        day = _day(record[0], reader.line_num)
        country = record[1].strip()
        if country in FED_LEGACY or (since and day < since):
            result.skipped += 1
            continue
        if country not in FED_SERIES:
            raise ValueError(f"line {reader.line_num}: unknown series {country!r}")
        if not record[2].strip():
            result.skipped += 1
            continue
        result.rates.setdefault(day, {})[FED_SERIES[country]] = _rate(record[2], reader.line_num)
    return result


# --- Staleness ------------------------------------------------------------------------------------


def penultimate_wednesday(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - timedelta(days=1)
    last_wednesday = last - timedelta(days=(last.weekday() - 2) % 7)
    return last_wednesday - timedelta(days=7)


def fx_publication_expected(rule: str, on: date) -> date:
    """The publication the rule asks for on `on`."""
    if rule == FxRule.PENULTIMATE_WEDNESDAY:
        previous = on.replace(day=1) - timedelta(days=1)
        return penultimate_wednesday(previous.year, previous.month)
    return on


def fx_stale_since(rule: str, max_age_days: int, published_on: date | None, on: date) -> date | None:
    """The publication the rule asked for, when the rate used is older than it allows; None when it is fresh."""
    if published_on is None:
        return None
    expected = fx_publication_expected(rule, on)
    if published_on < expected - timedelta(days=max_age_days):
        return expected
    return None
