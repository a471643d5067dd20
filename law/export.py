"""The law in force on a day as one CSV, and that CSV read back as changes (one per regime).

Columns: `table, regime, valid_from, valid_to, source`, then every key and value field of every table
(law.tables), empty where a table has no such field. One row per key: where rows overlap (daily
exchange rates run until replaced), the one that starts last, the one the law applies.
Importing the export of a day into a law without those rows, and approving the changes, gives
the same law: exporting it again gives the same file.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import IO, Any

from django.db.models import Q

from law.models import Regime
from law.tables import ALL_FIELDS, TABLES, to_text

COLUMNS = ["table", "regime", "valid_from", "valid_to", "source", *ALL_FIELDS]


def law_rows_export(
    *, on: date, out: IO[str], regimes: list[str] | None = None, tables: list[str] | None = None
) -> int:
    """Write the rows in force on `on` (of some regimes or tables, or all); returns how many."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    codes = regimes or list(Regime.objects.order_by("code").values_list("code", flat=True))
    for table in TABLES.values():
        if tables and table.name not in tables:
            continue
        rows = (
            table.model.objects.filter(regime__code__in=codes, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .select_related("regime")
        )
        latest: dict[tuple, Any] = {}
        for row in sorted(rows, key=lambda r: (r.valid_from, r.pk)):
            latest[(row.regime.code, table.key_of(row))] = row  # of overlapping rows the latest is in force
        for row in sorted(latest.values(), key=lambda r: (r.regime.code, table.key_of(r))):
            record = dict.fromkeys(COLUMNS, "")
            record.update(
                {
                    "table": table.name,
                    "regime": row.regime.code,
                    "valid_from": row.valid_from.isoformat(),
                    "valid_to": row.valid_to.isoformat() if row.valid_to else "",
                    "source": row.source,
                }
            )
            record.update({name: to_text(row, name) for name in table.fields})
            writer.writerow(record)
            count += 1
    return count


def law_csv(*, on: date, regimes: list[str] | None = None, tables: list[str] | None = None) -> str:
    out = io.StringIO()
    law_rows_export(on=on, out=out, regimes=regimes, tables=tables)
    return out.getvalue()


class LawFileError(ValueError):
    """A row of a law file that cannot be read: its line and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def law_rows_read(text: str) -> dict[str, list[dict[str, Any]]]:
    """A law file's rows as change entries, by regime code; raises LawFileError on the first bad row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = {"table", "regime", "valid_from"} - set(reader.fieldnames or ())
    if missing:
        raise LawFileError(1, f"no column {', '.join(sorted(missing))}")
    by_regime: dict[str, list[dict[str, Any]]] = defaultdict(list)
    previous = 1
    for record in reader:
        line, previous = previous + 1, reader.line_num
        table = TABLES.get((record.get("table") or "").strip())
        if table is None:
            raise LawFileError(line, f"unknown table {record.get('table')!r}")
        absent = [name for name in table.fields if name not in record]
        if absent:
            raise LawFileError(line, f"{table.name} needs the column(s) {', '.join(absent)}")
        by_regime[(record.get("regime") or "").strip()].append(
            {
                "table": table.name,
                "key": {name: record[name] or "" for name in table.keys},
                "values": {name: record[name] or "" for name in table.values},
                "valid_from": (record.get("valid_from") or "").strip(),
                "valid_to": (record.get("valid_to") or "").strip() or None,
                "source": record.get("source") or "",
                "line": line,
            }
        )
    return dict(by_regime)


def table_rows_csv(*, table_name: str, regime: str, on: date, limit: int = 200) -> str:
    """The rows of one table in force on `on` as the rows form takes them (key and value columns, `end`).

    A table longer than `limit` (a tariff) gives its header only: list just the rows that change.
    """
    table = TABLES[table_name]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*table.fields, "valid_to", "end"], lineterminator="\n")
    writer.writeheader()
    rows = (
        table.model.objects.filter(regime__code=regime, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by(*table.keys, "valid_from")
    )
    if rows.count() <= limit:
        for row in rows:
            record = {name: to_text(row, name) for name in table.fields}
            writer.writerow({**record, "valid_to": row.valid_to.isoformat() if row.valid_to else "", "end": ""})
    return out.getvalue()


def table_rows_read(*, table_name: str, text: str) -> list[dict[str, Any]]:
    """Rows of one table (its key and value columns; `end` = yes ends the key's row) as change entries.

    Optional columns: `valid_from` (the row's own first day, else the change's), `valid_to`, `source`.
    """
    table = TABLES[table_name]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff").strip() + "\n", newline=""))
    columns = set(reader.fieldnames or ())
    missing = [name for name in table.keys if name not in columns]
    if missing:
        raise LawFileError(1, f"{table.name} needs the column(s) {', '.join(missing)}")
    entries = []
    previous = 1
    for record in reader:
        line, previous = previous + 1, reader.line_num
        if not any((value or "").strip() for value in record.values()):
            continue
        ends = (record.get("end") or "").strip().lower() in ("yes", "true", "1", "x")
        absent = [name for name in table.values if name not in columns]
        if absent and not ends:
            raise LawFileError(line, f"{table.name} needs the column(s) {', '.join(absent)}")
        entry: dict[str, Any] = {
            "table": table.name,
            "key": {name: record.get(name) or "" for name in table.keys},
            "values": None if ends else {name: record.get(name) or "" for name in table.values},
            "valid_to": (record.get("valid_to") or "").strip() or None,
            "line": line,
        }
        if (record.get("valid_from") or "").strip():  # a row of its own first day (a register's revocation)
            entry["valid_from"] = record["valid_from"].strip()
        if (record.get("source") or "").strip():
            entry["source"] = record["source"].strip()
        entries.append(entry)
    return entries
