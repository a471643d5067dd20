from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    CONDITION = "CONDITION", _("Condition on the item (HS, origin, value, weight, category, operator, platform)")
    WATCHLIST = "WATCHLIST", _("Watchlist of senders or addressees")
    IPR_BRAND = "IPR_BRAND", _("Brand keywords registered by a rights holder")
    PROHIBITED = "PROHIBITED", _("Prohibited or restricted goods")


class RuleStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting for a second supervisor")
    ACTIVE = "ACTIVE", _("Active")
    REJECTED = "REJECTED", _("Rejected")
    RETIRED = "RETIRED", _("Retired")


class OutcomeKind(models.TextChoices):
    NONE = "NONE", _("No irregularity")
    UNDERVALUATION = "UNDERVALUATION", _("Undervaluation")
    MISDESCRIPTION = "MISDESCRIPTION", _("Wrong description or HS code")
    COUNTERFEIT = "COUNTERFEIT", _("Counterfeit (IPR)")
    PROHIBITED = "PROHIBITED", _("Prohibited or restricted goods")
    SPLIT_SHIPMENT = "SPLIT_SHIPMENT", _("Split shipment")
    OTHER = "OTHER", _("Other")
