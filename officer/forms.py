"""The officer dashboard's forms: what each action takes from the request, checked before any write.

Django's fields refuse what PostgreSQL cannot store (NUL characters) and what
is not a number (NaN, Infinity); amounts are finite, non-negative and in
cents, and every message says what to type instead.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.choices import Needed, Outcome
from agencies.models import Agency
from clearance.choices import Lane
from clearance.models import PostalOperator
from core import s10
from core.forms import (
    AmountField,
    form_errors,  # noqa: F401  (the views import it from here too)
)
from risk.choices import OutcomeKind
from risk.kinds import kind_choices, kinds_all

TEXT_LIMIT = 4000


def amount_field(label, *, required: bool = True, initial=None) -> AmountField:
    return AmountField(label=label, required=required, initial=initial)


DATE = forms.DateInput(attrs={"type": "date"})
LINES = forms.Textarea(attrs={"rows": 3})


def text_field(label, *, required: bool = False, max_length: int = TEXT_LIMIT) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


class ReasonForm(forms.Form):
    """Release, return, take-over, withdrawal, rejection: a reason, required or not by the service."""

    reason = text_field(_("Reason"))


class QuestionForm(forms.Form):
    """An information request: the question, what is needed, the deadline and the outcome without an answer.

    The outcome has no default: the officer chooses it.
    """

    question = text_field(_("Question"))
    needed = forms.MultipleChoiceField(
        choices=Needed.choices, error_messages={"required": _("Say what is needed.")}, label=_("What is needed")
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=settings.OPENCLEAR_INFO_MAX_DAYS,
        initial=settings.OPENCLEAR_INFO_DEFAULT_DAYS,  # a time allowed, not a decision
        label=_("Days to answer"),
        error_messages={"required": _("Give the number of days to answer.")},
    )
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        label=_("Without an answer by then"),
        error_messages={"required": _("Choose what happens if no answer comes by the deadline.")},
    )
    outcome_note = text_field(_("Note for a release without an answer"))


class AnswerForm(forms.Form):
    answer = text_field(_("Answer received"))


class ReferForm(forms.Form):
    """A referral opens a task in the chosen agency's queue; the item comes back with its decision."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        to_field_name="code",
        label=_("Agency"),
        error_messages={
            "required": _("Choose the agency the item is referred to."),
            "invalid_choice": _("Choose the agency the item is referred to."),
        },
    )
    reason = text_field(_("Reason"))


