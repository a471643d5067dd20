"""The assessments made with the law (law.models), and what follows them: payments, refunds, cases,
collection by carriers and deferred accounts, e-mails sent and de minimis simulations.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearance.models import Consignment, PostalOperator, money_field
from core.models import BaseModel
from law.choices import FeeBasis
from law.models import Regime, rate_field
from payments.choices import (
    CaseChannel,
    CaseGrounds,
    CaseKind,
    CaseState,
    ChargeDisputeState,
    CollectorKind,
    DutyKind,
    IrgCategory,
    MoneyApprovalKind,
    MoneyApprovalState,
    PaymentState,
    RefundState,
    WriteOffKind,
)

CENT = Decimal("0.01")


# --- Assessments ----------------------------------------------------------------------------


class Assessment(models.Model):
    """The duty and tax computed for one version of an item, with everything used to compute it.

    A new assessment is made for an amendment or an officer's correction; the
    earlier ones stay, with is_current unset, so every amount ever charged can
    be reproduced from the rates stored here.
    """

    # No index of its own: assessment_unique_number leads with it.
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="assessments", db_index=False)
    number = models.PositiveIntegerField()
    consignment_version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    regime = models.ForeignKey(Regime, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(help_text=_("The date whose law and exchange rate were applied"))
    irg_category = models.PositiveSmallIntegerField(choices=IrgCategory.choices, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    fx_currency = models.CharField(max_length=3, blank=True)
    fx_rate = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    fx_published_on = models.DateField(null=True, blank=True)
    intrinsic_value = money_field(default=Decimal("0"))
    transport_and_insurance = money_field(default=Decimal("0"))
    customs_value = money_field(default=Decimal("0"))
    duty = money_field(default=Decimal("0"))
    vat = money_field(default=Decimal("0"))
    fees = money_field(default=Decimal("0"))
    total = money_field(default=Decimal("0"))
    ioss_applied = models.BooleanField(default=False)
    needs_officer = models.CharField(
        max_length=200, blank=True, help_text=_("Why it cannot be released on its own (no regime, IRG 4)")
    )
    details = models.JSONField(default=dict, help_text=_("Terms, thresholds, fees and rounding applied"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "number"], name="assessment_unique_number"),
            models.UniqueConstraint(
                fields=["consignment"], condition=Q(is_current=True), name="assessment_one_current"
            ),
        ]
        ordering = ["consignment", "-number"]

    def __str__(self) -> str:
        return f"{self.consignment_id} assessment {self.number}: {self.total} {self.currency}"

    @property
    def charges_unknown(self) -> bool:
        """No amount could be worked out (no regime or rate, duty found in another currency, amounts too large).

        Such an assessment totals 0, which must never read as "nothing to pay".
        """
        return self.regime_id is None or bool((self.details or {}).get("error"))

    def charges(self) -> dict[str, str]:
        """The charges as sent to the operator in a customs response, to two places as stored.

        Written the same whether the assessment was just computed or read back
        (a computed Decimal("0") is "0.00"), so two responses compare as equal
        when the amounts are.
        """
        return {
            **{
                name: str(getattr(self, name).quantize(CENT, ROUND_HALF_UP))
                for name in ("duty", "vat", "fees", "total")
            },
            "currency": self.currency,
        }


class AssessmentLine(models.Model):
    # No index of its own: assessment_line_unique_position leads with it.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    hs_code = models.CharField(max_length=10, blank=True)
    declared_value = money_field(help_text=_("In the item's currency"))
    customs_value = models.DecimalField(max_digits=15, decimal_places=4)
    duty_kind = models.CharField(max_length=12, choices=DutyKind.choices)
    duty_rate = rate_field(null=True, blank=True)
    duty_rate_text = models.CharField(max_length=100, blank=True, help_text=_("The duty rate as the tariff states it"))
    duty_source = models.CharField(max_length=300, blank=True, help_text=_("Where the duty rate comes from"))
    duty = models.DecimalField(max_digits=15, decimal_places=4)
    vat_rate = rate_field(default=Decimal("0"))
    vat_base = models.DecimalField(max_digits=15, decimal_places=4)
    vat = models.DecimalField(max_digits=15, decimal_places=4)

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "position"], name="assessment_line_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class ChargeAdjustment(models.Model):
    """Duty found due beyond the declaration (at an inspection): a line of every later assessment of the item.

    Kept apart from the assessment so that a correction or an amendment,
    which assesses the item again from its declaration, cannot drop it.
    """

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="charge_adjustments")
    description = models.CharField(max_length=300)
    duty = money_field()
    currency = models.CharField(max_length=3, help_text=_("The regime's currency, as in the item's assessment"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["consignment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: +{self.duty} {self.currency}"


class AssessmentFee(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="fee_lines")
    name = models.CharField(max_length=100)
    basis = models.CharField(max_length=16, choices=FeeBasis.choices)
    count = models.PositiveSmallIntegerField()
    unit_amount = money_field()
    amount = money_field()

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


# --- Traders, payments, refunds, cases -------------------------------------------------------


class Trader(BaseModel):
    """An e-commerce seller (or its representative) who pays many parcels' charges (DDP).

    Parcels belong to a trader through the identifiers an administrator has
    verified: sender e-mail addresses, IOSS numbers and, for a marketplace
    that pays as deemed supplier, its platform name.
    """

    name = models.CharField(max_length=200)
    members = models.ManyToManyField("core.User", blank=True, related_name="traders")
    sender_emails = models.JSONField(default=list, blank=True)
    ioss_numbers = models.JSONField(default=list, blank=True)
    platforms = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class Payment(BaseModel):
    """One payment for the charges of one or more items, through a payment provider."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=100, unique=True)
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING)
    amount = money_field()
    currency = models.CharField(max_length=3)
    trader = models.ForeignKey(Trader, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    payer_email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="en", help_text=_("The payer's language: e-mails and receipt"))
    paid_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    verification_code = models.CharField(max_length=16, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} {self.state}"


