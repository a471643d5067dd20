from decimal import Decimal

import pytest
from django.core.cache import cache

from core.exceptions import ApplicationError, PermissionDenied
from core.models import AuditEntry
from risk.models import ModelVersion, RiskAssessment
from risk.postal_features import postal_frame
from risk.reasons import render_english
from risk.selectors import active_model
from risk.services import (
    consignments_assess,
    inspection_outcome_record,
    model_backtest_record,
    model_promote,
    model_train,
)
from tests.factories import ConsignmentFactory, UserFactory, labelled_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_random(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()


def _no_worse(version: ModelVersion) -> ModelVersion:
    """Back-test figures on which the model does as well as the rules and indicators alone."""
    figures = {"caught": 0.95, "clean_flagged": 0.03, "clean_red": 0.0}
    return model_backtest_record(model_version=version, rules_only=figures, with_model=figures)


def test_a_model_trained_on_outcomes_is_stored_inactive_with_metrics():
    labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    assert version.is_active is False
    assert version.trained_on == 120
    assert version.metrics["auc"] > 0.9
    assert "rate:sender_key" in version.feature_names
    assert "backtest" not in version.metrics  # back-tested from the simulation package (tests/simulation)


def test_training_refuses_too_few_labels():
    with pytest.raises(Exception, match="at least 50"):
        model_train(min_labels=50)


def test_a_version_without_a_back_test_result_is_not_promoted():
    labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    with pytest.raises(ApplicationError, match="not been back-tested") as refused:
        model_promote(model_version=version, supervisor=UserFactory(role="SUPERVISOR"))
    assert refused.value.code == "model_not_backtested"
    version.refresh_from_db()
    assert version.is_active is False


def test_promoting_without_a_back_test_is_an_explicit_choice_written_in_the_audit_trail():
    labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    model_promote(model_version=version, supervisor=UserFactory(role="SUPERVISOR"), without_backtest="benchmark")
    version.refresh_from_db()
    assert version.is_active is True
    entry = AuditEntry.objects.get(action="risk.model.promoted", target_id=version.pk)
    assert entry.reason == "benchmark" and entry.payload == {"backtested": False}


@pytest.mark.parametrize(
    ("with_model", "no_worse", "why"),
    [
        ({"caught": 0.96, "clean_flagged": 0.04}, True, "no worse than the rules and indicators alone"),
        ({"caught": 0.93, "clean_flagged": 0.03}, False, "catches fewer planted items"),
        ({"caught": 0.99, "clean_flagged": 0.06}, False, "sends 3.0% more clean items to officers"),
    ],
)
def test_the_back_test_verdict_weighs_catches_against_clean_items_sent_to_officers(with_model, no_worse, why):
    version = ModelVersion.objects.create(algorithm="test", trained_on=100, artifact=b"", metrics={"auc": 0.9})
    model_backtest_record(
        model_version=version, rules_only={"caught": 0.95, "clean_flagged": 0.03}, with_model=with_model
    )
    version.refresh_from_db()
    assert version.metrics["auc"] == 0.9  # the figures are kept beside the holdout's
    assert version.metrics["backtest"]["no_worse"] is no_worse
    assert version.metrics["backtest"]["why"].startswith(why)


def test_only_a_supervisor_promotes_and_then_the_model_scores_with_reasons():
    labelled_history(UserFactory(role="OFFICER"))
    version = _no_worse(model_train(min_labels=50))
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
    model_finding = next(f for f in assessment.reasons if f["code"] == "model.score")
    assert any(feature.startswith("rate:") for feature, _ in model_finding["params"]["factors"])
    assert "risk history of" in render_english(model_finding)


def test_promoting_a_model_deactivates_the_previous_one():
    labelled_history(UserFactory(role="OFFICER"))
    supervisor = UserFactory(role="SUPERVISOR")
    first, second = _no_worse(model_train(min_labels=50)), _no_worse(model_train(min_labels=50, seed=1))
    model_promote(model_version=first, supervisor=supervisor)
    model_promote(model_version=second, supervisor=supervisor)
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]


def test_a_model_worse_than_the_rules_on_the_back_test_is_not_promoted(client):
    worse = ModelVersion.objects.create(
        algorithm="test",
        trained_on=100,
        artifact=b"",
        metrics={
            "backtest": {
                "rules_only": {"caught": 0.99, "clean_flagged": 0.03, "clean_red": 0.0},
                "with_model": {"caught": 0.99, "clean_flagged": 0.20, "clean_red": 0.05},
                "no_worse": False,
                "why": "sends 17.0% more clean items to officers than the rules and indicators alone",
            }
        },
    )
    supervisor = UserFactory(role="SUPERVISOR")
    with pytest.raises(ApplicationError, match="17.0% more clean items"):
        model_promote(model_version=worse, supervisor=supervisor)
    client.force_login(supervisor)
    page = client.post(f"/officer/models/{worse.pk}/promote", follow=True).content.decode()
    assert "17.0% more clean items" in page and "worse: cannot be promoted" in page
    worse.refresh_from_db()
    assert worse.is_active is False


def test_outcomes_of_random_draws_weigh_more_than_those_the_engine_chose(settings):
    from risk.services import _propensity_weights

    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.02
    drawn, chosen = ConsignmentFactory(), ConsignmentFactory()
    RiskAssessment.objects.create(
        consignment=drawn, consignment_version=1, score=0, lane="YELLOW", random_selection=True
    )
    weights, random_labels = _propensity_weights([drawn, chosen])
    assert random_labels == 1
    assert weights[0] == pytest.approx(50 * weights[1]) and weights.mean() == pytest.approx(1)


def test_a_new_installation_says_it_scores_with_rules_and_indicators_alone(client):
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get("/officer/models/").content.decode()
    assert "No model is promoted: items are scored by the rules and indicators alone." in page
    assert "0 outcomes of items drawn at random" in page


def test_the_model_reads_the_descriptions_not_only_the_shape_of_an_item():
    """Irregular and regular items alike in every column but their text: only the words tell them apart."""
    officer = UserFactory(role="OFFICER")
    for i in range(150):
        risky = i % 3 == 0
        description = ["Tramadol 100mg tablets", "Springmesser 9 cm", "Kokain 5g"][i % 9 // 3] if risky else "T-shirt"
        consignment = ConsignmentFactory(
            sender_key=f"CN|510000|shop {i % 7}", lines=[{"description": description, "hs_code": "610910"}]
        )
        inspection_outcome_record(
            consignment=consignment, officer=officer, irregularity_found=risky, kind="OTHER" if risky else "NONE"
        )
    version = model_train(min_labels=50)
    assert {"num:text_named", "num:text_likeness"} <= set(version.feature_names)
    assert version.metrics["auc"] > 0.9
    model_promote(model_version=_no_worse(version), supervisor=UserFactory(role="SUPERVISOR"))
    _, model = active_model()
    pills, shirt = (
        ConsignmentFactory(sender_key="CN|510000|shop 3", lines=[{"description": text, "hs_code": "610910"}])
        for text in ("Oxycodone 30 mg tablets", "Cotton T-shirt")
    )
    pills_score, shirt_score = model.scores(postal_frame([pills, shirt]))
    assert pills_score > shirt_score + 0.3
