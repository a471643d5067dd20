"""Reads of the officer dashboard: the work queue, an item's full picture, search.

The queue is highest risk first as ASYCUDA ranks it: red items, then yellow,
then the rest (a rule may send an item to the red lane whatever its score),
each lane by score. It pages by keyset on (lane rank, risk score, id): no
OFFSET and no COUNT(*) over the table, so a page costs the same on the first
day and with millions of items.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from agencies.selectors import agencies_active, information_requests_for, referrals_of
from clearance.choices import ConsignmentState, Lane, TermsOfDelivery
from clearance.holds import claim_expiry
from clearance.models import Claim, ClaimTakeover, Consignment, ConsignmentVersion, ContentLine, LineCorrection
from core import s10
from core.models import User
from core.selectors import audit_trail_for
from payments.choices import MoneyApprovalState
from payments.models import Assessment, MoneyApproval
from payments.selectors import assessment_current, collector_account, consignments_sharing_item_id
from postal.models import GoodsOutOfControl
from risk.models import RiskAssessment

PAGE_SIZE = 50
LANES = re.compile("|".join(Lane.values))
COUNTRY = re.compile(r"[A-Z]{2}")
HS_CHAPTER = re.compile(r"[0-9]{2}")
RULE_CODE = re.compile(r"[-a-zA-Z0-9_]{1,60}")
REASON_CODE = re.compile(r"[a-z0-9_.]{1,60}")


@dataclass(frozen=True)
class QueueFilters:
    lane: str = ""
    operator: int | None = None
    origin: str = ""
    hs_chapter: str = ""
    rule: str = ""
    reason: str = ""
    older_than_hours: int | None = None
    unannounced: bool = False  # arrived without pre-advice (postal.unannounced)

    @classmethod
    def from_query(cls, query: QueryDict) -> QueueFilters:
        """The filters of a query string; a value that cannot be one (NUL, a huge number) is left out."""

        def integer(name: str, most: int) -> int | None:
            value = query.get(name, "").strip()
            return int(value) if value.isascii() and value.isdigit() and 0 < int(value) <= most else None

        def matching(name: str, pattern: re.Pattern[str], transform: Callable[[str], str] = str.strip) -> str:
            value = transform(query.get(name, ""))
            return value if pattern.fullmatch(value) else ""

        return cls(
            lane=matching("lane", LANES, lambda v: v.strip().upper()),
            operator=integer("operator", 2**63 - 1),
            origin=matching("origin", COUNTRY, lambda v: v.strip().upper()),
            hs_chapter=matching("hs_chapter", HS_CHAPTER),
            rule=matching("rule", RULE_CODE),
            reason=matching("reason", REASON_CODE),
            older_than_hours=integer("older_than_hours", 24 * 366 * 10),
            unannounced=query.get("unannounced", "") in ("1", "on"),
        )

    def as_query(self) -> dict[str, str]:
        shown = {k: v for k, v in self.__dict__.items() if v not in ("", None, False)}
        return {k: "1" if v is True else str(v) for k, v in shown.items()}


def queue_queryset(filters: QueueFilters) -> QuerySet[Consignment]:
    """Held items, highest risk first, narrowed by the filters."""
    items = Consignment.objects.filter(state=ConsignmentState.HELD)
    if filters.lane:
        items = items.filter(lane=filters.lane)
    if filters.operator:
        items = items.filter(operator_id=filters.operator)
    if filters.origin:
        items = items.filter(sender_country=filters.origin)
    if filters.hs_chapter:
        lines = ContentLine.objects.filter(consignment=OuterRef("pk"), hs_code__startswith=filters.hs_chapter)
        items = items.filter(Exists(lines))
    if filters.rule:
        # Rules fired on the item's current version, matched by code whatever its version ("code@vN").
        items = items.extra(
            where=[
                "EXISTS (SELECT 1 FROM risk_riskassessment AS ra, jsonb_array_elements_text(ra.rules_fired) AS fired"
                " WHERE ra.consignment_id = clearance_consignment.id"
                " AND ra.consignment_version = clearance_consignment.version AND fired LIKE %s)"
            ],
            params=[filters.rule.replace("%", "").replace("_", r"\_") + "@%"],
        )
    if filters.reason:
        # A finding of that code on the item's current version (risk.reasons).
        items = items.extra(
            where=[
                "EXISTS (SELECT 1 FROM risk_riskassessment AS ra WHERE ra.consignment_id = clearance_consignment.id"
                " AND ra.consignment_version = clearance_consignment.version AND ra.reasons @> %s::jsonb)"
            ],
            params=[json.dumps([{"code": filters.reason}])],
        )
    if filters.older_than_hours:
        items = items.filter(state_changed_at__lt=timezone.now() - timedelta(hours=filters.older_than_hours))
    if filters.unannounced:
        items = items.filter(unannounced=True)
    return items.annotate(lane_rank=LANE_RANK, queue_score=QUEUE_SCORE).order_by("-lane_rank", "-queue_score", "-id")


QUEUE_SCORE = Coalesce("risk_score", Value(Decimal("0")), output_field=DecimalField(max_digits=5, decimal_places=4))
# ASYCUDA's precedence, RED > YELLOW > GREEN (an unscored item last): the queue's first key.
LANE_RANK = Case(
    When(lane=Lane.RED, then=Value(2)),
    When(lane=Lane.YELLOW, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


_REASON_COUNTS = f"""
SELECT finding->>'code', count(DISTINCT ra.consignment_id)
FROM {RiskAssessment._meta.db_table} ra
JOIN {Consignment._meta.db_table} c ON c.id = ra.consignment_id AND c.version = ra.consignment_version
CROSS JOIN LATERAL jsonb_array_elements(
    CASE jsonb_typeof(ra.reasons) WHEN 'array' THEN ra.reasons ELSE '[]'::jsonb END
) AS finding
WHERE jsonb_typeof(finding) = 'object' AND c.id IN (%s)
GROUP BY 1 ORDER BY 2 DESC, 1
"""  # noqa: S608 - table names from the models; values are parameters


def queue_reason_counts(filters: QueueFilters) -> list[tuple[str, int]]:
    """(reason code, held items whose current version has a finding of it), most frequent first.

    Narrowed by the queue's other filters, so that each count is what choosing
    that reason would show.
    """
    items = queue_queryset(replace(filters, reason="")).order_by().values("id")
    sql, params = items.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_REASON_COUNTS % sql, params)
        counts = [(code, count) for code, count in cursor.fetchall()]
    if filters.reason and filters.reason not in dict(counts):  # the reason chosen stays listed, with none
        counts.append((filters.reason, 0))
    return counts


def queue_page(filters: QueueFilters, after: str = "") -> tuple[list[Consignment], str]:
    """One page of the queue after a cursor ("rank:score:id"); returns the items and the next cursor."""
    items = queue_queryset(filters).select_related("operator", "claim__officer")
    cursor = _parse_cursor(after)
    if cursor:
        rank, score, pk = cursor
        score_after = Q(queue_score__lt=score) | Q(queue_score=score, id__lt=pk)
        items = items.filter(Q(lane_rank__lt=rank) | Q(lane_rank=rank) & score_after)
    page = list(items[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    since = timezone.now() - claim_expiry()
    for item in page:  # an expired claim holds nobody back: the queue shows who really works an item
        claim = getattr(item, "claim", None)
        item.worked_by = claim.officer if claim and claim.claimed_at > since else None  # type: ignore[attr-defined]
    last = page[-1] if page else None
    next_cursor = f"{last.lane_rank}:{last.queue_score}:{last.pk}" if more and last else ""  # type: ignore[attr-defined]
    return page, next_cursor


def unannounced_counts() -> list[dict[str, Any]]:
    """Per operator, items that arrived without pre-advice: in all, and those whose pre-advice still has not come."""
    rows = (
        Consignment.objects.filter(unannounced=True)
        .values("operator__name")
        .annotate(arrived=Count("id"), waiting=Count("id", filter=Q(late_pre_advice_at__isnull=True)))
        .order_by("-arrived", "operator__name")
    )
    return [{"operator": r["operator__name"], "arrived": r["arrived"], "waiting": r["waiting"]} for r in rows]


def _parse_cursor(after: str) -> tuple[int, Decimal, int] | None:
    """(lane rank, score, id) of a "rank:score:id" cursor; anything else (NaN, a huge number) starts from the top."""
    try:
        rank, score, pk = after.split(":", 2)
        rank_value, score_value, pk_value = int(rank), Decimal(score), int(pk)
    except (ValueError, InvalidOperation):
        return None
    if not 0 <= rank_value <= 2 or not score_value.is_finite() or not 0 <= score_value <= 1:
        return None
    if not 0 < pk_value < 2**63:
        return None
    return rank_value, score_value, pk_value


def item_page(*, pk: int, officer: User) -> dict[str, Any] | None:
    """Everything the item page shows, read in one place; None when there is no such item."""
    consignment = Consignment.objects.select_related("operator", "office").filter(pk=pk).first()
    if consignment is None:
        return None
    claim = Claim.objects.filter(consignment=consignment).select_related("officer").first()
    if claim and claim.claimed_at <= timezone.now() - claim_expiry():
        claim = None
    seizure = consignment.seizure_requests.filter(state="PENDING").select_related("proposed_by").first()
    assessment = assessment_current(consignment=consignment)
    claimed_by_other = claim is not None and claim.officer_id != officer.pk
    account = None
    if consignment.terms_of_delivery == TermsOfDelivery.DDP:
        account = collector_account(code=consignment.prepaid_collector)
    return {
        "collector_account": account,
        "prepaid_held": _prepaid_held(consignment, account, assessment),
        "consignment": consignment,
        "lines": consignment.lines.order_by("position"),
        "permits_declared": consignment.lines.exclude(permit_number="").exists(),
        "risk": RiskAssessment.objects.filter(consignment=consignment).order_by("-consignment_version").first(),
        "assessment": assessment,
        "assessment_stale": assessment is not None and assessment.consignment_version != consignment.version,
        "history": party_history(consignment),
        "diff": versions_diff(consignment),
        "events": consignment.events.all(),
        "decisions": consignment.decisions.order_by("sequence"),
        "audit": audit_trail_for(obj=consignment).order_by("at", "id"),
        "claim": claim,
        "claimed_by_other": claimed_by_other,
        "can_decide": consignment.state == ConsignmentState.HELD and not claimed_by_other and seizure is None,
        "takeovers": consignment.claim_takeovers.select_related("from_officer", "to_officer"),
        "info_requests": information_requests_for(consignment=consignment),
        "referrals": referrals_of(consignment=consignment),
        "agencies": agencies_active(),
        "seizure": seizure,
        "outcomes": consignment.inspection_outcomes.prefetch_related("photos").order_by("-created_at"),
        "cases": consignment.cases.order_by("created_at"),
        "same_item_id": consignments_sharing_item_id(consignment=consignment),
        "seen": decision_stamp(consignment),
    }


def _prepaid_held(consignment: Consignment, account: dict[str, Any] | None, assessment: Assessment | None) -> bool:
    """A held prepaid item whose collector's account cannot take its charges: the officer must choose."""
    if consignment.terms_of_delivery != TermsOfDelivery.DDP or consignment.state != ConsignmentState.HELD:
        return False
    if assessment is None or not assessment.total:
        return False
    if account is None or not account["account"].is_active:
        return True
    return bool(account["account"].currency != assessment.currency or account["room"] < assessment.total)


