"""Referrals to other agencies: customs opens a task in an agency's queue; the agency decides; the item comes back.

The state changes are clearance's transitions: REFER (HELD to REFERRED, the
operator told REFER_OTHER_AGENCY) when an officer refers, REFERRAL_ANSWERED
(REFERRED to HELD) when the agency decides, so the item is back in customs'
queue with the agency's decision; customs then takes its own decision there.
A refusal leaves customs the return or the seizure (which a supervisor
confirms): an officer cannot release goods an agency refused.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import AgencyDecision
from agencies.models import Agency, AgencyMember, Referral
from clearance import services as clearance_services
from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, NotFound
from core.models import User
from core.normalize import text_key
from core.services import audit_entries_create


def referral_open(*, consignment: Consignment, agency: Agency, officer: User, reason: str) -> Referral:
    """Open the agency's task for an item an officer is referring (called in the officer's transaction)."""
    if not agency.is_active:
        raise ApplicationError(_("%(agency)s takes no referrals.") % {"agency": agency.name})
    return Referral.objects.create(consignment=consignment, agency=agency, reason=reason, referred_by=officer)


def agency_of(user: User) -> Agency | None:
    """The agency a user works for, if the user is an agency user."""
    if not user.is_authenticated or not user.is_agency:
        return None
    # A deactivated agency's users keep their login for its history, but decide nothing more.
    member = AgencyMember.objects.select_related("agency").filter(user=user, agency__is_active=True).first()
    return member.agency if member else None


def referral_decide(*, referral: Referral, user: User, decision: str, reason: str, conditions: str = "") -> Referral:
    """The agency's decision on goods referred to it, with its reason: the item goes back to customs' queue.

    Only a user of that agency decides, once. Conditions are required for a
    release with conditions. The audit trail records the decision; the item's
    state changes by REFERRAL_ANSWERED.
    """
    agency = agency_of(user)
    if agency is None or agency.pk != referral.agency_id:
        raise NotFound(_("No such referral for your agency."))
    if decision not in AgencyDecision.values:
        raise ApplicationError(_("Choose the agency's decision."))
    reason, conditions = reason.strip(), conditions.strip()
    if not text_key(reason):
        raise ApplicationError(_("Give the reason for the decision: customs and the operator read it."))
    if decision == AgencyDecision.RELEASE_CONDITIONS and not text_key(conditions):
        raise ApplicationError(_("Write the conditions of the release."))
    with transaction.atomic():
        locked = Consignment.objects.select_for_update().get(pk=referral.consignment_id)
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.decided_at is not None or locked.state != ConsignmentState.REFERRED:
            raise InvalidTransition(_("This referral was decided already."))
        referral.decision, referral.decision_reason = decision, reason
        referral.conditions = conditions if decision == AgencyDecision.RELEASE_CONDITIONS else ""
        referral.decided_by, referral.decided_at = user, timezone.now()
        referral.save(update_fields=["decision", "decision_reason", "conditions", "decided_by", "decided_at"])
        actor = Actor.for_user(user)
        label = str(AgencyDecision(decision).label)
        said = f"{agency.name}: {label}. {reason}" + (f" {referral.conditions}" if referral.conditions else "")
        clearance_services.consignment_referral_answered(consignment=locked, actor=actor, reason=said)
        _audit(locked, referral, actor)
    return referral


def _audit(locked: Consignment, referral: Referral, actor: Actor) -> None:
    payload = {
        "referral": referral.pk,
        "agency": referral.agency.code,
        "decision": referral.decision,
        "conditions": referral.conditions,
        "hours": round((referral.decided_at - referral.referred_at).total_seconds() / 3600, 2),
    }
    audit_entries_create(
        model=Consignment,
        target_ids=[locked.pk],
        action="agencies.referral.decided",
        actor=actor,
        reason=referral.decision_reason[:500],
        payloads={locked.pk: payload},
        at=referral.decided_at,
    )
