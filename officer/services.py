"""Writes of the officer dashboard: claiming items and the decisions an officer takes.

Every decision goes through the transitions of clearance.services (row lock,
state check, holds, audit entry, customs response). What holds an item and
who may lift it is the table in clearance.transitions: a seizure needs two
people (an officer proposes it, a different supervisor confirms it), and an
item claimed by one officer is decided by that officer unless another takes
it over, saying why.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from agencies.referrals import referral_open
from agencies.selectors import referral_refused
from agencies.services import information_terms_create
from clearance import services as clearance_services
from clearance.choices import ConsignmentState, EventCode, ItemCategory, Lane, TermsOfDelivery
from clearance.holds import claim_expiry, claims_fresh
from clearance.models import (
    Claim,
    ClaimTakeover,
    Consignment,
    InformationRequest,
    PartyHold,
    PostalOperator,
    SeizureRequest,
)
from clearance.selectors import consignment_ids_by_item
from clearance.transitions import Hold
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.normalize import text_key
from core.permissions import require_supervisor
from core.services import audit_entries_create
from core.uploads import image_uploads_check
from officer.selectors import decision_stamp
from payments import approvals, cases
from payments.assessment import (
    consignment_charges_corrected,
    consignment_duty_add,
    consignment_line_correct,
    consignments_assess_charges,
    consignments_route,
    line_correction_check,
)
from payments.choices import MoneyApprovalKind, MoneyApprovalState
from payments.models import Assessment, Case, MoneyApproval
from payments.selectors import assessment_current
from postal.events import consignment_events_record
from risk.choices import OutcomeKind
from risk.models import InspectionOutcome, InspectionPhoto, RiskAssessment
from risk.services import inspection_outcome_record

HELD = ConsignmentState.HELD


def _require_officer(user: User) -> None:
    if not user.is_officer:
        raise PermissionDenied("Only customs officers take decisions on items.")


def _lock(consignment: Consignment, seen: str | None = None) -> Consignment:
    """The item's row, locked; refused if it changed since the officer's page showed it (`seen`)."""
    locked = Consignment.objects.select_for_update().get(pk=consignment.pk)
    # A page carries the version and assessment it showed; a queue row carries the version only.
    current = decision_stamp(locked) if "." in (seen or "") else str(locked.version)
    if seen is not None and seen != current:
        raise InvalidTransition(
            f"Item {locked.item_id} changed since you opened it (amended by the operator, or its charges "
            "assessed again): look at it again before deciding."
        )
    return locked


def _require_reason(reason: str, message: str) -> str:
    """A reason someone can read: blank, punctuation or invisible characters only are refused."""
    reason = reason.strip()
    if not text_key(reason):
        raise ApplicationError(message)
    return reason


def _require_claim_or_free(consignment: Consignment, officer: User) -> None:
    """Another officer's fresh claim keeps this officer's hands off the item."""
    claimant = claims_fresh([consignment.pk]).get(consignment.pk)
    if claimant is not None and claimant != officer.pk:
        raise InvalidTransition(clearance_services.hold_message(consignment, Hold.CLAIM))
    if claimant == officer.pk:  # the claimant is at work on it (a long inspection): the claim stays fresh
        Claim.objects.filter(consignment_id=consignment.pk).update(claimed_at=timezone.now())


def _require_held(consignment: Consignment, action: str) -> None:
    if consignment.state != HELD:
        state = consignment.get_state_display()
        raise InvalidTransition(f"Item {consignment.item_id} is {state}: only a held item can be {action}.")


# --- Claims -----------------------------------------------------------------------------------


def consignment_claim(*, consignment: Consignment, officer: User) -> Claim:
    """Take a held item; refused while another officer's claim is fresh."""
    _require_officer(officer)
    with transaction.atomic():
        locked = _lock(consignment)
        _require_held(locked, "claimed")
        _require_claim_or_free(locked, officer)
        claim, _ = Claim.objects.update_or_create(
            consignment=locked, defaults={"officer": officer, "claimed_at": timezone.now()}
        )
    return claim


