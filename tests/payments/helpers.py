from decimal import Decimal

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment
from payments.assessment import consignments_assess_charges, consignments_route
from payments.providers import SandboxProvider
from payments.services import access_token_for
from tests.factories import ConsignmentFactory


def make_due(**fields) -> Consignment:
    """A green item with charges due: USD 400 to Bosnia and Herzegovina is above its 300 BAM relief."""
    fields.setdefault("total_value", Decimal("400.00"))
    fields.setdefault("addressee_email", "amra@example.ba")
    consignment = ConsignmentFactory(state=ConsignmentState.ASSESSED, lane=Lane.GREEN, **fields)
    assessments = consignments_assess_charges(consignment_ids=[consignment.pk])
    consignments_route(assessments=assessments)
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.CHARGES_DUE
    return consignment


def item_url(consignment: Consignment) -> str:
    return f"/pay/i/{access_token_for(consignment)}/"


def pay_with_card(client, consignment: Consignment, card: str = "4242424242424242", key: str = "key-1"):
    """Start a payment from the item page and submit the card on the sandbox page."""
    start = client.post(item_url(consignment) + "pay", {"idempotency_key": key})
    assert start.status_code == 302 and "/pay/sandbox/checkout/" in start["Location"], start
    return client.post(start["Location"], {"card": card, "expiry": "12/30", "cvc": "123"}), start["Location"]


def signed_event(payment, *, kind="payment.succeeded", amount=None, currency=None, event_id="evt_test", timestamp=None):
    import json
    import time

    from payments.providers import sign

    body = json.dumps(
        {
            "id": event_id,
            "type": kind,
            "data": {
                "payment_reference": str(payment.reference),
                "checkout": payment.provider_reference,
                "amount": str(amount if amount is not None else payment.amount),
                "currency": currency or payment.currency,
            },
        }
    ).encode()
    secret = SandboxProvider().secret
    return body, sign(body, timestamp or int(time.time()), secret)


def approved_by_a_second_officer(action, **arguments):
    """Run an officer's action that gives up charges; when it waits for four eyes, a second officer approves it."""
    from officer.services import money_approval_decide
    from payments.approvals import ApprovalRequested
    from tests.factories import UserFactory

    try:
        return action(**arguments)
    except ApprovalRequested as waiting:
        return money_approval_decide(
            approval=waiting.approval, officer=UserFactory(role="OFFICER"), approve=True, reason="Checked."
        )
