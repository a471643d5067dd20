"""The officer dashboard in a real browser (Playwright driving Chromium); screenshots go to test-artifacts/."""

import re
from decimal import Decimal

import pytest

from clearance.choices import ConsignmentState, Lane
from clearance.models import Claim, Consignment
from payments.assessment import consignments_assess_charges
from risk.models import InspectionOutcome, RiskAssessment, Rule
from tests.conftest import ARTIFACTS
from tests.factories import ConsignmentFactory, UserFactory, image_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def held(score: str, lane=Lane.YELLOW, **fields) -> Consignment:
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=lane, risk_score=Decimal(score), **fields)
    consignments_assess_charges(consignment_ids=[consignment.pk])
    RiskAssessment.objects.create(
        consignment=consignment,
        consignment_version=1,
        score=Decimal(score),
        lane=lane,
        reasons=["Undervalued: 0.2 × the reference unit value of HS 610910"],
    )
    return consignment


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/officer/")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def test_log_in_see_the_queue_open_an_item_and_release_it(page, live_server):
    officer = UserFactory(role="OFFICER")
    low, high = held("0.4000"), held("0.9100", lane=Lane.RED)
    log_in(page, live_server, officer)
    rows = page.locator("#queue-rows tr")
    assert rows.first.get_attribute("data-item") == str(high.pk)  # highest risk first
    shot(page, "queue")

    page.get_by_role("link", name=low.item_id).click()
    assert page.locator("h1").inner_text().startswith(low.item_id)
    assert "Undervalued" in page.locator("#reasons").inner_text()
    shot(page, "item")
    page.locator("#release").click()
    page.wait_for_url(f"{live_server.url}/officer/")
    assert "Released" in page.locator(".messages").inner_text()
    low.refresh_from_db()
    assert low.state == ConsignmentState.RELEASED


def test_inspect_and_record_an_outcome(page, live_server, tmp_path):
    officer = UserFactory(role="OFFICER")
    item = held("0.8000", lane=Lane.RED)
    photo = tmp_path / "opened.png"
    photo.write_bytes(image_upload().read())
    log_in(page, live_server, officer)
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    page.locator("#irregular").check()
    page.get_by_label("Kind").select_option("UNDERVALUATION")
    page.get_by_label("Additional duty").fill("14.20")
    page.get_by_label("Notes").fill("Invoice in the parcel says USD 95")
    page.get_by_label("Photos").set_input_files(str(photo))
    page.locator("#record-outcome").click()
    assert "14.20 BAM" in page.locator("#review-facts").inner_text()  # what will be sent, before it is
    page.locator("#review-send").click()
    assert "The inspection outcome was recorded." in page.locator(".messages").inner_text()
    shot(page, "inspection")
    outcome = InspectionOutcome.objects.get(consignment=item)
    assert (outcome.kind, outcome.additional_duty, outcome.photos.count()) == ("UNDERVALUATION", Decimal("14.20"), 1)


def test_a_seizure_waits_for_a_supervisor(page, browser, live_server):
    officer, supervisor = UserFactory(role="OFFICER"), UserFactory(role="SUPERVISOR")
    item = held("0.9500", lane=Lane.RED, lines=[{"description": "Replica watches", "hs_code": "910211"}])
    log_in(page, live_server, officer)
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    page.get_by_text("Seize", exact=True).click()
    page.get_by_label("Grounds").fill("Counterfeit watches, brand owner confirmed")
    page.locator("#propose-seizure").click()
    assert "waits for a supervisor" in page.locator(".messages").inner_text()
    item.refresh_from_db()
    assert item.state == ConsignmentState.HELD

    context = browser.new_context()
    second = context.new_page()
    log_in(second, live_server, supervisor)
    second.get_by_role("link", name=re.compile("seizure waits")).click()
    second.get_by_role("button", name="Confirm the seizure").click()
    assert "Seizure confirmed." in second.locator(".messages").inner_text()
    shot(second, "seizure-confirmed")
    context.close()
    item.refresh_from_db()
    assert item.state == ConsignmentState.SEIZED


