"""Revenue from the right party, once: prepaid (DDP) items, charges collected at the door, statements, returns."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, ConsignmentEvent, Decision, PostalOperator
from core.exceptions import InvalidTransition
from payments import collection
from payments.models import (
    AccountCharge,
    AccountMandate,
    AccountSettlement,
    Assessment,
    CarrierCollection,
    CollectionAgreement,
    DeferredAccount,
    Notification,
    Refund,
    RemittanceStatement,
)
from payments.refunds import consignments_refund_returned
from payments.selectors import reconciliation
from risk.services import consignments_assess
from tests.factories import UserFactory
from tests.payments.helpers import make_due, pay_with_card
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_random_inspection(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0


def _watch(serial: int, value: str = "400.00", **fields) -> dict:
    """A watch to Bosnia and Herzegovina: above its 300 BAM relief, so duty and VAT are due."""
    line = {
        "description": "Wrist watch",
        "quantity": 1,
        "netWeightKg": "0.100",
        "value": value,
        "hsCode": "910211",
        "originCountry": "CN",
    }
    return item(serial=serial, contents=[line], **fields)


def _ddp(serial: int, collector: str = "globalshop", amount: str | None = "60.00", **fields) -> dict:
    prepaid = {"collector": collector, "reference": f"TX-{serial}"}
    if amount is not None:
        prepaid |= {"amount": amount, "currency": "BAM"}
    return _watch(serial, termsOfDelivery="DDP", prepaid=prepaid, **fields)


def _send(operator_client, *items) -> list[dict]:
    response = operator_client.post("/api/v1/postal/items", batch(*items), format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _scored(item_id: str) -> Consignment:
    consignment = Consignment.objects.get(item_id=item_id)
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    return consignment


def _account(code: str = "globalshop", limit: str = "1000.00", **fields) -> DeferredAccount:
    """An account that every operator of the test may declare (each test has its own operators)."""
    defaults = {"name": "Global Shop DDP", "kind": "PLATFORM", "currency": "BAM", "limit": Decimal(limit)}
    account = DeferredAccount.objects.create(code=code, **(defaults | fields))
    for operator in PostalOperator.objects.all():
        AccountMandate.objects.create(account=account, operator=operator)
    return account


# --- Prepaid duties (DDP) -------------------------------------------------------------------------------------


def test_a_prepaid_item_is_released_without_asking_the_consumer_and_its_collector_is_charged(operator_client):
    _account()
    body = _ddp(1)
    assert _send(operator_client, body)[0]["status"] == "ACCEPTED"
    consignment = _scored(body["itemId"])

    assert (consignment.state, consignment.lane) == (ConsignmentState.RELEASED, Lane.GREEN)
    assert Decision.objects.get(consignment=consignment).code == "RELEASE_NO_CHARGE"
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    charge = AccountCharge.objects.get(consignment=consignment)
    assert (charge.amount, charge.currency, charge.prepaid_amount) == (assessment.total, "BAM", Decimal("60.00"))
    assert assessment.total > 0
    assert not mail.outbox and not Notification.objects.filter(consignment=consignment).exists()


def test_a_shortfall_of_the_prepaid_amount_is_the_collectors_never_the_consumers(operator_client):
    _account()
    body = _ddp(2, amount="1.00")  # the collector took far less than the charges at sale
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    charge = AccountCharge.objects.get(consignment=consignment)
    assert consignment.state == ConsignmentState.RELEASED
    assert charge.amount == Assessment.objects.get(consignment=consignment, is_current=True).total > Decimal("1.00")
    assert not Notification.objects.filter(consignment=consignment).exists()


@pytest.mark.parametrize(
    ("account_fields", "expected"),
    [
        (None, "no active account"),
        ({"is_active": False}, "no active account"),
        ({"limit": "10.00"}, "over its limit"),
        ({"currency": "EUR"}, "kept in EUR"),
    ],
)
def test_a_prepaid_item_its_collector_cannot_be_charged_for_goes_to_an_officer(
    operator_client, account_fields, expected
):
    if account_fields is not None:
        _account(**account_fields)
    body = _ddp(3)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    assert consignment.state == ConsignmentState.HELD
    assert not AccountCharge.objects.exists()
    assert expected in Decision.objects.get(consignment=consignment).reason


def test_an_account_is_never_charged_beyond_its_limit_across_items(operator_client):
    _account(limit="250.00")  # room for one watch's charges (about 200 BAM), not two
    first, second = _ddp(4), _ddp(5, addressee={**item()["addressee"], "name": "Edin Kovač", "postcode": "71210"})
    _send(operator_client, first, second)
    states = sorted(_scored(body["itemId"]).state for body in (first, second))
    total = sum(AccountCharge.objects.values_list("amount", flat=True), Decimal("0"))
    assert states == [ConsignmentState.HELD, ConsignmentState.RELEASED]
    assert Decimal("0") < total <= Decimal("250.00")


def test_settling_an_account_makes_room_under_its_limit():
    account = _account(limit="50.00")
    due = make_due()
    AccountCharge.objects.create(
        account=account, consignment=due, assessment=due.assessments.get(), amount=Decimal("50.00"), currency="BAM"
    )
    AccountSettlement.objects.create(
        account=account,
        amount=Decimal("30.00"),
        received_at=timezone.now(),
        reference="BANK-1",
        recorded_by=UserFactory(role="SUPERVISOR"),
    )
    assert collection.accounts_outstanding([account]) == {"globalshop": Decimal("20.00")}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"termsOfDelivery": "DDP"}, "items[0].prepaid", "required"),
        ({"prepaid": {"collector": "globalshop"}}, "items[0].termsOfDelivery", "ddp_required"),
        ({"termsOfDelivery": "CIF"}, "items[0].termsOfDelivery", "invalid_choice"),
        (
            {"termsOfDelivery": "DDP", "prepaid": {"collector": "globalshop", "amount": "5.00"}},
            "items[0].prepaid.currency",
            "required",
        ),
        ({"termsOfDelivery": "DDP", "prepaid": {"reference": "x"}}, "items[0].prepaid.collector", "required"),
    ],
)
def test_terms_of_delivery_and_the_prepaid_block_are_checked(operator_client, fields, field, code):
    result = _send(operator_client, _watch(6, **fields))[0]
    assert result["status"] == "REJECTED"
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in result["errors"]]


def test_an_item_sent_without_the_new_fields_is_stored_as_before_and_a_resend_is_a_duplicate(operator_client):
    body = _watch(7)
    assert _send(operator_client, body)[0]["status"] == "ACCEPTED"
    consignment = Consignment.objects.get(item_id=body["itemId"])
    assert (consignment.terms_of_delivery, consignment.prepaid_collector, consignment.prepaid_amount) == ("", "", None)
    assert "termsOfDelivery" not in consignment.versions.get().data
    assert _send(operator_client, body)[0]["status"] == "DUPLICATE"


# --- Charges collected at the door ---------------------------------------------------------------------------


@pytest.fixture
def agreement(operator):
    return CollectionAgreement.objects.create(operator=operator, valid_from=date(2026, 1, 1), reference="MoU-2026/4")


def _collect(operator_client, consignment, amount=None, reference="POS-1", at=None):
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    report = {
        "itemId": consignment.item_id,
        "amount": str(amount if amount is not None else assessment.total),
        "currency": assessment.currency,
        "collectedAt": (at or timezone.now()).isoformat(),
        "reference": reference,
    }
    response = operator_client.post("/api/v1/postal/collections", {"collections": [report]}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"][0]


def test_a_collection_at_the_door_pays_and_releases_the_item_and_the_operator_hears_of_it(
    operator_client, operator, agreement
):
    due = make_due(operator=operator)
    result = _collect(operator_client, due)
    due.refresh_from_db()
    assert result["status"] == "ACCEPTED" and due.state == ConsignmentState.RELEASED
    assert list(due.decisions.order_by("sequence").values_list("code", flat=True)) == [
        "RELEASE_CHARGES_DUE",
        "RELEASED",
    ]
    feed = operator_client.get("/api/v1/postal/responses").json()["results"]
    assert feed[-1]["decision"] == "RELEASED" and feed[-1]["itemId"] == due.item_id
    assert _collect(operator_client, due)["status"] == "DUPLICATE"  # the same report again
    again = _collect(operator_client, due, reference="POS-2")
    assert (again["status"], again["errors"][0]["code"]) == ("REJECTED", "already_collected")
    assert CarrierCollection.objects.count() == 1


def test_a_collection_that_is_not_the_charges_due_is_refused_and_the_item_stays_due(
    operator_client, operator, agreement
):
    due = make_due(operator=operator)
    result = _collect(operator_client, due, amount=Decimal("1.00"))
    due.refresh_from_db()
    assert (result["status"], result["errors"][0]["code"]) == ("REJECTED", "amount_mismatch")
    assert result["errors"][0]["field"] == "collections[0].amount"
    assert due.state == ConsignmentState.CHARGES_DUE


def test_an_operator_without_an_agreement_in_force_cannot_report_collections(operator_client, operator):
    CollectionAgreement.objects.create(operator=operator, valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31))
    due = make_due(operator=operator)
    result = _collect(operator_client, due)
    assert (result["status"], result["errors"][0]["code"]) == ("REJECTED", "no_agreement")


def test_an_operator_cannot_report_collections_of_another_operators_item(other_operator_client, agreement):
    due = make_due()  # the fixture operator's item
    CollectionAgreement.objects.create(operator=agreement.operator, valid_from=date(2026, 1, 1))
    result = _collect(other_operator_client, due)
    assert (result["status"], result["errors"][0]["code"]) == ("REJECTED", "unknown_item")


def test_a_malformed_collection_is_refused_field_by_field(operator_client, agreement):
    response = operator_client.post(
        "/api/v1/postal/collections",
        {"collections": [{"itemId": "RB1", "amount": "NaN", "currency": "XXX1", "collectedAt": "yesterday"}]},
        format="json",
    )
    errors = {e["field"] for e in response.json()["results"][0]["errors"]}
    assert {"collections[0].itemId", "collections[0].amount", "collections[0].collectedAt"} <= errors
    assert "collections[0].reference" in errors


def test_the_months_statement_lists_the_collections_is_signed_off_once_and_reconciles(
    client, operator_client, operator, agreement
):
    first, second = make_due(operator=operator), make_due(operator=operator)
    ids = (first.item_id, second.item_id)
    month = (timezone.now().date().replace(day=1) - timedelta(days=1)).replace(day=1)  # an ended month
    last_month = timezone.now().replace(day=1) - timedelta(days=2)
    _collect(operator_client, first, reference="POS-A", at=last_month)
    _collect(operator_client, second, reference="POS-B", at=last_month)
    statement = collection.statement_build(operator=operator, month=month)
    total = sum((c.amount for c in CarrierCollection.objects.all()), Decimal("0"))
    assert statement.totals == {"BAM": {"items": 2, "amount": str(total)}}

    supervisor = UserFactory(role="SUPERVISOR")
    client.force_login(UserFactory(role="OFFICER"))
    assert client.post(f"/officer/revenue/statements/{statement.pk}/sign-off").status_code in (302, 403)
    statement.refresh_from_db()
    assert statement.signed_off_at is None  # an officer cannot sign off
    client.force_login(supervisor)
    client.post(f"/officer/revenue/statements/{statement.pk}/sign-off")
    statement.refresh_from_db()
    assert statement.signed_off_by == supervisor

    files = f"/officer/revenue/statements/{statement.pk}/statement"
    csv_rows = list(csv.reader(io.StringIO(client.get(f"{files}.csv").content.decode())))
    assert {first.item_id, second.item_id} <= {row[0] for row in csv_rows}
    sheet = load_workbook(io.BytesIO(client.get(f"{files}.xlsx").content)).active
    amounts = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True) if row and row[0] in ids]
    assert Decimal(str(round(sum(amounts), 2))) == total  # numbers a spreadsheet adds up
    pdf = client.get(f"{files}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    client.force_login(UserFactory(role="SUPERVISOR"))  # not the one who signed it off (four eyes)
    client.post(
        f"/officer/revenue/statements/{statement.pk}/remittances",
        {"amount": str(total - Decimal("10.00")), "currency": "BAM", "received_on": "2026-12-01", "reference": "B-7"},
    )
    row = reconciliation(operator=operator)[0]
    assert (row["collected"], row["remitted"], row["outstanding"]) == (total, total - 10, Decimal("10.00"))
    page = client.get("/officer/revenue/").content.decode()
    assert operator.code in page and "10.00" in page


def test_a_signed_off_statement_does_not_change_and_a_late_report_goes_on_the_next(
    operator_client, operator, agreement
):
    due = make_due(operator=operator)
    last_month = (timezone.now().date().replace(day=1) - timedelta(days=1)).replace(day=1)
    statement = collection.statement_build(operator=operator, month=last_month)
    collection.statement_sign_off(statement=statement, supervisor=UserFactory(role="SUPERVISOR"))
    late_time = timezone.now().replace(day=1) - timedelta(days=2)
    _collect(operator_client, due, at=late_time)  # collected last month, reported after the sign-off
    assert collection.statement_build(operator=operator, month=last_month).collections.count() == 0
    this_month = collection.statement_build(operator=operator, month=timezone.now().date())
    assert this_month.collections.get().consignment == due


# --- Goods returned to the sender -----------------------------------------------------------------------------


def test_goods_returned_after_payment_get_duty_and_vat_back_once(client, operator_client, operator):
    due = make_due(operator=operator)
    pay_with_card(client, due)
    due.refresh_from_db()
    assessment = Assessment.objects.get(consignment=due, is_current=True)
    assert due.state == ConsignmentState.RELEASED
    arrived = timezone.now() - timedelta(hours=2)
    events = [
        {"itemId": due.item_id, "code": "EMD", "at": arrived.isoformat(), "office": "BASJJA"},
        {"itemId": due.item_id, "code": "EDX", "at": timezone.now().isoformat(), "office": "BASJJA"},
    ]
    response = operator_client.post("/api/v1/postal/events", {"events": events}, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["ACCEPTED", "ACCEPTED"]
    assert ConsignmentEvent.objects.filter(consignment=due, code="EDX").exists()

    assert consignments_refund_returned(consignment_ids=[due.pk]) == 1
    assert consignments_refund_returned(consignment_ids=[due.pk]) == 0  # once
    refund = Refund.objects.get(consignment=due)
    assert (refund.amount, refund.state) == (assessment.duty + assessment.vat, "SUCCEEDED")
    assert refund.amount < assessment.total or assessment.fees == 0  # fees pay for work done and are kept


def test_a_statement_is_signed_off_only_for_a_month_that_has_ended(client, operator_client, operator, agreement):
    due = make_due(operator=operator)
    _collect(operator_client, due, reference="POS-NOW")
    this_month = collection.statement_build(operator=operator, month=timezone.now().date())
    assert this_month.collections.count() == 1  # the month in progress has a statement that grows
    supervisor = UserFactory(role="SUPERVISOR")
    with pytest.raises(InvalidTransition, match="has not ended"):
        collection.statement_sign_off(statement=this_month, supervisor=supervisor)

    client.force_login(supervisor)
    page = client.get(f"/officer/revenue/statements/{this_month.pk}/").content.decode()
    assert 'id="month-open"' in page and 'id="sign-off"' not in page
    client.post(f"/officer/revenue/statements/{this_month.pk}/sign-off")
    this_month.refresh_from_db()
    assert this_month.signed_off_at is None

    for month in ("2099-01", "9999-12"):  # a month to come has no statement: a message, never a 500
        response = client.post("/officer/revenue/statements", {"operator": operator.pk, "month": month})
        assert response.status_code == 200 and "from January 2000 to this month" in response.content.decode()
        assert f'value="{month}"' in response.content.decode()  # the form keeps what was chosen
    assert not RemittanceStatement.objects.filter(month__year__gte=2099).exists()

    ended = (timezone.now().date().replace(day=1) - timedelta(days=1)).replace(day=1)
    last = collection.statement_build(operator=operator, month=ended)
    assert collection.statement_sign_off(statement=last, supervisor=supervisor).signed_off_at is not None


def test_a_refused_remittance_keeps_what_was_typed(client, operator, agreement):
    statement = collection.statement_build(operator=operator, month=timezone.now().date())
    client.force_login(UserFactory(role="SUPERVISOR"))
    url = f"/officer/revenue/statements/{statement.pk}/remittances"
    typed = {"amount": "1 234,5x", "currency": "BAM", "received_on": "2026-12-01", "reference": "B-9"}
    page = client.post(url, typed, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "doit être un montant tel que 12,50" in page
    assert 'value="1 234,5x"' in page and 'value="B-9"' in page
    response = client.post(url, {**typed, "amount": "1 234,50"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert statement.remittance_set.get().amount == Decimal("1234.50")


# --- What the payer is told: door collection and prepaid items as what they are -------------------------


def test_the_portal_and_the_e_mail_of_a_door_collected_parcel_say_to_pay_at_the_door(
    client, operator_client, operator, agreement
):
    from payments.notifications import charges_due_send
    from tests.payments.helpers import item_url

    due = make_due(operator=operator)
    mail.outbox.clear()
    charges_due_send(consignment_ids=[due.pk])
    body = mail.outbox[-1].body
    assert f"{operator.name} collects these charges when it delivers the parcel: pay them at the door" in body
    assert "and pay here" not in body

    page = client.get(item_url(due)).content.decode()
    assert 'data-channel="door"' in page and "To pay the postal operator at delivery" in page
    assert 'id="pay"' not in page and "Total to pay" not in page

    _collect(operator_client, due, reference="POS-DOOR")
    page = client.get(item_url(due)).content.decode()
    assert 'data-channel="collected"' in page and "Paid to the postal operator at delivery" in page
    assert f"{operator.name} collected these charges" in page


def test_the_portal_page_of_a_prepaid_parcel_says_the_seller_paid(client, operator_client):
    from tests.payments.helpers import item_url

    _account()
    body = _ddp(31)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    page = client.get(item_url(consignment)).content.decode()
    assert 'data-channel="prepaid"' in page and "Prepaid by the seller's side" in page
    assert "Global Shop DDP" in page and "nothing to pay customs" in page and "Total to pay" not in page


def test_a_parcel_without_door_collection_is_paid_online_as_before(client):
    from tests.payments.helpers import item_url

    page = client.get(item_url(make_due())).content.decode()
    assert 'data-channel="portal"' in page and "Total to pay" in page and 'id="pay"' in page


# --- A held prepaid item is decided by an officer, without an administrator ---------------------------------


@pytest.mark.parametrize("account_fields", [None, {"limit": "10.00"}, {"is_active": False}])
def test_an_officer_charges_the_addressee_of_a_held_prepaid_item(client, operator_client, account_fields):
    if account_fields is not None:
        _account(**account_fields)
    body = _ddp(40)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    assert consignment.state == ConsignmentState.HELD
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)

    page = client.get(f"/officer/items/{consignment.pk}/").content.decode()
    assert 'data-terms="DDP"' in page and 'id="prepaid-collector"' in page and "globalshop" in page
    assert 'id="charge-addressee"' in page and "<details open" in page

    seen = _seen(client, consignment)
    refused = client.post(f"/officer/items/{consignment.pk}/release", {"seen": seen}).content.decode()
    assert "Charge the addressee instead, or return the item." in refused and "Set up" not in refused

    no_reason = client.post(f"/officer/items/{consignment.pk}/charge_addressee", {"seen": seen, "reason": " "})
    assert no_reason.status_code == 200
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.HELD

    response = client.post(
        f"/officer/items/{consignment.pk}/charge_addressee",
        {"seen": seen, "reason": "The platform's account is not set up; the addressee pays."},
    )
    assert response.status_code == 302
    consignment.refresh_from_db()
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    decision = Decision.objects.filter(consignment=consignment).latest("sequence")
    assert consignment.state == ConsignmentState.CHARGES_DUE and not AccountCharge.objects.exists()
    assert decision.code == "RELEASE_CHARGES_DUE" and decision.charges["total"] == str(assessment.total)
    assert "the addressee pays" in decision.reason


def test_an_officer_returns_a_held_prepaid_item(client, operator_client):
    body = _ddp(41)
    _send(operator_client, body)
    consignment = _scored(body["itemId"])
    client.force_login(UserFactory(role="OFFICER"))
    seen = _seen(client, consignment)
    client.post(f"/officer/items/{consignment.pk}/return", {"seen": seen, "reason": "No account: back to the seller."})
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.RETURNED


def test_charging_the_addressee_is_only_for_prepaid_items(client):
    from tests.officer.test_dashboard_browser import held

    item_ = held("0.5000", total_value=Decimal("400.00"))
    client.force_login(UserFactory(role="OFFICER"))
    url = f"/officer/items/{item_.pk}/charge_addressee"
    page = client.post(url, {"seen": _seen(client, item_), "reason": "x"}).content.decode()
    assert "is not prepaid (DDP)" in page and 'id="charge-addressee"' not in page
    item_.refresh_from_db()
    assert item_.state == ConsignmentState.HELD


# --- Revenue indicators count every channel -------------------------------------------------------------------


def test_the_revenue_indicators_count_money_paid_online_collected_at_the_door_and_charged_to_accounts(
    client, operator_client, operator, agreement
):
    from performance.indicators import indicators_for_period

    online = make_due()
    pay_with_card(client, online)
    door = make_due(operator=operator)
    _collect(operator_client, door, reference="POS-IND")
    _account()
    body = _ddp(50)
    _send(operator_client, body)
    prepaid = _scored(body["itemId"])
    amounts = {
        name: Assessment.objects.get(consignment=c, is_current=True).total
        for name, c in (("online", online), ("door", door), ("prepaid", prepaid))
    }

    today = timezone.now().date()
    indicators = indicators_for_period(start=today, end=today)
    assert {name: part.get("BAM") for name, part in indicators.by_channel.items()} == amounts
    assert indicators.collected == {"BAM": sum(amounts.values())}

    client.force_login(UserFactory(role="OFFICER"))
    page = client.get("/officer/performance/indicators/", {"start": today, "end": today}).content.decode()
    row = page.split('<tr data-currency="BAM">', 1)[1].split("</tr>", 1)[0]
    for name, amount in amounts.items():
        assert f'class="{name} num">{amount:,.2f}<' in row
    assert f'class="collected num">{sum(amounts.values()):,.2f}<' in row


def _seen(client, consignment) -> str:
    """The stamp of what the officer's page showed, as its decision forms carry it."""
    page = client.get(f"/officer/items/{consignment.pk}/").content.decode()
    return page.split('name="seen" value="', 1)[1].split('"', 1)[0]
