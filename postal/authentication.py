from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from clearance.models import PostalOperator
from postal.models import ApiKey, hash_api_key

KEYWORD = "Api-Key"
# last_used_at is informative; writing it on every request would cost a row
# update per call, so it is refreshed at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class OperatorPrincipal:
    """The authenticated caller of the postal API: one operator, through one key."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, operator: PostalOperator, api_key: ApiKey) -> None:
        self.operator = operator
        self.api_key = api_key

    @property
    def pk(self) -> int:
        return self.operator.pk

    def __str__(self) -> str:
        return f"operator:{self.operator.code}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword != KEYWORD or not raw_key.strip():
            raise exceptions.AuthenticationFailed("Use the header `Authorization: Api-Key <key>`.")
        api_key = (
            ApiKey.objects.select_related("operator")
            .filter(key_hash=hash_api_key(raw_key.strip()), revoked_at__isnull=True, operator__is_active=True)
            .first()
        )
        if api_key is None:
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        self._touch(api_key)
        return OperatorPrincipal(api_key.operator, api_key), api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD

    @staticmethod
    def _touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
