"""Smaller gaps of the revenue loop, each closed: cases without end, collections against a dispute or in another
currency, statements of impossible months, remittances in no currency or recorded and signed by one person."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance.choices import ConsignmentState
from payments import cases, collection
from payments.models import CarrierCollection, CollectionAgreement, RemittanceStatement
from postal.webhooks import address_allowed
from tests.factories import UserFactory
from tests.payments.helpers import make_due
from tests.payments.test_revenue import _collect

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(operator):
    return CollectionAgreement.objects.create(operator=operator, valid_from=date(2026, 1, 1), reference="MoU")


def _dispute(consignment, reason="The value is wrong."):
    return cases.case_open(consignment=consignment, grounds="VALUE_WRONG", reason=reason)


def test_a_rejected_dispute_is_appealed_not_opened_again_and_an_items_cases_have_an_end():
    due = make_due()
    officer = UserFactory(role="OFFICER")
    cases.case_reject(case=_dispute(due), officer=officer, resolution="The invoice is not credible.")
    with pytest.raises(cases.InvalidTransition, match="appeal"):
        _dispute(due, "Again.")
    assert due.cases.count() == 1

    other = make_due(addressee_postcode="71210")
    for grounds in ("VALUE_WRONG", "CLASSIFICATION_WRONG", "OTHER"):
        case = cases.case_open(consignment=other, grounds=grounds, reason="Something.")
        case.state = "UPHELD"  # answered, as if corrected
        case.save(update_fields=["state"])
    with pytest.raises(cases.InvalidTransition, match="often enough"):
        _dispute(other)


def test_a_collection_is_refused_while_the_charges_are_disputed(operator_client, operator, agreement):
    due = make_due(operator=operator)
    _dispute(due)
    result = _collect(operator_client, due)
    assert (result["status"], result["errors"][0]["code"]) == ("REJECTED", "charges_disputed")
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE and not CarrierCollection.objects.exists()


def test_a_second_report_in_another_currency_is_rejected_not_a_duplicate(operator_client, operator, agreement):
    due = make_due(operator=operator)
    assert _collect(operator_client, due)["status"] == "ACCEPTED"
    again = {
        "itemId": due.item_id,
        "amount": str(CarrierCollection.objects.get().amount),
        "currency": "EUR",
        "collectedAt": timezone.now().isoformat(),
        "reference": "POS-1",
    }
    response = operator_client.post("/api/v1/postal/collections", {"collections": [again]}, format="json")
    assert response.json()["results"][0]["status"] == "REJECTED"


def test_a_statement_of_an_impossible_month_is_refused_without_an_error_page(client, operator, agreement):
    client.force_login(UserFactory(role="SUPERVISOR"))
    for month in ("9999-12", "1999-12", (timezone.now().date() + timedelta(days=40)).strftime("%Y-%m")):
        response = client.post("/officer/revenue/statements", {"operator": operator.pk, "month": month}, follow=True)
        assert response.status_code == 200 and "from January 2000 to this month" in response.content.decode()
    assert not RemittanceStatement.objects.exists()


def test_remittances_are_in_a_real_currency_and_not_recorded_and_signed_by_one_supervisor(operator, agreement):
    last_month = timezone.now().date().replace(day=1) - timedelta(days=1)  # signed off once the month is over
    statement = collection.statement_build(operator=operator, month=last_month)
    first, second = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    record = {"operator": operator, "received_at": timezone.now(), "reference": "BANK-1", "statement": statement}
    with pytest.raises(collection.ApplicationError, match="ISO 4217"):
        collection.remittance_record(amount=Decimal("10.00"), currency="XYZ", officer=first, **record)
    collection.remittance_record(amount=Decimal("10.00"), currency="BAM", officer=first, **record)
    with pytest.raises(collection.PermissionDenied, match="four eyes"):
        collection.statement_sign_off(statement=statement, supervisor=first)
    collection.statement_sign_off(statement=statement, supervisor=second)
    statement.refresh_from_db()
    with pytest.raises(collection.PermissionDenied):
        collection.remittance_record(amount=Decimal("5.00"), currency="BAM", officer=second, **record)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "::10.0.0.1",  # IPv4-compatible
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::1",
    ],
)
def test_ipv6_addresses_that_carry_a_private_ipv4_address_are_refused(address, settings):
    settings.OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert not address_allowed(address)


def test_ipv6_addresses_that_carry_a_public_ipv4_address_pass(settings):
    settings.OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert address_allowed("64:ff9b::808:808") and address_allowed("2606:4700:4700::1111")


def test_a_dispute_of_charges_paid_meanwhile_can_still_be_upheld_and_refunds(client):
    from payments.models import PaymentItem, Refund
    from tests.payments.helpers import pay_with_card

    due = make_due()
    case = _dispute(due)
    pay_with_card(client, due)
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED
    fix = cases.LineFix(position=1, hs_code="610910", value=Decimal("340.00"))
    cases.case_uphold(case=case, officer=UserFactory(role="OFFICER"), resolution="Invoice accepted.", fix=fix)
    refund = Refund.objects.get(case=case)
    owed = due.assessments.get(is_current=True).total
    assert refund.amount == PaymentItem.objects.get(consignment=due).amount - owed > 0


def test_a_payment_for_charges_corrected_meanwhile_is_taken_when_it_covers_them_and_the_excess_refunded(client):
    from officer.services import officer_correct_line
    from payments.models import PaymentItem, Refund
    from tests.payments.helpers import item_url

    due = make_due()
    start = client.post(item_url(due) + "pay", {"idempotency_key": "k-1"})
    officer_correct_line(
        consignment=due,
        officer=UserFactory(role="OFFICER"),
        position=1,
        hs_code="610910",
        value=Decimal("380.00"),
        reason="Invoice found.",
    )
    client.post(start["Location"], {"card": "4242424242424242", "expiry": "12/30", "cvc": "123"})
    due.refresh_from_db()
    owed = due.assessments.get(is_current=True).total
    paid = PaymentItem.objects.get(consignment=due).amount
    assert due.state == ConsignmentState.RELEASED and paid > owed
    assert sum(Refund.objects.filter(consignment=due).values_list("amount", flat=True)) == paid - owed
