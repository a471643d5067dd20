"""Split shipments and addressee networks, from the parcels at one place within a window.

Split shipments: one addressee's parcels that together pass the destination's
relief threshold.

An addressee is the same person across operators when two parcels are at one
place (the same city, whichever of its postcodes, or the same postcode) and
their names are one person's as the watchlists read them (risk.names: any
script, order or transliteration, a part dropped or added, an initial for a
first name), or they give the same phone or e-mail mailbox. Parcels are found
through the match keys stored with each item (its name parts, street and
phone at its places; street words and "br.", "No.", "nr" folded), and
through the addressee key, street address and phone indexes.

Values are converted into the destination regime's currency with the
assessment's exchange rates and compared with the highest general de minimis
in force there (the value a parcel is split to stay under); a regime without
one uses OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD in its own currency.

The parcel that takes the group over the threshold goes to an officer, and so
do the group's earlier parcels that were cleared before arrival and not yet
presented (risk.services recalls them): pre-arrival clearance becomes final
only on presentation.

Networks: a street address that receives parcels for many different names
(a drop address), or one phone number given for many names (names that are
one person's variants count once), is an indicator
that adds weight to the item's score; the reason says how many names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import AddresseeMatchKey, Consignment
from core.normalize import name_key, phone_key
from law import selectors as law
from risk.names import NamePart, match_keys, name_parts, same_party
from risk.reasons import DROP_ADDRESS, SHARED_PHONE, SPLIT_SHIPMENT, Finding

RECALLABLE = (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)


@dataclass(frozen=True)
class Parcel:
    pk: int
    name: str  # name_key
    parts: tuple[NamePart, ...]
    keys: frozenset[str]  # risk.names.match_keys
    currency: str
    value: Decimal
    state: str
    presented: bool


# Whether an earlier parcel in (state, presented) can still be held.
Recallable = Callable[[str, bool], bool]


@dataclass(frozen=True)
class Split:
    finding: Finding
    recall: tuple[int, ...]  # earlier parcels of the group cleared before arrival, not yet presented


class Neighbourhood:
    """The window's parcels near a batch's addressees, indexed by their match keys."""

    def __init__(self, parcels: list[Parcel]) -> None:
        self.by_key: dict[str, list[Parcel]] = {}
        for parcel in parcels:
            for key in parcel.keys:
                self.by_key.setdefault(key, []).append(parcel)

    def same_addressee(self, probe: Parcel) -> list[Parcel]:
        """Parcels at the probe's place (its city or its postcode) whose name is the probe's in another spelling,
        order or with an initial, or which give the same phone or mailbox there."""
        found: dict[int, Parcel] = {}
        for key in probe.keys:
            if key.startswith("street:"):
                continue  # neighbours in one building are not one addressee
            for parcel in self.by_key.get(key, ()):
                if parcel.pk in found or parcel.pk == probe.pk:
                    continue
                if not key.startswith("name:") or same_party(parcel.parts, probe.parts) > 0:
                    found[parcel.pk] = parcel
        return list(found.values())

    def people_sharing(self, probe: Parcel, kind: str) -> int:
        """How many different people (names that are not one another's variants) give the probe's street or
        phone at its place, the probe's addressee among them; 0 when the probe gives none."""
        keys = [key for key in probe.keys if key.startswith(f"{kind}:")]
        if not keys:
            return 0
        parcels = {p.pk: p for key in keys for p in self.by_key.get(key, ())}
        parcels[probe.pk] = probe
        names = {parcel.name: parcel.parts for parcel in parcels.values()}
        if len(names) < settings.OPENCLEAR_RISK_NETWORK_NAMES:
            return len(names)  # variants of one name only make fewer people: not a network either way
        people: list[tuple[NamePart, ...]] = []
        for parts in names.values():
            if not any(same_party(parts, other) > 0 for other in people):
                people.append(parts)
        return len(people)


class SplitShipments:
    """The parcels of a batch's addressees within the window, loaded once per batch."""

    def __init__(self, consignments: list[Consignment], recallable: Recallable | None = None) -> None:
        # (state, presented) -> whether an earlier parcel can still be held; a back-test substitutes its own.
        self.recallable = recallable or _recallable
        self.today = timezone.now().date()
        self.regimes = law.regimes_by_country()
        self.rates: dict[tuple[int, str], Decimal | None] = {}
        self.thresholds: dict[int, Decimal] = {}
        self.neighbourhood = self._load(consignments)

    def split(self, c: Consignment) -> Split | None:
        regime = self.regimes.get(c.addressee_country)
        own = self._in_regime(regime, c.currency, c.total_value)
        if regime is None or own is None:
            return None
        threshold = self._threshold(regime)
        group = self.neighbourhood.same_addressee(_parcel(c))
        values = [self._in_regime(regime, p.currency, p.value) for p in group]
        total = sum((v for v in values if v is not None), own)
        if not group or not total > threshold >= own:
            return None
        days = settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW.days or 1
        params = {
            "count": len(group) + 1,
            "total": f"{total:.2f}",
            "currency": regime.currency,
            "days": days,
            "threshold": f"{threshold:.2f}",
        }
        recall = tuple(sorted(p.pk for p in group if self.recallable(p.state, p.presented)))
        return Split(Finding(SPLIT_SHIPMENT.code, params), recall)

    def networks(self, c: Consignment) -> list[Finding]:
        """Findings when the item's street address or phone serves many different people in the window."""
        probe = _parcel(c)
        findings = []
        people = self.neighbourhood.people_sharing(probe, "street")
        if people >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            findings.append(Finding(DROP_ADDRESS.code, {"address": c.addressee_address[:80], "count": people}))
        people = self.neighbourhood.people_sharing(probe, "phone")
        if people >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            findings.append(Finding(SHARED_PHONE.code, {"phone": c.addressee_phone[:40], "count": people}))
        return findings

    def _load(self, consignments: list[Consignment]) -> Neighbourhood:
        """The window's parcels that share a match key (a name part at the same place, a street, a phone or a
        mailbox), an addressee key, a street address or a phone (in the same country) with one of the batch's
        items, each found through an index: a crowded city costs no more than a quiet one."""
        probes = [c for c in consignments if c.addressee_key or _parcel(c).keys]
        if not probes:
            return Neighbourhood([])
        since = timezone.now() - settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW
        table = Consignment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH found AS (
                    SELECT consignment_id AS id FROM {AddresseeMatchKey._meta.db_table}
                    WHERE key = ANY(%(match_keys)s::varchar[]) AND pre_advised_at >= %(since)s
                    UNION
                    SELECT id FROM {table} WHERE addressee_key = ANY(%(keys)s) AND pre_advised_at >= %(since)s
                    UNION
                    SELECT x.id FROM unnest(%(address_countries)s::text[], %(addresses)s::text[]) AS p(country, probe)
                    CROSS JOIN LATERAL (
                        SELECT c.id FROM {table} c
                        WHERE c.addressee_country = p.country AND {ADDRESS_SQL} = p.probe
                          AND c.addressee_address <> '' AND c.pre_advised_at >= %(since)s
                        OFFSET 0  -- one index lookup per probe, never a join over the window
                    ) x
                    UNION
                    SELECT x.id FROM unnest(%(phone_countries)s::text[], %(phones)s::text[]) AS p(country, probe)
                    CROSS JOIN LATERAL (
                        SELECT c.id FROM {table} c
                        WHERE c.addressee_country = p.country AND {PHONE_SQL} = p.probe
                          AND c.addressee_phone <> '' AND c.pre_advised_at >= %(since)s
                        OFFSET 0
                    ) x
                )
                SELECT c.id, c.addressee_name, c.addressee_email, c.addressee_phone, c.addressee_address,
                       c.addressee_city, c.addressee_postcode, c.addressee_country, c.currency, c.total_value, c.state,
                       COALESCE(c.presented_at <= now(), false)
                FROM found f JOIN {table} c ON c.id = f.id
                """,  # noqa: S608
                {
                    "since": since,
                    "keys": sorted({c.addressee_key for c in probes if c.addressee_key}),
                    "match_keys": sorted({key for c in probes for key in _parcel(c).keys}),
                    **_contact_probes(probes),
                },
            )
            rows = cursor.fetchall()
        return Neighbourhood(
            [
                Parcel(pk, *_identity(name, email, phone, address, city, postcode, country), *rest)
                for pk, name, email, phone, address, city, postcode, country, *rest in rows
            ]
        )

    def _threshold(self, regime) -> Decimal:
        if regime.pk not in self.thresholds:
            by_law = law.relief_threshold(regime, self.today)
            self.thresholds[regime.pk] = by_law or Decimal(settings.OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD)
        return self.thresholds[regime.pk]

    def _in_regime(self, regime, currency: str, value: Decimal) -> Decimal | None:
        """The value in the regime's currency, or None without an exchange rate for it."""
        if regime is None:
            return None
        if currency == regime.currency:
            return value
        key = (regime.pk, currency)
        if key not in self.rates:
            self.rates[key] = _rate(regime, currency, self.today)
        rate = self.rates[key]
        return None if rate is None else value / rate


@lru_cache(maxsize=200_000)
def _identity(
    name: str, email: str, phone: str, address: str, city: str, postcode: str, country: str
) -> tuple[str, tuple[NamePart, ...], frozenset[str]]:
    """A neighbour's normalised identity; the same parcels come back chunk after chunk, so it is kept."""
    keys = match_keys(
        name=name, address=address, city=city, postcode=postcode, country=country, phone=phone, email=email
    )
    return name_key(name), name_parts(name), frozenset(keys)


def _parcel(c: Consignment) -> Parcel:
    identity = _identity(
        c.addressee_name,
        c.addressee_email,
        c.addressee_phone,
        c.addressee_address,
        c.addressee_city,
        c.addressee_postcode,
        c.addressee_country,
    )
    presented = c.presented_at is not None and c.presented_at <= timezone.now()  # a stamp to come is not yet
    return Parcel(c.pk, *identity, c.currency, c.total_value, c.state, presented)


def _recallable(state: str, presented: bool) -> bool:
    return state in RECALLABLE and not presented


def _rate(regime, currency: str, on: date) -> Decimal | None:
    try:
        return law.fx_rate(regime, currency, on).units_per_regime_unit
    except law.TariffUnavailable:
        return None


# address_key and phone_key as SQL, the expressions clearance's indexes are built on.
ADDRESS_SQL = (
    "lower(regexp_replace(c.addressee_postcode, '\\s+', '', 'g')) || '|' "
    "|| btrim(regexp_replace(lower(c.addressee_address), '[^a-z0-9]+', ' ', 'g'))"
)
PHONE_SQL = "right(regexp_replace(c.addressee_phone, '\\D', '', 'g'), 8)"


def _contact_probes(consignments: list[Consignment]) -> dict[str, list[str]]:
    addresses = sorted(
        {
            (c.addressee_country, f"{postcode_key(c.addressee_postcode)}|{a}")
            for c in consignments
            if (a := address_key(c.addressee_address))
        }
    )
    phones = sorted({(c.addressee_country, p) for c in consignments if (p := phone_key(c.addressee_phone))})
    return {
        "address_countries": [country for country, _ in addresses],
        "addresses": [address for _, address in addresses],
        "phone_countries": [country for country, _ in phones],
        "phones": [phone for _, phone in phones],
    }


def postcode_key(value: str) -> str:
    return re.sub(r"\s+", "", value or "").lower()


def address_key(value: str) -> str:
    """'12 Baker Street, Flat 3' -> '12 baker street flat 3': a street address as SQL can compute it too."""
    return re.sub(r"[^a-z0-9]+", " ", (value or "").lower()).strip()
