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


class DutyKind(models.TextChoices):
    AD_VALOREM = "AD_VALOREM", _("Ad valorem")
    FLAT = "FLAT", _("Flat amount per tariff line")
    RELIEF = "RELIEF", _("Relieved (below the de minimis)")
    NONE = "NONE", _("No duty")
    ADJUSTMENT = "ADJUSTMENT", _("Additional duty found at inspection")


class IrgCategory(models.IntegerChoices):
    """WCO Immediate Release Guidelines categories."""

    DOCUMENTS = 1, _("1: documents, no commercial value")
    BELOW_DE_MINIMIS = 2, _("2: low value, no duty or tax")
    LOW_VALUE_DUTIABLE = 3, _("3: low value, dutiable")
    HIGH_VALUE = 4, _("4: high value, full declaration needed")


class PaymentState(models.TextChoices):
    PENDING = "PENDING", _("Waiting for the payment provider")
    SUCCEEDED = "SUCCEEDED", _("Paid")
    DECLINED = "DECLINED", _("Declined")
    FAILED = "FAILED", _("Failed")
    MISMATCH = "MISMATCH", _("Amount or currency did not match: held for review")


class RefundState(models.TextChoices):
    PENDING = "PENDING", _("Requested")
    SUCCEEDED = "SUCCEEDED", _("Refunded")
    FAILED = "FAILED", _("Failed")


class DisputeState(models.TextChoices):
    OPEN = "OPEN", _("Open")
    UPHELD = "UPHELD", _("Upheld: charges corrected")
    REJECTED = "REJECTED", _("Rejected: charges stand")
