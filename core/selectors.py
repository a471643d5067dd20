"""Reads shared by every app."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from core.models import AuditEntry


def audit_trail_for(*, obj: models.Model) -> QuerySet[AuditEntry]:
    """Every audit entry about one object, oldest first."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return AuditEntry.objects.filter(target_type=content_type, target_id=obj.pk).select_related("actor_user")
