"""Reads of the law: regimes, the law in force on a date (a `Tariff`), exchange rates and thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

import pycountry
from django.db import models
from django.db.models import Q, QuerySet

from law.choices import ThresholdKind
from law.models import DeMinimis, DutyRate, ExchangeRate, Fee, FlatDuty, Regime, RegimeTerms, VatRate
from law.seed import EU_MEMBER_STATES
from law.tariff import FeeTerms, FlatDutyTerms, Fx, RateRow, Tariff, Threshold

M = TypeVar("M", bound=models.Model)


class TariffUnavailable(Exception):
    """The law for an item cannot be found: no regime, no terms or no exchange rate."""


def in_force(queryset: QuerySet[M], on: date) -> QuerySet[M]:
    return queryset.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


@lru_cache(maxsize=1)
def _eu_numeric_codes() -> frozenset[str]:
    countries = (pycountry.countries.get(alpha_2=code) for code in EU_MEMBER_STATES)
    return frozenset(country.numeric for country in countries if country is not None)


def fx_rate(regime: Regime, currency: str, on: date) -> Fx:
    """The rate in force on `on`; a monthly regime's rows run for a whole month."""
    if currency == regime.currency:
        return Fx(currency=currency, units_per_regime_unit=Decimal("1"), published_on=None)
    row = (
        in_force(ExchangeRate.objects.filter(regime=regime, currency=currency), on)
        .order_by("-valid_from")
        .only("units_per_regime_unit", "published_on")
        .first()
    )
    if row is None:
        raise TariffUnavailable(f"No {currency} exchange rate for {regime.code} on {on}.")
    return Fx(currency=currency, units_per_regime_unit=row.units_per_regime_unit, published_on=row.published_on)


def tariff_for(regime: Regime, on: date, currency: str) -> Tariff:
    terms = in_force(RegimeTerms.objects.filter(regime=regime), on).order_by("-valid_from").first()
    if terms is None:
        raise TariffUnavailable(f"No terms in force for {regime.code} on {on}.")
    thresholds = list(in_force(DeMinimis.objects.filter(regime=regime), on).order_by("-valid_from"))
    flat = in_force(FlatDuty.objects.filter(regime=regime), on).order_by("-valid_from").first()
    return Tariff(
        regime_code=regime.code,
        currency=regime.currency,
        valuation_basis=terms.valuation_basis,
        rounding_scope=terms.rounding_scope,
        rounding_places=terms.rounding_places,
        low_value_ceiling=terms.low_value_ceiling,
        ioss_accepted=terms.ioss_accepted,
        ioss_value_cap=terms.ioss_value_cap,
        ioss_member_state_codes=_eu_numeric_codes(),
        duty_thresholds=tuple(_threshold(row) for row in thresholds if row.kind == ThresholdKind.DUTY),
        vat_thresholds=tuple(_threshold(row) for row in thresholds if row.kind == ThresholdKind.VAT),
        duty_rates=tuple(
            RateRow(
                rate=row.rate,
                hs_prefix=row.hs_prefix,
                origin_country=row.origin_country,
                specific_amount=row.specific_amount,
                specific_unit=row.specific_unit,
                rate_text=row.rate_text,
                source=row.source,
            )
            for row in in_force(DutyRate.objects.filter(regime=regime), on).only(
                "rate", "hs_prefix", "origin_country", "specific_amount", "specific_unit", "rate_text", "source"
            )
        ),
        vat_rates=tuple(
            RateRow(rate=row.rate, hs_prefix=row.hs_prefix, country=row.country)
            for row in in_force(VatRate.objects.filter(regime=regime), on)
        ),
        flat_duty=(
            FlatDutyTerms(flat.amount, flat.max_intrinsic_value, flat.applies_with_ioss, flat.applies_without_ioss)
            if flat
            else None
        ),
        fees=tuple(
            FeeTerms(row.name, row.basis, row.amount, row.only_when_charges_due)
            for row in in_force(Fee.objects.filter(regime=regime), on).order_by("name")
        ),
        fx=fx_rate(regime, currency, on),
        on=on,
    )


def _threshold(row: DeMinimis) -> Threshold:
    return Threshold(amount=row.amount, basis=row.basis, category=row.category)


def rates_against(currency: str, on: date) -> dict[str, Decimal]:
    """Units of each currency per one unit of `currency`, from the rates of a regime that keeps its accounts in it."""
    regime = Regime.objects.filter(currency=currency).order_by("code").first()
    rates = {currency: Decimal("1")}
    if regime is None:
        return rates
    for row in in_force(ExchangeRate.objects.filter(regime=regime), on).order_by("currency", "-valid_from"):
        rates.setdefault(row.currency, row.units_per_regime_unit)
    return rates


def regimes_by_country() -> dict[str, Regime]:
    return {country: regime for regime in Regime.objects.all() for country in regime.countries}


def relief_threshold(regime: Regime, on: date) -> Decimal | None:
    """The highest general de minimis (duty or VAT) in force: the value a parcel is split to stay under."""
    amounts = [
        row.amount for row in in_force(DeMinimis.objects.filter(regime=regime, category=""), on) if row.amount > 0
    ]
    return max(amounts) if amounts else None


def storage_days_for(regime: Regime, on: date) -> int | None:
    terms = in_force(RegimeTerms.objects.filter(regime=regime), on).order_by("-valid_from").first()
    return terms.storage_days if terms else None
