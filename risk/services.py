"""Writes of the risk app: scoring, rules (maker-checker), models, inspection outcomes."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from clearance import services as clearance_services
from clearance import transitions
from clearance.choices import ConsignmentState, ItemCategory, Lane
from clearance.models import AddresseeMatchKey, Consignment, PartyHold
from clearance.selectors import WITH_LINES
from clearance.transitions import Hold
from core.actors import Actor
from core.db import insert_rows, update_rows
from core.exceptions import ApplicationError, InvalidTransition, PermissionDenied
from core.models import User
from core.permissions import require_supervisor
from core.services import audit_entries_create
from payments import assessment
from payments import selectors as payments_selectors
from risk import catalogue, selectors
from risk.choices import OutcomeKind, RuleStatus
from risk.classifier import ALGORITHM, RiskModel, ranking_metrics
from risk.engine import PRECEDENCE, PROHIBITED_FINDINGS, Engine, Verdict
from risk.kinds import kind_of
from risk.models import InspectionOutcome, ModelVersion, RiskAssessment, Rule
from risk.postal_features import POSTAL_SPEC, postal_frame
from risk.reasons import SCORING_FAILED, Finding, render_english
from risk.rules import validate_condition

RISK_ACTOR = Actor.system("risk")
ActiveModel = tuple[int, RiskModel] | None  # the promoted model: its version and the loaded model
logger = logging.getLogger(__name__)


# --- Scoring --------------------------------------------------------------------------


def consignments_assess(*, consignment_ids: list[int]) -> dict[str, int]:
    """Score a batch of pre-advised items, record score, lane and reasons, and route them.

    Items no longer PRE_ADVISED (scored already, or amended and re-queued with a
    newer task) are skipped, so a repeated task is harmless. The items stay
    locked from loading to routing: an amendment arriving meanwhile waits and
    is scored afresh, never overwritten by a verdict on its old content.

    A held item whose current version has no score yet (an amendment of an
    item in front of an officer) is scored for information only: its lane
    never drops and scoring never routes it (consignments_rescore_held).
    """
    model = selectors.active_model()
    engine = Engine(
        rules=selectors.rules_in_force(),
        model=model,
        thresholds=selectors.lane_thresholds(),
        random_rate=settings.OPENCLEAR_RISK_RANDOM_RATE,
    )
    with transaction.atomic():
        consignments = list(
            Consignment.objects.select_for_update(of=("self",))
            .filter(id__in=consignment_ids, state__in=(ConsignmentState.PRE_ADVISED, ConsignmentState.HELD))
            .select_related("operator")
            .prefetch_related(WITH_LINES)
            .order_by("id")
        )
        fresh = [c for c in consignments if c.state == ConsignmentState.PRE_ADVISED]
        held = selectors.consignments_unscored([c for c in consignments if c.state == ConsignmentState.HELD])
        if not fresh and not held:
            return {"assessed": 0, "held": 0, "released": 0, "charges_due": 0}
        verdicts = engine.assess(fresh + held)
        rescored = consignments_rescore_held(consignments=held, verdicts=verdicts, model=model)
        if not fresh:
            return {"assessed": 0, "held": 0, "released": 0, "charges_due": 0, "rescored": rescored}
        result = clearance_services.consignments_transition(
            transition=transitions.ASSESS,
            consignment_ids=[c.pk for c in fresh],
            actor=RISK_ACTOR,
            changes={c.pk: _change(verdicts[c.pk]) for c in fresh},
        )
        versions = {c.pk: c.version for c in fresh}
        insert_rows(
            RiskAssessment,
            [_assessment_row(pk, versions[pk], verdicts[pk], model) for pk in result.changed],
            on_conflict_do_nothing=True,
        )
        prohibited = [pk for pk in result.changed if any(f.code in PROHIBITED_FINDINGS for f in verdicts[pk].findings)]
        clearance_services.party_holds_record(consignment_ids=prohibited, kind=PartyHold.Kind.PROHIBITED)
        routed = _route(result.changed, verdicts, {c.pk: c for c in fresh})
        recalled = _recall_split_parcels([verdicts[pk] for pk in result.changed])
        routed = {**routed, "recalled": recalled} if recalled else routed
        return {**routed, "rescored": rescored} if rescored else routed


def consignments_rescore_held(
    *, consignments: list[Consignment], verdicts: dict[int, Verdict], model: ActiveModel
) -> int:
    """Record the score of an amended item an officer has in hand, without taking it from them.

    The new version's own verdict is stored (the officer sees its reasons);
    the item keeps the higher of its lane in force and the new one, and its
    charges are assessed again on the new content. Nothing is released,
    asked for payment or otherwise routed.
    """
    if not consignments:
        return 0
    now = timezone.now()
    kept = {c.pk: _lane_kept(c, verdicts[c.pk]) for c in consignments}
    insert_rows(
        RiskAssessment,
        [_assessment_row(c.pk, c.version, verdicts[c.pk], model) for c in consignments],
        on_conflict_do_nothing=True,
    )
    update_rows(
        Consignment,
        [(pk, {"lane": lane, "risk_score": score, "updated_at": now}) for pk, (lane, score) in kept.items()],
        ["lane", "risk_score", "updated_at"],
    )
    audit_entries_create(
        model=Consignment,
        target_ids=list(kept),
        action="risk.consignment.rescored",
        actor=RISK_ACTOR,
        at=now,
        reason="Amended while in front of an officer: scored for information, the lane in force is kept.",
        payloads={
            c.pk: {**_change(verdicts[c.pk]).payload, "version": c.version, "laneInForce": kept[c.pk][0]}
            for c in consignments
        },
    )
    assessment.consignments_assess_charges(consignment_ids=list(kept), locked=consignments)
    return len(consignments)


def _lane_kept(consignment: Consignment, verdict: Verdict) -> tuple[str, Decimal]:
    lane = max(consignment.lane, verdict.lane, key=lambda lane: PRECEDENCE.get(Lane(lane), 0) if lane else 0)
    score = max(consignment.risk_score or Decimal("0"), verdict.score)
    return lane, score


# Errors of the surroundings, not of the items: the task fails and is tried again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisError)


def consignments_assess_isolating(*, consignment_ids: list[int]) -> dict[str, int]:
    """Score a batch; when an item crashes the scoring, find it by halving and hold it for an officer.

    One corrupt item must not keep the other items of its batch from a
    decision, nor be retried forever: it gets a decision of its own (held,
    red, with the error as its reason). Errors of the database or the broker
    are not the items' fault and go up, so the task is retried.
    """
    try:
        return consignments_assess(consignment_ids=consignment_ids)
    except (ApplicationError, *TRANSIENT_ERRORS):
        raise
    except Exception as exc:
        if len(consignment_ids) == 1:
            logger.exception("Item %s could not be scored; held for an officer", consignment_ids[0])
            return consignment_hold_unscorable(consignment_id=consignment_ids[0], error=exc)
        middle = len(consignment_ids) // 2
        first = consignments_assess_isolating(consignment_ids=consignment_ids[:middle])
        second = consignments_assess_isolating(consignment_ids=consignment_ids[middle:])
        return {key: first.get(key, 0) + second.get(key, 0) for key in first.keys() | second.keys()}


@transaction.atomic
def consignment_hold_unscorable(*, consignment_id: int, error: Exception) -> dict[str, int]:
    """Put an item the scoring cannot handle in front of an officer, red, saying why."""
    failed = Finding(SCORING_FAILED.code, {"error": f"{type(error).__name__}: {str(error)[:200]}"}, lane=Lane.RED)
    verdict = Verdict(score=Decimal("1"), lane=Lane.RED, findings=[failed])
    reason = render_english(failed)
    result = clearance_services.consignments_transition(
        transition=transitions.ASSESS,
        consignment_ids=[consignment_id],
        actor=RISK_ACTOR,
        changes={consignment_id: _change(verdict)},
        reason=reason,
    )
    if not result.changed:
        return {"assessed": 0, "held": 0}
    version = Consignment.objects.values_list("version", flat=True).get(pk=consignment_id)
    insert_rows(RiskAssessment, [_assessment_row(consignment_id, version, verdict, None)], on_conflict_do_nothing=True)
    clearance_services.consignments_transition(
        transition=transitions.HOLD, consignment_ids=[consignment_id], actor=RISK_ACTOR, reason=reason
    )
    return {"assessed": 1, "held": 1, "unscorable": 1}


def _change(verdict: Verdict) -> clearance_services.ItemChange:
    """The item's new lane and score, and what the audit entry keeps: the findings as codes (rendered in
    each reader's language) beside their English wording for the record."""
    payload = {
        "lane": verdict.lane,
        "score": str(verdict.score),
        "findings": [finding.stored() for finding in verdict.findings],
        "reasons": verdict.reasons,
        "rules": verdict.rules_fired,
        "random": verdict.random_selection,
    }
    return clearance_services.ItemChange(fields={"lane": verdict.lane, "risk_score": verdict.score}, payload=payload)


