"""Other agencies as users: a referral opens a task in the agency's queue, the agency decides with a reason,
the item comes back to customs' queue with that decision, and customs decides; a refusal leaves return or seizure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from agencies.models import Agency, AgencyMember, Referral
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, Decision
from core.models import AuditEntry
from payments.assessment import consignments_assess_charges
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def environment():
    return Agency.objects.create(code="environment", name="Environment agency", kind="ENVIRONMENT")


def agency_user(agency):
    user = UserFactory(role="AGENCY")
    AgencyMember.objects.create(user=user, agency=agency)
    return user


def referred(client, officer, agency, reason="Python skin: CITES listed") -> Consignment:
    item = ConsignmentFactory(
        state=ConsignmentState.HELD,
        lane=Lane.RED,
        risk_score=Decimal("0.9"),
        lines=[{"description": "Python skin handbag", "hs_code": "420221"}],
    )
    consignments_assess_charges(consignment_ids=[item.pk])
    client.force_login(officer)
    client.post(f"/officer/items/{item.pk}/refer", {"agency": agency.code, "reason": reason})
    item.refresh_from_db()
    return item


def test_the_agency_decides_and_the_item_comes_back_to_customs_who_release_it(client, officer, environment):
    item = referred(client, officer, environment)
    assert item.state == ConsignmentState.REFERRED
    assert Decision.objects.get(consignment=item).reason == "Environment agency: Python skin: CITES listed"
    referral = Referral.objects.get(consignment=item)

    client.force_login(agency_user(environment))
    queue = client.get("/agency/").content.decode()
    assert f'data-referral="{referral.pk}"' in queue and item.item_id in queue
    page = client.get(f"/agency/referrals/{referral.pk}/").content.decode()
    assert "Python skin: CITES listed" in page and "Python skin handbag" in page
    response = client.post(
        f"/agency/referrals/{referral.pk}/decide", {"decision": "RELEASE", "reason": "CITES permit FR26 checked"}
    )
    assert response.status_code == 302

    item.refresh_from_db()
    referral.refresh_from_db()
    assert item.state == ConsignmentState.HELD and referral.decision == "RELEASE"
    actions = set(AuditEntry.objects.filter(target_id=item.pk).values_list("action", flat=True))
    assert {"clearance.consignment.referral_answered", "agencies.referral.decided"} <= actions

    client.force_login(officer)
    officer_page = client.get(f"/officer/items/{item.pk}/").content.decode()
    assert f'id="referral-{referral.pk}" data-decision="RELEASE"' in officer_page
    assert "CITES permit FR26 checked" in officer_page
    client.post(f"/officer/items/{item.pk}/release", {"reason": "Released after the environment agency's release"})
    item.refresh_from_db()
    assert item.state in (ConsignmentState.RELEASED, ConsignmentState.CHARGES_DUE)
    codes = list(Decision.objects.filter(consignment=item).order_by("sequence").values_list("code", flat=True))
    assert codes[0] == "REFER_OTHER_AGENCY" and codes[-1] in ("RELEASE_NO_CHARGE", "RELEASE_CHARGES_DUE")


def test_an_agency_user_sees_only_what_was_referred_to_their_agency(client, officer, environment):
    item = referred(client, officer, environment)
    referral = Referral.objects.get(consignment=item)
    health = Agency.objects.create(code="health", name="Health agency", kind="HEALTH")

    client.force_login(agency_user(health))
    assert item.item_id not in client.get("/agency/").content.decode()
    assert client.get(f"/agency/referrals/{referral.pk}/").status_code == 404
    assert (
        client.post(f"/agency/referrals/{referral.pk}/decide", {"decision": "REFUSE", "reason": "x"}).status_code == 404
    )
    assert client.get(f"/officer/items/{item.pk}/").status_code == 403  # not an officer
    assert Consignment.objects.get(pk=item.pk).state == ConsignmentState.REFERRED

    client.force_login(officer)
    assert client.get("/agency/").status_code == 403  # an officer is not an agency user
    client.logout()
    assert "/agency/login/" in client.get("/agency/")["Location"]


def test_a_refusal_leaves_customs_the_return_or_the_seizure(client, officer, environment):
    item = referred(client, officer, environment)
    referral = Referral.objects.get(consignment=item)
    client.force_login(agency_user(environment))
    client.post(f"/agency/referrals/{referral.pk}/decide", {"decision": "REFUSE", "reason": "No CITES permit"})

    client.force_login(officer)
    response = client.post(f"/officer/items/{item.pk}/release", {"reason": "Looks fine"}, follow=True)
    assert "Environment agency refused these goods" in response.content.decode()
    assert Consignment.objects.get(pk=item.pk).state == ConsignmentState.HELD
    client.post(f"/officer/items/{item.pk}/return", {"reason": "Refused by the environment agency"})
    assert Consignment.objects.get(pk=item.pk).state == ConsignmentState.RETURNED


def test_the_agency_chooses_its_decision_and_gives_conditions_for_a_conditional_release(client, officer, environment):
    item = referred(client, officer, environment)
    referral = Referral.objects.get(consignment=item)
    client.force_login(agency_user(environment))
    url = f"/agency/referrals/{referral.pk}/decide"

    response = client.post(url, {"reason": "Checked the species"})
    assert response.status_code == 400 and "Choose the agency" in response.content.decode()
    assert "Checked the species</textarea>" in response.content.decode()  # kept as typed
    response = client.post(url, {"decision": "RELEASE_CONDITIONS", "reason": "Farmed python"})
    assert response.status_code == 400 and "Write the conditions" in response.content.decode()
    assert Consignment.objects.get(pk=item.pk).state == ConsignmentState.REFERRED

    client.post(url, {"decision": "RELEASE_CONDITIONS", "reason": "Farmed python", "conditions": "Keep the tag"})
    referral.refresh_from_db()
    assert (referral.decision, referral.conditions) == ("RELEASE_CONDITIONS", "Keep the tag")
    assert client.post(url, {"decision": "REFUSE", "reason": "Again"}).status_code == 400  # decided once


def test_a_referral_names_a_configured_agency(client, officer):
    item = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    client.force_login(officer)
    response = client.post(f"/officer/items/{item.pk}/refer", {"agency": "Somebody", "reason": "?"}, follow=True)
    assert "Choose the agency the item is referred to." in response.content.decode()
    assert Consignment.objects.get(pk=item.pk).state == ConsignmentState.HELD


def test_the_release_times_show_the_agency_step(client, officer, environment):
    item = referred(client, officer, environment)
    referral = Referral.objects.get(consignment=item)
    client.force_login(agency_user(environment))
    client.post(f"/agency/referrals/{referral.pk}/decide", {"decision": "INSPECT", "reason": "Open the parcel"})

    client.force_login(officer)
    day = timezone.now().date().isoformat()
    page = client.get("/officer/performance/trs/", {"start": day, "end": day}).content.decode()
    row = page.split('data-agency="Environment agency">')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td>" in row


def test_a_refusal_stands_when_the_goods_are_referred_again_and_released_there(client, officer, environment):
    item = referred(client, officer, environment)
    client.force_login(agency_user(environment))
    first = Referral.objects.get(consignment=item)
    client.post(f"/agency/referrals/{first.pk}/decide", {"decision": "REFUSE", "reason": "No CITES permit"})

    health = Agency.objects.create(code="health", name="Health agency", kind="HEALTH")
    client.force_login(officer)
    client.post(f"/officer/items/{item.pk}/refer", {"agency": health.code, "reason": "A second opinion"})
    second = Referral.objects.exclude(pk=first.pk).get(consignment=item)
    client.force_login(agency_user(health))
    client.post(f"/agency/referrals/{second.pk}/decide", {"decision": "RELEASE", "reason": "Nothing for us"})

    client.force_login(officer)
    response = client.post(f"/officer/items/{item.pk}/release", {"reason": "Cleared by health"}, follow=True)
    assert "Environment agency refused these goods" in response.content.decode()
    assert Consignment.objects.get(pk=item.pk).state != ConsignmentState.RELEASED
