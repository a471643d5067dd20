"""Time Release Study, indicators and the de minimis simulator on constructed timelines with known answers."""

import io
import itertools
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from clearance.choices import ConsignmentState, DecisionCode, Lane
from clearance.models import Decision
from core.models import AuditEntry
from law.models import Regime
from payments.assessment import TariffBook, consignments_assess_charges
from payments.deminimis import Scenario, compare, simulation_request, simulation_run
from payments.models import Payment, PaymentItem, SimulationRun
from performance import indicators as performance
from performance import summaries, trs
from performance.models import TrsBucket, TrsDay
from risk.models import InspectionOutcome, RiskAssessment
from tests.factories import ConsignmentFactory, OfficeFactory, PostalOperatorFactory, UserFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 10, 5)
HOUR = 3600
SEQUENCE = itertools.count(1)  # decisions' sequence numbers, unique across the module


def at(day: date, hours: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


def decide(consignment, code, when):
    return Decision.objects.create(
        operator=consignment.operator,
        consignment=consignment,
        sequence=next(SEQUENCE),
        code=code,
        decided_at=when,
        decided_by="test",
    )


def pay(consignment, amount: str, when: datetime, currency="EUR", state="SUCCEEDED") -> Payment:
    assessment = consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]
    payment = Payment.objects.create(
        idempotency_key=f"k-{consignment.pk}-{when}",
        provider="sandbox",
        state=state,
        amount=Decimal(amount),
        currency=currency,
        paid_at=when,
    )
    PaymentItem.objects.create(payment=payment, consignment=consignment, assessment=assessment, amount=Decimal(amount))
    return payment


@pytest.fixture
def timelines():
    """Monday: ten items released 1..10 hours after arrival (six green, four yellow).
    Tuesday: two items that paid charges, and one decided before it arrived."""
    operator = PostalOperatorFactory(name="Posta Kine")
    office = OfficeFactory()
    for hours in range(1, 11):
        item = ConsignmentFactory(
            operator=operator,
            office=office,
            pre_advised_at=at(MONDAY, 8),
            arrived_at=at(MONDAY, 10),
            lane=Lane.GREEN if hours <= 6 else Lane.YELLOW,
            state=ConsignmentState.RELEASED,
        )
        decide(item, DecisionCode.RELEASE_NO_CHARGE, at(MONDAY, 10 + hours))
    tuesday = MONDAY + timedelta(days=1)
    for minutes_to_pay in (30, 90):
        item = ConsignmentFactory(
            operator=operator,
            pre_advised_at=at(tuesday, 6),
            arrived_at=at(tuesday, 8),
            lane=Lane.GREEN,
            state=ConsignmentState.RELEASED,
        )
        decide(item, DecisionCode.RELEASE_CHARGES_DUE, at(tuesday, 9))
        pay(item, "12.50", at(tuesday, 9 + minutes_to_pay / 60))
        decide(item, DecisionCode.RELEASED, at(tuesday, 9 + minutes_to_pay / 60 + 0.25))
    early = ConsignmentFactory(
        operator=operator,
        pre_advised_at=at(tuesday, 6),
        arrived_at=at(tuesday, 9),
        lane=Lane.GREEN,
        state=ConsignmentState.RELEASED,
    )
    decide(early, DecisionCode.RELEASE_NO_CHARGE, at(tuesday, 7))
    summaries.trs_days_refresh(start=MONDAY, end=tuesday)
    return operator


def close(value, expected):
    """Within the summaries' documented relative error."""
    return value == pytest.approx(expected, rel=trs.RELATIVE_ERROR)


def test_percentiles_are_nearest_rank_within_the_relative_error():
    durations = [hours * HOUR for hours in range(1, 11)]
    counts = {}
    for seconds in durations:
        counts[trs.bucket_of(seconds)] = counts.get(trs.bucket_of(seconds), 0) + 1
    assert close(trs.percentile(counts, 0.5), 5 * HOUR)
    assert close(trs.percentile(counts, 0.9), 9 * HOUR)
    assert close(trs.percentile(counts, 1.0), 10 * HOUR)
    assert trs.percentile({}, 0.5) is None
    assert trs.percentile({0: 3}, 0.5) == 0


def test_every_duration_is_within_the_relative_error_of_its_bucket():
    for seconds in (1, 1.5, 59, 61, 3599, 3600, 86_400 * 7, 86_400 * 90):
        assert close(trs.bucket_value(trs.bucket_of(seconds)), seconds)