class PaymentItem(models.Model):
    # No index of its own: payment_item_unique leads with it.
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="items", db_index=False)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="payment_items")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="payment_items")
    amount = money_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "consignment"], name="payment_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.amount}"


class ProviderEvent(models.Model):
    """A webhook event already processed: a replay of the same id is a no-op."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class Refund(BaseModel):
    # No index of its own: refund_unique_payment_item leads with it.
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", db_index=False)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=RefundState.choices, default=RefundState.PENDING)
    provider_reference = models.CharField(max_length=100, blank=True)
    case = models.OneToOneField(
        "payments.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund",
        help_text=_("The upheld case that gave it; empty for an automatic refund"),
    )

    class Meta:
        constraints = [
            # One automatic refund per paid item (paid twice, paid after a return): a retry never pays out twice.
            # A case gives at most one refund of its own (the OneToOne).
            models.UniqueConstraint(
                fields=["payment", "consignment"], condition=Q(case__isnull=True), name="refund_unique_payment_item"
            ),
        ]


class ChargeWriteOff(BaseModel):
    """Charges customs gives up on an item: relief on goods re-exported, a refund claim upheld in full.

    An entry of the item's ledger (payments.ledger): what is owed is the
    current assessment less what was written off, and every refund is
    computed from it.
    """

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="write_offs")
    kind = models.CharField(max_length=16, choices=WriteOffKind.choices)
    amount = money_field()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    case = models.ForeignKey(
        "payments.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="write_offs"
    )
    created_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            # Goods are re-exported once: a repeated return event never gives a second relief.
            models.UniqueConstraint(
                fields=["consignment"], condition=Q(kind="RETURN_RELIEF"), name="write_off_one_return_relief"
            ),
        ]
        ordering = ["consignment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: -{self.amount} {self.currency} ({self.kind})"


class Case(BaseModel):
    """A payer's, trader's or operator's case about an item's charges.

    A dispute before payment, a refund claim after it, an appeal against a
    rejected case: an officer answers each by its deadline. Upholding one
    corrects the assessment through the same service as an officer's
    correction and refunds what was paid too much; rejecting it states why
    and how to appeal. The item is not returned while a case is open.
    """

    kind = models.CharField(max_length=8, choices=CaseKind.choices, default=CaseKind.DISPUTE)
    grounds = models.CharField(max_length=20, choices=CaseGrounds.choices, default=CaseGrounds.OTHER)
    channel = models.CharField(max_length=8, choices=CaseChannel.choices, default=CaseChannel.PORTAL)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="cases")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="cases")
    line = models.ForeignKey(AssessmentLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    appeal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField()
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="en", help_text=_("The payer's language, for the e-mails"))
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    deadline = models.DateTimeField(help_text=_("When customs must have answered"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(blank=True)
    corrected_assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment"], condition=Q(state="OPEN"), name="case_one_open_per_item"),
        ]
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.consignment_id} ({self.state})"


# --- Four eyes on money ---------------------------------------------------------------------------------------


class MoneyApprovalThreshold(models.Model):
    """When giving up charges needs a second officer: at or above an amount, or a share of the item's charges.

    Data, not code: a row per currency, and a row with no currency for the
    others. Either limit reached is enough; without any row, every reduction
    waits for a second officer.
    """

    currency = models.CharField(max_length=3, blank=True, unique=True, help_text=_("Empty: any other currency"))
    amount = money_field(help_text=_("Giving up this much or more waits for a second officer"))
    share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text=_("Giving up this share of the item's charges or more (0.5 for half) waits for a second officer"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=0, share__lte=1), name="money_threshold_share_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.currency or '*'}: {self.amount} or {self.share:%}"


class MoneyApproval(BaseModel):
    """An officer's correction or upheld case that gives up charges above the threshold, waiting for a second officer.

    Nothing is changed until another officer or a supervisor approves it;
    then it is applied as the first officer asked, if the item's charges are
    still what they were.
    """

    kind = models.CharField(max_length=12, choices=MoneyApprovalKind.choices)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="money_approvals")
    case = models.ForeignKey("payments.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(help_text=_("What the first officer asked, to apply it as asked"))
    currency = models.CharField(max_length=3)
    before = money_field(help_text=_("What the item owed"))
    after = money_field(help_text=_("What it would owe"))
    requested_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=MoneyApprovalState.choices, default=MoneyApprovalState.PENDING)
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="money_approval_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["consignment"], condition=Q(state="PENDING"), name="money_approval_one_pending_per_item"
            ),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id} {self.kind} {self.before}->{self.after} ({self.state})"

    @property
    def difference(self) -> Decimal:
        return self.before - self.after


# --- Collection by others: carriers at the door, prepaid duties, deferred accounts ---------------------------


class CollectionAgreement(BaseModel):
    """A postal operator collects the charges at delivery and remits them to customs (WCO FoS Standard 8)."""

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="collection_agreements")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text=_("Last day in force; empty: until replaced"))
    reference = models.CharField(max_length=100, blank=True, help_text=_("The agreement's own reference"))

    class Meta:
        ordering = ["operator", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.operator} from {self.valid_from}"


class CarrierCollection(BaseModel):
    """Charges an operator collected at the door for one item; the item is paid and released."""

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="+")
    consignment = models.OneToOneField(Consignment, on_delete=models.PROTECT, related_name="carrier_collection")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    currency = models.CharField(max_length=3)
    collected_at = models.DateTimeField()
    reference = models.CharField(max_length=100, help_text=_("The operator's receipt or transaction reference"))
    statement = models.ForeignKey(
        "payments.RemittanceStatement", null=True, blank=True, on_delete=models.PROTECT, related_name="collections"
    )

    class Meta:
        ordering = ["collected_at", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.amount} {self.currency}"


class RemittanceStatement(BaseModel):
    """What an operator collected in a month and owes customs; a supervisor signs it off."""

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="remittance_statements")
    month = models.DateField(help_text=_("The first day of the month"))
    totals = models.JSONField(default=dict, help_text=_("Per currency: items and amount"))
    signed_off_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["operator", "month"], name="statement_one_per_month")]
        ordering = ["-month", "operator"]

    def __str__(self) -> str:
        return f"{self.operator} {self.month:%Y-%m}"


class Remittance(BaseModel):
    """Money an operator paid over to customs against its statements."""

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="remittances")
    statement = models.ForeignKey(RemittanceStatement, null=True, blank=True, on_delete=models.PROTECT)
    amount = money_field()
    currency = models.CharField(max_length=3)
    received_at = models.DateTimeField()
    reference = models.CharField(max_length=100)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.operator} {self.amount} {self.currency}"


class DeferredAccount(BaseModel):
    """An account that pays customs later for the items charged to it, up to a limit.

    Held by a trader, a platform, an operator or an operator's DDP service: the
    `code` is what a prepaid (DDP) pre-advice names as its collector.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=CollectorKind.choices)
    trader = models.ForeignKey(Trader, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    operator = models.ForeignKey(
        PostalOperator, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    currency = models.CharField(max_length=3, help_text=_("The regime's currency it is charged in"))
    limit = money_field(help_text=_("Charges not yet settled may not go above this"))
    is_active = models.BooleanField(default=True)
    reference_pattern = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "A regular expression the collector's reference must match in full (its order numbers); "
            "empty: any reference. A reference is charged once either way."
        ),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class AccountMandate(models.Model):
    """Who may name a deferred account as a prepaid item's collector: an operator, for a platform or seller.

    An item is charged to the account only when one of its mandates matches:
    the item's operator, and, when the mandate names them, its platform and
    its seller (the sender's e-mail address or IOSS number). Any other item
    naming the account is held for an officer.
    """

    account = models.ForeignKey(DeferredAccount, on_delete=models.CASCADE, related_name="mandates")
    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=100, blank=True, help_text=_("Empty: any platform"))
    seller = models.CharField(
        max_length=254, blank=True, help_text=_("The sender's e-mail address or IOSS number; empty: any seller")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "operator", "platform", "seller"], name="mandate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.operator_id} {self.platform} {self.seller}".strip()


