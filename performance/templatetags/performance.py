"""Filters of the performance pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from clearance.choices import Lane
from core.templatetags.openclear import rounded
from performance.trs import humanize

register = template.Library()


@register.filter
def duration(seconds):
    return humanize(seconds)


@register.filter
def percent(share):
    """0.667 -> "66.7%" ("66,7 %" in French)."""
    if share is None:
        return "–"
    shown = number_format(rounded(Decimal(str(share * 100)), 1), 1, use_l10n=True)
    return f"{shown}\u202f%" if get_language() == "fr" else f"{shown}%"


@register.filter
def lane_label(lane):
    return dict(Lane.choices).get(lane, lane)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def choice_label(choices, value):
    return dict(choices).get(value, value)
