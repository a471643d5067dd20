"""Services for webhook delivery: at least once, retried with backoff, then dead.

The pull feed is the source of truth; webhooks are a convenience on top, so a
receiver that is down never blocks decisions, it only delays its pushes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from clearance.models import Decision
from postal.choices import DeliveryStatus
from postal.models import WebhookDelivery, WebhookEndpoint
from postal.webhooks import DeliveryFailed, post_signed, response_payload

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 10 s, 20 s, 40 s … capped at an hour."""
    base = settings.OPENCLEAR_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def webhook_deliveries_dispatch(*, operator_id: int) -> int:
    """Create one delivery per new response of the operator, then enqueue the due ones."""
    endpoint = WebhookEndpoint.objects.filter(operator_id=operator_id, is_active=True).first()
    if endpoint is None:
        return 0
    with connection.cursor() as cursor:
        # Set-based and idempotent: a response gets exactly one delivery row,
        # however many times this runs.
        cursor.execute(
            f"""
            INSERT INTO {WebhookDelivery._meta.db_table}
                (endpoint_id, decision_id, status, attempts, next_attempt_at, created_at, updated_at, last_error)
            SELECT %s, d.id, %s, 0, now(), now(), now(), ''
            FROM {Decision._meta.db_table} d
            WHERE d.operator_id = %s AND d.decided_at >= %s
            ON CONFLICT (endpoint_id, decision_id) DO NOTHING
            """,
            [endpoint.pk, DeliveryStatus.PENDING, operator_id, endpoint.created_at],
        )
    due = WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at__lte=timezone.now()
    ).values_list("id", flat=True)
    _enqueue(list(due))
    return len(due)


def webhook_deliveries_sweep() -> int:
    """Enqueue every pending delivery whose next attempt is due (retries, lost tasks)."""
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:5000]
    )
    _enqueue(due)
    return len(due)


def _enqueue(delivery_ids: list[int], eta: datetime | None = None) -> None:
    # Late: postal.tasks imports this module, whose functions its tasks call.
    from postal.tasks import webhook_delivery_send

    for delivery_id in delivery_ids:
        webhook_delivery_send.apply_async((delivery_id,), eta=eta)


def webhook_delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is still pending and due; record the outcome."""
    with transaction.atomic():
        # Only the delivery's own row is locked (OF self): the endpoint's row is shared by every delivery
        # of the operator, and the item's by scoring, so locking them would skip deliveries that are due.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "decision__consignment")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return "skipped"  # delivered already, not yet due, or another worker has it
        if not delivery.endpoint.is_active:  # the operator removed its webhook: nothing more goes out
            delivery.status = DeliveryStatus.CANCELLED
            delivery.save(update_fields=["status", "updated_at"])
            return DeliveryStatus.CANCELLED
        # Claim the attempt before the network call, so that a crash after a
        # successful POST cannot make two workers send it at once.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return _send_claimed(delivery)


def _send_claimed(delivery: WebhookDelivery) -> str:
    endpoint = delivery.endpoint
    try:
        answer = post_signed(endpoint.url, endpoint.secret, response_payload(delivery.decision))
        succeeded = 200 <= answer.status < 300
        status_code, error = answer.status, ("" if succeeded else answer.body[:500])
    except DeliveryFailed as exc:
        status_code, error, succeeded = None, str(exc)[:500], False
    fields = {"last_status_code": status_code, "last_error": error, "updated_at": timezone.now()}
    if succeeded:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif delivery.attempts >= settings.OPENCLEAR_WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.DEAD)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(**fields)
    if not succeeded and fields.get("status") != DeliveryStatus.DEAD:
        _enqueue([delivery.pk], eta=delivery.next_attempt_at)
    return fields.get("status", "retry")


def webhook_deliveries_cancel(*, endpoint: WebhookEndpoint) -> int:
    """Stop the endpoint's pending deliveries (it was removed); the pull feed still has every response."""
    return WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, updated_at=timezone.now()
    )


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Give a dead delivery a fresh start (admin action)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