def test_the_study_of_a_day_has_the_known_mean_median_and_p90(timelines):
    result = performance.trs_for_period(start=MONDAY, end=MONDAY, breakdown="lane")
    release = result.overall.stats["arrival_to_release"]
    assert release.count == 10
    assert release.mean == pytest.approx(5.5 * HOUR, abs=1e-6)  # means are exact
    assert close(release.median, 5 * HOUR)
    assert close(release.p90, 9 * HOUR)
    assert close(result.overall.stats["pre_advice_to_arrival"].median, 2 * HOUR)
    assert result.overall.stats["decision_to_payment"].count == 0
    groups = {group.label: group for group in result.groups}
    assert close(groups["GREEN"].stats["arrival_to_release"].median, 3 * HOUR)
    assert close(groups["YELLOW"].stats["arrival_to_release"].median, 8 * HOUR)
    assert close(groups["YELLOW"].stats["arrival_to_release"].p90, 10 * HOUR)
    assert (groups["GREEN"].items, groups["YELLOW"].items) == (6, 4)


def test_a_withdrawn_pre_advice_is_not_in_the_study(timelines):
    ConsignmentFactory(operator=timelines, pre_advised_at=at(MONDAY, 9), state=ConsignmentState.WITHDRAWN)
    ConsignmentFactory(operator=timelines, pre_advised_at=at(MONDAY, 9), state=ConsignmentState.PRE_ADVISED)
    summaries.trs_days_refresh(start=MONDAY, end=MONDAY)

    result = performance.trs_for_period(start=MONDAY, end=MONDAY, breakdown="lane")

    assert result.overall.items == 11  # the ten released and the one still pre-advised


def test_an_item_that_arrived_without_pre_advice_has_no_pre_advice_step(timelines):
    ConsignmentFactory(operator=timelines, pre_advised_at=at(MONDAY, 11), arrived_at=at(MONDAY, 10), unannounced=True)
    summaries.trs_days_refresh(start=MONDAY, end=MONDAY)

    result = performance.trs_for_period(start=MONDAY, end=MONDAY, breakdown="lane")

    assert result.overall.items == 11
    assert result.overall.stats["pre_advice_to_arrival"].count == 10
    assert close(result.overall.stats["pre_advice_to_arrival"].median, 2 * HOUR)


def test_payment_steps_and_decisions_before_arrival(timelines):
    tuesday = MONDAY + timedelta(days=1)
    result = performance.trs_for_period(start=tuesday, end=tuesday, breakdown="operator")
    paying = result.overall.stats["decision_to_payment"]
    assert paying.count == 2
    assert paying.mean == pytest.approx(HOUR)  # 30 and 90 minutes
    assert close(paying.median, 30 * 60)
    assert close(result.overall.stats["payment_to_release"].median, 15 * 60)
    assert result.overall.decided == 3
    assert result.overall.decided_before_arrival_share == pytest.approx(1 / 3)
    # Released two hours before it arrived: counted as zero, never negative.
    assert result.overall.counts["arrival_to_release"].get(0) == 1
    assert [group.label for group in result.groups] == ["Posta Kine"]


def test_weeks_gather_their_days_and_a_refresh_is_idempotent(timelines):
    rows = TrsDay.objects.count(), TrsBucket.objects.count()
    summaries.trs_days_refresh(start=MONDAY, end=MONDAY + timedelta(days=1))
    assert (TrsDay.objects.count(), TrsBucket.objects.count()) == rows
    result = performance.trs_for_period(start=MONDAY, end=MONDAY + timedelta(days=6), breakdown="week")
    assert [(group.label, group.items) for group in result.groups] == [("2026-W41", 13)]
    assert result.groups[0].stats["arrival_to_release"].count == 13


def test_a_late_payment_is_counted_when_its_day_is_refreshed(timelines):
    wednesday = MONDAY + timedelta(days=2)
    item = ConsignmentFactory(pre_advised_at=at(wednesday, 1), arrived_at=at(wednesday, 2), lane=Lane.GREEN)
    decide(item, DecisionCode.RELEASE_CHARGES_DUE, at(wednesday, 3))
    summaries.trs_days_refresh(start=wednesday, end=wednesday)
    before = performance.trs_for_period(start=wednesday, end=wednesday)
    assert before.overall.stats["decision_to_payment"].count == 0
    pay(item, "4.00", at(wednesday, 7))
    summaries.trs_days_refresh(start=wednesday, end=wednesday)
    after = performance.trs_for_period(start=wednesday, end=wednesday)
    assert close(after.overall.stats["decision_to_payment"].median, 4 * HOUR)


