from django.db import models
from django.utils.translation import gettext_lazy as _


class ValuationBasis(models.TextChoices):
    CIF = "CIF", _("CIF: goods, transport and insurance to the border")
    FOB = "FOB", _("FOB: transaction value of the goods")


class ThresholdKind(models.TextChoices):
    DUTY = "DUTY", _("Customs duty")
    VAT = "VAT", _("VAT / import tax")


class ThresholdBasis(models.TextChoices):
    INTRINSIC = "INTRINSIC", _("Intrinsic value of the goods")
    CIF = "CIF", _("Customs value (CIF)")


class RoundingScope(models.TextChoices):
    PER_LINE = "PER_LINE", _("Round each line, then add")
    PER_DECLARATION = "PER_DECLARATION", _("Add, then round the totals")


class FxRule(models.TextChoices):
    PENULTIMATE_WEDNESDAY = (
        "PENULTIMATE_WEDNESDAY",
        _("Monthly: the rate of the penultimate Wednesday of the month before (EU)"),
    )
    DAILY = "DAILY", _("The latest rate published on or before the date")


class FeeBasis(models.TextChoices):
    PER_ITEM = "PER_ITEM", _("Per item")
    PER_TARIFF_LINE = "PER_TARIFF_LINE", _("Per distinct tariff line")


class LawChangeKind(models.TextChoices):
    TARIFF_LOAD = "TARIFF_LOAD", _("Tariff load")
    DUTY_RATES = "DUTY_RATES", _("Duty rates")
    DE_MINIMIS = "DE_MINIMIS", _("De minimis thresholds")
    VAT_RATES = "VAT_RATES", _("VAT rates")
    FEES = "FEES", _("Fees")
    REGIME_TERMS = "REGIME_TERMS", _("Regime terms")
    FLAT_DUTY = "FLAT_DUTY", _("Flat duty")
    IOSS_REGISTER = "IOSS_REGISTER", _("IOSS register")
    LAW_FILE = "LAW_FILE", _("Law file (several tables)")


class LawChangeStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting for a second supervisor")
    APPLIED = "APPLIED", _("Approved and in the law")
    REJECTED = "REJECTED", _("Rejected")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn by its author")


class LoadMode(models.TextChoices):
    PARTIAL = "PARTIAL", _("Partial: only the rows in the file change")
    COMPLETE = "COMPLETE", _("Complete: the file replaces the table, rows not in it end")


class IossStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Registered")
    REVOKED = "REVOKED", _("Revoked")
