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
