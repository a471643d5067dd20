"""Writing a tariff file as effective-dated duty rates (used by `manage.py tariff_load` and the seed).

Takes `get_model` so that it also runs where only historical models are at hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from django.apps import apps

from law.tariff_file import CURRENCIES, read_tariff


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


FILE_COLUMNS = [
    "commodity",
    "description",
    "cet_duty_rate",
    "ukgt_duty_rate",
    "change",
    "trade_remedy_applies",
    "cet_applies_until_trade_remedy_transition_reviews_concluded",
    "suspension_applies",
    "atq_applies",
]


def tariff_rows_export(get_model: Callable, regime_code: str, on: date, out) -> int:
    """The file-loaded duty rates of a regime in force on `on`, written in the tariff file's own format.

    Only the regime's rate column is filled; `tariff_load` reads it back. Returns the rows written.
    """
    from django.db.models import Q

    from law.tariff_file import RATE_COLUMNS

    rows = (
        get_model("DutyRate")
        .objects.filter(regime__code=regime_code, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exclude(rate_text="")
        .order_by("hs_prefix")
    )
    writer = csv.DictWriter(out, fieldnames=FILE_COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        record = dict.fromkeys(FILE_COLUMNS, "")
        record.update({"commodity": row.hs_prefix.lstrip("0"), "description": row.description})
        record[RATE_COLUMNS[regime_code]] = row.rate_text
        writer.writerow(record)
        count += 1
    return count


def tariff_csv(regime_code: str, on: date) -> str:
    """The regime's file-loaded tariff in force on `on`, in the tariff file's format, as text."""
    out = io.StringIO()
    tariff_rows_export(lambda name: apps.get_model("law", name), regime_code, on, out)
    return out.getvalue()
