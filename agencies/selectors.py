"""Reads of the agencies app: an item's information requests with their terms and documents."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import AnswerDocument
from clearance.models import Consignment, InformationRequest


def information_requests_for(*, consignment: Consignment) -> QuerySet[InformationRequest]:
    """The item's requests, newest first, with their terms and documents."""
    return (
        InformationRequest.objects.filter(consignment=consignment)
        .select_related("terms", "asked_by")
        .prefetch_related("documents")
        .order_by("-asked_at", "-id")
    )


def open_information_request(*, consignment: Consignment) -> InformationRequest | None:
    """The request the item waits on, if any: not answered, its deadline's outcome not applied."""
    return (
        information_requests_for(consignment=consignment)
        .filter(answered_at__isnull=True, terms__isnull=False, terms__lapsed_at__isnull=True)
        .first()
    )


def answer_document_for(*, consignment_id: int, document_id: int) -> AnswerDocument | None:
    """A document of one of this item's requests, or None: another item's document is not found."""
    return AnswerDocument.objects.filter(pk=document_id, request__consignment_id=consignment_id).first()