def test_a_rule_change_is_approved_by_a_second_supervisor(page, browser, live_server):
    author, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    log_in(page, live_server, author)
    page.goto(f"{live_server.url}/officer/rules/")
    page.get_by_label("Code (same code = new version)").fill("loose-lipo-cells")
    page.get_by_label("Kind").select_option("PROHIBITED")
    page.get_by_label("Description shown to officers").fill("Loose lithium batteries")
    page.get_by_label("Words to look for in descriptions (one per line)").fill("lithium battery\nLiPo cell")
    page.get_by_label("Effect").select_option("YELLOW")
    page.get_by_role("button", name="Propose", exact=True).click()
    rule = Rule.objects.get(code="loose-lipo-cells")
    row = page.locator(f"#rule-{rule.pk}")
    assert row.locator(".rule-status").inner_text() == "Waiting for a second supervisor"
    assert row.locator("button.approve").count() == 0  # the author is offered no approval

    context = browser.new_context()
    second = context.new_page()
    log_in(second, live_server, checker)
    second.goto(f"{live_server.url}/officer/rules/")
    second.locator(f"#rule-{rule.pk} button.approve").click()
    assert second.locator(f"#rule-{rule.pk} .rule-status").inner_text() == "Active"
    shot(second, "rule-approved")
    context.close()


def test_keyboard_shortcut_and_new_items_without_reload(page, live_server):
    officer = UserFactory(role="OFFICER")
    first = held("0.7000")
    log_in(page, live_server, officer)
    later = held("0.9900", lane=Lane.RED)  # arrives while the queue is open
    page.locator(f'#queue-rows tr[data-item="{later.pk}"]').wait_for(timeout=15_000)
    page.keyboard.press("n")  # take the next item: the highest score
    page.wait_for_url(f"{live_server.url}/officer/items/{later.pk}/")
    assert "worked by" in page.locator("#item-state").inner_text()
    assert Claim.objects.get(consignment=later).officer == officer
    assert not Claim.objects.filter(consignment=first).exists()


