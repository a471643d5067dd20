"""Writes of the law: every change is a proposal that a second supervisor approves (maker-checker).

`law_change_propose` records what the author asks for, with its preview (law.changes) and its
effect on the last 30 days of real items (law.effects); `law_change_approve` works the plan out
again, refuses if the law in force moved since the preview, and applies it; the author can never
approve. A tariff file is read strictly (`tariff_load_propose`): every unreadable row is listed by
line, and the load is applied only if the approver accepts exactly that list.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.services import audit_entries_create
from law import changes, effects
from law.choices import LawChangeKind, LawChangeStatus, LoadMode
from law.export import LawFileError, law_rows_read
from law.models import LawChange, Regime
from law.selectors import TariffUnavailable, tariff_for
from law.tables import TABLES
from law.tariff_file import CURRENCIES, RATE_COLUMNS, RowError, TariffRow, read_tariff_text

# A complete load lists the whole table: one with far fewer rows than the table in force is a truncated file.
COMPLETE_LOAD_MIN_SHARE = Decimal("0.8")


def _require_supervisor(user: User, action: str) -> None:
    if not user.is_supervisor:
        raise PermissionDenied(f"Only a supervisor may {action}.")


@transaction.atomic
def law_change_propose(
    *,
    author: User,
    kind: str,
    regime: Regime,
    effective_from: date,
    entries: list[dict[str, Any]],
    summary: str,
    mode: str = LoadMode.PARTIAL,
    source: str = "",
    file_name: str = "",
    unreadable: list[dict[str, Any]] | None = None,
) -> LawChange:
    """Propose a change of the law of one regime from a day; nothing changes until a second supervisor approves."""
    _require_supervisor(author, "propose a change of the law")
    changes.entries_check(entries)
    if kind not in LawChangeKind.values or mode not in LoadMode.values:
        raise ApplicationError(f"Unknown kind of change {kind!r} or mode {mode!r}.", code="invalid_law")
    if not summary.strip():
        raise ApplicationError("Say what the change is and why.", code="invalid_law")
    Regime.objects.select_for_update().get(pk=regime.pk)  # changes of one regime's law are worked out one at a time
    change = LawChange(
        kind=kind,
        regime=regime,
        effective_from=effective_from,
        summary=summary.strip()[:300],
        mode=mode,
        source=source[:300],
        file_name=file_name[:200],
        entries=entries,
        unreadable=unreadable or [],
        author=author,
    )
    if mode == LoadMode.COMPLETE:
        _refuse_truncated(change)
    plan = changes.plan_for(change)
    change.preview = {**changes.preview_of(change, plan), "effect": _effect(change, plan)}
    change.full_clean()
    change.save()
    _audit(change, "law.change.proposed", author, payload={"counts": change.preview["counts"]})
    return change


def _refuse_truncated(change: LawChange) -> None:
    listed: dict[str, set[tuple[str, ...]]] = {}
    for entry in change.entries:
        table = TABLES[entry["table"]]
        listed.setdefault(table.name, set()).add(tuple(str(entry["key"].get(k, "")) for k in table.keys))
    for table_name, keys in listed.items():
        in_force = changes._in_force_by_key(TABLES[table_name], change.regime, change.effective_from)
        replaced = [row for row in in_force.values() if changes._replaced_by_a_complete_load(change, row)]
        needed = int(len(replaced) * COMPLETE_LOAD_MIN_SHARE)
        if len(keys) < needed:
            raise ApplicationError(
                f"A complete load replaces the whole table, but this file lists {len(keys):,} rows where "
                f"{len(replaced):,} are in force (at least {needed:,} expected): is it truncated? "
                "Load it as partial to change only the rows it lists.",
                code="truncated_load",
            )


def _effect(change: LawChange, plan: changes.Plan) -> dict[str, Any]:
    """The effect on real items: the law in force and the law as changed, compared by the assessing app."""
    regime, on = change.regime, change.effective_from
    try:
        before = tariff_for(regime, on, regime.currency)
        savepoint = transaction.savepoint()
        try:
            changes.plan_apply(plan, regime)
            after = tariff_for(regime, on, regime.currency)
        finally:
            transaction.savepoint_rollback(savepoint)
    except TariffUnavailable as exc:
        return {"computed": False, "error": str(exc)}
    return effects.effect_compute(regime=regime, on=on, before=before, after=after)


def tariff_entries(
    rows: list[TariffRow], errors: list[RowError], source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A tariff file's rows as a change's entries.

    A row whose rate cannot be read is listed, and loaded (if accepted) marked "unreadable:" before its
    text, so that an item with its code goes to an officer instead of paying 0 % or a neighbour's rate.
    """
    entries: list[dict[str, Any]] = [
        {
            "table": "DutyRate",
            "key": {"hs_prefix": row.code, "origin_country": ""},
            "values": {
                "rate": str(row.rate.ad_valorem),
                "specific_amount": "" if row.rate.specific_amount is None else str(row.rate.specific_amount),
                "specific_unit": row.rate.specific_unit,
                "rate_text": row.rate_text,
                "description": row.description[:200],
            },
            "source": source,
        }
        for row in rows
    ]
    unreadable = [error.as_json() for error in errors]
    loadable = [error for error in errors if error.loadable]
    entries += [
        {
            "table": "DutyRate",
            "key": {"hs_prefix": error.code, "origin_country": ""},
            "values": {
                "rate": "0",
                "specific_amount": "",
                "specific_unit": "",
                "rate_text": f"unreadable: {error.text}"[:100],
                "description": error.description[:200],
            },
            "source": source,
            "unreadable_line": error.line,
        }
        for error in loadable
    ]
    return entries, unreadable


