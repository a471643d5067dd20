"""Findings as codes with parameters, and the one registry that renders them.

A finding is what scoring found on an item: a code ("goods.prohibited_word"),
its parameters ({"rule": ..., "word": "revolver"}), the rule that found it
("weapons-firearms@v1") when a rule did, its weight and the lane it forces.
Findings are stored as such (RiskAssessment.reasons, the audit payloads of
scoring) and rendered when they are read, as Django's LogEntry renders its
stored change message: in the reader's language on the dashboard, in English
for the operator-facing records and exports that keep one wording.

Each code is registered once with its English wording (marked for
translation) and the parameters that are words to translate on their own
(a watchlist party, a rule's description). The built-in indicators' codes are
registered here; each rule kind registers its own beside its matching
(risk/kinds/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

TEXT = "text"  # a sentence stored before findings had codes, shown as it was written


@dataclass(frozen=True)
class Finding:
    """One reason an item was scored as it was."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    rule: str = ""  # "code@vN" of the rule that found it, when a rule did
    weight: float = 0.0  # what it adds to the item's score
    lane: str = ""  # the lane it forces, if any

    def stored(self) -> dict[str, Any]:
        """The finding as JSON: code and parameters, and the rule, weight and lane when it has them."""
        data: dict[str, Any] = {"code": self.code, "params": dict(self.params)}
        if self.rule:
            data["rule"] = self.rule
        if self.weight:
            data["weight"] = self.weight
        if self.lane:
            data["lane"] = self.lane
        return data

    @classmethod
    def of(cls, stored: Any) -> Finding:
        """A finding from its JSON, or from a sentence stored before codes (the text code)."""
        if isinstance(stored, Finding):
            return stored
        if isinstance(stored, dict) and isinstance(stored.get("code"), str):
            params = stored.get("params")
            return cls(
                code=stored["code"],
                params=params if isinstance(params, dict) else {},
                rule=str(stored.get("rule") or ""),
                weight=float(stored.get("weight") or 0.0),
                lane=str(stored.get("lane") or ""),
            )
        return cls(code=TEXT, params={"text": str(stored)})


@dataclass(frozen=True)
class Reason:
    """How a code reads: its wording, its name in filters and counts, the parameters said as words."""

    code: str
    text: str  # English, marked with gettext_noop, with %(param)s placeholders
    label: str  # English, marked with gettext_noop
    words: frozenset[str] = frozenset()  # parameters that are words translated on their own
    prepare: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None  # parameters that need more than a word
    kind: str = ""  # the rule kind whose rules find it; "" for the built-in indicators
    # The highest lane a finding of this code can send an item to on its own, whatever its rule says: a name that
    # only resembles a watchlist entry is for an officer to look at (YELLOW), never a red lane.
    ceiling: str = ""

    def render(self, params: Mapping[str, Any]) -> str:
        values = _Params(
            {
                name: _(value) if name in self.words and isinstance(value, str) and value else value
                for name, value in params.items()
            }
        )
        if self.prepare:
            values.update(self.prepare(params))
        return _(self.text) % values


class _Params(dict[str, Any]):
    """A stored finding that lacks a parameter still reads, with a mark where it would be."""

    def __missing__(self, key: str) -> str:
        return "?"


_REASONS: dict[str, Reason] = {}


def reason_register(
    code: str,
    text: str,
    *,
    label: str,
    words: Iterable[str] = (),
    prepare: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    kind: str = "",
    ceiling: str = "",
) -> Reason:
    """Declare a reason code; a code is declared once, where what finds it lives."""
    reason = Reason(
        code=code, text=text, label=label, words=frozenset(words), prepare=prepare, kind=kind, ceiling=ceiling
    )
    if code in _REASONS and _REASONS[code] != reason:
        raise ValueError(f"Reason code {code!r} is declared twice.")
    _REASONS[code] = reason
    return reason


def reason_unregister(code: str) -> None:
    _REASONS.pop(code, None)


def reason_of(code: str) -> Reason | None:
    return _REASONS.get(code)


def reasons_all() -> list[Reason]:
    return sorted(_REASONS.values(), key=lambda reason: reason.code)


def render(stored: Any) -> str:
    """A finding (or its JSON, or an old sentence) in the active language."""
    finding = Finding.of(stored)
    reason = _REASONS.get(finding.code)
    if reason is None:  # a code no longer declared (a kind removed): its parameters, as stored
        details = ", ".join(f"{name}: {value}" for name, value in finding.params.items())
        return f"{finding.code} ({details})" if details else finding.code
    return reason.render(finding.params)


def render_english(stored: Any) -> str:
    """The one wording of the operator-facing records and exports."""
    with translation.override("en"):
        return render(stored)


def label(code: str) -> str:
    """A code's name in the active language, for filters, counts and indicators."""
    reason = _REASONS.get(code)
    return _(reason.label) if reason else code


def findings_of(source: Any) -> list[Finding]:
    """The findings of a verdict, a risk assessment, an audit payload or a stored list."""
    if isinstance(source, Mapping):
        stored = source.get("findings", source.get("reasons", []))
    elif hasattr(source, "findings"):
        stored = source.findings
    elif hasattr(source, "reasons"):
        stored = source.reasons
    else:
        stored = source
    return [Finding.of(item) for item in stored or []]


def codes_of(source: Any) -> list[str]:
    """The reason codes of a verdict or a risk assessment, in the order found (the back-test reads these)."""
    return [finding.code for finding in findings_of(source)]


# --- The built-in indicators' codes ------------------------------------------------------------------------


