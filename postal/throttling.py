"""The API's request limit per operator, counted atomically in Redis."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core.ratelimit import hit

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "1200/min" -> (1200, 60): requests and the window's length in seconds."""
    number, period = rate.split("/")
    return int(number), DURATIONS[period[0]]


class OperatorRateThrottle(BaseThrottle):
    """Requests per operator (all its keys together), at the rate of the settings.

    A fixed window counted with Redis's INCR: under a burst of concurrent
    requests each is counted, so exactly the allowed number get through
    (a read-then-write history would let a crowd slip in between).
    """

    scope = "operator"

    def __init__(self) -> None:
        self.seconds_left = 0.0

    def allow_request(self, request: Any, view: Any) -> bool:
        operator = getattr(request.user, "operator", None)
        if operator is None:
            return True
        limit, window = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[self.scope])
        count, self.seconds_left = hit(f"api-{self.scope}", str(operator.pk), window_seconds=window)
        return count <= limit

    def wait(self) -> float:
        return max(self.seconds_left, 1.0)
