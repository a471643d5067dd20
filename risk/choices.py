from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(StrEnum):
    """The names of the built-in rule kinds, for code that names one.

    Each kind, these and any other, is declared by its module in risk/kinds/
    (what it matches, its form fields, its reasons); Rule.kind holds a name
    the registry knows.
    """

    CONDITION = "CONDITION"
    WATCHLIST = "WATCHLIST"
    IPR_BRAND = "IPR_BRAND"
    PROHIBITED = "PROHIBITED"


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
