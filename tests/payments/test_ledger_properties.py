"""A property of the revenue loop: whatever payments, corrections, cases, collections, returns and events come in
whatever order, each item's ledger balances with the provider's, no refund goes below what is owed, nothing
released owes anything, and no goods leave customs' control without a release or a record of it."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from clearance.choices import ConsignmentState
from clearance.models import Consignment, PostalOperator
from core.exceptions import ApplicationError
from officer import services as officer_services
from payments import approvals, cases, collection, services
from payments.models import CollectionAgreement, Payment, PaymentItem, Refund, SandboxCharge
from payments.providers import SandboxProvider
from payments.refunds import consignments_refund_returned
from payments.selectors import item_ledger
from postal.events import consignment_events_record
from postal.models import GoodsOutOfControl
from tests.factories import PostalOperatorFactory, UserFactory
from tests.payments.helpers import make_due

LEFT_CONTROL_WITH_A_RELEASE = {ConsignmentState.RELEASED, ConsignmentState.RETURNED, ConsignmentState.REFERRED}

values = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("600.00"), places=2)
steps = st.one_of(
    st.tuples(st.just("pay"), st.integers(min_value=1, max_value=2)),
    st.tuples(st.just("correct"), values, st.booleans()),
    st.tuples(st.just("claim"), st.one_of(st.none(), values), st.booleans()),
    st.tuples(st.just("collect"), st.booleans()),
    st.tuples(st.just("event"), st.sampled_from(["EMD", "EDB", "EMF", "EMI", "EDX"])),
    st.tuples(st.just("sweep"), st.just(None)),
)


class LedgerProperties(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.booleans(), st.lists(steps, min_size=1, max_size=10))
    def test_the_ledger_balances_and_nothing_leaves_control_unreleased(self, paid_first, sequence):
        operator = PostalOperatorFactory(code="PROP")
        CollectionAgreement.objects.create(operator=operator, valid_from=date(2026, 1, 1))
        item = make_due(operator=operator)
        self.officers = [UserFactory(role="OFFICER"), UserFactory(role="SUPERVISOR")]
        self.clock = timezone.now() - timedelta(days=2)
        if paid_first:  # most of what can go wrong with money happens after it was paid
            sequence = [("pay", 1), *sequence]
        for step in sequence:
            try:
                getattr(self, f"_{step[0]}")(item, *step[1:])
                event(f"{step[0]} applied")
            except ApplicationError as refused:  # nothing kept: the invariants must hold all the same
                event(f"{step[0]} refused: {type(refused).__name__}")
            item.refresh_from_db()
            self._check(item)

    # --- The steps ------------------------------------------------------------------------------------------

    def _pay(self, item: Consignment, times: int) -> None:
        started = [
            services.payment_start(consignments=[item], idempotency_key=f"{item.pk}-{n}-{Payment.objects.count()}")
            for n in range(times)
        ]
        provider = SandboxProvider()
        for payment in started:
            charge = provider.charge(
                checkout_token=payment.provider_reference, payment=payment, card_number="4242424242424242"
            )
            body, headers = provider.webhook_for(charge)
            services.provider_webhook_receive(provider_name="sandbox", body=body, headers=headers)

    def _correct(self, item: Consignment, value: Decimal, approve: bool) -> None:
        first, second = self.officers
        try:
            officer_services.officer_correct_line(
                consignment=item, officer=first, position=1, hs_code="610910", value=value, reason="Invoice."
            )
        except approvals.ApprovalRequested as waiting:
            officer_services.money_approval_decide(
                approval=waiting.approval, officer=second, approve=approve, reason="Checked."
            )

    def _claim(self, item: Consignment, value: Decimal | None, approve: bool) -> None:
        first, second = self.officers
        case = cases.case_open(consignment=item, grounds="VALUE_WRONG", reason="Too much.")
        fix = None if value is None else cases.LineFix(position=1, hs_code="610910", value=value)
        try:
            cases.case_uphold(case=case, officer=first, resolution="Agreed.", fix=fix)
        except approvals.ApprovalRequested as waiting:
            officer_services.money_approval_decide(
                approval=waiting.approval, officer=second, approve=approve, reason="Checked."
            )

    def _collect(self, item: Consignment, exact: bool) -> None:
        current = item.assessments.get(is_current=True)
        amount = current.total if exact else current.total + Decimal("1.00")
        report = {
            "itemId": item.item_id,
            "amount": amount,
            "currency": current.currency,
            "collectedAt": timezone.now(),
            "reference": f"POS-{item.pk}",
        }
        collection.collections_report(operator=PostalOperator.objects.get(pk=item.operator_id), collections=[report])

    def _event(self, item: Consignment, code: str) -> None:
        self.clock += timedelta(minutes=30)
        event = {"itemId": item.item_id, "code": code, "at": self.clock, "office": "BASJJA"}
        consignment_events_record(operator=PostalOperator.objects.get(pk=item.operator_id), events=[event])
        if code == "EDX":
            consignments_refund_returned(consignment_ids=[item.pk])

    def _sweep(self, item: Consignment, _: None) -> None:
        consignments_refund_returned(consignment_ids=[item.pk])

    # --- The invariants -------------------------------------------------------------------------------------

    def _check(self, item: Consignment) -> None:
        ledger = item_ledger(consignment=item)
        assert ledger.refunded <= ledger.paid, ledger
        if item.state in (ConsignmentState.RELEASED, ConsignmentState.PAID):  # let go: it owes nothing
            assert ledger.outstanding == 0, ledger
        for payment in Payment.objects.filter(items__consignment=item, state="SUCCEEDED"):
            share = PaymentItem.objects.get(payment=payment, consignment=item).amount
            ours = Refund.objects.filter(payment=payment).exclude(state="FAILED")
            assert sum(ours.values_list("amount", flat=True), Decimal("0")) <= share
            paid_back = sum(ours.filter(state="SUCCEEDED").values_list("amount", flat=True), Decimal("0"))
            assert SandboxCharge.objects.get(checkout_token=payment.provider_reference).refunded_amount == paid_back
        gone = item.delivered_at is not None or item.exited_at is not None
        if gone and item.state not in LEFT_CONTROL_WITH_A_RELEASE:
            assert GoodsOutOfControl.objects.filter(consignment_id=item.pk).exists(), item.state
