import logging

from celery import shared_task

from core.exceptions import ApplicationError
from simulation import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def model_retrain() -> int | None:
    """Train a new candidate on the latest outcomes and back-test it (beat); a supervisor promotes it."""
    try:
        return services.model_train().pk
    except ApplicationError as exc:
        logger.info("risk model not retrained: %s", exc.message)
        return None
