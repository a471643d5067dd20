"""The de minimis simulator: what a different threshold or a flat duty would change.

The items of a period are assessed twice with the calculator that assesses
real items: once under the law in force on each item's pre-advice date, once
under the same law changed by the scenario. Only the arithmetic differs, so the
comparison is like for like.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clearance.choices import ItemCategory, Lane
from clearance.models import Consignment
from clearance.selectors import WITH_LINES
from core.actors import Actor
from core.services import audit_entries_create
from law.choices import ThresholdBasis
from law.selectors import TariffUnavailable
from law.tariff import FlatDutyTerms, Tariff, Threshold
from payments import enqueue
from payments.assessment import TariffBook, item_input
from payments.calculator import Breakdown, assess_item
from payments.models import SimulationRun

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
CHUNK = 2000


@dataclass(frozen=True)
class Scenario:
    duty_threshold: Decimal | None = None
    vat_threshold: Decimal | None = None
    flat_duty_per_line: Decimal | None = None
    without_flat_duty: bool = False

    def apply(self, tariff: Tariff) -> Tariff:
        """The law in force, changed where the scenario says."""
        changes: dict = {}
        if self.duty_threshold is not None:
            changes["duty_thresholds"] = _thresholds(tariff.duty_thresholds, self.duty_threshold)
        if self.vat_threshold is not None:
            changes["vat_thresholds"] = _thresholds(tariff.vat_thresholds, self.vat_threshold)
        if self.without_flat_duty:
            changes["flat_duty"] = None
        elif self.flat_duty_per_line is not None:
            ceiling = (tariff.flat_duty and tariff.flat_duty.max_intrinsic_value) or tariff.low_value_ceiling
            changes["flat_duty"] = FlatDutyTerms(
                amount=self.flat_duty_per_line,
                max_intrinsic_value=ceiling if ceiling is not None else Decimal("150"),
                applies_with_ioss=True,
                applies_without_ioss=True,
            )
        return dataclasses.replace(tariff, **changes)


def _thresholds(rows: tuple[Threshold, ...], amount: Decimal) -> tuple[Threshold, ...]:
    """Every row (general and per category) moved to the new amount, each on its own basis."""
    return tuple(dataclasses.replace(row, amount=amount) for row in rows) or (
        Threshold(amount=amount, basis=ThresholdBasis.INTRINSIC),
    )


@dataclass
class Outcome:
    """The totals of one set of rules over the items."""

    duty: Decimal = ZERO
    vat: Decimal = ZERO
    fees: Decimal = ZERO
    total: Decimal = ZERO
    items_paying: int = 0
    full_declarations: int = 0
    risk_holds: int = 0

    def add(self, breakdown: Breakdown, *, held_by_risk: bool) -> None:
        self.duty += breakdown.duty
        self.vat += breakdown.vat
        self.fees += breakdown.fees
        self.total += breakdown.total
        self.items_paying += int(breakdown.total > ZERO and not breakdown.needs_officer)
        self.full_declarations += int(bool(breakdown.needs_officer))
        self.risk_holds += int(held_by_risk)

    @property
    def officer_workload(self) -> int:
        """Items an officer must handle: risk holds, and full declarations above the low-value ceiling."""
        return self.risk_holds + self.full_declarations

    def as_json(self) -> dict:
        return {
            "duty": str(self.duty),
            "vat": str(self.vat),
            "fees": str(self.fees),
            "total": str(self.total),
            "items_paying": self.items_paying,
            "full_declarations": self.full_declarations,
            "risk_holds": self.risk_holds,
            "officer_workload": self.officer_workload,
        }


@dataclass
class Comparison:
    currency: str
    items: int = 0
    skipped: int = 0
    in_force: Outcome = field(default_factory=Outcome)
    scenario: Outcome = field(default_factory=Outcome)

    def as_json(self) -> dict:
        before, after = self.in_force.as_json(), self.scenario.as_json()
        difference = {
            key: str(Decimal(after[key]) - Decimal(before[key]))
            if isinstance(before[key], str)
            else after[key] - before[key]
            for key in before
        }
        return {
            "currency": self.currency,
            "items": self.items,
            "skipped": self.skipped,
            "in_force": before,
            "scenario": after,
            "difference": difference,
        }


def compare(consignments, *, scenario: Scenario, book: TariffBook, currency: str) -> Comparison:
    """Assess each item under both sets of rules; items no law covers are counted as skipped."""
    comparison = Comparison(currency=currency)
    changed: dict[int, Tariff] = {}  # the scenario's law, made once per law in force (the book caches those)
    for consignment in consignments:
        try:
            _regime, tariff = book.lookup(consignment, consignment.pre_advised_at.date())
        except TariffUnavailable:
            comparison.skipped += 1
            continue
        if id(tariff) not in changed:
            changed[id(tariff)] = scenario.apply(tariff)
        item = item_input(consignment)
        held = consignment.lane in (Lane.YELLOW, Lane.RED)
        comparison.items += 1
        comparison.in_force.add(assess_item(item, tariff), held_by_risk=held)
        comparison.scenario.add(assess_item(item, changed[id(tariff)]), held_by_risk=held)
    return comparison


def simulation_items(run: SimulationRun):
    """The real items of the run's regime and period; documents carry no duty and are left out."""
    start = datetime.combine(run.start, time.min, tzinfo=UTC)
    return (
        Consignment.objects.filter(
            addressee_country__in=run.regime.countries,
            pre_advised_at__gte=start,
            pre_advised_at__lt=datetime.combine(run.end, time.min, tzinfo=UTC) + timedelta(days=1),
        )
        .exclude(category=ItemCategory.DOCUMENTS)
        .prefetch_related(WITH_LINES)
        .order_by("pk")
    )