def _assessment_row(pk: int, version: int, verdict: Verdict, model: ActiveModel) -> dict[str, Any]:
    return {
        "consignment_id": pk,
        "consignment_version": version,
        "score": verdict.score,
        "lane": verdict.lane,
        "reasons": [finding.stored() for finding in verdict.findings],
        "rules_fired": verdict.rules_fired,
        "model_version_id": model[0] if model else None,
        "model_score": verdict.model_score,
        "random_selection": verdict.random_selection,
        "assessed_at": timezone.now(),
    }


def _route(ids: list[int], verdicts: dict[int, Verdict], locked: dict[int, Consignment]) -> dict[str, int]:
    """YELLOW and RED go to an officer; GREEN documents (IRG category 1) are released.

    Every other item gets its duty and tax assessment now (an officer sees it
    on a held item); a GREEN one is then released, asked to pay, or held when
    it needs a full declaration (payments.assessment decides).
    """
    held = [pk for pk in ids if verdicts[pk].lane != Lane.GREEN]
    green = [pk for pk in ids if verdicts[pk].lane == Lane.GREEN]
    documents = {pk for pk in green if locked[pk].category == ItemCategory.DOCUMENTS}
    released = clearance_services.consignments_transition(
        transition=transitions.RELEASE,
        consignment_ids=sorted(documents),
        actor=RISK_ACTOR,
        reason="Documents without commercial value (WCO IRG category 1).",
    )
    # Documents an officer has had in hand go back to them rather than stay ASSESSED.
    held += [pk for pk, hold in released.blocked.items() if hold == Hold.OFFICER]
    clearance_services.consignments_transition(
        transition=transitions.HOLD, consignment_ids=held, actor=RISK_ACTOR, reason="Selected for an officer's check."
    )
    goods = [pk for pk in ids if pk not in documents]
    assessments = assessment.consignments_assess_charges(consignment_ids=goods, locked=[locked[pk] for pk in goods])
    routed = assessment.consignments_route(assessments={pk: assessments[pk] for pk in green if pk in assessments})
    counts = routed.counts()
    return {
        "assessed": len(ids),
        "held": len(held) + counts.get("hold", 0),
        "released": len(released.changed) + counts.get("release", 0),
        "charges_due": counts.get("require_payment", 0),
    }


