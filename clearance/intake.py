"""Receiving pre-advice: new items, duplicates and amendments, in bulk.

The postal API validates each item and hands the valid ones here. One
transaction stores the whole batch with COPY (no query per item),
writes the audit entries, and enqueues risk scoring in chunks after commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from clearance import transitions as T
from clearance.choices import AMENDABLE_STATES, ConsignmentState
from clearance.models import Consignment, ConsignmentVersion, ContentLine, ItemKey, PostalOperator
from clearance.partitions import consignment_ids_new
from clearance.selectors import consignment_ids_by_item
from clearance.services import ItemChange, consignments_enqueue_assessment, consignments_transition
from core.actors import Actor
from core.db import JsonText, copy_rows
from core.normalize import party_key
from core.services import audit_entries_create

ACCEPTED, DUPLICATE, AMENDED, REJECTED = "ACCEPTED", "DUPLICATE", "AMENDED", "REJECTED"
INSERT_RETRIES = 3


@dataclass
class Received:
    item: dict[str, Any]
    canonical: JsonText
    digest: str


@dataclass
class ItemOutcome:
    item_id: str
    status: str
    errors: list[dict[str, str]]
    consignment_id: int | None = None


def canonical_json(item: dict[str, Any]) -> JsonText:
    """The item as sorted, compact JSON (amounts as strings): hashed for duplicates, stored as the version."""
    return JsonText(json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str))


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def _columns(item: dict[str, Any]) -> dict[str, Any]:
    """Model columns of a validated item (api.md names -> Consignment fields)."""
    columns = {
        "category": item["category"],
        "gross_weight_kg": item["grossWeightKg"],
        "currency": item["currency"],
        "total_value": sum((line["value"] for line in item["contents"]), Decimal("0")),
        "postal_charges": item["postalCharges"] or Decimal("0"),
        "insurance": item["insurance"] or Decimal("0"),
        "ioss_number": item["iossNumber"],
        "platform": item["platform"],
    }
    for party in ("sender", "addressee"):
        for key, value in item[party].items():
            columns[f"{party}_{key}"] = value
        columns[f"{party}_key"] = party_key(
            name=item[party]["name"], postcode=item[party]["postcode"], country=item[party]["country"]
        )
    return columns


def _lines(consignment_id: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "consignment_id": consignment_id,
            "position": position,
            "description": line["description"],
            "quantity": line["quantity"],
            "net_weight_kg": line["netWeightKg"],
            "value": line["value"],
            "hs_code": line["hsCode"],
            "origin_country": line["originCountry"],
        }
        for position, line in enumerate(item["contents"], start=1)
    ]


def consignments_receive(
    *, operator: PostalOperator, message_id: str, items: list[dict[str, Any]]
) -> list[ItemOutcome]:
    """Store a batch of validated items; one outcome per item, in order.

    New items are ACCEPTED; an item identical to what is stored is a DUPLICATE
    (no change); new content for an item without a final decision is AMENDED
    (a new version, scored again); new content after a final decision, or
    while payment is under way, is REJECTED.
    """
    for attempt in range(INSERT_RETRIES):
        try:
            with transaction.atomic():
                return _receive(operator, message_id, items)
        except IntegrityError:
            # Another request inserted one of these new items meanwhile: on the
            # next attempt it is an existing item (duplicate or amendment).
            if attempt == INSERT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _receive(operator: PostalOperator, message_id: str, items: list[dict[str, Any]]) -> list[ItemOutcome]:
    now = timezone.now()
    canonicals = [canonical_json(item) for item in items]
    known = consignment_ids_by_item(operator_id=operator.pk, item_ids={item["itemId"] for item in items})
    existing = {
        row["item_id"]: row
        for row in Consignment.objects.select_for_update()
        .filter(id__in=known.values())
        .order_by("id")
        .values("id", "item_id", "state", "content_hash", "version")
    }
    outcomes: list[ItemOutcome] = []
    new, amended = [], []
    seen: dict[str, str] = {}
    for item, canonical in zip(items, canonicals, strict=True):
        received = Received(item, canonical, content_hash(canonical))
        outcome = _classify(item, received.digest, existing.get(item["itemId"]), seen)
        outcomes.append(outcome)
        if outcome.status == ACCEPTED:
            new.append((received, outcome))
        elif outcome.status == AMENDED:
            amended.append((received, outcome))
    actor = Actor.for_operator(operator.code)
    _create(operator, message_id, new, actor, now)
    _amend(message_id, amended, existing, actor, now)
    consignments_enqueue_assessment(consignment_ids=[o.consignment_id for _, o in new + amended])
    return outcomes


def _classify(item: dict, digest: str, row: dict | None, seen: dict[str, str]) -> ItemOutcome:
    item_id = item["itemId"]
    if item_id in seen:
        if seen[item_id] == digest:
            return ItemOutcome(item_id, DUPLICATE, [], row["id"] if row else None)
        message = "The same itemId appears twice in this batch with different content; send one version."
        return ItemOutcome(item_id, REJECTED, [{"field": "itemId", "code": "conflict_in_batch", "message": message}])
    seen[item_id] = digest
    if row is None:
        return ItemOutcome(item_id, ACCEPTED, [])
    if row["content_hash"] == digest:
        return ItemOutcome(item_id, DUPLICATE, [], row["id"])
    if row["state"] not in AMENDABLE_STATES:
        state = ConsignmentState(row["state"]).label
        message = f"The item is {state}: it can no longer be amended."
        return ItemOutcome(item_id, REJECTED, [{"field": "itemId", "code": "amendment_refused", "message": message}])
    return ItemOutcome(item_id, AMENDED, [], row["id"])


def _create(operator, message_id, new, actor, now) -> None:
    """COPY the new items with ids made first (COPY returns none), their keys, versions and lines."""
    if not new:
        return
    ids = consignment_ids_new(now, len(new))
    # Keys first: a key another request stored meanwhile fails here, before the
    # items are written, as an IntegrityError that makes the intake try again.
    copy_rows(
        ItemKey,
        [
            {"consignment_id": pk, "operator_id": operator.pk, "item_id": received.item["itemId"]}
            for pk, (received, _) in zip(ids, new, strict=True)
        ],
    )
    copy_rows(
        Consignment,
        [
            {
                "id": pk,
                "operator_id": operator.pk,
                "item_id": received.item["itemId"],
                "content_hash": received.digest,
                "message_id": message_id,
                "pre_advised_at": now,
                "state_changed_at": now,
                "created_at": now,
                "updated_at": now,
                **_columns(received.item),
            }
            for pk, (received, _) in zip(ids, new, strict=True)
        ],
    )
    for pk, (_, outcome) in zip(ids, new, strict=True):
        outcome.consignment_id = pk
    _write_versions_and_lines([(pk, 1, received) for pk, (received, _) in zip(ids, new, strict=True)], message_id, now)
    audit_entries_create(
        model=Consignment,
        target_ids=ids,
        action="clearance.consignment.pre_advised",
        actor=actor,
        payloads={pk: {"to": ConsignmentState.PRE_ADVISED, "version": 1, "messageId": message_id} for pk in ids},
        at=now,
    )


def _amend(message_id, amended, existing, actor, now) -> None:
    if not amended:
        return
    ids = [outcome.consignment_id for _, outcome in amended]
    versions = {row["id"]: row["version"] + 1 for row in existing.values()}
    consignments_transition(
        transition=T.AMEND,
        consignment_ids=ids,
        actor=actor,
        reason=f"Amended by message {message_id}" if message_id else "Amended by the operator",
        changes={
            outcome.consignment_id: _amend_change(received, versions[outcome.consignment_id], message_id)
            for received, outcome in amended
        },
        at=now,
    )
    ContentLine.objects.filter(consignment_id__in=ids).delete()
    _write_versions_and_lines(
        [(o.consignment_id, versions[o.consignment_id], received) for received, o in amended], message_id, now
    )


def _amend_change(received: Received, version: int, message_id: str) -> ItemChange:
    fields = {
        **_columns(received.item),
        "content_hash": received.digest,
        "version": version,
        "message_id": message_id,
        "lane": "",
        "risk_score": None,
    }
    return ItemChange(fields=fields, payload={"version": version, "messageId": message_id})


def _write_versions_and_lines(rows: list[tuple[int, int, Received]], message_id: str, now) -> None:
    copy_rows(
        ConsignmentVersion,
        [
            {
                "consignment_id": pk,
                "number": number,
                "received_at": now,
                "message_id": message_id,
                "content_hash": received.digest,
                "data": received.canonical,
            }
            for pk, number, received in rows
        ],
    )
    copy_rows(ContentLine, [line for pk, _, received in rows for line in _lines(pk, received.item)])
