"""Permits and licences that lift a catalogue row's hold: the kinds, the codes, and the register's check.

A row of the goods catalogue may name the kind of permit that lifts its hold
(a CITES permit for wildlife products, say). When the item declares a permit
number on a line, the register is asked: a permit of that kind, held by the
addressee, for those goods, valid on the item's day, with enough quantity
left, lifts the row's hold with a reason naming it; any other answer is a
finding with its coded reason, and the row's lane stands. The register lives
in a higher app (agencies), which registers its check here when it starts;
without one, a declared permit lifts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from risk.reasons import Finding, Reason


class PermitKind(models.TextChoices):
    CITES = "CITES", _("CITES permit")
    MEDICINE = "MEDICINE", _("Medicine import authorisation")
    DUAL_USE = "DUAL_USE", _("Dual-use licence")
    BASEL = "BASEL", _("Basel notification")


@dataclass(frozen=True)
class DeclaredPermit:
    """A permit number the operator declared on a line, with the line's goods."""

    position: int
    number: str
    hs_code: str
    quantity: int


@dataclass(frozen=True)
class PermitCheck:
    """What the register says of a declared permit: a code of PERMIT_REASONS and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


Checker = Callable[..., PermitCheck]
_checker: list[Checker] = []


def permit_checker_register(checker: Checker) -> None:
    """The register's check (agencies.permits.permit_check), called with kind, declared, holder_key, day, item."""
    _checker[:] = [checker]


PERMIT_VALID = Reason(
    code="permit.valid",
    text=gettext_noop("%(rule)s: lifted by %(kind)s %(permit)s, valid to %(valid_to)s"),
    label=gettext_noop("Restricted goods covered by a permit"),
    words=frozenset({"rule", "kind"}),
)
PERMIT_REFUSED = (
    Reason(
        code="permit.not_found",
        text=gettext_noop("%(rule)s: %(kind)s %(permit)s is not in the register"),
        label=gettext_noop("Permit not found"),
        words=frozenset({"rule", "kind"}),
    ),
    Reason(
        code="permit.expired",
        text=gettext_noop("%(rule)s: %(kind)s %(permit)s is not valid on %(day)s (%(valid_from)s to %(valid_to)s)"),
        label=gettext_noop("Permit expired"),
        words=frozenset({"rule", "kind"}),
    ),
    Reason(
        code="permit.other_holder",
        text=gettext_noop("%(rule)s: %(kind)s %(permit)s is held by %(holder)s, not the addressee"),
        label=gettext_noop("Permit of another holder"),
        words=frozenset({"rule", "kind"}),
    ),
    Reason(
        code="permit.other_goods",
        text=gettext_noop("%(rule)s: %(kind)s %(permit)s does not cover HS %(hs_code)s"),
        label=gettext_noop("Permit for other goods"),
        words=frozenset({"rule", "kind"}),
    ),
    Reason(
        code="permit.used_up",
        text=gettext_noop("%(rule)s: %(kind)s %(permit)s has %(remaining)s left, %(quantity)s declared"),
        label=gettext_noop("Permit quantity used up"),
        words=frozenset({"rule", "kind"}),
    ),
)
PERMIT_REASONS = (PERMIT_VALID, *PERMIT_REFUSED)
REFUSED_CODES = frozenset(reason.code for reason in PERMIT_REFUSED)


def permit_finding(
    *, kind: str, declared: tuple[DeclaredPermit, ...], holder_key: str, day: date | None, item: int, rule: str
) -> Finding | None:
    """The finding a declared permit makes of a catalogue row that found goods; None when none was declared.

    The first declared permit the register accepts lifts the hold; else the
    first refusal is the finding.
    """
    if not declared or not _checker or not kind:
        return None
    refusal = None
    for permit in declared:
        check = _checker[0](kind=kind, declared=permit, holder_key=holder_key, day=day, item=item)
        with translation.override("en"):  # stored in English, rendered in the reader's language
            name = str(PermitKind(kind).label)
        params = {"rule": rule, "kind": name, "permit": permit.number, **check.params}
        if check.code == PERMIT_VALID.code:
            return Finding(check.code, params)
        refusal = refusal or Finding(check.code, params)
    return refusal