def _recall_split_parcels(verdicts: list[Verdict]) -> int:
    """Hold again the earlier parcels of split shipments that were cleared before arrival and not yet presented.

    A parcel already paid for is left released (its charges were settled); one
    presented or delivered meanwhile is past recall (the query and the delivered
    hold see to it). The operator gets a hold that supersedes the release.
    """
    ids = sorted({pk for verdict in verdicts for pk in verdict.recall})
    if not ids:
        return 0
    # Presentation counts from its own time: a stamp later than now has not happened yet.
    not_presented = Q(presented_at__isnull=True) | Q(presented_at__gt=timezone.now())
    candidates = Consignment.objects.filter(not_presented, id__in=ids)
    unpaid = [c.pk for c in candidates if payments_selectors.payment_succeeded_for(consignment=c) is None]
    result = clearance_services.consignments_transition(
        transition=transitions.RECALL,
        consignment_ids=unpaid,
        actor=RISK_ACTOR,
        reason="Part of a split shipment found after it was cleared: held until an officer decides.",
    )
    return len(result.changed)


# --- Rules: maker-checker ---------------------------------------------------------------


def addressee_match_keys_purge() -> int:
    """Delete the addressee match keys no split-shipment window reaches (twice the window, for a late scoring)."""
    before = timezone.now() - 2 * settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW
    deleted, _ = AddresseeMatchKey.objects.filter(pre_advised_at__lt=before).delete()
    return deleted


