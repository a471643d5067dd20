"""Every hot query has an index to use: with sequential scans priced out, none scans a whole big table.

On test-sized tables PostgreSQL rightly prefers a sequential scan, so each plan
is read with `enable_seqscan = off`: a sequential scan then still appears only
when no index can answer the query, which is exactly what must not happen.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clearance import selectors
from clearance.choices import ConsignmentState
from clearance.models import Consignment, Decision, ItemKey
from officer import selectors as queue
from performance.models import TrsDay
from postal.selectors import responses_after
from risk.memory import MATCHED_FIELDS, holds_query
from tests.factories import ConsignmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]
# A partition's name starts with its table's: "Seq Scan on clearance_consignment" finds any month's.
BIG_TABLES = (
    "clearance_consignment",
    "clearance_itemkey",
    "clearance_decision",
    "clearance_contentline",
    "risk_riskassessment",
)
NOVEMBER, DECEMBER = datetime(2026, 11, 30, 23, 59, tzinfo=UTC), datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def assert_no_full_scan(text: str) -> None:
    for table in BIG_TABLES:
        assert f"Seq Scan on {table}" not in text, text


@pytest.mark.parametrize(
    "filters",
    [{}, {"lane": "RED"}, {"operator": 1}, {"origin": "CN"}, {"older_than_hours": 24}, {"reason": "goods.brand_word"}],
    ids=["all", "lane", "operator", "origin", "age", "reason"],
)
def test_the_officer_queue(filters):
    text = plan(queue.queue_queryset(queue.QueueFilters(**filters))[:50])
    assert_no_full_scan(text)
    # One of the two queue indexes (consignment_queue_idx, …_lane_idx), as each monthly partition names it.
    assert re.search(r"clearance_consignment_\d{4}_\d{2}_(lane_)?risk_score_id_idx", text), text


def test_the_item_table_is_partitioned_by_month_and_a_lookup_by_id_reads_one_month():
    november, december = ConsignmentFactory(pre_advised_at=NOVEMBER), ConsignmentFactory(pre_advised_at=DECEMBER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tableoid::regclass::text FROM clearance_consignment WHERE id = ANY(%s)",
            [[november.pk, december.pk]],
        )
        homes = dict(cursor.fetchall())
    assert homes == {november.pk: "clearance_consignment_2026_11", december.pk: "clearance_consignment_2026_12"}
    text = plan(Consignment.objects.filter(id__in=[november.pk]))
    assert "clearance_consignment_2026_11" in text and "clearance_consignment_2026_12" not in text, text


def test_the_operator_lookup_of_an_item_and_the_duplicate_check():
    assert_no_full_scan(plan(Consignment.objects.filter(operator_id=1, item_id="RB123456785GB")))
    # The intake's and the events' check: the keys first, then the items by id.
    text = plan(ItemKey.objects.filter(operator_id=1, item_id__in=["RB123456785GB", "RB1"]))
    assert "item_key_unique_operator_item" in text, text
    assert_no_full_scan(plan(Consignment.objects.filter(id__in=[1, 2])))


def test_the_responses_feed():
    text = plan(responses_after(operator_id=1, after=1000, limit=100))
    assert_no_full_scan(text)
    assert "decision_unique_operator_sequence" in text


def test_the_sweep_of_stuck_items():
    cutoff = timezone.now() - timedelta(minutes=5)
    query = Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED, state_changed_at__lt=cutoff)
    assert_no_full_scan(plan(query.order_by("state_changed_at").values_list("id", flat=True)[:50_000]))
    assert selectors.consignment_ids_stuck_pre_advised(older_than=timedelta(minutes=5)) == []


def test_one_day_of_items_for_the_release_time_summaries_and_their_decisions():
    day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert_no_full_scan(
        plan(Consignment.objects.filter(pre_advised_at__gte=day, pre_advised_at__lt=day + timedelta(1)))
    )
    assert_no_full_scan(plan(Decision.objects.filter(consignment_id=1)))
    assert_no_full_scan(plan(TrsDay.objects.filter(dimension="lane", day__range=(day.date(), day.date()))))


def test_the_holds_remembered_for_a_chunk_of_items_scored():
    """Holds accumulate (they end, they are not deleted): each arm of the chunk's query needs an index."""
    probes = {name: {f"{name} of an item"} for name in MATCHED_FIELDS}
    sql, params = holds_query(probes, ["RB123456785CN"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on clearance_partyhold" not in text, text
    assert "party_hold_withdrawn_idx" in text and "party_hold_aa_idx" in text, text


def test_the_check_itself_sees_a_full_scan_when_no_index_answers():
    with pytest.raises(AssertionError):
        assert_no_full_scan(plan(Consignment.objects.filter(sender_city="Shenzhen")))


# Written for every item received, scored, decided or paid: each index there costs every write.
PER_ITEM_TABLES = [
    "clearance_consignment",
    "clearance_itemkey",
    "clearance_consignmentversion",
    "clearance_contentline",
    "clearance_consignmentevent",
    "clearance_decision",
    "core_auditentry",
    "risk_riskassessment",
    "payments_assessment",
    "payments_assessmentline",
    "payments_assessmentfee",
    "payments_notification",
    "payments_paymentitem",
    "payments_refund",
    "postal_webhookdelivery",
    "postal_idempotencyrecord",
]


def test_tables_written_per_item_carry_no_index_that_another_already_provides():
    """A plain index on columns another index starts with only slows the writes (Django adds one per foreign key)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH idx AS (
                SELECT c.relname AS tbl, i.indexrelid::regclass::text AS name, i.indisunique AS is_unique,
                       string_to_array(i.indkey::text, ' ') AS columns, i.indpred IS NULL AS whole_table
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE c.relname = ANY(%s)
            )
            SELECT a.name, b.name FROM idx a JOIN idx b ON a.tbl = b.tbl AND a.name <> b.name
            WHERE NOT a.is_unique AND a.whole_table AND b.whole_table
              AND cardinality(a.columns) <= cardinality(b.columns)
              AND b.columns[1:cardinality(a.columns)] = a.columns
            """,
            [PER_ITEM_TABLES],
        )
        redundant = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = ANY(%s)", [PER_ITEM_TABLES])
        (found,) = cursor.fetchone()

    assert found == len(PER_ITEM_TABLES)  # the list names real tables
    assert redundant == []