@transaction.atomic
def simulation_request(*, user, regime, start, end, scenario: Scenario) -> SimulationRun:
    """Record a run and compute it in the background once committed."""
    run = SimulationRun(
        regime=regime,
        start=start,
        end=end,
        created_by=user,
        duty_threshold=scenario.duty_threshold,
        vat_threshold=scenario.vat_threshold,
        flat_duty_per_line=scenario.flat_duty_per_line,
        without_flat_duty=scenario.without_flat_duty,
    )
    run.full_clean()
    run.save()
    audit_entries_create(
        model=SimulationRun,
        target_ids=[run.pk],
        action="payments.simulation.requested",
        actor=Actor.for_user(user),
        payloads={run.pk: {"regime": regime.code, "from": str(start), "to": str(end)}},
    )
    transaction.on_commit(lambda: enqueue.simulation_run(run.pk), robust=True)
    return run


def simulation_run(*, run_id: int) -> SimulationRun:
    """Compute a pending run; a run already done is left as it is (the task may be delivered twice)."""
    run = SimulationRun.objects.select_related("regime").get(pk=run_id)
    if run.state != SimulationRun.State.PENDING:
        return run
    scenario = Scenario(
        duty_threshold=run.duty_threshold,
        vat_threshold=run.vat_threshold,
        flat_duty_per_line=run.flat_duty_per_line,
        without_flat_duty=run.without_flat_duty,
    )
    try:
        comparison = compare(
            simulation_items(run).iterator(chunk_size=CHUNK),
            scenario=scenario,
            book=TariffBook(),
            currency=run.regime.currency,
        )
    except Exception as exc:
        logger.exception("Simulation %s failed", run_id)
        return _finish(run, state=SimulationRun.State.FAILED, result={}, error=str(exc))
    return _finish(run, state=SimulationRun.State.DONE, result=comparison.as_json(), error="")


@transaction.atomic
def _finish(run: SimulationRun, *, state: str, result: dict, error: str) -> SimulationRun:
    updated = SimulationRun.objects.filter(pk=run.pk, state=SimulationRun.State.PENDING).update(
        state=state, result=result, error=error, finished_at=timezone.now()
    )
    if updated:
        audit_entries_create(
            model=SimulationRun,
            target_ids=[run.pk],
            action=f"payments.simulation.{state.lower()}",
            actor=Actor.system("payments.deminimis"),
            payloads={run.pk: {"items": result.get("items", 0)}},
        )
    run.refresh_from_db()
    return run