def tariff_load_propose(
    *,
    author: User,
    regime: Regime,
    effective_from: date,
    text: str,
    mode: str,
    source: str = "",
    file_name: str = "",
    summary: str = "",
) -> LawChange:
    """Propose a tariff file as the duty rates of a regime from a day, complete or partial."""
    if regime.code not in RATE_COLUMNS:
        raise ApplicationError(f"The tariff file has duty columns for {', '.join(RATE_COLUMNS)} only.")
    if regime.currency != CURRENCIES[regime.code]:
        raise ApplicationError(f"{regime.code} duties are in {CURRENCIES[regime.code]}, not {regime.currency}.")
    try:
        reading = read_tariff_text(text, regime.code)
    except ValueError as exc:
        raise ApplicationError(f"This is not a tariff file for {regime.code}: {exc}.", code="invalid_law") from None
    if not reading.rows:
        raise ApplicationError("The file has no readable row.", code="invalid_law")
    source = source or f"{file_name or 'tariff file'}, in force from {effective_from}"
    entries, unreadable = tariff_entries(reading.rows, reading.errors, source)
    return law_change_propose(
        author=author,
        kind=LawChangeKind.TARIFF_LOAD,
        regime=regime,
        effective_from=effective_from,
        entries=entries,
        summary=summary or f"{regime.code} tariff from {effective_from} ({mode.lower()}, {len(reading.rows):,} rows)",
        mode=mode,
        source=source,
        file_name=file_name,
        unreadable=unreadable,
    )


@transaction.atomic
def law_change_approve(*, change: LawChange, approver: User, accepted_lines: list[int] | None = None) -> LawChange:
    """Apply a pending change; the author cannot approve, and unreadable rows must be accepted by their lines."""
    _require_supervisor(approver, "approve a change of the law")
    Regime.objects.select_for_update().get(pk=change.regime_id)
    change = LawChange.objects.select_for_update().select_related("regime").get(pk=change.pk)
    if change.status == LawChangeStatus.APPLIED:
        return change
    if change.status != LawChangeStatus.PENDING:
        raise InvalidTransition(f"This change is {change.get_status_display().lower()}.")
    if change.author_id == approver.pk:
        raise PermissionDenied("A change of the law must be approved by a supervisor other than its author.")
    listed = sorted({row["line"] for row in change.unreadable})
    accepted = sorted(set(accepted_lines or []))
    if accepted != listed:
        raise ApplicationError(
            f"The file has {len(listed)} unreadable row(s) (lines {', '.join(map(str, listed))}): the load is "
            "applied only if you accept exactly these rows; otherwise reject it.",
            code="unreadable_rows",
        )
    moved = "The law in force changed since this proposal was previewed: reject it and propose it again."
    try:
        plan = changes.plan_for(change)
    except ApplicationError as exc:
        raise InvalidTransition(f"{moved} ({exc.message})") from None
    if plan.digest() != change.preview.get("digest"):
        raise InvalidTransition(moved)
    changes.plan_apply(plan, change.regime)
    change.status, change.reviewer, change.reviewed_at = LawChangeStatus.APPLIED, approver, timezone.now()
    change.accepted_unreadable = accepted
    change.save(update_fields=["status", "reviewer", "reviewed_at", "accepted_unreadable", "updated_at"])
    _audit(change, "law.change.approved", approver, payload={"counts": plan.counts(), "acceptedUnreadable": accepted})
    return change


