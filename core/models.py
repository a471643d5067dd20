from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ActorKind, Role


class BaseModel(models.Model):
    """Abstract base: creation and last-change times, both UTC."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in: officer, supervisor, administrator, trader or a user of another agency.

    Officers belong to an office of exchange; the role decides what the
    dashboard lets them do (supervisors approve rules, models and seizures).
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)
    office = models.ForeignKey(
        "clearance.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )

    @property
    def is_officer(self) -> bool:
        return self.role in {Role.OFFICER, Role.SUPERVISOR, Role.ADMIN}

    @property
    def is_supervisor(self) -> bool:
        return self.role in {Role.SUPERVISOR, Role.ADMIN}

    @property
    def is_agency(self) -> bool:
        """A user of another agency (health, environment…): sees only what is referred to it (agencies)."""
        return self.role == Role.AGENCY


class AuditEntry(models.Model):
    """One line of the append-only audit trail.

    Written by services for every state change, with who did it (a user, a
    postal operator or the system), when, why, and a JSON payload. A database
    trigger refuses UPDATE and DELETE on this table, so no code path, the admin
    included, can rewrite history.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=100, help_text=_("Dotted code, e.g. clearance.consignment.released"))
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor_label = models.CharField(
        max_length=150, help_text=_("Who acted, readable: a username, operator code or task")
    )
    # No index of its own: audit_target_idx leads with it.
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    target_id = models.BigIntegerField()
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor_label}"
