import uuid
from pathlib import Path

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearance.choices import Lane
from clearance.models import Consignment, money_field
from core.models import BaseModel
from risk.choices import OutcomeKind, RuleStatus


class Rule(BaseModel):
    """A risk rule as data: a condition, and a forced lane or a score to add.

    `condition` is JSON whose keys depend on the kind, a name the registry of
    kinds knows (risk/kinds/, one module a kind). A rule
    takes effect only when a second supervisor approves it (maker-checker); a
    change is a new version of the same `code`, and approving it retires the
    version it replaces.
    """

    code = models.SlugField(max_length=60, help_text=_("Stable name shared by the rule's versions"))
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=12, help_text=_("A kind of rule declared in risk/kinds/"))
    description = models.CharField(max_length=300, help_text=_("Shown to officers as the reason when it fires"))
    condition = models.JSONField(default=dict)
    force_lane = models.CharField(max_length=8, choices=Lane.choices, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=3, default=0, help_text=_("Added to the item's score"))
    effective_from = models.DateTimeField(default=timezone.now)
    effective_to = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RuleStatus.choices, default=RuleStatus.PENDING)
    # Empty for a rule of the shipped goods catalogue (risk/data/goods_catalogue.csv), seeded in force.
    created_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=300, blank=True, help_text=_("Legal basis or list the rule comes from"))
    approved_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rule_unique_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="ACTIVE"), name="rule_one_active_version_per_code"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="rule_maker_is_not_checker",
            ),
        ]
        ordering = ["code", "-version"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.status})"


class ModelVersion(BaseModel):
    """A trained risk model with its evaluation metrics; one is active at a time."""

    algorithm = models.CharField(max_length=100)
    feature_names = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    trained_on = models.PositiveIntegerField(help_text=_("Labelled items used for training"))
    artifact = models.BinaryField(help_text=_("The fitted pipeline, serialised"))
    is_active = models.BooleanField(default=False)
    promoted_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model"),
        ]

    def __str__(self) -> str:
        return f"model {self.pk} ({self.algorithm})"


class RiskAssessment(models.Model):
    """The score, lane and reasons given to one version of an item.

    `reasons` holds the findings as codes with their parameters
    (risk.reasons.Finding.stored), rendered when read in the reader's language.
    """

    # No index of its own: assessment_unique_version leads with it.
    consignment = models.ForeignKey(
        Consignment, on_delete=models.CASCADE, related_name="risk_assessments", db_index=False
    )
    consignment_version = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=4)
    lane = models.CharField(max_length=8, choices=Lane.choices)
    reasons = models.JSONField(default=list, help_text=_("Findings: reason codes with their parameters"))
    rules_fired = models.JSONField(default=list, help_text=_("Codes and versions of the rules that fired"))
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT)
    model_score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    random_selection = models.BooleanField(default=False)
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consignment", "consignment_version"], name="assessment_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.consignment_id} v{self.consignment_version}: {self.lane}"


class InspectionOutcome(BaseModel):
    """What an officer found: the label the next model learns from."""

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="inspection_outcomes")
    officer = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    irregularity_found = models.BooleanField()
    kind = models.CharField(max_length=16, choices=OutcomeKind.choices, default=OutcomeKind.NONE)
    additional_duty = money_field(default=0, help_text=_("Duty found at inspection, in `currency`; charged"))
    currency = models.CharField(max_length=3, blank=True, help_text=_("The currency of the item's assessment"))
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.consignment_id}: {'irregular' if self.irregularity_found else 'in order'}"


def _photo_path(instance, filename: str) -> str:
    # The name is made here, never taken from the upload: the sender's file name is untrusted.
    suffix = Path(filename).suffix
    return f"inspections/{instance.outcome.consignment_id}/{instance.outcome_id}-{uuid.uuid4().hex}{suffix}"


class InspectionPhoto(models.Model):
    outcome = models.ForeignKey(InspectionOutcome, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file.name
