"""The reasons an officer reads, in the officer's language.

Scoring stores each reason as English text (the audit trail and the
operator-facing records keep one wording). Each wording the engine writes is
listed here once as a translatable pattern; a stored reason is read back
against the patterns and shown in the reader's language, its parts (goods
kinds, watchlist parties, model factors) translated too. A reason that matches
no pattern (a rule's own description, say) is shown as it was written.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The wordings of risk/indicators.py, risk/history.py, risk/rules.py and risk/engine.py.
PATTERNS = (
    gettext_noop("Possible %(kind)s: description mentions “%(word)s”."),
    gettext_noop("Possible %(kind)s: HS code %(hs_code)s is restricted."),
    gettext_noop("Vague description “%(text)s” does not say what the goods are."),
    gettext_noop(
        "Possible undervaluation: %(goods)s declared at %(unit)s %(currency)s a unit, %(below)s%% below the "
        "reference of %(reference)s for HS %(hs_code)s."
    ),
    gettext_noop(
        "Possible split shipment: the addressee has %(count)s items totalling %(total)s %(currency)s in the last "
        "%(days)s day(s), above %(threshold)s, each below it."
    ),
    gettext_noop("Model score %(score)s: %(factors)s"),
    gettext_noop("Drop address: %(address)s received parcels for %(count)s names."),
    gettext_noop("One phone for many names: %(phone)s was given for %(count)s names."),
    gettext_noop("Selected at random for inspection (unbiased control sample)."),
    gettext_noop("%(rule)s (description mentions “%(word)s”, declared under HS %(hs_code)s, not %(chapters)s)"),
    gettext_noop("%(rule)s (description mentions “%(word)s”)"),
    gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, %(similarity)s%%)"),
    gettext_noop("%(rule)s (HS %(hs_code)s)"),
    gettext_noop("%(rule)s (%(party)s %(field)s on the watchlist)"),
    gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, same consonants)"),
)
# Words inside reasons that are translated on their own.
VOCABULARY = (
    gettext_noop("narcotics"),
    gettext_noop("explosives"),
    gettext_noop("weapons"),
    gettext_noop("CITES wildlife"),
    gettext_noop("currency"),
    gettext_noop("counterfeit goods"),
    gettext_noop("sender"),
    gettext_noop("addressee"),
    gettext_noop("name"),
    gettext_noop("e-mail"),
    gettext_noop("phone"),
    gettext_noop("no single factor"),
    gettext_noop("risk history of"),
    gettext_noop("how often we have seen"),
    gettext_noop("the HS chapter"),
    gettext_noop("the HS heading"),
    gettext_noop("the HS subheading"),
    gettext_noop("declared unit value against the HS reference"),
    gettext_noop("declared value"),
)
TRANSLATED_PARTS = frozenset({"kind", "party", "field", "rule"})


@cache
def _compiled() -> list[tuple[str, re.Pattern]]:
    compiled = []
    for pattern in PATTERNS:
        regex = ""
        for piece in re.split(r"(%\(\w+\)s|%%)", pattern):
            if piece == "%%":
                regex += "%"
            elif match := re.fullmatch(r"%\((\w+)\)s", piece):
                regex += f"(?P<{match.group(1)}>.+?)"
            else:
                regex += re.escape(piece)
        compiled.append((pattern, re.compile(f"^{regex}$", re.DOTALL)))
    return compiled


def reason_shown(reason: str) -> str:
    """A stored reason in the active language."""
    for pattern, regex in _compiled():
        if match := regex.match(reason):
            parts = {name: _part(name, value) for name, value in match.groupdict().items()}
            return _(pattern) % parts
    return reason


def _part(name: str, value: str) -> str:
    if name in TRANSLATED_PARTS:
        return _(value)
    if name == "factors":
        return ", ".join(_factor(factor) for factor in value.split(", "))
    return value


def _factor(factor: str) -> str:
    """'risk history of the addressee (+0.31)': the known words translated, the column name and weight kept."""
    if factor == "no single factor":
        return _(factor)
    for phrase in sorted(VOCABULARY, key=len, reverse=True):
        if factor.startswith(phrase):
            return _(phrase) + factor[len(phrase) :]
    return factor
