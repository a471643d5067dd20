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


class AgencyKind(models.TextChoices):
    ENVIRONMENT = "ENVIRONMENT", _("Environment (CITES, waste)")
    HEALTH = "HEALTH", _("Health (medicines)")
    AGRICULTURE = "AGRICULTURE", _("Agriculture (food, plants, animals)")
    TRADE = "TRADE", _("Trade licensing (dual-use, strategic goods)")
    OTHER = "OTHER", _("Other")


class AgencyDecision(models.TextChoices):
    """What an agency decides on goods referred to it; the item then goes back to customs."""

    RELEASE = "RELEASE", _("Release")
    RELEASE_CONDITIONS = "RELEASE_CONDITIONS", _("Release with conditions")
    REFUSE = "REFUSE", _("Refuse entry")
    INSPECT = "INSPECT", _("Needs an inspection")
