from django.db import models
from django.utils.translation import gettext_lazy as _


class Needed(models.TextChoices):
    """What an information request asks for; the question says it in the officer's words."""

    INVOICE = "INVOICE", _("The invoice or order confirmation")
    PAYMENT_PROOF = "PAYMENT_PROOF", _("Proof of payment")
    PRESCRIPTION = "PRESCRIPTION", _("A medical prescription")
    PERMIT = "PERMIT", _("A permit or licence")
    DESCRIPTION = "DESCRIPTION", _("A description of the goods")
    OTHER = "OTHER", _("Another document")


class Outcome(models.TextChoices):
    """What happens to the item when the deadline passes without an answer."""

    RETURN = "RETURN", _("Return to the sender")
    RELEASE = "RELEASE", _("Release, with a note")


class Channel(models.TextChoices):
    """Who answered."""

    ADDRESSEE = "ADDRESSEE", _("The addressee, on the payment portal")
    OPERATOR = "OPERATOR", _("The postal operator, through the API")
