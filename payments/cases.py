"""Cases about an item's charges: a dispute before payment, a refund claim after it, an appeal of a rejection.

One workflow for all three (WCO E-Commerce FoS: a way to contest and be
refunded). A payer opens a case from the portal, a trader from their account,
an operator through the API. Each has a deadline by which customs answers
(OPENCLEAR_CASE_DAYS, per kind) and shows in the officers' case queue by age.
Upholding corrects the charges through the same service as an officer's
correction (payments.assessment.consignment_line_correct) and refunds what was
paid too much through the payment provider; rejecting states why and how to
appeal. The payer is told by e-mail at each step, in the language they wrote
in. An item is not returned while a case about it is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.normalize import text_key
from core.services import audit_entries_create
from payments import approvals, enqueue, ledger
from payments.assessment import consignment_charges_corrected, consignment_line_correct
from payments.choices import (
    CaseChannel,
    CaseGrounds,
    CaseKind,
    CaseState,
    MoneyApprovalKind,
    PaymentState,
    WriteOffKind,
)
from payments.models import Assessment, AssessmentLine, Case, ChargeWriteOff, MoneyApproval, Payment, Refund
from payments.services import refund_from_ledger

# States of an item whose charges were paid through the portal: a refund claim is about them.
PAID_STATES = frozenset({ConsignmentState.PAID, ConsignmentState.RELEASED, ConsignmentState.RETURNED})


@dataclass(frozen=True)
class LineFix:
    """An officer's correction of one line, given when upholding a case."""

    position: int
    hs_code: str
    value: Decimal


def case_deadline(kind: str, opened_at=None):
    days = settings.OPENCLEAR_CASE_DAYS[kind]
    return (opened_at or timezone.now()) + timedelta(days=days)


CASE_SALT = "openclear.payments.case"


def case_token(case: Case) -> str:
    """The payer's link to their case: signed, so a case number alone opens nothing."""
    return signing.dumps(case.pk, salt=CASE_SALT)


def case_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=CASE_SALT, max_age=timedelta(days=settings.OPENCLEAR_CASE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def case_link(case: Case) -> str:
    return settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:case", args=[case_token(case)])


def appeal_closes_at(case: Case):
    """The last moment a rejected case can be appealed."""
    return (case.resolved_at or timezone.now()) + timedelta(days=settings.OPENCLEAR_APPEAL_DAYS)


def case_appealable(case: Case) -> bool:
    """A rejected dispute or refund claim, not yet appealed, within the time to appeal."""
    return (
        case.state == CaseState.REJECTED
        and case.kind != CaseKind.APPEAL
        and not Case.objects.filter(appeal_of=case).exists()
        and timezone.now() <= appeal_closes_at(case)
    )


def case_open(
    *,
    consignment: Consignment,
    grounds: str,
    reason: str,
    channel: str = CaseChannel.PORTAL,
    line: AssessmentLine | None = None,
    contact_email: str = "",
    language: str = "en",
    appeal_of: Case | None = None,
) -> Case:
    """Open a case; its kind follows from the item: charges still due are disputed, paid ones claimed back.

    An open case of the item is returned as it is (a second click, a retry):
    one case at a time per item.
    """
    reason = reason.strip()
    if not text_key(reason):
        raise ApplicationError("Say what is wrong with the charges.")
    if grounds not in CaseGrounds.values:
        raise ApplicationError("Choose the grounds of the case.")
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        locked = Consignment.objects.select_for_update().get(pk=consignment.pk)
        existing = Case.objects.filter(consignment=locked, state=CaseState.OPEN).first()
        if existing:
            return existing
        kind, payment = _kind_of(locked, appeal_of)
        if appeal_of is None:
            _require_new_grounds(locked, kind)
        assessment = Assessment.objects.filter(consignment=locked, is_current=True).first()
        if assessment is None:
            raise InvalidTransition("This parcel has no charges to contest.")
        if line is not None and line.assessment_id != assessment.pk:
            raise ApplicationError("That line is not part of the current assessment.")
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    kind=kind,
                    grounds=grounds,
                    channel=channel,
                    consignment=locked,
                    assessment=assessment,
                    line=line,
                    payment=payment,
                    appeal_of=appeal_of,
                    reason=reason[:4000],
                    contact_email=(contact_email or locked.addressee_email)[:254],
                    language=language,
                    deadline=case_deadline(kind),
                )
        except IntegrityError:  # the rejected case was appealed already
            raise InvalidTransition("This decision was appealed already.") from None
        _audit(case, "opened", Actor.system(f"cases.{channel.lower()}"), reason[:500])
        transaction.on_commit(lambda: enqueue.case_mail(case.pk, "opened"), robust=True)
    return case


