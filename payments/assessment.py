"""Writes: the duty and tax assessment of items, and the routing that follows it.

`consignments_assess_charges` assesses a batch of items (the risk task calls it
after scoring) and stores one Assessment each, with the rates it used. Then
`consignments_route` releases what owes nothing, asks for payment where
charges are due and holds what needs a full declaration: for green items
after scoring and for an officer's release alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from clearance import services as clearance_services
from clearance import transitions
from clearance.models import Consignment, ContentLine, LineCorrection
from clearance.selectors import WITH_LINES, content_lines
from clearance.services import TransitionResult
from clearance.transitions import Hold, Transition
from core.actors import Actor
from core.db import copy_objects
from core.exceptions import ApplicationError
from core.models import User
from core.normalize import whole_number
from core.reference import hs_subheadings
from core.services import audit_entries_create
from law.models import Regime
from law.selectors import IossCheck, IossRegister, TariffUnavailable, regimes_by_country, tariff_for
from law.tariff import Tariff
from payments import enqueue
from payments.calculator import Adjustment, Breakdown, ItemInput, LineInput, assess_item
from payments.collection import PrepaidPlan, prepaid_charges_record, prepaid_plan
from payments.models import Assessment, AssessmentFee, AssessmentLine, ChargeAdjustment

ASSESSMENT_ACTOR = Actor.system("payments.assessment")
_FOUR = Decimal("0.0001")


def item_input(
    consignment: Consignment, adjustments: tuple[Adjustment, ...] = (), ioss: IossCheck | None = None
) -> ItemInput:
    return ItemInput(
        category=consignment.category,
        currency=consignment.currency,
        addressee_country=consignment.addressee_country,
        postal_charges=consignment.postal_charges,
        insurance=consignment.insurance,
        ioss_number=consignment.ioss_number,
        lines=tuple(
            LineInput(
                position=line.position,
                description=line.description,
                value=line.value,
                hs_code=line.hs_code,
                origin_country=line.origin_country,
                net_mass_kg=line.net_weight_kg,
                quantity=line.quantity,
            )
            for line in content_lines(consignment)
        ),
        adjustments=adjustments,
        ioss_finding=ioss.message if ioss and ioss.finding else "",
    )


def adjustments_for(consignment_ids: list[int]) -> dict[int, list[ChargeAdjustment]]:
    """The duty found at inspection of each item, in the order it was found."""
    found: dict[int, list[ChargeAdjustment]] = defaultdict(list)
    for adjustment in ChargeAdjustment.objects.filter(consignment_id__in=consignment_ids).order_by("created_at", "id"):
        found[adjustment.consignment_id].append(adjustment)
    return found


# An unsaved assessment with its lines and fees.
Built = tuple[Assessment, list[AssessmentLine], list[AssessmentFee]]


class TariffBook:
    """The law per (regime, date, currency), loaded once per batch."""

    def __init__(self, ioss_numbers: list[str] | None = None) -> None:
        self.regimes = regimes_by_country()
        self.cache: dict[tuple[int, date, str], tuple[Regime, Tariff | TariffUnavailable]] = {}
        self.ioss = IossRegister(ioss_numbers or [])

    def ioss_check(self, consignment: Consignment, regime: Regime, on: date) -> IossCheck:
        """The register's word on the item's IOSS number (its seller: the sender, or the platform it sold on)."""
        sellers = [consignment.sender_name, consignment.platform]
        return self.ioss.check(regime=regime, number=consignment.ioss_number, on=on, sellers=sellers)

    def lookup(self, consignment: Consignment, on: date) -> tuple[Regime, Tariff]:
        regime = self.regimes.get(consignment.addressee_country)
        if regime is None:
            raise TariffUnavailable(f"No duty regime is configured for {consignment.addressee_country}.")
        key = (regime.pk, on, consignment.currency)
        if key not in self.cache:
            try:
                self.cache[key] = (regime, tariff_for(regime, on, consignment.currency))
            except TariffUnavailable as exc:
                self.cache[key] = (regime, exc)
        regime, tariff = self.cache[key]
        if isinstance(tariff, TariffUnavailable):
            raise tariff
        return regime, tariff


def consignments_assess_charges(
    *,
    consignment_ids: list[int],
    actor: Actor = ASSESSMENT_ACTOR,
    reason: str = "",
    locked: list[Consignment] | None = None,
) -> dict[int, Assessment]:
    """Assess each item with the law of its pre-advice date; returns the new current assessments.

    `locked`: the same items, already loaded WITH_LINES and locked by the
    caller's transaction (the risk task), so they are not read twice.
    """
    with transaction.atomic():
        if locked is None:
            # Locking the items serialises concurrent assessments of one item (a
            # retried task and an officer's correction), so numbers never collide.
            consignments = Consignment.objects.filter(id__in=consignment_ids).prefetch_related(WITH_LINES)
            locked = list(consignments.select_for_update(of=("self",)).order_by("id"))
        book = TariffBook(ioss_numbers=[c.ioss_number for c in locked])
        numbers = dict(
            Assessment.objects.filter(consignment_id__in=[c.pk for c in locked])
            .values_list("consignment_id")
            .annotate(last=Max("number"))
        )
        Assessment.objects.filter(consignment_id__in=[c.pk for c in locked], is_current=True).update(is_current=False)
        found = adjustments_for([c.pk for c in locked])
        built = {c.pk: _build(c, book, numbers.get(c.pk, 0) + 1, actor, reason, found.get(c.pk, [])) for c in locked}
        results = _save(built)
        audit_entries_create(
            model=Consignment,
            target_ids=list(results),
            action="payments.assessment.created",
            actor=actor,
            reason=reason,
            payloads={
                pk: {"number": a.number, "total": str(a.total), "currency": a.currency} for pk, a in results.items()
            },
        )
    return results


def consignment_duty_add(
    *, consignment: Consignment, duty: Decimal, description: str, actor: Actor, reason: str = ""
) -> Assessment:
    """Charge duty found beyond the declaration: a new assessment with an adjustment line.

    The amount is in the currency of the item's current assessment (the
    regime's). Every later assessment of the item keeps it, so a correction
    cannot drop it; the officer's release then asks for the new total.
    """
    if duty <= 0 or not duty.is_finite():
        raise ApplicationError("Additional duty must be an amount above zero.")
    with transaction.atomic():
        current = Assessment.objects.filter(consignment=consignment, is_current=True).first()
        if current is None or current.regime_id is None:
            raise ApplicationError(f"Item {consignment.item_id} has no assessment to add duty to.")
        ChargeAdjustment.objects.create(
            consignment=consignment,
            description=description[:300],
            duty=duty,
            currency=current.currency,
            created_by=actor.label,
        )
        audit_entries_create(
            model=Consignment,
            target_ids=[consignment.pk],
            action="payments.charge.adjusted",
            actor=actor,
            reason=reason,
            payloads={consignment.pk: {"duty": str(duty), "currency": current.currency}},
        )
        assessment = consignments_assess_charges(
            consignment_ids=[consignment.pk], actor=actor, reason=reason or description
        )[consignment.pk]
        if assessment.charges_unknown:  # nothing is kept: the duty found would be lost in a total of 0
            raise ApplicationError(f"The duty cannot be added: {assessment.needs_officer}")
        return assessment


# Amounts are stored with 13 digits, 2 of them decimals (lines with 15, 4 of them decimals).
LARGEST_AMOUNT = Decimal("1e10")


# The largest declared value a line can carry through the assessment (amounts are kept to 13 digits).
LARGEST_LINE_VALUE = Decimal("1e9")


def line_correction_check(*, hs_code: str, value: Decimal) -> str:
    """The corrected HS code (stripped), if it and the value can be a line's; raises otherwise."""
    hs_code = hs_code.strip()
    if hs_code and (whole_number(hs_code) is None or len(hs_code) < 6 or hs_code[:6] not in hs_subheadings()):
        raise ApplicationError(f"{hs_code} is not an HS code of the nomenclature.")
    if not value.is_finite() or value < 0 or value >= LARGEST_LINE_VALUE:
        raise ApplicationError(f"A value is an amount of 0 or more, below {LARGEST_LINE_VALUE:,.0f}.")
    return hs_code


