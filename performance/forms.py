"""Forms of the officer dashboard's performance pages."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from performance.trs import MEASURES

MAX_PERIOD_DAYS = 400


class PeriodForm(forms.Form):
    """A period of pre-advice days; a missing bound defaults to the last 30 days."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    breakdown = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        initial="lane",
        choices=[
            ("lane", _("Lane")),
            ("operator", _("Operator")),
            ("origin", _("Origin")),
            ("category", _("Category")),
            ("office", _("Office")),
            ("week", _("Week")),
        ],
    )
    measure = forms.ChoiceField(
        label=_("Distribution of"),
        required=False,
        initial="arrival_to_release",
        choices=[(m.code, m.label) for m in MEASURES],
    )

    def clean(self):
        data = super().clean()
        today = timezone.now().date()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(days=29)
        data["breakdown"] = data.get("breakdown") or "lane"
        data["measure"] = data.get("measure") or "arrival_to_release"
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (data["end"] - data["start"]).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
        return data
