import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clearance.models import Decision, PostalOperator
from core.models import BaseModel
from postal.choices import DeliveryStatus

API_KEY_PREFIX = "ock_"


def hash_api_key(raw_key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is safe (no dictionary to
    # guess from) and keeps authentication cheap at thousands of requests/s.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKey(BaseModel):
    """An operator's API key. Only its SHA-256 is stored; the key is shown once."""

    operator = models.ForeignKey(PostalOperator, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=12, help_text=_("First characters, to tell keys apart"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.operator.code} {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEndpoint(BaseModel):
    """Where an operator wants its customs responses pushed, with the HMAC secret."""

    operator = models.OneToOneField(PostalOperator, on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.operator.code} → {self.url}"


class WebhookDelivery(BaseModel):
    """One customs response to push to one endpoint, and how that went."""

    # No index of its own: webhook_delivery_unique leads with it.
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "decision"], name="webhook_delivery_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.endpoint_id} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first response to a POST that carried an Idempotency-Key, to replay it."""

    # No index of its own: idempotency_unique_operator_key leads with it.
    operator = models.ForeignKey(PostalOperator, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=200)
    method_path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "key"], name="idempotency_unique_operator_key"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.key}"


class GoodsOutOfControl(BaseModel):
    """Goods the operator reported delivered or gone from the office of exchange while customs still held them.

    Held, awaiting payment, seized, or reported returned and then delivered:
    the event is kept (it is what happened), officers see the item in their
    list of goods out of control, and the operator answers for the charges
    at stake (`liability`, in the regime's currency).
    """

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="+")
    consignment = models.ForeignKey("clearance.Consignment", on_delete=models.PROTECT, related_name="+")
    event_code = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    state = models.CharField(max_length=16, help_text=_("The item's state when the event was reported"))
    reason = models.CharField(max_length=300)
    liability = models.DecimalField(max_digits=13, decimal_places=2)
    currency = models.CharField(max_length=3, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "goods out of control"
        constraints = [
            models.UniqueConstraint(
                fields=["consignment", "event_code", "occurred_at"], name="out_of_control_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="out_of_control_open_idx")]

    def __str__(self) -> str:
        return f"{self.consignment_id} {self.event_code} in {self.state}"


class IntakeTally(models.Model):
    """What one operator sent one day through one command: entries received, entries rejected, rejections by code.

    Kept as counts, not as the rejected entries (which may hold personal data and
    come by the million): `code` is "" for the entries received, REJECTED for the
    entries rejected, else an error code, counting the entries that had it. The
    operator's data-quality report reads them (postal.quality).
    """

    RECEIVED = ""
    REJECTED = "REJECTED"

    class Source(models.TextChoices):
        ITEMS = "items", _("Pre-advice")
        EVENTS = "events", _("Tracking events")
        WITHDRAWALS = "withdrawals", _("Withdrawals")

    operator = models.ForeignKey(PostalOperator, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    source = models.CharField(max_length=12, choices=Source.choices)
    code = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "day", "source", "code"], name="intake_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.day} {self.source} {self.code or 'received'}: {self.count}"