def test_hit_rates_per_rule_for_the_model_and_for_random_selection(timelines):
    officer = UserFactory()
    findings = (
        [({"rules_fired": ["ipr-brands@v2"]}, found) for found in (True, True, True, False)]
        + [({"random_selection": True}, found) for found in (True, False, False, False, False)]
        + [({"model_score": Decimal("0.8")}, True), ({"model_score": Decimal("0.1")}, False)]
    )
    for selection, found in findings:
        item = ConsignmentFactory(pre_advised_at=at(MONDAY, 1))
        RiskAssessment.objects.create(
            consignment=item,
            consignment_version=1,
            score=Decimal("0.5"),
            lane=Lane.YELLOW,
            assessed_at=at(MONDAY, 2),
            **selection,
        )
        InspectionOutcome.objects.create(
            consignment=item, officer=officer, irregularity_found=found, created_at=at(MONDAY, 12)
        )
    rates = {r.selection: r for r in performance.indicators_for_period(start=MONDAY, end=MONDAY).hit_rates}
    assert (rates["rule ipr-brands"].inspected, rates["rule ipr-brands"].rate) == (4, 0.75)
    assert (rates["random selection"].inspected, rates["random selection"].rate) == (5, 0.2)
    assert (rates["model"].inspected, rates["model"].rate) == (1, 1.0)
    assert rates["all inspections"].inspected == 11
    assert (
        performance.indicators_for_period(start=MONDAY + timedelta(days=1), end=MONDAY + timedelta(days=1)).hit_rates
        == []
    )


def test_hit_rates_per_reason_code_on_the_page_and_in_the_exports(timelines, client):
    officer = UserFactory()
    brand = {"code": "goods.brand_word", "params": {"rule": "Rolex", "word": "rolex"}, "rule": "rolex@v1"}
    vague = {"code": "goods.vague_description", "params": {"text": "gift"}}
    inspected = [([brand], True), ([brand, vague], True), ([vague], False), ([vague], False), ([], False)]
    for stored, found in inspected:
        item = ConsignmentFactory(pre_advised_at=at(MONDAY, 1))
        RiskAssessment.objects.create(
            consignment=item,
            consignment_version=1,
            score=Decimal("0.5"),
            lane=Lane.YELLOW,
            assessed_at=at(MONDAY, 2),
            reasons=stored,
        )
        InspectionOutcome.objects.create(
            consignment=item, officer=officer, irregularity_found=found, created_at=at(MONDAY, 12)
        )
    indicators = performance.indicators_for_period(start=MONDAY, end=MONDAY)
    rates = {r.selection: (r.inspected, r.found, r.rate) for r in indicators.reason_hit_rates}
    assert rates == {"goods.vague_description": (3, 1, pytest.approx(1 / 3)), "goods.brand_word": (2, 2, 1.0)}

    client.force_login(UserFactory(role="OFFICER"))
    query = {"start": MONDAY.isoformat(), "end": MONDAY.isoformat()}
    page = client.get("/officer/performance/indicators/", query, headers={"Accept-Language": "fr"}).content.decode()
    row = page.split('data-reason="goods.brand_word">')[1].split("</tr>")[0]
    assert "Marque citée dans la description" in row and "100" in row
    sheet = load_workbook(
        io.BytesIO(client.get("/officer/performance/indicators/", {**query, "format": "xlsx"}).content)
    )
    rows = list(sheet["reason_hit_rates"].values)
    assert rows[0] == ("reason", "reason_label", "inspected", "irregularities_found", "hit_rate")
    assert rows[1] == ("goods.vague_description", "Vague description", 3, 1, pytest.approx(1 / 3))
    csv = client.get("/officer/performance/indicators/", {**query, "format": "csv"}).content.decode()
    table = pd.read_csv(io.StringIO(csv)).query("table == 'reason_hit_rates'")
    brand_row = table[table["reason"] == "goods.brand_word"].iloc[0]
    assert (brand_row["reason_label"], brand_row["inspected"], brand_row["hit_rate"]) == (
        "Brand word in the description",
        2,
        1.0,
    )


