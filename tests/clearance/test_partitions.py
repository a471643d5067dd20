"""The item table's monthly partitions: ids carry the month, keys stay unique across months."""

import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clearance import partitions
from clearance.models import Consignment, ItemKey
from clearance.selectors import consignment_ids_by_item
from clearance.tasks import consignment_partitions_ahead
from core import s10
from tests.factories import ConsignmentFactory
from tests.postal.payloads import batch, item

pytestmark = [pytest.mark.django_db, pytest.mark.services]
URL = "/api/v1/postal/items"
MARCH_2024 = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)


def partition_of(consignment: Consignment) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM clearance_consignment WHERE id = %s", [consignment.pk])
        return cursor.fetchone()[0]


def test_an_item_lands_in_its_pre_advice_months_partition_made_on_demand():
    consignment = ConsignmentFactory(pre_advised_at=MARCH_2024)
    assert partitions.month_of_id(consignment.pk) == date(2024, 3, 1)
    assert partition_of(consignment) == "clearance_consignment_2024_03"
    assert ItemKey.objects.get(pk=consignment.pk).item_id == consignment.item_id


def test_month_numbers_read_times_in_utc():
    # 00:30 on 1 April in Sarajevo is still March in UTC.
    sarajevo_first_of_april = datetime.fromisoformat("2024-04-01T00:30:00+02:00")
    assert partitions.month_of(partitions.month_number(sarajevo_first_of_april)) == date(2024, 3, 1)
    assert partitions.month_of(partitions.month_number(date(2000, 1, 1))) == date(2000, 1, 1)


def test_the_database_refuses_a_pre_advice_time_outside_the_items_month():
    consignment = ConsignmentFactory(pre_advised_at=MARCH_2024)
    with pytest.raises(IntegrityError, match="consignment_id_in_pre_advice_month"), transaction.atomic():
        Consignment.objects.filter(pk=consignment.pk).update(pre_advised_at=datetime(2024, 4, 1, 1, tzinfo=UTC))
    Consignment.objects.filter(pk=consignment.pk).update(pre_advised_at=datetime(2024, 3, 2, tzinfo=UTC))


def test_an_item_id_stays_unique_per_operator_across_months():
    first = ConsignmentFactory(pre_advised_at=MARCH_2024)
    with pytest.raises(IntegrityError, match="item_key_unique_operator_item"), transaction.atomic():
        ConsignmentFactory(operator=first.operator, item_id=first.item_id)
    assert ConsignmentFactory(item_id=first.item_id).operator != first.operator  # another operator's may


def test_new_content_for_an_item_of_an_earlier_month_amends_that_item(operator_client, operator):
    earlier = ConsignmentFactory(operator=operator, item_id=s10.make("RB", 12345678, "GB"), pre_advised_at=MARCH_2024)
    response = operator_client.post(URL, data=json.dumps(batch(item())), content_type="application/json")
    assert response.json()["results"][0]["status"] == "AMENDED"
    assert Consignment.objects.get(operator=operator, item_id=earlier.item_id).version == earlier.version + 1
    assert Consignment.objects.filter(item_id=earlier.item_id).count() == 1


def test_a_new_item_stored_meanwhile_by_another_request_is_caught_by_its_key(operator_client, operator, monkeypatch):
    """The key's unique index stops the second insert; the retry then sees the stored item."""
    stored = ConsignmentFactory(operator=operator, item_id=s10.make("RB", 12345678, "GB"))
    lookups = []

    def lookup_missing_the_first_time(**kwargs):
        lookups.append(kwargs)
        return {} if len(lookups) == 1 else consignment_ids_by_item(**kwargs)

    monkeypatch.setattr("postal.intake.consignment_ids_by_item", lookup_missing_the_first_time)
    response = operator_client.post(URL, data=json.dumps(batch(item())), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "AMENDED"
    assert len(lookups) == 2
    assert list(Consignment.objects.filter(item_id=stored.item_id).values_list("pk", flat=True)) == [stored.pk]


def test_beat_makes_this_and_the_coming_months_once(settings):
    settings.OPENCLEAR_PARTITIONS_AHEAD_MONTHS = 14
    this_month = partitions.month_number(timezone.now())
    expected = {partitions.partition_name(n) for n in range(this_month, this_month + 15)}
    made = consignment_partitions_ahead()
    assert made and set(made) <= expected
    assert expected <= {p.name for p in partitions.partitions_list()}
    assert consignment_partitions_ahead() == []


def test_the_command_makes_a_named_month_and_lists_the_partitions(capsys):
    call_command("consignment_partitions", "--month", "2019-07")
    out = capsys.readouterr().out
    assert "made clearance_consignment_2019_07" in out
    assert "clearance_consignment_2019_07\t2019-07\t~" in out
    call_command("consignment_partitions", "--month", "2019-07")
    assert "made" not in capsys.readouterr().out


def test_foreign_key_checks_against_the_partitions_use_one_cached_plan():
    """Re-planned per row, the checks of every version, line and key made ingest 40 % slower."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