def claim_takeovers_unseen(*, officer: User) -> QuerySet[ClaimTakeover]:
    """Items taken over from this officer that they have not yet acknowledged."""
    return ClaimTakeover.objects.filter(from_officer=officer, seen_at__isnull=True).select_related(
        "consignment", "to_officer"
    )


def party_history(consignment: Consignment, *, limit: int = 20) -> dict[str, list[Consignment]]:
    """Earlier items of the same sender and of the same addressee, newest first, with outcomes."""
    others = Consignment.objects.exclude(pk=consignment.pk).prefetch_related("inspection_outcomes")
    history: dict[str, list[Consignment]] = {}
    for role, key in (("sender", consignment.sender_key), ("addressee", consignment.addressee_key)):
        if not key:
            history[role] = []
            continue
        history[role] = list(others.filter(**{f"{role}_key": key}).order_by("-pre_advised_at")[:limit])
    return history


def versions_diff(consignment: Consignment) -> list[dict[str, Any]]:
    """What changed from each version of the declaration to the next, field by field.

    A version an officer corrected is compared as corrected: when the operator
    re-sends the declared value, the officer reads their corrected value going
    back to it, marked as theirs.
    """
    versions = list(ConsignmentVersion.objects.filter(consignment=consignment).order_by("number"))
    corrections: dict[int, list[LineCorrection]] = {}
    for correction in LineCorrection.objects.filter(consignment=consignment):
        corrections.setdefault(correction.consignment_version, []).append(correction)
    changes = []
    for before, after in zip(versions, versions[1:], strict=False):
        data, corrected = _as_corrected(before.data, corrections.get(before.number, []))
        fields = []
        for name, old, new in _flat_diff(data, after.data):
            label = f"{name} (officer's correction)" if name in corrected else name
            fields.append({"field": label, "before": old, "after": new})
        changes.append({"from": before.number, "to": after.number, "at": after.received_at, "fields": fields})
    return changes


