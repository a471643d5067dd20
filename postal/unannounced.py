"""Parcels that arrive unannounced: an arrival (EMD) for an S10 id the operator never pre-advised.

Customs must not lose sight of exactly these parcels. The arrival records an
item of the operator's with no declaration (version 0, `unannounced` set),
holds it for an officer, and tells the operator on its feed and webhook (a
HOLD_INSPECTION response saying why). Its pre-advice, when it comes, attaches
to the item (postal.intake): a first version of an item an officer holds, so
it is scored and stays in front of the officer, never released without both.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from clearance import transitions as T
from clearance.choices import ConsignmentState, ItemCategory
from clearance.models import Consignment, PostalOperator
from clearance.selectors import consignment_ids_by_item
from clearance.services import consignments_transition
from core.actors import Actor
from core.services import audit_entries_create

# The customs response's reason and the audit trail's; officer.audit_text shows it translated.
HOLD_REASON = gettext_noop("Arrived without pre-advice: held until the operator sends its data and an officer decides.")
ACTOR = Actor.system("unannounced-arrival")


def consignments_record_unannounced(
    *, operator: PostalOperator, arrivals: dict[str, datetime], actor: Actor | None = None
) -> dict[str, int]:
    """Record and hold an item for each arrival ({item id: time}) with no pre-advice; {item id: consignment id}.

    `actor`: who found the parcel (the operator's arrival event by default, or an officer's scan).

    A pre-advice of one of these stored meanwhile by another request wins: its
    item is returned instead, and the arrival is its event like any other.
    """
    now = timezone.now()
    created: dict[str, int] = {}
    raced: list[str] = []
    for item_id in sorted(arrivals):
        try:
            with transaction.atomic():  # a savepoint: the key another request stored meanwhile wins
                created[item_id] = _placeholder(operator, item_id, now).pk
        except IntegrityError:
            raced.append(item_id)
    if created:
        audit_entries_create(
            model=Consignment,
            target_ids=list(created.values()),
            action="clearance.consignment.arrived_unannounced",
            actor=actor or Actor.for_operator(operator.code),
            reason="",
            payloads={
                pk: {"to": ConsignmentState.PRE_ADVISED, "arrivedAt": arrivals[item_id].isoformat()}
                for item_id, pk in created.items()
            },
            at=now,
        )
        consignments_transition(
            transition=T.HOLD_UNANNOUNCED, consignment_ids=list(created.values()), actor=ACTOR, reason=HOLD_REASON
        )
    if raced:
        created.update(consignment_ids_by_item(operator_id=operator.pk, item_ids=raced))
    return created


def _placeholder(operator: PostalOperator, item_id: str, now: datetime) -> Consignment:
    """An item known only by its id: no declaration yet (version 0), nothing declared."""
    consignment = Consignment(
        operator=operator,
        item_id=item_id,
        unannounced=True,
        version=0,
        content_hash="",
        category=ItemCategory.OTHER,
        sender_name="",
        sender_country="",
        addressee_name="",
        addressee_country="",
        gross_weight_kg=Decimal("0"),
        currency="",
        total_value=Decimal("0"),
        pre_advised_at=now,
        state_changed_at=now,
    )
    consignment.save()
    return consignment
