"""Writes of the payments app: payments, provider webhooks, refunds, disputes, unpaid returns."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from clearance import services as clearance_services
from clearance import transitions
from clearance.choices import ConsignmentState
from clearance.models import Consignment
from core.actors import Actor
from core.exceptions import ApplicationError
from core.ratelimit import attempts, hit
from core.services import audit_entries_create
from payments import enqueue, ledger
from payments.choices import CaseState, PaymentState, RefundState
from payments.models import (
    Assessment,
    Case,
    Payment,
    PaymentItem,
    ProviderEvent,
    Refund,
    Trader,
)
from payments.providers import ProviderEventData, get_provider

logger = logging.getLogger(__name__)
PAYMENTS_ACTOR = Actor.system("payments")
ACCESS_SALT = "openclear.payments.access"


class PaymentRefused(ApplicationError):
    code = "PAYMENT_REFUSED"


# --- Access links -------------------------------------------------------------------------------


def access_token_for(consignment: Consignment) -> str:
    """A signed link token: whoever holds it may see and pay this item's charges."""
    return signing.dumps({"c": consignment.pk}, salt=ACCESS_SALT, compress=True)


def consignment_id_from_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=ACCESS_SALT, max_age=settings.OPENCLEAR_PAY_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("c") if isinstance(data, dict) else None


def verification_code_for(payment: Payment) -> str:
    """A short code printed on the receipt; only this platform can compute it."""
    key = str(settings.SECRET_KEY).encode()
    digest = hmac.new(key, str(payment.reference).encode(), hashlib.sha256).hexdigest()
    return digest[:12].upper()


# --- Finding a parcel -----------------------------------------------------------------------------


def parcel_lookup_failed(item_id: str, client: str) -> None:
    """Count a wrong postcode given for this parcel number: by this client, and by anyone."""
    window = settings.OPENCLEAR_PARCEL_LOCK_MINUTES * 60
    hit("pay-parcel-client", f"{item_id}|{client}", window_seconds=window)
    hit("pay-parcel", item_id, window_seconds=window)


def parcel_lookup_locked(item_id: str, client: str) -> bool:
    """Too many wrong postcodes for this number lately, from this client or from everywhere together.

    Per client alone, guessing from many addresses would go unhindered; per
    parcel alone, anyone could lock a stranger's parcel with five wrong
    guesses. So a client is locked out after a few wrong postcodes, and the
    parcel for everyone only after many, from many clients.
    """
    window = settings.OPENCLEAR_PARCEL_LOCK_MINUTES * 60
    mine = attempts("pay-parcel-client", f"{item_id}|{client}", window_seconds=window)
    everyone = attempts("pay-parcel", item_id, window_seconds=window)
    return (
        mine >= settings.OPENCLEAR_PARCEL_WRONG_POSTCODES or everyone >= settings.OPENCLEAR_PARCEL_WRONG_POSTCODES_ALL
    )


# --- Starting a payment ---------------------------------------------------------------------------


def payment_start(
    *,
    consignments: Sequence[Consignment],
    idempotency_key: str,
    payer_email: str = "",
    trader: Trader | None = None,
    language: str = "en",
) -> Payment:
    """One payment for the current charges of the given items.

    The same idempotency key (a form rendered once, submitted twice) returns
    the payment already started, so a double click never starts two.
    """
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        if set(existing.items.values_list("consignment_id", flat=True)) != {c.pk for c in consignments}:
            raise PaymentRefused("This form was already used for other parcels; reload the page.")
        return existing
    if not consignments:
        raise PaymentRefused("Choose at least one item to pay.")
    assessments = _payable_assessments(consignments)
    currencies = {a.currency for a in assessments}
    if len(currencies) != 1:
        raise PaymentRefused("Items charged in different currencies are paid separately.")
    provider = get_provider()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                idempotency_key=idempotency_key,
                provider=provider.name,
                amount=sum((a.total for a in assessments), Decimal("0")),
                currency=currencies.pop(),
                trader=trader,
                payer_email=payer_email,
                language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            )
            PaymentItem.objects.bulk_create(
                [
                    PaymentItem(payment=payment, consignment_id=a.consignment_id, assessment=a, amount=a.total)
                    for a in assessments
                ]
            )
            payment.provider_reference = provider.start_checkout(payment)
            payment.save(update_fields=["provider_reference", "updated_at"])
            _audit_payment(payment, "payments.payment.started", {"amount": str(payment.amount)})
    except IntegrityError:  # the same key submitted concurrently
        return Payment.objects.get(idempotency_key=idempotency_key)
    return payment


