"""Split shipments and addressee networks, from the parcels at one postcode within a window.

Split shipments: one addressee's parcels that together pass the destination's
relief threshold.

An addressee is the same person across operators when the country and
postcode agree and the name is the same or close (any script or order, see
core.normalize.name_key), or the e-mail mailbox or the phone is the same.
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
from core.normalize import email_mailbox, name_key, phone_key, text_key
from payments import selectors as law
from risk.rules import MIN_FUZZY_NAME

RECALLABLE = (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)


@dataclass(frozen=True)
class Parcel:
    pk: int
    name: str  # name_key
    mailbox: str
    phone: str
    address: str  # text_key of the street address
    currency: str
    value: Decimal
    state: str
    presented: bool


@dataclass(frozen=True)
class Split:
    reason: str
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
        self.places = self._load({_place(c.addressee_key) for c in consignments if c.addressee_key})

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
        reason = (
            f"Possible split shipment: the addressee has {len(group) + 1} items totalling {total:.2f} "
            f"{regime.currency} in the last {days} day(s), above {threshold:.2f}, each below it."
        )
        recall = tuple(p.pk for p in group if self.recallable(p.state, p.presented))
        return Split(reason, recall)

    def networks(self, c: Consignment) -> list[str]:
        """Reasons when the item's street address or phone serves many different names in the window."""
        place = self.places.get(_place(c.addressee_key))
        if place is None:
            return []
        own = name_key(c.addressee_name)
        reasons = []
        address, phone = text_key(c.addressee_address), phone_key(c.addressee_phone)
        names = place.names_sharing("address", address) | {own}
        if address and len(names) >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            reasons.append(f"Drop address: {c.addressee_address[:80]} received parcels for {len(names)} names.")
        names = place.names_sharing("phone", phone) | {own}
        if phone and len(names) >= settings.OPENCLEAR_RISK_NETWORK_NAMES:
            reasons.append(f"One phone for many names: {c.addressee_phone[:40]} was given for {len(names)} names.")
        return reasons

    def _group(self, c: Consignment) -> list[Parcel]:
        """The other parcels of the same addressee (c itself left out)."""
        place = self.places.get(_place(c.addressee_key))
        if place is None:
            return []
        name, mailbox = name_key(c.addressee_name), email_mailbox(c.addressee_email)
        return [p for p in place.same_addressee(name, mailbox, phone_key(c.addressee_phone)) if p.pk != c.pk]

    def _load(self, places: set[str]) -> dict[str, Place]:
        if not places:
            return {}
        since = timezone.now() - settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW
        patterns = [_like_prefix(place) for place in places]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT id, addressee_key, addressee_name, addressee_email, addressee_phone, addressee_address,
                       currency, total_value, state, presented_at IS NOT NULL
                FROM {Consignment._meta.db_table}
                WHERE addressee_key LIKE ANY(%s) AND pre_advised_at >= %s
                """,  # noqa: S608
                [patterns, since],
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
    return name_key(name), email_mailbox(email), phone_key(phone), text_key(address)


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


def _like_prefix(place: str) -> str:
    escaped = place.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%" if place.endswith("|") else escaped
