"""Writes of the officer dashboard: claiming items and the decisions an officer takes.

Every decision goes through the transitions of clearance.services (row lock,
state check, audit entry, customs response). Seizure needs two people: an
officer proposes it, a different supervisor confirms it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clearance import services as clearance_services
from clearance.choices import ConsignmentState
from clearance.models import Claim, Consignment, ContentLine, InformationRequest, SeizureRequest
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.services import audit_entries_create

HELD = ConsignmentState.HELD


def _require_officer(user: User) -> None:
    if not user.is_officer:
        raise PermissionDenied("Only customs officers take decisions on items.")


def _require_supervisor(user: User, action: str) -> None:
    if not user.is_supervisor:
        raise PermissionDenied(f"Only a supervisor can {action}.")


def claim_expiry() -> timedelta:
    return timedelta(minutes=settings.OPENCLEAR_CLAIM_MINUTES)


# --- Claims -----------------------------------------------------------------------------------


def consignment_claim(*, consignment: Consignment, officer: User) -> Claim:
    """Take an item; refused while another officer's claim is fresh."""
    _require_officer(officer)
    with transaction.atomic():
        locked = Consignment.objects.select_for_update().get(pk=consignment.pk)
        claim = Claim.objects.filter(consignment=locked).select_related("officer").first()
        if claim and claim.officer_id != officer.pk and claim.claimed_at > timezone.now() - claim_expiry():
            raise InvalidTransition(f"Item {locked.item_id} is being worked by {claim.officer.get_username()}.")
        claim, _ = Claim.objects.update_or_create(
            consignment=locked, defaults={"officer": officer, "claimed_at": timezone.now()}
        )
    return claim


