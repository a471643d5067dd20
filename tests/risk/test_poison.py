"""An item that crashes the scoring is found, held for an officer, and does not hold back its batch."""

from decimal import Decimal

import pytest

from clearance.choices import ConsignmentState, Lane
from clearance.models import ContentLine
from core.models import AuditEntry
from risk.models import RiskAssessment
from risk.reasons import render_english
from risk.services import consignments_assess, consignments_assess_isolating
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db


def corrupt_item():
    """An item whose stored lines were lost (a bad manual repair, a failed migration): transport over no lines."""
    item = ConsignmentFactory(total_value=Decimal("0"), postal_charges=Decimal("5.00"))
    ContentLine.objects.filter(consignment=item).delete()
    return item


def test_the_corrupt_item_really_crashes_the_batch():
    with pytest.raises(ZeroDivisionError):
        consignments_assess(consignment_ids=[ConsignmentFactory().pk, corrupt_item().pk])


def test_the_poison_item_is_held_red_and_the_others_are_decided():
    healthy = [ConsignmentFactory() for _ in range(6)]
    poison = corrupt_item()
    ids = sorted([c.pk for c in healthy] + [poison.pk])
    result = consignments_assess_isolating(consignment_ids=ids)
    assert result["unscorable"] == 1 and result["assessed"] == 7
    poison.refresh_from_db()
    assert (poison.state, poison.lane, poison.risk_score) == (ConsignmentState.HELD, Lane.RED, Decimal("1"))
    (failed,) = RiskAssessment.objects.get(consignment=poison).reasons
    assert failed["code"] == "scoring.failed"
    assert render_english(failed).startswith("Automatic scoring failed (DivisionByZero")
    for item in healthy:
        item.refresh_from_db()
        assert item.state != ConsignmentState.PRE_ADVISED and item.decisions.count() == 1
    assert AuditEntry.objects.filter(target_id=poison.pk, action="clearance.consignment.held").count() == 1
    # Delivered again, the task changes nothing.
    assert consignments_assess_isolating(consignment_ids=ids) == {
        "assessed": 0,
        "held": 0,
        "released": 0,
        "charges_due": 0,
    }
