"""The bulk writers of core.db read back exactly what the ORM would have stored."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from clearance.models import Consignment, ConsignmentVersion, ContentLine, PostalOperator
from core.db import JsonText, _prepared, _preparer, copy_objects, copy_rows, reserve_ids
from core.models import AuditEntry
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.services
AWKWARD_TEXTS = ["back\\slash", "tab\there", "new\nline", "carriage\rreturn", "\\N", "Amra Hodžić", "ليلى", ""]


def test_copy_rows_stores_text_with_copy_delimiters_and_escapes_unchanged(db):
    consignment = ConsignmentFactory()
    copy_rows(
        ContentLine,
        [
            {
                "consignment_id": consignment.pk,
                "position": position,
                "description": text,
                "quantity": 1,
                "net_weight_kg": Decimal("0.125"),
                "value": Decimal("10.50"),
                "hs_code": "",
                "origin_country": "",
            }
            for position, text in enumerate(AWKWARD_TEXTS, start=100)
        ],
    )
    stored = list(ContentLine.objects.filter(consignment=consignment, position__gte=100).order_by("position"))
    assert [line.description for line in stored] == AWKWARD_TEXTS
    assert {(line.net_weight_kg, line.value) for line in stored} == {(Decimal("0.125"), Decimal("10.50"))}


def test_copy_rows_writes_null_json_and_defaults_of_left_out_fields(db):
    consignment = ConsignmentFactory()
    at = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
    copy_rows(
        ConsignmentVersion,
        [
            {
                "consignment_id": consignment.pk,
                "number": 7,
                "received_at": at,
                "content_hash": "x" * 64,
                "data": JsonText('{"a":"tab\\there","b":[1,2]}'),
            },
            {
                "consignment_id": consignment.pk,
                "number": 8,
                "received_at": at,
                "content_hash": "y" * 64,
                "data": {"amount": "1.50", "note": "back\\slash"},
            },
        ],
    )
    first, second = ConsignmentVersion.objects.filter(consignment=consignment, number__in=[7, 8]).order_by("number")
    assert first.data == {"a": "tab\there", "b": [1, 2]}
    assert second.data == {"amount": "1.50", "note": "back\\slash"}
    assert first.received_at == at
    assert first.message_id == ""  # left out: the field's default


def test_copy_rows_fills_auto_and_callable_defaults_and_nulls(db):
    consignment = ConsignmentFactory()
    copy_rows(
        AuditEntry,
        [
            {
                "action": "tests.copied",
                "actor_kind": "SYSTEM",
                "actor_user_id": None,
                "actor_label": "tests",
                "target_type_id": ContentType.objects.get_for_model(Consignment).pk,
                "target_id": consignment.pk,
            }
        ],
    )
    entry = AuditEntry.objects.get(action="tests.copied")
    assert entry.actor_user_id is None
    assert entry.payload == {}
    assert entry.at is not None and entry.at.tzinfo is not None


def test_copy_rows_refuses_naive_times_and_unknown_types(db):
    consignment = ConsignmentFactory()
    row = {"consignment_id": consignment.pk, "number": 9, "content_hash": "z" * 64, "data": {}}
    with pytest.raises(ValueError, match="naive"):
        copy_rows(ConsignmentVersion, [{**row, "received_at": datetime(2026, 11, 23, 9, 30)}])  # noqa: DTZ001 (the point)
    with pytest.raises(TypeError, match="cannot be written"):
        copy_rows(ConsignmentVersion, [{**row, "received_at": 1.5}])


def test_reserved_ids_are_new_and_increasing_and_usable(db):
    consignment = ConsignmentFactory()
    existing = ContentLine.objects.create(
        consignment=consignment, position=901, description="Socks", quantity=1, net_weight_kg=1, value=1
    )
    ids = reserve_ids(ContentLine, 3)
    assert len(set(ids)) == 3 and ids == sorted(ids) and min(ids) > existing.pk
    later = ContentLine.objects.create(
        consignment=consignment, position=902, description="Cap", quantity=1, net_weight_kg=1, value=1
    )
    assert later.pk > max(ids)  # the ORM's next row does not collide


def test_a_duplicate_key_in_copy_is_djangos_integrity_error(db):
    consignment = ConsignmentFactory()
    row = {"consignment_id": consignment.pk, "number": 42, "content_hash": "d" * 64, "data": {}}
    copy_rows(ConsignmentVersion, [row])
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_rows(ConsignmentVersion, [row])
    assert ConsignmentVersion.objects.filter(consignment=consignment, number=42).count() == 1


@pytest.mark.parametrize(
    ("model", "name", "values"),
    [
        (ContentLine, "description", ["text", "", None, 5, JsonText("[1]")]),
        (ContentLine, "quantity", [3, 0, None, True, "7", Decimal("2")]),
        (ContentLine, "consignment", [12, None, "12"]),
        (ContentLine, "value", [Decimal("1.50"), 2, "3.25", None]),
        (Consignment, "state_changed_at", [datetime(2026, 11, 23, 9, 30, tzinfo=UTC), None]),
        (AuditEntry, "payload", [{"a": 1}, [], None]),
    ],
)
def test_the_fast_preparation_gives_what_djangos_gives(db, model, name, values):
    def shown(value):  # a JSON value is wrapped for the driver: compare what it wraps
        return type(value), repr(getattr(value, "adapted", value))

    field = model._meta.get_field(name)
    prepare = _preparer(field)
    for value in values:
        assert shown(prepare(value)) == shown(_prepared(field, value)), value


def test_copied_objects_read_back_as_saved_with_auto_times_set(db):
    operators = [PostalOperator(code=f"ZZ{n}", name=text or "-", country="") for n, text in enumerate(AWKWARD_TEXTS)]
    assert all(operator.updated_at is None for operator in operators)

    copy_objects(operators)

    stored = PostalOperator.objects.filter(pk__in=[o.pk for o in operators]).order_by("code")
    assert [(o.code, o.name) for o in stored] == [(f"ZZ{n}", t or "-") for n, t in enumerate(AWKWARD_TEXTS)]
    assert all(o.updated_at is not None and o.created_at is not None for o in stored)
