from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "OFFICER", _("Customs officer")
    SUPERVISOR = "SUPERVISOR", _("Supervisor")
    ADMIN = "ADMIN", _("Administrator")
    TRADER = "TRADER", _("Trader")
    AGENCY = "AGENCY", _("Other agency")


class ActorKind(models.TextChoices):
    USER = "USER", _("User")
    OPERATOR = "OPERATOR", _("Postal operator")
    SYSTEM = "SYSTEM", _("System")
