from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    DELIVERED = "DELIVERED", _("Delivered")
    DEAD = "DEAD", _("Dead: gave up after retries")
    CANCELLED = "CANCELLED", _("Cancelled: the webhook was removed")


class ItemStatus(models.TextChoices):
    """What became of each item (or event) of a request (api.md)."""

    ACCEPTED = "ACCEPTED", _("Accepted: new")
    DUPLICATE = "DUPLICATE", _("Duplicate: the same content was seen before, nothing changed")
    AMENDED = "AMENDED", _("Amended: new content for an item without a final decision")
    REJECTED = "REJECTED", _("Rejected: see the errors")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn: the pre-advice no longer stands")


class WithdrawalReason(models.TextChoices):
    """Why an operator withdraws a pre-advice (sent as a code, shown in the reader's language)."""

    ORDER_CANCELLED = "ORDER_CANCELLED", _("The order was cancelled")
    RELABELLED = "RELABELLED", _("The parcel was re-labelled under another item id")
    NOT_SHIPPED = "NOT_SHIPPED", _("The parcel was not shipped")
    SENT_IN_ERROR = "SENT_IN_ERROR", _("The pre-advice was sent in error")
    OTHER = "OTHER", _("Another reason")