@transaction.atomic
def rule_propose(
    *,
    author: User,
    code: str,
    kind: str,
    description: str,
    condition: dict[str, Any],
    force_lane: str = "",
    score: Decimal = Decimal("0"),
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
    source: str = "",
) -> Rule:
    """Draft a new rule, or a new version of one; it waits for a second supervisor."""
    require_supervisor(author, "propose risk rules")
    if kind_of(kind) is None:
        raise ApplicationError(f"Unknown rule kind {kind!r}.", code="invalid_rule")
    if not score.is_finite() or not Decimal("0") <= score <= Decimal("1"):
        raise ApplicationError("A rule's score is a number from 0 to 1.", code="invalid_rule")
    if not force_lane and not score:
        raise ApplicationError("A rule must force a lane or add to the score.", code="invalid_rule")
    latest = Rule.objects.select_for_update().filter(code=code).order_by("-version").first()
    rule = Rule(
        code=code,
        version=(latest.version + 1) if latest else 1,
        kind=kind,
        description=description,
        condition=validate_condition(kind, condition),
        force_lane=force_lane,
        score=score,
        effective_from=effective_from or timezone.now(),
        effective_to=effective_to,
        created_by=author,
        source=source,
    )
    rule.full_clean()
    rule.save()
    _audit_rule(rule, "risk.rule.proposed", author)
    return rule


