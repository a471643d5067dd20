"""Tracking events (EMSEVT-like) from operators: they stamp times; a return (EDX) refunds paid charges.

A decision may be taken before arrival; it takes effect when the item arrives
(the operator holds the decision until then). Each stamp keeps the first time
an event was seen, so a late duplicate cannot move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from psycopg2.extras import execute_values

from clearance.choices import EventCode
from clearance.models import Consignment, ConsignmentEvent, PostalOperator
from clearance.selectors import consignment_ids_by_item
from payments.tasks import consignments_refund_returned
from postal.choices import ItemStatus

STAMP_COLUMNS = {
    EventCode.EMD: "arrived_at",
    EventCode.EDB: "presented_at",
    EventCode.EMF: "exited_at",
    EventCode.EMI: "delivered_at",
}


@dataclass
class EventOutcome:
    item_id: str
    status: str  # ItemStatus: ACCEPTED, DUPLICATE or REJECTED
    errors: list[dict[str, str]]


@transaction.atomic
def consignment_events_record(*, operator: PostalOperator, events: list[dict]) -> list[EventOutcome]:
    """Store validated events of the operator's items; unknown items are rejected."""
    ids = consignment_ids_by_item(operator_id=operator.pk, item_ids=(e["itemId"] for e in events))
    known = [e for e in events if e["itemId"] in ids]
    inserted = _insert(known, ids)
    _stamp(known, ids, inserted)
    if returned := sorted({pk for pk, code, _ in inserted if code == EventCode.EDX}):
        transaction.on_commit(lambda: consignments_refund_returned.delay(returned), robust=True)
    return [_outcome(event, ids, inserted) for event in events]


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


def _outcome(event: dict, ids: dict[str, int], inserted: set) -> EventOutcome:
    pk = ids.get(event["itemId"])
    if pk is None:
        error = {"field": "itemId", "code": "unknown_item", "message": "No pre-advice of yours has this itemId."}
        return EventOutcome(event["itemId"], ItemStatus.REJECTED, [error])
    status = ItemStatus.ACCEPTED if (pk, event["code"], event["at"]) in inserted else ItemStatus.DUPLICATE
    return EventOutcome(event["itemId"], status, [])
