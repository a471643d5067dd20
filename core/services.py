"""Writes shared by every app: the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.actors import Actor
from core.db import copy_rows
from core.models import AuditEntry


def audit_entries_create(
    *,
    model: type[models.Model],
    target_ids: Iterable[int],
    action: str,
    actor: Actor,
    reason: str = "",
    payloads: dict[int, dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one audit entry per target, in one COPY.

    Batch transitions (thousands of items scored at once) call this once per
    batch rather than once per item; single actions pass one id.
    """
    content_type = ContentType.objects.get_for_model(model)
    at = at or timezone.now()
    payloads = payloads or {}
    copy_rows(
        AuditEntry,
        [
            {
                "at": at,
                "action": action,
                "actor_kind": actor.kind,
                "actor_user_id": actor.user.pk if actor.user else None,
                "actor_label": actor.label,
                "target_type_id": content_type.pk,
                "target_id": target_id,
                "reason": reason,
                "payload": payloads.get(target_id, {}),
            }
            for target_id in target_ids
        ],
    )
