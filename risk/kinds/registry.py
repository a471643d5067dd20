"""The registry of risk rule kinds (each kind's module registers itself with @kind_register)."""

from __future__ import annotations

from typing import TypeVar

from risk.kinds.base import RuleKindSpec
from risk.reasons import reason_register, reason_unregister

NAME_LENGTH = 12  # Rule.kind's max_length
_KINDS: dict[str, RuleKindSpec] = {}
Spec = TypeVar("Spec", bound=type[RuleKindSpec])


def kind_register(spec: Spec) -> Spec:
    """Register a kind (a class decorator), with the reason codes its findings carry."""
    if not 0 < len(spec.name) <= NAME_LENGTH:
        raise ValueError(f"A rule kind's name has 1 to {NAME_LENGTH} characters: {spec.name!r}.")
    if spec.name in _KINDS and type(_KINDS[spec.name]) is not spec:
        raise ValueError(f"Rule kind {spec.name!r} is declared twice.")
    for reason in spec.reasons:
        reason_register(
            reason.code,
            reason.text,
            label=reason.label,
            words=reason.words,
            prepare=reason.prepare,
            kind=spec.name,
            ceiling=reason.ceiling,
        )
    _KINDS[spec.name] = spec()
    return spec


def kind_unregister(name: str) -> None:
    """Take a kind out (a test's own kind, once the test is done)."""
    spec = _KINDS.pop(name, None)
    for reason in spec.reasons if spec else ():
        reason_unregister(reason.code)


def kind_of(name: str) -> RuleKindSpec | None:
    return _KINDS.get(name)


def kinds_all() -> list[RuleKindSpec]:
    """The kinds, in the order they were registered."""
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, str]]:
    return [(spec.name, str(spec.label)) for spec in _KINDS.values()]


def kind_label(name: str) -> str:
    spec = _KINDS.get(name)
    return str(spec.label) if spec else name
