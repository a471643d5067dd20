"""Role checks for services: a broken rule of who may do what raises PermissionDenied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from core.models import User


def require_supervisor(user: User, action: str) -> None:
    """Refuse `action` ("promote models") to anyone but a supervisor."""
    if not user.is_supervisor:
        raise PermissionDenied(f"Only a supervisor may {action}.")
