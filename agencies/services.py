"""Writes of the agencies app: an information request's terms, its answer with documents, its reminder.

The state changes are clearance's transitions (an answer is ANSWER_INFO, which
writes the audit entry and puts the item back in the officer's queue); the
deadline's outcome is an officer's decision taken in advance, applied by
officer.deadlines. E-mails go out after commit, once each (agencies.notifications).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Needed, Outcome
from agencies.documents import CheckedDocument, documents_check
from agencies.models import AnswerDocument, InformationTerms
from clearance import services as clearance_services
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, InformationRequest
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition
from core.normalize import text_key
from core.services import audit_entries_create

ANSWER_LIMIT = 4000


def addressee_language(consignment: Consignment) -> str:
    """The language the addressee is written to in: by the country of the address, else the platform's."""
    by_country = settings.OPENCLEAR_LANGUAGE_BY_COUNTRY
    return by_country.get((consignment.addressee_country or "").upper(), settings.LANGUAGE_CODE)


def reminder_time(*, asked_at: datetime, deadline: datetime) -> datetime:
    """When the one reminder goes: a set time before the deadline, or halfway for a short deadline."""
    before = min(timedelta(hours=settings.OPENCLEAR_INFO_REMINDER_HOURS), (deadline - asked_at) / 2)
    return deadline - before


def information_terms_create(
    *, request: InformationRequest, needed: list[str], days: int, outcome: str, outcome_note: str = ""
) -> InformationTerms:
    """Say what a new information request needs, by when, and what happens without an answer.

    Called in the transaction that asks the question; the addressee is
    e-mailed once it commits, in their language, with the link to answer.
    """
    if not needed or any(code not in Needed.values for code in needed):
        raise ApplicationError(_("Say what is needed."))
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose what happens if no answer comes by the deadline."))
    if not 1 <= days <= settings.OPENCLEAR_INFO_MAX_DAYS:
        raise ApplicationError(
            _("The deadline is 1 to %(days)d days away.") % {"days": settings.OPENCLEAR_INFO_MAX_DAYS}
        )
    outcome_note = outcome_note.strip()
    if outcome == Outcome.RELEASE and not text_key(outcome_note):
        raise ApplicationError(_("Write the note a release without an answer carries."))
    # Silence is no permit, no prescription and no answer to a red finding: such goods go back without one.
    if outcome == Outcome.RELEASE and (
        {Needed.PERMIT, Needed.PRESCRIPTION} & set(needed) or request.consignment.lane == Lane.RED
    ):
        raise ApplicationError(
            _(
                "Goods that need a permit or a prescription, and red items, are not released without an answer: "
                "choose to return them."
            )
        )
    deadline = request.asked_at + timedelta(days=days)
    terms = InformationTerms(
        request=request,
        needed=list(dict.fromkeys(needed)),
        deadline=deadline,
        remind_at=reminder_time(asked_at=request.asked_at, deadline=deadline),
        outcome=outcome,
        outcome_note=outcome_note if outcome == Outcome.RELEASE else "",
        language=addressee_language(request.consignment),
    )
    terms.full_clean(exclude=["request"])
    terms.save(force_insert=True)
    transaction.on_commit(lambda: _mail(request.pk, "asked"), robust=True)
    return terms


def _mail(request_id: int, step: str) -> None:
    # A task calls this module's mail service through agencies.notifications: imported when enqueueing.
    from agencies.tasks import information_mail

    information_mail.delay(request_id, step)


def information_answer(
    *,
    consignment: Consignment,
    channel: str,
    actor: Actor,
    answer: str,
    uploads: list[UploadedFile[bytes]] | None = None,
) -> InformationRequest:
    """Answer the open information request of an item, with text and documents; the item goes back to the queue.

    The documents are checked by their content before anything is written.
    Only an item waiting for information with a request still open (not
    answered, its deadline's outcome not applied) takes an answer; a second
    answer finds none open and is refused.
    """
    documents = documents_check(uploads or [])
    answer = answer.strip()[:ANSWER_LIMIT]
    if not text_key(answer) and not documents:
        raise ApplicationError(_("Write an answer or attach a document."), code="answer_empty")
    stored: list[AnswerDocument] = []
    try:
        return _answer_record(consignment, channel, actor, answer, documents, stored)
    except Exception:
        for document in stored:  # written before the transaction was undone: no row points to them any more
            document.file.delete(save=False)
        raise


