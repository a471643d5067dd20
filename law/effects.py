"""What a change of the law would do to real items: computed by an app above the law, which registers here.

The law knows the rules, not what items owe. The app that assesses items (payments) registers a
function at start-up; a change's preview calls it with the law in force and the law as changed,
both for the change's regime and first day, and stores what it returns. Without one registered,
the preview says the effect was not computed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from law.models import Regime
from law.tariff import Tariff

EffectFunction = Callable[..., dict[str, Any]]
_registered: list[EffectFunction] = []


def effect_register(function: EffectFunction) -> None:
    """Called once from the assessing app's AppConfig.ready; a second registration replaces the first."""
    _registered[:] = [function]


def effect_compute(*, regime: Regime, on: date, before: Tariff, after: Tariff) -> dict[str, Any]:
    if not _registered:
        return {"computed": False}
    return {"computed": True, **_registered[0](regime=regime, on=on, before=before, after=after)}
