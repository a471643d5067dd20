"""Reads of the agencies app: an item's information requests with their terms and documents; the permits."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from agencies.models import AnswerDocument, Permit
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


def permits_list(*, kind: str = "", query: str = "", limit: int = 200) -> QuerySet[Permit]:
    """Permits of the registers for officers: by kind, by number or holder, with the quantity used."""
    permits = Permit.objects.annotate(used=Coalesce(Sum("uses__quantity"), 0)).order_by("kind", "number", "-valid_from")
    if kind:
        permits = permits.filter(kind=kind)
    if query := query.strip():
        permits = permits.filter(Q(number__icontains=query.replace(" ", "")) | Q(holder__icontains=query))
    return permits[:limit]
