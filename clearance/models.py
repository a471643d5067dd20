from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearance.choices import ConsignmentState, DecisionCode, EventCode, ItemCategory, Lane, TermsOfDelivery
from clearance.partitions import consignment_ids_new
from core.models import BaseModel

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=13, decimal_places=2, validators=NON_NEGATIVE, **kwargs)


def weight_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=10, decimal_places=3, validators=NON_NEGATIVE, **kwargs)


class Office(BaseModel):
    """A customs office of exchange (UPU code, e.g. BASJJA), where items arrive."""

    code = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PostalOperator(BaseModel):
    """A designated postal operator or express carrier sending pre-advice.

    `response_sequence` is the last sequence number given to one of its customs
    responses; it is incremented under a row lock in the transaction that
    records the decision, so the operator's feed is gap-free in commit order.
    """

    code = models.SlugField(max_length=32, unique=True, help_text=_("Short code, e.g. BAPOST"))
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True)
    is_active = models.BooleanField(default=True)
    response_sequence = models.BigIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.name


class Consignment(BaseModel):
    """One postal item (S10 id) declared by one operator: its current data and state.

    The columns hold the current version of the declaration; every version the
    operator sent is kept in ConsignmentVersion. The state follows the machine
    in clearance.transitions and changes only through clearance.services.

    The table is partitioned by month of pre-advice, the month being carried in
    the id (clearance.partitions): a new item's id is made from its
    `pre_advised_at`, and its (operator, item id) is made unique by an ItemKey.
    """

    id = models.BigIntegerField(primary_key=True, editable=False)
    # No index of its own: consignment_operator_idx leads with the operator.
    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="consignments", db_index=False)
    item_id = models.CharField(max_length=13, help_text=_("UPU S10 item identifier"))
    state = models.CharField(max_length=16, choices=ConsignmentState.choices, default=ConsignmentState.PRE_ADVISED)
    state_changed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the declared data, to spot duplicates"))
    message_id = models.CharField(max_length=64, blank=True, help_text=_("Operator's message id of the last version"))

    category = models.CharField(max_length=20, choices=ItemCategory.choices)
    sender_name = models.CharField(max_length=200)
    sender_address = models.CharField(max_length=300, blank=True)
    sender_city = models.CharField(max_length=100, blank=True)
    sender_postcode = models.CharField(max_length=20, blank=True)
    sender_country = models.CharField(max_length=2)
    sender_email = models.CharField(max_length=254, blank=True)
    sender_phone = models.CharField(max_length=40, blank=True)
    addressee_name = models.CharField(max_length=200)
    addressee_address = models.CharField(max_length=300, blank=True)
    addressee_city = models.CharField(max_length=100, blank=True)
    addressee_postcode = models.CharField(max_length=20, blank=True)
    addressee_country = models.CharField(max_length=2)
    addressee_email = models.CharField(max_length=254, blank=True)
    addressee_phone = models.CharField(max_length=40, blank=True)
    gross_weight_kg = weight_field()
    currency = models.CharField(max_length=3)
    total_value = money_field(help_text=_("Sum of the content lines' values, in `currency`"))
    postal_charges = money_field(default=Decimal("0"))
    insurance = money_field(default=Decimal("0"))
    ioss_number = models.CharField(max_length=12, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    terms_of_delivery = models.CharField(
        max_length=3, choices=TermsOfDelivery.choices, blank=True, help_text=_("Empty: DAP, the addressee pays")
    )
    prepaid_collector = models.CharField(max_length=40, blank=True, help_text=_("DDP: the collector's account code"))
    prepaid_reference = models.CharField(max_length=100, blank=True)
    prepaid_amount = money_field(null=True, blank=True, help_text=_("DDP: what the collector says it collected"))
    prepaid_currency = models.CharField(max_length=3, blank=True)

    sender_key = models.CharField(max_length=300, blank=True, help_text=_("Normalised country|postcode|name"))
    addressee_key = models.CharField(max_length=300, blank=True, help_text=_("Normalised country|postcode|name"))

    lane = models.CharField(max_length=8, choices=Lane.choices, blank=True)
    risk_score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)

    pre_advised_at = models.DateTimeField(default=timezone.now)
    arrived_at = models.DateTimeField(null=True, blank=True, help_text=_("EMD: arrival at the office of exchange"))
    presented_at = models.DateTimeField(null=True, blank=True, help_text=_("EDB: presented to customs"))
    exited_at = models.DateTimeField(null=True, blank=True, help_text=_("EMF: left the office of exchange"))
    delivered_at = models.DateTimeField(null=True, blank=True, help_text=_("EMI: delivered"))
    decided_at = models.DateTimeField(null=True, blank=True, help_text=_("Latest customs decision"))
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="consignments")
    # An item that arrived (EMD) with no pre-advice is recorded and held (postal.unannounced): `unannounced`
    # stays set for the operator's count; `late_pre_advice_at` is when its pre-advice came at last.
    unannounced = models.BooleanField(default=False, db_default=False, help_text=_("Arrived without pre-advice"))
    late_pre_advice_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the pre-advice of an item that arrived without it came")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_score__isnull=True) | Q(risk_score__gte=0, risk_score__lte=1),
                name="consignment_risk_score_0_1",
            ),
            models.CheckConstraint(condition=Q(total_value__gte=0), name="consignment_total_value_non_negative"),
        ]
        indexes = [
            # Officer queue: held items, highest score first, in the queue's
            # own order (score, then newest id), with and without a lane filter.
            # Partial: an item that never waits for an officer (most of them)
            # never writes to these two.
            models.Index(
                fields=["lane", "-risk_score", "-id"], name="consignment_queue_lane_idx", condition=Q(state="HELD")
            ),
            models.Index(fields=["-risk_score", "-id"], name="consignment_queue_idx", condition=Q(state="HELD")),
            # Operator lookups and listings, newest first.
            models.Index(fields=["operator", "-pre_advised_at"], name="consignment_operator_idx"),
            # The sweep: items stuck in a state since before a time.
            models.Index(fields=["state", "state_changed_at"], name="consignment_state_age_idx"),
            models.Index(fields=["item_id"], name="consignment_item_id_idx"),
            # Items that arrived without pre-advice, counted per operator; a small partial index.
            models.Index(fields=["operator"], name="consignment_unannounced_idx", condition=Q(unannounced=True)),
            # Time Release Study summaries: one pre-advice day's items.
            models.Index(fields=["pre_advised_at"], name="consignment_pre_advised_idx"),
            # Split shipments and networks: one addressee's, or one postcode's, recent
            # items (text_pattern_ops: searched by the key's prefix, country and postcode).
            models.Index(
                fields=["addressee_key", "pre_advised_at"],
                name="consignment_addressee_idx",
                opclasses=["text_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.item_id

    @property
    def is_final(self) -> bool:
        from clearance.choices import FINAL_STATES

        return self.state in FINAL_STATES

    def save(self, **kwargs) -> None:
        """A new item gets an id in its pre-advice month's partition, and its unique ItemKey.

        The intake writes its items in bulk and does both itself (postal.intake).
        """
        if self.pk is not None:
            super().save(**kwargs)
            return
        (self.pk,) = consignment_ids_new(self.pre_advised_at, 1)
        with transaction.atomic(savepoint=False):
            super().save(**{**kwargs, "force_insert": True})
            ItemKey.objects.create(consignment=self, operator_id=self.operator_id, item_id=self.item_id)


class AddresseeMatchKey(models.Model):
    """What finds an addressee's other parcels again (split shipments, networks): risk.names.match_keys of an item's
    addressee (name parts, street, phone and mailbox at the addressee's city and postcode), one row per key.

    Kept only as long as the split-shipment window needs them (risk.tasks purges older rows): a small table whose
    (key, time) index answers a batch's few thousand keys in one scan. An amendment replaces its item's keys.
    """

    consignment_id = models.BigIntegerField()
    key = models.CharField(max_length=200)
    pre_advised_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "pre_advised_at"], name="addressee_match_key_idx"),
            models.Index(fields=["pre_advised_at"], name="addressee_match_key_age_idx"),
            models.Index(fields=["consignment_id"], name="addressee_match_key_item_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class ItemKey(models.Model):
    """An operator's item id, unique across all the item table's monthly partitions.

    A partitioned table can only enforce unique keys that contain its partition
    key, so (operator, item id) is made unique here, in one small table that the
    intake's duplicate check reads first.
    """

    consignment = models.OneToOneField(Consignment, primary_key=True, on_delete=models.CASCADE, related_name="key")
    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="+", db_index=False)
    item_id = models.CharField(max_length=13)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["operator", "item_id"], name="item_key_unique_operator_item")]

    def __str__(self) -> str:
        return self.item_id


