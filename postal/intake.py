"""Receiving pre-advice: new items, duplicates and amendments, in bulk.

The postal API validates each item and hands the valid ones here. One
transaction stores the whole batch (new items with one statement, no query
per item), writes the audit entries, and enqueues risk scoring in chunks
after commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clearance import transitions as T
from clearance.choices import AMENDABLE_STATES, ConsignmentState
from clearance.holds import OFFICER_STATES, consignment_ids_under_officer_hold
from clearance.models import (
    AddresseeMatchKey,
    Consignment,
    ConsignmentVersion,
    ContentLine,
    InformationRequest,
    ItemKey,
    PostalOperator,
)
from clearance.partitions import consignment_ids_new
from clearance.selectors import consignment_ids_by_item
from clearance.services import ItemChange, consignments_transition
from core.actors import Actor
from core.db import JsonText, Value, copy_rows, insert_select
from core.models import AuditEntry
from core.normalize import party_key
from postal import contract
from postal.choices import ItemStatus
from risk.names import match_keys
from risk.tasks import consignments_enqueue_assessment

ACCEPTED, DUPLICATE, AMENDED, REJECTED = (
    ItemStatus.ACCEPTED,
    ItemStatus.DUPLICATE,
    ItemStatus.AMENDED,
    ItemStatus.REJECTED,
)
INSERT_RETRIES = 3
# SQL casts of the contract's kinds, for the values the intake reads from the items' JSON.
SQL_CASTS = {contract.Kind.WEIGHT: "numeric", contract.Kind.MONEY: "numeric", contract.Kind.QUANTITY: "integer"}


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
    attaches: bool = False  # the first pre-advice of an item that arrived without one (postal.unannounced)


def canonical_json(item: dict[str, Any]) -> JsonText:
    """The item as sorted, compact JSON (amounts as strings): hashed for duplicates, stored as the version."""
    return JsonText(json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str))


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def _party_keys(item: dict[str, Any]) -> tuple[str, str]:
    """Normalised (name, postcode, country) of sender and addressee, which watchlists and histories match on."""
    return tuple(  # type: ignore[return-value]
        party_key(name=item[party]["name"], postcode=item[party]["postcode"], country=item[party]["country"])
        for party in ("sender", "addressee")
    )


def _addressee_match_keys(item: dict[str, Any]) -> list[str]:
    """What finds the addressee's other parcels again (split shipments, networks): risk.names.match_keys."""
    addressee = item["addressee"]
    return match_keys(
        name=addressee["name"],
        address=addressee.get("address") or "",
        city=addressee.get("city") or "",
        postcode=addressee["postcode"],
        country=addressee["country"],
        phone=addressee.get("phone") or "",
        email=addressee.get("email") or "",
    )


def _columns(item: dict[str, Any]) -> dict[str, Any]:
    """Model columns of a validated item (the contract's JSON names -> Consignment fields)."""
    columns: dict[str, Any] = {}
    for column, path in contract.item_columns().items():
        value: Any = item
        for field in path:
            value = (value or {}).get(field.name)
        columns[column] = _left_out(path[-1].kind) if value is None else value
    columns["total_value"] = sum((line["value"] for line in item["contents"]), Decimal("0"))
    columns["sender_key"], columns["addressee_key"] = _party_keys(item)
    return columns


def _left_out(kind: contract.Kind) -> Any:
    """What a left-out value is stored as: an amount of the item is nothing, a prepaid amount unknown, a text empty."""
    return {contract.Kind.MONEY: Decimal("0"), contract.Kind.AMOUNT: None}.get(kind, "")


def _lines(consignment_id: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "consignment_id": consignment_id,
            "position": position,
            **{field.column: line.get(field.name, _left_out(field.kind)) for field in contract.LINE},
        }
        for position, line in enumerate(item["contents"], start=1)
    ]


def _sql_value(source: str, path: tuple[contract.Field, ...]) -> str:
    """The SQL reading one value of the contract from an item's JSON, left-out values stored as _left_out says."""
    *objects, field = path
    text = source + "".join(f" -> '{holder.name}'" for holder in objects) + f" ->> '{field.name}'"
    if field.kind == contract.Kind.MONEY:
        return f"coalesce(({text})::numeric, 0)"
    if field.kind == contract.Kind.AMOUNT:
        return f"({text})::numeric"
    cast = SQL_CASTS.get(field.kind)
    return f"({text})::{cast}" if cast else f"coalesce({text}, '')"


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
        if outcome.attaches or outcome.status == AMENDED:
            amended.append((received, outcome))
        elif outcome.status == ACCEPTED:
            new.append((received, outcome))
    actor = Actor.for_operator(operator.code)
    _create(operator, message_id, new, actor, now)
    _amend(message_id, amended, existing, actor, now)
    _mark_late([_stored_id(outcome) for _, outcome in amended if outcome.attaches], now)
    consignments_enqueue_assessment(consignment_ids=[_stored_id(o) for _, o in new + amended])
    return outcomes


