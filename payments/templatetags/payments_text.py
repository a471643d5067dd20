"""Payments' stored records, shown to payers in their language."""

from __future__ import annotations

from django import template

from payments.models import Refund
from payments.selectors import refund_reason as reason_of

register = template.Library()


@register.filter
def refund_reason(refund: Refund) -> str:
    return reason_of(refund)
