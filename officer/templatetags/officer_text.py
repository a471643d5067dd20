"""Stored codes and English reasons, shown to officers in their language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from risk.explanations import reason_shown

register = template.Library()

# Audit actions as an officer reads them; the stored code stays in the title for the record.
AUDIT_LABELS = {
    "clearance.consignment.pre_advised": _("Pre-advised by the operator"),
    "clearance.consignment.assessed": _("Risk assessed"),
    "clearance.consignment.held": _("Held for an officer"),
    "clearance.consignment.released": _("Released"),
    "clearance.consignment.charges_due": _("Released, charges due"),
    "clearance.consignment.paid": _("Charges paid"),
    "clearance.consignment.info_requested": _("Information requested"),
    "clearance.consignment.info_answered": _("Information received"),
    "clearance.consignment.seized": _("Seized"),
    "clearance.consignment.returned": _("Returned to the sender"),
    "clearance.consignment.referred": _("Referred to another agency"),
    "clearance.consignment.amended": _("Amended by the operator"),
    "clearance.consignment.recalled": _("Held again before presentation (split shipment)"),
    "clearance.consignment.corrected": _("Declaration corrected by an officer"),
    "clearance.consignment.charges_restated": _("Charges restated to the operator"),
    "clearance.claim.taken_over": _("Taken over from another officer"),
    "clearance.seizure.proposed": _("Seizure proposed"),
    "clearance.seizure.rejected": _("Seizure rejected"),
    "clearance.seizure.withdrawn": _("Seizure proposal withdrawn"),
    "payments.assessment.created": _("Duty and taxes assessed"),
    "payments.charge.adjusted": _("Duty found at inspection charged"),
    "payments.case.opened": _("Case opened by the payer"),
    "payments.case.upheld": _("Case upheld"),
    "payments.case.rejected": _("Case rejected"),
    "risk.consignment.rescored": _("Scored again for information"),
    "risk.inspection.recorded": _("Inspection recorded"),
    "law.change.proposed": _("Change of the law proposed"),
    "law.change.approved": _("Change of the law approved and applied"),
    "law.change.rejected": _("Change of the law rejected"),
    "law.change.withdrawn": _("Change of the law withdrawn by its author"),
}


@register.filter
def audit_action(code: str) -> str:
    return str(AUDIT_LABELS.get(code, code))


@register.filter
def reason(text: str) -> str:
    return reason_shown(text)


CONDITION_LABELS = {
    "hs_prefixes": _("HS"),
    "origin_countries": _("origin"),
    "sender_countries": _("sender country"),
    "categories": _("category"),
    "operators": _("operator"),
    "platforms": _("platform"),
    "currencies": _("currency"),
    "names": _("names"),
    "emails": _("e-mails"),
    "phones": _("phones"),
    "keywords": _("words"),
    "brand_owner": _("rights holder"),
    "goods": _("goods"),
}
PARTIES = {"any": _("sender or addressee"), "sender": _("sender"), "addressee": _("addressee")}


@register.filter
def condition_text(condition) -> str:
    """A rule's condition as a sentence an officer reads: "HS 9302 · origin CN, HK · value 0–22"."""
    if not isinstance(condition, dict):
        return str(condition)
    parts = []
    for key, value in condition.items():
        if key == "party":
            parts.append(str(_("watching the %(party)s")) % {"party": PARTIES.get(str(value), value)})
        elif key in ("value_min", "value_max", "weight_min", "weight_max"):
            continue  # shown as one range below
        elif isinstance(value, list):
            parts.append(f"{CONDITION_LABELS.get(key, key)} {', '.join(str(v) for v in value)}")
        else:
            parts.append(f"{CONDITION_LABELS.get(key, key)} {value}")
    for measure, label, unit in (("value", _("value"), ""), ("weight", _("weight"), " kg")):
        low, high = condition.get(f"{measure}_min"), condition.get(f"{measure}_max")
        if low is not None or high is not None:
            parts.append(f"{label} {low if low is not None else '0'}–{high if high is not None else '∞'}{unit}")
    return " · ".join(parts) or "–"


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()


@register.filter
def field(form, name: str):
    """A form's bound field by a name held in a variable."""
    return form[name]