def _classify(item: dict[str, Any], digest: str, row: Mapping[str, Any] | None, seen: dict[str, str]) -> ItemOutcome:
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
    if row["version"] == 0:  # it arrived unannounced: this is its first declaration, for the officer holding it
        return ItemOutcome(item_id, ACCEPTED, [], row["id"], attaches=True)
    return ItemOutcome(item_id, AMENDED, [], row["id"])


def _mark_late(ids: list[int], now: datetime) -> None:
    """The pre-advice of items that arrived without it came now (the operator's data-quality count)."""
    if ids:
        Consignment.objects.filter(pk__in=ids).update(late_pre_advice_at=now)


def _create(
    operator: PostalOperator, message_id: str, new: list[tuple[Received, ItemOutcome]], actor: Actor, now: datetime
) -> None:
    """Store the new items, their keys, first versions, lines and audit entries in one statement.

    PostgreSQL builds the rows from the items' canonical JSON (already made for
    the hash), so no value is formatted in Python; ids are taken first since the
    outcomes carry them. A key another request stored meanwhile makes the
    statement fail as an IntegrityError, and the intake tries again.
    """
    if not new:
        return
    ids = consignment_ids_new(now, len(new))
    parties = [_party_keys(received.item) for received, _ in new]
    sql, params = _create_statement(operator, message_id, actor, now)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                "[" + ",".join(received.canonical for received, _ in new) + "]",
                ids,
                [received.digest for received, _ in new],
                [sender for sender, _ in parties],
                [addressee for _, addressee in parties],
                # one text per item (arrays of arrays must be rectangular): the keys, a tab between two
                ["\t".join(_addressee_match_keys(received.item)) for received, _ in new],
                *params,
            ],
        )
    for pk, (_, outcome) in zip(ids, new, strict=True):
        outcome.consignment_id = pk


# The batch, one row per new item: its id, digest, party keys and canonical JSON.
NEW_ITEMS = """
    SELECT k.id, k.digest, k.sender_key, k.addressee_key, string_to_array(k.match_keys, E'\t') AS match_keys, e.item
    FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS e(item, n)
    JOIN unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
        WITH ORDINALITY AS k(id, digest, sender_key, addressee_key, match_keys, n) USING (n)
"""
LINES = "new_items, jsonb_array_elements(new_items.item -> 'contents') WITH ORDINALITY AS l(line, position)"


def _create_statement(operator: PostalOperator, message_id: str, actor: Actor, now: datetime) -> tuple[str, list[Any]]:
    content_type = ContentType.objects.get_for_model(Consignment)
    statements = [
        insert_select(
            ItemKey,
            {"consignment_id": "id", "operator_id": Value(operator.pk), "item_id": "item ->> 'itemId'"},
            "new_items",
        ),
        insert_select(
            Consignment,
            {
                "id": "id",
                "operator_id": Value(operator.pk),
                "item_id": "item ->> 'itemId'",
                "content_hash": "digest",
                "message_id": Value(message_id),
                **dict.fromkeys(("pre_advised_at", "state_changed_at", "created_at", "updated_at"), Value(now)),
                **{column: _sql_value("item", path) for column, path in contract.item_columns().items()},
                "total_value": "(SELECT sum((c ->> 'value')::numeric) FROM jsonb_array_elements(item -> 'contents') c)",
                "sender_key": "sender_key",
                "addressee_key": "addressee_key",
            },
            "new_items",
        ),
        insert_select(
            ConsignmentVersion,
            {
                "consignment_id": "id",
                "number": Value(1),
                "received_at": Value(now),
                "message_id": Value(message_id),
                "content_hash": "digest",
                "data": "item",
            },
            "new_items",
        ),
        insert_select(
            AddresseeMatchKey,
            {"consignment_id": "id", "key": "m.key", "pre_advised_at": Value(now)},
            "new_items, unnest(new_items.match_keys) AS m(key)",
        ),
        insert_select(
            ContentLine,
            {
                "consignment_id": "id",
                "position": "position",
                **{field.column: _sql_value("line", (field,)) for field in contract.LINE},
            },
            LINES,
        ),
        insert_select(
            AuditEntry,
            {
                "at": Value(now),
                "action": Value("clearance.consignment.pre_advised"),
                "actor_kind": Value(actor.kind),
                "actor_user_id": Value(actor.user.pk if actor.user else None),
                "actor_label": Value(actor.label),
                "target_type_id": Value(content_type.pk),
                "target_id": "id",
                "reason": Value(""),
                "payload": Value({"to": ConsignmentState.PRE_ADVISED, "version": 1, "messageId": message_id}),
            },
            "new_items",
        ),
    ]
    # Data-modifying CTEs run once each, all on the same rows; the deferred
    # foreign keys are checked at commit.
    ctes = ",\n".join(f"write_{n} AS ({sql})" for n, (sql, _) in enumerate(statements[:-1]))
    sql = f"WITH new_items AS MATERIALIZED ({NEW_ITEMS}),\n{ctes}\n{statements[-1][0]}"
    return sql, [param for _, params in statements for param in params]


