from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsignmentState(models.TextChoices):
    PRE_ADVISED = "PRE_ADVISED", _("Pre-advised")
    ASSESSED = "ASSESSED", _("Risk assessed")
    HELD = "HELD", _("Held for an officer")
    INFO_REQUESTED = "INFO_REQUESTED", _("Information requested")
    CHARGES_DUE = "CHARGES_DUE", _("Charges due")
    PAID = "PAID", _("Paid")
    RELEASED = "RELEASED", _("Released")
    SEIZED = "SEIZED", _("Seized")
    RETURNED = "RETURNED", _("Returned to sender")
    REFERRED = "REFERRED", _("Referred to another agency")
    WITHDRAWN = "WITHDRAWN", _("Pre-advice withdrawn by the operator")


# A final decision: an amendment from the operator is refused after one.
FINAL_STATES = frozenset(
    {
        ConsignmentState.RELEASED,
        ConsignmentState.SEIZED,
        ConsignmentState.RETURNED,
        ConsignmentState.REFERRED,
        ConsignmentState.WITHDRAWN,
    }
)
# States with payment under way: an amendment would change what was charged.
AMENDABLE_STATES = frozenset(
    {
        ConsignmentState.PRE_ADVISED,
        ConsignmentState.ASSESSED,
        ConsignmentState.HELD,
        ConsignmentState.INFO_REQUESTED,
        ConsignmentState.CHARGES_DUE,
    }
)


class Lane(models.TextChoices):
    GREEN = "GREEN", _("Green")
    YELLOW = "YELLOW", _("Yellow")
    RED = "RED", _("Red")


class ItemCategory(models.TextChoices):
    GIFT = "GIFT", _("Gift")
    COMMERCIAL_SAMPLE = "COMMERCIAL_SAMPLE", _("Commercial sample")
    DOCUMENTS = "DOCUMENTS", _("Documents")
    RETURNED_GOODS = "RETURNED_GOODS", _("Returned goods")
    SALE_OF_GOODS = "SALE_OF_GOODS", _("Sale of goods")
    OTHER = "OTHER", _("Other")


class DecisionCode(models.TextChoices):
    """Customs response codes sent back to the postal operator (CUSRSP-like)."""

    RELEASE_NO_CHARGE = "RELEASE_NO_CHARGE", _("Released, nothing to pay")
    RELEASE_CHARGES_DUE = "RELEASE_CHARGES_DUE", _("Release once charges are collected")
    RELEASED = "RELEASED", _("Released, charges paid")
    HOLD_INSPECTION = "HOLD_INSPECTION", _("Held for inspection")
    REQUEST_INFO = "REQUEST_INFO", _("Information requested")
    RETURN_TO_SENDER = "RETURN_TO_SENDER", _("Return to sender")
    SEIZED = "SEIZED", _("Seized")
    REFER_OTHER_AGENCY = "REFER_OTHER_AGENCY", _("Referred to another agency")
    WITHDRAWN = "WITHDRAWN", _("Pre-advice withdrawn by the operator")


class EventCode(models.TextChoices):
    """EMSEVT v3 import events (domain.md 1.6): they stamp times and make the item's tracking history."""

    EMD = "EMD", _("Arrival at inward office of exchange")
    EDA = "EDA", _("Held at inward office of exchange")
    EDB = "EDB", _("Presented to import customs")
    EME = "EME", _("Held by import customs")
    EDC = "EDC", _("Returned from customs")
    EMF = "EMF", _("Departure from inward office of exchange")
    EMG = "EMG", _("Arrival at delivery office")
    EDG = "EDG", _("Out for delivery")
    EDH = "EDH", _("Arrived at a pick-up point")
    EMH = "EMH", _("Unsuccessful delivery attempt")
    EMI = "EMI", _("Delivered")
    EDX = "EDX", _("Import terminated: returned to the sender")


class TermsOfDelivery(models.TextChoices):
    """Who pays the import charges (domain.md §4): the addressee (DAP) or the sender's side, prepaid (DDP)."""

    DAP = "DAP", _("DAP: the addressee pays duty and taxes")
    DDP = "DDP", _("DDP: duty and taxes prepaid by the sender's side")
