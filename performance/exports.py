"""CSV and XLSX downloads of report tables (pandas writes both)."""

from __future__ import annotations

import io

import pandas as pd
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tables_download(tables: dict[str, pd.DataFrame], *, filename: str, fmt: str) -> HttpResponse:
    """One sheet per table in XLSX; in CSV, the tables one after the other with a `table` column."""
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