def consignment_claim_next(*, officer: User, queryset) -> Consignment | None:
    """Claim the first item of the officer's queue that nobody else is working.

    SKIP LOCKED lets two officers pressing "next" at once get two different items.
    """
    _require_officer(officer)
    fresh = timezone.now() - claim_expiry()
    with transaction.atomic():
        candidate = (
            queryset.filter(state=HELD)
            .exclude(Q(claim__claimed_at__gt=fresh) & ~Q(claim__officer=officer))
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if candidate is None:
            return None
        Claim.objects.update_or_create(
            consignment=candidate, defaults={"officer": officer, "claimed_at": timezone.now()}
        )
    return candidate


def _unclaim(consignment_ids: list[int]) -> None:
    Claim.objects.filter(consignment_id__in=consignment_ids).delete()


# --- Decisions ----------------------------------------------------------------------------------


def officer_release(*, consignment: Consignment, officer: User, reason: str = "") -> Consignment:
    """Release after the check: with charges due when the assessment found any."""
    _require_officer(officer)
    from payments.notifications import enqueue_charges_due
    from payments.selectors import assessment_current

    actor = Actor.for_user(officer)
    assessment = assessment_current(consignment=consignment)
    with transaction.atomic():
        if assessment is not None and assessment.total > 0:
            consignment = clearance_services.consignment_require_payment(
                consignment=consignment,
                actor=actor,
                charges=assessment.charges(),
                reason=reason or "Checked by customs; duty and taxes to be paid before delivery.",
            )
            ids = [consignment.pk]
            transaction.on_commit(lambda: enqueue_charges_due(ids), robust=True)
        else:
            consignment = clearance_services.consignment_release(
                consignment=consignment, actor=actor, reason=reason or "Released after a customs check."
            )
        _unclaim([consignment.pk])
    return consignment


def officers_bulk_release(*, consignment_ids: list[int], officer: User) -> dict[str, list[str]]:
    """Release many held items; each is decided on its own and one refusal stops none of the others."""
    done, refused = [], []
    for consignment in Consignment.objects.filter(pk__in=consignment_ids).order_by("pk"):
        try:
            officer_release(consignment=consignment, officer=officer, reason="Released in bulk after review.")
            done.append(consignment.item_id)
        except InvalidTransition:
            refused.append(consignment.item_id)
    return {"released": done, "refused": refused}


def officer_request_info(*, consignment: Consignment, officer: User, question: str) -> InformationRequest:
    _require_officer(officer)
    question = question.strip()
    if not question:
        raise ApplicationError("Write the question to ask.")
    with transaction.atomic():
        clearance_services.consignment_request_info(
            consignment=consignment, actor=Actor.for_user(officer), question=question
        )
        request = InformationRequest.objects.create(consignment=consignment, question=question, asked_by=officer)
        _unclaim([consignment.pk])
        transaction.on_commit(lambda: _mail_question(request.pk), robust=True)
    return request


def _mail_question(request_id: int) -> None:
    from payments.tasks import notify_information_request

    notify_information_request.delay(request_id)


def officer_record_answer(*, consignment: Consignment, officer: User, answer: str) -> Consignment:
    """The answer (from the operator or the addressee) puts the item back in the queue."""
    _require_officer(officer)
    with transaction.atomic():
        consignment = clearance_services.consignment_answer_info(
            consignment=consignment, actor=Actor.for_user(officer), answer=answer
        )
        InformationRequest.objects.filter(consignment=consignment, answered_at__isnull=True).update(
            answer=answer, answered_at=timezone.now()
        )
    return consignment


def officer_return(*, consignment: Consignment, officer: User, reason: str) -> Consignment:
    _require_officer(officer)
    with transaction.atomic():
        consignment = clearance_services.consignment_return_to_sender(
            consignment=consignment, actor=Actor.for_user(officer), reason=reason or "Returned to sender by customs."
        )
        _unclaim([consignment.pk])
    return consignment


def officer_refer(*, consignment: Consignment, officer: User, agency: str, reason: str = "") -> Consignment:
    _require_officer(officer)
    if not agency.strip():
        raise ApplicationError("Name the agency the item is referred to.")
    with transaction.atomic():
        consignment = clearance_services.consignment_refer(
            consignment=consignment, actor=Actor.for_user(officer), reason=f"{agency.strip()}: {reason}".strip(": ")
        )
        _unclaim([consignment.pk])
    return consignment


# --- Seizure: four eyes ---------------------------------------------------------------------------


def seizure_propose(*, consignment: Consignment, officer: User, reason: str) -> SeizureRequest:
    _require_officer(officer)
    if not reason.strip():
        raise ApplicationError("Give the grounds for the seizure.")
    if consignment.state != HELD:
        raise InvalidTransition(f"Item {consignment.item_id} is not held: it cannot be seized.")
    try:
        with transaction.atomic():
            request = SeizureRequest.objects.create(consignment=consignment, reason=reason, proposed_by=officer)
            audit_entries_create(
                model=Consignment, target_ids=[consignment.pk], action="clearance.seizure.proposed",
                actor=Actor.for_user(officer), reason=reason,
            )  # fmt: skip
    except IntegrityError:
        raise InvalidTransition("A seizure of this item already waits for a supervisor.") from None
    return request


def seizure_confirm(*, request: SeizureRequest, supervisor: User) -> Consignment:
    _require_supervisor(supervisor, "confirm a seizure")
    with transaction.atomic():
        request = SeizureRequest.objects.select_for_update().select_related("consignment").get(pk=request.pk)
        if request.state != SeizureRequest.State.PENDING:
            raise InvalidTransition("This seizure was already decided.")
        if request.proposed_by_id == supervisor.pk:
            raise PermissionDenied("A seizure must be confirmed by someone other than who proposed it (four eyes).")
        consignment = clearance_services.consignment_seize(
            consignment=request.consignment, actor=Actor.for_user(supervisor), reason=request.reason
        )
        request.state, request.decided_by, request.decided_at = (
            SeizureRequest.State.CONFIRMED, supervisor, timezone.now(),
        )  # fmt: skip
        request.save(update_fields=["state", "decided_by", "decided_at"])
        _unclaim([consignment.pk])
    return consignment


def seizure_reject(*, request: SeizureRequest, supervisor: User, reason: str = "") -> SeizureRequest:
    _require_supervisor(supervisor, "reject a seizure")
    with transaction.atomic():
        request = SeizureRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != SeizureRequest.State.PENDING:
            raise InvalidTransition("This seizure was already decided.")
        request.state, request.decided_by, request.decided_at = (
            SeizureRequest.State.REJECTED, supervisor, timezone.now(),
        )  # fmt: skip
        request.save(update_fields=["state", "decided_by", "decided_at"])
        audit_entries_create(
            model=Consignment, target_ids=[request.consignment_id], action="clearance.seizure.rejected",
            actor=Actor.for_user(supervisor), reason=reason,
        )  # fmt: skip
    return request


# --- Corrections ------------------------------------------------------------------------------------


def officer_correct_line(
    *, consignment: Consignment, officer: User, position: int, hs_code: str, value: Decimal, reason: str
) -> Consignment:
    """Correct a line's HS code or value; the item is reassessed (a new assessment version)."""
    _require_officer(officer)
    from core.reference import hs_subheadings
    from payments.assessment import consignments_assess_charges

    hs_code = hs_code.strip()
    if hs_code and (not hs_code.isdigit() or len(hs_code) < 6 or hs_code[:6] not in hs_subheadings()):
        raise ApplicationError(f"{hs_code} is not an HS code of the nomenclature.")
    if value < 0:
        raise ApplicationError("A value cannot be negative.")
    if not reason.strip():
        raise ApplicationError("Say why the declaration is corrected.")
    with transaction.atomic():
        locked = Consignment.objects.select_for_update().get(pk=consignment.pk)
        if locked.is_final:
            raise InvalidTransition(f"Item {locked.item_id} is {locked.get_state_display()}: too late to correct.")
        line = ContentLine.objects.get(consignment=locked, position=position)
        before = {"hsCode": line.hs_code, "value": str(line.value)}
        line.hs_code, line.value = hs_code, value
        line.save(update_fields=["hs_code", "value"])
        locked.total_value = sum(locked.lines.values_list("value", flat=True), Decimal("0"))
        locked.save(update_fields=["total_value", "updated_at"])
        audit_entries_create(
            model=Consignment, target_ids=[locked.pk], action="clearance.consignment.corrected",
            actor=Actor.for_user(officer), reason=reason,
            payloads={locked.pk: {"line": position, "before": before,
                                  "after": {"hsCode": hs_code, "value": str(value)}}},
        )  # fmt: skip
        assessment = consignments_assess_charges(
            consignment_ids=[locked.pk], actor=Actor.for_user(officer), reason=reason
        )[locked.pk]
        if locked.state == ConsignmentState.CHARGES_DUE:
            if assessment.needs_officer:  # no amount to tell the operator: keep the charges it has
                raise ApplicationError(f"The corrected item cannot be assessed: {assessment.needs_officer}")
            # The operator collects what its last response said: it must hear of the new amount.
            clearance_services.consignment_charges_restate(
                consignment=locked, actor=Actor.for_user(officer), charges=assessment.charges(),
                reason=f"Charges corrected: {reason}",
            )  # fmt: skip
    return locked
