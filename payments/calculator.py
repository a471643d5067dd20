"""The duty and tax arithmetic, free of the database.

`assess_item` takes an item and the law in force for it (a `law.tariff.Tariff`,
loaded by law.selectors.tariff_for) and returns an itemised `Breakdown`. Every amount is a
Decimal; values are converted to the regime's currency with full precision and
rounded only as the regime's rounding rule says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from law.choices import FeeBasis, RoundingScope, ThresholdBasis, ValuationBasis
from law.duty import DutyUnreadable, Quantities, duty_compute, duty_read
from law.tariff import Fx, RateRow, Tariff, Threshold
from payments.choices import DutyKind, IrgCategory

ZERO = Decimal("0")
HUNDRED = Decimal("100")
IOSS_FORMAT = re.compile(r"^IM(\d{3})\d{7}$")


@dataclass(frozen=True)
class LineInput:
    position: int
    description: str
    value: Decimal
    hs_code: str = ""
    origin_country: str = ""
    net_mass_kg: Decimal | None = None
    quantity: int | None = None
    litres: Decimal | None = None


@dataclass(frozen=True)
class Adjustment:
    """Duty an officer found due beyond the declaration (at inspection), in the regime's currency."""

    description: str
    duty: Decimal


@dataclass(frozen=True)
class ItemInput:
    category: str
    currency: str
    lines: tuple[LineInput, ...]
    addressee_country: str
    postal_charges: Decimal = ZERO
    insurance: Decimal = ZERO
    ioss_number: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    # Why the IOSS register does not admit the number ("" when it does, or when no register is loaded).
    ioss_finding: str = ""


SPECIFIC_UNIT_QUANTITY = {
    "100kg": lambda line: None if line.net_mass_kg is None else Decimal(line.net_mass_kg) / HUNDRED,
    "1000items": lambda line: None if line.quantity is None else Decimal(line.quantity) / 1000,
    "item": lambda line: None if line.quantity is None else Decimal(line.quantity),
    "hl": lambda line: None if line.litres is None else Decimal(line.litres) / HUNDRED,
}


def line_duty(
    line: LineInput, customs_value: Decimal, row: RateRow | None, tariff: Tariff | None = None
) -> tuple[Decimal, str, str]:
    """The line's duty, its kind, and why an officer must compute it instead ('' when the item gives all it needs).

    A rate the tariff states as text (every loaded tariff row) is computed from that text: ad valorem on
    the customs value, specific duties on the line's net mass or items, seasonal rates by the day, MIN
    and MAX. A duty that needs what the declaration does not give is never charged as 0 %: its line
    goes to an officer, saying why.
    """
    if row is None:
        return ZERO, DutyKind.AD_VALOREM, ""
    if row.rate_text:
        return _stated_duty(line, customs_value, row, tariff)
    duty = customs_value * row.rate / HUNDRED
    if row.specific_amount is None:
        return duty, DutyKind.AD_VALOREM, ""
    units = SPECIFIC_UNIT_QUANTITY.get(row.specific_unit, lambda _line: None)(line)
    if units is None:
        return ZERO, DutyKind.SPECIFIC, f"The specific duty per {row.specific_unit} needs a quantity the line lacks."
    return duty + row.specific_amount * units, DutyKind.SPECIFIC, ""


def _stated_duty(
    line: LineInput, customs_value: Decimal, row: RateRow, tariff: Tariff | None
) -> tuple[Decimal, str, str]:
    try:
        duty = duty_read(row.rate_text)
    except DutyUnreadable as exc:
        return ZERO, DutyKind.AD_VALOREM, f"The tariff's rate {row.rate_text!r} cannot be read ({exc})."
    quantities = Quantities(
        net_kg=None if line.net_mass_kg is None else Decimal(line.net_mass_kg),
        items=None if line.quantity is None else Decimal(line.quantity),
        litres=None if line.litres is None else Decimal(line.litres),
    )
    computed = duty_compute(
        duty,
        customs_value=customs_value,
        quantities=quantities,
        currency=tariff.currency if tariff else "",
        on=tariff.on if tariff else None,
    )
    kind = DutyKind.SPECIFIC if computed.specific else DutyKind.AD_VALOREM
    if computed.amount is None:
        return ZERO, kind, computed.officer_reason
    return computed.amount, kind, ""


