"""Where the back-test is found: risk declares the slot, the postal app (which owns the simulator and the
intake the back-test drives) fills it when it is ready, so risk never imports upward.

`compare(model)` returns the back-test of the rules-only engine beside the same
engine with the candidate model, or None when no back-test is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_compare: Callable[[Any], dict[str, Any]] | None = None

# A candidate may send at most this many more clean items in a hundred to officers than the rules alone.
MAX_EXTRA_CLEAN_FLAGGED = 0.02


def register(compare: Callable[[Any], dict[str, Any]]) -> None:
    global _compare
    _compare = compare


def compare(model: Any) -> dict[str, Any] | None:
    return _compare(model) if _compare else None


def verdict(rules: dict[str, float], with_model: dict[str, float]) -> tuple[bool, str]:
    """(no worse, why): the model may not catch less, nor send many more clean items to officers."""
    if with_model["caught"] < rules["caught"]:
        return False, "catches fewer planted items than the rules and indicators alone"
    extra = with_model["clean_flagged"] - rules["clean_flagged"]
    if extra > MAX_EXTRA_CLEAN_FLAGGED:
        return False, f"sends {extra:.1%} more clean items to officers than the rules and indicators alone"
    return True, "no worse than the rules and indicators alone"
