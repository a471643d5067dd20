"""Helpers every app's forms share: errors as one line, amounts read as the user's language writes them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext

# Spaces a number may be grouped with: ordinary, no-break, narrow no-break, thin (typed or pasted).
GROUPING_SPACES = re.compile("[ \u00a0\u202f\u2009]")
# Digits with an optional point and at most two places, after grouping and the decimal comma are read.
PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
ENGLISH_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
LARGEST_AMOUNT = Decimal("99999999999.99")


def form_errors(form: forms.Form) -> str:
    """A form's errors as one line a user reads."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def amount_from_text(text: str) -> Decimal | None:
    """An amount typed in the active language ("25,50" or "1 234,56" in French, "1,234.56" in English).

    Only ASCII digits, at most two decimal places, never negative; None when
    the text is not such an amount. A comma in English is read only as
    grouping by thousands ("1,234"): "25,50" there is not an amount, rather
    than 2,550. In French the decimal point is read too ("25.50"), since it
    is what a pasted figure often carries.
    """
    value = GROUPING_SPACES.sub("", text.strip())
    if get_format("DECIMAL_SEPARATOR") == ",":
        if value.count(",") > 1 or ("," in value and "." in value):
            return None
        value = value.replace(",", ".")
    elif "," in value:
        if not ENGLISH_GROUPED.fullmatch(value):
            return None
        value = value.replace(",", "")
    if not value.isascii() or not PLAIN_AMOUNT.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def amount_shown(value: Decimal) -> str:
    """An amount as the active language writes it in a field (grouped, two places)."""
    return number_format(value, 2, use_l10n=True, force_grouping=True)


class AmountInput(forms.TextInput):
    input_type = "text"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return amount_shown(value)
        return super().format_value(value)


class AmountField(forms.Field):
    """An amount of money in the user's language, 0 to `largest` (99,999,999,999.99), two places at most.

    Its one error names the field and shows an example written the way the
    user's language writes amounts ("12,50" in French), in that language.
    """

    widget = AmountInput

    def __init__(
        self,
        *,
        label,
        required: bool = True,
        initial: Decimal | None = None,
        largest: Decimal = LARGEST_AMOUNT,
        **kwargs,
    ) -> None:
        super().__init__(label=label, required=required, initial=initial, **kwargs)
        self.largest = largest

    def _error(self) -> forms.ValidationError:
        message = gettext("%(label)s must be an amount such as %(example)s.") % {
            "label": self.label,
            "example": amount_shown(Decimal("12.50")),
        }
        return forms.ValidationError(message, code="invalid")

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        amount = amount_from_text(str(value))
        if amount is None or amount > self.largest:
            raise self._error()
        return amount

    def validate(self, value) -> None:
        if value is None and self.required:
            raise self._error()
