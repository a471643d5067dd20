"""Tracking events (EMSEVT-like) from operators: checked against the item's state and earlier events, then stamped.

A decision may be taken before arrival; it takes effect when the item arrives
(the operator holds the decision until then). Each stamp keeps the first time
an event was seen, so a late duplicate cannot move it.

An event is judged against the item it is about:

- none is in the future (postal.validation: a few minutes of clock skew at most);
- presentation (EDB) comes after arrival (EMD, earlier or in the same batch) and
  never before it: an EDB sent ahead cannot make a release final;
- no other event (retention, return from customs, departure, the delivery
  office's, a delivery attempt, delivery, return to the sender) is dated before
  the arrival when it is known, and none of the delivery office's (arrival
  there, out for delivery, pick-up point, attempt, delivery) before the
  departure from the office of exchange;
- departure (EMF) and delivery (EMI) are what happened to the goods, so they are
  kept; but goods that leave while customs has not let them go (held, awaiting
  payment, seized, delivered after being reported returned) are recorded as
  goods out of control, with the charges at stake as the operator's liability,
  for officers to follow up;
- a return (EDX) asks for a refund of what was paid (payments.refunds decides);
- an arrival (EMD) of an item never pre-advised records it and holds it for an
  officer (postal.unannounced); any other event of an unknown item is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from psycopg2.extras import execute_values

from clearance.choices import ConsignmentState, EventCode
from clearance.models import Consignment, ConsignmentEvent, PostalOperator
from clearance.selectors import consignment_ids_by_item
from core.actors import Actor
from core.services import audit_entries_create
from payments.ledger import DUE_STATES, ledgers_for
from payments.models import Assessment
from payments.tasks import consignments_refund_returned
from postal.choices import ItemStatus
from postal.models import GoodsOutOfControl
from postal.unannounced import consignments_record_unannounced

STAMP_COLUMNS = {
    EventCode.EMD: "arrived_at",
    EventCode.EDB: "presented_at",
    EventCode.EMF: "exited_at",
    EventCode.EMI: "delivered_at",
}
# Where customs has let the goods go: they may leave the office (EMF) or reach the addressee (EMI). Goods referred
# to another agency wait for its answer and customs' decision after it.
MAY_LEAVE = {
    EventCode.EMF: frozenset({ConsignmentState.RELEASED, ConsignmentState.RETURNED}),
    EventCode.EMI: frozenset({ConsignmentState.RELEASED}),
}


@dataclass
class EventOutcome:
    item_id: str
    status: str  # ItemStatus: ACCEPTED, DUPLICATE or REJECTED
    errors: list[dict[str, str]]


@transaction.atomic
def consignment_events_record(
    *, operator: PostalOperator, events: list[dict], actor: Actor | None = None
) -> list[EventOutcome]:
    """Store validated events of the operator's items; unknown items and events out of order are rejected.

    `actor`: who reports them, when not the operator (an officer scanning a parcel at the office).
    """
    ids = consignment_ids_by_item(operator_id=operator.pk, item_ids=(e["itemId"] for e in events))
    ids.update(_unannounced(operator, events, ids, actor))
    known = [e for e in events if e["itemId"] in ids]
    refused = _out_of_order(known, ids)
    kept = [e for e in known if id(e) not in refused]
    inserted = _insert(kept, ids)
    _stamp(kept, ids, inserted)
    _goods_out_of_control(operator, kept, ids, inserted)
    if returned := sorted({pk for pk, code, _ in inserted if code == EventCode.EDX}):
        transaction.on_commit(lambda: consignments_refund_returned.delay(returned), robust=True)
    return [_outcome(event, ids, inserted, refused) for event in events]


def _unannounced(
    operator: PostalOperator, events: list[dict[str, Any]], ids: dict[str, int], actor: Actor | None
) -> dict[str, int]:
    """Arrivals of items never pre-advised are recorded and held (postal.unannounced): {item id: new item}."""
    arrivals: dict[str, datetime] = {}
    for event in events:
        if event["code"] == EventCode.EMD and event["itemId"] not in ids:
            arrivals[event["itemId"]] = min(arrivals.get(event["itemId"], event["at"]), event["at"])
    return consignments_record_unannounced(operator=operator, arrivals=arrivals, actor=actor) if arrivals else {}


# Every import event but the arrival happens at the office of exchange or after it: never before the
# arrival. A presentation needs the arrival first (an EDB sent ahead cannot make a release final);
# the delivery office's events come after the goods left the office of exchange, when that is known.
AFTER_ARRIVAL = frozenset(EventCode) - {EventCode.EMD}
NEEDS_ARRIVAL = frozenset({EventCode.EDB})
AFTER_DEPARTURE = frozenset({EventCode.EMG, EventCode.EDG, EventCode.EDH, EventCode.EMH, EventCode.EMI})


def _out_of_order(events: list[dict[str, Any]], ids: dict[str, int]) -> dict[int, dict[str, str]]:
    """{id(event): error} for events before the item's arrival, or a delivery before its departure."""
    checked = [e for e in events if e["code"] in AFTER_ARRIVAL]
    if not checked:
        return {}
    pks = {ids[e["itemId"]] for e in checked}
    arrived, departed = _earliest(events, ids, pks)
    refused = {}
    for event in checked:
        pk = ids[event["itemId"]]
        if error := _ordering_error(event, arrived.get(pk), departed.get(pk)):
            refused[id(event)] = error
    return refused


