"""The law in force on a day exports as CSV and imports back (through maker-checker) to the same law."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from core.exceptions import ApplicationError
from law.export import law_csv
from law.models import LawChange
from law.services import law_change_approve, law_file_propose
from law.tables import TABLES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ON = date(2026, 12, 1)


def _empty_the_law():
    for table in TABLES.values():
        table.model.objects.all().delete()


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
def test_import_export_import_gives_the_same_law(tmp_path):
    maker, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    exported = tmp_path / "law.csv"
    call_command("law_export", "--on", ON.isoformat(), "--output", str(exported), stdout=StringIO())
    text = exported.read_text(encoding="utf-8")
    assert {"RegimeTerms", "DeMinimis", "DutyRate", "FlatDuty", "VatRate", "Fee", "ExchangeRate"} <= {
        line.split(",")[0] for line in text.splitlines()[1:]
    }
    assert text.count("\nDutyRate,GB,") > 11830  # the UK Global Tariff and the regime's own rows

    _empty_the_law()
    out = StringIO()
    call_command("law_import", str(exported), "--author", maker.username, stdout=out)
    changes = list(LawChange.objects.order_by("regime__code"))
    assert [change.regime.code for change in changes] == ["BA", "EU", "GB", "US"]
    assert law_csv(on=ON).count("\n") == 1  # nothing is law before approval
    for change in changes:
        assert change.preview["counts"]["changed"] == change.preview["counts"]["ended"] == 0
        law_change_approve(change=change, approver=checker)
    assert law_csv(on=ON) == text

    # Imported again over the same law, it changes nothing.
    again = law_file_propose(author=maker, text=text)
    assert all(change.preview["counts"]["added"] + change.preview["counts"]["changed"] == 0 for change in again)


def test_a_bad_row_refuses_the_file_naming_its_line():
    maker = UserFactory(role="SUPERVISOR")
    text = law_csv(on=ON, regimes=["BA"], tables=["VatRate"])
    lines = text.splitlines()
    bad = lines[1].replace(",17.000", ",-17")
    with pytest.raises(ApplicationError, match="line 2"):
        law_file_propose(author=maker, text="\n".join([lines[0], bad]))
    with pytest.raises(ApplicationError, match="Unknown regime"):
        law_file_propose(author=maker, text="\n".join([lines[0], lines[1].replace(",BA,", ",ZZ,")]))
    assert not LawChange.objects.exists()
