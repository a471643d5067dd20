"""Reads of the law: regimes, the law in force on a date (a `Tariff`), exchange rates and thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

import pycountry
from django.db import models
from django.db.models import Q, QuerySet

from core.normalize import text_key
from law.choices import IossStatus, ThresholdKind
from law.fx import fx_stale_since
from law.models import (
    DeMinimis,
    DutyRate,
    ExchangeRate,
    Fee,
    FlatDuty,
    IossRegistration,
    Regime,
    RegimeTerms,
    VatRate,
)
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


def fx_rate(regime: Regime, currency: str, on: date, terms: RegimeTerms | None = None) -> Fx:
    """The rate in force on `on` (a monthly regime's rows run for a whole month), and whether it is stale."""
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
    terms = terms or _terms(regime, on)
    expected = fx_stale_since(terms.fx_rule, terms.fx_max_age_days, row.published_on, on) if terms else None
    stale = (
        f"The {currency} exchange rate used was published on {row.published_on}, older than the regime's rule "
        f"allows (a rate of {expected}): load the newer rates."
        if expected
        else ""
    )
    return Fx(currency, row.units_per_regime_unit, row.published_on, stale=stale)


def _terms(regime: Regime, on: date) -> RegimeTerms | None:
    return in_force(RegimeTerms.objects.filter(regime=regime), on).order_by("-valid_from").first()


@dataclass(frozen=True)
class FxFreshness:
    """A regime's latest published rate, and whether a rate for `on` would be stale."""

    regime: str
    last_published: date | None
    stale_since: date | None

    @property
    def stale(self) -> bool:
        return self.last_published is None or self.stale_since is not None


def fx_freshness(on: date) -> list[FxFreshness]:
    """For each regime that converts currencies, its latest rate and whether the rule allows it on `on`."""
    latest = dict(
        ExchangeRate.objects.filter(valid_from__lte=on)
        .values_list("regime__code")
        .annotate(last=models.Max("published_on"))
        .values_list("regime__code", "last")
    )
    result = []
    for regime in Regime.objects.order_by("code"):
        terms = _terms(regime, on)
        if terms is None:
            continue
        last = latest.get(regime.code)
        stale_since = fx_stale_since(terms.fx_rule, terms.fx_max_age_days, last, on) if last else None
        result.append(FxFreshness(regime.code, last, stale_since))
    return result


def tariff_for(regime: Regime, on: date, currency: str) -> Tariff:
    terms = _terms(regime, on)
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
        fx=fx_rate(regime, currency, on, terms),
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


# --- The IOSS register -----------------------------------------------------------------------------

IOSS_UNKNOWN, IOSS_REVOKED, IOSS_UNRELATED = "unknown", "revoked", "unrelated_seller"
LEGAL_FORMS = frozenset(
    {
        "co", "company", "corp", "corporation", "inc", "incorporated", "llc", "ltd", "limited", "plc", "gmbh",
        "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "kft", "sro", "spzoo", "pte", "pty",
    }
)  # fmt: skip


def seller_key(name: str) -> str:
    """A seller's name as the register compares it: no case, accents, punctuation, spaces or legal form."""
    return "".join(word for word in text_key(name).split() if word not in LEGAL_FORMS)


@dataclass(frozen=True)
class IossCheck:
    """What the register says of an item's IOSS number: finding '' when it admits it."""

    number: str
    finding: str = ""
    message: str = ""
    holder: str = ""


class IossRegister:
    """The register's rows for the numbers of a batch of items, read once (law.models.IossRegistration)."""

    def __init__(self, numbers: list[str]) -> None:
        numbers = sorted({number for number in numbers if number})
        self.rows: dict[str, list[IossRegistration]] = {}
        for row in IossRegistration.objects.filter(number__in=numbers).select_related("regime").order_by("valid_from"):
            self.rows.setdefault(row.number, []).append(row)
        self.loaded: dict[int, bool] = {}

    def _loaded(self, regime: Regime) -> bool:
        if regime.pk not in self.loaded:
            self.loaded[regime.pk] = IossRegistration.objects.filter(regime=regime).exists()
        return self.loaded[regime.pk]

    def check(self, *, regime: Regime, number: str, on: date, sellers: list[str]) -> IossCheck:
        """Unknown, revoked, or used by a seller who is not its holder; a regime with no register loaded
        checks the number's form only (and says nothing here)."""
        if not number or not self._loaded(regime):
            return IossCheck(number)
        rows = [
            row
            for row in self.rows.get(number, [])
            if row.regime_id == regime.pk and row.valid_from <= on and (row.valid_to is None or row.valid_to >= on)
        ]
        if not rows:
            return IossCheck(number, IOSS_UNKNOWN, f"The IOSS number {number} is not in the register on {on}.")
        row = rows[-1]
        if row.status == IossStatus.REVOKED:
            return IossCheck(
                number, IOSS_REVOKED, f"The IOSS number {number} was revoked from {row.valid_from}.", row.holder
            )
        names = {seller_key(name) for name in [row.holder, *row.trading_names.split(";")] if seller_key(name)}
        if not names & {seller_key(name) for name in sellers if name}:
            return IossCheck(
                number,
                IOSS_UNRELATED,
                f"The IOSS number {number} is registered to {row.holder}, not to the seller of this item.",
                row.holder,
            )
        return IossCheck(number, holder=row.holder)


def law_summary(on: date) -> list[dict[str, object]]:
    """Per regime, what is in force on `on`: the figures the dashboard's Law page shows."""
    summary: list[dict[str, object]] = []
    for regime in Regime.objects.order_by("code"):
        duty = in_force(DutyRate.objects.filter(regime=regime), on)
        summary.append(
            {
                "regime": regime,
                "terms": _terms(regime, on),
                "thresholds": list(in_force(DeMinimis.objects.filter(regime=regime), on).order_by("kind", "category")),
                "flat_duty": in_force(FlatDuty.objects.filter(regime=regime), on).first(),
                "fees": list(in_force(Fee.objects.filter(regime=regime), on).order_by("name")),
                "vat_rates": in_force(VatRate.objects.filter(regime=regime), on).count(),
                "tariff_rows": duty.exclude(rate_text="").count(),
                "own_duty_rows": duty.filter(rate_text="").count(),
                "ioss_numbers": in_force(IossRegistration.objects.filter(regime=regime), on).count(),
            }
        )
    return summary