def _answer_record(
    consignment: Consignment,
    channel: str,
    actor: Actor,
    answer: str,
    documents: list[CheckedDocument],
    stored: list[AnswerDocument],
) -> InformationRequest:
    with transaction.atomic():
        locked = Consignment.objects.select_for_update().get(pk=consignment.pk)
        request = _open_request(locked)
        for document in documents:
            stored.append(_document_store(request, document, channel))
        now = timezone.now()
        request.answer = answer
        request.answered_at = now
        request.save(update_fields=["answer", "answered_at"])
        InformationTerms.objects.filter(request=request).update(answered_by=channel)
        clearance_services.consignment_answer_info(
            consignment=locked, actor=actor, answer=answer or _("Documents sent, without a written answer.")
        )
        _audit_answer(locked, request, channel, documents, actor, now)
    return request


def _open_request(locked: Consignment) -> InformationRequest:
    # The item's row lock (held by the caller) serialises answers and the deadline's outcome.
    request = (
        InformationRequest.objects.filter(consignment=locked, answered_at__isnull=True)
        .exclude(terms__lapsed_at__isnull=False)
        .order_by("-asked_at")
        .first()
    )
    if request is None or locked.state != ConsignmentState.INFO_REQUESTED:
        raise InvalidTransition(
            _("Customs is not waiting for an answer about parcel %(item)s.") % {"item": locked.item_id},
            code="no_open_request",
        )
    terms = getattr(request, "terms", None)
    if terms is not None and terms.deadline <= timezone.now():
        # Past the deadline the outcome set when asking applies (officer.deadlines), whenever the beat runs.
        raise InvalidTransition(
            _("The deadline to answer about parcel %(item)s has passed.") % {"item": locked.item_id},
            code="deadline_passed",
        )
    return request


def _document_store(request: InformationRequest, checked: CheckedDocument, channel: str) -> AnswerDocument:
    # The file is written first and the row after: a file whose row is undone is deleted by the caller.
    document = AnswerDocument(
        request=request,
        extension=checked.extension,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        original_name=checked.original_name,
        channel=channel,
    )
    document.file.save(f"document.{checked.extension}", checked.upload, save=False)
    try:
        document.save(force_insert=True)
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def _audit_answer(
    locked: Consignment,
    request: InformationRequest,
    channel: str,
    documents: list[CheckedDocument],
    actor: Actor,
    at: datetime,
) -> None:
    audit_entries_create(
        model=Consignment,
        target_ids=[locked.pk],
        action="agencies.information_request.answered",
        actor=actor,
        reason=request.answer[:500],
        payloads={
            locked.pk: {
                "request": request.pk,
                "channel": channel,
                "documents": [{"type": d.content_type, "size": d.size, "sha256": d.sha256} for d in documents],
            }
        },
        at=at,
    )


def information_reminders_send(*, now: datetime) -> int:
    """Remind the addressee once of each open request whose reminder time has come; returns how many.

    The conditional update (reminded_at still empty) makes a repeated or
    concurrent run remind no one twice.
    """
    due = InformationTerms.objects.filter(
        reminded_at__isnull=True,
        lapsed_at__isnull=True,
        remind_at__lte=now,
        deadline__gt=now,
        request__answered_at__isnull=True,
        request__consignment__state=ConsignmentState.INFO_REQUESTED,
    ).values_list("request_id", flat=True)
    sent = 0
    for request_id in list(due):
        with transaction.atomic():
            if InformationTerms.objects.filter(request_id=request_id, reminded_at__isnull=True).update(reminded_at=now):
                transaction.on_commit(partial(_mail, request_id, "reminder"), robust=True)
                sent += 1
    return sent
