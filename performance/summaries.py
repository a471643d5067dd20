"""Daily Time Release Study summaries: computed in SQL from the items, their decisions and payments.

A day's summaries are rebuilt whole (delete, then insert from one grouped
query), so a refresh is idempotent and a late event, decision or payment is
counted the next time its day is refreshed. The beat task refreshes the recent
days often and the whole storage window nightly (performance.tasks).

Days are UTC days of pre-advice: every item has one, and an item's timeline
stays in the day it was announced however long it takes. A pre-advice its
operator withdrew is no consignment customs cleared: it is left out. An item
that arrived without pre-advice has no pre-advice → arrival step (its day is
the day it was recorded, at its arrival).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.choices import DecisionCode as D
from clearance.models import Consignment, Decision, Office
from payments.models import Payment, PaymentItem
from performance.models import TrsBucket, TrsDay
from performance.trs import GAMMA

# The first decision that settles an item (not a hold or a question).
CLEARANCE_DECISIONS = (D.RELEASE_NO_CHARGE, D.RELEASE_CHARGES_DUE, D.RETURN_TO_SENDER, D.SEIZED, D.REFER_OTHER_AGENCY)
RELEASE_DECISIONS = (D.RELEASE_NO_CHARGE, D.RELEASED)

_TIMELINES = f"""
WITH items AS (
    SELECT c.id, c.lane, c.operator_id::text AS operator, c.sender_country AS origin, c.category,
           coalesce(o.code, '') AS office, c.pre_advised_at, c.arrived_at, c.presented_at, c.exited_at,
           c.delivered_at, c.unannounced,
           d.decided_at, d.released_at, d.charged, p.paid_at
    FROM {Consignment._meta.db_table} c
    LEFT JOIN {Office._meta.db_table} o ON o.id = c.office_id
    LEFT JOIN LATERAL (
        SELECT min(decided_at) FILTER (WHERE code = ANY(%(clearance)s)) AS decided_at,
               min(decided_at) FILTER (WHERE code = ANY(%(release)s)) AS released_at,
               bool_or(code = %(charges_due)s) AS charged
        FROM {Decision._meta.db_table} WHERE consignment_id = c.id
    ) d ON true
    LEFT JOIN LATERAL (
        SELECT min(pay.paid_at) AS paid_at
        FROM {PaymentItem._meta.db_table} pi JOIN {Payment._meta.db_table} pay ON pay.id = pi.payment_id
        WHERE pi.consignment_id = c.id AND pay.state = 'SUCCEEDED'
    ) p ON true
    WHERE c.pre_advised_at >= %(start)s AND c.pre_advised_at < %(end)s AND c.state <> %(withdrawn)s
)
"""  # noqa: S608 - table names from the models, values are parameters

_GROUPING = "GROUPING SETS ((), (lane), (operator), (origin), (category), (office))"
_DIMENSION = """
    CASE WHEN GROUPING(lane) = 0 THEN 'lane' WHEN GROUPING(operator) = 0 THEN 'operator'
         WHEN GROUPING(origin) = 0 THEN 'origin' WHEN GROUPING(category) = 0 THEN 'category'
         WHEN GROUPING(office) = 0 THEN 'office' ELSE 'all' END
"""
_VALUE = "coalesce(lane, operator, origin, category, office, '')"

_INSERT_DAYS = (
    _TIMELINES
    + f"""
INSERT INTO {TrsDay._meta.db_table} (day, dimension, value, items, arrived, decided, decided_before_arrival,
                              charged, released, computed_at)
SELECT %(day)s, {_DIMENSION}, {_VALUE}, count(*), count(arrived_at), count(decided_at),
       count(*) FILTER (WHERE decided_at IS NOT NULL AND (arrived_at IS NULL OR decided_at <= arrived_at)),
       count(*) FILTER (WHERE charged), count(released_at), now()
FROM items GROUP BY {_GROUPING}
"""  # noqa: S608 - fixed fragments, values are parameters
)

_INSERT_BUCKETS = (
    _TIMELINES  # noqa: S608 - fixed fragments, values are parameters
    + f"""
, durations AS (
    SELECT items.*, m.measure, greatest(m.seconds, 0) AS seconds
    FROM items CROSS JOIN LATERAL (VALUES
        ('pre_advice_to_arrival', CASE WHEN NOT unannounced THEN extract(epoch FROM arrived_at - pre_advised_at) END),
        ('arrival_to_presentation', extract(epoch FROM presented_at - arrived_at)),
        ('presentation_to_decision', extract(epoch FROM decided_at - presented_at)),
        ('arrival_to_decision', extract(epoch FROM decided_at - arrived_at)),
        ('decision_to_payment', extract(epoch FROM paid_at - decided_at)),
        ('payment_to_release', extract(epoch FROM released_at - paid_at)),
        ('decision_to_exit', extract(epoch FROM exited_at - decided_at)),
        ('exit_to_delivery', extract(epoch FROM delivered_at - exited_at)),
        ('presentation_to_exit', extract(epoch FROM exited_at - presented_at)),
        ('arrival_to_release', extract(epoch FROM released_at - arrived_at))
    ) AS m(measure, seconds)
    WHERE m.seconds IS NOT NULL
), bucketed AS (
    SELECT durations.*,
           CASE WHEN seconds < 1 THEN 0 ELSE ceil(ln(seconds) / %(ln_gamma)s)::int + 1 END AS bucket
    FROM durations
)
INSERT INTO {TrsBucket._meta.db_table} (day, dimension, value, measure, bucket, count, total_seconds)
SELECT %(day)s, {_DIMENSION}, {_VALUE}, measure, bucket, count(*), sum(seconds)
FROM bucketed GROUP BY measure, bucket, {_GROUPING}
"""  # noqa: S608 - fixed fragments, values are parameters
)


def trs_days_refresh(*, start: date, end: date) -> int:
    """Rebuild the summaries of every day from start to end inclusive; returns the days rebuilt."""
    day, rebuilt = start, 0
    while day <= end:
        _refresh_day(day)
        day += timedelta(days=1)
        rebuilt += 1
    return rebuilt


def trs_recent_refresh(*, days: int) -> int:
    """Rebuild today and the `days` before it: where timelines are still moving."""
    today = timezone.now().date()
    return trs_days_refresh(start=today - timedelta(days=days), end=today)


@transaction.atomic
def _refresh_day(day: date) -> None:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    params = {
        "start": start,
        "end": start + timedelta(days=1),
        "day": day,
        "clearance": [str(code) for code in CLEARANCE_DECISIONS],
        "release": [str(code) for code in RELEASE_DECISIONS],
        "charges_due": str(D.RELEASE_CHARGES_DUE),
        "withdrawn": str(ConsignmentState.WITHDRAWN),
        "ln_gamma": math.log(GAMMA),
    }
    with connection.cursor() as cursor:
        # Two refreshes of one day (beat and a manual rebuild) take turns.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trs-day'), %s)", [day.toordinal()])
        TrsDay.objects.filter(day=day).delete()
        TrsBucket.objects.filter(day=day).delete()
        cursor.execute(_INSERT_DAYS, params)
        cursor.execute(_INSERT_BUCKETS, params)