class ConsignmentVersion(models.Model):
    """One version of an item's declaration exactly as the operator sent it."""

    # No index of its own: consignment_version_unique_number leads with it.
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField(max_length=64, blank=True)
    content_hash = models.CharField(max_length=64)
    data = models.JSONField(help_text=_("The item as received, normalised (api.md field names)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "number"], name="consignment_version_unique_number"),
        ]
        ordering = ["consignment", "number"]

    def __str__(self) -> str:
        return f"{self.consignment_id} v{self.number}"


class ContentLine(models.Model):
    """One content piece of the current version (CN23 line)."""

    # No index of its own: content_line_unique_position leads with it.
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    net_weight_kg = weight_field()
    value = money_field()
    hs_code = models.CharField(max_length=10, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    # The permit or licence the operator declared for this line (agencies' registers check it).
    permit_number = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "position"], name="content_line_unique_position"),
        ]
        indexes = [models.Index(fields=["hs_code"], name="content_line_hs_idx")]
        ordering = ["consignment", "position"]

    def __str__(self) -> str:
        return f"{self.description} x{self.quantity}"


class ConsignmentEvent(models.Model):
    """A tracking event (EMSEVT-like) reported by the operator for an item."""

    # No index of its own: event_unique leads with it.
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="events", db_index=False)
    code = models.CharField(max_length=3, choices=EventCode.choices)
    occurred_at = models.DateTimeField()
    office_code = models.CharField(max_length=6, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "code", "occurred_at"], name="event_unique"),
        ]
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """A customs decision on an item, which is also its customs response.

    `sequence` counts the operator's responses without gaps, in the order the
    decisions were committed: the pull feed pages on it.
    """

    # No indexes of their own: decision_unique_operator_sequence and decision_consignment_idx lead with them.
    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="decisions", db_index=False)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="decisions", db_index=False)
    sequence = models.BigIntegerField()
    code = models.CharField(max_length=24, choices=DecisionCode.choices)
    reason = models.TextField(blank=True)
    charges = models.JSONField(null=True, blank=True, help_text=_("Charges due, when the decision has any"))
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.CharField(max_length=150, help_text=_("Who decided: a username or system component"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "sequence"], name="decision_unique_operator_sequence"),
        ]
        indexes = [models.Index(fields=["consignment", "-decided_at"], name="decision_consignment_idx")]
        ordering = ["operator", "sequence"]

    def __str__(self) -> str:
        return f"{self.consignment_id} {self.code}"


