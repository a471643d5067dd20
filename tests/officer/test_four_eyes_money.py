"""Giving up charges above a threshold (an amount, or a share of the charges) waits for a second officer."""

from decimal import Decimal

import pytest

from clearance.choices import ConsignmentState
from core.exceptions import InvalidTransition
from officer import services
from payments import approvals
from payments.models import Assessment, MoneyApproval, MoneyApprovalThreshold
from tests.factories import UserFactory
from tests.payments.helpers import make_due

pytestmark = pytest.mark.django_db


def _correct(due, officer, value):
    return services.officer_correct_line(
        consignment=due, officer=officer, position=1, hs_code="610910", value=Decimal(value), reason="Invoice seen."
    )


def test_a_small_reduction_applies_at_once_and_a_threshold_kept_as_data_makes_it_wait(officer):
    due = make_due()
    before = Assessment.objects.get(consignment=due, is_current=True).total
    _correct(due, officer, "380.00")
    after = Assessment.objects.get(consignment=due, is_current=True).total
    assert Decimal("0") < before - after < Decimal("100")
    assert not MoneyApproval.objects.exists()

    MoneyApprovalThreshold.objects.create(currency="BAM", amount=Decimal("1.00"), share=Decimal("0.9"))
    with pytest.raises(approvals.ApprovalRequested):
        _correct(due, officer, "370.00")
    assert Assessment.objects.get(consignment=due, is_current=True).total == after


def test_a_rejected_change_changes_nothing(officer):
    due = make_due()
    total = Assessment.objects.get(consignment=due, is_current=True).total
    with pytest.raises(approvals.ApprovalRequested) as waiting:
        _correct(due, officer, "1.00")
    approval = waiting.value.approval
    assert approval.difference == total
    services.money_approval_decide(
        approval=approval, officer=UserFactory(role="OFFICER"), approve=False, reason="No invoice on file."
    )
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE
    assert Assessment.objects.get(consignment=due, is_current=True).total == total
    assert MoneyApproval.objects.get().state == "REJECTED"


def test_an_approval_is_not_applied_to_charges_that_changed_since(officer):
    due = make_due()
    with pytest.raises(approvals.ApprovalRequested) as waiting:
        _correct(due, officer, "1.00")
    _correct(due, officer, "390.00")  # another, small correction meanwhile
    with pytest.raises(InvalidTransition, match="changed since"):
        services.money_approval_decide(
            approval=waiting.value.approval, officer=UserFactory(role="OFFICER"), approve=True
        )
    assert MoneyApproval.objects.get().state == "PENDING"


def test_one_change_of_an_items_charges_waits_at_a_time(officer):
    due = make_due()
    with pytest.raises(approvals.ApprovalRequested):
        _correct(due, officer, "1.00")
    with pytest.raises(InvalidTransition, match="already waits"):
        _correct(due, officer, "2.00")
