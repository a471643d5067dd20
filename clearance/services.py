"""Writes of the clearance app: every consignment state change goes through here.

A transition locks the rows, checks each one's state, writes the new state, an
audit entry and (for decisions) the customs response with the operator's next
sequence number, all in one transaction, then enqueues follow-up work on
commit. A row already in the target state is left alone: repeating a
transition has no second effect. A row in any other state is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clearance import transitions as T
from clearance.choices import ConsignmentState
from clearance.holds import PARTY_FIELDS, holds_blocking, party_keys
from clearance.models import Claim, Consignment, Decision, PartyHold, PostalOperator
from clearance.signals import decisions_committed
from clearance.transitions import Hold, Transition
from core.actors import Actor
from core.db import copy_objects, update_rows
from core.exceptions import InvalidTransition
from core.services import audit_entries_create


@dataclass
class TransitionResult:
    """What a batch transition did to each id it was given."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already in the target state
    refused: dict[int, str] = field(default_factory=dict)  # id -> the state that forbids it
    blocked: dict[int, Hold] = field(default_factory=dict)  # id -> the hold that forbids it (clearance.holds)
    missing: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ItemChange:
    """Per-item data that goes with a transition: field values, audit payload, charges."""

    fields: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    charges: dict[str, Any] | None = None


def consignments_transition(
    *,
    transition: Transition,
    consignment_ids: Iterable[int],
    actor: Actor,
    reason: str = "",
    changes: dict[int, ItemChange] | None = None,
    at: datetime | None = None,
) -> TransitionResult:
    """Apply one transition to many consignments at once (batch scoring, bulk release)."""
    changes = changes or {}
    at = at or timezone.now()
    with transaction.atomic():
        result = _lock_and_split(transition, sorted(set(consignment_ids)), actor)
        if result.changed:
            _write_states(transition, result.changed, changes, at)
            _write_audit(transition, result.changed, actor, reason, changes, at)
            if transition.decision:
                _write_decisions(transition, result.changed, actor, reason, changes, at)
    return result


def _lock_and_split(transition: Transition, ids: Sequence[int], actor: Actor) -> TransitionResult:
    result = TransitionResult()
    # Lock in id order, as every batch does, so two batches cannot deadlock.
    locked = Consignment.objects.select_for_update().filter(id__in=ids).order_by("id")
    rows: dict[int, tuple[str, datetime | None, datetime | None, datetime | None]] = {
        pk: (state, exited, delivered, presented)
        for pk, state, exited, delivered, presented in locked.values_list(
            "id", "state", "exited_at", "delivered_at", "presented_at"
        )
    }
    for consignment_id in ids:
        row = rows.get(consignment_id)
        if row is None:
            result.missing.append(consignment_id)
        elif row[0] in transition.sources:
            result.changed.append(consignment_id)
        elif row[0] == transition.target:
            result.unchanged.append(consignment_id)
        else:
            result.refused[consignment_id] = row[0]
    result.blocked = holds_blocking(transition, rows, actor, result.changed)
    if result.blocked:
        result.changed = [pk for pk in result.changed if pk not in result.blocked]
    return result


def _write_states(transition: Transition, ids: list[int], changes: dict[int, ItemChange], at: datetime) -> None:
    common: dict[str, Any] = {"state": transition.target, "state_changed_at": at, "updated_at": at}
    if transition.decision:
        common["decided_at"] = at
    per_item = [(pk, changes[pk].fields) for pk in ids if pk in changes and changes[pk].fields]
    if len(per_item) < len(ids):
        Consignment.objects.filter(id__in=ids).update(**common)
        common = {}
    if not per_item:
        return
    names = sorted({name for _, fields in per_item for name in fields} | set(common))
    # Items of one batch change the same fields (lane, score): one UPDATE … FROM VALUES,
    # which also sets the state when every item has its own fields (each row written once).
    update_rows(Consignment, [(pk, {**common, **fields}) for pk, fields in per_item], names)


def _write_audit(
    transition: Transition,
    ids: list[int],
    actor: Actor,
    reason: str,
    changes: dict[int, ItemChange],
    at: datetime,
) -> None:
    payloads = {}
    for pk in ids:
        change = changes.get(pk)
        payload = {"to": transition.target, "transition": transition.name}
        if change:
            payload.update(change.payload)
        payloads[pk] = payload
    audit_entries_create(
        model=Consignment,
        target_ids=ids,
        action=transition.action,
        actor=actor,
        reason=reason,
        payloads=payloads,
        at=at,
    )


