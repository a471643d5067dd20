"""Signing and sending customs responses to an operator's webhook.

A partner's server is outside customs' control, so a delivery is held to a
total deadline (connecting, sending, the answer's headers and body together,
not per read: a server that trickles a byte every few seconds is cut off
too), and may only reach addresses on the public internet. The address is
checked when the URL is registered and again at each delivery, after the
name is resolved, and the connection goes to the address that was checked
(a name that resolves elsewhere the second time cannot slip in). Redirects
are not followed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from clearance.models import Decision
from clearance.tracking import arrival_offices, customs_event

SIGNATURE_HEADER = "X-OpenClear-Signature"
MAX_ANSWER_BYTES = 64 * 1024  # what is kept of a receiver's answer, for the delivery's record


class DeliveryFailed(Exception):
    """The response could not be delivered: refused address, network error or deadline."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def response_payload(decision: Decision, *, office: str | None = None) -> dict[str, Any]:
    """The customs response as the pull feed shows it (one item of `results`), with its tracking event.

    `office`: the office of exchange of the item (clearance.tracking.arrival_offices), read when not given.
    """
    if office is None:
        office = arrival_offices(consignment_ids=[decision.consignment_id])[decision.consignment_id]
    return {
        "sequence": decision.sequence,
        "itemId": decision.consignment.item_id,
        "decision": decision.code,
        "reason": decision.reason,
        "charges": decision.charges,
        "decidedAt": decision.decided_at.isoformat().replace("+00:00", "Z"),
        "event": customs_event(decision_code=decision.code, at=decision.decided_at, office=office),
    }


# --- Where a webhook may go ---------------------------------------------------------------------


def url_refusal(url: str) -> str | None:
    """Why this URL may not receive webhooks, or None when it may.

    A name that does not resolve yet (a partner's DNS not set up) is taken:
    every delivery checks the address again before it connects.
    """
    try:
        _resolved(url)
    except Unresolved:
        return None
    except DeliveryFailed as exc:
        return str(exc)
    return None


class Unresolved(DeliveryFailed):
    """The host name has no address (now)."""


def _resolved(url: str) -> tuple[tuple[str, str, int, str], list[str]]:
    """((scheme, host, port, path), the host's allowed addresses); raises DeliveryFailed naming a refusal."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryFailed("A webhook URL is http:// or https:// followed by a host name.")
    if parts.username or parts.password:
        raise DeliveryFailed("A webhook URL may not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except ValueError as exc:  # a port that is not a number, a malformed address
        raise DeliveryFailed(f"The webhook URL is malformed ({exc}).") from None
    except (OSError, UnicodeError) as exc:
        raise Unresolved(f"{parts.hostname} cannot be resolved ({exc}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if not address_allowed(address):
            raise DeliveryFailed(
                f"{parts.hostname} resolves to {address}: a loopback, private, link-local, multicast or "
                "reserved address, which webhooks may not reach."
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (parts.scheme, parts.hostname, port, path), addresses


def address_allowed(address: str) -> bool:
    """A public unicast address; private ranges only where the settings allow them (development, tests)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    if embedded is not None:  # the IPv4 address it reaches is the one that counts
        ip = embedded
    if ip.is_multicast or ip.is_unspecified:
        return False
    return ip.is_global or settings.OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: mapped (::ffff:a.b.c.d), 6to4 (2002::/16), NAT64
    (64:ff9b::/96, 64:ff9b:1::/48), Teredo's client, or IPv4-compatible (::a.b.c.d)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in network for network in NAT64) or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


# --- Sending ------------------------------------------------------------------------------------------


def post_signed(url: str, secret: str, payload: dict[str, Any]) -> Answer:
    """POST the signed payload within the total deadline; raises DeliveryFailed."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    (scheme, host, port, path), addresses = _resolved(url)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    deadline = settings.OPENCLEAR_WEBHOOK_DEADLINE_SECONDS
    connection = _PinnedConnection(scheme, host, addresses[0], port, deadline)
    watchdog = threading.Timer(deadline, connection.abort)
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        if connection.aborted:
            raise DeliveryFailed(f"No complete answer within {deadline} s.") from None
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
    finally:
        watchdog.cancel()
        connection.close()
    if connection.aborted:
        raise DeliveryFailed(f"No complete answer within {deadline} s.")
    return Answer(status=response.status, body=answer)


class _PinnedConnection:
    """An HTTP(S) connection to the address that was checked, with the host's name for TLS and Host."""

    def __init__(self, scheme: str, host: str, address: str, port: int, timeout: float) -> None:
        self.aborted = False
        self._lock = threading.Lock()
        if scheme == "https":
            self._connection: http.client.HTTPConnection = _PinnedHTTPS(host, port, address, timeout)
        else:
            self._connection = _PinnedHTTP(host, port, address, timeout)

    def request(self, method: str, path: str, *, body: bytes, headers: dict[str, str]) -> None:
        self._connection.request(method, path, body=body, headers=headers)

    def getresponse(self) -> http.client.HTTPResponse:
        return self._connection.getresponse()

    def abort(self) -> None:
        """The deadline passed: shut the socket, so whatever call waits on it returns at once."""
        with self._lock:
            self.aborted = True
            sock = self._connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # closed already
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._connection.close()


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]
