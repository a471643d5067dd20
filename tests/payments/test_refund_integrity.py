"""Refunds come from the item's ledger: what was paid back never exceeds what was paid beyond what is owed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import ConsignmentEvent
from officer.services import money_approval_decide
from payments import approvals, cases
from payments.models import Assessment, Case, ChargeWriteOff, PaymentItem, Refund, SandboxCharge
from payments.refunds import consignments_refund_returned
from payments.selectors import consignment_ids_returned_unrefunded, item_ledger
from tests.factories import UserFactory
from tests.payments.helpers import make_due, pay_with_card

pytestmark = pytest.mark.django_db
LOWER_VALUE = cases.LineFix(position=1, hs_code="610910", value=Decimal("340.00"))


@pytest.fixture
def paid(client):
    due = make_due()
    pay_with_card(client, due)
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED
    return due


def _events(consignment, *codes_and_offsets, office="BASJJA"):
    now = timezone.now()
    for code, hours_ago in codes_and_offsets:
        ConsignmentEvent.objects.create(
            consignment=consignment, code=code, occurred_at=now - timedelta(hours=hours_ago), office_code=office
        )
        if code == "EMI":
            consignment.delivered_at = now - timedelta(hours=hours_ago)
            consignment.save(update_fields=["delivered_at"])


def _refunded(consignment) -> Decimal:
    return sum(
        Refund.objects.filter(consignment=consignment).exclude(state="FAILED").values_list("amount", flat=True),
        Decimal("0"),
    )


def _claim(consignment, grounds="VALUE_WRONG") -> Case:
    return cases.case_open(consignment=consignment, grounds=grounds, reason="The invoice says less.")


def test_goods_delivered_then_reported_returned_refund_nothing_and_go_to_an_officer(paid):
    _events(paid, ("EMD", 5), ("EMI", 3), ("EDX", 1))
    assert consignments_refund_returned(consignment_ids=[paid.pk]) == 0
    assert not Refund.objects.filter(consignment=paid).exists()
    assert not ChargeWriteOff.objects.filter(consignment=paid).exists()
    case = Case.objects.get(consignment=paid)
    assert (case.state, case.grounds, case.channel) == ("OPEN", "RETURNED", "OPERATOR")
    assert "delivered" in case.reason
    assert consignment_ids_returned_unrefunded(since=timezone.now() - timedelta(days=1)) == []
    paid.refresh_from_db()
    assert paid.state == ConsignmentState.RELEASED


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ((("EDX", 1),), "without having arrived"),
        ((("EMD", 5), ("EMF", 3), ("EDX", 1)), "left the office of exchange"),
    ],
)
def test_a_return_the_events_do_not_show_leaving_through_the_office_of_exchange_is_a_case(paid, events, problem):
    _events(paid, *events)
    assert consignments_refund_returned(consignment_ids=[paid.pk]) == 0
    assert _refunded(paid) == 0
    assert problem in Case.objects.get(consignment=paid).reason


def test_a_return_through_an_unknown_office_is_a_case():
    due = make_due()
    _events(due, ("EMD", 5))
    _events(due, ("EDX", 1), office="ZZZZZZ")
    assert consignments_refund_returned(consignment_ids=[due.pk]) == 0  # nothing paid: nothing to do either


def test_goods_returned_through_the_office_of_exchange_get_duty_and_vat_back_once(paid):
    _events(paid, ("EMD", 5), ("EDX", 1))
    assessment = Assessment.objects.get(consignment=paid, is_current=True)
    assert consignments_refund_returned(consignment_ids=[paid.pk]) == 1
    assert consignments_refund_returned(consignment_ids=[paid.pk]) == 0
    assert _refunded(paid) == assessment.duty + assessment.vat
    assert consignment_ids_returned_unrefunded(since=timezone.now() - timedelta(days=1)) == []


def test_the_same_correction_upheld_twice_refunds_once(paid):
    paid_amount = PaymentItem.objects.get(consignment=paid).amount
    officer = UserFactory(role="OFFICER")
    cases.case_uphold(case=_claim(paid), officer=officer, resolution="Invoice checked.", fix=LOWER_VALUE)
    first = _refunded(paid)
    owed = Assessment.objects.get(consignment=paid, is_current=True).total
    assert first == paid_amount - owed > 0
    with pytest.raises(cases.ApplicationError, match="refunded already"):
        cases.case_uphold(case=_claim(paid), officer=officer, resolution="Invoice checked.", fix=LOWER_VALUE)
    assert _refunded(paid) == first
    ledger = item_ledger(consignment=paid)
    assert (ledger.paid - ledger.refunded, ledger.refundable) == (owed, 0)


def test_a_return_after_a_full_case_refund_refunds_nothing_more_and_is_not_retried(paid):
    paid_amount = PaymentItem.objects.get(consignment=paid).amount
    with pytest.raises(approvals.ApprovalRequested) as waiting:
        cases.case_uphold(case=_claim(paid, "NOT_DELIVERED"), officer=UserFactory(role="OFFICER"), resolution="Lost.")
    money_approval_decide(approval=waiting.value.approval, officer=UserFactory(role="OFFICER"), approve=True)
    assert _refunded(paid) == paid_amount
    _events(paid, ("EMD", 5), ("EDX", 1))
    assert consignments_refund_returned(consignment_ids=[paid.pk]) == 0
    assert _refunded(paid) == paid_amount
    assert not Refund.objects.filter(consignment=paid, state="FAILED").exists()
    assert consignment_ids_returned_unrefunded(since=timezone.now() - timedelta(days=1)) == []
    charge = SandboxCharge.objects.get()
    assert charge.refunded_amount == paid_amount  # the provider's ledger agrees with ours
