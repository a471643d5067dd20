"""Writes that need the simulator: a model version back-tested, trained with its back-test, promoted after it.

Risk owns model versions and judges a back-test's figures
(risk.services.model_backtest_record); the back-test itself drives the
operators' intake with simulated traffic (simulation.backtest), so these
services sit above both apps and risk never imports them.
"""

from __future__ import annotations

from core.models import User
from core.permissions import require_supervisor
from risk import services as risk_services
from risk.classifier import RiskModel
from risk.models import ModelVersion
from simulation.backtest import backtest_compare


def model_backtest(*, model_version: ModelVersion) -> ModelVersion:
    """Back-test a stored version beside the rules and indicators alone and record the figures with it.

    The back-test's own transaction is rolled back (nothing it received is
    kept); only its result is written, by risk.
    """
    candidate = RiskModel.loads(bytes(model_version.artifact))
    rules_only, with_model = backtest_compare(candidate)
    return risk_services.model_backtest_record(
        model_version=model_version, rules_only=rules_only, with_model=with_model
    )


def model_train(*, min_labels: int = 50, seed: int = 0) -> ModelVersion:
    """Train a candidate on the inspection outcomes (risk.services.model_train) and back-test it at once."""
    return model_backtest(model_version=risk_services.model_train(min_labels=min_labels, seed=seed))


def model_promote(*, model_version: ModelVersion, supervisor: User) -> ModelVersion:
    """Promote a version after its back-test: one that has none is back-tested first.

    Not one transaction: a back-test that finds the model worse stays recorded
    with the version (the models page shows why) while the promotion is refused.
    """
    require_supervisor(supervisor, "promote models")
    if not (model_version.metrics or {}).get("backtest"):
        model_version = model_backtest(model_version=model_version)
    return risk_services.model_promote(model_version=model_version, supervisor=supervisor)
