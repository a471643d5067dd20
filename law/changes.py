"""What a change of the law does to the law in force: its plan (rows added, changed, ended, unchanged),
its preview, and applying it. Used by law.services; reads and writes the law's tables only.

An entry is `{"table", "key": {...}, "values": {...} | None, "valid_from"?, "valid_to"?, "source"?}`:
values None ends the row in force of that key. A row in force of the same key ends the day before
the new one starts; a later row of the key already entered stays, and the new one ends the day
before it. History is never rewritten: a key whose row in force starts on the same day refuses.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from core.exceptions import ApplicationError
from law.choices import LawChangeKind, LoadMode
from law.models import EffectiveDated, LawChange, Regime
from law.tables import TABLES, Table, from_text, normalised

ADDED, CHANGED, ENDED, UNCHANGED = "added", "changed", "ended", "unchanged"
SHOWN = 100  # rows of each action a preview lists


@dataclass
class Step:
    action: str
    table: Table
    key: tuple[str, ...]
    valid_from: date
    before: EffectiveDated | None = None
    after: dict[str, str] | None = None
    valid_to: date | None = None
    source: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table.name,
            "key": dict(zip(self.table.keys, self.key, strict=True)),
            "validFrom": self.valid_from.isoformat(),
            "before": self.table.values_of(self.before) if self.before else None,
            "after": self.after,
        }


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = Counter(step.action for step in self.steps)
        return {action: counted.get(action, 0) for action in (ADDED, CHANGED, ENDED, UNCHANGED)}

    def digest(self) -> str:
        """What the plan does, by row: approval compares it with the preview's."""
        text = json.dumps(
            [
                [s.action, s.table.name, s.key, s.valid_from.isoformat(), s.before.pk if s.before else None, s.after]
                for s in self.steps
            ],
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _in_force_by_key(table: Table, regime: Regime, on: date) -> dict[tuple[str, ...], EffectiveDated]:
    rows = table.model.objects.filter(regime=regime, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    found: dict[tuple[str, ...], EffectiveDated] = {}
    for row in rows.order_by("valid_from", "pk"):
        found[table.key_of(row)] = row  # the latest start wins where rows overlap
    return found


def _next_start(table: Table, regime: Regime, on: date) -> dict[tuple[str, ...], date]:
    later: dict[tuple[str, ...], date] = {}
    for row in table.model.objects.filter(regime=regime, valid_from__gt=on).order_by("-valid_from"):
        later[table.key_of(row)] = row.valid_from
    return later


def _day(text: Any, default: date | None) -> date | None:
    if text in (None, ""):
        return default
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise ApplicationError(f"{text!r} is not a date (YYYY-MM-DD).", code="invalid_law") from None


def plan_for(change: LawChange) -> Plan:
    """The steps the change takes against the law in force now (grouped by table and first day)."""
    groups: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for entry in change.entries:
        valid_from = _day(entry.get("valid_from"), change.effective_from)
        assert valid_from is not None  # noqa: S101 - the change's effective date is the default
        groups[(entry["table"], valid_from)].append(entry)
    plan = Plan()
    for (table_name, valid_from), entries in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        table = TABLES[table_name]
        plan.steps += _table_steps(change, table, valid_from, entries)
    if change.mode == LoadMode.COMPLETE:
        plan.steps += _complete_ends(change, plan)
    return plan


def _table_steps(change: LawChange, table: Table, valid_from: date, entries: list[dict]) -> list[Step]:
    in_force = _in_force_by_key(table, change.regime, valid_from)
    later = _next_start(table, change.regime, valid_from)
    steps = []
    for entry in entries:
        key = tuple(str(entry["key"].get(name, "")) for name in table.keys)
        current = in_force.get(key)
        source = entry.get("source", change.source)
        if entry.get("values") is None:
            if current is None:
                raise ApplicationError(f"{table.name} {_key_text(key)}: no row in force on {valid_from} to end.")
            steps.append(Step(ENDED, table, key, valid_from, before=current))
            continue
        after = normalised(table, entry["values"])
        valid_to = _day(entry.get("valid_to"), None)
        if key in later and (valid_to is None or valid_to >= later[key]):
            valid_to = later[key] - timedelta(days=1)
        if current is not None and table.values_of(current) == after and current.valid_to == valid_to:
            steps.append(Step(UNCHANGED, table, key, valid_from, before=current, after=after))
            continue
        if current is not None and current.valid_from >= valid_from:
            raise ApplicationError(
                f"{table.name} {_key_text(key)}: a row already starts on {current.valid_from}; "
                "history is not rewritten, propose a later day."
            )
        action = CHANGED if current is not None else ADDED
        steps.append(Step(action, table, key, valid_from, current, after, valid_to, source))
    return steps


def _complete_ends(change: LawChange, plan: Plan) -> list[Step]:
    """A complete load replaces its table: the rows in force that it does not list end."""
    listed = defaultdict(set)
    for step in plan.steps:
        listed[step.table.name].add(step.key)
    ends = []
    for table_name in listed:
        table = TABLES[table_name]
        in_force = _in_force_by_key(table, change.regime, change.effective_from)
        for key, row in in_force.items():
            if key in listed[table_name] or not _replaced_by_a_complete_load(change, row):
                continue
            ends.append(Step(ENDED, table, key, change.effective_from, before=row))
    return ends


def _replaced_by_a_complete_load(change: LawChange, row: EffectiveDated) -> bool:
    # A tariff file replaces the rows loaded from a tariff file, not the regime's own default and heading rows.
    return change.kind != LawChangeKind.TARIFF_LOAD or bool(getattr(row, "rate_text", ""))


def _key_text(key: tuple[str, ...]) -> str:
    return " ".join(part or "*" for part in key) or "(the regime's row)"


def plan_apply(plan: Plan, regime: Regime) -> None:
    """Write the plan: rows in force end the day before their successor, new rows are added in bulk."""
    ends: dict[tuple[type, date], list[int]] = defaultdict(list)
    added: dict[type, list[EffectiveDated]] = defaultdict(list)
    for step in plan.steps:
        if step.action in (CHANGED, ENDED) and step.before is not None:
            ends[(step.table.model, step.valid_from - timedelta(days=1))].append(step.before.pk)
        if step.action in (ADDED, CHANGED) and step.after is not None:
            added[step.table.model].append(_new_row(step, regime))
    for (model, last_day), ids in ends.items():
        for start in range(0, len(ids), 5000):
            model.objects.filter(pk__in=ids[start : start + 5000]).update(valid_to=last_day)
    for model, rows in added.items():
        model.objects.bulk_create(rows, batch_size=2000)


def _new_row(step: Step, regime: Regime) -> EffectiveDated:
    table = step.table
    fields = {name: from_text(table, name, value) for name, value in zip(table.keys, step.key, strict=True)}
    fields.update({name: from_text(table, name, value) for name, value in (step.after or {}).items()})
    return table.model(
        regime=regime, valid_from=step.valid_from, valid_to=step.valid_to, source=step.source[:300], **fields
    )


def entries_check(entries: list[dict]) -> list[dict]:
    """Each entry's table, key and values are the law's and read as their fields ask; raises on the first not."""
    if not entries:
        raise ApplicationError("The change has no row.", code="invalid_law")
    for position, entry in enumerate(entries, start=1):
        number = f"line {entry['line']}" if "line" in entry else f"{position}"
        table = TABLES.get(entry.get("table", ""))
        if table is None:
            raise ApplicationError(f"Row {number}: unknown table {entry.get('table')!r}.", code="invalid_law")
        missing = [name for name in table.keys if name not in entry.get("key", {})]
        if missing:
            raise ApplicationError(f"Row {number}: {table.name} needs {', '.join(missing)}.", code="invalid_law")
        try:
            for name in table.keys:
                from_text(table, name, str(entry["key"][name]))
            if entry.get("values") is not None:
                normalised(table, entry["values"])
        except (ValidationError, InvalidOperation, ValueError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise ApplicationError(f"Row {number} ({table.name}): {message}", code="invalid_law") from None
    return entries


# --- The preview -----------------------------------------------------------------------------------


def preview_of(change: LawChange, plan: Plan) -> dict[str, Any]:
    preview: dict[str, Any] = {"counts": plan.counts(), "digest": plan.digest(), "rows": {}}
    for action in (ADDED, CHANGED, ENDED):
        steps = [step for step in plan.steps if step.action == action]
        preview["rows"][action] = [step.as_json() for step in steps[:SHOWN]]
    duty_steps = [step for step in plan.steps if step.table.name == "DutyRate" and step.action != UNCHANGED]
    if duty_steps:
        preview["chapters"] = _by_chapter(duty_steps)
        preview["largest"] = _largest_changes(duty_steps)
    return preview


def _by_chapter(steps: list[Step]) -> list[dict[str, Any]]:
    chapters: dict[str, Counter] = defaultdict(Counter)
    for step in steps:
        chapters[step.key[0][:2] or "*"][step.action] += 1
    return [
        {"chapter": chapter, **{action: counts.get(action, 0) for action in (ADDED, CHANGED, ENDED)}}
        for chapter, counts in sorted(chapters.items())
    ]


def _rate(values: dict[str, str] | None) -> Decimal | None:
    if not values or values.get("rate") in (None, ""):
        return None
    return Decimal(values["rate"])


def _largest_changes(steps: list[Step], count: int = 10) -> list[dict[str, Any]]:
    """The changed codes whose ad valorem rate moves most, either way, with their rates as stated."""
    moves = []
    for step in steps:
        if step.action != CHANGED or step.before is None:
            continue
        before, after = step.table.values_of(step.before), step.after
        old, new = _rate(before), _rate(after)
        if old is None or new is None or (after or {}).get("rate_text", "").startswith("unreadable:"):
            continue  # an unreadable rate is listed apart, not as a fall to 0 %
        moves.append(
            {
                "code": step.key[0],
                "before": before.get("rate_text") or f"{old}%",
                "after": (after or {}).get("rate_text") or f"{new}%",
                "points": str(new - old),
            }
        )
    moves.sort(key=lambda move: (-abs(Decimal(move["points"])), move["code"]))
    return moves[:count]
