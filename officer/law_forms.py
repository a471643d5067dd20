"""The forms of the dashboard's Law pages: a tariff file, a law file, rows of one table, a review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from law.choices import LoadMode
from law.models import Regime
from law.tables import TABLES

DATE = forms.DateInput(attrs={"type": "date"})
MAX_BYTES = 20_000_000  # the whole UK Global Tariff file is about 2 MB


def uploaded_text(upload) -> str:
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class TariffLoadForm(forms.Form):
    regime = forms.ModelChoiceField(
        label=_("Regime"), queryset=Regime.objects.filter(code__in=["EU", "GB"]).order_by("code"), to_field_name="code"
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    mode = forms.ChoiceField(label=_("Load"), choices=LoadMode.choices, initial=LoadMode.PARTIAL)
    summary = forms.CharField(label=_("What and why"), max_length=300, required=False)
    source = forms.CharField(label=_("Legal basis or publication"), max_length=300, required=False)
    file = forms.FileField(label=_("Tariff file (CSV)"))

    def clean_file(self) -> str:
        return uploaded_text(self.cleaned_data["file"])


class LawFileForm(forms.Form):
    summary = forms.CharField(label=_("What and why"), max_length=300, required=False)
    file = forms.FileField(label=_("Law file (CSV, as exported)"))

    def clean_file(self) -> str:
        return uploaded_text(self.cleaned_data["file"])


TABLE_CHOICES = [
    ("DutyRate", _("Duty rates")),
    ("VatRate", _("VAT rates")),
    ("DeMinimis", _("De minimis thresholds")),
    ("Fee", _("Fees")),
    ("RegimeTerms", _("Regime terms")),
    ("FlatDuty", _("Flat duty")),
    ("IossRegistration", _("IOSS register")),
]


class LawRowsForm(forms.Form):
    """Rows of one table as CSV (its key and value columns, and `end` to end a row), from one day."""

    regime = forms.ModelChoiceField(label=_("Regime"), queryset=Regime.objects.order_by("code"), to_field_name="code")
    table = forms.ChoiceField(label=_("Table"), choices=TABLE_CHOICES)
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    summary = forms.CharField(label=_("What and why"), max_length=300)
    source = forms.CharField(label=_("Legal basis or publication"), max_length=300, required=False)
    rows = forms.CharField(label=_("Rows (CSV)"), widget=forms.Textarea(attrs={"rows": 8}), max_length=2_000_000)
    complete = forms.BooleanField(
        label=_("The rows are the whole table: rows in force that are not listed end"), required=False
    )

    def table_spec(self):
        return TABLES[self.cleaned_data["table"]]


class ReviewForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
    accept = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, lines: list[int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].choices = [(line, str(line)) for line in lines or []]
