"""What an information request needs and by when, the documents that answer it; the permit registers.

The question itself is clearance's `InformationRequest` (its state change is a
transition there); these rows say what it asks for, its deadline, the outcome
configured for no answer, and hold the answer's documents. A document is
stored under a random name in the private media folder, which no URL serves:
it is read only through the officer's item page and the addressee's link.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from agencies.choices import AgencyDecision, AgencyKind, Channel, Needed, Outcome
from risk.permits import PermitKind


class InformationTerms(models.Model):
    """What an information request needs, its deadline, its reminder and its outcome without an answer."""

    request = models.OneToOneField(
        "clearance.InformationRequest", on_delete=models.CASCADE, related_name="terms", primary_key=True
    )
    needed = models.JSONField(default=list)  # codes of agencies.choices.Needed
    deadline = models.DateTimeField()
    remind_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    outcome_note = models.TextField(blank=True)  # the note a release without an answer carries
    language = models.CharField(max_length=8)  # the addressee's, for the e-mails
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    outcome_applied = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["deadline"], condition=models.Q(lapsed_at__isnull=True), name="terms_open_deadline"),
        ]

    def __str__(self) -> str:
        return f"request {self.request_id} by {self.deadline:%Y-%m-%d}"

    @property
    def needed_labels(self) -> list[str]:
        return [str(Needed(code).label) for code in self.needed if code in Needed.values]


def _document_path(instance: AnswerDocument, filename: str) -> str:
    # Never the sender's name: a random one that cannot be guessed, with the extension the content showed.
    return f"private/answers/{secrets.token_urlsafe(24)}.{instance.extension}"


class AnswerDocument(models.Model):
    """A document (PDF or image) sent with the answer to an information request, checked by its content."""

    request = models.ForeignKey("clearance.InformationRequest", on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_document_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)  # as sent: shown, never used as a path
    channel = models.CharField(max_length=10, choices=Channel.choices)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.original_name or self.extension}"


class Permit(models.Model):
    """A permit or licence of one register (CITES, medicines, dual-use, Basel), valid for a period.

    Loaded from the registers' CSV (manage.py permits_load); a number issued
    again for a new period is a row of its own. The holder is compared by its
    name key (core.normalize.name_key), the goods by HS prefixes, the quantity
    with what items released on the permit used (PermitUse).
    """

    kind = models.CharField(max_length=10, choices=PermitKind.choices)
    number = models.CharField(max_length=40)
    holder = models.CharField(max_length=200)
    holder_key = models.CharField(max_length=200, db_index=True)
    goods = models.CharField(max_length=300)
    hs_prefixes = models.JSONField(default=list)  # HS codes or prefixes the permit covers; empty: any
    quantity = models.PositiveIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField()
    source = models.CharField(max_length=200, blank=True)  # the file and line it was loaded from
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "number", "valid_from"], name="permit_unique_period"),
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")), name="permit_period"),
        ]
        ordering = ["kind", "number", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number} ({self.valid_from} to {self.valid_to})"


class PermitUse(models.Model):
    """The quantity of an item's line released on a permit; scoring the item again updates it, never adds."""

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="uses")
    consignment = models.ForeignKey("clearance.Consignment", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    quantity = models.PositiveIntegerField()
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["permit", "consignment", "position"], name="permit_use_once_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.quantity} for {self.consignment_id}/{self.position}"


class Agency(models.Model):
    """Another agency customs refers goods to (environment, health, agriculture, trade licensing…).

    Configured in the admin, with its users (AgencyMember, role AGENCY): they
    see only the items referred to their agency.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyMember(models.Model):
    """A user of an agency: one agency per user."""

    user = models.OneToOneField("core.User", on_delete=models.CASCADE, related_name="agency_membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")

    def __str__(self) -> str:
        return f"{self.user_id} at {self.agency_id}"


class Referral(models.Model):
    """Goods customs referred to an agency: a task in its queue until it decides, then back to customs."""

    consignment = models.ForeignKey("clearance.Consignment", on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField(blank=True)
    referred_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=AgencyDecision.choices, blank=True)
    conditions = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consignment"], condition=models.Q(decided_at__isnull=True), name="referral_one_open_per_item"
            ),
        ]
        indexes = [models.Index(fields=["agency", "decided_at"], name="referral_agency_queue")]
        ordering = ["-referred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.consignment_id} to {self.agency_id}"
