from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import s10
from core.forms import AmountField
from payments.choices import CaseGrounds


class LookupForm(forms.Form):
    # Room for the spaces of the number as printed on a label: "RB 123 456 785 CN".
    item_id = forms.CharField(label=_("Parcel number"), max_length=24, help_text=_("13 characters, e.g. RB123456785CN"))
    postcode = forms.CharField(label=_("Your postcode"), max_length=20)

    def clean_item_id(self) -> str:
        value = self.cleaned_data["item_id"].strip().upper().replace(" ", "")
        if not s10.is_valid(value):
            raise forms.ValidationError(_("This is not a valid parcel number."))
        return value


class CaseForm(forms.Form):
    """A payer's (or trader's) case about an item's charges."""

    grounds = forms.ChoiceField(label=_("What is wrong"), choices=CaseGrounds.choices)
    line = forms.ModelChoiceField(queryset=None, required=False, label=_("Which charge"), empty_label=_("All of it"))
    reason = forms.CharField(label=_("Explain"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    email = forms.EmailField(label=_("Your e-mail, for the answer"), required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        # The payer picks the line as the breakdown shows it, not by a database label.
        self.fields["line"].label_from_instance = lambda line: line.description


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the decision is wrong"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class CardForm(forms.Form):
    card = forms.CharField(label=_("Card number"), max_length=23)
    expiry = forms.RegexField(label=_("Expiry (MM/YY)"), regex=r"^(0[1-9]|1[0-2])/\d{2}$", max_length=5)
    cvc = forms.RegexField(label=_("CVC"), regex=r"^\d{3,4}$", max_length=4)


LARGEST_THRESHOLD = Decimal("999999999.99")  # what the simulation run keeps (11 digits)


class SimulationForm(forms.Form):
    """A de minimis scenario: blank fields keep the law in force."""

    regime = forms.ModelChoiceField(queryset=None, label=_("Regime"))
    start = forms.DateField(label=_("Items pre-advised from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))
    # Amounts as the supervisor's language writes them ("1 000,00" in French).
    duty_threshold = AmountField(label=_("Duty de minimis"), required=False, largest=LARGEST_THRESHOLD)
    vat_threshold = AmountField(label=_("VAT threshold"), required=False, largest=LARGEST_THRESHOLD)
    flat_duty_per_line = AmountField(label=_("Flat duty per tariff line"), required=False, largest=LARGEST_THRESHOLD)
    without_flat_duty = forms.BooleanField(label=_("Without the flat duty in force"), required=False)

    def __init__(self, *args, regimes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regime"].queryset = regimes
        self.fields["regime"].label_from_instance = lambda regime: gettext(regime.name)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        if data.get("without_flat_duty") and data.get("flat_duty_per_line") is not None:
            raise forms.ValidationError(_("Either set a flat duty or drop it, not both."))
        return data