class Claim(models.Model):
    """An officer working an item: others see it as taken until it is decided or the claim expires."""

    consignment = models.OneToOneField(Consignment, on_delete=models.CASCADE, related_name="claim")
    officer = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.consignment_id} by {self.officer_id}"


class ClaimTakeover(models.Model):
    """An officer took over an item another officer was working; the first officer is told."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="claim_takeovers")
    from_officer = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="claims_taken_from")
    to_officer = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True, help_text=_("When the first officer dismissed the notice"))

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.from_officer_id} -> {self.to_officer_id}"


class LineCorrection(models.Model):
    """An officer's correction of a declared line (HS code, value), kept with the version it corrected.

    An item an officer corrected stays under the officer's hold: an amendment
    brings it back to them, and the versions' differences show the corrected
    value beside the operator's new one.
    """

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="line_corrections")
    consignment_version = models.PositiveIntegerField()
    position = models.PositiveIntegerField()
    hs_code_before = models.CharField(max_length=10, blank=True)
    value_before = money_field()
    hs_code = models.CharField(max_length=10, blank=True)
    value = money_field()
    reason = models.TextField()
    officer = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id} v{self.consignment_version} line {self.position}"


class InformationRequest(models.Model):
    """A question to the operator and addressee; the answer puts the item back in the queue."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="information_requests")
    question = models.TextField()
    asked_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.question[:40]}"


