"""A tariff load proposed by one supervisor and approved by another, in a real browser (Chromium)."""

from datetime import date

import pytest

from law.models import DutyRate, LawChange
from law.selectors import in_force
from tests.conftest import ARTIFACTS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
TARIFF = (
    "commodity,description,cet_duty_rate,ukgt_duty_rate\n"
    "61091000,T-shirts of cotton,12.0%,10.0%\n"
    "61099020,T-shirts of wool,12.0%,\u0661\u0662%\n"
    "42022100,Handbags,3.0%,2.5%\n"
)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/officer/")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_a_tariff_load_is_proposed_and_approved_by_a_second_supervisor(page, live_server, tmp_path):
    maker, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    upload = tmp_path / "uk-tariff-2027.csv"
    upload.write_text(TARIFF, encoding="utf-8")

    log_in(page, live_server, maker)
    page.get_by_role("link", name="Law", exact=True).click()
    form = page.locator("#propose-tariff")
    form.get_by_label("Regime").select_option("GB")
    form.get_by_label("In force from").fill("2027-03-01")
    form.get_by_label("Load").select_option("PARTIAL")
    form.get_by_label("What and why").fill("UK tariff changes of March 2027")
    form.get_by_label("Tariff file (CSV)").set_input_files(str(upload))
    form.get_by_role("button", name="Propose the load").click()
    change = LawChange.objects.get()
    page.wait_for_url(f"{live_server.url}/officer/law/changes/{change.pk}/")
    assert page.locator("#change-status").get_attribute("data-status") == "PENDING"
    added, changed = (int(page.locator(f"#count-{what}").inner_text()) for what in ("added", "changed"))
    assert added + changed == 3  # new codes, or codes of the seeded tariff (a flushed database lacks it)
    assert page.locator("#withdraw").is_visible() and page.locator("#approve").count() == 0
    page.screenshot(path=str(ARTIFACTS / "law-tariff-proposed.png"), full_page=True)
    log_out(page)

    log_in(page, live_server, checker)
    page.goto(f"{live_server.url}/officer/law/")
    page.locator(f'#law-pending tr[data-change="{change.pk}"] a').click()
    unreadable = page.locator("#unreadable")
    assert "61099020" in unreadable.inner_text() and "digits other than 0-9" in unreadable.inner_text()
    page.locator("#approve").click()  # not accepted: refused
    assert "accept exactly these rows" in page.locator(".messages").inner_text()
    assert page.locator("#change-status").get_attribute("data-status") == "PENDING"
    page.locator('#unreadable input[name="accept"]').check()
    page.locator("#approve").click()
    assert "the change is in the law" in page.locator(".messages").inner_text()
    assert page.locator("#change-status").get_attribute("data-status") == "APPLIED"
    assert "Change of the law approved and applied" in page.locator("#trail").inner_text()
    page.screenshot(path=str(ARTIFACTS / "law-tariff-approved.png"), full_page=True)

    codes = ["42022100", "61091000", "61099020"]
    rates = in_force(DutyRate.objects.filter(regime__code="GB", hs_prefix__in=codes), date(2027, 3, 1))
    assert sorted(rates.values_list("hs_prefix", "rate_text")) == [
        ("42022100", "2.5%"),
        ("61091000", "10.0%"),
        ("61099020", "unreadable: \u0661\u0662%"),
    ]