def _amend(
    message_id: str,
    amended: list[tuple[Received, ItemOutcome]],
    existing: Mapping[str, Mapping[str, Any]],
    actor: Actor,
    now: datetime,
) -> None:
    """New versions of known items: re-scored from the start, unless an officer has them in hand.

    An item in front of an officer (held, information asked, claimed, a
    seizure proposed, inspected, or released by an officer with charges due)
    stays there: the new version is stored and re-scored for information, but
    its lane is kept and nothing automatic can release it.
    """
    if not amended:
        return
    states = {row["id"]: row["state"] for row in existing.values()}
    versions = {row["id"]: row["version"] + 1 for row in existing.values()}
    ids = [_stored_id(outcome) for _, outcome in amended]
    controlled = consignment_ids_under_officer_hold({pk: states[pk] for pk in ids})
    groups: dict[Any, list[int]] = {
        T.AMEND: [pk for pk in ids if pk not in controlled],
        T.AMEND_HELD: [pk for pk in ids if pk in controlled and states[pk] in OFFICER_STATES],
        T.AMEND_TO_HOLD: [pk for pk in ids if pk in controlled and states[pk] not in OFFICER_STATES],
    }
    received = {_stored_id(outcome): r for r, outcome in amended}
    reason = f"Amended by message {message_id}" if message_id else "Amended by the operator"
    for transition, group in groups.items():
        keep_lane = transition is not T.AMEND
        changes = {pk: _amend_change(received[pk], versions[pk], message_id, keep_lane) for pk in group}
        result = consignments_transition(
            transition=transition, consignment_ids=group, actor=actor, reason=reason, changes=changes, at=now
        )
        if len(result.changed) != len(group):  # the rows are locked: a refusal here is a bug, never a lost item
            raise RuntimeError(f"Amendment refused: {result}")
    _answer_questions(groups[T.AMEND_HELD], states, versions, now)
    ContentLine.objects.filter(consignment_id__in=ids).delete()
    _write_versions_and_lines([(pk, versions[pk], received[pk]) for pk in ids], message_id, now)
    _replace_match_keys(ids, received, now)


def _stored_id(outcome: ItemOutcome) -> int:
    """The id of an item the intake stored (a new or an amended one always has one)."""
    if outcome.consignment_id is None:
        raise ValueError(f"{outcome.item_id} has no stored item.")
    return outcome.consignment_id


def _replace_match_keys(ids: list[int], received: dict[int, Received], now: datetime) -> None:
    """An amended addressee is found again under the amendment's keys only."""
    AddresseeMatchKey.objects.filter(consignment_id__in=ids).delete()
    rows = [
        {"consignment_id": pk, "key": key, "pre_advised_at": now}
        for pk in ids
        for key in _addressee_match_keys(received[pk].item)
    ]
    copy_rows(AddresseeMatchKey, rows)


def _answer_questions(ids: list[int], states: dict[int, str], versions: dict[int, int], now: datetime) -> None:
    """An amendment of an item awaiting information is the operator's answer: it goes back to the queue."""
    for pk in (pk for pk in ids if states[pk] == ConsignmentState.INFO_REQUESTED):
        InformationRequest.objects.filter(consignment_id=pk, answered_at__isnull=True).update(
            answer=f"The operator sent an amended declaration (version {versions[pk]}).", answered_at=now
        )


def _amend_change(received: Received, version: int, message_id: str, keep_lane: bool) -> ItemChange:
    fields = {
        **_columns(received.item),
        "content_hash": received.digest,
        "version": version,
        "message_id": message_id,
    }
    if not keep_lane:  # scored afresh
        fields |= {"lane": "", "risk_score": None}
    return ItemChange(fields=fields, payload={"version": version, "messageId": message_id})


def _write_versions_and_lines(rows: list[tuple[int, int, Received]], message_id: str, now: datetime) -> None:
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
