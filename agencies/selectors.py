"""Reads of the agencies app: an item's information requests with their terms and documents; the permits."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from agencies.choices import AgencyDecision
from agencies.models import Agency, AnswerDocument, Permit, Referral
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


def agencies_active() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def referrals_for_agency(*, agency: Agency, decided: bool = False, limit: int = 200) -> QuerySet[Referral]:
    """An agency's queue: what waits for its decision, oldest first; or what it decided, newest first."""
    referrals = Referral.objects.filter(agency=agency, decided_at__isnull=not decided).select_related(
        "consignment", "referred_by"
    )
    return referrals.order_by("-decided_at" if decided else "referred_at")[:limit]


def referral_for_agency(*, agency: Agency, pk: int) -> Referral | None:
    """One referral of this agency, or None: another agency's referral is not found either."""
    return (
        Referral.objects.select_related("consignment", "referred_by", "decided_by").filter(pk=pk, agency=agency).first()
    )


def referrals_of(*, consignment: Consignment) -> QuerySet[Referral]:
    return Referral.objects.filter(consignment=consignment).select_related("agency", "referred_by", "decided_by")


def referral_refused(*, consignment: Consignment) -> Referral | None:
    """An agency's refusal of these goods, the latest if there were several: a refusal stands whatever another
    referral (to another agency, or the same one again) answers later."""
    refusals = referrals_of(consignment=consignment).filter(decision=AgencyDecision.REFUSE)
    return refusals.order_by("-decided_at").first()


def agency_documents(*, consignment_id: int) -> QuerySet[AnswerDocument]:
    """The documents customs received about an item, as the agency it was referred to reads them."""
    return AnswerDocument.objects.filter(request__consignment_id=consignment_id).order_by("uploaded_at", "id")


@dataclass(frozen=True)
class AgencyStep:
    """Referrals of one agency in a period: how many, how many decided, hours at the agency (median and p90)."""

    agency: str
    referred: int
    decided: int
    median_hours: float | None
    p90_hours: float | None


def referral_times(*, start: date, end: date) -> list[AgencyStep]:
    """The agency step of the Time Release Study: referrals of the items pre-advised from start to end
    (inclusive, UTC days, as the study counts them), by agency, with the hours from referral to decision."""
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    rows = Referral.objects.filter(
        consignment__pre_advised_at__gte=since, consignment__pre_advised_at__lt=until
    ).values_list("agency__name", "referred_at", "decided_at")
    by_agency: dict[str, list[float | None]] = {}
    for name, referred_at, decided_at in rows:
        hours = (decided_at - referred_at).total_seconds() / 3600 if decided_at else None
        by_agency.setdefault(name, []).append(hours)
    return [_step(name, hours) for name, hours in sorted(by_agency.items())]


def _step(name: str, hours: list[float | None]) -> AgencyStep:
    done = sorted(h for h in hours if h is not None)
    if not done:
        return AgencyStep(name, len(hours), 0, None, None)
    p90 = done[min(len(done) - 1, math.ceil(0.9 * len(done)) - 1)]
    return AgencyStep(name, len(hours), len(done), round(statistics.median(done), 1), round(p90, 1))