def consignment_claim_take_over(*, consignment: Consignment, officer: User, reason: str) -> Claim:
    """Take an item another officer is working; the reason is kept and the first officer is told."""
    _require_officer(officer)
    reason = _require_reason(reason, "Say why you take the item over: the officer working it is told.")
    with transaction.atomic():
        locked = _lock(consignment)
        _require_held(locked, "taken over")
        claim = Claim.objects.filter(consignment=locked).first()
        previous = claim.officer_id if claim and claim.claimed_at > timezone.now() - claim_expiry() else None
        claim, _ = Claim.objects.update_or_create(
            consignment=locked, defaults={"officer": officer, "claimed_at": timezone.now()}
        )
        if previous is not None and previous != officer.pk:
            ClaimTakeover.objects.create(
                consignment=locked, from_officer_id=previous, to_officer=officer, reason=reason
            )
            audit_entries_create(
                model=Consignment,
                target_ids=[locked.pk],
                action="clearance.claim.taken_over",
                actor=Actor.for_user(officer),
                reason=reason,
                payloads={locked.pk: {"from": previous, "to": officer.pk}},
            )
    return claim


def claim_takeover_dismiss(*, takeover: ClaimTakeover, officer: User) -> None:
    """The first officer has read that their item was taken over."""
    if takeover.from_officer_id != officer.pk:
        raise PermissionDenied("This notice is for another officer.")
    ClaimTakeover.objects.filter(pk=takeover.pk, seen_at__isnull=True).update(seen_at=timezone.now())


