"""The law of one regime on one date as plain values, free of the database.

law.selectors.tariff_for loads a `Tariff` from the rows in force; the
calculator (payments.calculator) applies it to an item, and the de minimis
simulator changes it to compare scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

ZERO = Decimal("0")


@dataclass(frozen=True)
class Threshold:
    amount: Decimal
    basis: str
    category: str = ""


@dataclass(frozen=True)
class FlatDutyTerms:
    amount: Decimal
    max_intrinsic_value: Decimal
    applies_with_ioss: bool
    applies_without_ioss: bool


@dataclass(frozen=True)
class FeeTerms:
    name: str
    basis: str
    amount: Decimal
    only_when_charges_due: bool


@dataclass(frozen=True)
class RateRow:
    rate: Decimal
    hs_prefix: str = ""
    origin_country: str = ""
    country: str = ""
    specific_amount: Decimal | None = None
    specific_unit: str = ""
    rate_text: str = ""
    source: str = ""


@dataclass(frozen=True)
class Fx:
    currency: str
    units_per_regime_unit: Decimal
    published_on: date | None  # None when no conversion was needed
    stale: str = ""  # why the rate is older than the regime's rule allows, naming its date; "" when it is not


@dataclass(frozen=True)
class Tariff:
    """The law of one regime on one date."""

    regime_code: str
    currency: str
    valuation_basis: str
    rounding_scope: str
    rounding_places: int
    low_value_ceiling: Decimal | None
    ioss_accepted: bool
    ioss_value_cap: Decimal | None
    ioss_member_state_codes: frozenset[str]
    duty_thresholds: tuple[Threshold, ...]
    vat_thresholds: tuple[Threshold, ...]
    duty_rates: tuple[RateRow, ...]
    vat_rates: tuple[RateRow, ...]
    flat_duty: FlatDutyTerms | None
    fees: tuple[FeeTerms, ...]
    fx: Fx
    on: date | None = None  # the day whose law this is (seasonal duties are chosen by it)

    def threshold(self, rows: tuple[Threshold, ...], category: str) -> Threshold | None:
        """A row for the item's own category beats the general one."""
        own = [row for row in rows if row.category == category]
        general = [row for row in rows if not row.category]
        return (own or general or [None])[0]

    def duty_rate(self, hs_code: str, origin: str) -> Decimal:
        row = self.duty_row(hs_code, origin)
        return row.rate if row else ZERO

    def duty_row(self, hs_code: str, origin: str) -> RateRow | None:
        """The longest matching HS prefix (a code not in the tariff falls back to its heading)."""
        return self._duty_index.row(hs_code, lambda row: row.origin_country in ("", origin))

    @cached_property
    def _duty_index(self) -> _PrefixIndex:
        # A tariff holds some 12,000 rows: looked up by prefix, not scanned for every line.
        return _PrefixIndex(self.duty_rates)

    def vat_rate(self, hs_code: str, country: str) -> Decimal:
        rows = [row for row in self.vat_rates if row.country in ("", country)]
        # A row for the destination country beats the regime-wide one; then the longest HS prefix.
        rows.sort(key=lambda row: (row.country == country, len(row.hs_prefix)), reverse=True)
        for row in rows:
            if hs_code.startswith(row.hs_prefix):
                return row.rate
        return ZERO


def _most_specific_row(rows, hs_code: str, admits) -> RateRow | None:
    candidates = [row for row in rows if admits(row) and hs_code.startswith(row.hs_prefix)]
    best = max(candidates, key=lambda row: (len(row.hs_prefix), bool(row.origin_country)), default=None)
    if best is None or len(best.hs_prefix) < HEADING:
        return _heading_row(rows, hs_code, admits) or best
    return best


HEADING = 4


class _PrefixIndex:
    """The rows by prefix and by heading: `row` gives what `_most_specific_row` gives, without a scan."""

    def __init__(self, rows: tuple[RateRow, ...]) -> None:
        self.by_prefix: dict[str, list[RateRow]] = {}
        self.by_heading: dict[str, list[RateRow]] = {}
        for row in rows:
            self.by_prefix.setdefault(row.hs_prefix, []).append(row)
            if len(row.hs_prefix) >= HEADING:
                self.by_heading.setdefault(row.hs_prefix[:HEADING], []).append(row)

    def row(self, hs_code: str, admits) -> RateRow | None:
        matching = [
            row for length in range(len(hs_code) + 1) for row in self.by_prefix.get(hs_code[:length], ()) if admits(row)
        ]
        best = max(matching, key=lambda row: (len(row.hs_prefix), bool(row.origin_country)), default=None)
        if best is None or len(best.hs_prefix) < HEADING:
            return _heading_row(self.by_heading.get(hs_code[:HEADING], []), hs_code, admits) or best
        return best


def _common(a: str, b: str) -> int:
    length = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        length += 1
    return length


def _heading_row(rows, hs_code: str, admits) -> RateRow | None:
    """A code the tariff does not list takes the listed code closest to it within its heading (HS4):
    the longest shared prefix, then the lowest code."""
    if len(hs_code) < HEADING:
        return None
    heading = [row for row in rows if admits(row) and _common(row.hs_prefix, hs_code) >= HEADING]
    return min(heading, key=lambda row: (-_common(row.hs_prefix, hs_code), row.hs_prefix), default=None)
