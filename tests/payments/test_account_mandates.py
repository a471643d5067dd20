"""A deferred account is charged only for items its mandates allow; its holder sees and disputes each charge."""

from decimal import Decimal

import pytest

from clearance.choices import ConsignmentState
from clearance.models import Consignment, Decision
from payments import collection
from payments.models import AccountCharge, AccountMandate, DeferredAccount, Trader
from payments.selectors import accounts_outstanding, item_ledger
from risk.services import consignments_assess
from tests.factories import PostalOperatorFactory, UserFactory
from tests.payments.test_revenue import _ddp, _send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_random_inspection(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0


@pytest.fixture
def holder():
    trader = Trader.objects.create(name="Global Shop")
    user = UserFactory()
    trader.members.add(user)
    return trader, user


def _account(trader=None, **fields) -> DeferredAccount:
    defaults = {"name": "Global Shop DDP", "kind": "PLATFORM", "currency": "BAM", "limit": Decimal("100000.00")}
    return DeferredAccount.objects.create(code="globalshop", trader=trader, **(defaults | fields))


def _scored(item_id: str) -> Consignment:
    consignment = Consignment.objects.get(item_id=item_id)
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    return consignment


def test_an_operator_without_a_mandate_cannot_charge_an_account(operator_client):
    account = _account()
    AccountMandate.objects.create(account=account, operator=PostalOperatorFactory(code="GENUINE"))
    bodies = [_ddp(serial) for serial in range(10, 16)]  # an attacker's made-up prepaid items
    _send(operator_client, *bodies)
    for body in bodies:
        consignment = _scored(body["itemId"])
        assert consignment.state == ConsignmentState.HELD
        assert "no mandate" in Decision.objects.filter(consignment=consignment).latest("sequence").reason
    assert not AccountCharge.objects.exists()
    assert accounts_outstanding([account]) == {"globalshop": Decimal("0")}


@pytest.mark.parametrize(
    ("mandate", "fields", "charged"),
    [
        ({"platform": "globalshop.example"}, {"platform": "globalshop.example"}, True),
        ({"platform": "globalshop.example"}, {"platform": "other.example"}, False),
        ({"seller": "IM2504748863"}, {"iossNumber": "IM2504748863"}, True),
        ({"seller": "shop@example.cn"}, {}, False),
    ],
)
def test_a_mandate_names_the_platform_or_seller_it_covers(operator_client, operator, mandate, fields, charged):
    AccountMandate.objects.create(account=_account(), operator=operator, **mandate)
    body = _ddp(20, **fields)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    assert AccountCharge.objects.filter(consignment=consignment).exists() is charged
    assert consignment.state == (ConsignmentState.RELEASED if charged else ConsignmentState.HELD)


def test_references_are_checked_against_the_pattern_and_charged_once(operator_client, operator):
    AccountMandate.objects.create(account=_account(reference_pattern=r"TX-\d+"), operator=operator)
    bodies = [_ddp(30), _ddp(31), _ddp(32)]
    bodies[1]["prepaid"]["reference"] = "made-up"
    bodies[2]["prepaid"]["reference"] = bodies[0]["prepaid"]["reference"]  # the same order twice
    _send(operator_client, *bodies)
    states = [_scored(body["itemId"]).state for body in bodies]
    assert states == [ConsignmentState.RELEASED, ConsignmentState.HELD, ConsignmentState.HELD]
    assert AccountCharge.objects.count() == 1


def test_the_holder_sees_and_disputes_a_charge_and_an_upheld_dispute_takes_it_off(
    client, operator_client, operator, holder
):
    trader, user = holder
    account = _account(trader=trader)
    AccountMandate.objects.create(account=account, operator=operator)
    body = _ddp(40)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    charge = AccountCharge.objects.get(consignment=consignment)
    client.force_login(user)
    page = client.get("/pay/trader/").content.decode()
    assert body["itemId"] in page and "account-charges" in page

    response = client.post(f"/pay/trader/charges/{charge.pk}/dispute", {"reason": "We never sold this."})
    assert response.status_code == 302
    charge.refresh_from_db()
    assert charge.dispute_state == "OPEN"
    with pytest.raises(collection.InvalidTransition):
        collection.account_charge_dispute(charge=charge, user=user, reason="Again.")

    collection.account_charge_dispute_decide(
        charge=charge, officer=UserFactory(role="OFFICER"), uphold=True, resolution="Not their sale."
    )
    assert accounts_outstanding([account]) == {"globalshop": Decimal("0")}
    ledger = item_ledger(consignment=consignment)
    assert ledger.charged == 0 and ledger.outstanding == ledger.due > 0  # the operator answers for it now


def test_someone_else_cannot_dispute_an_accounts_charge(client, operator_client, operator, holder):
    trader, _ = holder
    AccountMandate.objects.create(account=_account(trader=trader), operator=operator)
    body = _ddp(41)
    _send(operator_client, body)
    charge = AccountCharge.objects.get(consignment=_scored(body["itemId"]))
    stranger = UserFactory()
    Trader.objects.create(name="Other shop").members.add(stranger)
    client.force_login(stranger)
    assert client.post(f"/pay/trader/charges/{charge.pk}/dispute", {"reason": "Not mine."}).status_code == 404
    with pytest.raises(collection.PermissionDenied):
        collection.account_charge_dispute(charge=charge, user=stranger, reason="Not mine.")
