"""Access rules of the officer dashboard: signed in, then the right role, else 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _role_required(check, message):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return login_required(wrapped, login_url="officer:login")

    return decorator


officer_required = _role_required(lambda user: user.is_officer, "The dashboard is for customs officers.")
supervisor_required = _role_required(lambda user: user.is_supervisor, "This needs a supervisor.")