VAGUE_DESCRIPTION = reason_register(
    "goods.vague_description",
    gettext_noop("Vague description “%(text)s” does not say what the goods are."),
    label=gettext_noop("Vague description"),
)
UNDERVALUATION = reason_register(
    "value.undervaluation",
    gettext_noop(
        "Possible undervaluation: %(goods)s declared at %(unit)s %(currency)s a unit, %(below)s%% below the "
        "reference of %(reference)s for HS %(hs_code)s."
    ),
    label=gettext_noop("Possible undervaluation"),
)
SPLIT_SHIPMENT = reason_register(
    "shipment.split",
    gettext_noop(
        "Possible split shipment: the addressee has %(count)s items totalling %(total)s %(currency)s in the last "
        "%(days)s day(s), above %(threshold)s, each below it."
    ),
    label=gettext_noop("Possible split shipment"),
)
DROP_ADDRESS = reason_register(
    "network.drop_address",
    gettext_noop("Drop address: %(address)s received parcels for %(count)s names."),
    label=gettext_noop("Drop address"),
)
SHARED_PHONE = reason_register(
    "network.shared_phone",
    gettext_noop("One phone for many names: %(phone)s was given for %(count)s names."),
    label=gettext_noop("One phone for many names"),
)
RECENT_HOLD = reason_register(
    "history.recent_hold",
    gettext_noop(
        "Same %(matched)s as the %(party)s of item %(item)s (%(what)s on %(date)s): parcels go to an officer "
        "until %(until)s."
    ),
    label=gettext_noop("Party of a recent seizure or hold"),
    words=("party", "matched", "what"),
)
WITHDRAWN_WHILE_HELD = reason_register(
    "history.withdrawn_while_held",
    gettext_noop(
        "Item id %(item)s was pre-advised before and withdrawn on %(date)s while customs held it: its new "
        "pre-advice goes to an officer until %(until)s."
    ),
    label=gettext_noop("Pre-advice withdrawn while held, sent again"),
    words=(),
)
RANDOM_SELECTION = reason_register(
    "selection.random",
    gettext_noop("Selected at random for inspection (unbiased control sample)."),
    label=gettext_noop("Selected at random"),
)
SCORING_FAILED = reason_register(
    "scoring.failed",
    gettext_noop("Automatic scoring failed (%(error)s); an officer must check this item."),
    label=gettext_noop("Automatic scoring failed"),
)
TEXT_REASON = reason_register(TEXT, "%(text)s", label=gettext_noop("Other reason (recorded as text)"))
# Wordings of an earlier engine, kept so that items scored then still read in every language.
EARLIER_WORD = reason_register(
    "goods.listed_word",
    gettext_noop("Possible %(kind)s: description mentions “%(word)s”."),
    label=gettext_noop("Listed goods (earlier wording)"),
    words=("kind",),
)
EARLIER_HS = reason_register(
    "goods.listed_hs",
    gettext_noop("Possible %(kind)s: HS code %(hs_code)s is restricted."),
    label=gettext_noop("Restricted HS code (earlier wording)"),
    words=("kind",),
)
# The goods kinds of the earlier wordings.
GOODS_KINDS = (
    gettext_noop("narcotics"),
    gettext_noop("explosives"),
    gettext_noop("weapons"),
    gettext_noop("CITES wildlife"),
    gettext_noop("currency"),
    gettext_noop("counterfeit goods"),
)


# --- The model's score and the features that lifted it ------------------------------------------------------

FEATURE_PREFIXES = {"rate": gettext_noop("risk history of"), "count": gettext_noop("how often we have seen")}
FEATURE_COLUMNS = {
    "hs2": gettext_noop("the HS chapter"),
    "hs4": gettext_noop("the HS heading"),
    "hs6": gettext_noop("the HS subheading"),
}
FEATURE_NAMES = {
    "unit_value_vs_hs_reference": gettext_noop("declared unit value against the HS reference"),
    "unit_value": gettext_noop("declared value"),
    "log_value": gettext_noop("declared value"),
    "log_mass": gettext_noop("declared weight"),
    "num:text_named": gettext_noop("controlled goods named in the description"),
    "num:text_likeness": gettext_noop("description resembling controlled goods"),
}
SIMILAR_GOODS = gettext_noop("declared unit value against similar goods")


def feature_words(name: str) -> str:
    """A model feature in the reader's words: 'rate:addressee' is 'risk history of addressee'."""
    if name in FEATURE_NAMES:
        return _(FEATURE_NAMES[name])
    kind, _sep, column = name.partition(":")
    if kind in {"value_z", "value_n"}:
        return _(SIMILAR_GOODS)
    column = column.lstrip("_").replace("_", " ")
    readable = _(FEATURE_COLUMNS[column]) if column in FEATURE_COLUMNS else column
    prefix = _(FEATURE_PREFIXES[kind]) if kind in FEATURE_PREFIXES else ""
    return f"{prefix} {readable}".strip()


def _model_factors(params: Mapping[str, Any]) -> dict[str, Any]:
    """[[feature, lift], ...] as 'risk history of addressee (+0.31), ...'."""
    factors = [
        f"{feature_words(str(feature))} (+{lift})"
        for feature, lift in (entry for entry in params.get("factors") or [] if len(entry) == 2)
    ]
    return {"factors": ", ".join(factors) or _("no single factor")}


MODEL_SCORE = reason_register(
    "model.score",
    gettext_noop("Model score %(score)s: %(factors)s"),
    label=gettext_noop("Model score"),
    prepare=_model_factors,
)
