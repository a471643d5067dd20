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
    count, _ = hit(scope, key, window_seconds=window_seconds)
    return count <= limit


def attempts(scope: str, key: str, *, window_seconds: int) -> int:
    """How many attempts the current window has counted, without counting one."""
    window = int(time.time() // window_seconds)
    return int(cache.get(f"ratelimit:{scope}:{key}:{window}") or 0)


def hit(scope: str, key: str, *, window_seconds: int) -> tuple[int, float]:
    """Count one attempt in the current fixed window: (attempts so far, seconds until the window ends).

    ADD and INCR are single commands on Redis, so concurrent attempts each get
    their own count: none slips through between a read and a write.
    """
    now = time.time()
    window = int(now // window_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    left = (window + 1) * window_seconds - now
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        return 1, left
    try:
        return cache.incr(cache_key), left
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        return 1, left


def forgive(scope: str, key: str, *, window_seconds: int = 60) -> None:
    """Take back one attempt of the current window: it turned out to be one the limit is not for (a good login)."""
    cache_key = f"ratelimit:{scope}:{key}:{int(time.time() // window_seconds)}"
    try:
        if cache.decr(cache_key) < 0:
            cache.set(cache_key, 0, timeout=window_seconds + 1)
    except ValueError:  # the window ended meanwhile: nothing of it to take back
        pass
