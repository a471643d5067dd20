"""Multi-row writes without the ORM's per-object machinery, for the hot paths.

Django's bulk_update builds a CASE WHEN per field and row, and bulk_create
instantiates and prepares every model object; at thousands of items a second
that is most of the cost. These helpers send one `UPDATE … FROM (VALUES …)` or
one multi-row `INSERT` with values prepared by the fields themselves, so types
and conversions stay exactly Django's; the intake's hottest tables go through
`COPY`, PostgreSQL's bulk load, with ids reserved beforehand.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import connection, models
from django.utils import timezone
from psycopg2.extras import execute_values

PAGE_SIZE = 2000
if TYPE_CHECKING:
    AnyField: TypeAlias = models.Field[Any, Any]


def field_of(model: type[models.Model], name: str) -> AnyField:
    """The concrete field `name` (an attname or a name) of `model`: a column to read or write."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column.")
    return field


def _prepared(field: AnyField, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def _plain_type(field: AnyField) -> type | None:
    """The type whose values (and None) the field's preparation returns unchanged, if there is one."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.CharField | models.TextField):
        return str
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField):
        return int
    return None


def _preparer(field: AnyField) -> Callable[[Any], Any]:
    """`_prepared` for one field, skipping Django's per-value work where it would change nothing.

    Thousands of rows a second go through here; most values are text, whole
    numbers, booleans or None in fields that pass them on as they are.
    """
    plain = _plain_type(field)
    if plain is None:
        return partial(_prepared, field)

    def prepare(value: Any) -> Any:
        return value if value is None or type(value) is plain else _prepared(field, value)

    return prepare


def update_rows(model: type[models.Model], rows: Sequence[tuple[int, dict[str, Any]]], names: Sequence[str]) -> None:
    """Set `names` per row: rows are (primary key, {name: value})."""
    if not rows:
        return
    fields = [field_of(model, name) for name in names]
    table = model._meta.db_table
    assignments = ", ".join(f'"{f.column}" = v."{f.column}"' for f in fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    template = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    preparers = [(f.name, _preparer(f)) for f in fields]
    values = [(pk, *[prepare(data.get(name)) for name, prepare in preparers]) for pk, data in rows]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f'UPDATE "{table}" AS t SET {assignments} FROM (VALUES %s) AS v(id, {columns}) WHERE t.id = v.id',  # noqa: S608
            values,
            template=template,
            page_size=PAGE_SIZE,
        )


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, on_conflict_do_nothing: bool = False
) -> None:
    """Insert dicts of field values (attnames, e.g. consignment_id) in one statement a page."""
    if not rows:
        return
    names = list(rows[0])
    fields = [field_of(model, name) for name in names]
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    conflict = " ON CONFLICT DO NOTHING" if on_conflict_do_nothing else ""
    preparers = [(f.attname if f.attname in rows[0] else f.name, _preparer(f)) for f in fields]
    values = [tuple(prepare(row[name]) for name, prepare in preparers) for row in rows]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f'INSERT INTO "{table}" ({columns}) VALUES %s{conflict}',  # noqa: S608
            values,
            page_size=PAGE_SIZE,
        )


@dataclass(frozen=True)
class Value:
    """A parameter in `insert_select`'s column expressions, prepared by its field as Django would."""

    value: Any


def insert_select(model: type[models.Model], columns: dict[str, str | Value], source: str) -> tuple[str, list[Any]]:
    """`INSERT INTO <table> (…) SELECT … FROM <source>`, for rows PostgreSQL builds itself.

    `columns` maps field attnames to SQL expressions over `source` or to a
    `Value`; a concrete field left out gets its default, evaluated once, as in
    `copy_rows`. Returns the statement and its parameters (the expressions'
    `Value`s then the defaults, in order), to run alone or as a CTE.
    """
    names, expressions, params = [], [], []
    given = [(field_of(model, name), expression) for name, expression in columns.items()]
    for field, expression in [*given, *((f, Value(v)) for f, v in _defaults(model, set(columns)))]:
        names.append(f'"{field.column}"')
        if isinstance(expression, Value):
            expressions.append(f"%s::{field.db_type(connection)}")
            params.append(_prepared(field, expression.value))
        else:
            expressions.append(expression)
    table = model._meta.db_table
    return f'INSERT INTO "{table}" ({", ".join(names)}) SELECT {", ".join(expressions)} FROM {source}', params  # noqa: S608


class JsonText(str):
    """JSON already serialised, for a JSONField column of `copy_rows` (spares a second encoding)."""


# COPY's text format: a backslash starts an escape, tab and newline delimit.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Take `count` ids from the table's identity sequence, for rows written by COPY."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Load dicts of field values (attnames) with one COPY.

    Every row names the same fields. A concrete field the rows leave out gets
    its default, evaluated once for the call (auto_now fields: now); the
    primary key is left to the table unless the rows give it. Values are
    written in PostgreSQL's text format by type: str, int, Decimal, bool,
    aware datetime, date, None, and for a JSONField a Python value (encoded
    with the field's encoder, as Django would) or a `JsonText`.
    """
    if not rows:
        return
    given = list(rows[0])
    fields = [field_of(model, name) for name in given]
    defaults = _defaults(model, set(given))
    columns = [f.column for f in fields] + [f.column for f, _ in defaults]
    default_text = [_copy_text(f, value) for f, value in defaults]
    converters = [(name, _converter(field)) for field, name in zip(fields, given, strict=True)]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([*(convert(row[name]) for name, convert in converters), *default_text]))
        buffer.write("\n")
    buffer.seek(0)
    column_list = ", ".join(f'"{column}"' for column in columns)
    # The raw cursor's errors are psycopg2's; wrapped, a duplicate key is Django's IntegrityError
    # (the intake retries on it when another request stored the same new item first).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f'COPY "{model._meta.db_table}" ({column_list}) FROM STDIN', buffer)


def copy_objects(objects: Sequence[models.Model]) -> None:
    """Save new model instances of one model with one COPY, as bulk_create would, ids included.

    Each instance gets its id from the table's sequence first, so objects
    referring to it (lines of an assessment) can be built afterwards.
    """
    if not objects:
        return
    model = type(objects[0])
    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
    fields = model._meta.concrete_fields
    # pre_save(add=True) is how Django itself reads a field for an INSERT (auto_now fields take
    # the time); where a field keeps Field's own pre_save, that is reading the attribute.
    special = [field for field in fields if type(field).pre_save is not models.Field.pre_save]
    plain = [field.attname for field in fields if field not in special]
    copy_rows(
        model,
        [
            {**{name: getattr(obj, name) for name in plain}, **{f.attname: f.pre_save(obj, True) for f in special}}
            for obj in objects
        ],
    )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _defaults(model: type[models.Model], given: set[str]) -> list[tuple[AnyField, Any]]:
    now = timezone.now()
    defaults = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in given or field.attname in given:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults.append((field, now if auto else field.get_default()))
    return defaults


def _escaped(text: str) -> str:
    # translate() is slow next to a scan that finds nothing, the common case.
    return text.translate(COPY_ESCAPES) if NEEDS_ESCAPE.search(text) else text


def _converter(field: AnyField) -> Callable[[Any], str]:
    """The field's value → COPY text, with the common case of its type tried first (most values are text)."""
    if isinstance(field, models.JSONField):
        return partial(_copy_text, field)

    def convert(value: Any) -> str:
        to_text = COPY_TEXT_BY_TYPE.get(type(value))
        return to_text(value) if to_text is not None else _copy_text(field, value)

    return convert


# The commonest types, as `_copy_text` writes them, found by one lookup (bool is not int here).
COPY_TEXT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _escaped,
    int: str,
    Decimal: str,
    type(None): lambda _: NULL,
}


def _copy_text(field: AnyField, value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(field, models.JSONField):
        return _escaped(value if isinstance(value, JsonText) else json.dumps(value, cls=field.encoder))
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError(f"{field.name}: a naive datetime; times are stored in UTC with their zone")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{field.name}: {type(value).__name__} cannot be written by COPY")
