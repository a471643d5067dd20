"""Reads of the payments app: assessments, payments, cases, collection and what a payer may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from clearance.choices import ConsignmentState, EventCode
from clearance.models import Consignment, ConsignmentEvent, PostalOperator
from core.normalize import text_key
from law.models import Regime
from law.selectors import storage_days_for
from payments import ledger
from payments.choices import (
    CaseGrounds,
    CaseKind,
    CaseState,
    ChargeDisputeState,
    PaymentState,
    RefundState,
    WriteOffKind,
)
from payments.models import (
    AccountCharge,
    AccountSettlement,
    Assessment,
    CarrierCollection,
    Case,
    ChargeWriteOff,
    CollectionAgreement,
    DeferredAccount,
    Payment,
    PaymentItem,
    Refund,
    Remittance,
    Trader,
)

# --- Money as it stands: paid, refunded, outstanding ---------------------------------------------
#
# What receipts, their check and the indicators read. Kept behind these
# functions so that the papers need not know where the figures come from (today
# the payments and refunds themselves; a ledger of entries per item can answer
# the same questions).


@dataclass(frozen=True)
class PaymentStanding:
    """A payment as it stands: what was paid, what was paid back and when, what customs keeps."""

    paid: Decimal
    currency: str
    refunded: Decimal  # paid back (the provider confirmed)
    requested: Decimal  # asked of the provider, not yet confirmed
    refunds: tuple[Refund, ...]  # every refund asked, oldest first, failed ones included

    @property
    def kept(self) -> Decimal:
        return self.paid - self.refunded

    @property
    def fully_refunded(self) -> bool:
        return self.paid > 0 and self.refunded >= self.paid

    @property
    def last_refunded_at(self) -> datetime | None:
        done = [refund.updated_at for refund in self.refunds if refund.state == RefundState.SUCCEEDED]
        return max(done) if done else None


def payment_standing(*, payment: Payment) -> PaymentStanding:
    refunds = tuple(payment.refunds.select_related("case", "consignment").order_by("created_at", "id"))
    zero = Decimal("0")
    paid = payment.amount if payment.state == PaymentState.SUCCEEDED else zero

    def total(state: str) -> Decimal:
        return sum((refund.amount for refund in refunds if refund.state == state), zero)

    return PaymentStanding(
        paid=paid,
        currency=payment.currency,
        refunded=total(RefundState.SUCCEEDED),
        requested=total(RefundState.PENDING),
        refunds=refunds,
    )


def payment_item_refunded(*, payment: Payment) -> dict[int, Decimal]:
    """{item: paid back to the payer} for one payment's items."""
    rows = (
        Refund.objects.filter(payment=payment, state=RefundState.SUCCEEDED)
        .values("consignment_id")
        .annotate(total=models.Sum("amount"))
    )
    return {row["consignment_id"]: row["total"] for row in rows}


# Where collected money came from: the payer online (the portal, traders' payments), the postal operator
# at the door (collection agreements), and prepaid (DDP) collectors' deferred accounts.
REVENUE_CHANNELS = ("online", "door", "prepaid")


def revenue_by_channel(*, begin: datetime, finish: datetime) -> dict[str, dict[str, Decimal]]:
    """{channel: {currency: collected}} from begin (included) to finish (excluded), every channel listed."""

    def summed(rows: QuerySet[Any], amount: str = "amount") -> dict[str, Decimal]:
        totals = rows.values("currency").annotate(total=models.Sum(amount)).order_by("currency")
        return {row["currency"]: row["total"] for row in totals}

    return {
        "online": summed(Payment.objects.filter(state=PaymentState.SUCCEEDED, paid_at__gte=begin, paid_at__lt=finish)),
        "door": summed(CarrierCollection.objects.filter(collected_at__gte=begin, collected_at__lt=finish)),
        "prepaid": summed(AccountCharge.objects.filter(created_at__gte=begin, created_at__lt=finish)),
    }