def consignment_line_correct(
    *, consignment: Consignment, officer: User, position: int, hs_code: str, value: Decimal, reason: str
) -> Assessment:
    """Correct one declared line (HS code, value) of a locked item and assess it again; the new assessment.

    The one way a line is corrected, whether by an officer at a check or by
    upholding a payer's case. The correction is kept with the version it
    corrected (the item stays under the officer's hold, and the versions'
    differences show it). Refused, with nothing kept, when the corrected item
    cannot be assessed. An HS code left empty keeps the line's: a corrected
    value alone never takes the line's code away.
    """
    actor = Actor.for_user(officer)
    line = ContentLine.objects.filter(consignment=consignment, position=position).first()
    if line is None:
        raise ApplicationError(f"Item {consignment.item_id} has no line {position}.")
    hs_code = line_correction_check(hs_code=hs_code.strip() or line.hs_code, value=value)
    LineCorrection.objects.create(
        consignment=consignment,
        consignment_version=consignment.version,
        position=position,
        hs_code_before=line.hs_code,
        value_before=line.value,
        hs_code=hs_code,
        value=value,
        reason=reason,
        officer=officer,
    )
    before = {"hsCode": line.hs_code, "value": str(line.value)}
    line.hs_code, line.value = hs_code, value
    line.save(update_fields=["hs_code", "value"])
    consignment.total_value = sum(consignment.lines.values_list("value", flat=True), Decimal("0"))
    consignment.save(update_fields=["total_value", "updated_at"])
    audit_entries_create(
        model=Consignment,
        target_ids=[consignment.pk],
        action="clearance.consignment.corrected",
        actor=actor,
        reason=reason,
        payloads={
            consignment.pk: {"line": position, "before": before, "after": {"hsCode": hs_code, "value": str(value)}}
        },
    )
    assessment = consignments_assess_charges(consignment_ids=[consignment.pk], actor=actor, reason=reason)[
        consignment.pk
    ]
    if assessment.charges_unknown:
        raise ApplicationError(f"The corrected item cannot be assessed: {assessment.needs_officer}")
    return assessment