def _earliest(
    events: list[dict[str, Any]], ids: dict[str, int], pks: set[int]
) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """The items' earliest arrival and departure: stamped already, or in this batch."""
    rows = Consignment.objects.filter(pk__in=pks).values_list("pk", "arrived_at", "exited_at")
    arrived = {pk: at for pk, at, _ in rows if at is not None}
    departed = {pk: at for pk, _, at in rows if at is not None}
    for event in events:
        pk = ids[event["itemId"]]
        stamps = {EventCode.EMD: arrived, EventCode.EMF: departed}.get(event["code"])
        if pk in pks and stamps is not None:
            stamps[pk] = min(stamps.get(pk, event["at"]), event["at"])
    return arrived, departed


def _ordering_error(
    event: dict[str, Any], arrival: datetime | None, departure: datetime | None
) -> dict[str, str] | None:
    """The error of an event dated before the item's arrival, or a delivery office's before its departure."""
    label = EventCode(event["code"]).label
    if arrival is None and event["code"] in NEEDS_ARRIVAL:
        return {
            "field": "code",
            "code": "not_arrived",
            "message": "An item is presented to customs after it arrives: send its arrival (EMD) first.",
        }
    if arrival is not None and event["at"] < arrival:
        return {
            "field": "at",
            "code": "before_arrival",
            "message": f"The item arrived at {arrival.isoformat()}: '{label}' cannot come before.",
        }
    if departure is not None and event["code"] in AFTER_DEPARTURE and event["at"] < departure:
        return {
            "field": "at",
            "code": "before_departure",
            "message": f"The item left the office of exchange at {departure.isoformat()}: '{label}' cannot come "
            "before.",
        }
    return None


def _insert(events: list[dict], ids: dict[str, int]) -> set[tuple[int, str, datetime]]:
    if not events:
        return set()
    table = ConsignmentEvent._meta.db_table
    rows = [(ids[e["itemId"]], e["code"], e["at"], e["office"]) for e in events]
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor.cursor,
            f"INSERT INTO {table} (consignment_id, code, occurred_at, office_code, received_at) "  # noqa: S608
            "VALUES %s ON CONFLICT (consignment_id, code, occurred_at) DO NOTHING "
            "RETURNING consignment_id, code, occurred_at",
            rows,
            template="(%s, %s, %s, %s, now())",
            fetch=True,
        )
    return {(row[0], row[1], row[2]) for row in returned}


