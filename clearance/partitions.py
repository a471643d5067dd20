"""The item table's monthly partitions, and the ids that place an item in its month.

`clearance_consignment` is partitioned by range of id, and an item's id carries
the month of its pre-advice in its high bits: id = month number << 40 | a number
from the table's sequence. So each partition holds exactly one month of
pre-advice (a CHECK constraint on the table holds the two together), while the
id alone stays the primary key: PostgreSQL requires every unique key of a
partitioned table to contain the partition key, and this way the fourteen
tables that refer to an item keep their plain foreign keys.

Month numbers count from January 2000 (= 1). Ids below 2**40 belong to items
stored before the table was partitioned; they sit in one `legacy` partition.
Ids stay below 2**53, so a browser reads them exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction

TABLE = "clearance_consignment"
MONTH_SHIFT = 40
EPOCH_YEAR = 2000
# Serialises partition creation between processes (pg_advisory_xact_lock key).
CREATE_LOCK = 0x0C_1EA2_0001


def month_number(when: datetime | date) -> int:
    """1 for January 2000, counting on; a datetime is read in UTC."""
    if isinstance(when, datetime):
        when = when.astimezone(UTC)
    return (when.year - EPOCH_YEAR) * 12 + when.month


def month_of(number: int) -> date:
    year, month = divmod(number - 1, 12)
    return date(EPOCH_YEAR + year, month + 1, 1)


def first_id(number: int) -> int:
    """The lowest id of a month's partition (its upper bound is the next month's)."""
    return number << MONTH_SHIFT


def month_of_id(consignment_id: int) -> date | None:
    """The pre-advice month an id was made for, or None for an item older than the partitions."""
    number = consignment_id >> MONTH_SHIFT
    return month_of(number) if number else None


def partition_name(number: int) -> str:
    month = month_of(number)
    return f"{TABLE}_{month.year}_{month.month:02d}"


def consignment_ids_new(pre_advised_at: datetime, count: int) -> list[int]:
    """`count` new ids for items pre-advised at `pre_advised_at`, their partition made if missing."""
    number = month_number(pre_advised_at)
    partitions_ensure([number])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [TABLE, count])
        return [first_id(number) | sequence for (sequence,) in cursor.fetchall()]


def partitions_ensure(numbers: Iterable[int]) -> list[str]:
    """Make the partitions of these months that do not exist yet; their names.

    Beat makes the coming months ahead of time, so on the intake's path this is
    one catalogue lookup. Creating a partition locks the whole table briefly,
    which is why it should rarely happen there.
    """
    missing = [number for number in sorted(set(numbers)) if not _exists(partition_name(number))]
    if not missing:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CREATE_LOCK])
        for number in missing:
            cursor.execute(
                f'CREATE TABLE IF NOT EXISTS "{partition_name(number)}" PARTITION OF "{TABLE}" '
                f"FOR VALUES FROM ({first_id(number)}) TO ({first_id(number + 1)})"
            )
    return [partition_name(number) for number in missing]


def partitions_ensure_ahead(*, today: date, months: int) -> list[str]:
    """This month's partition and the next `months`' ones."""
    start = month_number(today)
    return partitions_ensure(range(start, start + months + 1))


def _exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{name}"'])
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None: the legacy partition
    rows: int  # PostgreSQL's estimate (reltuples), 0 before the first ANALYZE


def partitions_list() -> list[Partition]:
    """The item table's partitions, oldest first, with estimated row counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        rows = cursor.fetchall()
    partitions = [Partition(name, _month_in_name(name), count) for name, count in rows]
    return sorted(partitions, key=lambda p: (p.month is not None, p.month))


def _month_in_name(name: str) -> date | None:
    suffix = name.removeprefix(f"{TABLE}_")
    year, _, month = suffix.partition("_")
    return date(int(year), int(month), 1) if year.isdigit() and month.isdigit() else None
