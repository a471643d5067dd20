"""Idempotency-Key for POST requests: a retried request gets the first response.

The work and the stored response commit in one transaction, so a request
either happened whole (and its retry gets the same answer) or not at all (and
its retry does the work). While it runs, a transaction-scoped advisory lock on
the key makes a concurrent retry answer 409; PostgreSQL drops the lock when the
transaction ends, however it ends: a killed web worker or a restarted database
never leaves a key stuck.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import connection, transaction
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
    operator_id = request.user.operator.pk
    method_path = f"{request.method} {request.path}"
    digest = _request_hash(request)
    if record := _completed(operator_id, key):
        return _replay(record, method_path, digest)
    with transaction.atomic():
        if not _lock(operator_id, key):
            raise IdempotencyConflict(f"A request with this {HEADER} is still being processed; retry in a moment.")
        if record := _completed(operator_id, key):  # finished while this request waited
            return _replay(record, method_path, digest)
        response = handler()
        IdempotencyRecord.objects.create(
            operator_id=operator_id,
            key=key,
            method_path=method_path,
            request_hash=digest,
            status_code=response.status_code,
            response_body=response.data,
        )
    return response


def _completed(operator_id: int, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(operator_id=operator_id, key=key).first()


def _lock(operator_id: int, key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [operator_id, key])
        return cursor.fetchone()[0]


def _replay(record: IdempotencyRecord, method_path: str, digest: str) -> Response:
    if record.method_path != method_path:
        raise IdempotencyConflict(f"This {HEADER} was used for {record.method_path}.")
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
