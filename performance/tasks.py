"""Celery tasks of the performance app: keeping the Time Release Study summaries up to date."""

from datetime import date

from celery import shared_task
from django.conf import settings

from performance import summaries


@shared_task(acks_late=True)
def trs_recent_refresh() -> int:
    """Beat: rebuild the Time Release Study summaries of the days whose timelines still move."""
    return summaries.trs_recent_refresh(days=settings.OPENCLEAR_TRS_RECENT_DAYS)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def trs_days_refresh(start: str, end: str) -> int:
    """An officer asked for the summaries of a period to be rebuilt now."""
    return summaries.trs_days_refresh(start=date.fromisoformat(start), end=date.fromisoformat(end))


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def trs_window_refresh() -> int:
    """Beat, nightly: rebuild the whole storage window, for late payments, returns and corrections."""
    return summaries.trs_recent_refresh(days=settings.OPENCLEAR_TRS_WINDOW_DAYS)