def consignment_claim_next(*, officer: User, queryset: QuerySet[Consignment]) -> Consignment | None:
    """Claim the first item of the officer's queue that nobody else is working.

    Items whose seizure waits for a supervisor are passed over: nothing but
    that decision can be taken on them. SKIP LOCKED lets two officers pressing
    "next" at once get two different items.
    """
    _require_officer(officer)
    fresh = timezone.now() - claim_expiry()
    with transaction.atomic():
        candidate = (
            queryset.filter(state=HELD)
            .exclude(Q(claim__claimed_at__gt=fresh) & ~Q(claim__officer=officer))
            .exclude(seizure_requests__state=SeizureRequest.State.PENDING)
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


def officer_release(
    *,
    consignment: Consignment,
    officer: User,
    reason: str = "",
    seen: str | None = None,
    red_allowed: bool = True,
    charge_addressee: bool = False,
) -> Consignment:
    """Release after the check: with charges due when the assessment found any.

    A red item is released only with a reason, which goes to the audit trail
    and to the operator's customs response (and never by a bulk release that
    did not include red items: the lane is read under the lock). The charges
    must be those of the item's current version: an amendment still being
    assessed is waited for, an item never assessed is assessed now, and an
    item whose charges could not be worked out is not released as owing
    nothing. A prepaid (DDP) item whose collector's account cannot be
    charged (unknown, inactive, over its limit) is released with its charges
    asked of the addressee when the officer says so (charge_addressee), with
    the reason recorded.
    """
    _require_officer(officer)
    actor = Actor.for_user(officer)
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock(consignment, seen)
        _require_scored_if_unannounced(locked)
        if refused := referral_refused(consignment=locked):
            raise ApplicationError(
                f"{refused.agency.name} refused these goods: return them to the sender, or propose their seizure "
                "(a supervisor confirms it)."
            )
        if charge_addressee:
            reason = _addressee_charged(locked, reason)
        if locked.lane == Lane.RED and (not red_allowed or not text_key(reason)):
            raise ApplicationError(
                f"Item {locked.item_id} is in the red lane: give the reason for releasing it (it is recorded)."
            )
        assessment = _charges_for_release(locked, actor)
        routed = consignments_route(
            assessments={locked.pk: assessment},
            actor=actor,
            reason=reason,
            by_officer=True,
            charge_addressee=charge_addressee,
        )
        transition, result = routed.outcome_of(locked.pk)
        clearance_services.raise_if_not_applied(transition, result, locked)
        _unclaim([locked.pk])
    locked.refresh_from_db()
    return locked


def arrival_scan(*, officer: User, operator: PostalOperator, item_id: str, office: str = "") -> Consignment:
    """An officer scans a parcel at the office of exchange: its arrival (EMD) is recorded now, as the operator's
    would be. A parcel the operator never pre-advised is recorded and held for an officer (postal.unannounced),
    the operator told on its feed; a pre-advised one has its arrival stamped. Returns the item."""
    _require_officer(officer)
    event = {"itemId": item_id, "code": EventCode.EMD, "at": timezone.now(), "office": office}
    (outcome,) = consignment_events_record(operator=operator, events=[event], actor=Actor.for_user(officer))
    if outcome.errors:
        raise ApplicationError(f"Item {item_id}: {outcome.errors[0]['message']}")
    pk = consignment_ids_by_item(operator_id=operator.pk, item_ids=[item_id])[item_id]
    return Consignment.objects.get(pk=pk)


def _require_scored_if_unannounced(locked: Consignment) -> None:
    """An item that arrived without pre-advice is released only once its pre-advice came and was scored."""
    if (
        locked.unannounced
        and not RiskAssessment.objects.filter(consignment_id=locked.pk, consignment_version=locked.version).exists()
    ):
        raise InvalidTransition(
            f"Item {locked.item_id} arrived without pre-advice: it is released only once the operator's "
            "pre-advice has come and been scored."
        )


def _addressee_charged(locked: Consignment, reason: str) -> str:
    """The reason recorded when a prepaid item's charges are asked of the addressee instead."""
    if locked.terms_of_delivery != TermsOfDelivery.DDP:
        raise ApplicationError(f"Item {locked.item_id} is not prepaid (DDP): its addressee pays already.")
    reason = _require_reason(reason, "Say why the addressee pays instead of the collector: it is recorded.")
    collector = locked.prepaid_collector or "-"
    return f"Prepaid (DDP) by {collector}, whose account cannot be charged: the addressee pays. {reason}"


def _charges_for_release(locked: Consignment, actor: Actor) -> Assessment | None:
    """The current version's assessment (None only for documents, which owe nothing)."""
    assessment = assessment_current(consignment=locked)
    if assessment is None and locked.category != ItemCategory.DOCUMENTS:
        # Held without an assessment (scoring failed, say): assess now rather than release as owing nothing.
        assessment = consignments_assess_charges(
            consignment_ids=[locked.pk], actor=actor, reason="Charges assessed at the officer's release."
        )[locked.pk]
    if assessment is None:
        return None
    if assessment.consignment_version != locked.version:
        raise InvalidTransition(
            f"Item {locked.item_id} was amended and its charges are being assessed again: try again shortly."
        )
    if assessment.charges_unknown:
        raise ApplicationError(
            f"Item {locked.item_id}'s charges could not be worked out ({assessment.needs_officer}): "
            "correct the declaration, or return or refer the item."
        )
    return assessment


def bulk_release_preview(*, consignment_ids: list[int]) -> dict[str, int]:
    """How many of the selected items are held in each lane (what a bulk release would consider)."""
    counts = dict.fromkeys(Lane.values, 0)
    for lane in Consignment.objects.filter(pk__in=consignment_ids, state=HELD).values_list("lane", flat=True):
        counts[lane or Lane.GREEN] += 1
    return counts


BULK_REASON = "Released in bulk after review."


def officers_bulk_release(
    *,
    consignment_ids: list[int],
    officer: User,
    include_red: bool = False,
    reason: str = "",
    seen: dict[int, str] | None = None,
) -> dict[str, list[str]]:
    """Release many held items; each is decided on its own and one refusal stops none of the others.

    Red items are left out unless a supervisor includes them, with a reason
    that each red item's audit entry and customs response then carry. The lane
    is checked again under each item's lock: an item re-scored red since the
    list was read is refused, never released on the bulk default reason.
    Items that are no longer held (released, awaiting payment) are reported as
    such, not counted as released.
    """
    reason = reason.strip()
    if include_red:
        require_supervisor(officer, "release red items in bulk")
        reason = _require_reason(reason, "Give the reason for releasing red items in bulk.")
    seen = seen or {}
    done: dict[str, list[str]] = {"released": [], "refused": [], "skipped_red": []}
    for consignment in Consignment.objects.filter(pk__in=consignment_ids).order_by("pk"):
        if consignment.state != HELD:
            done["refused"].append(f"{consignment.item_id} ({consignment.get_state_display()}, not held)")
            continue
        if consignment.lane == Lane.RED and not include_red:
            done["skipped_red"].append(consignment.item_id)
            continue
        try:
            officer_release(
                consignment=consignment,
                officer=officer,
                reason=reason if include_red else BULK_REASON,
                seen=seen.get(consignment.pk),
                red_allowed=include_red,
            )
            done["released"].append(consignment.item_id)
        except ApplicationError as exc:
            done["refused"].append(f"{consignment.item_id} ({exc.message})")
    return done


def officer_request_info(
    *,
    consignment: Consignment,
    officer: User,
    question: str,
    needed: list[str],
    days: int,
    outcome: str,
    outcome_note: str = "",
    seen: str | None = None,
) -> InformationRequest:
    """Ask the operator and the addressee for information, with what is needed, a deadline and its outcome.

    The addressee is e-mailed in their language with the portal link to
    answer (agencies.services); the operator gets a REQUEST_INFO response
    and answers through the API. Without an answer by the deadline, the
    outcome chosen here is applied (officer.deadlines).
    """
    _require_officer(officer)
    question = _require_reason(question, "Write the question to ask.")
    with transaction.atomic():
        _lock(consignment, seen)
        clearance_services.consignment_request_info(
            consignment=consignment, actor=Actor.for_user(officer), question=question
        )
        request = InformationRequest.objects.create(consignment=consignment, question=question, asked_by=officer)
        information_terms_create(request=request, needed=needed, days=days, outcome=outcome, outcome_note=outcome_note)
        _unclaim([consignment.pk])
    return request


def officer_record_answer(*, consignment: Consignment, officer: User, answer: str) -> Consignment:
    """The answer (from the operator or the addressee) puts the item back in the queue."""
    _require_officer(officer)
    answer = answer.strip()
    if not answer:
        raise ApplicationError("Write the answer that was received.")
    with transaction.atomic():
        consignment = clearance_services.consignment_answer_info(
            consignment=consignment, actor=Actor.for_user(officer), answer=answer
        )
        InformationRequest.objects.filter(consignment=consignment, answered_at__isnull=True).update(
            answer=answer, answered_at=timezone.now()
        )
    return consignment


def officer_return(*, consignment: Consignment, officer: User, reason: str, seen: str | None = None) -> Consignment:
    _require_officer(officer)
    with transaction.atomic():
        held = _lock(consignment, seen).state == HELD
        consignment = clearance_services.consignment_return_to_sender(
            consignment=consignment, actor=Actor.for_user(officer), reason=reason or "Returned to sender by customs."
        )
        if held:  # refused entry after a check, not charges left unpaid: its parties are remembered
            clearance_services.party_holds_record(consignment_ids=[consignment.pk], kind=PartyHold.Kind.RETURNED)
        _unclaim([consignment.pk])
    return consignment


def officer_refer(
    *, consignment: Consignment, officer: User, agency: Agency, reason: str = "", seen: str | None = None
) -> Consignment:
    """Refer a held item to another agency: a task in its queue; the item comes back with its decision."""
    _require_officer(officer)
    reason = reason.strip()
    with transaction.atomic():
        _lock(consignment, seen)
        consignment = clearance_services.consignment_refer(
            consignment=consignment, actor=Actor.for_user(officer), reason=f"{agency.name}: {reason}".strip(": ")
        )
        referral_open(consignment=consignment, agency=agency, officer=officer, reason=reason)
        clearance_services.party_holds_record(consignment_ids=[consignment.pk], kind=PartyHold.Kind.REFERRED)
        _unclaim([consignment.pk])
    return consignment


# --- Inspection ----------------------------------------------------------------------------------------


def officer_inspect(
    *,
    consignment: Consignment,
    officer: User,
    irregularity_found: bool,
    kind: str,
    additional_duty: Decimal,
    notes: str,
    photos: list[UploadedFile[bytes]] | None = None,
    seen: str | None = None,
) -> InspectionOutcome:
    """Record an inspection of a held item, with its photos; duty found is charged.

    Everything is kept together or not at all: a refused photo keeps the
    outcome from being recorded. Additional duty becomes an adjustment line
    of a new assessment, so the officer's release asks for it.
    """
    _require_officer(officer)
    photos = image_uploads_check(photos or [])
    if not additional_duty.is_finite() or additional_duty < 0:
        raise ApplicationError("The additional duty must be an amount of 0 or more.")
    if kind not in OutcomeKind.values:
        raise ApplicationError(f"{kind[:40]!r} is not a kind of inspection outcome.")
    with transaction.atomic():
        locked = _lock(consignment, seen)
        _require_held(locked, "inspected")
        _require_claim_or_free(locked, officer)
        outcome = inspection_outcome_record(
            consignment=locked,
            officer=officer,
            irregularity_found=irregularity_found,
            kind=kind,
            additional_duty=additional_duty,
            notes=notes,
        )
        for upload in photos:
            InspectionPhoto.objects.create(outcome=outcome, file=upload)
        if additional_duty > 0:
            assessment = consignment_duty_add(
                consignment=locked,
                duty=additional_duty,
                actor=Actor.for_user(officer),
                description=f"Additional duty found at inspection ({outcome.get_kind_display().lower()})",
                reason=notes or "Additional duty found at inspection.",
            )
            outcome.currency = assessment.currency
            outcome.save(update_fields=["currency", "updated_at"])
    return outcome


# --- Seizure: four eyes ---------------------------------------------------------------------------


def seizure_propose(*, consignment: Consignment, officer: User, reason: str, seen: str | None = None) -> SeizureRequest:
    _require_officer(officer)
    reason = _require_reason(reason, "Give the grounds for the seizure.")
    try:
        with transaction.atomic():
            locked = _lock(consignment, seen)
            _require_held(locked, "seized")
            _require_claim_or_free(locked, officer)
            request = SeizureRequest.objects.create(consignment=locked, reason=reason, proposed_by=officer)
            clearance_services.party_holds_record(consignment_ids=[locked.pk], kind=PartyHold.Kind.SEIZURE)
            audit_entries_create(
                model=Consignment,
                target_ids=[locked.pk],
                action="clearance.seizure.proposed",
                actor=Actor.for_user(officer),
                reason=reason,
            )
    except IntegrityError:
        raise InvalidTransition("A seizure of this item already waits for a supervisor.") from None
    return request


def _pending(request: SeizureRequest) -> SeizureRequest:
    request = SeizureRequest.objects.select_for_update().select_related("consignment").get(pk=request.pk)
    if request.state != SeizureRequest.State.PENDING:
        raise InvalidTransition(f"This seizure was already {request.get_state_display().lower()}.")
    return request


def seizure_confirm(*, request: SeizureRequest, supervisor: User) -> Consignment:
    require_supervisor(supervisor, "confirm a seizure")
    with transaction.atomic():
        request = _pending(request)
        if request.proposed_by_id == supervisor.pk:
            raise PermissionDenied("A seizure must be confirmed by someone other than who proposed it (four eyes).")
        consignment = clearance_services.consignment_seize(
            consignment=request.consignment, actor=Actor.for_user(supervisor), reason=request.reason
        )
        _close(request, SeizureRequest.State.CONFIRMED, supervisor)
        _unclaim([consignment.pk])
    return consignment


def seizure_reject(*, request: SeizureRequest, supervisor: User, reason: str) -> SeizureRequest:
    """A second supervisor does not confirm: the item stays held, free for other decisions."""
    require_supervisor(supervisor, "reject a seizure")
    reason = _require_reason(reason, "Say why the seizure is rejected: the proposing officer reads it.")
    with transaction.atomic():
        request = _pending(request)
        if request.proposed_by_id == supervisor.pk:
            raise PermissionDenied("Withdraw your own proposal instead: a rejection is a second person's decision.")
        _close(request, SeizureRequest.State.REJECTED, supervisor, reason)
        audit_entries_create(
            model=Consignment,
            target_ids=[request.consignment_id],
            action="clearance.seizure.rejected",
            actor=Actor.for_user(supervisor),
            reason=reason,
        )
    return request


def seizure_withdraw(*, request: SeizureRequest, officer: User, reason: str) -> SeizureRequest:
    """The proposer takes the proposal back (a wrong item, say); only they can."""
    _require_officer(officer)
    reason = _require_reason(reason, "Say why the proposal is withdrawn.")
    with transaction.atomic():
        request = _pending(request)
        if request.proposed_by_id != officer.pk:
            raise PermissionDenied("Only the officer who proposed a seizure can withdraw it.")
        _close(request, SeizureRequest.State.WITHDRAWN, officer, reason)
        audit_entries_create(
            model=Consignment,
            target_ids=[request.consignment_id],
            action="clearance.seizure.withdrawn",
            actor=Actor.for_user(officer),
            reason=reason,
        )
    return request


def _close(request: SeizureRequest, state: str, user: User, reason: str = "") -> None:
    request.state, request.decided_by, request.decided_at, request.decision_reason = state, user, timezone.now(), reason
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])


