from rest_framework.throttling import SimpleRateThrottle


class OperatorRateThrottle(SimpleRateThrottle):
    """Requests per operator (all its keys together), rate from settings."""

    scope = "operator"

    def get_cache_key(self, request, view) -> str | None:
        operator = getattr(request.user, "operator", None)
        if operator is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": operator.pk}
