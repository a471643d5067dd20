"""Celery tasks of the agencies app; each is idempotent."""

from celery import shared_task

from agencies import notifications


@shared_task(acks_late=True)
def information_mail(request_id: int, step: str) -> int:
    return notifications.information_mail_send(request_id=request_id, step=step)
