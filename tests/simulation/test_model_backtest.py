"""Training and promotion rest on the back-test: a model is compared with the rules and indicators alone."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from risk.models import ModelVersion
from risk.services import model_train
from tests.factories import UserFactory, labelled_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_random(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()


def test_risk_train_refuses_too_few_labels():
    with pytest.raises(CommandError, match="labelled items"):
        call_command("risk_train", stdout=StringIO())
    assert not ModelVersion.objects.exists()


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_risk_train_back_tests_the_model_against_the_rules_alone():
    labelled_history(UserFactory(role="OFFICER"))
    out = StringIO()
    call_command("risk_train", "--min-labels", "50", stdout=out)

    assert "trained on 120 items (inactive)" in out.getvalue()
    version = ModelVersion.objects.get()
    backtest = version.metrics["backtest"]
    assert set(backtest) == {"rules_only", "with_model", "no_worse", "why"}
    assert backtest["rules_only"]["caught"] >= 0.9
    assert backtest["with_model"]["caught"] >= backtest["rules_only"]["caught"]  # a model only adds to the score
    assert version.metrics["weighting"] == {"random_inspection_labels": 0, "targeted_labels": 120}


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_promoting_a_version_that_has_no_back_test_runs_it_first(client):
    labelled_history(UserFactory(role="OFFICER"))
    version = model_train(min_labels=50)
    assert "backtest" not in version.metrics

    client.force_login(UserFactory(role="SUPERVISOR"))
    page = client.post(f"/officer/models/{version.pk}/promote", follow=True).content.decode()

    version.refresh_from_db()
    assert version.metrics["backtest"]["no_worse"] is True, version.metrics["backtest"]
    assert version.is_active is True
    assert f"Model {version.pk} now scores new items." in page