def consignment_charges_corrected(
    *, consignment: Consignment, assessment: Assessment, actor: Actor, reason: str
) -> None:
    """An item awaiting payment was corrected: the operator must hear of the new amount, or of none.

    The operator collects what its last customs response said; charges
    corrected to nothing release the item.
    """
    if assessment.needs_officer:  # no amount to tell the operator: keep the charges it has
        raise ApplicationError(f"The corrected item cannot be assessed: {assessment.needs_officer}")
    if assessment.total == 0:
        clearance_services.consignment_release_nothing_due(
            consignment=consignment, actor=actor, reason=f"Charges corrected to nothing: {reason}"
        )
        return
    clearance_services.consignment_charges_restate(
        consignment=consignment, actor=actor, charges=assessment.charges(), reason=f"Charges corrected: {reason}"
    )


def _build(
    consignment: Consignment, book: TariffBook, number: int, actor: Actor, reason: str, found: list[ChargeAdjustment]
) -> Built:
    """The unsaved assessment of one item, with its lines and fees (and the duty found at inspection)."""
    on = consignment.pre_advised_at.date()
    assessment = Assessment(
        consignment=consignment,
        number=number,
        consignment_version=consignment.version,
        assessed_on=on,
        created_by=actor.label,
        reason=reason,
    )
    try:
        regime, tariff = book.lookup(consignment, on)
    except TariffUnavailable as exc:
        assessment.needs_officer = str(exc)[:200]
        assessment.details = {"error": str(exc)}
        return assessment, [], []
    if any(adjustment.currency != regime.currency for adjustment in found):
        assessment.needs_officer = "Duty found at inspection is in another currency than the regime's."
        assessment.details = {"error": assessment.needs_officer}
        return assessment, [], []
    adjustments = tuple(Adjustment(description=a.description, duty=a.duty) for a in found)
    ioss = book.ioss_check(consignment, regime, on)
    breakdown = assess_item(item_input(consignment, adjustments, ioss), tariff)
    for name in ("irg_category", "currency", "intrinsic_value", "transport_and_insurance", "customs_value"):
        setattr(assessment, name, getattr(breakdown, name))
    for name in ("duty", "vat", "fees", "total", "ioss_applied"):
        setattr(assessment, name, getattr(breakdown, name))
    assessment.regime = regime
    assessment.fx_currency = consignment.currency
    assessment.fx_rate = tariff.fx.units_per_regime_unit
    assessment.fx_published_on = tariff.fx.published_on
    assessment.needs_officer = breakdown.needs_officer[:200]
    assessment.details = _details(tariff, breakdown)
    if ioss.number:
        assessment.details["ioss"] = {"number": ioss.number, "finding": ioss.finding or "ok", "message": ioss.message}
    if tariff.fx.stale:
        assessment.details["fxStale"] = {"publishedOn": str(tariff.fx.published_on), "message": tariff.fx.stale}
        if settings.OPENCLEAR_STALE_FX_ACTION == "hold":
            assessment.needs_officer = f"{tariff.fx.stale} {assessment.needs_officer}".strip()[:200]
    if max(breakdown.total, breakdown.customs_value) >= LARGEST_AMOUNT:
        assessment.needs_officer = "The amounts are too large to assess: check the declared values."
        assessment.details = {"error": assessment.needs_officer}
        assessment.regime = None
        for name in ("intrinsic_value", "transport_and_insurance", "customs_value", "duty", "vat", "fees", "total"):
            setattr(assessment, name, Decimal("0"))
        return assessment, [], []
    lines = [
        AssessmentLine(
            position=line.position,
            description=line.description,
            hs_code=line.hs_code,
            declared_value=line.declared_value,
            customs_value=line.customs_value.quantize(_FOUR),
            duty_kind=line.duty_kind,
            duty_rate=line.duty_rate,
            duty_rate_text=line.duty_rate_text[:100],
            duty_source=line.duty_source[:300],
            duty=line.duty.quantize(_FOUR),
            vat_rate=line.vat_rate,
            vat_base=line.vat_base.quantize(_FOUR),
            vat=line.vat.quantize(_FOUR),
        )
        for line in breakdown.lines
    ]
    fees = [
        AssessmentFee(name=f.name, basis=f.basis, count=f.count, unit_amount=f.unit_amount, amount=f.amount)
        for f in breakdown.fee_lines
    ]
    return assessment, lines, fees


