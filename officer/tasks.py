"""Celery tasks of the officer app; each is idempotent."""

from celery import shared_task
from django.utils import timezone

from officer import deadlines


@shared_task(acks_late=True)
def information_deadlines_apply() -> dict[str, int]:
    """Beat: reminders before the deadlines of information requests, then their outcomes."""
    return deadlines.information_deadlines_apply(now=timezone.now())
