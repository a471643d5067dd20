"""Filters of the performance pages."""

from django import template

from performance.trs import humanize

register = template.Library()


@register.filter
def duration(seconds):
    return humanize(seconds)


@register.filter
def percent(share):
    return "–" if share is None else f"{share:.1%}"


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def choice_label(choices, value):
    return dict(choices).get(value, value)