def _save(built: dict[int, Built]) -> dict[int, Assessment]:
    """Three COPYs for the whole batch, not three INSERTs per item."""
    copy_objects([assessment for assessment, _, _ in built.values()])
    lines: list[AssessmentLine] = []
    fees: list[AssessmentFee] = []
    for assessment, item_lines, item_fees in built.values():
        for line in item_lines:
            line.assessment = assessment
        for fee in item_fees:
            fee.assessment = assessment
        lines += item_lines
        fees += item_fees
    copy_objects(lines)
    copy_objects(fees)
    return {pk: assessment for pk, (assessment, _, _) in built.items()}


def _details(tariff: Tariff, breakdown: Breakdown) -> dict[str, object]:
    return {
        "regime": tariff.regime_code,
        "valuationBasis": tariff.valuation_basis,
        "rounding": {"scope": tariff.rounding_scope, "places": tariff.rounding_places},
        "lowValueCeiling": str(tariff.low_value_ceiling) if tariff.low_value_ceiling is not None else None,
        "dutyThresholds": [
            {"amount": str(t.amount), "basis": t.basis, "category": t.category} for t in tariff.duty_thresholds
        ],
        "vatThresholds": [
            {"amount": str(t.amount), "basis": t.basis, "category": t.category} for t in tariff.vat_thresholds
        ],
        "flatDuty": str(tariff.flat_duty.amount) if tariff.flat_duty else None,
        "notes": breakdown.notes,
    }


# --- Routing after the assessment --------------------------------------------------------------


@dataclass
class Routed:
    """What routing did: one transition result per way out (see consignments_route)."""

    results: dict[Transition, TransitionResult] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {transition.name: len(result.changed) for transition, result in self.results.items()}

    def outcome_of(self, consignment_id: int) -> tuple[Transition, TransitionResult]:
        """The way out an item was routed to, and what that transition did to it."""
        return next((t, r) for t, r in self.results.items() if consignment_id in _touched(r))


def _touched(result: TransitionResult) -> set[int]:
    return {*result.changed, *result.unchanged, *result.refused, *result.blocked, *result.missing}


AUTOMATIC_REASONS = {
    transitions.RELEASE: "Released on arrival: nothing to pay (WCO Immediate Release Guidelines).",
    transitions.REQUIRE_PAYMENT: "Duty and taxes to be paid before delivery.",
}
OFFICER_REASONS = {
    transitions.RELEASE: "Released after a customs check.",
    transitions.REQUIRE_PAYMENT: "Checked by customs; duty and taxes to be paid before delivery.",
}