# Cases an item may have (appeals aside): each open one keeps the item from being returned unpaid.
CASES_PER_ITEM = 3


def _require_new_grounds(consignment: Consignment, kind: str) -> None:
    """A rejected case is appealed, not opened again; and an item's cases cannot go on for ever."""
    earlier = Case.objects.filter(consignment=consignment).exclude(kind=CaseKind.APPEAL)
    if earlier.filter(kind=kind, state=CaseState.REJECTED).exists():
        raise InvalidTransition("A case like this one was rejected already: appeal that decision instead.")
    if earlier.count() >= CASES_PER_ITEM:
        raise InvalidTransition("This parcel's charges were contested often enough: customs' answers stand.")


def _kind_of(consignment: Consignment, appeal_of: Case | None) -> tuple[str, Payment | None]:
    payment = _payment_of(consignment)
    if appeal_of is not None:
        if appeal_of.consignment_id != consignment.pk or appeal_of.state != CaseState.REJECTED:
            raise InvalidTransition("Only a rejected case of this parcel can be appealed.")
        if appeal_of.kind == CaseKind.APPEAL:
            raise InvalidTransition("An appeal was already decided: customs' answer on appeal is final.")
        if timezone.now() > appeal_closes_at(appeal_of):
            raise InvalidTransition("The time to appeal this decision has run out.")
        return CaseKind.APPEAL, payment
    if consignment.state == ConsignmentState.CHARGES_DUE:
        return CaseKind.DISPUTE, None
    if consignment.state in PAID_STATES and payment is not None:
        return CaseKind.REFUND, payment
    raise InvalidTransition("This parcel has no charges due or paid through this portal to contest.")


def _payment_of(consignment: Consignment) -> Payment | None:
    return (
        Payment.objects.filter(items__consignment=consignment, state=PaymentState.SUCCEEDED)
        .order_by("-paid_at")
        .first()
    )


def case_uphold(
    *,
    case: Case,
    officer: User,
    resolution: str,
    fix: LineFix | None = None,
    approval: MoneyApproval | None = None,
) -> Case:
    """Uphold a case: correct the charges (a dispute) or refund what was paid too much (a refund claim).

    With a line corrected, the item is assessed again through the officer's
    correction service; an item still awaiting payment is then asked for the
    new amount (or released when nothing is due), a paid one refunded the
    difference. Without a correction, a refund claim is refunded in full
    (goods returned, never delivered, charged twice): what the item owes is
    written off. Giving up charges above the threshold raises
    approvals.ApprovalRequested and changes nothing until a second officer
    approves (`approval`, given when applying it).
    """
    _require_officer(officer)
    resolution = _require_text(resolution, "Say what was decided: the payer reads it.")
    actor = Actor.for_user(officer)
    try:
        with transaction.atomic():
            case = _uphold(case, officer, resolution, fix, approval, actor)
    except approvals.NeedsSecondOfficer as need:
        payload = {"case": case.pk, "resolution": resolution, "fix": _fix_json(fix)}
        raise approvals.approval_request(
            kind=MoneyApprovalKind.CASE,
            consignment=case.consignment,
            officer=officer,
            need=need,
            payload=payload,
            reason=resolution,
            case_id=case.pk,
        ) from None
    return case


def _uphold(
    case: Case, officer: User, resolution: str, fix: LineFix | None, approval: MoneyApproval | None, actor: Actor
) -> Case:
    case = _open_case(case, officer)
    consignment = Consignment.objects.select_for_update().get(pk=case.consignment_id)
    if case.payment_id is None and consignment.state != ConsignmentState.CHARGES_DUE:
        case.payment = _payment_of(consignment)  # a dispute whose charges were paid meanwhile: refunded if upheld
    before, _ = approvals.owed(consignment.pk)
    corrected = None
    if fix is not None:
        corrected = consignment_line_correct(
            consignment=consignment,
            officer=officer,
            position=fix.position,
            hs_code=fix.hs_code,
            value=fix.value,
            reason=f"Case {case.pk} upheld: {resolution}",
        )
    if consignment.state == ConsignmentState.CHARGES_DUE:
        if corrected is None:
            raise ApplicationError("Give the corrected line: upholding a dispute corrects the charges.")
        approvals.gate(consignment_id=consignment.pk, before=before, approval=approval)
        consignment_charges_corrected(consignment=consignment, assessment=corrected, actor=actor, reason=resolution)
    elif case.payment_id is not None:
        _write_off_unless_corrected(case, corrected, resolution, actor)
        approvals.gate(consignment_id=consignment.pk, before=before, approval=approval)
        _refund_overpaid(case, corrected, resolution, actor)
    else:
        raise InvalidTransition("Nothing was paid through the portal for this parcel: there is nothing to refund.")
    _close(case, CaseState.UPHELD, officer, resolution, corrected)
    if case.payment_id is not None:
        case.save(update_fields=["payment", "updated_at"])
    _audit(case, "upheld", actor, resolution, approval)
    transaction.on_commit(lambda: enqueue.case_mail(case.pk, "upheld"), robust=True)
    return case