@dataclass
class LineResult:
    position: int
    description: str
    hs_code: str
    declared_value: Decimal
    customs_value: Decimal
    duty_kind: str
    duty_rate: Decimal | None
    duty: Decimal
    vat_rate: Decimal
    vat_base: Decimal
    vat: Decimal
    duty_rate_text: str = ""
    duty_source: str = ""
    needs_officer: str = ""  # why an officer must compute this line's duty


@dataclass
class FeeResult:
    name: str
    basis: str
    count: int
    unit_amount: Decimal
    amount: Decimal


@dataclass
class Breakdown:
    irg_category: int
    currency: str
    intrinsic_value: Decimal
    transport_and_insurance: Decimal
    customs_value: Decimal
    duty: Decimal
    vat: Decimal
    fees: Decimal
    total: Decimal
    ioss_applied: bool
    needs_officer: str = ""
    lines: list[LineResult] = field(default_factory=list)
    fee_lines: list[FeeResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ioss_number_valid(number: str, tariff: Tariff) -> bool:
    """IM + the ISO numeric code of an EU member state + 7 digits (one per declaration)."""
    match = IOSS_FORMAT.match(number or "")
    return match is not None and match.group(1) in tariff.ioss_member_state_codes


def assess_item(item: ItemInput, tariff: Tariff) -> Breakdown:
    convert = _converter(item.currency, tariff.fx)
    values = [convert(line.value) for line in item.lines]
    intrinsic = sum(values, ZERO)
    transport = convert(item.postal_charges + item.insurance)
    customs_values = _customs_values(values, intrinsic, transport, tariff.valuation_basis)
    if item.category == "DOCUMENTS":
        # Documents owe nothing, unless an inspection found dutiable goods in the envelope.
        found = _adjustment_lines(item, start=len(item.lines) + 1)
        category = IrgCategory.LOW_VALUE_DUTIABLE if found else IrgCategory.DOCUMENTS
        found_fees = _fees(item, tariff, due=True) if found else []
        return _result(
            category,
            tariff,
            intrinsic,
            transport,
            customs_values,
            found,
            found_fees,
            False,
            ["Documents: no duty or tax."],
        )

    has_ioss = bool(item.ioss_number)
    ioss_applied = (
        tariff.ioss_accepted
        and ioss_number_valid(item.ioss_number, tariff)
        and (tariff.ioss_value_cap is None or intrinsic <= tariff.ioss_value_cap)
    )
    if item.ioss_finding:
        ioss_applied = False
    notes: list[str] = []
    if has_ioss and item.ioss_finding:
        notes.append(f"{item.ioss_finding} Import VAT is charged.")
    elif has_ioss and not ioss_applied:
        notes.append("The IOSS number is not valid for this regime or value: import VAT is charged.")

    customs_value = sum(customs_values, ZERO)
    duty_mode = _duty_mode(item, tariff, intrinsic, customs_value, has_ioss, notes)
    vat_relieved = ioss_applied or _below(
        tariff.threshold(tariff.vat_thresholds, item.category), intrinsic, customs_value
    )
    if ioss_applied:
        notes.append("VAT was charged at sale under IOSS: no import VAT.")
    elif vat_relieved:
        notes.append("Below the VAT threshold: no import VAT.")

    lines = _line_results(item, tariff, customs_values, duty_mode, vat_relieved)
    lines += _adjustment_lines(item, start=len(item.lines) + 1)
    duty, vat = _totals(lines, tariff)
    fee_lines = _fees(item, tariff, due=duty + vat > ZERO)
    fees = sum((fee.amount for fee in fee_lines), ZERO)
    total = duty + vat + fees

    if tariff.low_value_ceiling is not None and intrinsic > tariff.low_value_ceiling:
        category = IrgCategory.HIGH_VALUE
    elif total == ZERO:
        category = IrgCategory.BELOW_DE_MINIMIS
    else:
        category = IrgCategory.LOW_VALUE_DUTIABLE
    return _result(category, tariff, intrinsic, transport, customs_values, lines, fee_lines, ioss_applied, notes)


def _result(
    category: IrgCategory,
    tariff: Tariff,
    intrinsic: Decimal,
    transport: Decimal,
    customs_values: list[Decimal],
    lines: list[LineResult],
    fee_lines: list[FeeResult],
    ioss_applied: bool,
    notes: list[str],
) -> Breakdown:
    """The breakdown; totals are derived from its lines and fees, rounded by the regime's rule."""
    duty, vat = _totals(lines, tariff) if lines else (ZERO, ZERO)
    fees = sum((fee.amount for fee in fee_lines), ZERO)
    needs_officer = _lines_for_officer(lines)
    if category == IrgCategory.HIGH_VALUE:
        needs_officer = (
            f"Intrinsic value {_money(intrinsic, 2)} {tariff.currency} is above the low-value ceiling "
            f"of {tariff.low_value_ceiling}: a full declaration is needed. {needs_officer}"
        ).strip()
    return Breakdown(
        irg_category=int(category),
        currency=tariff.currency,
        intrinsic_value=_money(intrinsic, 2),
        transport_and_insurance=_money(transport, 2),
        customs_value=_money(sum(customs_values, ZERO), 2),
        duty=duty,
        vat=vat,
        fees=fees,
        total=duty + vat + fees,
        ioss_applied=ioss_applied,
        needs_officer=needs_officer,
        lines=lines,
        fee_lines=fee_lines,
        notes=notes,
    )


def _lines_for_officer(lines: list[LineResult]) -> str:
    """The first line whose duty an officer must compute, and how many more there are."""
    flagged = [line for line in lines if line.needs_officer]
    if not flagged:
        return ""
    first = flagged[0]
    more = f" ({len(flagged) - 1} more line(s) too)" if len(flagged) > 1 else ""
    return f"Line {first.position} (HS {first.hs_code or '-'}): {first.needs_officer} An officer sets the duty{more}."


def _converter(currency: str, fx: Fx) -> Callable[[Decimal], Decimal]:
    if currency == fx.currency and fx.units_per_regime_unit == 1:
        return lambda amount: Decimal(amount)
    return lambda amount: Decimal(amount) / fx.units_per_regime_unit


def _customs_values(values: list[Decimal], intrinsic: Decimal, transport: Decimal, basis: str) -> list[Decimal]:
    """CIF spreads transport and insurance over the lines in proportion to their value."""
    if basis != ValuationBasis.CIF or transport == ZERO:
        return list(values)
    if intrinsic == ZERO:
        share = transport / len(values)
        return [value + share for value in values]
    return [value + transport * value / intrinsic for value in values]


def _below(threshold: Threshold | None, intrinsic: Decimal, customs_value: Decimal) -> bool:
    if threshold is None:
        return False
    value = customs_value if threshold.basis == ThresholdBasis.CIF else intrinsic
    return value <= threshold.amount


def _duty_mode(
    item: ItemInput, tariff: Tariff, intrinsic: Decimal, customs_value: Decimal, has_ioss: bool, notes: list[str]
) -> DutyKind:
    flat = tariff.flat_duty
    applies = flat is not None and (flat.applies_with_ioss if has_ioss else flat.applies_without_ioss)
    if flat is not None and applies and intrinsic <= flat.max_intrinsic_value:
        notes.append(f"Flat duty of {flat.amount} {tariff.currency} per distinct tariff line.")
        return DutyKind.FLAT
    if _below(tariff.threshold(tariff.duty_thresholds, item.category), intrinsic, customs_value):
        notes.append("Below the duty de minimis: no customs duty.")
        return DutyKind.RELIEF
    return DutyKind.AD_VALOREM


def _tariff_line(line: LineInput) -> str:
    """Lines with the same HS code are one tariff line (five identical T-shirts = one)."""
    return line.hs_code or f"#{line.description.strip().lower()}"


def _line_results(
    item: ItemInput, tariff: Tariff, customs_values: list[Decimal], duty_mode: DutyKind, vat_relieved: bool
) -> list[LineResult]:
    per_line = tariff.rounding_scope == RoundingScope.PER_LINE
    places = tariff.rounding_places
    seen_tariff_lines: set[str] = set()
    results = []
    for line, customs_value in zip(item.lines, customs_values, strict=True):
        for_officer = ""
        kind: str
        if duty_mode == DutyKind.FLAT and tariff.flat_duty is not None:
            first_of_its_line = _tariff_line(line) not in seen_tariff_lines
            seen_tariff_lines.add(_tariff_line(line))
            duty, rate, kind = (tariff.flat_duty.amount if first_of_its_line else ZERO), None, DutyKind.FLAT
            row = None
        elif duty_mode == DutyKind.RELIEF:
            duty, rate, kind, row = ZERO, None, DutyKind.RELIEF, None
        else:
            row = tariff.duty_row(line.hs_code, line.origin_country)
            rate = row.rate if row else ZERO
            duty, kind, for_officer = line_duty(line, customs_value, row, tariff)
        if per_line:
            duty = _money(duty, places)
        vat_rate = ZERO if vat_relieved else tariff.vat_rate(line.hs_code, item.addressee_country)
        vat_base = customs_value + duty
        vat = vat_base * vat_rate / HUNDRED
        if per_line:
            vat = _money(vat, places)
        results.append(
            LineResult(
                position=line.position,
                description=line.description,
                hs_code=line.hs_code,
                declared_value=line.value,
                customs_value=customs_value,
                duty_kind=kind,
                duty_rate=rate,
                duty=duty,
                vat_rate=vat_rate,
                vat_base=vat_base,
                vat=vat,
                duty_rate_text=(row.rate_text or f"{row.rate}%") if kind not in _NO_RATE and row else "",
                duty_source=row.source if kind not in _NO_RATE and row else "",
                needs_officer=for_officer,
            )
        )
    return results


_NO_RATE = (DutyKind.FLAT, DutyKind.RELIEF)


def _adjustment_lines(item: ItemInput, *, start: int) -> list[LineResult]:
    """Duty found at inspection, one line each after the declared ones: charged as duty, no VAT recomputed.

    A corrected value or HS code reassesses the declared lines instead (VAT included).
    """
    return [
        LineResult(
            position=start + offset,
            description=adjustment.description,
            hs_code="",
            declared_value=ZERO,
            customs_value=ZERO,
            duty_kind=DutyKind.ADJUSTMENT,
            duty_rate=None,
            duty=adjustment.duty,
            vat_rate=ZERO,
            vat_base=ZERO,
            vat=ZERO,
        )
        for offset, adjustment in enumerate(item.adjustments)
    ]


def _totals(lines: list[LineResult], tariff: Tariff) -> tuple[Decimal, Decimal]:
    duty = sum((line.duty for line in lines), ZERO)
    vat = sum((line.vat for line in lines), ZERO)
    return _money(duty, tariff.rounding_places), _money(vat, tariff.rounding_places)


def _fees(item: ItemInput, tariff: Tariff, *, due: bool) -> list[FeeResult]:
    tariff_lines = len({_tariff_line(line) for line in item.lines}) or 1
    results = []
    for fee in tariff.fees:
        if fee.only_when_charges_due and not due:
            continue
        count = tariff_lines if fee.basis == FeeBasis.PER_TARIFF_LINE else 1
        amount = _money(fee.amount * count, tariff.rounding_places)
        results.append(FeeResult(fee.name, fee.basis, count, fee.amount, amount))
    return results


def _money(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
