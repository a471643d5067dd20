"""The back-test runs the production engine over planted patterns and leaves the database as it was."""

import pytest
from django.core.management import call_command

from clearance.models import Consignment, PostalOperator
from core.models import AuditEntry
from simulation.backtest import KINDS, backtest_run

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_the_back_test_reports_every_pattern_and_leaves_nothing_behind(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.02
    before = (Consignment.objects.count(), PostalOperator.objects.count(), AuditEntry.objects.count())

    reports = backtest_run(clean=300, per_kind=15, history=300, seed=3)

    (report,) = reports.values()  # no promoted model: rules and indicators only
    rows = {row["pattern"]: row for row in report["patterns"]}
    assert set(KINDS) <= set(rows)
    for kind in KINDS:
        assert rows[kind]["planted"] >= 15
        assert rows[kind]["share"] >= 0.8, (kind, report["missed_examples"].get(kind))
    assert report["clean"]["items"] >= 290
    assert report["clean"]["red"] <= 0.02
    assert 0.0 < report["clean"]["yellow"] <= 0.15  # the random draw alone sends about 2 % to an officer
    assert (Consignment.objects.count(), PostalOperator.objects.count(), AuditEntry.objects.count()) == before


def test_the_command_prints_the_table(capsys):
    call_command("risk_backtest", "--clean", "100", "--per-kind", "5", "--history", "200")
    out = capsys.readouterr().out
    assert "rules and indicators" in out and "all planted" in out and "clean items" in out
