"""Holds remembered: the parties of a recent seizure, return, referral or prohibited finding.

clearance.models.PartyHold keeps, for a set time, the sender and addressee of
an item customs found something on. A chunk of items being scored is matched
against them with one query (each key through its own index): the sender
against remembered senders, the addressee against remembered addressees, by
name key (country, postcode, name), e-mail mailbox or phone, and the
addressee's street address, whatever the operator or the item id. A match
sends the item to an officer (a YELLOW finding) with the earlier item named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from clearance.holds import party_keys
from clearance.models import Consignment, PartyHold
from risk.reasons import RECENT_HOLD, WITHDRAWN_WHILE_HELD, Finding

RECENT_HOLD_SCORE = 0.4
WHAT = {
    PartyHold.Kind.SEIZURE: gettext_noop("seizure proposed"),
    PartyHold.Kind.RETURNED: gettext_noop("returned by customs"),
    PartyHold.Kind.REFERRED: gettext_noop("referred to another agency"),
    PartyHold.Kind.PROHIBITED: gettext_noop("prohibited goods found"),
    PartyHold.Kind.WITHDRAWN: gettext_noop("pre-advice withdrawn while held"),
}
MATCHED = {
    "key": gettext_noop("name and postcode"),
    "mailbox": gettext_noop("e-mail address"),
    "phone": gettext_noop("phone"),
    "address": gettext_noop("street address"),
}
PARTIES = {"sender": gettext_noop("sender"), "addressee": gettext_noop("addressee")}


def recent_holds(consignments: Iterable[Consignment]) -> dict[int, Finding]:
    """{item: the finding naming the most recent remembered hold its item id (withdrawn while held and sent
    again) or its sender or addressee matches}, in one query."""
    items = list(consignments)
    keys = {c.pk: party_keys(_fields(c)) for c in items}
    probes: dict[str, set[str]] = defaultdict(set)
    for item_keys in keys.values():
        for name, value in item_keys.items():
            if value:
                probes[name].add(value)
    item_ids = sorted({c.item_id for c in items if c.item_id})
    if not probes and not item_ids:
        return {}
    wanted = Q(kind=PartyHold.Kind.WITHDRAWN, item_id__in=item_ids)
    for name, values in probes.items():
        wanted |= Q(**{f"{name}__in": sorted(values)})
    holds = list(
        PartyHold.objects.filter(wanted, until__gt=timezone.now())
        .exclude(consignment_id__in=[c.pk for c in items if c.pk is not None])
        .order_by("-recorded_at")
    )
    found = {}
    for c in items:
        # Taken back while held and announced again: whatever parties it now names, it is that parcel.
        withdrawn = (h for h in holds if h.kind == PartyHold.Kind.WITHDRAWN and h.item_id == c.item_id)
        if sent_again := next(withdrawn, None):
            found[c.pk] = _withdrawn_finding(sent_again)
            continue
        for hold in holds:
            matched = _match(keys[c.pk], hold)
            if matched:
                found[c.pk] = _finding(hold, *matched)
                break
    return found


def _withdrawn_finding(hold: PartyHold) -> Finding:
    params = {"item": hold.item_id, "date": f"{hold.recorded_at:%Y-%m-%d}", "until": f"{hold.until:%Y-%m-%d}"}
    return Finding(WITHDRAWN_WHILE_HELD.code, params, weight=RECENT_HOLD_SCORE, lane="YELLOW")


def _fields(c: Consignment) -> dict[str, str]:
    return {
        name: getattr(c, name)
        for name in (
            "sender_key",
            "sender_email",
            "sender_phone",
            "addressee_key",
            "addressee_email",
            "addressee_phone",
            "addressee_address",
            "addressee_postcode",
            "addressee_country",
        )
    }


def _match(keys: dict[str, str], hold: PartyHold) -> tuple[str, str] | None:
    for party in ("sender", "addressee"):
        for what in ("key", "mailbox", "phone", "address"):
            name = f"{party}_{what}"
            if name in keys and keys[name] and keys[name] == getattr(hold, name):
                return party, what
    return None


def _finding(hold: PartyHold, party: str, matched: str) -> Finding:
    params = {
        "party": PARTIES[party],
        "matched": MATCHED[matched],
        "item": hold.item_id,
        "what": WHAT[PartyHold.Kind(hold.kind)],
        "date": f"{hold.recorded_at:%Y-%m-%d}",
        "until": f"{hold.until:%Y-%m-%d}",
    }
    return Finding(RECENT_HOLD.code, params, weight=RECENT_HOLD_SCORE, lane="YELLOW")
