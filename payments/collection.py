"""Charges collected by others than the consumer at the portal (WCO E-Commerce FoS, Standard 8).

- Carrier collection: an operator with a collection agreement in force
  collects the charges at the door and reports each collection through the
  API; the item is paid and released. Each month's collections make a
  remittance statement a supervisor signs off; remittances recorded against
  them give the reconciliation: collected, remitted, outstanding.

- Prepaid (DDP): the pre-advice names the collector that took duty and tax at
  sale (a platform, a trader, an operator's DDP service). Its deferred account
  is charged the item's charges, whatever it says it collected (a shortfall is
  its own, never asked of the consumer again), and the item is released with
  nothing to collect at the door. An unknown or inactive collector, a currency
  the account is not kept in, or a charge above the account's limit holds the
  item for an officer.
- Deferred accounts: a limit on what is charged and not yet settled.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from clearance import services as clearance_services
from clearance import transitions
from clearance.choices import ConsignmentState, TermsOfDelivery
from clearance.models import Consignment, PostalOperator
from clearance.selectors import consignment_ids_by_item
from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.normalize import text_key
from core.reference import currency_minor_units
from core.services import audit_entries_create
from payments.choices import CaseState, ChargeDisputeState
from payments.models import (
    AccountCharge,
    AccountMandate,
    Assessment,
    CarrierCollection,
    Case,
    CollectionAgreement,
    DeferredAccount,
    Remittance,
    RemittanceStatement,
)
from payments.selectors import accounts_outstanding, collection_agreement_in_force


@dataclass
class PrepaidPlan:
    """What routing does with the DDP items of a batch."""

    release: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # account code -> items
    hold: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # reason -> items
    prepaid: dict[int, dict] = field(default_factory=dict)  # item -> what its pre-advice says of the prepayment

    def items(self) -> set[int]:
        return {pk for ids in (*self.release.values(), *self.hold.values()) for pk in ids}


def prepaid_plan(assessments: dict[int, Assessment]) -> PrepaidPlan:
    """Which DDP items with charges their collector's account covers, and why the others are held.

    An account is charged only for items its mandates allow (the item's
    operator, and the platform or seller a mandate names) and whose reference
    the account's pattern accepts and no other item of the account used. The
    accounts are locked (in code order, as every batch does) until the
    transaction ends, so two batches cannot both fit under one limit.
    """
    plan = PrepaidPlan()
    rows = Consignment.objects.filter(pk__in=list(assessments), terms_of_delivery=TermsOfDelivery.DDP).values(
        "id",
        "operator_id",
        "platform",
        "sender_email",
        "ioss_number",
        "prepaid_collector",
        "prepaid_reference",
        "prepaid_amount",
        "prepaid_currency",
    )
    ddp = {row["id"]: row for row in rows}
    if not ddp:
        return plan
    codes = {row["prepaid_collector"] for row in ddp.values()}
    accounts = {a.code: a for a in DeferredAccount.objects.select_for_update().filter(code__in=codes).order_by("code")}
    outstanding = accounts_outstanding(accounts.values())
    mandates = _mandates(accounts.values())
    used = _references_used(accounts.values(), ddp)
    for pk in sorted(ddp):
        row, assessment = ddp[pk], assessments[pk]
        account = accounts.get(row["prepaid_collector"])
        problem = _prepaid_problem(row["prepaid_collector"], account, assessment, outstanding) or _mandate_problem(
            row, account, mandates, used
        )
        plan.prepaid[pk] = row
        if problem:
            plan.hold[problem].append(pk)
            continue
        outstanding[account.code] += assessment.total
        used[account.pk].add(row["prepaid_reference"])
        plan.release[account.code].append(pk)
    return plan


def _prepaid_problem(
    code: str, account: DeferredAccount | None, assessment: Assessment, outstanding: dict[str, Decimal]
) -> str:
    if account is None or not account.is_active:
        return f"Prepaid (DDP) by {code!r}, which has no active account with customs: an officer decides."
    if account.currency != assessment.currency:
        return f"The account of {code} is kept in {account.currency}; the charges are in {assessment.currency}."
    if outstanding[account.code] + assessment.total > account.limit:
        return (
            f"Charging {assessment.total} {assessment.currency} would take the account of {code} over its limit "
            f"of {account.limit} {account.currency}: an officer decides."
        )
    return ""


def _mandates(accounts: Iterable[DeferredAccount]) -> dict[int, list[tuple[int, str, str]]]:
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    rows = AccountMandate.objects.filter(account__in=list(accounts)).values_list(
        "account_id", "operator_id", "platform", "seller"
    )
    for account_id, operator_id, platform, seller in rows:
        found[account_id].append((operator_id, platform, seller.lower()))
    return found


def _references_used(accounts: Iterable[DeferredAccount], ddp: dict[int, dict]) -> dict[int, set[str]]:
    """The references of the batch that other items already charged to the same account."""
    references = {row["prepaid_reference"] for row in ddp.values() if row["prepaid_reference"]}
    used: dict[int, set[str]] = defaultdict(set)
    charged = (
        AccountCharge.objects.filter(account__in=list(accounts), reference__in=references)
        .exclude(consignment_id__in=list(ddp))
        .values_list("account_id", "reference")
    )
    for account_id, reference in charged:
        used[account_id].add(reference)
    return used


def _mandate_problem(
    row: dict, account: DeferredAccount, mandates: dict[int, list[tuple[int, str, str]]], used: dict[int, set[str]]
) -> str:
    code = account.code
    sellers = {row["sender_email"].lower(), row["ioss_number"].lower()} - {""}
    allowed = any(
        operator_id == row["operator_id"]
        and (not platform or platform == row["platform"])
        and (not seller or seller in sellers)
        for operator_id, platform, seller in mandates.get(account.pk, [])
    )
    if not allowed:
        return f"The account of {code} has given no mandate for this operator, platform and seller: an officer decides."
    reference = row["prepaid_reference"]
    if not reference:
        return f"A charge to the account of {code} needs the collector's reference: an officer decides."
    if account.reference_pattern and not _matches(account.reference_pattern, reference):
        return f"The reference {reference!r} is not one of {code}'s: an officer decides."
    if reference in used[account.pk]:
        return f"The reference {reference!r} was charged to the account of {code} for another item: an officer decides."
    return ""


def _matches(pattern: str, reference: str) -> bool:
    try:
        return re.fullmatch(pattern, reference) is not None
    except re.error:  # a pattern an administrator mistyped matches nothing: items are held, not charged
        return False


def prepaid_charges_record(plan: PrepaidPlan, released: Iterable[int], assessments: dict[int, Assessment]) -> None:
    """Charge each released DDP item's charges to its collector's account, once per assessment."""
    released = set(released)
    accounts = {a.code: a for a in DeferredAccount.objects.filter(code__in=list(plan.release))}
    charges = [
        AccountCharge(
            account=accounts[code],
            consignment_id=pk,
            assessment=assessments[pk],
            amount=assessments[pk].total,
            currency=assessments[pk].currency,
            prepaid_amount=plan.prepaid[pk]["prepaid_amount"],
            reference=plan.prepaid[pk]["prepaid_reference"],
        )
        for code, ids in plan.release.items()
        for pk in ids
        if pk in released
    ]
    AccountCharge.objects.bulk_create(charges, ignore_conflicts=True)


# --- Carrier collection at the door, statements and remittances -------------------------------------------------


@dataclass
class CollectionOutcome:
    item_id: str
    status: str  # ItemStatus-like: ACCEPTED, DUPLICATE, REJECTED
    errors: list[dict[str, str]]


CARRIER_ACTOR_PREFIX = "operator"


def agreement_in_force(*, operator: PostalOperator, on: date) -> CollectionAgreement | None:
    return collection_agreement_in_force(operator=operator, on=on)


def collections_report(*, operator: PostalOperator, collections: list[dict]) -> list[CollectionOutcome]:
    """The operator collected these items' charges at the door: each is paid and released, once.

    A report for an item is refused, naming why, when the operator has no
    collection agreement in force that day, the item is not awaiting payment,
    or the amount is not the charges due (customs' current assessment). The
    same report sent again (same reference and amount) is a DUPLICATE; the
    customs response (RELEASED) goes to the operator as for any decision.
    """
    ids = consignment_ids_by_item(operator_id=operator.pk, item_ids=(c["itemId"] for c in collections))
    outcomes = []
    for report in collections:
        with transaction.atomic():
            outcomes.append(_collection_one(operator, report, ids.get(report["itemId"])))
    return outcomes


def _collection_one(operator: PostalOperator, report: dict, consignment_id: int | None) -> CollectionOutcome:
    item_id = report["itemId"]

    def refused(field_name: str, code: str, message: str) -> CollectionOutcome:
        return CollectionOutcome(item_id, "REJECTED", [{"field": field_name, "code": code, "message": message}])

    if consignment_id is None:
        return refused("itemId", "unknown_item", "No pre-advice of yours has this itemId.")
    consignment = Consignment.objects.select_for_update().get(pk=consignment_id)
    existing = CarrierCollection.objects.filter(consignment=consignment).first()
    if existing is not None:
        same = (existing.reference, existing.amount, existing.currency)
        if same == (report["reference"], report["amount"], report["currency"]):
            return CollectionOutcome(item_id, "DUPLICATE", [])
        return refused("reference", "already_collected", f"Collection {existing.reference} was reported already.")
    if agreement_in_force(operator=operator, on=report["collectedAt"].date()) is None:
        return refused("collectedAt", "no_agreement", "You have no collection agreement in force on that day.")
    if consignment.state != ConsignmentState.CHARGES_DUE:
        return refused("itemId", "not_due", f"The item is {consignment.get_state_display()}: no charges are due.")
    if Case.objects.filter(consignment=consignment, state=CaseState.OPEN).exists():
        message = "The charges are disputed and the dispute is open: collect them once customs has answered it."
        return refused("itemId", "charges_disputed", message)
    assessment = Assessment.objects.get(consignment=consignment, is_current=True)
    if (report["amount"], report["currency"]) != (assessment.total, assessment.currency):
        message = f"The charges due are {assessment.total} {assessment.currency}; collect exactly that."
        return refused("amount", "amount_mismatch", message)
    collection = CarrierCollection.objects.create(
        operator=operator,
        consignment=consignment,
        assessment=assessment,
        amount=report["amount"],
        currency=report["currency"],
        collected_at=report["collectedAt"],
        reference=report["reference"],
    )
    actor = Actor.system(f"{CARRIER_ACTOR_PREFIX}:{operator.code}")
    reason = f"Charges collected at delivery by {operator.code}, reference {collection.reference}."
    for transition in (transitions.MARK_PAID, transitions.RELEASE_PAID):
        result = clearance_services.consignments_transition(
            transition=transition, consignment_ids=[consignment.pk], actor=actor, reason=reason
        )
        clearance_services.raise_if_not_applied(transition, result, consignment)
    return CollectionOutcome(item_id, "ACCEPTED", [])


EARLIEST_MONTH = date(2000, 1, 1)


def statement_month_check(month: date) -> date:
    """The first day of the month, if a statement can be drawn up for it: from 2000 to the current month."""
    month = month.replace(day=1)
    if not EARLIEST_MONTH <= month <= timezone.now().date().replace(day=1):
        raise ApplicationError("A statement is drawn up for a month from January 2000 to this month.")
    return month


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_ended(month: date, *, today: date | None = None) -> bool:
    """Whether a month is over (UTC): only then can its statement be signed off."""
    return month_bounds(month)[1] <= datetime.combine(today or timezone.now().date(), datetime.min.time(), tzinfo=UTC)


def statement_build(*, operator: PostalOperator, month: date) -> RemittanceStatement:
    """The operator's statement of a month: every collection of the month not on another statement.

    Rebuilt while it is not signed off (a late report joins it); once a
    supervisor signs it off it no longer changes, and later reports of that
    month go on the next month's statement. The month in progress has a
    statement that grows; a month to come has none.
    """
    month = statement_month_check(month)
    with transaction.atomic():
        statement, _ = RemittanceStatement.objects.select_for_update().get_or_create(operator=operator, month=month)
        if statement.signed_off_at is not None:
            return statement
        start, end = month_bounds(month)
        signed = set(
            RemittanceStatement.objects.filter(operator=operator, signed_off_at__isnull=False).values_list(
                "month", flat=True
            )
        )
        unassigned = CarrierCollection.objects.filter(operator=operator, statement__isnull=True, collected_at__lt=end)
        joining = [
            pk
            for pk, at in unassigned.values_list("pk", "collected_at")
            if at >= start or date(at.year, at.month, 1) in signed  # late reports of a month already signed off
        ]
        CarrierCollection.objects.filter(pk__in=joining).update(statement=statement)
        statement.totals = {
            row["currency"]: {"items": row["items"], "amount": str(row["amount"])}
            for row in statement.collections.values("currency").annotate(items=Count("id"), amount=Sum("amount"))
        }
        statement.save(update_fields=["totals", "updated_at"])
    return statement


def statement_sign_off(*, statement: RemittanceStatement, supervisor: User) -> RemittanceStatement:
    if not supervisor.is_supervisor:
        raise PermissionDenied("Only a supervisor signs a remittance statement off.")
    if not month_ended(statement.month):
        raise InvalidTransition(
            f"{statement.month:%Y-%m} has not ended: its statement is signed off once the month is over."
        )
    statement = statement_build(operator=statement.operator, month=statement.month)
    with transaction.atomic():
        statement = RemittanceStatement.objects.select_for_update().get(pk=statement.pk)
        if statement.signed_off_at is not None:
            raise InvalidTransition("This statement was signed off already.")
        if Remittance.objects.filter(statement=statement, recorded_by=supervisor).exists():
            raise PermissionDenied(
                "You recorded remittances against this statement: another supervisor signs it off (four eyes)."
            )
        statement.signed_off_by, statement.signed_off_at = supervisor, timezone.now()
        statement.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
        audit_entries_create(
            model=RemittanceStatement,
            target_ids=[statement.pk],
            action="payments.statement.signed_off",
            actor=Actor.for_user(supervisor),
            payloads={statement.pk: {"operator": statement.operator.code, "totals": statement.totals}},
        )
    return statement


def remittance_record(
    *,
    operator: PostalOperator,
    amount: Decimal,
    currency: str,
    received_at: datetime,
    reference: str,
    officer: User,
    statement: RemittanceStatement | None = None,
) -> Remittance:
    """Money the operator paid over to customs."""
    if not officer.is_supervisor:
        raise PermissionDenied("Only a supervisor records a remittance.")
    if not amount.is_finite() or amount <= 0:
        raise ApplicationError("A remittance is an amount above zero.")
    if not reference.strip():
        raise ApplicationError("Give the bank reference of the remittance.")
    if currency not in currency_minor_units():
        raise ApplicationError(f"{currency} is not an ISO 4217 currency.")
    if statement is not None and statement.signed_off_by_id == officer.pk:
        raise PermissionDenied("You signed this statement off: another supervisor records remittances against it.")
    with transaction.atomic():
        remittance = Remittance.objects.create(
            operator=operator,
            statement=statement,
            amount=amount,
            currency=currency,
            received_at=received_at,
            reference=reference.strip()[:100],
            recorded_by=officer,
        )
        audit_entries_create(
            model=Remittance,
            target_ids=[remittance.pk],
            action="payments.remittance.recorded",
            actor=Actor.for_user(officer),
            payloads={remittance.pk: {"operator": operator.code, "amount": str(amount), "currency": currency}},
        )
    return remittance


# --- The account holder's view of its charges: disputes -------------------------------------------------------


def account_charges_for(*, user: User) -> list[AccountCharge]:
    """The charges on the accounts of the traders this user belongs to, newest first."""
    return list(
        AccountCharge.objects.filter(account__trader__members=user)
        .select_related("account", "consignment", "consignment__operator")
        .order_by("-created_at")[:500]
    )


def account_charge_dispute(*, charge: AccountCharge, user: User, reason: str) -> AccountCharge:
    """The account's holder says it never sold these goods (or not at this price): an officer decides."""
    reason = reason.strip()
    if not text_key(reason):
        raise ApplicationError("Say why this charge is not yours.")
    with transaction.atomic():
        charge = AccountCharge.objects.select_for_update().select_related("account").get(pk=charge.pk)
        if not AccountCharge.objects.filter(pk=charge.pk, account__trader__members=user).exists():
            raise PermissionDenied("Only the account's holder disputes its charges.")
        if charge.dispute_state:
            raise InvalidTransition("This charge was disputed already.")
        charge.dispute_state, charge.dispute_reason = ChargeDisputeState.OPEN, reason[:4000]
        charge.disputed_at, charge.disputed_by = timezone.now(), user
        charge.save(update_fields=["dispute_state", "dispute_reason", "disputed_at", "disputed_by", "updated_at"])
        _audit_charge(charge, "disputed", Actor.for_user(user), reason)
    return charge


def account_charge_dispute_decide(
    *, charge: AccountCharge, officer: User, uphold: bool, resolution: str
) -> AccountCharge:
    """Uphold (the charge leaves the account and the item's ledger; the declaring operator answers for it) or reject."""
    if not officer.is_officer:
        raise PermissionDenied("Only customs officers decide disputed charges.")
    resolution = resolution.strip()
    if not text_key(resolution):
        raise ApplicationError("Say what was decided: the account's holder reads it.")
    with transaction.atomic():
        charge = AccountCharge.objects.select_for_update().get(pk=charge.pk)
        if charge.dispute_state != ChargeDisputeState.OPEN:
            raise InvalidTransition("This charge has no open dispute.")
        if charge.disputed_by_id == officer.pk:
            raise PermissionDenied("A dispute is decided by someone other than who raised it.")
        charge.dispute_state = ChargeDisputeState.UPHELD if uphold else ChargeDisputeState.REJECTED
        charge.dispute_resolution, charge.dispute_resolved_by = resolution[:4000], officer
        charge.save(update_fields=["dispute_state", "dispute_resolution", "dispute_resolved_by", "updated_at"])
        _audit_charge(charge, charge.dispute_state.lower(), Actor.for_user(officer), resolution)
    return charge


def _audit_charge(charge: AccountCharge, step: str, actor: Actor, reason: str) -> None:
    operator = Consignment.objects.filter(pk=charge.consignment_id).values_list("operator__code", flat=True).first()
    audit_entries_create(
        model=Consignment,
        target_ids=[charge.consignment_id],
        action=f"payments.account_charge.{step}",
        actor=actor,
        reason=reason[:500],
        payloads={
            charge.consignment_id: {
                "account": charge.account_id,
                "amount": str(charge.amount),
                "currency": charge.currency,
                "declaredBy": operator,
            }
        },
    )
