"""Filters of the performance pages."""

from django import template

from clearance.choices import Lane
from core.templatetags.openclear import percent, rounded  # noqa: F401 - percent: loaded with this library too
from performance.indicators import selection_text
from performance.trs import humanize

register = template.Library()
register.filter("percent", percent)


@register.filter
def duration(seconds):
    return humanize(seconds)


@register.filter
def lane_label(lane):
    return dict(Lane.choices).get(lane, lane)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def choice_label(choices, value):
    return dict(choices).get(value, value)


@register.filter
def selection_label(selection: str) -> str:
    return selection_text(selection)
