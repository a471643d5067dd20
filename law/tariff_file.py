"""Reading a tariff file (the UK Global Tariff beside the EU CET, see the data README) into duty rows.

Pure functions: no database. `law.tariff_load` turns the rows into a proposal or writes them (the seed).
Each rate is read by `law.duty.duty_read`: ad valorem (`12.0%`), specific (`41.20 EUR / 100 kg`,
`52.00 EUR / 1,000 items`, `9.90 EUR / hl`, `7.00 EUR / tonne`), mixed (`10.20% + 93.10 EUR / 100 kg`)
and the complex forms (seasonal, MIN/MAX, per kg of a component, entry prices). A rate that cannot
be read, or states an impossible duty, is an error of its row, reported with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from law.duty import HUNDRED, ITEMS, NET_KG, DutyUnreadable, duty_read

RATE_COLUMNS = {"EU": "cet_duty_rate", "GB": "ukgt_duty_rate"}
CURRENCIES = {"EU": "EUR", "GB": "GBP"}

UNIT_100KG = "100kg"
UNIT_1000_ITEMS = "1000items"
UNIT_ITEM = "item"
UNIT_HL = "hl"
ZERO = Decimal("0")
# The duty rate table keeps percentages to 3 places and specific amounts to 4.
PERCENT_PLACES, AMOUNT_PLACES = 3, 4
MAX_TEXT = 100  # the rate as stated is kept whole, or the row is refused


@dataclass(frozen=True)
class ParsedRate:
    """The rate in the duty rate table's plain fields; `complex` when only the stated text says it all."""

    ad_valorem: Decimal
    specific_amount: Decimal | None = None
    specific_unit: str = ""
    specific_currency: str = ""
    complex: bool = False
    error: str = ""


@dataclass(frozen=True)
class TariffRow:
    code: str
    description: str
    rate_text: str
    rate: ParsedRate
    line: int = 0


@dataclass(frozen=True)
class RowError:
    """A row that cannot be loaded as it stands: its line in the file, its code and rate as written, and why."""

    line: int
    code: str
    text: str
    message: str
    description: str = ""
    loadable: bool = False  # a valid code listed once: it can be loaded as a rate an officer computes

    def as_json(self) -> dict:
        return {"line": self.line, "code": self.code, "text": self.text, "message": self.message}


@dataclass
class TariffReading:
    rows: list[TariffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def pad_code(commodity: str) -> str:
    """Leading zeros were dropped: 7 digits are a CN8 code, 9 digits a 10-digit code."""
    digits = commodity.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        raise ValueError(f"not a commodity code: {commodity!r}")
    return digits.zfill(8) if len(digits) <= 8 else digits.zfill(10)


def _storage_unit(measures: str, per: Decimal) -> tuple[str, Decimal]:
    """The table's unit for a specific duty, and the factor from the stated amount to it."""
    if measures == NET_KG:
        return UNIT_100KG, HUNDRED / per
    if measures == ITEMS:
        return (UNIT_ITEM, Decimal(1)) if per == 1 else (UNIT_1000_ITEMS, Decimal(1000) / per)
    return UNIT_HL, HUNDRED / per  # LITRES


def parse_rate(text: str) -> ParsedRate:
    """The plain fields of a rate; an unreadable one carries its error (and no rate)."""
    try:
        duty = duty_read(text)
    except DutyUnreadable as exc:
        return ParsedRate(ad_valorem=ZERO, complex=True, error=str(exc))
    if not duty.simple:
        return ParsedRate(ad_valorem=duty.first_percent(), complex=True)
    terms = duty.alternatives[0].expression.terms
    specific = next((term for term in terms if term.amount is not None), None)
    ad_valorem = duty.first_percent()
    if specific is None:
        return ParsedRate(ad_valorem=ad_valorem)
    assert specific.amount is not None  # noqa: S101 - a specific term has an amount
    unit, factor = _storage_unit(specific.measures, specific.per)
    return ParsedRate(ad_valorem, specific.amount * factor, unit, specific.currency)


def _row_error(rate: ParsedRate) -> str:
    if rate.error:
        return rate.error
    if -rate.ad_valorem.as_tuple().exponent > PERCENT_PLACES:  # type: ignore[operator]
        return f"a percentage with more than {PERCENT_PLACES} decimal places"
    amount = rate.specific_amount
    if amount is not None and -amount.normalize().as_tuple().exponent > AMOUNT_PLACES:  # type: ignore[operator]
        return f"an amount with more than {AMOUNT_PLACES} decimal places"
    return ""


def read_tariff_text(text: str, regime: str) -> TariffReading:
    """Every row of a tariff file, each readable one as a row and each other one as an error of its line.

    Raises ValueError when the file as a whole is not a tariff file for the regime (a column missing).
    """
    column = RATE_COLUMNS[regime]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = {"commodity", "description", column} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"the file has no column {', '.join(sorted(missing))}")
    reading, seen, previous = TariffReading(), {}, 1
    for record in reader:
        line, previous = previous + 1, reader.line_num
        rate_text = (record.get(column) or "").strip()
        commodity = (record.get("commodity") or "").strip()
        if not rate_text and not commodity:
            continue
        try:
            code = pad_code(commodity)
        except ValueError as exc:
            reading.errors.append(RowError(line, commodity, rate_text, str(exc)))
            continue
        description = record.get("description") or ""
        if code in seen:
            reading.errors.append(
                RowError(line, code, rate_text, f"the code is listed twice (first at line {seen[code]})")
            )
            continue
        seen[code] = line
        rate = parse_rate(rate_text)
        error = _row_error(rate) or (f"a rate longer than {MAX_TEXT} characters" if len(rate_text) > MAX_TEXT else "")
        if error:
            reading.errors.append(RowError(line, code, rate_text, error, description, loadable=True))
            continue
        reading.rows.append(TariffRow(code, description, rate_text, rate, line))
    return reading


def read_tariff_file(path: str | Path, regime: str) -> TariffReading:
    return read_tariff_text(Path(path).read_text(encoding="utf-8"), regime)


def read_tariff(path: str | Path, regime: str) -> list[TariffRow]:
    """The rows of a file known to be readable (the shipped one); raises on the first unreadable row."""
    reading = read_tariff_file(path, regime)
    if reading.errors:
        error = reading.errors[0]
        raise ValueError(f"line {error.line} ({error.code}): {error.message}")
    return reading.rows
