"""Four eyes on money: giving up charges above a threshold waits for a second officer.

A correction or an upheld case is first tried inside a savepoint; what the
item owes before and after (its current assessment less what was written
off) gives what it would give up. At or above the threshold
(MoneyApprovalThreshold: an amount, or a share of the charges) the savepoint
is rolled back and a MoneyApproval waits in the officers' queue, showing the
difference and who asked. Another officer or a supervisor approves it, and it
is applied as asked if the item still owes what it did; or rejects it, and
nothing changes. Seizures and rules have their own four eyes; this is the
same rule for money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from clearance.models import Consignment
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.services import audit_entries_create
from payments.choices import MoneyApprovalState
from payments.models import Assessment, ChargeWriteOff, MoneyApproval, MoneyApprovalThreshold

ZERO = Decimal("0")


class ApprovalRequested(ApplicationError):
    """The change gives up charges above the threshold: it waits for a second officer (nothing changed yet)."""

    code = "APPROVAL_REQUESTED"

    def __init__(self, approval: MoneyApproval) -> None:
        super().__init__(
            f"This gives up {approval.difference} {approval.currency} of charges: it waits for a second officer's "
            "approval, and nothing changes until then."
        )
        self.approval = approval


class NeedsSecondOfficer(Exception):
    def __init__(self, before: Decimal, after: Decimal, currency: str) -> None:
        self.before, self.after, self.currency = before, after, currency


def owed(consignment_id: int) -> tuple[Decimal, str]:
    """What the item owes by its current assessment less what was written off, and the currency."""
    current = (
        Assessment.objects.filter(consignment_id=consignment_id, is_current=True)
        .values_list("total", "currency")
        .first()
    )
    if current is None:
        return ZERO, ""
    written = ChargeWriteOff.objects.filter(consignment_id=consignment_id).aggregate(total=Sum("amount"))["total"]
    return max(current[0] - (written or ZERO), ZERO), current[1]


def needs_second_officer(*, before: Decimal, after: Decimal, currency: str) -> bool:
    given_up = before - after
    if given_up <= 0:
        return False
    threshold = (
        MoneyApprovalThreshold.objects.filter(currency=currency).first()
        or MoneyApprovalThreshold.objects.filter(currency="").first()
    )
    if threshold is None:
        return True
    return given_up >= threshold.amount or (before > 0 and given_up >= threshold.share * before)


def gate(*, consignment_id: int, before: Decimal, approval: MoneyApproval | None) -> None:
    """Inside the savepoint of a change, after it: raise NeedsSecondOfficer when it gives up too much unapproved.

    With an approval, the change must give up what was approved, no more.
    """
    after, currency = owed(consignment_id)
    if approval is not None:
        if (approval.consignment_id, approval.before, approval.after) != (consignment_id, before, after):
            raise InvalidTransition(
                "The item's charges changed since this was asked: it cannot be applied as approved; ask again."
            )
        return
    if needs_second_officer(before=before, after=after, currency=currency):
        raise NeedsSecondOfficer(before, after, currency)


def approval_request(
    *,
    kind: str,
    consignment: Consignment,
    officer: User,
    need: NeedsSecondOfficer,
    payload: dict[str, Any],
    reason: str,
    case_id: int | None = None,
) -> ApprovalRequested:
    """Record the change for a second officer; returns the error that tells the first one so."""
    try:
        with transaction.atomic():
            approval = MoneyApproval.objects.create(
                kind=kind,
                consignment=consignment,
                case_id=case_id,
                payload=payload,
                currency=need.currency,
                before=need.before,
                after=need.after,
                requested_by=officer,
                reason=reason[:4000],
            )
            _audit(approval, "requested", Actor.for_user(officer), reason)
    except IntegrityError:
        raise InvalidTransition(
            "Another change of this item's charges already waits for a second officer: it is decided first."
        ) from None
    return ApprovalRequested(approval)


def approval_lock(*, approval: MoneyApproval, officer: User) -> MoneyApproval:
    """The pending approval, locked, if this officer may decide it (not the one who asked)."""
    if not officer.is_officer:
        raise PermissionDenied("Only customs officers approve changes of charges.")
    locked = MoneyApproval.objects.select_for_update().get(pk=approval.pk)
    if locked.state != MoneyApprovalState.PENDING:
        raise InvalidTransition(f"This was {locked.get_state_display().lower()} already.")
    if locked.requested_by_id == officer.pk:
        raise PermissionDenied(
            "A change that gives up charges is approved by someone other than who asked (four eyes)."
        )
    return locked


def approval_close(*, approval: MoneyApproval, officer: User, state: str, reason: str = "") -> None:
    approval.state, approval.decided_by, approval.decided_at = state, officer, timezone.now()
    approval.decision_reason = reason[:4000]
    approval.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "updated_at"])
    _audit(approval, state.lower(), Actor.for_user(officer), reason)


def _audit(approval: MoneyApproval, step: str, actor: Actor, reason: str) -> None:
    audit_entries_create(
        model=Consignment,
        target_ids=[approval.consignment_id],
        action=f"payments.money_approval.{step}",
        actor=actor,
        reason=reason[:500],
        payloads={
            approval.consignment_id: {
                "approval": approval.pk,
                "kind": approval.kind,
                "before": str(approval.before),
                "after": str(approval.after),
                "currency": approval.currency,
                "requestedBy": approval.requested_by.get_username(),
            }
        },
    )
