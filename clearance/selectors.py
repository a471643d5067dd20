"""Reads of the clearance app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import Consignment, ContentLine, ItemKey

LINES_ATTR = "content_lines"
# prefetch_related(WITH_LINES) loads every item's lines in one query into a plain
# list: reading `consignment.lines.all()` would build a QuerySet per item.
WITH_LINES = Prefetch("lines", queryset=ContentLine.objects.order_by("position"), to_attr=LINES_ATTR)


def content_lines(consignment: Consignment) -> list[ContentLine]:
    """The item's lines: those WITH_LINES loaded, else read now."""
    loaded = getattr(consignment, LINES_ATTR, None)
    return loaded if loaded is not None else list(consignment.lines.order_by("position"))


def consignment_ids_stuck_pre_advised(*, older_than: timedelta, limit: int = 50_000) -> list[int]:
    """Items still waiting for risk scoring this long after their last change."""
    cutoff = timezone.now() - older_than
    return list(
        Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED, state_changed_at__lt=cutoff)
        .order_by("state_changed_at")
        .values_list("id", flat=True)[:limit]
    )


def consignment_ids_by_item(*, operator_id: int, item_ids: Iterable[str]) -> dict[str, int]:
    """The operator's items among these item ids: {item id: consignment id}.

    Read from ItemKey, one index, rather than from every monthly partition of the items.
    """
    return dict(
        ItemKey.objects.filter(operator_id=operator_id, item_id__in=set(item_ids)).values_list(
            "item_id", "consignment_id"
        )
    )
