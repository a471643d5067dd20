"""Writing a tariff file as effective-dated duty rates (used by `manage.py tariff_load` and the seed).

Takes `get_model` so that it also runs where only historical models are at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from payments.tariff_file import CURRENCIES, read_tariff


def tariff_rows_load(get_model: Callable, path: str | Path, regime_code: str, valid_from: date, source: str) -> int:
    """The file's rates in force from `valid_from`; earlier file-loaded rates of the regime end the day before.

    Loading the same regime and date again replaces that load. Returns the number of rows written.
    """
    regime_model, duty_rate = get_model("Regime"), get_model("DutyRate")
    regime = regime_model.objects.get(code=regime_code)
    if regime.currency != CURRENCIES[regime_code]:
        raise ValueError(f"{regime_code} duties are in {CURRENCIES[regime_code]}, not {regime.currency}")
    rows = read_tariff(path, regime_code)
    loaded = duty_rate.objects.filter(regime=regime).exclude(rate_text="")
    loaded.filter(valid_from=valid_from).delete()
    loaded.filter(valid_from__lt=valid_from, valid_to__isnull=True).update(valid_to=valid_from - timedelta(days=1))
    duty_rate.objects.bulk_create(
        [
            duty_rate(
                regime=regime,
                valid_from=valid_from,
                source=source[:300],
                hs_prefix=row.code,
                rate=row.rate.ad_valorem,
                specific_amount=row.rate.specific_amount,
                specific_unit=row.rate.specific_unit,
                rate_text=row.rate_text[:100],
                description=row.description[:200],
            )
            for row in rows
        ],
        batch_size=2000,
    )
    return len(rows)