def catalogue_import(*, author: User, text: str) -> dict[str, Any]:
    """Propose each row of a goods catalogue CSV that differs from the rule in force of its code.

    Rows are proposed one by one, so a bad row is reported (with its line) and
    loses none of the good ones; each proposal waits for a second supervisor.
    """
    require_supervisor(author, "import the goods catalogue")
    rows, errors = catalogue.catalogue_rows_checked(text)
    proposed: list[Rule] = []
    unchanged = 0
    for line, row in rows:
        if _same_as_in_force(row):
            unchanged += 1
            continue
        if len(proposed) >= catalogue.MAX_PROPOSALS:  # each waits for a second supervisor, who reads them all
            message = f"Only {catalogue.MAX_PROPOSALS} changes are proposed from one file: send the rest in another."
            errors.append({"line": line, "code": row["code"], "message": message})
            break
        try:
            with transaction.atomic():
                rule = rule_propose(author=author, kind=catalogue.CATALOGUE_KIND, **row)
        except (ApplicationError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            errors.append({"line": line, "code": row["code"], "message": message})
            continue
        proposed.append(rule)
    return {"proposed": proposed, "unchanged": unchanged, "errors": errors}


def _same_as_in_force(row: dict[str, Any]) -> bool:
    rule = Rule.objects.filter(code=row["code"], status=RuleStatus.ACTIVE).first()
    if not rule or rule.kind != catalogue.CATALOGUE_KIND:
        return False
    same_dates = all(  # by day: a file carries days, a rule the moment it took effect
        column not in row or (getattr(rule, column) and getattr(rule, column).date() == row[column].date())
        for column in ("effective_from", "effective_to")
    )
    return same_dates and (
        rule.description,
        catalogue.condition_key(rule.condition),
        rule.force_lane,
        rule.score,
        rule.source,
    ) == (
        row["description"],
        catalogue.condition_key(row["condition"]),
        row["force_lane"],
        row["score"],
        row["source"],
    )


@transaction.atomic
def rule_approve(*, rule: Rule, approver: User) -> Rule:
    """Approve a pending rule: it replaces the version in force. The author cannot approve."""
    require_supervisor(approver, "approve risk rules")
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.status == RuleStatus.ACTIVE:
        return rule
    if rule.status != RuleStatus.PENDING:
        raise InvalidTransition(f"Rule {rule.code} v{rule.version} is {rule.get_status_display()}.")
    if rule.created_by_id == approver.pk:
        raise PermissionDenied("A rule must be approved by a supervisor other than its author (four eyes).")
    Rule.objects.filter(code=rule.code, status=RuleStatus.ACTIVE).update(
        status=RuleStatus.RETIRED, updated_at=timezone.now()
    )
    rule.status, rule.approved_by, rule.approved_at = RuleStatus.ACTIVE, approver, timezone.now()
    rule.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _audit_rule(rule, "risk.rule.approved", approver)
    return rule


@transaction.atomic
def rule_reject(*, rule: Rule, reviewer: User, reason: str) -> Rule:
    require_supervisor(reviewer, "review risk rules")
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.status != RuleStatus.PENDING:
        raise InvalidTransition(f"Rule {rule.code} v{rule.version} is not pending.")
    rule.status = RuleStatus.REJECTED
    rule.save(update_fields=["status", "updated_at"])
    _audit_rule(rule, "risk.rule.rejected", reviewer, reason)
    return rule


def _audit_rule(rule: Rule, action: str, user: User, reason: str = "") -> None:
    audit_entries_create(
        model=Rule,
        target_ids=[rule.pk],
        action=action,
        actor=Actor.for_user(user),
        reason=reason,
        payloads={rule.pk: {"code": rule.code, "version": rule.version, "status": rule.status}},
    )


# --- Inspection outcomes and models ------------------------------------------------------


@transaction.atomic
def inspection_outcome_record(
    *,
    consignment: Consignment,
    officer: User,
    irregularity_found: bool,
    kind: str = OutcomeKind.NONE,
    additional_duty: Decimal = Decimal("0"),
    notes: str = "",
) -> InspectionOutcome:
    """Record what an inspection found; it is a label for the next model."""
    if not officer.is_officer:
        raise PermissionDenied("Only customs officers record inspection outcomes.")
    outcome = InspectionOutcome(
        consignment=consignment,
        officer=officer,
        irregularity_found=irregularity_found,
        kind=kind if irregularity_found else OutcomeKind.NONE,
        additional_duty=additional_duty,
        notes=notes,
    )
    outcome.full_clean()
    outcome.save()
    audit_entries_create(
        model=Consignment,
        target_ids=[consignment.pk],
        action="risk.inspection.recorded",
        actor=Actor.for_user(officer),
        reason=notes,
        payloads={
            consignment.pk: {
                "irregularity": irregularity_found,
                "kind": outcome.kind,
                "additionalDuty": str(additional_duty),
            }
        },
    )
    return outcome


def model_train(*, min_labels: int = 50, seed: int = 0) -> ModelVersion:
    """Train on inspection outcomes (latest per item); evaluate on the newest fifth.

    Officers inspect mostly what the engine already flagged, so those outcomes
    over-represent what the rules find. Each outcome is weighted by the inverse
    of the chance that its item was inspected: an item drawn at random (an
    unbiased label) counts 1 / OPENCLEAR_RISK_RANDOM_RATE times as much as one
    the engine selected. The version is stored inactive and not yet
    back-tested: the back-test drives the operators' intake with simulated
    traffic, so it runs from the simulation package (simulation.services),
    which records its result here with model_backtest_record.
    """
    labelled = (
        InspectionOutcome.objects.order_by("consignment_id", "-created_at")
        .distinct("consignment_id")
        .values_list("consignment_id", "irregularity_found")
    )
    labels_by_id = dict(labelled)
    if len(labels_by_id) < min_labels:
        raise ApplicationError(f"{len(labels_by_id)} labelled items; at least {min_labels} are needed to train.")
    consignments = list(
        Consignment.objects.filter(id__in=labels_by_id).prefetch_related(WITH_LINES).order_by("pre_advised_at", "id")
    )
    frame = postal_frame(consignments)
    labels = pd.Series([int(labels_by_id[c.pk]) for c in consignments])
    if labels.nunique() < 2:
        raise ApplicationError("Training needs both outcomes: irregular and in order.")
    weights, random_labels = _propensity_weights(consignments)
    metrics = _holdout_metrics(frame, labels, seed)
    model = RiskModel.train(frame, labels, POSTAL_SPEC, seed=seed, weights=weights)
    metrics["weighting"] = {"random_inspection_labels": random_labels, "targeted_labels": len(labels) - random_labels}
    return ModelVersion.objects.create(
        algorithm=ALGORITHM,
        feature_names=model.feature_names,
        metrics=metrics,
        trained_on=len(labels),
        artifact=model.dumps(),
    )


def _propensity_weights(consignments: list[Consignment]) -> tuple[np.ndarray, int]:
    """Inverse inspection propensity per item (mean 1), and how many items were drawn at random."""
    drawn = set(
        RiskAssessment.objects.filter(consignment__in=consignments, random_selection=True).values_list(
            "consignment_id", flat=True
        )
    )
    rate = max(settings.OPENCLEAR_RISK_RANDOM_RATE, 0.01)
    weights = np.array([1 / rate if c.pk in drawn else 1.0 for c in consignments])
    return weights / weights.mean(), len(drawn)


def _holdout_metrics(frame: pd.DataFrame, labels: pd.Series, seed: int) -> dict[str, Any]:
    cut = int(len(frame) * 0.8)
    test_labels = labels.iloc[cut:].to_numpy()
    if cut < 10 or len(set(test_labels)) < 2 or labels.iloc[:cut].nunique() < 2:
        return {"note": "too few labels for a time holdout", "labels": int(len(labels))}
    model = RiskModel.train(frame.iloc[:cut], labels.iloc[:cut], POSTAL_SPEC, seed=seed)
    metrics = ranking_metrics(np.asarray(test_labels), model.scores(frame.iloc[cut:]))
    return {**metrics, "holdout_rows": int(len(test_labels)), "labels": int(len(labels))}


# A candidate may send at most this many more clean items in a hundred to officers than the rules alone.
MAX_EXTRA_CLEAN_FLAGGED = 0.02


def _backtest_verdict(rules_only: dict[str, float], with_model: dict[str, float]) -> tuple[bool, str]:
    """(no worse, why): the model may not catch less, nor send many more clean items to officers."""
    if with_model["caught"] < rules_only["caught"]:
        return False, "catches fewer planted items than the rules and indicators alone"
    extra = with_model["clean_flagged"] - rules_only["clean_flagged"]
    if extra > MAX_EXTRA_CLEAN_FLAGGED:
        return False, f"sends {extra:.1%} more clean items to officers than the rules and indicators alone"
    return True, "no worse than the rules and indicators alone"


@transaction.atomic
def model_backtest_record(
    *, model_version: ModelVersion, rules_only: dict[str, float], with_model: dict[str, float]
) -> ModelVersion:
    """Keep a back-test's figures (the rules and indicators alone, and with this model: share of planted
    items caught, share of clean items sent to officers) with the version, and the verdict on them."""
    locked = ModelVersion.objects.select_for_update().defer("artifact").get(pk=model_version.pk)
    no_worse, why = _backtest_verdict(rules_only, with_model)
    locked.metrics = {
        **(locked.metrics or {}),
        "backtest": {"rules_only": rules_only, "with_model": with_model, "no_worse": no_worse, "why": why},
    }
    locked.save(update_fields=["metrics", "updated_at"])
    model_version.metrics = locked.metrics
    return model_version


@transaction.atomic
def model_promote(*, model_version: ModelVersion, supervisor: User, without_backtest: str = "") -> ModelVersion:
    """Make a model the one that scores; only a supervisor decides, never for a model without a back-test
    result (simulation.services.model_promote runs it first) nor for one the back-test found worse than the
    rules and indicators alone.

    `without_backtest` is the one way around the first condition, for a reason written in the audit
    entry: the benchmark promotes a model to measure its speed in the scoring path, not its worth.
    """
    require_supervisor(supervisor, "promote models")
    comparison = (model_version.metrics or {}).get("backtest")
    if comparison is None and not without_backtest:
        raise ApplicationError("This model has not been back-tested: it is not promoted.", code="model_not_backtested")
    if comparison is not None and not comparison.get("no_worse", False):
        raise ApplicationError(
            f"This model {comparison.get('why', 'does worse on the back-test')}: it is not promoted.",
            code="model_worse_than_rules",
        )
    ModelVersion.objects.filter(is_active=True).exclude(pk=model_version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=model_version.pk).update(
        is_active=True, promoted_by=supervisor, promoted_at=timezone.now()
    )
    audit_entries_create(
        model=ModelVersion,
        target_ids=[model_version.pk],
        action="risk.model.promoted",
        actor=Actor.for_user(supervisor),
        reason=without_backtest,
        payloads={model_version.pk: {"backtested": comparison is not None}},
    )
    model_version.refresh_from_db()
    return model_version