class AccountCharge(BaseModel):
    """An item's charges put on a deferred account (a DDP item: prepaid by its collector).

    The account's holder sees each charge and may dispute it; a dispute an
    officer upholds takes the charge off the account (and out of the item's
    ledger): the operator that declared the item answers for it.
    """

    account = models.ForeignKey(DeferredAccount, on_delete=models.PROTECT, related_name="charges")
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="account_charges")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    currency = models.CharField(max_length=3)
    prepaid_amount = money_field(null=True, blank=True, help_text=_("What the collector said it collected"))
    reference = models.CharField(max_length=100, blank=True, help_text=_("The collector's reference"))
    dispute_state = models.CharField(max_length=10, choices=ChargeDisputeState.choices, blank=True)
    dispute_reason = models.TextField(blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    disputed_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dispute_resolution = models.TextField(blank=True)
    dispute_resolved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "assessment"], name="account_charge_once_per_assessment")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.consignment_id} {self.amount} {self.currency}"


class AccountSettlement(BaseModel):
    """Money a deferred account's holder paid customs."""

    account = models.ForeignKey(DeferredAccount, on_delete=models.PROTECT, related_name="settlements")
    amount = money_field()
    received_at = models.DateTimeField()
    reference = models.CharField(max_length=100)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")


# --- The sandbox provider's ledger, e-mails sent, de minimis simulations ----------------------