# --- Corrections ------------------------------------------------------------------------------------


# An officer corrects what is in front of them: a held item, or one awaiting payment (an invoice found
# later). Before scoring, a correction would decide the lane; after a decision, it is too late.
CORRECTABLE_STATES = frozenset({ConsignmentState.HELD, ConsignmentState.CHARGES_DUE})


def officer_correct_line(
    *,
    consignment: Consignment,
    officer: User,
    position: int,
    hs_code: str,
    value: Decimal,
    reason: str,
    seen: str | None = None,
    approval: MoneyApproval | None = None,
) -> Consignment:
    """Correct a line's HS code or value; the item is reassessed (a new assessment version).

    For an item awaiting payment the operator hears of the new charges, and
    charges corrected to nothing release the item. The correction is kept
    with the version it corrected, and keeps the item under the officer's
    hold: an amendment brings it back to an officer rather than restoring the
    declared value unseen. A correction that gives up charges above the
    threshold raises approvals.ApprovalRequested and changes nothing until a
    second officer approves it (`approval`, given when applying it).
    """
    _require_officer(officer)
    hs_code = line_correction_check(hs_code=hs_code, value=value)
    reason = _require_reason(reason, "Say why the declaration is corrected.")
    actor = Actor.for_user(officer)
    try:
        with transaction.atomic():
            locked = _lock(consignment, seen)
            if locked.state not in CORRECTABLE_STATES:
                raise InvalidTransition(
                    f"Item {locked.item_id} is {locked.get_state_display()}: only a held item or one awaiting "
                    "payment can be corrected."
                )
            _require_claim_or_free(locked, officer)
            before, _ = approvals.owed(locked.pk)
            assessment = consignment_line_correct(
                consignment=locked, officer=officer, position=position, hs_code=hs_code, value=value, reason=reason
            )
            approvals.gate(consignment_id=locked.pk, before=before, approval=approval)
            if locked.state == ConsignmentState.CHARGES_DUE:
                consignment_charges_corrected(consignment=locked, assessment=assessment, actor=actor, reason=reason)
    except approvals.NeedsSecondOfficer as need:
        payload = {"position": position, "hsCode": hs_code, "value": str(value), "reason": reason}
        raise approvals.approval_request(
            kind=MoneyApprovalKind.CORRECTION,
            consignment=consignment,
            officer=officer,
            need=need,
            payload=payload,
            reason=reason,
        ) from None
    locked.refresh_from_db()
    return locked


