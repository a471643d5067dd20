"""Deadlines of information requests: one reminder before, then the outcome the officer chose when asking.

Run by the beat task officer.tasks.information_deadlines_apply. At the
deadline an unanswered item goes back in front of an officer (the INFO_LAPSED
transition, by the system) and the outcome set with the question is applied
in the asking officer's name, as their decision taken in advance: return to
the sender, or release with the note (charges due asked for as any release
does). What the state machine or a hold refuses (a seizure proposed meanwhile,
goods gone, a prepaid account that cannot be charged) leaves the item held for
an officer, and the terms record why. Each request lapses once: a repeated run
finds it done.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from agencies.choices import Outcome
from agencies.models import InformationTerms
from agencies.services import information_reminders_send
from clearance import services as clearance_services
from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.actors import Actor
from core.exceptions import ApplicationError
from officer.services import officer_release

DEADLINE_ACTOR = Actor.system("information-deadline")


def information_deadlines_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Send the reminders due and apply the outcome of every request whose deadline passed unanswered."""
    now = now or timezone.now()
    reminded = information_reminders_send(now=now)
    due = InformationTerms.objects.filter(
        lapsed_at__isnull=True, deadline__lte=now, request__answered_at__isnull=True
    ).values_list("request_id", "request__consignment_id")
    lapsed = sum(information_request_lapse(request_id=pk, consignment_id=item, now=now) for pk, item in list(due))
    return {"reminded": reminded, "lapsed": lapsed}


def information_request_lapse(*, request_id: int, consignment_id: int, now: datetime) -> int:
    """Apply one request's outcome; 1 if this call did it, 0 if it was done or answered meanwhile."""
    with transaction.atomic():
        # The item first, then the request: the order an answer locks them in.
        consignment = Consignment.objects.select_for_update().get(pk=consignment_id)
        terms = (
            InformationTerms.objects.select_for_update()
            .select_related("request__asked_by")
            .filter(request_id=request_id, lapsed_at__isnull=True, request__answered_at__isnull=True)
            .first()
        )
        if terms is None:
            return 0
        if consignment.state == ConsignmentState.INFO_REQUESTED:
            terms.outcome_applied = _outcome_apply(consignment, terms)
        else:
            terms.outcome_applied = f"none: the item is {consignment.state}"
        terms.lapsed_at = now
        terms.save(update_fields=["lapsed_at", "outcome_applied"])
    return 1


def _outcome_apply(consignment: Consignment, terms: InformationTerms) -> str:
    deadline = f"{terms.deadline:%Y-%m-%d %H:%M} UTC"
    clearance_services.consignment_info_lapsed(
        consignment=consignment,
        actor=DEADLINE_ACTOR,
        reason=f"No answer to the request for information by its deadline, {deadline}.",
    )
    officer = terms.request.asked_by
    try:
        with transaction.atomic():  # refused, the outcome alone is undone: the item stays held
            if terms.outcome == Outcome.RETURN:
                clearance_services.consignment_return_to_sender(
                    consignment=consignment,
                    actor=Actor.for_user(officer),
                    reason=f"No answer by {deadline}: returned to the sender, as set when asking.",
                )
            else:
                officer_release(
                    consignment=consignment,
                    officer=officer,
                    reason=f"No answer by {deadline}: released as set when asking. {terms.outcome_note}",
                )
    except ApplicationError as exc:
        return f"left for an officer: {exc.message}"[:200]
    consignment.refresh_from_db(fields=["state"])
    return consignment.state
