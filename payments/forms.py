from django import forms
from django.utils.translation import gettext_lazy as _

from postal import s10


class LookupForm(forms.Form):
    item_id = forms.CharField(label=_("Parcel number"), max_length=13, help_text=_("13 characters, e.g. RB123456785CN"))
    postcode = forms.CharField(label=_("Your postcode"), max_length=20)

    def clean_item_id(self) -> str:
        value = self.cleaned_data["item_id"].strip().upper().replace(" ", "")
        if not s10.is_valid(value):
            raise forms.ValidationError(_("This is not a valid parcel number."))
        return value


class DisputeForm(forms.Form):
    line = forms.ModelChoiceField(queryset=None, required=False, label=_("Which charge"), empty_label=_("All of it"))
    reason = forms.CharField(label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    email = forms.EmailField(label=_("Your e-mail, for the answer"), required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines


class CardForm(forms.Form):
    card = forms.CharField(label=_("Card number"), max_length=23)
    expiry = forms.RegexField(label=_("Expiry (MM/YY)"), regex=r"^(0[1-9]|1[0-2])/\d{2}$", max_length=5)
    cvc = forms.RegexField(label=_("CVC"), regex=r"^\d{3,4}$", max_length=4)
