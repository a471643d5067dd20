"""Every hot query has an index to use: with sequential scans priced out, none scans a whole big table.

On test-sized tables PostgreSQL rightly prefers a sequential scan, so each plan
is read with `enable_seqscan = off`: a sequential scan then still appears only
when no index can answer the query, which is exactly what must not happen.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clearance import queue, selectors
from clearance.choices import ConsignmentState
from clearance.models import Consignment, Decision, TrsDay
from postal.selectors import responses_after

pytestmark = pytest.mark.django_db
BIG_TABLES = ("clearance_consignment", "clearance_decision", "clearance_contentline", "risk_riskassessment")


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def assert_no_full_scan(text: str) -> None:
    for table in BIG_TABLES:
        assert f"Seq Scan on {table}" not in text, text


@pytest.mark.parametrize(
    "filters",
    [{}, {"lane": "RED"}, {"operator": 1}, {"origin": "CN"}, {"older_than_hours": 24}],
    ids=["all", "lane", "operator", "origin", "age"],
)
def test_the_officer_queue(filters):
    text = plan(queue.queue_queryset(queue.QueueFilters(**filters))[:50])
    assert_no_full_scan(text)
    assert "consignment_queue" in text  # one of the two queue indexes, read in the page's order


def test_the_operator_lookup_of_an_item_and_the_duplicate_check():
    assert_no_full_scan(plan(Consignment.objects.filter(operator_id=1, item_id="RB123456785GB")))
    assert_no_full_scan(plan(Consignment.objects.filter(operator_id=1, item_id__in=["RB123456785GB", "RB1"])))


def test_the_responses_feed():
    text = plan(responses_after(operator_id=1, after=1000, limit=100))
    assert_no_full_scan(text)
    assert "decision_unique_operator_sequence" in text


def test_the_sweep_of_stuck_items():
    cutoff = timezone.now() - timedelta(minutes=5)
    query = Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED, state_changed_at__lt=cutoff)
    assert_no_full_scan(plan(query.order_by("state_changed_at").values_list("id", flat=True)[:50_000]))
    assert selectors.consignment_ids_stuck_pre_advised() == []


def test_one_day_of_items_for_the_release_time_summaries_and_their_decisions():
    day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert_no_full_scan(
        plan(Consignment.objects.filter(pre_advised_at__gte=day, pre_advised_at__lt=day + timedelta(1)))
    )
    assert_no_full_scan(plan(Decision.objects.filter(consignment_id=1)))
    assert_no_full_scan(plan(TrsDay.objects.filter(dimension="lane", day__range=(day.date(), day.date()))))


def test_the_check_itself_sees_a_full_scan_when_no_index_answers():
    with pytest.raises(AssertionError):
        assert_no_full_scan(plan(Consignment.objects.filter(sender_city="Shenzhen")))
