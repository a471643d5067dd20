"""The addressee's answer on the portal (documents checked by agencies.documents); an agency's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.choices import AgencyDecision
from agencies.services import ANSWER_LIMIT


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), required=False, max_length=ANSWER_LIMIT)
    documents = forms.FileField(required=False)  # many files: read from request.FILES


class AgencyDecisionForm(forms.Form):
    """An agency's decision: chosen, never preselected, with its reason (and conditions for a conditional release)."""

    decision = forms.ChoiceField(
        choices=AgencyDecision.choices,
        label=_("Decision"),
        error_messages={"required": _("Choose the agency's decision.")},
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, error_messages={"required": _("Give the reason for the decision.")}
    )
    conditions = forms.CharField(label=_("Conditions"), required=False, max_length=4000)
