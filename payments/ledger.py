"""The ledger of an item: what it owes customs and how that was settled, as one account with entries.

Read from the records that move money, never kept as a second copy that could
drift from them:

| entry       | from                                                         | sign |
|-------------|--------------------------------------------------------------|------|
| due         | the current assessment, once charges are asked or settled    | owed |
| written off | ChargeWriteOff (relief on goods returned, a claim upheld)    | owed |
| paid        | portal payments that succeeded (PaymentItem)                 | in   |
| collected   | collection at the door by the operator (CarrierCollection)   | in   |
| charged     | a deferred account charged for a prepaid item (AccountCharge)| in   |
| refunded    | refunds requested or paid back (Refund, not FAILED)          | out  |

An item owes `due - written_off`; it has settled `paid + collected + charged -
refunded`. What it still owes is the first less the second, never below zero;
what was settled beyond it is its credit, and of that only what was paid
through the portal (`paid - refunded`) can go back through the provider: that
is `refundable`, the one amount every refund is computed from. Collections and
account charges are settled with the collector, never refunded to a card.

Charges are due in the states where customs asked for them or let the goods
go against them (CHARGES_DUE, PAID, RELEASED). An item not decided yet
(pre-advised, scored, held, information asked) owes nothing yet, and one that
was never imported (seized, returned, referred) owes nothing: money paid for
either is credit.

`ledgers_for` reads many items in six queries; `item_ledger` reads one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Q

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from payments.choices import ChargeDisputeState, PaymentState, RefundState
from payments.models import AccountCharge, Assessment, CarrierCollection, ChargeWriteOff, PaymentItem, Refund

ZERO = Decimal("0")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DUE_STATES = frozenset({ConsignmentState.CHARGES_DUE, ConsignmentState.PAID, ConsignmentState.RELEASED})


class EntryKind:
    DUE = "due"
    WRITTEN_OFF = "written_off"
    PAID = "paid"
    COLLECTED = "collected"
    CHARGED = "charged"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # EntryKind
    amount: Decimal
    currency: str
    at: datetime
    reference: str  # the payment, collection, account, refund or write-off it comes from


@dataclass(frozen=True)
class ItemLedger:
    """One item's account with customs; amounts in `currency` (the regime's, as assessed)."""

    consignment_id: int
    currency: str
    due: Decimal
    written_off: Decimal
    paid: Decimal
    collected: Decimal
    charged: Decimal
    refunded: Decimal
    entries: tuple[LedgerEntry, ...] = field(default=())

    @property
    def owed(self) -> Decimal:
        """What the item owes customs: its charges less what customs gave up."""
        return max(self.due - self.written_off, ZERO)

    @property
    def settled(self) -> Decimal:
        """What reached customs for the item and stays there."""
        return self.paid + self.collected + self.charged - self.refunded

    @property
    def outstanding(self) -> Decimal:
        """Still to be paid."""
        return max(self.owed - self.settled, ZERO)

    @property
    def credit(self) -> Decimal:
        """Settled beyond what is owed."""
        return max(self.settled - self.owed, ZERO)

    @property
    def refundable(self) -> Decimal:
        """What may go back to the payer through the provider: paid − refunded − owed, at most."""
        return max(min(self.paid - self.refunded, self.credit), ZERO)


def ledgers_for(*, consignment_ids: Iterable[int]) -> dict[int, ItemLedger]:
    """{item: its ledger}, for every id given (an unknown id gets an empty one)."""
    ids = sorted(set(consignment_ids))
    states = dict(Consignment.objects.filter(pk__in=ids).values_list("pk", "state"))
    entries: dict[int, list[LedgerEntry]] = defaultdict(list)
    currencies: dict[int, str] = {}
    for pk, total, currency, unknown, created_at, number in _current_assessments(ids):
        currencies[pk] = currency
        if states.get(pk) in DUE_STATES and not unknown:
            entries[pk].append(LedgerEntry(EntryKind.DUE, total, currency, created_at, f"assessment {number}"))
    for pk, entry in _money_entries(ids):
        entries[pk].append(entry)
    return {pk: _ledger(pk, currencies.get(pk, ""), entries.get(pk, [])) for pk in ids}


def item_ledger(*, consignment: Consignment | int) -> ItemLedger:
    pk = consignment if isinstance(consignment, int) else consignment.pk
    return ledgers_for(consignment_ids=[pk])[pk]


def _ledger(pk: int, currency: str, entries: list[LedgerEntry]) -> ItemLedger:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        totals[entry.kind] += entry.amount
    return ItemLedger(
        consignment_id=pk,
        currency=currency,
        due=totals[EntryKind.DUE],
        written_off=totals[EntryKind.WRITTEN_OFF],
        paid=totals[EntryKind.PAID],
        collected=totals[EntryKind.COLLECTED],
        charged=totals[EntryKind.CHARGED],
        refunded=totals[EntryKind.REFUNDED],
        entries=tuple(sorted(entries, key=lambda e: e.at)),
    )


def _current_assessments(ids: list[int]) -> Iterator[tuple[int, Decimal, str, bool, datetime, int]]:
    rows = Assessment.objects.filter(consignment_id__in=ids, is_current=True).values_list(
        "consignment_id", "total", "currency", "regime_id", "details", "created_at", "number"
    )
    for pk, total, currency, regime_id, details, created_at, number in rows:
        unknown = regime_id is None or bool((details or {}).get("error"))
        yield pk, total, currency, unknown, created_at, number


def _money_entries(ids: list[int]) -> Iterator[tuple[int, LedgerEntry]]:
    paid = PaymentItem.objects.filter(consignment_id__in=ids, payment__state=PaymentState.SUCCEEDED).values_list(
        "consignment_id", "amount", "payment__currency", "payment__paid_at", "payment__reference"
    )
    for pk, amount, currency, paid_at, payment in paid:
        yield pk, LedgerEntry(EntryKind.PAID, amount, currency, paid_at or _EPOCH, f"payment {payment}")
    collected = CarrierCollection.objects.filter(consignment_id__in=ids).values_list(
        "consignment_id", "amount", "currency", "collected_at", "reference"
    )
    for pk, amount, currency, at, reference in collected:
        yield pk, LedgerEntry(EntryKind.COLLECTED, amount, currency, at, f"collection {reference}")
    charged = AccountCharge.objects.filter(consignment_id__in=ids).exclude(dispute_state=ChargeDisputeState.UPHELD)
    charged = charged.values_list("consignment_id", "amount", "currency", "created_at", "account__code")
    for pk, amount, currency, at, code in charged:
        yield pk, LedgerEntry(EntryKind.CHARGED, amount, currency, at, f"account {code}")
    refunds = Refund.objects.filter(Q(consignment_id__in=ids) & ~Q(state=RefundState.FAILED)).values_list(
        "consignment_id", "amount", "currency", "created_at", "pk"
    )
    for pk, amount, currency, at, refund_id in refunds:
        yield pk, LedgerEntry(EntryKind.REFUNDED, amount, currency, at, f"refund {refund_id}")
    written = ChargeWriteOff.objects.filter(consignment_id__in=ids).values_list(
        "consignment_id", "amount", "currency", "created_at", "kind"
    )
    for pk, amount, currency, at, kind in written:
        yield pk, LedgerEntry(EntryKind.WRITTEN_OFF, amount, currency, at, kind)
