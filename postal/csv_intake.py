"""Pre-advice as a CSV file, for operators without an integration.

One row per content line; the item's own columns repeat on each of its rows.
pandas reads the file as text only (no type guessing: "0012" stays "0012"),
rows are grouped by itemId into the same item shape as the JSON API, and the
same validation runs, with errors reported by line number of the file.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

from core.exceptions import ApplicationError
from core.normalize import whole_number
from postal import contract

# The columns are the contract's fields (postal.contract): the item's, each party's as <party>_<field>, the line's.
ITEM_COLUMNS = contract.csv_item_columns()
LINE_COLUMNS = contract.csv_line_columns()
REQUIRED_COLUMNS = contract.csv_required_columns()
# JSON has numbers, CSV only text: whole numbers are read as such, so both meet the same validation.
WHOLE_NUMBERS = {field.name for field in contract.LINE if field.kind == contract.Kind.QUANTITY}
ERROR_PATH = re.compile(r"^items\[(\d+)\](?:\.contents\[(\d+)\])?\.?(.*)$")
FIRST_DATA_LINE = 2  # line 1 is the header


class CsvRejected(ApplicationError):
    code = "invalid_csv"


def read_rows(raw: bytes) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRejected("The file is not UTF-8 text.") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CsvRejected(f"The file is not readable CSV: {exc}".splitlines()[0]) from None
    missing = sorted(REQUIRED_COLUMNS - set(frame.columns))
    if missing:
        raise CsvRejected(f"Missing columns: {', '.join(missing)}.")
    unknown = sorted(set(frame.columns) - set(ITEM_COLUMNS) - set(LINE_COLUMNS))
    if unknown:
        raise CsvRejected(f"Unknown columns: {', '.join(unknown)}.")
    return frame


def _value(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "")
    return value if value != "" else None


def _line(row: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {}
    for column in LINE_COLUMNS:
        value = _value(row, column)
        if value is not None:
            number = whole_number(value) if column in WHOLE_NUMBERS else None
            line[column] = value if number is None else number
    return line


def _item(row: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for column in ITEM_COLUMNS:
        value = _value(row, column)
        if value is None:
            continue
        party, _, key = column.partition("_")
        if key:
            item.setdefault(party, {})[key] = value
        else:
            item[column] = value
    return item


def rows_to_items(
    frame: pd.DataFrame,
) -> tuple[list[dict[str, Any]], list[list[int]], dict[int, list[dict[str, str]]]]:
    """Items in order of first appearance, the file lines of each one's content lines, and row conflicts.

    The item's own columns repeat on each of its rows and must say the same
    thing each time: a row that disagrees with the item's first row (a USD
    row added into a EUR item) refuses the item, with an error naming both
    rows, rather than being merged silently. Conflicts are keyed by item.
    """
    items: dict[str, dict[str, Any]] = {}
    lines: dict[str, list[int]] = {}
    first_rows: dict[str, dict[str, str]] = {}
    conflicts: dict[str, list[dict[str, str]]] = {}
    for offset, row in enumerate(frame.to_dict("records")):
        key = row.get("itemId", "") or f"(row {offset})"
        line_number = offset + FIRST_DATA_LINE
        if key not in items:
            items[key], lines[key], first_rows[key] = {**_item(row), "contents": []}, [], row
        else:
            conflicts.setdefault(key, []).extend(_disagreements(first_rows[key], lines[key][0], row, line_number))
        items[key]["contents"].append(_line(row))
        lines[key].append(line_number)
    keys = list(items)
    refused = {keys.index(key): errors for key, errors in conflicts.items() if errors}
    return list(items.values()), list(lines.values()), refused


def _disagreements(first: dict[str, str], first_line: int, row: dict[str, str], line: int) -> list[dict[str, str]]:
    return [
        {
            "field": f"rows[{line}].{column}",
            "code": "conflicting_rows",
            "message": (
                f"Row {line} gives {column} {row.get(column, '')!r} where row {first_line} of the same item gives "
                f"{first.get(column, '')!r}: an item's own columns must be the same on each of its rows."
            ),
        }
        for column in ITEM_COLUMNS
        if row.get(column, "") != first.get(column, "")
    ]


def locate(error_field: str, item_lines: list[list[int]]) -> str:
    """items[3].contents[1].hsCode -> rows[7].hsCode (7 being the file line)."""
    match = ERROR_PATH.match(error_field)
    if not match:
        return error_field
    item_index, line_index, rest = int(match[1]), match[2], match[3]
    line = item_lines[item_index][int(line_index) if line_index is not None else 0]
    column = rest.replace(".", "_") if rest.startswith(("sender.", "addressee.")) else rest
    return f"rows[{line}].{column}" if column else f"rows[{line}]"
