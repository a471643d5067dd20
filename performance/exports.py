"""CSV and XLSX downloads of report tables (pandas writes both)."""

from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pandas as pd
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts stay whole numbers (a gap must not turn 12 into 12.0); amounts are numbers a spreadsheet adds."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column].dropna()
        whole = pd.api.types.is_integer_dtype(frame[column]) or (
            len(values) and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values)
        )
        if whole:
            frame[column] = frame[column].astype("Int64")
        elif len(values) and all(isinstance(v, Decimal) for v in values):
            frame[column] = frame[column].map(lambda v: None if v is None else float(v)).astype("Float64")
    return frame


def tables_download(tables: dict[str, pd.DataFrame], *, filename: str, fmt: str) -> HttpResponse:
    """One sheet per table in XLSX; in CSV, the tables one after the other with a `table` column."""
    tables = {name: _typed(frame) for name, frame in tables.items()}
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        combined = pd.concat([frame.assign(table=name) for name, frame in tables.items()], ignore_index=True)
        response = HttpResponse(combined.to_csv(index=False), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    return response