def _as_corrected(data: dict[str, Any], corrections: list[LineCorrection]) -> tuple[dict[str, Any], set[str]]:
    """A version's data with the officer's corrections of it applied, and the paths they changed."""
    if not corrections:
        return data, set()
    data = copy.deepcopy(data)
    contents = data.get("contents") or []
    corrected = set()
    for correction in corrections:
        index = correction.position - 1
        if not 0 <= index < len(contents) or not isinstance(contents[index], dict):
            continue
        for key, value in (("hsCode", correction.hs_code), ("value", str(correction.value))):
            if contents[index].get(key) != value:
                contents[index][key] = value
                corrected.add(f"contents[{index}].{key}")
    return data, corrected


def decision_stamp(consignment: Consignment) -> str:
    """What an officer's decision form was drawn from: the item's version and its charges' assessment.

    The form carries it back; officer.services refuses the decision if the
    item changed in between (an amendment, a re-assessment), so an officer
    never decides on a version they did not see.
    """
    assessment = assessment_current(consignment=consignment)
    return f"{consignment.version}.{assessment.pk if assessment else 0}"


def _flat_diff(old: Any, new: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from _flat_diff(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else key)
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            yield from _flat_diff(
                old[index] if index < len(old) else None, new[index] if index < len(new) else None, f"{prefix}[{index}]"
            )
    elif old != new:
        yield prefix, old, new


def search(query: str, *, limit: int = 50) -> QuerySet[Consignment]:
    """Items by S10 id, or by a sender's or addressee's name or e-mail."""
    query = query.replace("\x00", "").strip()
    if not query:
        return Consignment.objects.none()
    item_id = query.upper().replace(" ", "")
    if s10.is_valid(item_id):
        return Consignment.objects.filter(item_id=item_id).order_by("-pre_advised_at")[:limit]
    if "@" in query:
        email = query.lower()
        return Consignment.objects.filter(Q(sender_email=email) | Q(addressee_email=email)).order_by("-pre_advised_at")[
            :limit
        ]
    return Consignment.objects.filter(Q(sender_name__icontains=query) | Q(addressee_name__icontains=query)).order_by(
        "-pre_advised_at"
    )[:limit]


def money_approvals_pending() -> QuerySet[MoneyApproval]:
    """Changes of charges waiting for a second officer, oldest first."""
    return (
        MoneyApproval.objects.filter(state=MoneyApprovalState.PENDING)
        .select_related("consignment", "requested_by", "case")
        .order_by("created_at", "id")
    )


def goods_out_of_control_open() -> QuerySet[GoodsOutOfControl]:
    """Goods the operators reported gone while customs held them, newest first, not yet followed up."""
    return (
        GoodsOutOfControl.objects.filter(resolved_at__isnull=True)
        .select_related("consignment", "operator")
        .order_by("-created_at", "-id")[:500]
    )