def consignments_route(
    *,
    assessments: dict[int, Assessment | None],
    actor: Actor = ASSESSMENT_ACTOR,
    reason: str = "",
    by_officer: bool = False,
    charge_addressee: bool = False,
) -> Routed:
    """Where an assessed item goes when customs lets it go: released, asked to pay, or held.

    The one place that decides it, for green items after scoring and for an
    officer's release: nothing to pay (or no assessment, as for documents)
    releases the item; charges due ask for payment (the operator's customs
    response carries them, the payer is e-mailed); an assessment that needs a
    full declaration (or found no regime) holds a green item for an officer,
    while an officer, who has seen the item, decides it on its charges.
    Prepaid (DDP) items are charged to their collector's account; an officer
    may instead ask the addressee for the charges (charge_addressee), as for
    any other item, when that account cannot be charged.
    """
    groups: dict[Transition, list[int]] = defaultdict(list)
    for pk, assessment in assessments.items():
        groups[_way_out(assessment, by_officer)].append(pk)
    assessed = {pk: assessment for pk, assessment in assessments.items() if assessment is not None}  # paid or held
    if charge_addressee:
        prepaid = PrepaidPlan()
    else:
        prepaid = prepaid_plan({pk: assessed[pk] for pk in groups[transitions.REQUIRE_PAYMENT]})
    if by_officer and prepaid.hold:
        raise ApplicationError(
            f"{next(iter(prepaid.hold))} Charge the addressee instead, or return the item.", code="prepaid_held"
        )
    defaults = OFFICER_REASONS if by_officer else AUTOMATIC_REASONS
    routed = Routed()
    routed.results[transitions.RELEASE] = clearance_services.consignments_transition(
        transition=transitions.RELEASE,
        consignment_ids=groups[transitions.RELEASE],
        actor=actor,
        reason=reason or defaults[transitions.RELEASE],
    )
    for code, ids in prepaid.release.items():  # DDP: nothing to collect at the door, the collector's account pays
        result = clearance_services.consignments_transition(
            transition=transitions.RELEASE,
            consignment_ids=ids,
            actor=actor,
            reason=f"Duty and taxes prepaid (DDP): charged to the account of {code}.",
        )
        _merge(routed.results[transitions.RELEASE], result)
        prepaid_charges_record(prepaid, result.changed, assessed)
    charged = [pk for pk in groups[transitions.REQUIRE_PAYMENT] if pk not in prepaid.items()]
    routed.results[transitions.REQUIRE_PAYMENT] = clearance_services.consignments_transition(
        transition=transitions.REQUIRE_PAYMENT,
        consignment_ids=charged,
        actor=actor,
        reason=reason or defaults[transitions.REQUIRE_PAYMENT],
        changes={pk: clearance_services.ItemChange(charges=assessed[pk].charges()) for pk in charged},
    )
    by_reason: dict[str, list[int]] = defaultdict(list)
    for pk in groups[transitions.HOLD]:
        by_reason[assessed[pk].needs_officer].append(pk)
    for hold_reason, ids in prepaid.hold.items():
        by_reason[hold_reason] += ids
    by_reason[BACK_TO_OFFICER] += _under_officer_hold(routed)
    held = routed.results[transitions.HOLD] = TransitionResult()
    for hold_reason, ids in by_reason.items():  # one batch per reason, e.g. every item to a country without a regime
        if ids:
            _merge(
                held,
                clearance_services.consignments_transition(
                    transition=transitions.HOLD, consignment_ids=ids, actor=actor, reason=hold_reason
                ),
            )
    if asked := routed.results[transitions.REQUIRE_PAYMENT].changed:
        transaction.on_commit(lambda: enqueue.charges_due_mail(asked), robust=True)
    return routed


BACK_TO_OFFICER = "An officer has had this item in hand: it goes back to them."


def _merge(into: TransitionResult, result: TransitionResult) -> None:
    into.changed += result.changed
    into.unchanged += result.unchanged
    into.refused |= result.refused
    into.blocked |= result.blocked
    into.missing += result.missing


def _under_officer_hold(routed: Routed) -> list[int]:
    """Items the officer hold kept from an automatic release or payment request: they must not stay ASSESSED."""
    return [
        pk
        for transition in (transitions.RELEASE, transitions.REQUIRE_PAYMENT)
        for pk, hold in routed.results[transition].blocked.items()
        if hold == Hold.OFFICER
    ]


def _way_out(assessment: Assessment | None, by_officer: bool) -> Transition:
    if assessment is None or (assessment.total == 0 and (by_officer or not assessment.needs_officer)):
        return transitions.RELEASE
    if assessment.needs_officer and not by_officer:
        return transitions.HOLD
    return transitions.REQUIRE_PAYMENT
