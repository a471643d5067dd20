from celery import shared_task

from clearance import selectors
from clearance.services import consignments_enqueue_assessment


@shared_task(acks_late=True)
def consignments_sweep_stuck() -> int:
    """Re-enqueue items stuck in PRE_ADVISED: Redis is only a broker and may lose work."""
    ids = selectors.consignment_ids_stuck_pre_advised()
    consignments_enqueue_assessment(consignment_ids=ids)
    return len(ids)
