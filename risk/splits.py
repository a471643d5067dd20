"""Split shipments and addressee networks, from the parcels at one postcode within a window.

Split shipments: one addressee's parcels that together pass the destination's
relief threshold.

An addressee is the same person across operators when the parcels share the
addressee key (country, postcode and name), or, in one country, the street
address or the phone (each searched through an index); among those, at one
postcode, a close name (any script or order, see core.normalize.name_key) or
the same e-mail mailbox counts too.

Values are converted into the destination regime's currency with the
assessment's exchange rates and compared with the highest general de minimis
in force there (the value a parcel is split to stay under); a regime without
one uses OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD in its own currency.

The parcel that takes the group over the threshold goes to an officer, and so
do the group's earlier parcels that were cleared before arrival and not yet
presented (risk.services recalls them): pre-arrival clearance becomes final
only on presentation.

Networks: a street address that receives parcels for many different names
(a drop address), or one phone number given for many names, is an indicator
that adds weight to the item's score; the reason says how many names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rapidfuzz import fuzz, process

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.normalize import email_mailbox, name_key, phone_key
from law import selectors as law
from risk.kinds.watchlist import MIN_FUZZY_NAME
from risk.reasons import DROP_ADDRESS, SHARED_PHONE, SPLIT_SHIPMENT, Finding

RECALLABLE = (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)


@dataclass(frozen=True)
class Parcel:
    pk: int
    name: str  # name_key
    mailbox: str
    phone: str
    address: str  # address_key of the street address
    currency: str
    value: Decimal
    state: str
    presented: bool


@dataclass(frozen=True)
class Split:
    finding: Finding
    recall: tuple[int, ...]  # earlier parcels of the group cleared before arrival, not yet presented


class Place:
    """The parcels at one postcode, indexed by name, mailbox, phone and street address."""

    def __init__(self, parcels: list[Parcel]) -> None:
        self.by = {field: _index(parcels, field) for field in ("name", "mailbox", "phone", "address")}
        self.names = list(self.by["name"])

    def same_addressee(self, name: str, mailbox: str, phone: str) -> list[Parcel]:
        """Parcels whose name is the same or close, or whose mailbox or phone is the same."""
        found: dict[int, Parcel] = {}
        for similar in self._similar_names(name):
            found.update((p.pk, p) for p in self.by["name"][similar])
        for field, value in (("mailbox", mailbox), ("phone", phone)):
            if value:
                found.update((p.pk, p) for p in self.by[field].get(value, ()))
        return list(found.values())

    def names_sharing(self, field: str, value: str) -> set[str]:
        return {p.name for p in self.by[field].get(value, ())} if value else set()

    def _similar_names(self, name: str) -> list[str]:
        if not name:
            return []
        similar = [name] if name in self.by["name"] else []
        if len(name) >= MIN_FUZZY_NAME:  # one C call over the place's names, not a loop in Python
            cutoff = settings.OPENCLEAR_WATCHLIST_NAME_SIMILARITY * 100
            matches = process.extract(name, self.names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
            similar += [match for match, _, _ in matches if match != name and len(match) >= MIN_FUZZY_NAME]
        return similar


def _index(parcels: list[Parcel], field: str) -> dict[str, list[Parcel]]:
    index: dict[str, list[Parcel]] = {}
    for parcel in parcels:
        if value := getattr(parcel, field):
            index.setdefault(value, []).append(parcel)
    return index


class SplitShipments:
    """The parcels of a batch's addressees within the window, loaded once per batch."""

    def __init__(self, consignments: list[Consignment], recallable=None) -> None:
        # (state, presented) -> whether an earlier parcel can still be held; a back-test substitutes its own.
        self.recallable = recallable or _recallable
        self.today = timezone.now().date()
        self.regimes = law.regimes_by_country()
        self.rates: dict[tuple[int, str], Decimal | None] = {}
        self.thresholds: dict[int, Decimal] = {}
        self.places = self._load(consignments)

    def split(self, c: Consignment) -> Split | None:
        regime = self.regimes.get(c.addressee_country)
        own = self._in_regime(regime, c.currency, c.total_value)
        if regime is None or own is None:
            return None
        threshold = self._threshold(regime)
        group = self._group(c)
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
        recall = tuple(p.pk for p in group if self.recallable(p.state, p.presented))
        return Split(Finding(SPLIT_SHIPMENT.code, params), recall)

    def networks(self, c: Consignment) -> list[Finding]:
        """Findings when the item's street address or phone serves many different names in the window."""
        place = self.places.get(_place(c.addressee_key))
        if place is None:
            return []
        own = name_key(c.addressee_name)
        findings = []
        address, phone = address_key(c.addressee_address), phone_key(c.addressee_phone)
        names = place.names_sharing("address", address) | {own}
        if address and len(names) >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            params = {"address": c.addressee_address[:80], "count": len(names)}
            findings.append(Finding(DROP_ADDRESS.code, params))
        names = place.names_sharing("phone", phone) | {own}
        if phone and len(names) >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            findings.append(Finding(SHARED_PHONE.code, {"phone": c.addressee_phone[:40], "count": len(names)}))
        return findings

    def _group(self, c: Consignment) -> list[Parcel]:
        """The other parcels of the same addressee (c itself left out)."""
        place = self.places.get(_place(c.addressee_key))
        if place is None:
            return []
        name, mailbox = name_key(c.addressee_name), email_mailbox(c.addressee_email)
        return [p for p in place.same_addressee(name, mailbox, phone_key(c.addressee_phone)) if p.pk != c.pk]

    def _load(self, consignments: list[Consignment]) -> dict[str, Place]:
        """The window's parcels that share an addressee key, a street address or a phone (in the same
        country) with one of the batch's items, each found through an index: a crowded postcode (a
        whole city may have one) costs no more than a quiet one."""
        probes = [c for c in consignments if c.addressee_key]
        if not probes:
            return {}
        since = timezone.now() - settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW
        table = Consignment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH found AS (
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
                SELECT id, addressee_key, addressee_name, addressee_email, addressee_phone, addressee_address,
                       currency, total_value, state, COALESCE(presented_at <= now(), false)
                FROM {table} WHERE id = ANY(ARRAY(SELECT id FROM found))
                """,  # noqa: S608
                {"since": since, "keys": sorted({c.addressee_key for c in probes}), **_contact_probes(probes)},
            )
            rows = cursor.fetchall()
        found: dict[str, list[Parcel]] = {}
        for pk, key, name, email, phone, address, currency, value, state, presented in rows:
            identity = _identity(name, email, phone, address)
            found.setdefault(_place(key), []).append(Parcel(pk, *identity, currency, value, state, presented))
        return {place: Place(parcels) for place, parcels in found.items()}

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
def _identity(name: str, email: str, phone: str, address: str) -> tuple[str, str, str, str]:
    """A neighbour's normalised identity; the same parcels come back chunk after chunk, so it is kept."""
    return name_key(name), email_mailbox(email), phone_key(phone), address_key(address)


def _recallable(state: str, presented: bool) -> bool:
    return state in RECALLABLE and not presented


def _rate(regime, currency: str, on: date) -> Decimal | None:
    try:
        return law.fx_rate(regime, currency, on).units_per_regime_unit
    except law.TariffUnavailable:
        return None


def _place(addressee_key: str) -> str:
    """'BA|71000|amra hodzic' -> 'BA|71000|': country and postcode; without a postcode, the whole key."""
    country, _, rest = addressee_key.partition("|")
    postcode, _, _ = rest.partition("|")
    return f"{country}|{postcode}|" if postcode else addressee_key


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