def test_revenue_lane_shares_and_items_per_day(timelines):
    tuesday = MONDAY + timedelta(days=1)
    indicators = performance.indicators_for_period(start=MONDAY, end=tuesday)
    assert indicators.collected == {"EUR": Decimal("25.00")}
    assert indicators.items_per_day == [(MONDAY, 10), (tuesday, 3)]
    assert indicators.lane_shares == [("GREEN", 9, pytest.approx(9 / 13)), ("YELLOW", 4, pytest.approx(4 / 13))]
    assert indicators.disputes["charged_items"] == 2
    assert performance.indicators_for_period(start=MONDAY, end=MONDAY).collected == {}


# --- Pages, exports and the report ---------------------------------------------------------------


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(role="OFFICER"))
    return client


def test_the_trs_page_shows_the_study_and_its_chart(officer_client, timelines):
    html = officer_client.get("/officer/performance/trs/", {"start": MONDAY, "end": MONDAY}).content.decode()
    assert '<tr data-measure="arrival_to_release"><th>Arrival → release</th><td>10</td><td>5.5 h</td>' in html
    assert 'data-group="YELLOW"' in html and "<svg" in html
    refused = officer_client.get("/officer/performance/trs/", {"start": MONDAY, "end": MONDAY - timedelta(days=1)})
    assert "The period must start before it ends." in refused.content.decode()


def test_the_average_is_over_every_day_of_the_period_and_the_summaries_say_their_age(
    officer_client, timelines, django_capture_on_commit_callbacks
):
    sunday = MONDAY + timedelta(days=6)
    indicators = performance.indicators_for_period(start=MONDAY, end=sunday)
    assert len(indicators.items_per_day) == 7 and indicators.items_per_day[6] == (sunday, 0)
    assert indicators.average_items_per_day == pytest.approx(13 / 7)  # not 13 / 2 summarised days
    html = officer_client.get("/officer/performance/indicators/", {"start": MONDAY, "end": sunday}).content.decode()
    assert "1.9 items per day on average." in html and "Figures from summaries built" in html
    with django_capture_on_commit_callbacks() as callbacks:
        response = officer_client.post(
            "/officer/performance/summaries/rebuild", {"start": MONDAY, "end": sunday, "back": "performance:indicators"}
        )
    assert response["Location"] == "/officer/performance/indicators/" and len(callbacks) == 1


def test_exports_keep_counts_whole_and_amounts_numbers(officer_client, timelines):
    query = {"start": MONDAY, "end": MONDAY + timedelta(days=1), "breakdown": "lane"}
    lines = officer_client.get("/officer/performance/indicators/", {**query, "format": "csv"}).content.decode()
    assert ",10,items_per_day" in lines.replace(",10.0,", ",BAD,") and ",10.0," not in lines
    xlsx = officer_client.get("/officer/performance/indicators/", {**query, "format": "xlsx"})
    revenue = load_workbook(io.BytesIO(xlsx.content))["revenue"]
    amounts = [row[2] for row in revenue.iter_rows(min_row=2, values_only=True)]
    assert amounts and all(isinstance(amount, int | float) for amount in amounts)


