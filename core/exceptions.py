"""Errors that services raise for broken business rules.

The API maps them once (core.api.exception_handler) to the error body of
api.md; the dashboard shows their message. They are expected outcomes, so
Celery tasks list them in `throws` and do not retry them.
"""

from __future__ import annotations


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400

    def __init__(self, message: str, *, details: list | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        if code:
            self.code = code


class InvalidTransition(ApplicationError):
    """The object is not in a state that allows the requested change."""

    code = "invalid_state"
    http_status = 409


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403
