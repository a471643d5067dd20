"""UPU S10 item identifiers: 2 letters, 8 digits, a check digit, ISO country code."""

from __future__ import annotations

import re

# ASCII digits only: \d would also take Arabic-Indic or other scripts' digits, which int() reads.
S10_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$")
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial number."""
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def is_valid(item_id: str) -> bool:
    if not S10_PATTERN.match(item_id):
        return False
    return check_digit(item_id[2:10]) == int(item_id[10])


def make(service: str, serial: int, country: str) -> str:
    """Build a valid S10 id, e.g. make("RB", 12345678, "GB") == "RB123456785GB"."""
    digits = f"{serial:08d}"
    return f"{service}{digits}{check_digit(digits)}{country}"
