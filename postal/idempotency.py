"""Idempotency-Key for POST requests: a retried request gets the first response.

The key is claimed in its own committed transaction before the work starts, so
a concurrent retry sees it and answers 409 instead of doing the work twice. If
the work fails with an unexpected error the claim is released, so the client
can retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ApplicationError
from postal.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyConflict(ApplicationError):
    code = "idempotency_conflict"
    http_status = 409


def _request_hash(request: Request) -> str:
    # The body stream has been parsed already; its parsed form is canonical enough.
    data = request.data
    if hasattr(data, "getlist"):  # multipart: the form fields and the files' contents
        data = {key: [_part(v) for v in data.getlist(key)] for key in sorted(data)}
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def with_idempotency(request: Request, handler: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(f"{HEADER} is longer than {MAX_KEY_LENGTH} characters.", code="invalid_header")
    operator = request.user.operator
    digest = _request_hash(request)
    record = _claim(operator.pk, key, f"{request.method} {request.path}", digest)
    if record.status_code is not None:
        return _replay(record, digest)
    try:
        response = handler()
    except Exception:
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()
        raise
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=response.data)
    return response


def _claim(operator_id: int, key: str, method_path: str, digest: str) -> IdempotencyRecord:
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                operator_id=operator_id, key=key, method_path=method_path, request_hash=digest
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(operator_id=operator_id, key=key)
        if record.method_path != method_path:
            raise IdempotencyConflict(f"This {HEADER} was used for {record.method_path}.") from None
        if record.status_code is None:
            raise IdempotencyConflict(
                f"A request with this {HEADER} is still being processed; retry in a moment."
            ) from None
        return record


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise IdempotencyConflict(f"This {HEADER} was used with a different request body.")
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _part(value) -> str:
    if hasattr(value, "read"):
        value.seek(0)
        digest = hashlib.sha256(value.read()).hexdigest()
        value.seek(0)
        return f"file:{digest}"
    return str(value)
