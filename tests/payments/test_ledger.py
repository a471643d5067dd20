"""The item's ledger: what it owes and how it was settled, read by refunds, receipts and reports."""

from decimal import Decimal

import pytest

from payments.models import Assessment
from payments.selectors import item_ledger, ledgers_for
from tests.factories import ConsignmentFactory
from tests.payments.helpers import make_due, pay_with_card

pytestmark = pytest.mark.django_db


def test_an_item_awaiting_payment_owes_its_charges_and_a_paid_one_nothing(client):
    due, other = make_due(), make_due(addressee_postcode="71210")
    total = Assessment.objects.get(consignment=due, is_current=True).total
    before = item_ledger(consignment=due)
    assert (before.due, before.paid, before.outstanding, before.refundable) == (total, 0, total, 0)
    assert before.currency == "BAM"

    pay_with_card(client, due)
    after = ledgers_for(consignment_ids=[due.pk, other.pk])
    assert (after[due.pk].paid, after[due.pk].outstanding, after[due.pk].credit) == (total, 0, 0)
    assert [entry.kind for entry in after[due.pk].entries] == ["due", "paid"]
    assert after[other.pk].outstanding == Assessment.objects.get(consignment=other, is_current=True).total


def test_an_item_not_yet_decided_owes_nothing():
    held = ConsignmentFactory(state="HELD")
    ledger = item_ledger(consignment=held.pk)
    assert (ledger.due, ledger.owed, ledger.outstanding, ledger.entries) == (Decimal("0"), 0, 0, ())
