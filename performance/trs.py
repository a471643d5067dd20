"""Time Release Study arithmetic, free of the database.

Durations are summarised per day in log-spaced buckets (the DDSketch layout):
bucket 0 holds durations under one second, bucket i >= 1 holds durations in
(GAMMA**(i-2), GAMMA**(i-1)] seconds. Any percentile read back from the buckets
is within RELATIVE_ERROR of the true one, and buckets of many days add up, so a
month over millions of items is read from a few thousand rows. Means are exact:
the summaries keep the sum of seconds.

Percentiles are nearest-rank: the p-th percentile of n durations is the
ceil(p * n)-th smallest, so it is always a duration that happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RELATIVE_ERROR = 0.01
GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)


@dataclass(frozen=True)
class Measure:
    code: str
    label: str


# The TRS steps measured for each item (domain.md 5.3, postal mapping): the chain arrival (EMD) →
# presentation (EDB) → decision (the first that settles the item) → exit (EMF) → delivery (EMI), the
# payment steps, and the spans across them. A step whose second end came first (a decision taken
# before presentation, pre-arrival processing) counts as no time at all.
MEASURES = (
    Measure("pre_advice_to_arrival", _("Pre-advice → arrival")),
    Measure("arrival_to_presentation", _("Arrival → presentation")),
    Measure("presentation_to_decision", _("Presentation → decision")),
    Measure("arrival_to_decision", _("Arrival → decision")),
    Measure("decision_to_payment", _("Decision → payment")),
    Measure("payment_to_release", _("Payment → release")),
    Measure("decision_to_exit", _("Decision → exit")),
    Measure("exit_to_delivery", _("Exit → delivery")),
    Measure("presentation_to_exit", _("Presentation → exit (time at the office of exchange)")),
    Measure("arrival_to_release", _("Arrival → release")),
)
MEASURE_CODES = tuple(measure.code for measure in MEASURES)

# Breakdowns offered; all but "week" are kept in the daily summaries
# (performance.summaries), beside "all", the whole day.
BREAKDOWNS = ("lane", "operator", "origin", "category", "office", "week")

# Bars of the distribution chart, in seconds (upper bounds).
DISTRIBUTION_BINS = (
    (15 * 60, _("< 15 min")),
    (3600, _("15–60 min")),
    (4 * 3600, _("1–4 h")),
    (24 * 3600, _("4–24 h")),
    (3 * 86400, _("1–3 days")),
    (7 * 86400, _("3–7 days")),
    (math.inf, _("> 7 days")),
)


def bucket_of(seconds: float) -> int:
    """The bucket of a duration; the SQL in performance.summaries computes the same."""
    if seconds < 1:
        return 0
    return math.ceil(math.log(seconds) / math.log(GAMMA)) + 1


def bucket_value(bucket: int) -> float:
    """The duration a bucket stands for: within RELATIVE_ERROR of every duration in it."""
    if bucket <= 0:
        return 0.0
    return 2 * GAMMA ** (bucket - 1) / (GAMMA + 1)


def percentile(counts: dict[int, int], q: float) -> float | None:
    """The nearest-rank q-quantile (0 < q <= 1) of the durations summarised in `counts`."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket_value(bucket)
    return bucket_value(max(counts))  # unreachable: seen ends at total


def distribution(counts: dict[int, int]) -> list[tuple[str, int]]:
    """Counts per chart bar."""
    bars = [0] * len(DISTRIBUTION_BINS)
    for bucket, count in counts.items():
        value = bucket_value(bucket)
        index = next(i for i, (upper, _label) in enumerate(DISTRIBUTION_BINS) if value < upper)
        bars[index] += count
    return [(str(label), bars[i]) for i, (_upper, label) in enumerate(DISTRIBUTION_BINS)]


@dataclass(frozen=True)
class Stats:
    count: int
    mean: float | None
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, counts: dict[int, int], total_seconds: float) -> Stats:
        count = sum(counts.values())
        return cls(
            count=count,
            mean=total_seconds / count if count else None,
            median=percentile(counts, 0.5),
            p90=percentile(counts, 0.9),
        )


def humanize(seconds: float | None) -> str:
    """A duration as officers read it: 42 s, 17 min, 3.5 h, 2.1 days."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def iso_week(day) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