class SeizureRequest(models.Model):
    """A seizure an officer proposes; it happens only when a supervisor confirms it (four eyes)."""

    class State(models.TextChoices):
        PENDING = "PENDING", _("Waiting for a supervisor")
        CONFIRMED = "CONFIRMED", _("Confirmed")
        REJECTED = "REJECTED", _("Rejected")
        WITHDRAWN = "WITHDRAWN", _("Withdrawn by its proposer")

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="seizure_requests")
    reason = models.TextField()
    proposed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text=_("Why it was rejected or withdrawn"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consignment"], condition=Q(state="PENDING"), name="seizure_one_pending_per_item"
            ),
            # Four eyes: only a withdrawal is the proposer's own decision.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")) | Q(state="WITHDRAWN"),
                name="seizure_proposer_is_not_confirmer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consignment_id} seizure {self.state}"


class PartyHold(models.Model):
    """A sender and an addressee remembered after customs found something on their parcel.

    A seizure proposed, goods returned or referred by an officer, or
    prohibited goods found at scoring: until `until`, the next parcels of the
    same sender or addressee (its key, e-mail mailbox or phone; the
    addressee's street address too), through any operator, go to an officer
    (risk.memory). The parties are kept as the normalised keys they are
    matched on, so scoring finds them with one indexed query per chunk.
    """

    class Kind(models.TextChoices):
        SEIZURE = "SEIZURE", _("Seizure proposed")
        RETURNED = "RETURNED", _("Returned to the sender by an officer")
        REFERRED = "REFERRED", _("Referred to another agency")
        PROHIBITED = "PROHIBITED", _("Prohibited goods found")
        WITHDRAWN = "WITHDRAWN", _("Pre-advice withdrawn while customs held the item")

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="+", db_index=False)
    item_id = models.CharField(max_length=13)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()
    sender_key = models.CharField(max_length=300, blank=True)
    sender_mailbox = models.CharField(max_length=254, blank=True)
    sender_phone = models.CharField(max_length=8, blank=True)
    addressee_key = models.CharField(max_length=300, blank=True)
    addressee_mailbox = models.CharField(max_length=254, blank=True)
    addressee_phone = models.CharField(max_length=8, blank=True)
    addressee_address = models.CharField(max_length=340, blank=True, help_text=_("country|postcode|street address"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consignment", "kind"], name="party_hold_once_per_kind")]
        # One partial index per key matched on (an empty key matches nothing): scoring probes each.
        indexes = [
            models.Index(fields=[name], name=f"party_hold_{short}_idx", condition=~Q(**{name: ""}))
            for name, short in (
                ("sender_key", "sk"),
                ("sender_mailbox", "sm"),
                ("sender_phone", "sp"),
                ("addressee_key", "ak"),
                ("addressee_mailbox", "am"),
                ("addressee_phone", "ap"),
                ("addressee_address", "aa"),
            )
        ] + [
            # An item withdrawn while held and sent again is found by its id, in the same query as the keys: without
            # an index of its own, that arm would read the whole table (holds accumulate) for every chunk scored.
            models.Index(fields=["item_id"], name="party_hold_withdrawn_idx", condition=Q(kind="WITHDRAWN")),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} until {self.until:%Y-%m-%d}"
