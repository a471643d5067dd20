"""A strict JSON parser for the postal API.

Python's json module accepts NaN and Infinity, keeps the last of duplicate
keys and turns decimals into floats. None of that is acceptable for customs
data: amounts must stay exact, and an ambiguous body must be refused, not
guessed at.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class StrictJSONError(ValueError):
    pass


def _refuse_constant(name: str):
    raise StrictJSONError(f"{name} is not a number JSON allows")


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):  # a key came twice: name the first one repeated
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJSONError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def loads_strict(text: str | bytes) -> object:
    return json.loads(
        text,
        parse_float=Decimal,
        parse_constant=_refuse_constant,
        object_pairs_hook=_no_duplicate_keys,
    )


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.OPENCLEAR_API_MAX_BODY_BYTES
        # Read at most one byte past the limit: a chunked body has no length to check first.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return loads_strict(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8.") from None
        except RecursionError:
            raise ParseError("The body is nested too deeply.") from None
        except (StrictJSONError, ValueError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
