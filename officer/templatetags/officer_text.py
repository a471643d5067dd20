"""Stored codes, shown to officers in their language: audit actions, reasons, rule kinds and conditions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms, template
from django.utils.translation import gettext_lazy as _

from core.forms import amount_shown
from officer.audit_text import audit_reason as reason_in_language
from risk import reasons
from risk.kinds import kind_label as label_of_kind
from risk.kinds import kind_of
from risk.models import Rule

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
    "clearance.consignment.info_lapsed": _("No answer by the deadline: back to an officer"),
    "agencies.information_request.answered": _("Answer and documents received"),
    "clearance.consignment.referral_answered": _("Back from the agency"),
    "agencies.referral.decided": _("The agency decided"),
    "clearance.consignment.seized": _("Seized"),
    "clearance.consignment.returned": _("Returned to the sender"),
    "clearance.consignment.referred": _("Referred to another agency"),
    "clearance.consignment.amended": _("Amended by the operator"),
    "clearance.consignment.recalled": _("Held again before presentation (split shipment)"),
    "clearance.consignment.corrected": _("Declaration corrected by an officer"),
    "clearance.consignment.charges_restated": _("Charges restated to the operator"),
    "clearance.consignment.withdrawn": _("Pre-advice withdrawn by the operator"),
    "clearance.consignment.arrived_unannounced": _("Arrived without pre-advice"),
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
def reason(finding: Any) -> str:
    """A stored finding (or a sentence stored before codes) in the reader's language."""
    return reasons.render(finding)


@register.filter
def reason_label(code: str) -> str:
    return reasons.label(code)


@register.filter
def audit_findings(payload: Any) -> list[str]:
    """The findings an audit entry's payload carries, in the reader's language (none for other entries)."""
    if not isinstance(payload, dict) or not ("findings" in payload or "reasons" in payload):
        return []
    return [reasons.render(finding) for finding in reasons.findings_of(payload)]


@register.filter
def kind_label(name: str) -> str:
    return label_of_kind(name)


@register.filter
def condition_text(rule: Rule) -> str:
    """A rule's condition as its kind says it: "HS 9302 · origin CN, HK · value 0–22"."""
    spec = kind_of(rule.kind)
    if spec is None or not isinstance(rule.condition, dict):
        return str(rule.condition)
    return spec.summary(rule.condition)


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()


@register.filter
def field(form: forms.Form, name: str) -> forms.BoundField:
    """A form's bound field by a name held in a variable."""
    return form[name]


@register.filter
def shown(field: forms.BoundField) -> str:
    """A field's value as its input shows it: what was typed, or the initial amount in the reader's language."""
    value = field.value()
    if value is None:
        return ""
    return amount_shown(value) if isinstance(value, Decimal) else str(value)


@register.filter
def is_value(field: forms.BoundField, expected: Any) -> bool:
    """Whether a choice field holds this value (a radio to check, an option to select)."""
    value = field.value()
    return value is not None and str(value) == str(expected)


@register.filter
def has_value(field: forms.BoundField, expected: Any) -> bool:
    """Whether a multiple choice field holds this value among others (a checkbox to check)."""
    values = field.value() or []
    return str(expected) in {str(value) for value in values}


@register.filter
def amount_input(value: Any) -> str:
    """An amount as a field would show it in the reader's language ("25,50" in French)."""
    return amount_shown(value) if isinstance(value, Decimal) else ("" if value is None else str(value))


@register.filter
def review_label(field: forms.BoundField) -> str:
    """A field's input, marked to appear under its label in the summary shown before the form is sent."""
    return field.as_widget(attrs={"data-review-label": str(field.label)})


@register.filter
def audit_reason(reason: str) -> str:
    """An audit entry's reason in the reader's language (officer.audit_text)."""
    return reason_in_language(reason or "")
