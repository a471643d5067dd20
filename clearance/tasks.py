from celery import shared_task
from django.conf import settings
from django.utils import timezone

from clearance import partitions, summaries


@shared_task(acks_late=True)
def trs_recent_refresh() -> int:
    """Beat: rebuild the Time Release Study summaries of the days whose timelines still move."""
    return summaries.trs_recent_refresh(days=settings.OPENCLEAR_TRS_RECENT_DAYS)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def trs_window_refresh() -> int:
    """Beat, nightly: rebuild the whole storage window, for late payments, returns and corrections."""
    return summaries.trs_recent_refresh(days=settings.OPENCLEAR_TRS_WINDOW_DAYS)


@shared_task(acks_late=True)
def consignment_partitions_ahead() -> list[str]:
    """Beat, daily: make the item table's partitions for this month and the coming ones."""
    return partitions.partitions_ensure_ahead(
        today=timezone.now().date(), months=settings.OPENCLEAR_PARTITIONS_AHEAD_MONTHS
    )
