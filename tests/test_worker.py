"""A real Celery worker on the real Redis broker scores items committed to PostgreSQL."""

import pytest
from django.db import transaction

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment
from core.models import AuditEntry
from risk.tasks import consignments_enqueue_assessment
from tests.factories import ConsignmentFactory
from tests.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.services, pytest.mark.django_db(transaction=True)]
# The worker's own setting: without it, 2 % of green items would be sent to inspection at random.
NO_RANDOM_INSPECTION = {"OPENCLEAR_RISK_RANDOM_RATE": "0"}


def test_a_real_worker_scores_enqueued_items_and_routes_them():
    harmless = ConsignmentFactory(lines=[{"description": "Cotton T-shirt"}])
    dangerous = ConsignmentFactory(lines=[{"description": "9mm pistol ammunition", "hs_code": "930630"}])

    with celery_worker(env=NO_RANDOM_INSPECTION):
        with transaction.atomic():
            consignments_enqueue_assessment(consignment_ids=[harmless.pk, dangerous.pk])
        wait_until(
            lambda: not Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED).exists(),
            timeout=60,
            what="both items to be scored",
        )

    harmless.refresh_from_db()
    dangerous.refresh_from_db()
    assert (harmless.lane, harmless.state) == (Lane.GREEN, ConsignmentState.RELEASED)
    assert (dangerous.lane, dangerous.state) == (Lane.RED, ConsignmentState.HELD)
    assessed = AuditEntry.objects.get(target_id=dangerous.pk, action="clearance.consignment.assessed")
    assert assessed.actor_label == "system:risk"
    assert any("Firearms" in reason for reason in assessed.payload["reasons"])
