"""Goods returned to the sender after their charges were paid: relief and refund, or a case for an officer.

Duty and VAT are relieved on goods re-exported (WCO E-Commerce FoS, Standard
7), and only on those: the operator's return event (EDX) refunds on its own
only when the item's events show goods that arrived at the office of exchange,
never went out for delivery (no EMF before the return) and were never
delivered (no EMI), returned through the office they arrived at or another
office of exchange customs knows. Anything else (delivered then "returned",
never arrived, returned elsewhere) becomes a refund case an officer answers.

The relief is a write-off in the item's ledger and the refund is what the
ledger then says is refundable, so a return after a case upheld in full, or
a second return event, pays nothing back again. Fees pay for work customs did
and are kept. Items paid at the door or by a prepaid collector are settled
with that collector, not through the provider.
"""

from __future__ import annotations

from django.db import transaction

from clearance.choices import EventCode
from clearance.models import Consignment, ConsignmentEvent, Office
from core.actors import Actor
from core.exceptions import ApplicationError
from core.services import audit_entries_create
from payments import ledger
from payments.cases import case_open
from payments.choices import CaseChannel, CaseGrounds, RefundState, WriteOffKind
from payments.models import Assessment, Case, ChargeWriteOff
from payments.services import refund_from_ledger

RETURNS_ACTOR = Actor.system("payments.returns")
RELIEF_REASON = "Goods returned to the sender through the office of exchange: duty and VAT relieved."


def consignments_refund_returned(*, consignment_ids: list[int]) -> int:
    """Relieve and refund returned goods, each once; returns how many items were refunded."""
    refunded = 0
    for pk in sorted(set(consignment_ids)):
        with transaction.atomic():
            refunded += _refund_returned_one(pk)
    return refunded


def _refund_returned_one(pk: int) -> int:
    consignment = Consignment.objects.select_for_update().filter(pk=pk).first()
    if consignment is None:
        return 0
    events = list(ConsignmentEvent.objects.filter(consignment=consignment).order_by("occurred_at", "id"))
    returns = [event for event in events if event.code == EventCode.EDX]
    if not returns:
        return 0
    relieved = ChargeWriteOff.objects.filter(consignment=consignment, kind=WriteOffKind.RETURN_RELIEF).exists()
    if not relieved:
        account = ledger.item_ledger(consignment=consignment)
        if account.settled <= 0:
            return 0  # nothing was paid: nothing to relieve or refund
        problem = return_problem(consignment, events, returns[0])
        if problem:
            _case_for_officer(consignment, problem)
            return 0
        _relieve(consignment, account)
    refunds = refund_from_ledger(consignment=consignment, reason=RELIEF_REASON, actor=RETURNS_ACTOR)
    return int(any(refund.state == RefundState.SUCCEEDED for refund in refunds))


def return_problem(consignment: Consignment, events: list[ConsignmentEvent], returned: ConsignmentEvent) -> str:
    """Why the events do not show goods that left through the office of exchange as returned; empty if they do."""
    if consignment.delivered_at is not None or any(e.code == EventCode.EMI for e in events):
        return "The operator reported the goods delivered: a return after delivery is not a re-export."
    arrivals = [e for e in events if e.code == EventCode.EMD and e.occurred_at <= returned.occurred_at]
    if not arrivals:
        return "The goods were returned without having arrived at the office of exchange."
    if any(e.code == EventCode.EMF and e.occurred_at <= returned.occurred_at for e in events):
        return "The goods left the office of exchange for delivery before they were returned."
    offices = {e.office_code for e in arrivals}
    if returned.office_code not in offices and not Office.objects.filter(code=returned.office_code).exists():
        return f"The goods were returned through {returned.office_code or 'no office'}, not an office of exchange."
    return ""


def _relieve(consignment: Consignment, account: ledger.ItemLedger) -> None:
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    amount = min(assessment.duty + assessment.vat, account.owed)
    if amount <= 0:
        return
    ChargeWriteOff.objects.create(
        consignment=consignment,
        kind=WriteOffKind.RETURN_RELIEF,
        amount=amount,
        currency=assessment.currency,
        reason=RELIEF_REASON,
        created_by=RETURNS_ACTOR.label,
    )
    audit_entries_create(
        model=Consignment,
        target_ids=[consignment.pk],
        action="payments.charges.relieved",
        actor=RETURNS_ACTOR,
        reason=RELIEF_REASON,
        payloads={consignment.pk: {"amount": str(amount), "currency": assessment.currency}},
    )


def _case_for_officer(consignment: Consignment, problem: str) -> None:
    """The return cannot be refunded on its own: an officer decides, once per item."""
    if Case.objects.filter(consignment=consignment, grounds=CaseGrounds.RETURNED).exists():
        return
    try:
        case_open(
            consignment=consignment,
            grounds=CaseGrounds.RETURNED,
            reason=f"Return reported by the operator, not refunded automatically. {problem}",
            channel=CaseChannel.OPERATOR,
        )
    except ApplicationError as exc:  # settled with a collector, not through the portal: no refund case
        audit_entries_create(
            model=Consignment,
            target_ids=[consignment.pk],
            action="payments.return.not_relieved",
            actor=RETURNS_ACTOR,
            reason=f"{problem} {exc}",
            payloads={consignment.pk: {"problem": problem}},
        )
