from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyKind(models.TextChoices):
    AD_VALOREM = "AD_VALOREM", _("Ad valorem")
    FLAT = "FLAT", _("Flat amount per tariff line")
    RELIEF = "RELIEF", _("Relieved (below the de minimis)")
    SPECIFIC = "SPECIFIC", _("Specific duty per unit, with any ad valorem part")
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


class WriteOffKind(models.TextChoices):
    RETURN_RELIEF = "RETURN_RELIEF", _("Duty and VAT relieved: goods returned to the sender")
    CASE_UPHELD = "CASE_UPHELD", _("Charges given up: a refund claim upheld")


class ChargeDisputeState(models.TextChoices):
    OPEN = "OPEN", _("Disputed by the account's holder")
    UPHELD = "UPHELD", _("Upheld: taken off the account")
    REJECTED = "REJECTED", _("Rejected: the charge stands")


class CaseState(models.TextChoices):
    OPEN = "OPEN", _("Open")
    UPHELD = "UPHELD", _("Upheld: charges corrected")
    REJECTED = "REJECTED", _("Rejected: charges stand")


class CaseKind(models.TextChoices):
    DISPUTE = "DISPUTE", _("Dispute of charges still due")
    REFUND = "REFUND", _("Refund claim after payment")
    APPEAL = "APPEAL", _("Appeal against a rejected case")


class CaseGrounds(models.TextChoices):
    VALUE_WRONG = "VALUE_WRONG", _("The value is wrong")
    CLASSIFICATION_WRONG = "CLASSIFICATION_WRONG", _("The goods are classified wrongly")
    CHARGED_TWICE = "CHARGED_TWICE", _("I was charged twice")
    RETURNED = "RETURNED", _("The goods went back to the sender")
    NOT_DELIVERED = "NOT_DELIVERED", _("The parcel never reached me")
    OTHER = "OTHER", _("Something else")


class CaseChannel(models.TextChoices):
    PORTAL = "PORTAL", _("Payment portal")
    TRADER = "TRADER", _("Trader account")
    OPERATOR = "OPERATOR", _("Postal operator API")


class CollectorKind(models.TextChoices):
    UPU_DDP = "UPU_DDP", _("A postal operator's DDP service")
    PLATFORM = "PLATFORM", _("An e-commerce platform")
    TRADER = "TRADER", _("A trader")
    OPERATOR = "OPERATOR", _("A postal operator collecting at delivery")


class MoneyApprovalKind(models.TextChoices):
    CORRECTION = "CORRECTION", _("A line corrected")
    CASE = "CASE", _("A case upheld")


class MoneyApprovalState(models.TextChoices):
    PENDING = "PENDING", _("Waiting for a second officer")
    APPROVED = "APPROVED", _("Approved and applied")
    REJECTED = "REJECTED", _("Rejected: nothing changed")
