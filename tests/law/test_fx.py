"""Exchange rates: the ECB and Fed H.10 files load; a rate older than the regime's rule allows is said
on the payer's breakdown, the officer's item page, the dashboard and /healthz, and may hold the item."""

from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clearance.choices import ConsignmentState, Lane
from core import health
from law.choices import FxRule
from law.fx import fx_publication_expected, fx_stale_since, read_rate_file
from law.models import ExchangeRate, Regime
from payments.assessment import consignments_assess_charges, consignments_route
from tests.factories import ConsignmentFactory, UserFactory
from tests.payments.helpers import item_url, make_due

pytestmark = pytest.mark.django_db
FED = Path(__file__).resolve().parents[2] / "law" / "data" / "fed-h10-monthly-2024-2026.csv"


def test_the_rule_says_which_publication_is_expected():
    assert fx_publication_expected(FxRule.PENULTIMATE_WEDNESDAY, date(2025, 3, 10)) == date(2025, 2, 19)
    assert fx_publication_expected(FxRule.DAILY, date(2025, 3, 10)) == date(2025, 3, 10)
    assert fx_stale_since(FxRule.DAILY, 7, date(2025, 3, 3), date(2025, 3, 10)) is None  # a week old: allowed
    assert fx_stale_since(FxRule.DAILY, 7, date(2025, 3, 2), date(2025, 3, 10)) == date(2025, 3, 10)
    assert fx_stale_since(FxRule.PENULTIMATE_WEDNESDAY, 7, date(2025, 2, 19), date(2025, 3, 31)) is None
    assert fx_stale_since(FxRule.PENULTIMATE_WEDNESDAY, 7, date(2025, 1, 22), date(2025, 3, 1)) == date(2025, 2, 19)


def test_fx_load_reads_the_fed_h10_file():
    out = StringIO()
    call_command("fx_load", str(FED), "--since", "2026-01-01", stdout=out)
    assert "Fed H.10 file, 6 publications from 2026-01-01 to 2026-06-01" in out.getvalue()
    gb = ExchangeRate.objects.get(regime__code="GB", currency="USD", valid_from=date(2026, 6, 1))
    assert gb.units_per_regime_unit == (1 / D("0.7497")).quantize(D("0.00000001"))  # GBP 0.7497 per USD
    assert "Fed H.10" in gb.source
    # The EU's June takes the latest publication before the penultimate Wednesday of May, until replaced.
    eu = ExchangeRate.objects.get(regime__code="EU", currency="USD", valid_from=date(2026, 6, 1))
    assert (eu.published_on, eu.valid_to) == (date(2026, 5, 1), None)
    ba = ExchangeRate.objects.get(regime__code="BA", currency="EUR", valid_from=date(2026, 6, 1))
    assert ba.units_per_regime_unit == D("0.51129188")  # 1 / 1.95583, the peg, whatever the file's base


def test_fx_load_reads_an_ecb_file_and_refuses_a_bad_one(tmp_path):
    ecb = tmp_path / "ecb.csv"
    ecb.write_text("Date,USD,JPY,GBP,CYP,\n2026-11-30,1.0500,160.10,0.8300,N/A,\n2026-11-27,1.0400,N/A,0.8310,N/A,\n")
    call_command("fx_load", str(ecb), stdout=StringIO())
    assert ExchangeRate.objects.get(
        regime__code="GB", currency="USD", valid_from=date(2026, 11, 30)
    ).units_per_regime_unit == (D("1.0500") / D("0.8300")).quantize(D("0.00000001"))
    assert read_rate_file(ecb.read_text()).skipped == 3
    for text, message in (
        ("Date,USD\n2026-11-30,-1.05\n", "line 2: '-1.05' is not a rate above zero"),
        ("Date,USD\n30/11/2026,1.05\n", "line 2: '30/11/2026' is not a date"),
        ("Date,XXQ\n2026-11-30,1.05\n", "'XXQ' is not an ISO 4217 currency code"),
        ("Date,Country,Exchange rate\n2026-11-01,Atlantis,1.0\n", "unknown series 'Atlantis'"),
        ("day;rate\n", "not an ECB"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(CommandError, match=message):
            call_command("fx_load", str(bad), stdout=StringIO())


def _fresh_rates(day=None):
    """A rate published today for every regime and currency the tests use."""
    day = day or timezone.now().date()
    for regime in Regime.objects.all():
        for currency in ("USD", "EUR", "GBP", "BAM"):
            if currency != regime.currency:
                ExchangeRate.objects.create(
                    regime=regime,
                    currency=currency,
                    units_per_regime_unit=D("1.1"),
                    published_on=day,
                    valid_from=day,
                    source="test",
                )


def _held_item(**fields):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, total_value=D("400"), **fields)
    consignments_assess_charges(consignment_ids=[consignment.pk])
    return consignment


def test_a_stale_rate_is_said_on_the_assessment_the_payer_and_the_officer_see(client):
    # Today is long after the last seeded rate (2025-05-09): a USD item to Bosnia uses a stale rate.
    due = make_due()
    assessment = due.assessments.get(is_current=True)
    assert assessment.details["fxStale"]["publishedOn"] == "2025-05-09"
    assert "older than the regime's rule allows" in assessment.details["fxStale"]["message"]
    page = client.get(item_url(due)).content.decode()
    assert 'id="fx-stale"' in page and "published on 2025-05-09" in page

    officer = UserFactory(role="OFFICER")
    client.force_login(officer)
    held = _held_item()
    page = client.get(f"/officer/items/{held.pk}/").content.decode()
    assert "Stale exchange rate: the rate used was published on 2025-05-09" in page
    queue = client.get("/officer/").content.decode()
    assert "Exchange rates of BA are stale: the last rate is of 2025-05-09" in queue

    _fresh_rates()
    fresh = make_due()
    assert "fxStale" not in fresh.assessments.get(is_current=True).details
    assert 'id="fx-stale"' not in client.get(item_url(fresh)).content.decode()
    assert "Exchange rates of BA are stale" not in client.get("/officer/").content.decode()


def test_healthz_names_the_last_rate_date_while_it_is_stale(client, settings):
    settings.OPENCLEAR_HEALTH_CACHE_SECONDS = 0
    health._Memo.report, health._Memo.taken_at = None, 0.0
    rates = client.get("/healthz").json()["checks"]["exchange_rates"]
    assert rates["ok"] is False
    assert rates["stale"] == ["BA", "EU", "GB", "US"]
    assert rates["lastRate"]["GB"] == "2025-05-09"
    _fresh_rates()
    health._Memo.report = None
    rates = client.get("/healthz").json()["checks"]["exchange_rates"]
    assert (rates["ok"], rates["stale"]) == (True, [])
    assert rates["lastRate"]["GB"] == timezone.now().date().isoformat()


def test_a_setting_holds_items_assessed_with_a_stale_rate(settings):
    settings.OPENCLEAR_STALE_FX_ACTION = "hold"
    consignment = ConsignmentFactory(state=ConsignmentState.ASSESSED, lane=Lane.GREEN, total_value=D("400"))
    assessment = consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]
    assert assessment.needs_officer.startswith("The USD exchange rate used was published on 2025-05-09")
    consignments_route(assessments={consignment.pk: assessment})
    consignment.refresh_from_db()
    assert consignment.state == ConsignmentState.HELD
    yesterday = timezone.now().date() - timedelta(days=1)
    _fresh_rates(yesterday)
    again = ConsignmentFactory(state=ConsignmentState.ASSESSED, lane=Lane.GREEN, total_value=D("400"))
    assert not consignments_assess_charges(consignment_ids=[again.pk])[again.pk].needs_officer