@transaction.atomic
def law_change_reject(*, change: LawChange, reviewer: User, reason: str) -> LawChange:
    """Refuse a pending change (its author may withdraw it instead); the law stays as it is."""
    _require_supervisor(reviewer, "review a change of the law")
    change = LawChange.objects.select_for_update().get(pk=change.pk)
    if change.status != LawChangeStatus.PENDING:
        raise InvalidTransition(f"This change is {change.get_status_display().lower()}.")
    withdrawn = change.author_id == reviewer.pk
    change.status = LawChangeStatus.WITHDRAWN if withdrawn else LawChangeStatus.REJECTED
    change.reviewer, change.reviewed_at, change.review_reason = reviewer, timezone.now(), reason[:1000]
    change.save(update_fields=["status", "reviewer", "reviewed_at", "review_reason", "updated_at"])
    _audit(change, f"law.change.{'withdrawn' if withdrawn else 'rejected'}", reviewer, reason=reason)
    return change


def _audit(
    change: LawChange, action: str, user: User, *, reason: str = "", payload: dict[str, Any] | None = None
) -> None:
    audit_entries_create(
        model=LawChange,
        target_ids=[change.pk],
        action=action,
        actor=Actor.for_user(user),
        reason=reason,
        payloads={
            change.pk: {
                "kind": change.kind,
                "regime": change.regime.code,
                "effectiveFrom": change.effective_from.isoformat(),
                **(payload or {}),
            }
        },
    )


def kind_of_entries(entries: list[dict[str, Any]]) -> str:
    """The kind of change its rows make: their table's kind, or a law file when they span tables."""
    tables = {entry.get("table", "") for entry in entries}
    if len(tables) == 1 and (table := TABLES.get(tables.pop())) is not None:
        return table.kind
    return LawChangeKind.LAW_FILE


@transaction.atomic
def law_file_propose(*, author: User, text: str, file_name: str = "", summary: str = "") -> list[LawChange]:
    """Propose the rows of a law file (the export's format): one change per regime, each from its first row's day.

    Rows keep their own first and last days, so the export of a day imported into a law without
    those rows gives that law again. A bad row refuses the whole file, naming its line.
    """
    try:
        by_regime = law_rows_read(text)
    except LawFileError as exc:
        raise ApplicationError(f"This is not a law file: {exc}.", code="invalid_law") from None
    regimes = {regime.code: regime for regime in Regime.objects.filter(code__in=list(by_regime))}
    unknown = sorted(set(by_regime) - set(regimes))
    if unknown:
        raise ApplicationError(f"Unknown regime(s): {', '.join(unknown) or '(empty)'}.", code="invalid_law")
    proposed = []
    for code, entries in sorted(by_regime.items()):
        starts = []
        for entry in entries:
            try:
                starts.append(date.fromisoformat(entry["valid_from"]))
            except ValueError:
                raise ApplicationError(
                    f"Line {entry['line']}: {entry['valid_from']!r} is not a first day (YYYY-MM-DD).",
                    code="invalid_law",
                ) from None
        proposed.append(
            law_change_propose(
                author=author,
                kind=kind_of_entries(entries),
                regime=regimes[code],
                effective_from=min(starts),
                entries=entries,
                summary=summary or f"{code} law from {file_name or 'a law file'}",
                file_name=file_name,
            )
        )
    return proposed
