"""The tables of the law as rows with a key and values: what a change, an export and an import speak of.

Each effective-dated table has a key (the fields that say which rule a row is: an HS prefix and
origin, a country, a threshold's kind and category) and values. A row of a key replaces the row
of the same key in force, from its first day. Values travel as text (the CSV's and the JSON's),
read back with the model field's own parsing and checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from law.choices import LawChangeKind
from law.models import (
    DeMinimis,
    DutyRate,
    EffectiveDated,
    ExchangeRate,
    Fee,
    FlatDuty,
    IossRegistration,
    RegimeTerms,
    VatRate,
)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[EffectiveDated]
    kind: str
    keys: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.keys + self.values

    def key_of(self, row: EffectiveDated) -> tuple[str, ...]:
        return tuple(to_text(row, name) for name in self.keys)

    def values_of(self, row: EffectiveDated) -> dict[str, str]:
        return {name: to_text(row, name) for name in self.values}


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "RegimeTerms",
            RegimeTerms,
            LawChangeKind.REGIME_TERMS,
            (),
            (
                "valuation_basis",
                "rounding_scope",
                "rounding_places",
                "low_value_ceiling",
                "fx_rule",
                "fx_max_age_days",
                "ioss_accepted",
                "ioss_value_cap",
                "storage_days",
            ),
        ),
        Table("DeMinimis", DeMinimis, LawChangeKind.DE_MINIMIS, ("kind", "category"), ("basis", "amount")),
        Table(
            "DutyRate",
            DutyRate,
            LawChangeKind.DUTY_RATES,
            ("hs_prefix", "origin_country"),
            ("rate", "specific_amount", "specific_unit", "rate_text", "description"),
        ),
        Table(
            "FlatDuty",
            FlatDuty,
            LawChangeKind.FLAT_DUTY,
            (),
            ("amount", "max_intrinsic_value", "applies_with_ioss", "applies_without_ioss"),
        ),
        Table("VatRate", VatRate, LawChangeKind.VAT_RATES, ("country", "hs_prefix"), ("rate",)),
        Table("Fee", Fee, LawChangeKind.FEES, ("name",), ("basis", "amount", "only_when_charges_due")),
        Table(
            "ExchangeRate",
            ExchangeRate,
            LawChangeKind.LAW_FILE,
            ("currency",),
            ("units_per_regime_unit", "published_on"),
        ),
        Table(
            "IossRegistration",
            IossRegistration,
            LawChangeKind.IOSS_REGISTER,
            ("number",),
            ("holder", "trading_names", "member_state", "status"),
        ),
    )
}
ALL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(name for table in TABLES.values() for name in table.fields))


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)  # type: ignore[return-value]


def to_text(row: models.Model, name: str) -> str:
    """A value as the CSV and the change's JSON write it: '' for none, true/false, decimals as stored."""
    value = getattr(row, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_text(table: Table, name: str, text: str) -> Any:
    """The value of a field from its text, checked by the field (digits, places, choices, lengths)."""
    field = _field(table.model, name)
    text = (text or "").strip() if not isinstance(field, models.CharField) else (text or "")
    if text == "" and field.null:
        return None
    if isinstance(field, models.BooleanField):
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValidationError(f"{name}: true or false, not {text!r}")
        return lowered in ("true", "1", "yes")
    if text == "" and isinstance(field, models.CharField):
        return ""
    value = field.to_python(text)
    field.run_validators(value)
    if field.choices and value not in dict(field.flatchoices):
        raise ValidationError(f"{name}: {text!r} is not one of {', '.join(str(c) for c, _ in field.flatchoices)}")
    if isinstance(field, models.DecimalField):
        field.clean(value, None)  # max digits and decimal places
    return value


def normalised(table: Table, values: dict[str, str]) -> dict[str, str]:
    """The values as the table stores them (12.0 and 12.000 are one rate), to compare a change with the law."""
    result = {}
    for name in table.values:
        value = from_text(table, name, values.get(name, ""))
        field = _field(table.model, name)
        if isinstance(field, models.DecimalField) and value is not None:
            value = value.quantize(type(value)(1).scaleb(-field.decimal_places))
        result[name] = to_text(_Holder(name, value), name)
    return result


class _Holder:
    def __init__(self, name: str, value: Any) -> None:
        setattr(self, name, value)
