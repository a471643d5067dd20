"""Celery tasks of the payments app; each is idempotent."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from payments import deminimis, notifications, refunds, selectors, services


@shared_task(acks_late=True)
def notify_charges_due(consignment_ids: list[int]) -> int:
    return notifications.charges_due_send(consignment_ids=consignment_ids)


@shared_task(acks_late=True)
def notify_payment_received(payment_id: int) -> int:
    return notifications.payment_received_send(payment_id=payment_id)


@shared_task(acks_late=True)
def consignments_return_unpaid() -> int:
    """Beat: items whose charges stayed unpaid past the storage period go back to the sender."""
    ids = selectors.consignment_ids_past_storage(now=timezone.now())
    return services.consignments_return_unpaid(consignment_ids=ids)


@shared_task(acks_late=True)
def consignments_refund_returned(consignment_ids: list[int]) -> int:
    """The operator reported goods returned to the sender: refund what was paid for them."""
    return refunds.consignments_refund_returned(consignment_ids=consignment_ids)


@shared_task(acks_late=True)
def returned_refunds_sweep() -> int:
    """Beat: returned goods paid for and not refunded yet (a lost task) are refunded."""
    ids = selectors.consignment_ids_returned_unrefunded(since=timezone.now() - timedelta(days=90))
    return refunds.consignments_refund_returned(consignment_ids=ids)


@shared_task(acks_late=True)
def payments_reconcile_pending() -> int:
    """Beat: ask the provider again about payments pending too long (a lost webhook)."""
    return services.payments_reconcile_pending()


@shared_task(acks_late=True)
def notify_case(case_id: int, step: str) -> int:
    return notifications.case_mail_send(case_id=case_id, step=step)


# A period of national size takes minutes: this task has its own time limits.
@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def simulation_run(run_id: int) -> str:
    return deminimis.simulation_run(run_id=run_id).state
