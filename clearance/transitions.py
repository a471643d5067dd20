"""The consignment state machine of architecture.md, as data.

Each transition names the states it may start from, the state it leads to, the
audit action it writes and the customs response (decision) it sends to the
operator, if any. clearance.services applies them; nothing else writes
Consignment.state.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearance.choices import AMENDABLE_STATES
from clearance.choices import ConsignmentState as S
from clearance.choices import DecisionCode as D


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    action: str
    decision: str | None = None


def _t(name: str, sources: set[str], target: str, decision: str | None = None, verb: str | None = None) -> Transition:
    return Transition(
        name=name,
        sources=frozenset(sources),
        target=target,
        action=f"clearance.consignment.{verb or name}",
        decision=decision,
    )


ASSESS = _t("assess", {S.PRE_ADVISED}, S.ASSESSED, verb="assessed")
RELEASE = _t("release", {S.ASSESSED, S.HELD}, S.RELEASED, D.RELEASE_NO_CHARGE, verb="released")
REQUIRE_PAYMENT = _t("require_payment", {S.ASSESSED, S.HELD}, S.CHARGES_DUE, D.RELEASE_CHARGES_DUE, verb="charges_due")
MARK_PAID = _t("mark_paid", {S.CHARGES_DUE}, S.PAID, verb="paid")
RELEASE_PAID = _t("release_paid", {S.PAID}, S.RELEASED, D.RELEASED, verb="released")
HOLD = _t("hold", {S.ASSESSED}, S.HELD, D.HOLD_INSPECTION, verb="held")
REQUEST_INFO = _t("request_info", {S.HELD}, S.INFO_REQUESTED, D.REQUEST_INFO, verb="info_requested")
ANSWER_INFO = _t("answer_info", {S.INFO_REQUESTED}, S.HELD, verb="info_answered")
SEIZE = _t("seize", {S.HELD}, S.SEIZED, D.SEIZED, verb="seized")
RETURN_TO_SENDER = _t("return_to_sender", {S.HELD, S.CHARGES_DUE}, S.RETURNED, D.RETURN_TO_SENDER, verb="returned")
REFER = _t("refer", {S.HELD}, S.REFERRED, D.REFER_OTHER_AGENCY, verb="referred")
# An amendment re-enters the flow from the start; PRE_ADVISED is a source too,
# since an item may be amended again before it is scored.
AMEND = _t("amend", set(AMENDABLE_STATES), S.PRE_ADVISED, verb="amended")

ALL = (
    ASSESS,
    RELEASE,
    REQUIRE_PAYMENT,
    MARK_PAID,
    RELEASE_PAID,
    HOLD,
    REQUEST_INFO,
    ANSWER_INFO,
    SEIZE,
    RETURN_TO_SENDER,
    REFER,
    AMEND,
)