class InspectionForm(forms.Form):
    irregularity_found = forms.TypedChoiceField(
        choices=[("no", _("In order")), ("yes", _("Irregularity found"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Say whether the goods were in order or an irregularity was found.")},
    )
    kind = forms.ChoiceField(choices=OutcomeKind.choices, required=False)
    additional_duty = amount_field(_("The additional duty"), required=False, initial=Decimal("0"))
    notes = text_field(_("Notes"))
    photos = forms.FileField(required=False)  # many files: read from request.FILES, checked by core.uploads

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or OutcomeKind.NONE

    def clean_additional_duty(self) -> Decimal:
        return self.cleaned_data["additional_duty"] or Decimal("0")


class CorrectionForm(forms.Form):
    position = forms.IntegerField(
        min_value=1,
        max_value=9999,
        error_messages={"invalid": _("Give the line to correct."), "required": _("Give the line to correct.")},
    )
    hs_code = text_field(_("HS code"), max_length=10)
    value = amount_field(_("The value"))
    reason = text_field(_("Why"))


class BulkReleaseForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, required=False)
    confirm = forms.BooleanField(required=False)
    include_red = forms.BooleanField(required=False)
    reason = text_field(_("Reason"))

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # Any id may be posted; the services decide which items each officer may release.
        values = data.getlist("items") if data is not None else []
        self.fields["items"].choices = [(value, value) for value in values]

    def clean_items(self) -> list[int]:
        return [pk for pk in self.cleaned_data["items"] if 0 < pk < 2**63]

    def clean_confirm(self) -> bool:
        return self.data.get("confirm") == "yes"

    def clean_include_red(self) -> bool:
        return self.data.get("include_red") == "yes"


class CaseAnswerForm(forms.Form):
    """Uphold (with the corrected line, when the charges change) or reject a payer's case."""

    upheld = forms.TypedChoiceField(
        choices=[("yes", _("Upheld")), ("no", _("Rejected"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Choose whether the case is upheld or rejected.")},
    )
    resolution = text_field(_("Answer to the payer"))
    position = forms.IntegerField(label=_("Line"), min_value=1, max_value=9999, required=False)
    hs_code = text_field(_("Corrected HS code"), max_length=10)
    value = amount_field(_("Corrected value"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("position") and data.get("value") is None:
            self.add_error("value", _("Give the corrected value of the line."))
        return data


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label=_("Goods catalogue (CSV)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class RuleProposalForm(forms.Form):
    """A rule as fields an officer fills in; a JSON condition can be pasted instead (import).

    The fields of the condition are each kind's own (risk/kinds/), one
    fieldset a kind, prefixed with the kind's name; only the chosen kind's are
    read. The service checks the condition built here exactly as it checks an
    imported one.
    """

    code = forms.SlugField(label=_("Code (same code = new version)"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"))
    description = text_field(_("Description shown to officers"), required=True, max_length=300)
    force_lane = forms.ChoiceField(
        label=_("Effect"),
        choices=[
            ("", _("Add to the score")),
            (Lane.RED, _("Send to the red lane")),
            (Lane.YELLOW, _("Send to the yellow lane")),
        ],
        required=False,
    )
    score = forms.DecimalField(
        label=_("Score to add (0 to 1)"),
        required=False,
        max_digits=4,
        decimal_places=3,
        localize=True,
        error_messages={"invalid": _("A rule's score is a number from 0 to 1.")},
    )
    effective_from = forms.DateField(label=_("In force from (empty: once approved)"), required=False, widget=DATE)
    effective_to = forms.DateField(label=_("Until (empty: until replaced)"), required=False, widget=DATE)
    condition = forms.CharField(
        label=_("Condition as JSON (import; replaces the fields above)"),
        required=False,
        max_length=20_000,
        widget=LINES,
    )

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.kinds = [(spec, spec.Fields(data, prefix=spec.name.lower())) for spec in kinds_all()]

    def clean_score(self) -> Decimal:
        return self.cleaned_data["score"] or Decimal("0")

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if data.get("condition", "").strip():
            data["condition"] = self._imported(data["condition"])
        else:
            data["condition"] = self._built(data["kind"])
        return data

    def _imported(self, text: str) -> dict:
        try:
            condition = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The condition must be JSON.")) from None
        if not isinstance(condition, dict):
            raise forms.ValidationError(_("The condition must be a JSON object."))
        return condition

    def _built(self, kind: str) -> dict:
        """The chosen kind's fields as a condition; their own errors are the form's."""
        spec, fields = next((spec, fields) for spec, fields in self.kinds if spec.name == kind)
        if not fields.is_valid():
            for name, errors in fields.errors.items():
                for error in errors:
                    self.add_error(None, f"{fields[name].label}: {error}")
            return {}
        return spec.condition_from_fields(fields.cleaned_data)


class StatementForm(forms.Form):
    operator = forms.ModelChoiceField(queryset=None, label=_("Operator"))
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = PostalOperator.objects.filter(collection_agreements__isnull=False).distinct()


class RemittanceForm(forms.Form):
    amount = amount_field(_("Amount received"))
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Z]{3}$", max_length=3)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = text_field(_("Bank reference"), required=True, max_length=100)


class ArrivalScanForm(forms.Form):
    """A parcel scanned at the office of exchange: whose it is, its S10 id, and where."""

    operator = forms.ModelChoiceField(
        label=_("Operator"), queryset=PostalOperator.objects.filter(is_active=True).order_by("name")
    )
    item_id = forms.CharField(label=_("S10 item id"), max_length=13)
    office = forms.CharField(label=_("Office of exchange"), max_length=6, required=False)

    def clean_item_id(self) -> str:
        item_id = self.cleaned_data["item_id"].strip().upper()
        if not s10.S10_PATTERN.match(item_id) or not s10.is_valid(item_id):
            raise forms.ValidationError(_("Not a UPU S10 item id (2 letters, 9 digits, 2 letters, its check digit)."))
        return item_id

    def clean_office(self) -> str:
        office = self.cleaned_data["office"].strip().upper()
        if office and not (len(office) == 6 and office.isascii() and office.isalnum()):
            raise forms.ValidationError(_("A UPU office of exchange code: 6 letters or digits."))
        return office
