"""Signing and sending customs responses to an operator's webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

import requests

from clearance.models import Decision

SIGNATURE_HEADER = "X-OpenClear-Signature"
TIMEOUT_SECONDS = 10


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def response_payload(decision: Decision) -> dict:
    """The customs response as the pull feed shows it (one item of `results`)."""
    return {
        "sequence": decision.sequence,
        "itemId": decision.consignment.item_id,
        "decision": decision.code,
        "reason": decision.reason,
        "charges": decision.charges,
        "decidedAt": decision.decided_at.isoformat().replace("+00:00", "Z"),
    }


def post_signed(url: str, secret: str, payload: dict) -> requests.Response:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
