"""Who performs an action: a user, a postal operator or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.choices import ActorKind

if TYPE_CHECKING:
    from core.models import User


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str
    user: User | None = None

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(kind=ActorKind.USER, label=user.get_username(), user=user)

    @classmethod
    def for_operator(cls, operator_code: str) -> Actor:
        return cls(kind=ActorKind.OPERATOR, label=f"operator:{operator_code}")

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=f"system:{component}")
