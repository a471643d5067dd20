"""A fixed-window rate limit on the shared cache (Redis), for forms people could abuse."""

from __future__ import annotations

import time

from django.core.cache import cache


def client_address(request) -> str:
    # The peer address: X-Forwarded-For is not trusted, since a client could
    # set it to dodge the limit. Behind a proxy, limits apply per proxy
    # address unless the proxy rewrites REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        return True
    return count <= limit