# --- Four eyes on money: the second officer ---------------------------------------------------------------


def money_approval_decide(*, approval: MoneyApproval, officer: User, approve: bool, reason: str = "") -> MoneyApproval:
    """A second officer (or supervisor) approves a change that gives up charges, which is then applied as asked,
    or rejects it and nothing changes. An approval the item no longer fits (its charges changed meanwhile) is
    refused with the reason, and stays to be rejected."""
    if not approve:
        reason = _require_reason(reason, "Say why the change is rejected.")
    with transaction.atomic():
        locked = approvals.approval_lock(approval=approval, officer=officer)
        if not approve:
            approvals.approval_close(approval=locked, officer=officer, state=MoneyApprovalState.REJECTED, reason=reason)
            return locked
        locked.decided_by = officer  # read by the audit entry of the change it applies
        _apply_approved(locked)
        approvals.approval_close(approval=locked, officer=officer, state=MoneyApprovalState.APPROVED, reason=reason)
    return locked


def _apply_approved(approval: MoneyApproval) -> None:
    data, first = approval.payload, approval.requested_by
    if approval.kind == MoneyApprovalKind.CORRECTION:
        officer_correct_line(
            consignment=approval.consignment,
            officer=first,
            position=int(data["position"]),
            hs_code=str(data["hsCode"]),
            value=Decimal(str(data["value"])),
            reason=str(data["reason"]),
            approval=approval,
        )
        return
    case = Case.objects.get(pk=data["case"])
    cases.case_uphold(
        case=case,
        officer=first,
        resolution=str(data["resolution"]),
        fix=cases.fix_from_json(data.get("fix")),
        approval=approval,
    )
