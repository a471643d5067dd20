"""The law's part of /healthz: whether each regime's latest exchange rate is one its rule allows today."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from law.selectors import fx_freshness


def exchange_rates_check() -> dict[str, Any]:
    """Per regime the day of its latest rate; not ok when one is older than its rule allows (named publicly)."""
    rows = fx_freshness(timezone.now().date())
    regimes = {
        row.regime: {
            "lastRate": row.last_published.isoformat() if row.last_published else None,
            "stale": row.stale,
            "expected": row.stale_since.isoformat() if row.stale_since else None,
        }
        for row in rows
    }
    stale = sorted(code for code, detail in regimes.items() if detail["stale"])
    public = {"stale": stale, "lastRate": {code: detail["lastRate"] for code, detail in regimes.items()}}
    return {"ok": not stale, "regimes": regimes, "public": public}