def refunded_between(*, begin: datetime, finish: datetime) -> dict[str, Decimal]:
    """{currency: paid back} by refunds the provider confirmed in the period."""
    rows = (
        Refund.objects.filter(state=RefundState.SUCCEEDED, updated_at__gte=begin, updated_at__lt=finish)
        .values("currency")
        .annotate(total=models.Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: row["total"] for row in rows}


def outstanding_now() -> dict[str, Decimal]:
    """{currency: charges due and not yet paid, by anyone}: a stock, whatever the period."""
    rows = (
        Assessment.objects.filter(is_current=True, consignment__state=ConsignmentState.CHARGES_DUE)
        .values("currency")
        .annotate(total=models.Sum("total"))
        .order_by("currency")
    )
    return {row["currency"]: row["total"] for row in rows}


def refund_reason(refund: Refund) -> str:
    """Why a refund was made, in the active language (the stored reason is the record's, in English)."""
    if refund.case is not None:
        return gettext("Case %(number)s upheld: %(resolution)s") % {
            "number": refund.case_id,
            "resolution": refund.case.resolution,
        }
    if refund.reason.startswith("Goods returned to the sender"):
        return gettext("Goods returned to the sender: duty and VAT refunded.")
    if refund.reason.startswith("Item was "):
        return gettext("The parcel no longer awaited these charges when they were paid.")
    return refund.reason


@dataclass(frozen=True)
class PayerChannel:
    """Who pays an item's charges, and how, as the payer is told it.

    kind: "portal" (the addressee pays online), "door" (the postal operator
    collects them at delivery, under a collection agreement), "collected"
    (the operator did), "prepaid" (DDP: the sender's side paid them, charged
    to its collector's account).
    """

    kind: str
    operator: str = ""
    account: str = ""
    collected_at: datetime | None = None


def payer_channel(*, consignment: Consignment) -> PayerChannel:
    charge = AccountCharge.objects.filter(consignment=consignment).select_related("account").first()
    if charge is not None:
        return PayerChannel("prepaid", account=charge.account.name or charge.account.code)
    collected = CarrierCollection.objects.filter(consignment=consignment).select_related("operator").first()
    if collected is not None:
        return PayerChannel("collected", operator=collected.operator.name, collected_at=collected.collected_at)
    if consignment.state == ConsignmentState.CHARGES_DUE and collection_agreement_in_force(
        operator=consignment.operator, on=timezone.now().date()
    ):
        return PayerChannel("door", operator=consignment.operator.name)
    return PayerChannel("portal")


def collection_agreement_in_force(*, operator: PostalOperator, on: date) -> CollectionAgreement | None:
    return (
        CollectionAgreement.objects.filter(operator=operator, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


# --- The ledger: paid, refunded, due and outstanding per item ------------------------------------


def item_ledger(*, consignment: Consignment | int) -> ledger.ItemLedger:
    """One item's account with customs (payments.ledger): read this for receipts, pages and reports.

    `.due` the charges asked, `.paid` through the portal, `.collected` at the
    door, `.charged` to a deferred account, `.refunded`, `.written_off`;
    `.owed`, `.settled`, `.outstanding` (still to pay), `.credit`,
    `.refundable` (what may still go back to the payer); `.entries` each
    with its kind, amount, currency, time and reference; `.currency`.
    """
    return ledger.item_ledger(consignment=consignment)


def ledgers_for(*, consignment_ids: Iterable[int]) -> dict[int, ledger.ItemLedger]:
    """{item: its ledger} for many items in a fixed number of queries (reports, lists)."""
    return ledger.ledgers_for(consignment_ids=consignment_ids)


# --- Assessments and payer access -------------------------------------------------------------


def assessment_current(*, consignment: Consignment) -> Assessment | None:
    return (
        Assessment.objects.filter(consignment=consignment, is_current=True)
        .select_related("regime")
        .prefetch_related("lines", "fee_lines")
        .first()
    )


class AmbiguousParcel(Exception):
    """The number and postcode match items of several operators: which one is the payer's is not clear."""


def consignment_find_for_payer(*, item_id: str, postcode: str) -> Consignment | None:
    """The item whose S10 id and addressee postcode both match; nothing is revealed otherwise.

    Postcodes are compared normalised (case, spaces and punctuation ignored), so
    'SW1A 1AA' and 'sw1a1aa' match. An S10 id belongs to the designated operator
    that issued it, but another operator may pre-advise the same one: when
    items of several operators match, none is shown (AmbiguousParcel), since
    the payer could otherwise be shown, and pay, someone else's charges.
    """
    wanted = text_key(postcode).replace(" ", "")
    if not wanted:
        return None
    candidates = Consignment.objects.filter(item_id=item_id.strip().upper()).order_by("-pre_advised_at")
    matching = [
        consignment
        for consignment in candidates.select_related("operator").only(
            "id", "item_id", "addressee_postcode", "state", "operator_id", "operator__country"
        )
        if text_key(consignment.addressee_postcode).replace(" ", "") == wanted
    ]
    if len({consignment.operator_id for consignment in matching}) > 1:
        matching = _the_payers(matching, item_id.strip().upper())
    return matching[0] if matching else None


def _the_payers(matching: list[Consignment], item_id: str) -> list[Consignment]:
    """Of several operators' items with this number and postcode, the one awaiting payment; among several,
    the one of the operator of the country that issued the number (its last two letters). Else ambiguous."""
    narrowers: tuple[Callable[[Consignment], bool], ...] = (
        lambda c: c.state == ConsignmentState.CHARGES_DUE,
        lambda c: c.operator.country == item_id[-2:],
    )
    for narrower in narrowers:
        narrowed = [c for c in matching if narrower(c)]
        if len({c.operator_id for c in narrowed}) == 1:
            return narrowed
        matching = narrowed or matching
    raise AmbiguousParcel(item_id)


def consignments_sharing_item_id(*, consignment: Consignment) -> QuerySet[Consignment]:
    """Other operators' items pre-advised with the same S10 id: a conflict an officer must see."""
    return (
        Consignment.objects.filter(item_id=consignment.item_id)
        .exclude(operator_id=consignment.operator_id)
        .select_related("operator")
        .order_by("-pre_advised_at")
    )


def consignments_for_trader(*, trader: Trader) -> QuerySet[Consignment]:
    emails = [email.lower() for email in trader.sender_emails if email]
    ioss = [number.upper() for number in trader.ioss_numbers if number]
    platforms = [platform for platform in trader.platforms if platform]
    if not emails and not ioss and not platforms:
        return Consignment.objects.none()
    return Consignment.objects.filter(Q(sender_email__in=emails) | Q(ioss_number__in=ioss) | Q(platform__in=platforms))


def consignments_due_for_trader(*, trader: Trader) -> QuerySet[Consignment]:
    return (
        consignments_for_trader(trader=trader).filter(state=ConsignmentState.CHARGES_DUE).order_by("state_changed_at")
    )


def payment_succeeded_for(*, consignment: Consignment) -> Payment | None:
    return Payment.objects.filter(items__consignment=consignment, state="SUCCEEDED").order_by("-paid_at").first()


def case_open_for(*, consignment: Consignment) -> Case | None:
    return Case.objects.filter(consignment=consignment, state=CaseState.OPEN).first()


def cases_of(*, consignment: Consignment) -> QuerySet[Case]:
    """The item's cases, oldest first: its history of disputes, refund claims and appeals."""
    return Case.objects.filter(consignment=consignment).select_related("line", "resolved_by").order_by("created_at")


def cases_queue(*, kind: str = "", overdue_only: bool = False) -> QuerySet[Case]:
    """Open cases, the nearest deadline first, for the officers' queue."""
    cases = Case.objects.filter(state=CaseState.OPEN).select_related("consignment", "line", "assessment")
    if kind in CaseKind.values:
        cases = cases.filter(kind=kind)
    if overdue_only:
        cases = cases.filter(deadline__lt=timezone.now())
    return cases.order_by("deadline", "id")


def consignment_ids_past_storage(*, now: datetime) -> list[int]:
    """Items stored unpaid at the office of exchange longer than their regime's storage period.

    Only goods customs still holds can be returned: an item that has not
    arrived, has left the office (EMF) or was delivered (EMI) is not, whatever
    its charges. An open case (a dispute, say) keeps an item too.
    """
    ids: list[int] = []
    for regime in Regime.objects.all():
        days = storage_days_for(regime, now.date())
        if days is None:
            continue
        since = now - timedelta(days=days)
        ids.extend(
            Consignment.objects.filter(
                state=ConsignmentState.CHARGES_DUE,
                state_changed_at__lt=since,
                arrived_at__lt=since,
                exited_at__isnull=True,
                delivered_at__isnull=True,
                addressee_country__in=regime.countries,
            )
            .exclude(cases__state=CaseState.OPEN)
            .values_list("id", flat=True)[:10_000]
        )
    return ids


def assessments_current_for(*, consignments: QuerySet[Consignment]) -> QuerySet[Assessment]:
    return Assessment.objects.filter(consignment__in=consignments, is_current=True)


def reconciliation(*, operator: PostalOperator | None = None) -> list[dict[str, Any]]:
    """Per operator and currency: collected at the door, remitted to customs, and what is outstanding."""
    collected = CarrierCollection.objects.all()
    remitted = Remittance.objects.all()
    if operator is not None:
        collected, remitted = collected.filter(operator=operator), remitted.filter(operator=operator)
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    zero = Decimal("0")
    for source, key in ((collected, "collected"), (remitted, "remitted")):
        for row in source.values("operator__code", "currency").annotate(total=models.Sum("amount")):
            entry = totals.setdefault(
                (row["operator__code"], row["currency"]),
                {"operator": row["operator__code"], "currency": row["currency"], "collected": zero, "remitted": zero},
            )
            entry[key] = row["total"] or zero
    for entry in totals.values():
        entry["outstanding"] = entry["collected"] - entry["remitted"]
    return [totals[key] for key in sorted(totals)]


def accounts_with_balance() -> list[dict[str, Any]]:
    """Deferred accounts with what is charged, settled and outstanding, and the room left under the limit."""
    accounts = list(DeferredAccount.objects.select_related("trader", "operator").order_by("code"))
    outstanding = accounts_outstanding(accounts)
    return [{"account": a, "outstanding": outstanding[a.code], "room": a.limit - outstanding[a.code]} for a in accounts]


def collector_account(*, code: str) -> dict[str, Any] | None:
    """A prepaid (DDP) collector's deferred account with what is outstanding and the room under its limit."""
    account = DeferredAccount.objects.filter(code=code).first() if code else None
    if account is None:
        return None
    outstanding = accounts_outstanding([account])[account.code]
    return {"account": account, "outstanding": outstanding, "room": account.limit - outstanding}


def account_charges_disputed() -> QuerySet[AccountCharge]:
    """Charges their account's holder disputes, oldest dispute first, for the officers."""
    return (
        AccountCharge.objects.filter(dispute_state=ChargeDisputeState.OPEN)
        .select_related("account", "consignment", "consignment__operator")
        .order_by("disputed_at", "id")
    )


def accounts_outstanding(accounts: Iterable[DeferredAccount]) -> dict[str, Decimal]:
    """{account code: charged and not yet settled}."""
    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    charged = dict(
        AccountCharge.objects.filter(account_id__in=ids)
        .exclude(dispute_state=ChargeDisputeState.UPHELD)
        .values_list("account_id")
        .annotate(total=models.Sum("amount"))
    )
    settled = dict(
        AccountSettlement.objects.filter(account_id__in=ids)
        .values_list("account_id")
        .annotate(total=models.Sum("amount"))
    )
    zero = Decimal("0")
    return {a.code: (charged.get(a.pk) or zero) - (settled.get(a.pk) or zero) for a in accounts}


def consignment_ids_returned_unrefunded(*, since: datetime) -> list[int]:
    """Items the operator reported returned (EDX) since then, paid through the portal, not yet dealt with.

    Dealt with: relieved with no refund left failed, or handed to an officer as a case.
    """
    returned = ConsignmentEvent.objects.filter(code=EventCode.EDX, received_at__gte=since).values("consignment_id")
    relieved = ChargeWriteOff.objects.filter(consignment_id=OuterRef("consignment_id"), kind=WriteOffKind.RETURN_RELIEF)
    failed = Refund.objects.filter(consignment_id=OuterRef("consignment_id"), state=RefundState.FAILED)
    cased = Case.objects.filter(consignment_id=OuterRef("consignment_id"), grounds=CaseGrounds.RETURNED)
    refunded = (
        Refund.objects.filter(consignment_id=OuterRef("consignment_id"))
        .exclude(state=RefundState.FAILED)
        .values("consignment_id")
        .annotate(total=models.Sum("amount"))
        .values("total")
    )
    return list(
        PaymentItem.objects.filter(consignment_id__in=returned, payment__state=PaymentState.SUCCEEDED)
        .exclude(Exists(relieved) & ~Exists(failed))
        .exclude(Exists(cased))
        .values("consignment_id")
        .annotate(paid=models.Sum("amount"), refunded=Coalesce(Subquery(refunded), Decimal("0")))
        .filter(paid__gt=F("refunded"))  # nothing left to pay back: dealt with
        .values_list("consignment_id", flat=True)[:10_000]
    )
