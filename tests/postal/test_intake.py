"""The intake builds new items' rows in PostgreSQL from their JSON: they must be what the item says."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict

from clearance.choices import ConsignmentState
from clearance.models import AddresseeMatchKey, Consignment, ConsignmentVersion, ItemKey
from core.models import AuditEntry
from postal import intake
from postal.validation import validate_item
from tests.postal.payloads import item

pytestmark = pytest.mark.django_db


def awkward_item(serial: int) -> dict:
    """Quotes, backslashes, non-Latin text, numbers as the parser gives them, optional fields left out."""
    lines = [
        {
            "description": 'Phone case "Ultra" \\ 2-pack',
            "quantity": 2,
            "netWeightKg": "0.120",
            "value": "3.10",
            "hsCode": "392690",
            "originCountry": "CN",
        },
        {
            "description": "Ткань, шёлк 絲綢",
            "quantity": 1,
            "netWeightKg": Decimal("0.5"),
            "value": 40,
            "hsCode": "500720",
            "originCountry": "uz",
        },
        {
            "description": "Bracelet",
            "quantity": 1_000_000,
            "netWeightKg": "0.010",
            "value": "0.01",
            "hsCode": "7117190000",
            "originCountry": "IN",
        },
    ]
    data = item(serial, contents=lines, grossWeightKg="2.000", platform="Ünïcode Shop 'x'")
    del data["postalCharges"], data["insurance"]
    data["sender"] = {"name": "O'Brien \\ Sons", "country": "ie"}
    return data


LINE_FIELDS = ["position", "description", "quantity", "net_weight_kg", "value", "hs_code", "origin_country"]


def outcome_digest(validated: dict) -> str:
    return intake.content_hash(intake.canonical_json(validated))


def test_a_new_item_is_stored_exactly_as_its_validated_content_says(operator):
    validated, errors = validate_item(awkward_item(11111111), 0)
    assert errors == []

    (outcome,) = intake.consignments_receive(operator=operator, message_id="M-1", items=[validated])

    stored = Consignment.objects.get(pk=outcome.consignment_id)
    assert outcome.status == intake.ACCEPTED
    expected = intake._columns(validated)
    assert model_to_dict(stored, fields=list(expected)) == expected
    keys = set(AddresseeMatchKey.objects.filter(consignment_id=stored.pk).values_list("key", flat=True))
    assert keys == set(intake._addressee_match_keys(validated)) and any(k.startswith("name:") for k in keys)
    assert str(stored.total_value) == "43.11" and str(stored.postal_charges) == "0.00"
    assert (stored.state, stored.version, stored.lane, stored.risk_score) == (ConsignmentState.PRE_ADVISED, 1, "", None)
    assert (stored.operator_id, stored.message_id, stored.content_hash) == (
        operator.pk,
        "M-1",
        outcome_digest(validated),
    )
    assert stored.pre_advised_at == stored.state_changed_at == stored.created_at
    assert list(stored.lines.order_by("position").values(*LINE_FIELDS)) == [
        {key: line[key] for key in LINE_FIELDS} for line in intake._lines(stored.pk, validated)
    ]
    version = ConsignmentVersion.objects.get(consignment=stored)
    assert (version.number, version.message_id, version.received_at) == (1, "M-1", stored.pre_advised_at)
    assert version.data == intake.json.loads(intake.canonical_json(validated))
    assert ItemKey.objects.get(consignment=stored).item_id == validated["itemId"]
    audit = AuditEntry.objects.get(target_id=stored.pk, target_type=ContentType.objects.get_for_model(Consignment))
    assert (audit.action, audit.actor_label, audit.at) == (
        "clearance.consignment.pre_advised",
        f"operator:{operator.code}",
        stored.pre_advised_at,
    )
    assert audit.payload == {"to": "PRE_ADVISED", "version": 1, "messageId": "M-1"}


def test_each_new_item_of_a_batch_gets_its_own_rows_in_order(operator):
    items = [validate_item(item(20_000_000 + n, platform=f"shop-{n}"), n)[0] for n in range(50)]

    outcomes = intake.consignments_receive(operator=operator, message_id="M-2", items=items)

    stored = {c.pk: c for c in Consignment.objects.filter(pk__in=[o.consignment_id for o in outcomes])}
    assert [(stored[o.consignment_id].item_id, stored[o.consignment_id].platform) for o in outcomes] == [
        (data["itemId"], data["platform"]) for data in items
    ]
    assert AuditEntry.objects.filter(target_id__in=stored).count() == 50


def test_an_item_id_stored_by_another_request_meanwhile_makes_the_intake_try_again(operator, monkeypatch):
    validated = validate_item(item(30_000_000), 0)[0]
    first_look = intake.consignment_ids_by_item
    calls = []

    def stale_first_look(**kwargs):
        # The first look misses the key, as when another request commits it just after.
        calls.append(kwargs)
        return {} if len(calls) == 1 else first_look(**kwargs)

    intake.consignments_receive(operator=operator, message_id="M-3", items=[validated])
    monkeypatch.setattr(intake, "consignment_ids_by_item", stale_first_look)

    (outcome,) = intake.consignments_receive(operator=operator, message_id="M-3", items=[validated])

    assert outcome.status == intake.DUPLICATE and len(calls) == 2
    assert Consignment.objects.filter(item_id=validated["itemId"]).count() == 1
