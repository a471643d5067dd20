"""Numbers as a reader of the page's language expects them; coordinates never localized.

Built into every template (settings.TEMPLATES builtins). Money is shown with
its currency and two places, grouped by thousands: "1,234.56 BAM" in English,
"1 234,56 BAM" in French. Ids, form values and SVG coordinates are printed as
they are (USE_THOUSAND_SEPARATOR stays off).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def rounded(number: Decimal, places: int) -> Decimal:
    """Django's number_format cuts digits off; a figure shown is rounded (half up, as on a receipt)."""
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@register.filter
def money(value, currency: str = "") -> str:
    """12345.6, "BAM" -> "12,345.60 BAM" (or "12 345,60 BAM" in French)."""
    number = _decimal(value)
    if number is None:
        return "–"
    shown = number_format(rounded(number, 2), 2, use_l10n=True, force_grouping=True)
    return f"{shown} {currency}".strip()


@register.filter
def number(value, places: int = 0) -> str:
    """A count or measure, grouped by thousands, with the given decimal places."""
    number_ = _decimal(value)
    if number_ is None:
        return "–"
    return number_format(rounded(number_, int(places)), int(places), use_l10n=True, force_grouping=True)


@register.filter
def score(value) -> str:
    """A risk score of 0..1 as two decimals ("0.87", "0,87"), not "0.8700"."""
    number_ = _decimal(value)
    return "–" if number_ is None else number_format(rounded(number_, 2), 2, use_l10n=True)


@register.filter
def percent(share) -> str:
    """0.667 -> "66.7%" ("66,7 %" in French)."""
    if share is None or share == "":
        return "–"
    shown = number_format(rounded(Decimal(str(share * 100)), 1), 1, use_l10n=True)
    return f"{shown}\u202f%" if get_language() == "fr" else f"{shown}%"


@register.filter
def coordinate(value) -> str:
    """An SVG coordinate: a dot for the decimals whatever the language, or the drawing breaks."""
    number_ = _decimal(value)
    return "0" if number_ is None else f"{number_:.1f}"


@register.filter
def translated(value) -> str:
    """A stored name in the reader's language where the catalogue has it (shipped regimes, fees); as is otherwise."""
    text = str(value) if value is not None else ""
    return gettext(text) if text else ""
