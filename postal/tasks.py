"""Celery tasks of the postal app: pushing customs responses to webhooks."""

from celery import shared_task

from postal import delivery


@shared_task(acks_late=True)
def webhook_deliveries_dispatch(operator_id: int) -> int:
    """Create the deliveries of an operator's new responses and send those due."""
    return delivery.webhook_deliveries_dispatch(operator_id=operator_id)


@shared_task(acks_late=True)
def webhook_delivery_send(delivery_id: int) -> str:
    """Try one delivery once; a failure schedules the next try with backoff."""
    return delivery.webhook_delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True)
def webhook_deliveries_sweep() -> int:
    """Send every delivery whose retry time has come (beat)."""
    return delivery.webhook_deliveries_sweep()
