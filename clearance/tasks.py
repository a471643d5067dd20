from celery import shared_task
from django.conf import settings
from django.utils import timezone

from clearance import partitions


@shared_task(acks_late=True)
def consignment_partitions_ahead() -> list[str]:
    """Beat, daily: make the item table's partitions for this month and the coming ones."""
    return partitions.partitions_ensure_ahead(
        today=timezone.now().date(), months=settings.OPENCLEAR_PARTITIONS_AHEAD_MONTHS
    )