class SandboxCharge(BaseModel):
    """A card charge taken by the built-in sandbox provider (its own ledger, as a real PSP has)."""

    checkout_token = models.CharField(max_length=64, unique=True)
    payment_reference = models.UUIDField()
    amount = money_field()
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=10)
    card_last4 = models.CharField(max_length=4)
    refunded_amount = money_field(default=Decimal("0"))


class Notification(models.Model):
    """An e-mail sent to a payer; the unique key makes a retried task send it once."""

    # No index of its own: notification_unique leads with it.
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=64, help_text=_("What it is about, e.g. an assessment or payment"))
    to = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "kind", "key"], name="notification_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"


class SimulationRun(BaseModel):
    """A de minimis "what if": the items of a period assessed under the law in force and under a scenario.

    Blank scenario fields keep the law in force. The run is computed by a
    Celery task (payments.tasks.simulation_run) and its figures kept in `result`.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", _("Waiting")
        DONE = "DONE", _("Done")
        FAILED = "FAILED", _("Failed")

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")
    start = models.DateField(help_text=_("First pre-advice day of the items simulated"))
    end = models.DateField(help_text=_("Last pre-advice day of the items simulated"))
    duty_threshold = money_field(null=True, blank=True, help_text=_("Duty de minimis in the regime's currency"))
    vat_threshold = money_field(null=True, blank=True, help_text=_("VAT threshold in the regime's currency"))
    flat_duty_per_line = money_field(null=True, blank=True, help_text=_("Flat duty per distinct tariff line"))
    without_flat_duty = models.BooleanField(default=False, help_text=_("Drop the flat duty of the law in force"))
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="simulation_period_ordered"),
            models.CheckConstraint(
                condition=~Q(without_flat_duty=True, flat_duty_per_line__isnull=False),
                name="simulation_flat_duty_either_set_or_dropped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime_id} {self.start}–{self.end}"
