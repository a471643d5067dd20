"""Reads of the payments app: assessments, payments, cases, collection and what a payer may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

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
    DeferredAccount,
    Payment,
    PaymentItem,
    Refund,
    Remittance,
    Trader,
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
