import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from clearance.selectors import consignment_ids_stuck_pre_advised
from core.exceptions import ApplicationError
from risk import history, selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    throws=(ApplicationError,),
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=8,
)
def consignments_assess(consignment_ids: list[int]) -> dict[str, int]:
    """Score one chunk of items; idempotent (only PRE_ADVISED items are scored).

    A database or broker outage retries the task with backoff; after the last
    retry the periodic sweep re-enqueues whatever is still waiting.
    """
    return services.consignments_assess_isolating(consignment_ids=consignment_ids)


def consignments_enqueue_assessment(*, consignment_ids: list[int]) -> None:
    """Enqueue risk scoring in chunks once the current transaction commits.

    One task per chunk, never per item, so the queue costs little beside the
    scoring itself.
    """
    size = settings.OPENCLEAR_RISK_CHUNK_SIZE
    chunks = [consignment_ids[i : i + size] for i in range(0, len(consignment_ids), size)]
    for chunk in chunks:
        # robust: the items are committed; if the broker is down the answer to
        # the operator must still be the truth (stored), and the stuck-item
        # sweep enqueues them once the broker is back.
        transaction.on_commit(lambda chunk=chunk: consignments_assess.delay(chunk), robust=True)


@shared_task(acks_late=True)
def consignments_sweep_stuck() -> int:
    """Re-enqueue items stuck in PRE_ADVISED: Redis is only a broker and may lose work.

    A worker killed mid-chunk takes its chunk with it (acknowledged late, the
    message waits for the broker's visibility timeout). When the scoring queue
    is empty, an item still unscored a little while after its last change can
    only be such a one, so it is enqueued again soon; while a backlog waits,
    only items far older than any queue's wait are.
    """
    idle = selectors.scoring_backlog() == 0
    older_than = settings.OPENCLEAR_STUCK_IDLE_AFTER if idle else settings.OPENCLEAR_STUCK_AFTER
    ids = consignment_ids_stuck_pre_advised(older_than=older_than)
    consignments_enqueue_assessment(consignment_ids=ids)
    return len(ids)


@shared_task(acks_late=True)
def consignments_sweep_held_unscored() -> int:
    """Beat: held items amended while an officer had them, whose information score was lost with its task."""
    ids = selectors.consignment_ids_held_unscored()
    consignments_enqueue_assessment(consignment_ids=ids)
    return len(ids)


@shared_task(acks_late=True)
def hs_reference_unit_values_refresh() -> int:
    """Keep the HS reference unit values warm for the scoring workers (beat)."""
    references = history.hs_reference_unit_values_compute()
    cache.set(history.REFERENCE_CACHE_KEY, references, timeout=settings.OPENCLEAR_RISK_REFERENCE_TTL)
    return len(references)


@shared_task(acks_late=True)
def addressee_match_keys_purge() -> int:
    """Beat: match keys older than twice the split-shipment window find nothing any more."""
    return services.addressee_match_keys_purge()
