"""Payment providers behind one interface, and the built-in sandbox provider.

A provider takes the payer to its own hosted payment page, tells us the
outcome by a signed webhook, and refunds. The sandbox provider does all three
for real inside this platform (its own page under /pay/sandbox/, its own
ledger of charges, HMAC-signed webhooks), with test cards that succeed,
decline or fail, so the whole loop runs offline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_noop

from payments.models import Payment, SandboxCharge

SIGNATURE_HEADER = "X-Sandbox-Signature"


class WebhookRejected(Exception):
    """A webhook whose signature, timestamp or body cannot be trusted."""


@dataclass(frozen=True)
class ProviderEventData:
    event_id: str
    kind: str  # payment.succeeded | payment.declined | payment.failed
    payment_reference: str
    amount: Decimal
    currency: str
    provider_reference: str
    raw: dict


class PaymentProvider(Protocol):
    name: str

    def start_checkout(self, payment: Payment) -> str:
        """Register the payment with the provider; returns the provider's reference."""

    def checkout_url(self, payment: Payment) -> str:
        """Where the payer's browser goes to pay."""

    def parse_webhook(self, body: bytes, headers) -> ProviderEventData:
        """Verify and decode a webhook; raises WebhookRejected."""

    def refund(self, payment: Payment, amount: Decimal) -> str:
        """Refund part or all of a payment; returns the provider's refund reference."""

    def outcome_of(self, payment: Payment) -> ProviderEventData | None:
        """Ask the provider what became of a payment (when its webhook never came)."""


# --- The sandbox --------------------------------------------------------------------------------

# Test cards, as payment providers publish them.
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_FAILS = "4000000000000119"
TEST_CARDS = {
    CARD_SUCCEEDS: ("succeeded", ""),
    # The provider's words, stored with the payment; the portal shows them in the payer's language.
    CARD_DECLINED: ("declined", gettext_noop("The card was declined by the issuer.")),
    CARD_FAILS: ("failed", gettext_noop("The payment could not be processed; try again later.")),
}


class UnknownTestCard(ValueError):
    pass


def sign(body: bytes, timestamp: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(body: bytes, header: str, secret: str, *, tolerance: int, now: float | None = None) -> None:
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise WebhookRejected("Missing or malformed signature header.") from None
    expected = sign(body, timestamp, secret).split("v1=", 1)[1]
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters (a forged header may have some).
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected("Signature does not match.")
    if abs((now or time.time()) - timestamp) > tolerance:
        raise WebhookRejected("Timestamp outside the tolerance: a stale or replayed webhook.")


class SandboxProvider:
    name = "sandbox"

    @property
    def secret(self) -> str:
        return settings.OPENCLEAR_SANDBOX_WEBHOOK_SECRET

    def start_checkout(self, payment: Payment) -> str:
        return secrets.token_urlsafe(24)

    def checkout_url(self, payment: Payment) -> str:
        return reverse("payments:sandbox-checkout", args=[payment.provider_reference])

    def parse_webhook(self, body: bytes, headers) -> ProviderEventData:
        verify(
            body,
            headers.get(SIGNATURE_HEADER, ""),
            self.secret,
            tolerance=settings.OPENCLEAR_WEBHOOK_TOLERANCE_SECONDS,
        )
        try:
            event = json.loads(body)
            data = event["data"]
            return ProviderEventData(
                event_id=str(event["id"]),
                kind=str(event["type"]),
                payment_reference=str(data["payment_reference"]),
                amount=Decimal(str(data["amount"])),
                currency=str(data["currency"]),
                provider_reference=str(data["checkout"]),
                raw=event,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError):
            raise WebhookRejected("The body is not a sandbox event.") from None

    def refund(self, payment: Payment, amount: Decimal) -> str:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(checkout_token=payment.provider_reference)
            if charge.refunded_amount + amount > charge.amount:
                raise ValueError("A refund cannot exceed what was charged.")
            charge.refunded_amount += amount
            charge.save(update_fields=["refunded_amount", "updated_at"])
        return f"re_{charge.pk}_{secrets.token_hex(4)}"

    def outcome_of(self, payment: Payment) -> ProviderEventData | None:
        charge = SandboxCharge.objects.filter(checkout_token=payment.provider_reference).first()
        if charge is None:
            return None
        body, headers = self.webhook_for(charge)
        return self.parse_webhook(body, headers)

    # The hosted page's side: taking the card and telling the merchant.

    def charge(self, *, checkout_token: str, payment: Payment, card_number: str) -> SandboxCharge:
        """Charge a test card once per checkout: a second submit returns the first charge."""
        card = "".join(ch for ch in card_number if ch.isdigit())
        if card not in TEST_CARDS:
            raise UnknownTestCard("Use one of the sandbox test cards.")
        existing = SandboxCharge.objects.filter(checkout_token=checkout_token).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return SandboxCharge.objects.create(
                    checkout_token=checkout_token,
                    payment_reference=payment.reference,
                    amount=payment.amount,
                    currency=payment.currency,
                    outcome=TEST_CARDS[card][0],
                    card_last4=card[-4:],
                )
        except IntegrityError:  # a concurrent submit of the same checkout won
            return SandboxCharge.objects.get(checkout_token=checkout_token)

    def webhook_for(self, charge: SandboxCharge, *, timestamp: int | None = None) -> tuple[bytes, dict]:
        """The signed webhook announcing a charge's outcome (same event id on every resend)."""
        event = {
            "id": f"evt_{charge.pk}",
            "type": f"payment.{charge.outcome}",
            "data": {
                "payment_reference": str(charge.payment_reference),
                "checkout": charge.checkout_token,
                "amount": str(charge.amount),
                "currency": charge.currency,
                "card_last4": charge.card_last4,
                "message": _message_for(charge.outcome),
            },
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        return body, {SIGNATURE_HEADER: sign(body, timestamp or int(time.time()), self.secret)}


def _message_for(outcome: str) -> str:
    for result, message in TEST_CARDS.values():
        if result == outcome:
            return message
    return ""


PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider()}


def get_provider(name: str | None = None) -> PaymentProvider:
    return PROVIDERS[name or settings.OPENCLEAR_PAYMENT_PROVIDER]
