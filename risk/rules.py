"""Risk rules as data: checking a rule's condition, and matching it against items.

What a condition may hold, how it is matched and what its findings say
depend on the rule's kind, each declared once in risk/kinds/ (see
risk.kinds.base). This module is what the engine and the services use: the
check of a condition against its kind, and a rule compiled for scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from core.exceptions import ApplicationError
from risk.kinds import kind_of
from risk.kinds.base import ItemFacts, RuleKindSpec
from risk.permits import PERMIT_VALID
from risk.reasons import Finding

__all__ = ["CompiledRule", "InvalidRule", "ItemFacts", "validate_condition"]


class InvalidRule(ApplicationError):
    code = "invalid_rule"


def _kind(kind: str) -> RuleKindSpec:
    spec = kind_of(kind)
    if spec is None:
        raise InvalidRule(f"Unknown rule kind {kind!r}.")
    return spec


def validate_condition(kind: str, condition: Any) -> dict[str, Any]:
    """The condition, checked against its kind; raises InvalidRule listing every problem."""
    if not isinstance(condition, dict) or not condition:
        raise InvalidRule("A rule needs a condition.")
    errors = _kind(kind).errors(condition)
    if errors:
        raise InvalidRule("The rule's condition is not valid.", details=errors)
    return condition


class CompiledRule:
    """A rule ready to test thousands of items: its kind compiled the condition (sets, patterns).

    What the kind compiled reads as the rule's own (a watchlist's `names`, a
    goods rule's `keywords` pattern).
    """

    def __init__(
        self,
        *,
        code: str,
        version: int,
        kind: str,
        description: str,
        condition: dict[str, Any],
        force_lane: str,
        score: Decimal,
    ) -> None:
        self.code, self.version, self.kind = code, version, kind
        self.description, self.force_lane, self.score = description, force_lane, float(score)
        self.spec = _kind(kind)
        self.compiled = self.spec.compile(condition)

    def __getattr__(self, name: str) -> Any:
        if name == "compiled":  # not set yet: the kind failed to compile
            raise AttributeError(name)
        return getattr(self.compiled, name)

    @property
    def ref(self) -> str:
        return f"{self.code}@v{self.version}"

    def matches(self, facts: ItemFacts) -> Finding | None:
        """The finding an officer reads when the rule fires on this item, else None."""
        return self.match_chunk([facts])[0]

    def match_chunk(self, chunk: Sequence[ItemFacts]) -> list[Finding | None]:
        """One finding or None per item of the chunk, carrying the rule, its weight and its lane."""
        found = self.spec.match_chunk(self.compiled, chunk, self.description)
        return [self._carried(finding) if finding else None for finding in found]

    def _carried(self, finding: Finding) -> Finding:
        if finding.code == PERMIT_VALID.code:  # a permit lifts the rule's hold: its reason stays, with no weight
            return replace(finding, rule=self.ref)
        return replace(finding, rule=self.ref, weight=self.score, lane=self.force_lane)