def _write_decisions(
    transition: Transition,
    ids: list[int],
    actor: Actor,
    reason: str,
    changes: dict[int, ItemChange],
    at: datetime,
) -> None:
    by_operator: dict[int, list[int]] = defaultdict(list)
    for pk, operator_id in Consignment.objects.filter(id__in=ids).order_by("id").values_list("id", "operator_id"):
        by_operator[operator_id].append(pk)
    next_sequence = _reserve_sequences({op: len(pks) for op, pks in by_operator.items()})
    decisions = []
    for operator_id, pks in by_operator.items():
        first = next_sequence[operator_id]
        for offset, pk in enumerate(pks):
            change = changes.get(pk)
            decisions.append(
                Decision(
                    operator_id=operator_id,
                    consignment_id=pk,
                    sequence=first + offset,
                    code=transition.decision or "",
                    reason=reason,
                    charges=change.charges if change else None,
                    decided_at=at,
                    decided_by=actor.label,
                )
            )
    copy_objects(decisions)
    operator_ids = sorted(by_operator)
    # robust: the decisions are committed whatever a listener does; the
    # webhook sweep sends what could not be enqueued.
    transaction.on_commit(lambda: _after_decisions(operator_ids), robust=True)


def _reserve_sequences(counts: dict[int, int]) -> dict[int, int]:
    """Reserve `count` response numbers per operator; returns the first of each range.

    The operator row stays locked until this transaction commits, so sequence
    order is commit order and a reader of the feed never skips a number that
    commits later.
    """
    operators = PostalOperator.objects.select_for_update().filter(id__in=counts).order_by("id")
    first: dict[int, int] = {}
    for operator in operators.only("id", "response_sequence"):
        first[operator.id] = operator.response_sequence + 1
        operator.response_sequence += counts[operator.id]
        operator.save(update_fields=["response_sequence"])
    return first


def _after_decisions(operator_ids: list[int]) -> None:
    """Once decisions are committed, say so: the postal app pushes them to the operators' webhooks."""
    decisions_committed.send(sender=__name__, operator_ids=operator_ids)


# --- One consignment at a time (officer actions, payments) -------------------------------


def _transition_one(
    transition: Transition,
    *,
    consignment: Consignment,
    actor: Actor,
    reason: str = "",
    change: ItemChange | None = None,
) -> Consignment:
    result = consignments_transition(
        transition=transition,
        consignment_ids=[consignment.pk],
        actor=actor,
        reason=reason,
        changes={consignment.pk: change} if change else None,
    )
    raise_if_not_applied(transition, result, consignment)
    consignment.refresh_from_db()
    return consignment


def raise_if_not_applied(transition: Transition, result: TransitionResult, consignment: Consignment) -> None:
    """An officer's single action that the state or a hold refused becomes an error saying why."""
    if consignment.pk in result.refused:
        current = ConsignmentState(result.refused[consignment.pk]).label
        raise InvalidTransition(
            f"Item {consignment.item_id} is {current}: it cannot be {transition.action.rsplit('.', 1)[-1]}."
        )
    if consignment.pk in result.blocked:
        raise InvalidTransition(hold_message(consignment, result.blocked[consignment.pk]))
    if consignment.pk in result.missing:
        raise InvalidTransition(f"Item {consignment.item_id} no longer exists.")


def hold_message(consignment: Consignment, hold: Hold) -> str:
    """What an officer reads when a hold refuses a decision."""
    if hold == Hold.CLAIM:
        claim = Claim.objects.filter(consignment_id=consignment.pk).select_related("officer").first()
        who = claim.officer.get_username() if claim else "another officer"
        return f"Item {consignment.item_id} is being worked by {who}: take it over to decide it."
    return {
        Hold.SEIZURE: f"Item {consignment.item_id} has a seizure waiting for a supervisor: it must be confirmed, "
        "rejected or withdrawn first.",
        Hold.OFFICER: f"Item {consignment.item_id} is in front of an officer: only an officer decides it.",
        Hold.DELIVERED: f"Item {consignment.item_id} has left the office of exchange: it can no longer be returned.",
        Hold.PRESENTED: f"Item {consignment.item_id} was presented to customs: its pre-advice stands.",
    }[hold]


def consignment_hold(*, consignment: Consignment, actor: Actor, reason: str = "") -> Consignment:
    """Put an assessed item in the officer's queue (YELLOW or RED lane)."""
    return _transition_one(T.HOLD, consignment=consignment, actor=actor, reason=reason)


def consignment_release(*, consignment: Consignment, actor: Actor, reason: str = "") -> Consignment:
    """Release an item with nothing to pay (green lane, or an officer's release)."""
    return _transition_one(T.RELEASE, consignment=consignment, actor=actor, reason=reason)