def _payable_assessments(consignments: Sequence[Consignment]) -> list[Assessment]:
    """The current assessment of each item; refused unless every item has charges due now."""
    ids = [c.pk for c in consignments]
    states = dict(Consignment.objects.filter(pk__in=ids).values_list("pk", "state"))
    current = {a.consignment_id: a for a in Assessment.objects.filter(consignment_id__in=ids, is_current=True)}
    for consignment in consignments:
        if states.get(consignment.pk) != ConsignmentState.CHARGES_DUE:
            raise PaymentRefused(f"Item {consignment.item_id} has nothing to pay now.")
        assessment = current.get(consignment.pk)
        if assessment is None or assessment.total <= 0:
            raise PaymentRefused(f"Item {consignment.item_id} has no charges assessed.")
    return [current[pk] for pk in ids]


# --- Provider webhooks ------------------------------------------------------------------------------


def provider_webhook_receive(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify a provider's webhook and apply it once; returns what was done.

    Raises providers.WebhookRejected for a bad signature, a stale timestamp or
    a body that cannot be read.
    """
    provider = get_provider(provider_name)
    event = provider.parse_webhook(body, headers)
    return provider_event_apply(provider_name=provider_name, event=event)


def provider_event_apply(*, provider_name: str, event: ProviderEventData) -> str:
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider=provider_name, event_id=event.event_id, payload=event.raw)
        except IntegrityError:
            return "duplicate"
        payment = (
            Payment.objects.select_for_update()
            .filter(reference=event.payment_reference, provider=provider_name)
            .first()
        )
        if payment is None:
            logger.warning("Webhook %s names an unknown payment %s", event.event_id, event.payment_reference)
            return "unknown payment"
        if payment.state != PaymentState.PENDING:
            return f"already {payment.state.lower()}"
        if event.kind == "payment.succeeded":
            return _payment_succeeded(payment, event)
        if event.kind in ("payment.declined", "payment.failed"):
            payment.state = PaymentState.DECLINED if event.kind == "payment.declined" else PaymentState.FAILED
            payment.failure_reason = str(event.raw.get("data", {}).get("message", ""))[:200]
            payment.save(update_fields=["state", "failure_reason", "updated_at"])
            _audit_payment(payment, f"payments.payment.{payment.state.lower()}", {"event": event.event_id})
            return payment.state.lower()
        return "ignored"


def _payment_succeeded(payment: Payment, event: ProviderEventData) -> str:
    if event.amount != payment.amount or event.currency != payment.currency:
        payment.state = PaymentState.MISMATCH
        payment.failure_reason = f"Provider reported {event.amount} {event.currency}"
        payment.save(update_fields=["state", "failure_reason", "updated_at"])
        _audit_payment(payment, "payments.payment.mismatch", {"amount": str(event.amount), "currency": event.currency})
        return "mismatch"
    payment.state = PaymentState.SUCCEEDED
    payment.paid_at = timezone.now()
    payment.verification_code = verification_code_for(payment)
    payment.save(update_fields=["state", "paid_at", "verification_code", "updated_at"])
    _audit_payment(payment, "payments.payment.succeeded", {"event": event.event_id})
    released, refunded = _release_paid_items(payment)
    transaction.on_commit(lambda: enqueue.payment_received_mail(payment.pk), robust=True)
    return f"succeeded: {len(released)} released, {len(refunded)} refunded"


def _release_paid_items(payment: Payment) -> tuple[list[int], list[int]]:
    """Paid → released for items still waiting on these charges; the others get this payment back.

    An item whose charges were corrected while the payer was paying is taken
    when the payment covers what it now owes (the excess is refunded from its
    ledger); a payment not taken (the item is no longer awaiting payment, or
    now owes more) is refunded whole.
    """
    items = list(payment.items.select_related("assessment", "consignment"))
    ids = sorted(item.consignment_id for item in items)
    current = {c.pk: c.state for c in Consignment.objects.select_for_update().filter(id__in=ids).only("id", "state")}
    ledgers = ledger.ledgers_for(consignment_ids=ids)
    payable, untaken = [], []
    for item in items:
        due = current.get(item.consignment_id) == ConsignmentState.CHARGES_DUE
        if due and (item.assessment.is_current or ledgers[item.consignment_id].outstanding == 0):
            payable.append(item.consignment_id)
        else:
            untaken.append(item)
    reason = f"Charges paid, payment {payment.reference}."
    clearance_services.consignments_transition(
        transition=transitions.MARK_PAID, consignment_ids=payable, actor=PAYMENTS_ACTOR, reason=reason
    )
    clearance_services.consignments_transition(
        transition=transitions.RELEASE_PAID, consignment_ids=payable, actor=PAYMENTS_ACTOR, reason=reason
    )
    for item in items:
        if item.consignment_id in payable and ledgers[item.consignment_id].refundable > 0:
            refund_issue(payment=payment, consignment=item.consignment, reason="Paid more than the corrected charges.")
    for item in untaken:
        state = ConsignmentState(current.get(item.consignment_id, ConsignmentState.RETURNED)).label
        _refund_untaken(payment, item, f"Item was {state.lower()} when paid.")
    return payable, [item.consignment_id for item in untaken]


def _refund_untaken(payment: Payment, item: PaymentItem, reason: str) -> Refund | None:
    """A payment not taken for the item's charges goes back whole (what of it was not refunded yet), once."""
    existing = Refund.objects.filter(payment=payment, consignment_id=item.consignment_id, case=None).first()
    if existing is not None and existing.state != RefundState.FAILED:
        return existing
    amount = item.amount - _refunded_of(payment, item.consignment)
    if amount <= 0:
        return existing
    refund = existing or Refund(payment=payment, consignment_id=item.consignment_id, currency=payment.currency)
    refund.amount, refund.reason, refund.state = amount, reason[:300], RefundState.PENDING
    refund.save()
    return refund_pay_out(refund)


def _audit_payment(payment: Payment, action: str, payload: dict[str, Any], actor: Actor = PAYMENTS_ACTOR) -> None:
    audit_entries_create(
        model=Payment,
        target_ids=[payment.pk],
        action=action,
        actor=actor,
        payloads={payment.pk: {"reference": str(payment.reference), **payload}},
    )


def payments_reconcile_pending(*, older_than_seconds: int = 120) -> int:
    """Apply the outcome of payments still pending after their webhook should have come."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    applied = 0
    for payment in Payment.objects.filter(state=PaymentState.PENDING, created_at__lt=cutoff)[:500]:
        event = get_provider(payment.provider).outcome_of(payment)
        if event is not None:
            provider_event_apply(provider_name=payment.provider, event=event)
            applied += 1
    return applied


# --- Refunds -------------------------------------------------------------------------------------------


def refund_issue(
    *, payment: Payment, consignment: Consignment, reason: str, actor: Actor = PAYMENTS_ACTOR
) -> Refund | None:
    """Refund an item's share of a payment that was not taken for its charges, once.

    The amount comes from the item's ledger: never more than its share of
    this payment not yet refunded, nor more than paid − refunded − owed. A
    second call returns the first refund; one that failed is asked again.
    Nothing to refund (the item owes what was paid): None, or the earlier refund.
    """
    item = payment.items.get(consignment=consignment)
    with transaction.atomic():
        Consignment.objects.select_for_update().filter(pk=consignment.pk).values_list("pk").first()
        existing = (
            Refund.objects.select_for_update().filter(payment=payment, consignment=consignment, case=None).first()
        )
        if existing is not None and existing.state != RefundState.FAILED:
            return existing
        amount = min(
            item.amount - _refunded_of(payment, consignment), ledger.item_ledger(consignment=consignment).refundable
        )
        if amount <= 0:
            return existing
        if existing is None:
            existing = Refund(payment=payment, consignment=consignment, currency=payment.currency)
        existing.amount, existing.reason, existing.state = amount, reason[:300], RefundState.PENDING
        existing.save()
        refund_pay_out(existing, actor)
    return existing


def _refunded_of(payment: Payment, consignment: Consignment) -> Decimal:
    """What was already refunded (or is on its way back) of this payment for this item."""
    return Refund.objects.filter(payment=payment, consignment=consignment).exclude(state=RefundState.FAILED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")


def refund_from_ledger(
    *, consignment: Consignment, reason: str, actor: Actor = PAYMENTS_ACTOR, case: Case | None = None
) -> list[Refund]:
    """Pay back what the item's ledger says is refundable, from its latest payments first.

    Called under the item's lock, after the charges were corrected or given
    up. A case's refund goes against the case's payment (one refund per
    case); an automatic one against each payment once.
    """
    refundable = ledger.item_ledger(consignment=consignment).refundable
    payments = Payment.objects.filter(items__consignment=consignment, state=PaymentState.SUCCEEDED).order_by("-paid_at")
    if case is not None and case.payment_id is not None:
        payments = payments.filter(pk=case.payment_id)
    refunds = []
    for payment in payments:
        if refundable <= 0:
            break
        share = payment.items.get(consignment=consignment).amount - _refunded_of(payment, consignment)
        amount = min(share, refundable)
        if amount <= 0:
            continue
        if case is None:
            automatic = Refund.objects.filter(payment=payment, consignment=consignment, case=None)
            if automatic.exclude(state=RefundState.FAILED).exists():
                continue  # one automatic refund per payment and item
            refund = refund_issue(payment=payment, consignment=consignment, reason=reason, actor=actor)
            if refund is not None and refund.state != RefundState.FAILED:
                refunds.append(refund)
                refundable -= refund.amount
            continue
        refund = Refund.objects.create(
            payment=payment,
            consignment=consignment,
            case=case,
            amount=amount,
            currency=payment.currency,
            reason=reason[:300],
        )
        refunds.append(refund_pay_out(refund, actor))
        refundable -= amount
        break  # one refund per case
    return refunds


def refund_pay_out(refund: Refund, actor: Actor = PAYMENTS_ACTOR) -> Refund:
    """Ask the provider to pay a refund back; the outcome is recorded and audited either way."""
    payment = refund.payment
    try:
        refund.provider_reference = get_provider(payment.provider).refund(payment, refund.amount)
    except Exception:
        # The payment stays recorded whatever the provider says; a failed
        # refund is visible in the admin, and asking again retries it.
        logger.exception("Refund of %s for item %s failed", payment.reference, refund.consignment_id)
        refund.state = RefundState.FAILED
    else:
        refund.state = RefundState.SUCCEEDED
    refund.save(update_fields=["provider_reference", "state", "updated_at"])
    _audit_payment(
        payment,
        f"payments.refund.{refund.state.lower()}",
        {"item": refund.consignment_id, "amount": str(refund.amount), "reason": refund.reason},
        actor,
    )
    return refund


# --- Unpaid past the storage period ---------------------------------------------------------------------


def consignments_return_unpaid(*, consignment_ids: list[int]) -> int:
    """Return items whose charges stayed unpaid; what made them returnable is checked again under the lock.

    Between the sweep's read and this transaction an item may have been paid,
    disputed, amended back in front of an officer or reported gone: those stay.
    """
    with transaction.atomic():
        still_due = list(
            Consignment.objects.select_for_update()
            .filter(pk__in=consignment_ids, state=ConsignmentState.CHARGES_DUE, arrived_at__isnull=False)
            .exclude(cases__state=CaseState.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        result = clearance_services.consignments_transition(
            transition=transitions.RETURN_UNPAID,
            consignment_ids=still_due,
            actor=PAYMENTS_ACTOR,
            reason="Charges not paid within the storage period.",
        )
    return len(result.changed)
