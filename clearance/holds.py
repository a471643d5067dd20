"""Holds: what keeps an item under customs control whatever its state would allow.

clearance.transitions says which transition each hold blocks and for whom;
this module finds the holds on a batch of locked items. Claims and seizure
proposals are made under the item's row lock, so what is found here cannot
change before the transition commits.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Claim, Decision, LineCorrection, SeizureRequest
from clearance.transitions import Hold, Transition
from core.actors import Actor
from core.choices import ActorKind
from core.normalize import email_mailbox, phone_key

# States in which an item is in front of an officer.
OFFICER_STATES = frozenset({ConsignmentState.HELD, ConsignmentState.INFO_REQUESTED})


def claim_expiry() -> timedelta:
    return timedelta(minutes=settings.OPENCLEAR_CLAIM_MINUTES)


def claims_fresh(consignment_ids: Collection[int]) -> dict[int, int]:
    """{item: officer} for claims that have not expired."""
    since = timezone.now() - claim_expiry()
    return dict(
        Claim.objects.filter(consignment_id__in=consignment_ids, claimed_at__gt=since).values_list(
            "consignment_id", "officer_id"
        )
    )


def seizures_pending(consignment_ids: Collection[int]) -> set[int]:
    return set(
        SeizureRequest.objects.filter(
            consignment_id__in=consignment_ids, state=SeizureRequest.State.PENDING
        ).values_list("consignment_id", flat=True)
    )


def consignment_ids_under_officer_hold(states: dict[int, str]) -> set[int]:
    """Items an officer has in hand or has had: held, information asked, ever put in the queue, or corrected.

    Every way into the officer's queue (scoring, an assessment needing a full
    declaration, an amendment of an item under control) sends the operator a
    HOLD_INSPECTION response, so that response marks an item an officer has
    seen; claims, seizure proposals and inspections happen only after it. An
    officer may also correct an item awaiting payment that was never held (an
    invoice found later): the correction marks it too, so that an amendment
    cannot quietly restore the declared value.
    """
    held = {pk for pk, state in states.items() if state in OFFICER_STATES}
    others = [pk for pk in states if pk not in held]
    if others:
        held |= set(
            Decision.objects.filter(consignment_id__in=others, code=DecisionCode.HOLD_INSPECTION).values_list(
                "consignment_id", flat=True
            )
        )
        held |= set(LineCorrection.objects.filter(consignment_id__in=others).values_list("consignment_id", flat=True))
    return held


def holds_blocking(
    transition: Transition, rows: dict[int, tuple], actor: Actor, candidates: list[int]
) -> dict[int, Hold]:
    """{item: the first hold that forbids this actor this transition}, among the candidates.

    `rows` maps each locked item to (state, exited_at, delivered_at, presented_at).
    """
    blocked: dict[int, Hold] = {}
    if not candidates or not transition.blocked_by:
        return blocked
    checks = {
        Hold.SEIZURE: lambda: seizures_pending(candidates),
        Hold.CLAIM: lambda: _claimed_by_others(candidates, actor),
        Hold.OFFICER: lambda: _officer_hold(rows, candidates, actor),
        Hold.DELIVERED: lambda: {pk for pk in candidates if rows[pk][1] or rows[pk][2]},
        Hold.PRESENTED: lambda: {pk for pk in candidates if rows[pk][3]},
    }
    for hold in (Hold.SEIZURE, Hold.DELIVERED, Hold.PRESENTED, Hold.CLAIM, Hold.OFFICER):
        if hold in transition.blocked_by:
            for pk in checks[hold]():
                blocked.setdefault(pk, hold)
    return blocked


def _claimed_by_others(candidates: list[int], actor: Actor) -> set[int]:
    # A claim binds officers only: payments, scoring and the operator are not officers taking a decision.
    if actor.kind != ActorKind.USER:
        return set()
    user_id = actor.user.pk if actor.user else None
    return {pk for pk, officer in claims_fresh(candidates).items() if officer != user_id}


def _officer_hold(rows: dict[int, tuple], candidates: list[int], actor: Actor) -> set[int]:
    # An officer may decide an item in front of them; the operator and the system may not.
    if actor.kind == ActorKind.USER:
        return set()
    return consignment_ids_under_officer_hold({pk: rows[pk][0] for pk in candidates})


# --- Parties remembered after a hold (clearance.models.PartyHold) -------------------------------------------

PARTY_KEYS = (
    "sender_key",
    "sender_mailbox",
    "sender_phone",
    "addressee_key",
    "addressee_mailbox",
    "addressee_phone",
    "addressee_address",
)


def party_keys(row: Mapping[str, Any]) -> dict[str, str]:
    """The keys a party is remembered and found by, from an item's fields (a model's or a values() row).

    A phone shorter than six digits, or an address without a street, is no key: it would match strangers.
    """
    phones = {party: phone_key(row[f"{party}_phone"] or "") for party in ("sender", "addressee")}
    street = re.sub(r"[^a-z0-9]+", " ", (row["addressee_address"] or "").lower()).strip()
    postcode = re.sub(r"\s+", "", row["addressee_postcode"] or "").lower()
    return {
        "sender_key": row["sender_key"] or "",
        "sender_mailbox": email_mailbox(row["sender_email"] or ""),
        "sender_phone": phones["sender"] if len(phones["sender"]) >= 6 else "",
        "addressee_key": row["addressee_key"] or "",
        "addressee_mailbox": email_mailbox(row["addressee_email"] or ""),
        "addressee_phone": phones["addressee"] if len(phones["addressee"]) >= 6 else "",
        "addressee_address": f"{row['addressee_country']}|{postcode}|{street}"[:340] if street else "",
    }


PARTY_FIELDS = (
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