def _fix_json(fix: LineFix | None) -> dict[str, str | int] | None:
    if fix is None:
        return None
    return {"position": fix.position, "hsCode": fix.hs_code, "value": str(fix.value)}


def fix_from_json(data: dict[str, Any] | None) -> LineFix | None:
    if not data:
        return None
    return LineFix(position=int(data["position"]), hs_code=str(data["hsCode"]), value=Decimal(str(data["value"])))


def case_reject(*, case: Case, officer: User, resolution: str) -> Case:
    """Reject a case: the charges stand; the payer is told why and how to appeal (or that the appeal is final)."""
    _require_officer(officer)
    resolution = _require_text(resolution, "Say why the case is rejected: the payer reads it.")
    with transaction.atomic():
        case = _open_case(case, officer)
        _close(case, CaseState.REJECTED, officer, resolution, None)
        _audit(case, "rejected", Actor.for_user(officer), resolution)
        transaction.on_commit(lambda: enqueue.case_mail(case.pk, "rejected"), robust=True)
    return case


def _write_off_unless_corrected(case: Case, corrected: Assessment | None, resolution: str, actor: Actor) -> None:
    """Upheld without a corrected line (goods returned, never delivered, charged twice): nothing is owed."""
    if corrected is not None:
        return
    account = ledger.item_ledger(consignment=case.consignment_id)
    if account.owed > 0:
        ChargeWriteOff.objects.create(
            consignment_id=case.consignment_id,
            kind=WriteOffKind.CASE_UPHELD,
            amount=account.owed,
            currency=account.currency,
            reason=f"Case {case.pk} upheld: {resolution}"[:300],
            case=case,
            created_by=actor.label,
        )


def _refund_overpaid(case: Case, corrected: Assessment | None, resolution: str, actor: Actor) -> Refund:
    """Refund what the item's ledger says was paid beyond what it now owes.

    The refund is computed from the ledger, so a case upheld after another,
    or after a return, never pays back twice.
    """
    payment = case.payment
    if payment is not None and corrected is not None and corrected.currency != payment.currency:
        raise ApplicationError("The corrected charges are in another currency than the payment: refund it by hand.")
    reason = f"Case {case.pk} upheld: {resolution}"[:300]
    refunds = refund_from_ledger(consignment=case.consignment, reason=reason, actor=actor, case=case)
    if not refunds:
        raise ApplicationError("Nothing paid for this parcel is left to refund: it was refunded already.")
    return refunds[0]


def _open_case(case: Case, officer: User) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("payment", "appeal_of").get(pk=case.pk)
    if case.state != CaseState.OPEN:
        raise InvalidTransition(f"This case was already {case.get_state_display().lower()}.")
    if case.appeal_of is not None and case.appeal_of.resolved_by_id == officer.pk:
        raise PermissionDenied("An appeal is decided by another officer than the one who rejected the case.")
    return case


def _close(case: Case, state: str, officer: User, resolution: str, corrected: Assessment | None) -> None:
    case.state, case.resolution, case.resolved_by, case.resolved_at = state, resolution, officer, timezone.now()
    case.corrected_assessment = corrected
    case.save(update_fields=["state", "resolution", "resolved_by", "resolved_at", "corrected_assessment", "updated_at"])


def _audit(case: Case, step: str, actor: Actor, reason: str, approval: MoneyApproval | None = None) -> None:
    payload: dict[str, Any] = {"case": case.pk, "kind": case.kind, "state": case.state}
    if approval is not None:
        payload |= {
            "approval": approval.pk,
            "approvedBy": approval.decided_by.get_username() if approval.decided_by else "",
        }
    audit_entries_create(
        model=Consignment,
        target_ids=[case.consignment_id],
        action=f"payments.case.{step}",
        actor=actor,
        reason=reason,
        payloads={case.consignment_id: payload},
    )


def _require_officer(user: User) -> None:
    if not user.is_officer:
        raise PermissionDenied("Only customs officers answer cases.")


def _require_text(text: str, message: str) -> str:
    text = text.strip()
    if not text_key(text):
        raise ApplicationError(message)
    return text
