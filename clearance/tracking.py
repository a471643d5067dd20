"""Customs' own tracking events: each customs decision told in UPU terms, and an item's whole timeline.

The operator's tracking shows nothing between arrival and release unless
customs says what it did. Each decision is therefore also a tracking event
(EMSEVT v3 import codes): held by import customs (EME) with a coded reason,
returned from customs to the post once released (EDC, with or without
charges), or import terminated (EDX: returned to the sender, seized). The
postal API puts it beside each customs response, on the feed and the
webhook; the addressee's status page shows the same events, in plain words,
among the operator's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from clearance.choices import DecisionCode as D
from clearance.choices import EventCode
from clearance.models import Consignment, ConsignmentEvent, Decision


class CustomsEventReason(models.TextChoices):
    """Why customs emitted its event: a code the operator maps, and plain words for the addressee."""

    HELD_FOR_INSPECTION = "HELD_FOR_INSPECTION", _("Held by customs for a check")
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED", _("Held by customs: information or documents are needed")
    REFERRED_TO_OTHER_AGENCY = "REFERRED_TO_OTHER_AGENCY", _("Held by customs: passed to another authority")
    RELEASED_NO_CHARGE = "RELEASED_NO_CHARGE", _("Cleared by customs: nothing to pay")
    RELEASED_CHARGES_DUE = "RELEASED_CHARGES_DUE", _("Cleared by customs: duty and taxes to pay before delivery")
    RELEASED_CHARGES_PAID = "RELEASED_CHARGES_PAID", _("Cleared by customs: duty and taxes paid")
    RETURNED_BY_CUSTOMS = "RETURNED_BY_CUSTOMS", _("Returned to the sender by customs")
    SEIZED = "SEIZED", _("Seized by customs")


R = CustomsEventReason
# Each customs decision as a tracking event; a withdrawn pre-advice is no event of the goods.
CUSTOMS_EVENTS: dict[str, tuple[str, str]] = {
    D.HOLD_INSPECTION: (EventCode.EME, R.HELD_FOR_INSPECTION),
    D.REQUEST_INFO: (EventCode.EME, R.INFORMATION_REQUESTED),
    D.REFER_OTHER_AGENCY: (EventCode.EME, R.REFERRED_TO_OTHER_AGENCY),
    D.RELEASE_NO_CHARGE: (EventCode.EDC, R.RELEASED_NO_CHARGE),
    D.RELEASE_CHARGES_DUE: (EventCode.EDC, R.RELEASED_CHARGES_DUE),
    D.RELEASED: (EventCode.EDC, R.RELEASED_CHARGES_PAID),
    D.RETURN_TO_SENDER: (EventCode.EDX, R.RETURNED_BY_CUSTOMS),
    D.SEIZED: (EventCode.EDX, R.SEIZED),
}


def customs_event(*, decision_code: str, at: datetime, office: str) -> dict[str, str] | None:
    """The tracking event a decision makes, as the postal API shows it; None for a decision that makes none."""
    event = CUSTOMS_EVENTS.get(decision_code)
    if event is None:
        return None
    code, reason = event
    return {"code": code, "reasonCode": reason, "office": office, "at": at.isoformat().replace("+00:00", "Z")}


def arrival_offices(*, consignment_ids: Iterable[int]) -> dict[int, str]:
    """{item: the office of exchange it is at}: its customs office, else that of its first arrival event, else ""."""
    ids = set(consignment_ids)
    offices = dict(Consignment.objects.filter(pk__in=ids, office__isnull=False).values_list("pk", "office__code"))
    arrivals = (
        ConsignmentEvent.objects.filter(consignment_id__in=ids - set(offices), code=EventCode.EMD)
        .exclude(office_code="")
        .order_by("consignment_id", "occurred_at")
        .values_list("consignment_id", "office_code")
    )
    for pk, office in arrivals:
        offices.setdefault(pk, office)
    return {pk: offices.get(pk, "") for pk in ids}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    code: str
    text: str
    office: str
    by_customs: bool


def consignment_timeline(*, consignment: Consignment) -> list[TimelineEntry]:
    """The item's tracking events, the operator's and customs', oldest first, each in the reader's language."""
    entries = [
        TimelineEntry(event.occurred_at, event.code, str(EventCode(event.code).label), event.office_code, False)
        for event in ConsignmentEvent.objects.filter(consignment_id=consignment.pk).order_by("occurred_at", "id")
    ]
    office = arrival_offices(consignment_ids=[consignment.pk])[consignment.pk]
    for code, at in (
        Decision.objects.filter(consignment_id=consignment.pk).order_by("sequence").values_list("code", "decided_at")
    ):
        if event := CUSTOMS_EVENTS.get(code):
            entries.append(TimelineEntry(at, event[0], str(CustomsEventReason(event[1]).label), office, True))
    return sorted(entries, key=lambda entry: entry.at)
