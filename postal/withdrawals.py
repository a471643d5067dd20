"""Withdrawn pre-advice: an operator takes back what it announced, before the goods are presented.

An order cancelled or a parcel re-labelled leaves a pre-advice for goods that
will never come. Withdrawing it applies clearance's WITHDRAW transition (the
row locked, an audit entry, a WITHDRAWN customs response on the operator's
feed and webhook; a held item leaves the officer's queue) and deletes the
item's ItemKey in the same transaction. The (operator, S10 id) pair is thus
unique among live items only: the same S10 id sent later is a new pre-advice,
and the operator's events and reads find the new item. The withdrawn item
keeps its versions, decisions and audit trail.

An item an officer has had in hand (held, information asked, corrected) may be
withdrawn before its goods arrive (the order may truly be cancelled), but its
sender and addressee are remembered as after a return, and its item id sent
again goes to an officer (risk.memory): taking a parcel back and announcing it
anew never takes it out of customs control.

Refused once the goods are presented (or gone from the office), once they
arrived while an officer holds the item, once customs took a final decision or
the charges were paid, while a seizure waits for a supervisor, and for an item
that arrived without pre-advice and has none yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_noop

from clearance import transitions as T
from clearance.choices import FINAL_STATES, ConsignmentState
from clearance.holds import consignment_ids_under_officer_hold
from clearance.models import Consignment, ItemKey, PartyHold, PostalOperator
from clearance.selectors import consignment_ids_by_item
from clearance.services import ItemChange, TransitionResult, consignments_transition, party_holds_record
from clearance.transitions import Hold
from core.actors import Actor
from postal.choices import ItemStatus, WithdrawalReason

# The reason as the audit trail and the customs response carry it; officer.audit_text shows it translated.
REASON_SENTENCES = {
    WithdrawalReason.ORDER_CANCELLED: gettext_noop("Pre-advice withdrawn by the operator: the order was cancelled."),
    WithdrawalReason.RELABELLED: gettext_noop(
        "Pre-advice withdrawn by the operator: the parcel was re-labelled under another item id."
    ),
    WithdrawalReason.NOT_SHIPPED: gettext_noop("Pre-advice withdrawn by the operator: the parcel was not shipped."),
    WithdrawalReason.SENT_IN_ERROR: gettext_noop("Pre-advice withdrawn by the operator: it was sent in error."),
    WithdrawalReason.OTHER: gettext_noop("Pre-advice withdrawn by the operator."),
}
UNKNOWN_ITEM = {"field": "itemId", "code": "unknown_item", "message": "No pre-advice of yours has this itemId."}
ARRIVED = {
    "field": "itemId",
    "code": "arrived",
    "message": "The goods have arrived at the office of exchange and customs holds them: "
    "their pre-advice can no longer be withdrawn.",
}
NO_PRE_ADVICE = {
    "field": "itemId",
    "code": "no_pre_advice",
    "message": "The item arrived without pre-advice and customs holds it: there is no pre-advice to withdraw.",
}


@dataclass
class WithdrawalOutcome:
    item_id: str
    status: str  # ItemStatus: WITHDRAWN, DUPLICATE (withdrawn before) or REJECTED
    errors: list[dict[str, str]]
    withdrawn_at: datetime | None = None


@transaction.atomic
def consignments_withdraw(*, operator: PostalOperator, withdrawals: list[dict[str, str]]) -> list[WithdrawalOutcome]:
    """Withdraw the operator's validated withdrawals ({itemId, reason}); one outcome per entry, in order.

    An item id given twice in one batch is withdrawn once, the second entry a DUPLICATE.
    """
    live = consignment_ids_by_item(operator_id=operator.pk, item_ids=(w["itemId"] for w in withdrawals))
    # Lock every row first, in id order as every batch does, then withdraw one reason at a time.
    rows = {
        pk: (version, state, arrived)
        for pk, version, state, arrived in Consignment.objects.select_for_update()
        .filter(pk__in=live.values())
        .order_by("pk")
        .values_list("pk", "version", "state", "arrived_at")
    }
    # Held, information asked, ever in the queue or corrected: what an officer has had in hand.
    held = consignment_ids_under_officer_hold({pk: state for pk, (_, state, _) in rows.items()})
    # An item that arrived unannounced has no pre-advice yet: the goods are at customs, nothing to withdraw;
    # goods that arrived while an officer holds them stay in customs' hands, pre-advice attached or not.
    refusals = {
        pk: NO_PRE_ADVICE if version == 0 else ARRIVED
        for pk, (version, _, arrived) in rows.items()
        if version == 0 or (arrived is not None and pk in held)
    }
    reasons: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for withdrawal in withdrawals:
        pk = live.get(withdrawal["itemId"])
        if pk is not None and pk not in refusals and withdrawal["itemId"] not in seen:
            reasons[withdrawal["reason"]].append(pk)
        seen.add(withdrawal["itemId"])
    actor = Actor.for_operator(operator.code)
    results = [_withdraw(pks, reason, actor) for reason, pks in reasons.items()]
    changed = [pk for result in results for pk in result.changed]
    ItemKey.objects.filter(consignment_id__in=changed).delete()
    # A withdrawal never lifts a hold: the parties, and the item id sent again, go to an officer (risk.memory).
    party_holds_record(consignment_ids=[pk for pk in changed if pk in held], kind=PartyHold.Kind.WITHDRAWN)
    refusals |= {pk: _refusal(pk, result) for result in results for pk in (*result.refused, *result.blocked)}
    earlier = _withdrawn_before(operator, [w["itemId"] for w in withdrawals if w["itemId"] not in live])
    stamps = dict(Consignment.objects.filter(pk__in=changed).values_list("pk", "state_changed_at"))
    outcomes, done = [], set()
    for withdrawal in withdrawals:
        item_id = withdrawal["itemId"]
        pk = live.get(item_id)
        if pk in refusals:
            outcomes.append(WithdrawalOutcome(item_id, ItemStatus.REJECTED, [refusals[pk]]))
        elif pk is not None and item_id not in done:
            outcomes.append(WithdrawalOutcome(item_id, ItemStatus.WITHDRAWN, [], stamps[pk]))
        elif pk is not None:
            outcomes.append(WithdrawalOutcome(item_id, ItemStatus.DUPLICATE, [], stamps[pk]))
        elif item_id in earlier:
            outcomes.append(WithdrawalOutcome(item_id, ItemStatus.DUPLICATE, [], earlier[item_id]))
        else:
            outcomes.append(WithdrawalOutcome(item_id, ItemStatus.REJECTED, [UNKNOWN_ITEM]))
        done.add(item_id)
    return outcomes


def _withdraw(pks: list[int], reason: str, actor: Actor) -> TransitionResult:
    return consignments_transition(
        transition=T.WITHDRAW,
        consignment_ids=pks,
        actor=actor,
        reason=REASON_SENTENCES[WithdrawalReason(reason)],
        changes={pk: ItemChange(payload={"reasonCode": reason}) for pk in pks},
    )


def _withdrawn_before(operator: PostalOperator, item_ids: list[str]) -> dict[str, datetime]:
    """{item id: when} for the operator's items withdrawn earlier and not pre-advised again."""
    if not item_ids:
        return {}
    rows = Consignment.objects.filter(
        operator=operator, item_id__in=set(item_ids), state=ConsignmentState.WITHDRAWN
    ).values_list("item_id", "state_changed_at")
    latest: dict[str, datetime] = {}
    for item_id, at in rows:
        latest[item_id] = max(at, latest.get(item_id, at))
    return latest


def _refusal(pk: int, result: TransitionResult) -> dict[str, str]:
    """The error an operator reads when its withdrawal is refused."""
    if pk in result.blocked:
        return {
            Hold.PRESENTED: _error(
                "already_presented", "The item was presented to customs: its pre-advice can no longer be withdrawn."
            ),
            Hold.DELIVERED: _error(
                "left_office", "The item has left the office of exchange: its pre-advice can no longer be withdrawn."
            ),
        }.get(
            result.blocked[pk],
            _error("under_customs_control", "The item is under customs control: its pre-advice cannot be withdrawn."),
        )
    state = result.refused[pk]
    if state in FINAL_STATES:
        label = ConsignmentState(state).label
        return _error("final_decision", f"Customs has decided ({label}): the pre-advice can no longer be withdrawn.")
    return _error("charges_paid", "The charges were paid: the pre-advice can no longer be withdrawn.")


def _error(code: str, message: str) -> dict[str, str]:
    return {"field": "itemId", "code": code, "message": message}
