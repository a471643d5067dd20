"""The permit registers: loading them from CSV, and checking a declared permit for the risk engine.

`permits_load` reads a register's CSV (kind, number, holder, goods, hs_codes,
quantity, valid_from, valid_to), keeps every good row (a number issued again
for a new period is a row of its own; the same period is updated) and reports
each bad one by its line. `permit_check` is what risk.permits asks when a
catalogue row that a permit lifts found goods on an item declaring a permit:
it answers with a code and records the quantity the line takes from the
permit, once per line, so that scoring the item again does not count it twice.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from agencies.models import Permit, PermitUse
from core.normalize import name_key
from risk.permits import DeclaredPermit, PermitCheck, PermitKind

COLUMNS = ("kind", "number", "holder", "goods", "hs_codes", "quantity", "valid_from", "valid_to")
HS_PREFIX = re.compile(r"^\d{2,10}$")
FIRST_DATA_LINE = 2  # line 1 is the header


def permit_number_key(number: str) -> str:
    """A permit number as registers and declarations are compared: capitals, no spaces."""
    return re.sub(r"\s+", "", number or "").upper()


def permit_check(*, kind: str, declared: DeclaredPermit, holder_key: str, day: date | None, item: int) -> PermitCheck:
    """The register's answer for one declared permit of one line (risk.permits' codes)."""
    candidates = list(Permit.objects.filter(kind=kind, number=permit_number_key(declared.number)))
    if not candidates:
        return PermitCheck("permit.not_found")
    day = day or timezone.now().date()
    in_force = [permit for permit in candidates if permit.valid_from <= day <= permit.valid_to]
    if not in_force:
        latest = max(candidates, key=lambda permit: permit.valid_to)
        period = {"valid_from": latest.valid_from.isoformat(), "valid_to": latest.valid_to.isoformat()}
        return PermitCheck("permit.expired", {"day": day.isoformat(), **period})
    permit = in_force[0]
    if permit.holder_key != holder_key:
        return PermitCheck("permit.other_holder", {"holder": permit.holder})
    if permit.hs_prefixes and not any(declared.hs_code.startswith(prefix) for prefix in permit.hs_prefixes):
        return PermitCheck("permit.other_goods", {"hs_code": declared.hs_code or "-"})
    return _quantity_taken(permit, declared, item)


@transaction.atomic
def _quantity_taken(permit: Permit, declared: DeclaredPermit, item: int) -> PermitCheck:
    # The permit's row is locked so that two items scored at once cannot both take its last units.
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    others = PermitUse.objects.filter(permit=permit).exclude(consignment_id=item, position=declared.position)
    remaining = permit.quantity - (others.aggregate(total=Sum("quantity"))["total"] or 0)
    if declared.quantity > remaining:
        return PermitCheck("permit.used_up", {"remaining": max(remaining, 0), "quantity": declared.quantity})
    if item:
        PermitUse.objects.update_or_create(
            permit=permit, consignment_id=item, position=declared.position, defaults={"quantity": declared.quantity}
        )
    return PermitCheck("permit.valid", {"valid_to": permit.valid_to.isoformat()})


@dataclass
class PermitsLoaded:
    """What a load did: rows created and updated, and each bad row's line and message."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def permits_load(*, text: str, source: str = "") -> PermitsLoaded:
    """Load a register's CSV: good rows are kept, bad ones reported by their line, nothing half-written."""
    result = PermitsLoaded()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        result.errors.append((1, f"Missing columns: {', '.join(missing)}."))
        return result
    with transaction.atomic():
        for line, row in enumerate(reader, start=FIRST_DATA_LINE):
            try:
                values = _row(row)
            except ValueError as exc:
                result.errors.append((line, str(exc)))
                continue
            _, created = Permit.objects.update_or_create(
                kind=values.pop("kind"),
                number=values.pop("number"),
                valid_from=values.pop("valid_from"),
                defaults={**values, "source": f"{source}:{line}"[:200], "loaded_at": timezone.now()},
            )
            if created:
                result.created += 1
            else:
                result.updated += 1
    return result


def _row(row: dict[str, Any]) -> dict[str, Any]:
    cells = {column: (row.get(column) or "").strip() for column in COLUMNS}
    if cells["kind"].upper() not in PermitKind.values:
        raise ValueError(f"kind is one of {', '.join(PermitKind.values)}, not {cells['kind'][:20]!r}.")
    number = permit_number_key(cells["number"])
    if not number or len(number) > 40:
        raise ValueError("number is 1 to 40 characters.")
    if not name_key(cells["holder"]) or len(cells["holder"]) > 200:
        raise ValueError("holder is a name of at most 200 characters.")
    if not cells["goods"] or len(cells["goods"]) > 300:
        raise ValueError("goods is a description of at most 300 characters.")
    prefixes = [entry.strip() for entry in cells["hs_codes"].split("|") if entry.strip()]
    if any(not HS_PREFIX.match(prefix) for prefix in prefixes):
        raise ValueError("hs_codes are HS codes or prefixes of 2 to 10 digits, separated by |.")
    if not cells["quantity"].isdigit() or not 0 < int(cells["quantity"]) <= 2_000_000_000:
        raise ValueError("quantity is a whole number of units, at least 1.")
    valid_from, valid_to = _day(cells["valid_from"], "valid_from"), _day(cells["valid_to"], "valid_to")
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from.")
    return {
        "kind": cells["kind"].upper(),
        "number": number,
        "holder": cells["holder"],
        "holder_key": name_key(cells["holder"]),
        "goods": cells["goods"],
        "hs_prefixes": prefixes,
        "quantity": int(cells["quantity"]),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _day(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} is a date written YYYY-MM-DD.") from None
