"""The consignment state machine of architecture.md, as data.

Each transition names the states it may start from, the state it leads to, the
audit action it writes, the customs response (decision) it sends to the
operator, if any, and the holds that block it. clearance.services applies
them; nothing else writes Consignment.state.

Holds keep an item under customs control whatever the state machine allows:

- seizure: a proposed seizure waits for a supervisor. Blocks everyone. Lifted
  when a supervisor other than the proposer confirms or rejects it, or when
  the proposer withdraws it.
- claim: an officer works the item (a claim younger than
  OPENCLEAR_CLAIM_MINUTES). Blocks every other officer and supervisor.
  Lifted by the claimant's decision, a take-over with a reason (the first
  officer is told), or expiry.
- officer: the item is or has been in front of an officer (held, information
  asked, claimed, seizure proposed, inspected, released by an officer with
  charges due). Blocks the operator and the system (scoring, sweeps). Lifted
  only by an officer's decision.
- delivered: the operator reported the item delivered or gone from the office
  of exchange (EMSEVT EMI or EMF). Blocks everyone: the goods are not there.
- presented: the goods were presented to customs (EMSEVT EDB). Blocks only the
  operator's withdrawal of its pre-advice: goods in customs' hands are
  declared, whatever the operator thinks of its order.

Which decision each hold blocks:

| transition          | seizure | claim | officer | delivered | presented |
|---------------------|---------|-------|---------|-----------|-----------|
| release             | yes     | yes   | yes     |           |           |
| require_payment     | yes     | yes   | yes     |           |           |
| release_nothing_due | yes     | yes   |         |           |           |
| request_info        | yes     | yes   |         |           |           |
| answer_info         |         | yes   |         |           |           |
| info_lapsed         |         |       |         |           |           |
| seize               |         |       |         |           |           |
| return_to_sender    | yes     | yes   |         | yes       |           |
| return_unpaid       | yes     |       | yes     | yes       |           |
| refer               | yes     | yes   |         |           |           |
| referral_answered   |         |       |         |           |           |
| amend               | yes     |       | yes     |           |           |
| recall              | yes     |       |         | yes       |           |
| withdraw            | yes     |       |         | yes       | yes       |
| hold_unannounced    |         |       |         |           |           |

A seizure is confirmed by a supervisor other than its proposer, who may hold
the claim: the confirmation is the second pair of eyes, so no hold blocks it.
An amendment of an item under an officer hold takes amend_held or
amend_to_hold instead: the item stays in front of the officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clearance.choices import AMENDABLE_STATES
from clearance.choices import ConsignmentState as S
from clearance.choices import DecisionCode as D


class Hold(StrEnum):
    SEIZURE = "seizure"
    CLAIM = "claim"
    OFFICER = "officer"
    DELIVERED = "delivered"
    PRESENTED = "presented"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    action: str
    decision: str | None = None
    blocked_by: frozenset[Hold] = frozenset()


def _t(
    name: str,
    sources: set[str],
    target: str,
    decision: str | None = None,
    verb: str | None = None,
    blocked_by: set[Hold] | None = None,
) -> Transition:
    return Transition(
        name=name,
        sources=frozenset(sources),
        target=target,
        action=f"clearance.consignment.{verb or name}",
        decision=decision,
        blocked_by=frozenset(blocked_by or ()),
    )


H = Hold
ASSESS = _t("assess", {S.PRE_ADVISED}, S.ASSESSED, verb="assessed")
RELEASE = _t(
    "release", {S.ASSESSED, S.HELD}, S.RELEASED, D.RELEASE_NO_CHARGE, "released", {H.SEIZURE, H.CLAIM, H.OFFICER}
)
REQUIRE_PAYMENT = _t(
    "require_payment",
    {S.ASSESSED, S.HELD},
    S.CHARGES_DUE,
    D.RELEASE_CHARGES_DUE,
    "charges_due",
    {H.SEIZURE, H.CLAIM, H.OFFICER},
)
# A correction brought the charges of an item awaiting payment to nothing: it is released,
# and the operator's earlier "collect before delivery" is superseded.
RELEASE_NOTHING_DUE = _t(
    "release_nothing_due", {S.CHARGES_DUE}, S.RELEASED, D.RELEASE_NO_CHARGE, "released", {H.SEIZURE, H.CLAIM}
)
MARK_PAID = _t("mark_paid", {S.CHARGES_DUE}, S.PAID, verb="paid")
RELEASE_PAID = _t("release_paid", {S.PAID}, S.RELEASED, D.RELEASED, verb="released")
HOLD = _t("hold", {S.ASSESSED}, S.HELD, D.HOLD_INSPECTION, verb="held")
REQUEST_INFO = _t("request_info", {S.HELD}, S.INFO_REQUESTED, D.REQUEST_INFO, "info_requested", {H.SEIZURE, H.CLAIM})
ANSWER_INFO = _t("answer_info", {S.INFO_REQUESTED}, S.HELD, verb="info_answered", blocked_by={H.CLAIM})
# The deadline of a request passed without an answer: the item is back in front of an officer,
# where the outcome the officer set when asking (return, or release with a note) is applied.
INFO_LAPSED = _t("info_lapsed", {S.INFO_REQUESTED}, S.HELD, verb="info_lapsed")
SEIZE = _t("seize", {S.HELD}, S.SEIZED, D.SEIZED, verb="seized")
RETURN_TO_SENDER = _t(
    "return_to_sender",
    {S.HELD, S.CHARGES_DUE},
    S.RETURNED,
    D.RETURN_TO_SENDER,
    "returned",
    {H.SEIZURE, H.CLAIM, H.DELIVERED},
)
# The storage period ran out with the charges unpaid: only an item still awaiting
# payment goes back (never one an amendment has put in front of an officer).
RETURN_UNPAID = _t(
    "return_unpaid", {S.CHARGES_DUE}, S.RETURNED, D.RETURN_TO_SENDER, "returned", {H.SEIZURE, H.OFFICER, H.DELIVERED}
)
REFER = _t("refer", {S.HELD}, S.REFERRED, D.REFER_OTHER_AGENCY, verb="referred", blocked_by={H.SEIZURE, H.CLAIM})
# The agency decided (release, with conditions, refusal, inspection): the item is back in customs' queue,
# where an officer takes customs' own decision on it.
REFERRAL_ANSWERED = _t("referral_answered", {S.REFERRED}, S.HELD, verb="referral_answered")
# An amendment re-enters the flow from the start; PRE_ADVISED is a source too,
# since an item may be amended again before it is scored.
AMEND = _t(
    "amend",
    set(AMENDABLE_STATES - {S.HELD, S.INFO_REQUESTED}),
    S.PRE_ADVISED,
    verb="amended",
    blocked_by={H.SEIZURE, H.OFFICER},
)
# An amendment of an item in front of an officer: it stays there (an answer to a
# question puts it back in the queue), re-scored for information only.
AMEND_HELD = _t("amend_held", {S.HELD, S.INFO_REQUESTED}, S.HELD, verb="amended")
# The same for an item under an officer hold that had left the queue (charges
# due after an inspection, say): back in front of the officer, and the
# operator's earlier response is superseded by a hold.
AMEND_TO_HOLD = _t(
    "amend_to_hold", {S.PRE_ADVISED, S.ASSESSED, S.CHARGES_DUE}, S.HELD, D.HOLD_INSPECTION, verb="amended"
)

# A parcel cleared before arrival turned out to be part of a split shipment: until it
# is presented (the scoring service checks presented_at) it is held again, and the
# operator's earlier release is superseded by a hold.
RECALL = _t("recall", {S.RELEASED, S.CHARGES_DUE}, S.HELD, D.HOLD_INSPECTION, "recalled", {H.SEIZURE, H.DELIVERED})

# The operator withdraws its pre-advice (order cancelled, parcel re-labelled) before the
# goods are presented: the item leaves the queue, the operator gets a WITHDRAWN response,
# and its S10 id is free for a new pre-advice (postal.withdrawals). A payment made or a
# decision taken is final: PAID and the final states are no sources.
WITHDRAW = _t(
    "withdraw",
    {S.PRE_ADVISED, S.ASSESSED, S.HELD, S.INFO_REQUESTED, S.CHARGES_DUE},
    S.WITHDRAWN,
    D.WITHDRAWN,
    "withdrawn",
    {H.SEIZURE, H.DELIVERED, H.PRESENTED},
)

# An item arrived (EMD) with no pre-advice: recorded without data, it goes straight to an officer,
# and the operator gets a hold (postal.unannounced). Its pre-advice, when it comes, is an
# amendment of a held item: scored, never released without an officer.
HOLD_UNANNOUNCED = _t("hold_unannounced", {S.PRE_ADVISED}, S.HELD, D.HOLD_INSPECTION, verb="held")

ALL = (
    ASSESS,
    RELEASE,
    REQUIRE_PAYMENT,
    RELEASE_NOTHING_DUE,
    MARK_PAID,
    RELEASE_PAID,
    HOLD,
    REQUEST_INFO,
    ANSWER_INFO,
    INFO_LAPSED,
    SEIZE,
    RETURN_TO_SENDER,
    RETURN_UNPAID,
    REFER,
    REFERRAL_ANSWERED,
    AMEND,
    AMEND_HELD,
    AMEND_TO_HOLD,
    RECALL,
    WITHDRAW,
    HOLD_UNANNOUNCED,
)
