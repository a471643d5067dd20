"""Reads of the postal API, always scoped to one operator."""

from __future__ import annotations

from django.db.models import QuerySet

from clearance.choices import DecisionCode
from clearance.models import Consignment, Decision
from clearance.selectors import consignment_ids_by_item
from payments.models import Case
from payments.selectors import assessment_current


def item_for_operator(*, operator_id: int, item_id: str) -> Consignment | None:
    """The operator's own item, or None: another operator's item is not found either.

    The key is read first so that only the item's own monthly partition is searched.
    """
    ids = consignment_ids_by_item(operator_id=operator_id, item_ids=[item_id])
    return Consignment.objects.filter(pk=ids[item_id]).first() if ids else None


def latest_decision(*, consignment: Consignment) -> Decision | None:
    return consignment.decisions.order_by("-sequence").first()


def latest_charges(*, consignment: Consignment) -> dict[str, str] | None:
    decision = (
        consignment.decisions.filter(code=DecisionCode.RELEASE_CHARGES_DUE)
        .order_by("-sequence")
        .only("charges")
        .first()
    )
    return decision.charges if decision else None


def current_charges(*, consignment: Consignment) -> dict[str, str] | None:
    """The item's charges as customs assesses them now: a correction, an inspection's duty, a case upheld.

    An item's last customs response with charges may be older than its
    assessment (corrected to nothing, say): the operator reading the item
    must see what is due now, never a superseded amount. None when no amount
    could be worked out, or for an item never assessed (then the last
    response's, if any).
    """
    assessment = assessment_current(consignment=consignment)
    if assessment is None:
        return latest_charges(consignment=consignment)
    return None if assessment.charges_unknown else assessment.charges()


def responses_after(*, operator_id: int, after: int, limit: int) -> QuerySet[Decision]:
    """The operator's customs responses after a sequence number, oldest first."""
    return (
        Decision.objects.filter(operator_id=operator_id, sequence__gt=after)
        .select_related("consignment")
        .only("sequence", "code", "reason", "charges", "decided_at", "consignment__item_id")
        .order_by("sequence")[:limit]
    )


def case_for_operator(*, operator_id: int, case_id: int) -> Case | None:
    """A case about one of the operator's items; another operator's case is not found."""
    if not 0 < case_id < 2**63:
        return None
    return Case.objects.select_related("consignment").filter(pk=case_id, consignment__operator_id=operator_id).first()