def consignment_require_payment(
    *, consignment: Consignment, actor: Actor, charges: dict[str, Any], reason: str = ""
) -> Consignment:
    """Release once the charges are paid: the operator collects or the addressee pays online."""
    change = ItemChange(payload={"charges": charges}, charges=charges)
    return _transition_one(T.REQUIRE_PAYMENT, consignment=consignment, actor=actor, reason=reason, change=change)


def consignment_charges_restate(
    *, consignment: Consignment, actor: Actor, charges: dict[str, Any], reason: str
) -> bool:
    """Tell the operator the new charges of an item awaiting payment, when a correction changed them.

    The item stays CHARGES_DUE; the operator gets a new RELEASE_CHARGES_DUE
    response with the next sequence number (feed and webhook), so what it
    collects is what customs assessed. Charges equal to the last ones sent make
    no response. Returns whether a response was made.
    """
    with transaction.atomic():
        state = Consignment.objects.select_for_update().values_list("state", flat=True).get(pk=consignment.pk)
        if state != ConsignmentState.CHARGES_DUE:
            raise InvalidTransition(f"Item {consignment.item_id} is not awaiting payment: its charges stand.")
        last = (
            Decision.objects.filter(consignment_id=consignment.pk, code=T.REQUIRE_PAYMENT.decision)
            .order_by("-sequence")
            .values_list("charges", flat=True)
            .first()
        )
        if last == charges:
            return False
        at = timezone.now()
        audit_entries_create(
            model=Consignment,
            target_ids=[consignment.pk],
            action="clearance.consignment.charges_restated",
            actor=actor,
            reason=reason,
            payloads={consignment.pk: {"before": last, "after": charges}},
            at=at,
        )
        _write_decisions(
            T.REQUIRE_PAYMENT, [consignment.pk], actor, reason, {consignment.pk: ItemChange(charges=charges)}, at
        )
        return True


def consignment_release_nothing_due(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """Release an item awaiting payment whose charges were corrected to nothing.

    The operator's RELEASE_NO_CHARGE response supersedes its earlier
    RELEASE_CHARGES_DUE: nothing is to be collected.
    """
    return _transition_one(T.RELEASE_NOTHING_DUE, consignment=consignment, actor=actor, reason=reason)


def consignment_request_info(*, consignment: Consignment, actor: Actor, question: str) -> Consignment:
    """Ask the operator and the addressee for information (invoice, licence, …)."""
    return _transition_one(T.REQUEST_INFO, consignment=consignment, actor=actor, reason=question)


def consignment_answer_info(*, consignment: Consignment, actor: Actor, answer: str) -> Consignment:
    """Record the answer: the item goes back to the officer's queue."""
    return _transition_one(T.ANSWER_INFO, consignment=consignment, actor=actor, reason=answer)


def consignment_info_lapsed(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """No answer came by the deadline: the item is back in the officer's queue."""
    return _transition_one(T.INFO_LAPSED, consignment=consignment, actor=actor, reason=reason)


def consignment_seize(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """Seize an item (prohibited goods, counterfeits)."""
    return _transition_one(T.SEIZE, consignment=consignment, actor=actor, reason=reason)


def consignment_return_to_sender(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """Send an item back: refused entry, or charges unpaid past the storage period."""
    return _transition_one(T.RETURN_TO_SENDER, consignment=consignment, actor=actor, reason=reason)


def consignment_refer(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """Hand an item to another agency (health, agriculture, police)."""
    return _transition_one(T.REFER, consignment=consignment, actor=actor, reason=reason)


def consignment_referral_answered(*, consignment: Consignment, actor: Actor, reason: str) -> Consignment:
    """The agency an item was referred to decided: the item is back in customs' queue."""
    return _transition_one(T.REFERRAL_ANSWERED, consignment=consignment, actor=actor, reason=reason)


# --- Parties remembered after a hold ---------------------------------------------------------------------


def party_holds_record(*, consignment_ids: Iterable[int], kind: str) -> int:
    """Remember the sender and addressee of these items for OPENCLEAR_HOLD_MEMORY_DAYS; once per item and kind.

    Their next parcels, through any operator, go to an officer (risk.memory).
    Returns how many were newly remembered.
    """
    ids = sorted(set(consignment_ids))
    if not ids:
        return 0
    now = timezone.now()
    until = now + timedelta(days=settings.OPENCLEAR_HOLD_MEMORY_DAYS)
    rows = Consignment.objects.filter(pk__in=ids).values("pk", "item_id", *PARTY_FIELDS)
    created = PartyHold.objects.bulk_create(
        [
            PartyHold(
                consignment_id=row["pk"],
                item_id=row["item_id"],
                kind=kind,
                recorded_at=now,
                until=until,
                **party_keys(row),
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    return len(created)
