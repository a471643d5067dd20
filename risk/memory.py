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
from typing import Any

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
    holds = _holds_meeting(probes, item_ids)
    withdrawn, positions = _indexed(holds)
    found = {}
    for c in items:
        # Taken back while held and announced again: whatever parties it now names, it is that parcel.
        if (sent_again := _newest(holds, withdrawn.get(c.item_id, []), c.pk)) is not None:
            found[c.pk] = _withdrawn_finding(holds[sent_again])
            continue
        # The most recent hold any of the item's keys meets, as a walk through the holds newest first finds it.
        item_keys = keys[c.pk]
        met = [
            position
            for name, index in positions.items()
            if (value := item_keys.get(name))
            and value in index
            and (position := _newest(holds, index[value], c.pk)) is not None
        ]
        if met and (matched := _match(item_keys, hold := holds[min(met)])):
            found[c.pk] = _finding(hold, *matched)
    return found


def _newest(holds: list[PartyHold], positions: list[int], own: int | None) -> int | None:
    """The first of these positions (newest first) that is not the item's own hold: an amended item rescored is
    never its own earlier hold, while another item of the chunk's is one, as it would be were the two scored
    apart."""
    return next((position for position in positions if holds[position].consignment_id != own), None)


def _holds_meeting(probes: dict[str, set[str]], item_ids: list[str]) -> list[PartyHold]:
    """Holds in force that a probe's key meets, or of an item id withdrawn while held, newest first."""
    return list(PartyHold.objects.raw(*holds_query(probes, item_ids)))


def holds_query(probes: dict[str, set[str]], item_ids: list[str]) -> tuple[str, dict[str, Any]]:
    """The statement _holds_meeting runs, each arm answered by an index. One array per key rather than a
    parameter per value: a chunk's few thousand values would cost more to write into the statement than to
    look up."""
    table = PartyHold._meta.db_table
    # "<> ''" lets the planner use each key's partial index, which leaves empty keys out.
    met = [f"({name} <> '' AND {name} = ANY(%({name})s::text[]))" for name in sorted(probes) if name in MATCHED_FIELDS]
    sql = (
        f"SELECT * FROM {table} WHERE until > %(now)s "  # noqa: S608
        f"AND ((kind = %(withdrawn)s AND item_id = ANY(%(item_ids)s::text[])) {''.join(' OR ' + m for m in met)}) "
        "ORDER BY recorded_at DESC, id DESC"  # a chunk's holds share one time: the last recorded first
    )
    params: dict[str, Any] = {name: sorted(values) for name, values in probes.items()}
    params |= {"now": timezone.now(), "withdrawn": PartyHold.Kind.WITHDRAWN, "item_ids": item_ids}
    return sql, params


def _indexed(holds: list[PartyHold]) -> tuple[dict[str, list[int]], dict[str, dict[str, list[int]]]]:
    """The positions (newest first) of the holds of items withdrawn while held, by item id, and of the holds with
    each party key, by key: a popular sender's many holds cost a lookup per item, not a walk through them all."""
    withdrawn: dict[str, list[int]] = defaultdict(list)
    positions: dict[str, dict[str, list[int]]] = {name: defaultdict(list) for name in MATCHED_FIELDS}
    for position, hold in enumerate(holds):
        if hold.kind == PartyHold.Kind.WITHDRAWN:
            withdrawn[hold.item_id].append(position)
        for name in MATCHED_FIELDS:
            if value := getattr(hold, name):
                positions[name][value].append(position)
    return withdrawn, positions


# The keys _match compares, in its order: what a hold records of each party (no sender street address).
MATCHED_FIELDS = tuple(name for party in PARTIES for what in MATCHED if hasattr(PartyHold, name := f"{party}_{what}"))


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
