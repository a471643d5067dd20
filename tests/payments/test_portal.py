"""The payment portal over HTTP: lookup, breakdown, paying, webhooks, refunds, cases, traders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment, Decision
from core.models import AuditEntry
from payments import notifications, services
from payments.choices import CaseState, PaymentState
from payments.models import Case, Payment, SandboxCharge, Trader
from payments.providers import SIGNATURE_HEADER
from payments.tasks import consignments_return_unpaid
from tests.factories import UserFactory
from tests.payments.helpers import item_url, make_due, pay_with_card, signed_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # rate-limit counters live in Redis
    yield
    cache.clear()


@pytest.fixture
def due():
    return make_due(addressee_postcode="71000", sender_name="Shenzhen Trading Co")


# --- Finding a parcel ------------------------------------------------------------------------


def test_the_right_number_and_postcode_open_the_breakdown(client, due):
    response = client.post("/pay/", {"item_id": due.item_id.lower(), "postcode": " 71000 "})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assessment = due.assessments.get(is_current=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{assessment.total} BAM" in html and "Cotton T-shirt" in html and "610910" in html
    assert "Exchange rate:" in html  # the rate and its publication date are shown


def test_a_wrong_postcode_reveals_nothing_of_the_parcel(client, due):
    response = client.post("/pay/", {"item_id": due.item_id, "postcode": "71001"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No parcel matches this number and postcode." in html
    for secret in (due.sender_name, due.addressee_name, str(due.assessments.get().total), "/pay/i/"):
        assert secret not in html


def test_lookups_are_rate_limited_per_client(client, due, settings):
    settings.OPENCLEAR_PAY_LOOKUPS_PER_MINUTE = 3
    for _ in range(3):
        assert client.post("/pay/", {"item_id": due.item_id, "postcode": "00000"}).status_code == 200
    blocked = client.post("/pay/", {"item_id": due.item_id, "postcode": "71000"})
    assert blocked.status_code == 429  # even the right postcode, once the limit is reached
    assert "/pay/i/" not in blocked.content.decode()


def test_a_forged_or_tampered_link_is_not_found(client, due):
    token = item_url(due).split("/")[3]
    assert client.get(f"/pay/i/{token[:-2]}xx/").status_code == 404
    assert client.get("/pay/i/not-a-token/").status_code == 404


# --- Paying --------------------------------------------------------------------------------------


def test_paying_with_the_sandbox_card_releases_the_item_and_tells_the_operator(client, due):
    response, _ = pay_with_card(client, due)
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/payments/{payment.reference}/"
    assert payment.state == PaymentState.SUCCEEDED and payment.amount == due.assessments.get().total
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED
    assert list(due.decisions.order_by("sequence").values_list("code", flat=True)) == [
        "RELEASE_CHARGES_DUE",
        "RELEASED",
    ]
    actions = set(AuditEntry.objects.filter(target_id=due.pk).values_list("action", flat=True))
    assert {"clearance.consignment.paid", "clearance.consignment.released"} <= actions
    receipt = client.get(response["Location"]).content.decode()
    assert payment.verification_code in receipt and "Payment received" in receipt


def test_a_double_submit_charges_once(client, due):
    first = client.post(item_url(due) + "pay", {"idempotency_key": "same"})
    second = client.post(item_url(due) + "pay", {"idempotency_key": "same"})
    assert first["Location"] == second["Location"]
    card = {"card": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    client.post(first["Location"], card)
    client.post(first["Location"], card)
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert Decision.objects.filter(consignment=due, code="RELEASED").count() == 1


def test_a_declined_card_leaves_the_charges_due(client, due):
    response, _ = pay_with_card(client, due, card="4000000000000002")
    page = client.get(response["Location"]).content.decode()
    assert Payment.objects.get().state == PaymentState.DECLINED
    assert "declined" in page.lower() and "Nothing was charged." in page
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE


def test_an_unknown_card_number_is_refused_on_the_sandbox_page(client, due):
    start = client.post(item_url(due) + "pay", {"idempotency_key": "k"})
    response = client.post(start["Location"], {"card": "1234123412341234", "expiry": "12/30", "cvc": "123"})
    assert response.status_code == 200 and "test cards" in response.content.decode()
    assert not SandboxCharge.objects.exists()


def test_nothing_can_be_paid_for_an_item_without_charges_due(client):
    released = make_due()
    Consignment.objects.filter(pk=released.pk).update(state=ConsignmentState.RELEASED)
    response = client.post(item_url(released) + "pay", {"idempotency_key": "k"}, follow=True)
    assert "has nothing to pay now" in response.content.decode()
    assert not Payment.objects.exists()


# --- Webhooks -----------------------------------------------------------------------------------------


def _started_payment(client, consignment) -> Payment:
    client.post(item_url(consignment) + "pay", {"idempotency_key": f"k-{consignment.pk}"})
    return Payment.objects.get(items__consignment=consignment)


def _post_webhook(client, body, signature):
    return client.post(
        "/pay/webhooks/sandbox/", data=body, content_type="application/json", headers={SIGNATURE_HEADER: signature}
    )


def test_a_webhook_with_a_bad_signature_is_rejected(client, due):
    payment = _started_payment(client, due)
    body, signature = signed_event(payment)
    response = _post_webhook(client, body, signature[:-4] + "0000")
    assert response.status_code == 400 and response.json()["error"]["code"] == "WEBHOOK_REJECTED"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_a_webhook_with_a_stale_timestamp_is_rejected(client, due):
    payment = _started_payment(client, due)
    body, signature = signed_event(payment, timestamp=int(timezone.now().timestamp()) - 3600)
    response = _post_webhook(client, body, signature)
    assert response.status_code == 400 and "stale" in response.json()["error"]["message"]


def test_a_replayed_webhook_has_no_second_effect(client, due):
    payment = _started_payment(client, due)
    body, signature = signed_event(payment)
    assert _post_webhook(client, body, signature).json()["result"].startswith("succeeded")
    assert _post_webhook(client, body, signature).json()["result"] == "duplicate"
    assert Decision.objects.filter(consignment=due, code="RELEASED").count() == 1


def test_a_webhook_amount_that_differs_from_the_assessment_releases_nothing(client, due):
    payment = _started_payment(client, due)
    body, signature = signed_event(payment, amount=payment.amount - Decimal("1.00"))
    assert _post_webhook(client, body, signature).json()["result"] == "mismatch"
    payment.refresh_from_db()
    due.refresh_from_db()
    assert payment.state == PaymentState.MISMATCH and due.state == ConsignmentState.CHARGES_DUE


def test_a_second_payment_of_the_same_charges_is_refunded(client, due):
    first = _started_payment(client, due)
    client.post(item_url(due) + "pay", {"idempotency_key": "another-tab"})
    second = Payment.objects.get(idempotency_key="another-tab")
    for payment in (first, second):
        card = {"card": "4242424242424242", "expiry": "12/30", "cvc": "123"}
        client.post(f"/pay/sandbox/checkout/{payment.provider_reference}/", card)
    second.refresh_from_db()
    refund = second.refunds.get()
    assert refund.amount == second.amount and "paid" in refund.reason
    assert SandboxCharge.objects.get(checkout_token=second.provider_reference).refunded_amount == second.amount
    assert Decision.objects.filter(consignment=due, code="RELEASED").count() == 1


def test_a_payment_that_arrives_after_the_item_was_returned_is_refunded(client, due):
    payment = _started_payment(client, due)
    Consignment.objects.filter(pk=due.pk).update(arrived_at=timezone.now())  # only goods at the office go back
    assert services.consignments_return_unpaid(consignment_ids=[due.pk]) == 1
    provider = services.get_provider("sandbox")
    provider.charge(checkout_token=payment.provider_reference, payment=payment, card_number="4242424242424242")
    body, signature = signed_event(payment)
    _post_webhook(client, body, signature)
    refund = payment.refunds.get()
    assert (refund.reason, refund.state) == ("Item was returned to sender when paid.", "SUCCEEDED")


def test_a_lost_webhook_is_recovered_by_reconciliation(client, due):
    payment = _started_payment(client, due)
    provider = services.get_provider("sandbox")
    provider.charge(checkout_token=payment.provider_reference, payment=payment, card_number="4242424242424242")
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert services.payments_reconcile_pending() == 1
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED


# --- Receipts ------------------------------------------------------------------------------------------------


def test_the_pdf_receipt_carries_the_verification_code_and_verifies(client, due):
    response, _ = pay_with_card(client, due)
    payment = Payment.objects.get()
    pdf = client.get(f"/pay/payments/{payment.reference}/receipt.pdf")
    content = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")
    assert payment.verification_code.encode() in content
    assert "Valid receipt" in client.get("/pay/verify/", {"code": payment.verification_code.lower()}).content.decode()
    assert "No receipt has this code" in client.get("/pay/verify/", {"code": "FFFFFFFFFFFF"}).content.decode()


def test_no_receipt_before_payment(client, due):
    payment = _started_payment(client, due)
    assert client.get(f"/pay/payments/{payment.reference}/receipt.pdf").status_code == 404


# --- Notifications -------------------------------------------------------------------------------------------


def test_charges_due_and_payment_e_mails_are_sent_once(client, due):
    assert notifications.charges_due_send(consignment_ids=[due.pk]) == 1
    assert notifications.charges_due_send(consignment_ids=[due.pk]) == 0  # a retried task
    message = mail.outbox[0]
    assert message.to == ["amra@example.ba"] and due.item_id in message.subject
    link = next(line for line in message.body.splitlines() if "/pay/i/" in line)
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    pay_with_card(client, due)
    assert notifications.payment_received_send(payment_id=Payment.objects.get().pk) == 1
    assert "released" in mail.outbox[1].subject


# --- Disputes and the storage period ---------------------------------------------------------------------------


def test_a_dispute_keeps_the_item_from_being_returned(client, due):
    line = due.assessments.get().lines.get()
    response = client.post(
        item_url(due) + "case", {"grounds": "VALUE_WRONG", "line": line.pk, "reason": "The T-shirts were a gift."}
    )
    assert response.status_code == 302
    dispute = Case.objects.get()
    assert (dispute.kind, dispute.state, dispute.line) == ("DISPUTE", CaseState.OPEN, line)
    assert AuditEntry.objects.filter(target_id=due.pk, action="payments.case.opened").exists()
    long_ago = timezone.now() - timedelta(days=60)
    Consignment.objects.filter(pk=due.pk).update(state_changed_at=long_ago, arrived_at=long_ago)
    assert consignments_return_unpaid() == 0
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE


def test_unpaid_items_are_returned_after_the_storage_period(due):
    fresh = make_due()
    long_ago = timezone.now() - timedelta(days=31)
    Consignment.objects.filter(pk=due.pk).update(state_changed_at=long_ago, arrived_at=long_ago)
    assert consignments_return_unpaid() == 1  # BiH keeps items 30 days
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.state, fresh.state) == (ConsignmentState.RETURNED, ConsignmentState.CHARGES_DUE)
    assert due.decisions.order_by("-sequence").first().code == "RETURN_TO_SENDER"


# --- Traders -----------------------------------------------------------------------------------------------------


@pytest.fixture
def traders(db):
    def trader(name, email):
        user = UserFactory(role="TRADER", username=name.lower())
        trader = Trader.objects.create(name=name, sender_emails=[email])
        trader.members.add(user)
        return user, trader

    return trader("Alpha", "sales@alpha.example"), trader("Beta", "shop@beta.example")


def test_a_trader_sees_and_pays_only_its_own_parcels(client, traders):
    (alpha_user, _), (_, _) = traders
    mine = [make_due(sender_email="sales@alpha.example") for _ in range(2)]
    theirs = make_due(sender_email="shop@beta.example")
    client.force_login(alpha_user)
    home = client.get("/pay/trader/").content.decode()
    assert all(c.item_id in home for c in mine) and theirs.item_id not in home
    assert client.get(f"/pay/trader/items/{theirs.pk}/").status_code == 404
    assert client.post("/pay/trader/pay", {"items": [theirs.pk], "idempotency_key": "t1"}).status_code == 404
    start = client.post("/pay/trader/pay", {"items": [c.pk for c in mine], "idempotency_key": "t2"})
    payment = Payment.objects.get()
    assert payment.items.count() == 2 and payment.amount == sum(c.assessments.get().total for c in mine)
    client.post(start["Location"], {"card": "4242424242424242", "expiry": "12/30", "cvc": "123"})
    assert set(Consignment.objects.filter(pk__in=[c.pk for c in mine]).values_list("state", flat=True)) == {
        ConsignmentState.RELEASED
    }
    theirs.refresh_from_db()
    assert theirs.state == ConsignmentState.CHARGES_DUE


def test_trader_pages_need_a_trader_account(client):
    assert client.get("/pay/trader/")["Location"].startswith("/pay/login/")
    client.force_login(UserFactory(role="OFFICER"))
    assert client.get("/pay/trader/").status_code == 403


def test_trader_logins_are_rate_limited(client, traders):
    for _ in range(5):
        assert client.post("/pay/login/", {"username": "alpha", "password": "wrong"}).status_code == 200
    assert client.post("/pay/login/", {"username": "alpha", "password": "correct-horse-battery"}).status_code == 429


def test_an_idempotency_key_cannot_be_reused_for_other_parcels(client, due):
    other = make_due()
    client.post(item_url(due) + "pay", {"idempotency_key": "shared"})
    page = client.post(item_url(other) + "pay", {"idempotency_key": "shared"}, follow=True).content.decode()
    assert "already used for other parcels" in page
    assert list(Payment.objects.values_list("items__consignment", flat=True)) == [due.pk]


# --- Guessing and conflicts at the lookup ---------------------------------------------------------------------


def test_wrong_postcodes_lock_the_client_that_gave_them_and_the_parcel_only_after_many(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.OPENCLEAR_PAY_LOOKUPS_PER_MINUTE = 100
    settings.OPENCLEAR_PARCEL_WRONG_POSTCODES = 5
    settings.OPENCLEAR_PARCEL_WRONG_POSTCODES_ALL = 8
    due, other = make_due(), make_due()
    for attempt in range(5):  # one client guessing
        client.post("/pay/", {"item_id": due.item_id, "postcode": f"9{attempt}000"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post("/pay/", {"item_id": due.item_id, "postcode": "71000"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429 and 'id="parcel-locked"' in locked.content.decode()
    owner = client.post("/pay/", {"item_id": due.item_id, "postcode": "71000"}, REMOTE_ADDR="10.0.0.9")
    assert owner.status_code == 302  # a stranger's five guesses do not lock the addressee out

    for attempt in range(3):  # guessing from many addresses: the parcel's own limit bites
        client.post("/pay/", {"item_id": due.item_id, "postcode": f"8{attempt}000"}, REMOTE_ADDR=f"10.0.1.{attempt}")
    everyone = client.post("/pay/", {"item_id": due.item_id, "postcode": "71000"}, REMOTE_ADDR="10.0.0.9")
    assert everyone.status_code == 429
    found = client.post("/pay/", {"item_id": other.item_id, "postcode": "71000"}, REMOTE_ADDR="10.0.0.9")
    assert found.status_code == 302  # another parcel is not locked
    cache.clear()


def test_another_operators_pre_advice_of_the_same_number_does_not_hide_the_parcel_awaiting_payment(client):
    from django.core.cache import cache

    from tests.factories import ConsignmentFactory, PostalOperatorFactory, UserFactory

    cache.clear()
    mine = make_due()
    theirs = ConsignmentFactory(operator=PostalOperatorFactory(), item_id=mine.item_id, addressee_postcode="71 000")
    response = client.post("/pay/", {"item_id": mine.item_id, "postcode": "71000"})
    assert response.status_code == 302 and response["Location"] == item_url(mine)
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get(f"/officer/items/{mine.pk}/").content.decode()
    assert 'id="same-item-id"' in page and f"/officer/items/{theirs.pk}/" in page
    client.logout()

    theirs.state = "CHARGES_DUE"  # both awaiting payment, neither operator of the issuing country: none is shown
    theirs.save(update_fields=["state"])
    response = client.post("/pay/", {"item_id": mine.item_id, "postcode": "71000"})
    assert response.status_code == 200 and 'id="ambiguous"' in response.content.decode()
    cache.clear()


def test_a_parcel_number_typed_with_spaces_as_on_the_label_is_found(client):
    from django.core.cache import cache

    cache.clear()
    due = make_due()
    spaced = " ".join([due.item_id[:2], due.item_id[2:5], due.item_id[5:8], due.item_id[8:11], due.item_id[11:]])
    assert client.post("/pay/", {"item_id": spaced.lower(), "postcode": "71000"}).status_code == 302
    cache.clear()