def test_release_times_page_and_a_simulation_seen_through(page, live_server):
    from datetime import UTC, datetime, timedelta

    from clearance.choices import DecisionCode
    from clearance.models import Decision
    from payments.deminimis import simulation_run
    from payments.models import SimulationRun
    from performance.summaries import trs_days_refresh

    supervisor = UserFactory(role="SUPERVISOR")
    monday = datetime(2026, 10, 5, 8, tzinfo=UTC)
    for hours in (1, 2, 3):
        item = ConsignmentFactory(
            pre_advised_at=monday,
            arrived_at=monday,
            lane=Lane.GREEN,
            currency="EUR",
            addressee_country="DE",
            total_value=Decimal("20.00"),
        )
        decided_at = monday + timedelta(hours=hours)
        Decision.objects.create(
            operator=item.operator,
            consignment=item,
            sequence=hours,
            decided_by="test",
            code=DecisionCode.RELEASE_NO_CHARGE,
            decided_at=decided_at,
        )
    trs_days_refresh(start=monday.date(), end=monday.date())
    page.goto(f"{live_server.url}/officer/login/")
    page.get_by_label("Username").fill(supervisor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Release times").click()
    page.get_by_label("From", exact=True).fill("2026-10-05")
    page.get_by_label("To", exact=True).fill("2026-10-05")
    page.get_by_role("button", name="Show").click()
    assert page.locator('#trs-overall tr[data-measure="arrival_to_release"] .median').inner_text() == "2.0 h"
    assert page.locator("figure.chart svg rect").count() == 7  # one bar per duration band
    shot(page, "release-times")

    page.get_by_role("link", name="Simulator").click()
    page.get_by_label("Regime").select_option(label="European Union")
    page.get_by_label("Items pre-advised from").fill("2026-10-05")
    page.get_by_label("to", exact=True).fill("2026-10-05")
    page.get_by_label("Flat duty per tariff line").fill("5")
    page.get_by_role("button", name="Simulate").click()
    assert "Running" in page.locator("#simulation-result").inner_text()
    simulation_run(run_id=SimulationRun.objects.get().pk)  # what the worker does
    page.locator("#simulation-table").wait_for(timeout=10_000)  # the page polls until the run is done
    assert page.locator("#simulation-table tr", has_text="Duty").first.locator("td").nth(2).inner_text() == "6.00"
    shot(page, "simulator")


def test_a_pending_seizure_stops_another_officer_until_a_second_supervisor_confirms(page, browser, live_server):
    proposer, other = UserFactory(role="OFFICER"), UserFactory(role="OFFICER")
    supervisor = UserFactory(role="SUPERVISOR")
    item = held("0.9500", lane=Lane.RED, lines=[{"description": "Revolver", "hs_code": "930200"}])
    log_in(page, live_server, proposer)
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    page.get_by_text("Seize", exact=True).click()
    page.get_by_label("Grounds").fill("A revolver in a toy box")
    page.locator("#propose-seizure").click()
    assert page.locator("#seizure-pending").is_visible()

    def new_page(user):
        context = browser.new_context()
        tab = context.new_page()
        log_in(tab, live_server, user)
        return context, tab

    context, tab = new_page(other)
    tab.goto(f"{live_server.url}/officer/items/{item.pk}/")
    assert tab.locator("#release").count() == 0  # no release while the seizure waits
    assert "No other decision can be taken" in tab.locator("#seizure-pending").inner_text()
    shot(tab, "seizure-blocks-release")
    context.close()

    context, tab = new_page(supervisor)
    tab.get_by_role("link", name=re.compile("seizure waits")).click()
    tab.get_by_role("button", name="Confirm the seizure").click()
    assert "Seizure confirmed." in tab.locator(".messages").inner_text()
    context.close()
    item.refresh_from_db()
    assert item.state == ConsignmentState.SEIZED


def test_duty_found_at_inspection_is_paid_by_the_payer_and_releases_the_item(page, browser, live_server):
    from tests.payments.helpers import item_url
    from tests.payments.test_portal_browser import fill_card

    officer = UserFactory(role="OFFICER")
    item = held("0.6000", addressee_email="amra@example.ba")  # USD 25 to Bosnia and Herzegovina: nothing due
    log_in(page, live_server, officer)
    page.goto(f"{live_server.url}/officer/items/{item.pk}/")
    page.locator("#irregular").check()
    page.get_by_label("Kind").select_option("UNDERVALUATION")
    page.get_by_label("Additional duty").fill("40.00")
    page.locator("#record-outcome").click()
    page.locator("#review-send").click()
    assert "+ 40.00 BAM" in page.locator("p.adjustment").inner_text()
    page.locator("#release").click()
    page.wait_for_url(f"{live_server.url}/officer/")
    item.refresh_from_db()
    assessment = item.assessments.get(is_current=True)
    assert item.state == ConsignmentState.CHARGES_DUE and assessment.total >= Decimal("40.00")

    context = browser.new_context()
    payer = context.new_page()
    payer.goto(live_server.url + item_url(item))
    assert payer.locator("#total").inner_text() == f"{assessment.total} BAM"
    payer.get_by_role("button", name=re.compile(r"^Pay ")).click()
    fill_card(payer, "4242 4242 4242 4242")
    payer.get_by_role("button", name="Pay", exact=True).click()
    payer.wait_for_selector("#verification-code")
    assert payer.locator("#amount").inner_text() == f"{assessment.total} BAM"
    shot(payer, "inspection-duty-paid")
    context.close()
    item.refresh_from_db()
    assert item.state == ConsignmentState.RELEASED
    assert list(item.decisions.order_by("sequence").values_list("code", flat=True))[-2:] == [
        "RELEASE_CHARGES_DUE",
        "RELEASED",
    ]
