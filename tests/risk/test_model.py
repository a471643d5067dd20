import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core.exceptions import PermissionDenied
from risk.evaluation import evaluate
from risk.models import ModelVersion, RiskAssessment
from risk.services import consignments_assess, inspection_outcome_record, model_promote, model_train
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_random(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()


def _labelled_history(officer, n=120):
    """Smart watches from one shop were irregular; T-shirts were in order."""
    for i in range(n):
        risky = i % 3 == 0
        consignment = ConsignmentFactory(
            sender_key="CN|518000|shady watches" if risky else f"CN|510000|shop {i % 7}",
            lines=[{"description": "Smart watch" if risky else "T-shirt", "hs_code": "851762" if risky else "610910"}],
        )
        inspection_outcome_record(
            consignment=consignment,
            officer=officer,
            irregularity_found=risky,
            kind="UNDERVALUATION" if risky else "NONE",
            additional_duty=Decimal("12.00") if risky else Decimal(0),
        )


def test_a_model_trained_on_outcomes_is_stored_inactive_with_metrics():
    _labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    assert version.is_active is False
    assert version.trained_on == 120
    assert version.metrics["auc"] > 0.9
    assert "rate:sender_key" in version.feature_names


def test_training_refuses_too_few_labels():
    with pytest.raises(Exception, match="at least 50"):
        model_train(min_labels=50)


def test_only_a_supervisor_promotes_and_then_the_model_scores_with_reasons():
    _labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    with pytest.raises(PermissionDenied):
        model_promote(model_version=version, supervisor=UserFactory(role="OFFICER"))
    model_promote(model_version=version, supervisor=UserFactory(role="SUPERVISOR"))

    suspicious = ConsignmentFactory(
        sender_key="CN|518000|shady watches", lines=[{"description": "Smart watch", "hs_code": "851762"}]
    )
    consignments_assess(consignment_ids=[suspicious.pk])

    assessment = RiskAssessment.objects.get(consignment=suspicious)
    assert assessment.model_version_id == version.pk
    assert assessment.model_score > Decimal("0.7")
    model_reason = next(r for r in assessment.reasons if r.startswith("Model score"))
    assert "risk history of" in model_reason


def test_promoting_a_model_deactivates_the_previous_one():
    _labelled_history(UserFactory(role="OFFICER"))
    supervisor = UserFactory(role="SUPERVISOR")
    first, second = model_train(min_labels=50), model_train(min_labels=50, seed=1)
    model_promote(model_version=first, supervisor=supervisor)
    model_promote(model_version=second, supervisor=supervisor)
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]


def test_risk_train_command_reports_what_it_did():
    with pytest.raises(CommandError, match="labelled items"):
        call_command("risk_train", stdout=StringIO())
    _labelled_history(UserFactory(role="OFFICER"))
    out = StringIO()
    call_command("risk_train", "--min-labels", "50", stdout=out)
    assert "trained on 120 items (inactive)" in out.getvalue()


def test_risk_evaluate_beats_the_published_models_on_the_official_split():
    result = evaluate()
    assert result["data"] == {"train_rows": 37385, "test_rows": 8481, "test_fraud_rate": 0.2164}
    assert result["precision"]["5"] >= 0.90
    assert result["precision"]["10"] >= 0.82
    # On prices never seen in training the model still beats random order.
    random_p5 = result["baselines"]["random"]["precision"]["5"]
    assert result["unseen_price"]["precision"]["5"] > random_p5
    assert result["baselines"]["highest_item_price"]["precision"]["5"] < random_p5


def test_risk_evaluate_writes_the_json_it_prints(tmp_path):
    output = tmp_path / "eval.json"
    call_command("risk_evaluate", "--rows", "3000", "--output", str(output), stdout=StringIO())
    result = json.loads(output.read_text())
    assert set(result) >= {"precision", "recall", "auc", "unseen_price", "baselines", "published"}
    assert set(result["precision"]) == {"1", "2", "5", "10"}