def _stamp(events: list[dict], ids: dict[str, int], inserted: set) -> None:
    earliest: dict[tuple[str, int], datetime] = {}
    for event in events:
        key = (event["code"], ids[event["itemId"]])
        if (key[1], event["code"], event["at"]) in inserted:
            earliest[key] = min(earliest.get(key, event["at"]), event["at"])
    table = Consignment._meta.db_table
    for code, column in STAMP_COLUMNS.items():
        values = [(pk, at) for (event_code, pk), at in earliest.items() if event_code == code]
        if not values:
            continue
        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                f"UPDATE {table} AS c SET {column} = LEAST(COALESCE(c.{column}, v.at), v.at) "  # noqa: S608
                "FROM (VALUES %s) AS v(id, at) WHERE c.id = v.id",
                values,
                template="(%s, %s::timestamptz)",
            )


def _goods_out_of_control(
    operator: PostalOperator, events: list[dict], ids: dict[str, int], inserted: set[tuple[int, str, datetime]]
) -> None:
    """Record each departure or delivery of goods customs had not let go, with the operator's liability."""
    leaving = [(pk, code, at) for pk, code, at in inserted if code in MAY_LEAVE]
    if not leaving:
        return
    pks = sorted({pk for pk, _, _ in leaving})
    states = dict(Consignment.objects.filter(pk__in=pks).values_list("pk", "state"))
    returned = set(
        ConsignmentEvent.objects.filter(consignment_id__in=pks, code=EventCode.EDX).values_list(
            "consignment_id", flat=True
        )
    )
    breaches = []
    for pk, code, at in sorted(leaving):
        state = states[pk]
        if state not in MAY_LEAVE[code]:
            reason = f"{EventCode(code).label} reported while the item is {ConsignmentState(state).label.lower()}."
        elif code == EventCode.EMI and pk in returned:
            reason = "Delivered after the operator reported it returned to the sender."
        else:
            continue
        breaches.append((pk, code, at, state, reason))
    if not breaches:
        return
    liabilities = _liabilities([pk for pk, *_ in breaches], states)
    rows = [
        GoodsOutOfControl(
            operator=operator,
            consignment_id=pk,
            event_code=code,
            occurred_at=at,
            state=state,
            reason=reason[:300],
            liability=liabilities.get(pk, (Decimal("0"), ""))[0],
            currency=liabilities.get(pk, (Decimal("0"), ""))[1],
        )
        for pk, code, at, state, reason in breaches
    ]
    GoodsOutOfControl.objects.bulk_create(rows, ignore_conflicts=True)
    audit_entries_create(
        model=Consignment,
        target_ids=[row.consignment_id for row in rows],
        action="postal.consignment.out_of_control",
        actor=Actor.for_operator(operator.code),
        reason="Goods left customs control without a release.",
        payloads={
            row.consignment_id: {
                "event": row.event_code,
                "state": row.state,
                "liability": str(row.liability),
                "currency": row.currency,
            }
            for row in rows
        },
    )


def _liabilities(pks: list[int], states: dict[int, str]) -> dict[int, tuple[Decimal, str]]:
    """The charges at stake: what was asked and not kept (write-offs aside), the assessed total elsewhere."""
    ledgers = ledgers_for(consignment_ids=pks)
    rows = Assessment.objects.filter(consignment_id__in=pks, is_current=True).values_list(
        "consignment_id", "total", "currency"
    )
    assessed = {pk: (total, currency) for pk, total, currency in rows}
    result = {}
    for pk in pks:
        if states[pk] in DUE_STATES:
            account = ledgers[pk]
            result[pk] = (max(account.due - account.settled, Decimal("0")), account.currency)
        else:
            result[pk] = assessed.get(pk, (Decimal("0"), ""))
    return result


def _outcome(event: dict, ids: dict[str, int], inserted: set, refused: dict[int, dict[str, str]]) -> EventOutcome:
    pk = ids.get(event["itemId"])
    if pk is None:
        error = {"field": "itemId", "code": "unknown_item", "message": "No pre-advice of yours has this itemId."}
        return EventOutcome(event["itemId"], ItemStatus.REJECTED, [error])
    if id(event) in refused:
        return EventOutcome(event["itemId"], ItemStatus.REJECTED, [refused[id(event)]])
    status = ItemStatus.ACCEPTED if (pk, event["code"], event["at"]) in inserted else ItemStatus.DUPLICATE
    return EventOutcome(event["itemId"], status, [])
