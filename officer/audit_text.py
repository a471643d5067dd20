"""The reasons of the audit trail, in the officer's language.

The trail is written once, in English, and never changed: it is the record.
What the code writes there is either a fixed sentence or a sentence with a
code, a reference or an amount in it; both are read here into the reader's
language, amounts written as that language writes them. A reason an officer
or a payer typed is shown as they typed it (after a known prefix such as
"Charges corrected:", which is translated).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from clearance.choices import ConsignmentState
from postal.unannounced import HOLD_REASON as UNANNOUNCED_HOLD_REASON
from postal.withdrawals import REASON_SENTENCES as WITHDRAWAL_SENTENCES

# Sentences the code writes as they are (their English is the catalogue's message id).
FIXED = frozenset(
    {
        gettext_noop("Released on arrival: nothing to pay (WCO Immediate Release Guidelines)."),
        gettext_noop("Duty and taxes to be paid before delivery."),
        gettext_noop("Released after a customs check."),
        gettext_noop("Checked by customs; duty and taxes to be paid before delivery."),
        gettext_noop("Charges not paid within the storage period."),
        gettext_noop("Charges assessed at the officer's release."),
        gettext_noop("Released in bulk after review."),
        gettext_noop("Returned to sender by customs."),
        gettext_noop("Amended while in front of an officer: scored for information, the lane in force is kept."),
        gettext_noop("Documents without commercial value (WCO IRG category 1)."),
        gettext_noop("Selected for an officer's check."),
        gettext_noop("Part of a split shipment found after it was cleared: held until an officer decides."),
        gettext_noop("An officer has had this item in hand: it goes back to them."),
        gettext_noop("Additional duty found at inspection."),
        gettext_noop("Goods returned to the sender: duty and VAT refunded."),
        gettext_noop("Duty found at inspection is in another currency than the regime's."),
        gettext_noop("The amounts are too large to assess: check the declared values."),
        gettext_noop("Refunded by an administrator"),
    }
) | frozenset({UNANNOUNCED_HOLD_REASON, *WITHDRAWAL_SENTENCES.values()})


def _amount(value: str) -> str:
    try:
        return number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    except InvalidOperation:
        return value


# (pattern of the English, its sentence in the catalogue, how each part is shown): amounts in the reader's way,
# "rest" (what a person typed, or another reason) read again, anything else as it is.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Duty and taxes prepaid \(DDP\): charged to the account of (?P<code>.+)\."),
        gettext_noop("Duty and taxes prepaid (DDP): charged to the account of %(code)s."),
    ),
    (
        re.compile(r"Charges collected at delivery by (?P<operator>\S+), reference (?P<reference>.+)\."),
        gettext_noop("Charges collected at delivery by %(operator)s, reference %(reference)s."),
    ),
    (
        re.compile(r"Charges corrected to nothing: (?P<rest>.*)", re.S),
        gettext_noop("Charges corrected to nothing: %(rest)s"),
    ),
    (re.compile(r"Charges corrected: (?P<rest>.*)", re.S), gettext_noop("Charges corrected: %(rest)s")),
    (re.compile(r"Case (?P<number>\d+) upheld: (?P<rest>.*)", re.S), gettext_noop("Case %(number)s upheld: %(rest)s")),
    (
        re.compile(
            r"Prepaid \(DDP\) by (?P<code>.+?), whose account cannot be charged: the addressee pays\. (?P<rest>.*)",
            re.S,
        ),
        gettext_noop("Prepaid (DDP) by %(code)s, whose account cannot be charged: the addressee pays. %(rest)s"),
    ),
    (
        re.compile(
            r"Prepaid \(DDP\) by '(?P<code>.*)', which has no active account with customs: an officer decides\."
        ),
        gettext_noop("Prepaid (DDP) by '%(code)s', which has no active account with customs: an officer decides."),
    ),
    (
        re.compile(
            r"The account of (?P<code>\S+) is kept in (?P<kept>[A-Z]{3}); the charges are in (?P<due>[A-Z]{3})\."
        ),
        gettext_noop("The account of %(code)s is kept in %(kept)s; the charges are in %(due)s."),
    ),
    (
        re.compile(
            r"Charging (?P<amount>[0-9.]+) (?P<currency>[A-Z]{3}) would take the account of (?P<code>\S+) over its "
            r"limit of (?P<limit>[0-9.]+) (?P<limit_currency>[A-Z]{3}): an officer decides\."
        ),
        gettext_noop(
            "Charging %(amount)s %(currency)s would take the account of %(code)s over its limit of "
            "%(limit)s %(limit_currency)s: an officer decides."
        ),
    ),
    (
        re.compile(
            r"Intrinsic value (?P<value>[0-9.]+) (?P<currency>[A-Z]{3}) is above the low-value ceiling of "
            r"(?P<ceiling>[0-9.]+): a full declaration is needed\."
        ),
        gettext_noop(
            "Intrinsic value %(value)s %(currency)s is above the low-value ceiling of %(ceiling)s: "
            "a full declaration is needed."
        ),
    ),
    (re.compile(r"Item was (?P<state>[a-z_]+) when paid\."), gettext_noop("The item was %(state)s when paid.")),
]
AMOUNTS = frozenset({"amount", "limit", "value", "ceiling"})


def audit_reason(reason: str, *, depth: int = 0) -> str:
    """A reason of the audit trail in the active language (unknown text, typed by a person, as it is)."""
    text = reason.strip()
    if not text or depth > 2:
        return reason
    if text in FIXED:
        return gettext(text)
    for pattern, sentence in PATTERNS:
        if match := pattern.fullmatch(text):
            return gettext(sentence) % _parts(match, depth)
    return reason


def _parts(match: re.Match[str], depth: int) -> dict[str, str]:
    shown: dict[str, Callable[[str], str]] = {
        "rest": lambda value: audit_reason(value, depth=depth + 1),
        "state": lambda value: str(dict(ConsignmentState.choices).get(value.upper(), value)).lower(),
        **dict.fromkeys(AMOUNTS, _amount),
    }
    return {name: shown.get(name, str)(value) for name, value in match.groupdict().items()}