def test_exports_in_csv_and_xlsx(officer_client, timelines):
    query = {"start": MONDAY, "end": MONDAY, "breakdown": "lane"}
    csv = officer_client.get("/officer/performance/trs/", {**query, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("group,items,decided_before_arrival_share,measure,count,mean_seconds")
    assert any(line.startswith("all,10,") and ",arrival_to_release,10,19800.0," in line for line in lines)
    xlsx = officer_client.get("/officer/performance/indicators/", {**query, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"items_per_day", "lane_shares", "hit_rates", "revenue"} <= set(book.sheetnames)
    assert [cell.value for cell in book["items_per_day"][2]][1] == 10
    assert zipfile.is_zipfile(io.BytesIO(xlsx.content))


def test_trs_report_as_pdf_and_html(timelines, tmp_path):
    call_command("trs_report", "--from", str(MONDAY), "--to", str(MONDAY), "--output", str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    call_command("trs_report", "--from", str(MONDAY), "--to", str(MONDAY), "--output", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    assert "Time Release Study, items pre-advised 2026-10-05 – 2026-10-05" in html
    assert "<td>Arrival → release</td><td>10</td><td>5.5 h</td>" in html


# --- The de minimis simulator -------------------------------------------------------------------------


def eu_item(**fields):
    """Two distinct tariff lines, EUR 20 in all, to Germany, after the EU's flat duty began."""
    fields.setdefault("pre_advised_at", at(date(2026, 10, 5), 9))
    return ConsignmentFactory(
        currency="EUR",
        total_value=Decimal("20.00"),
        addressee_country="DE",
        lines=[{"value": Decimal("12.00"), "hs_code": "610910"}, {"value": Decimal("8.00"), "hs_code": "420222"}],
        **fields,
    )


def test_a_flat_duty_per_line_changes_duty_by_the_known_amount():
    items = [eu_item(), eu_item()]
    comparison = compare(
        items, scenario=Scenario(flat_duty_per_line=Decimal("5.00")), book=TariffBook(), currency="EUR"
    )
    result = comparison.as_json()
    assert result["items"] == 2
    assert result["in_force"]["duty"] == "12.00"  # 2 items × 2 tariff lines × EUR 3
    assert result["scenario"]["duty"] == "20.00"  # 2 items × 2 tariff lines × EUR 5
    assert result["difference"]["duty"] == "8.00"
    assert result["difference"]["vat"] == "1.52"  # German VAT, 19 %, is charged on the duty too


def test_a_higher_threshold_frees_items_from_payment_and_matches_the_real_assessment():
    bosnian = ConsignmentFactory(total_value=Decimal("400.00"), pre_advised_at=at(MONDAY, 9), lane=Lane.RED)
    real = consignments_assess_charges(consignment_ids=[bosnian.pk])[bosnian.pk]
    scenario = Scenario(duty_threshold=Decimal("100000"), vat_threshold=Decimal("100000"))
    result = compare([bosnian], scenario=scenario, book=TariffBook(), currency="BAM").as_json()
    assert Decimal(result["in_force"]["total"]) == real.total > 0
    assert result["in_force"]["items_paying"] == 1
    assert result["scenario"]["items_paying"] == 0
    assert (result["in_force"]["risk_holds"], result["scenario"]["officer_workload"]) == (1, 1)


def test_without_the_flat_duty_the_tariff_applies_unless_a_relief_is_brought_back():
    book = TariffBook()
    tariff = compare([eu_item()], scenario=Scenario(without_flat_duty=True), book=book, currency="EUR").as_json()
    assert tariff["scenario"]["duty"] == "1.68"  # 12 % of EUR 12 (HS 61) + 3 % of EUR 8 (HS 42)
    relief = Scenario(without_flat_duty=True, duty_threshold=Decimal("150"))
    assert compare([eu_item()], scenario=relief, book=book, currency="EUR").as_json()["scenario"]["duty"] == "0.00"


def test_a_run_is_recorded_computed_once_and_audited(django_capture_on_commit_callbacks):
    eu_item()
    supervisor = UserFactory(role="SUPERVISOR")
    with django_capture_on_commit_callbacks() as callbacks:
        run = simulation_request(
            user=supervisor,
            regime=Regime.objects.get(code="EU"),
            start=MONDAY,
            end=MONDAY,
            scenario=Scenario(flat_duty_per_line=Decimal("5.00")),
        )
    assert len(callbacks) == 1 and run.state == SimulationRun.State.PENDING
    done = simulation_run(run_id=run.pk)
    assert done.state == SimulationRun.State.DONE and done.result["difference"]["duty"] == "4.00"
    assert simulation_run(run_id=run.pk).finished_at == done.finished_at  # a second delivery changes nothing
    actions = list(
        AuditEntry.objects.filter(target_id=run.pk, action__startswith="payments.simulation")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["payments.simulation.requested", "payments.simulation.done"]


def test_only_supervisors_run_the_simulator(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(role="OFFICER"))
    assert client.get("/officer/performance/simulator/").status_code == 403
    client.force_login(UserFactory(role="SUPERVISOR"))
    eu = Regime.objects.get(code="EU")
    with django_capture_on_commit_callbacks():
        response = client.post(
            "/officer/performance/simulator/",
            {"regime": eu.pk, "start": MONDAY, "end": MONDAY, "flat_duty_per_line": "5", "without_flat_duty": "on"},
        )
    assert "Either set a flat duty or drop it, not both." in response.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/officer/performance/simulator/", {"regime": eu.pk, "start": MONDAY, "end": MONDAY, "duty_threshold": "0"}
        )
    run = SimulationRun.objects.get()
    assert response["Location"] == f"/officer/performance/simulator/{run.pk}/" and len(callbacks) == 1
    simulation_run(run_id=run.pk)
    page = client.get(response["Location"]).content.decode()
    run.refresh_from_db()
    assert 'id="simulation-table"' in page
    # Charts are drawn when the period has items; otherwise the page says there is no data, not a blank box.
    assert ("<svg" in page) == bool(run.result["items"]) and ("No data for this period." in page) != bool(
        run.result["items"]
    )


# --- Every step from arrival to delivery, over a constructed month ---------------------------------------------

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def october():
    """Five items on five days of October: item i is presented i hours after arrival, decided 2i hours later,
    leaves the office of exchange 0.5i hours after the decision and is delivered i days after it left. A sixth
    is only arrived and decided: steps count the items that have both ends."""
    operator = PostalOperatorFactory()
    for i, day in enumerate((1, 8, 15, 22, 29), start=1):
        arrived = at(date(2026, 10, day), 10)
        decided = arrived + timedelta(hours=3 * i)
        exited = decided + timedelta(hours=0.5 * i)
        item = ConsignmentFactory(
            operator=operator,
            pre_advised_at=at(date(2026, 10, day), 8),
            arrived_at=arrived,
            presented_at=arrived + timedelta(hours=i),
            exited_at=exited,
            delivered_at=exited + timedelta(days=i),
            state=ConsignmentState.RELEASED,
        )
        decide(item, DecisionCode.RELEASE_NO_CHARGE, decided)
    only_decided = ConsignmentFactory(
        operator=operator, pre_advised_at=at(date(2026, 10, 30), 8), arrived_at=at(date(2026, 10, 30), 9)
    )
    decide(only_decided, DecisionCode.RELEASE_NO_CHARGE, at(date(2026, 10, 30), 10))
    summaries.trs_days_refresh(start=OCTOBER[0], end=OCTOBER[1])
    return operator


@pytest.mark.parametrize(
    ("measure", "median", "p90", "mean"),
    [
        ("arrival_to_presentation", 3 * HOUR, 5 * HOUR, 3 * HOUR),
        ("presentation_to_decision", 6 * HOUR, 10 * HOUR, 6 * HOUR),
        ("decision_to_exit", 1.5 * HOUR, 2.5 * HOUR, 1.5 * HOUR),
        ("exit_to_delivery", 3 * 24 * HOUR, 5 * 24 * HOUR, 3 * 24 * HOUR),
        ("presentation_to_exit", 7.5 * HOUR, 12.5 * HOUR, 7.5 * HOUR),
    ],
)
def test_each_step_from_arrival_to_delivery_has_its_known_median_p90_and_mean(october, measure, median, p90, mean):
    stats = performance.trs_for_period(start=OCTOBER[0], end=OCTOBER[1], breakdown="lane").overall.stats[measure]

    assert stats.count == 5
    assert stats.mean == pytest.approx(mean, abs=1e-6)
    assert close(stats.median, median)
    assert close(stats.p90, p90)


def test_a_step_counts_only_items_with_both_ends_and_a_decision_before_presentation_is_no_time(october):
    early = ConsignmentFactory(
        pre_advised_at=at(date(2026, 10, 2), 8),
        arrived_at=at(date(2026, 10, 2), 10),
        presented_at=at(date(2026, 10, 2), 12),
    )
    decide(early, DecisionCode.RELEASE_NO_CHARGE, at(date(2026, 10, 2), 9))
    summaries.trs_days_refresh(start=date(2026, 10, 2), end=date(2026, 10, 2))

    stats = performance.trs_for_period(start=OCTOBER[0], end=OCTOBER[1], breakdown="lane").overall.stats

    assert stats["arrival_to_decision"].count == 7
    assert stats["presentation_to_decision"].count == 6
    assert stats["presentation_to_decision"].mean == pytest.approx(30 * HOUR / 6, abs=1e-6)


def test_the_trs_page_and_export_show_every_step(officer_client, october):
    query = {"start": OCTOBER[0], "end": OCTOBER[1], "breakdown": "lane"}
    html = officer_client.get("/officer/performance/trs/", query).content.decode()
    lines = officer_client.get("/officer/performance/trs/", {**query, "format": "csv"}).content.decode().splitlines()

    for measure in ("arrival_to_presentation", "presentation_to_decision", "decision_to_exit", "exit_to_delivery"):
        assert f'<tr data-measure="{measure}">' in html
        assert any(f",{measure},5," in line for line in lines if line.startswith("all,"))
    assert "Presentation → exit (time at the office of exchange)" in html
