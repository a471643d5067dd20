"""Multi-row writes without the ORM's per-object machinery, for the hot paths.

Django's bulk_update builds a CASE WHEN per field and row, and bulk_create
instantiates and prepares every model object; at thousands of items a second
that is most of the cost. These helpers send one `UPDATE … FROM (VALUES …)` or
one multi-row `INSERT` with values prepared by the fields themselves, so types
and conversions stay exactly Django's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from psycopg2.extras import execute_values

PAGE_SIZE = 2000


def _prepared(field: models.Field, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def update_rows(model: type[models.Model], rows: Sequence[tuple[int, dict[str, Any]]], names: Sequence[str]) -> None:
    """Set `names` per row: rows are (primary key, {name: value})."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    table = model._meta.db_table
    assignments = ", ".join(f'"{f.column}" = v."{f.column}"' for f in fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    template = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    values = [(pk, *[_prepared(f, data.get(f.name)) for f in fields]) for pk, data in rows]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f'UPDATE "{table}" AS t SET {assignments} FROM (VALUES %s) AS v(id, {columns}) WHERE t.id = v.id',  # noqa: S608
            values,
            template=template,
            page_size=PAGE_SIZE,
        )


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, on_conflict_do_nothing: bool = False):
    """Insert dicts of field values (attnames, e.g. consignment_id) in one statement a page."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    conflict = " ON CONFLICT DO NOTHING" if on_conflict_do_nothing else ""
    values = [tuple(_prepared(f, row[f.attname if f.attname in row else f.name]) for f in fields) for row in rows]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f'INSERT INTO "{table}" ({columns}) VALUES %s{conflict}',  # noqa: S608
            values,
            page_size=PAGE_SIZE,
        )
