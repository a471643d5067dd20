"""Decision forms carry what the officer saw, and amounts are written with the digits 0-9."""

from decimal import Decimal

import pytest

from clearance.choices import ConsignmentState
from clearance.models import LineCorrection
from officer.selectors import decision_stamp
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.without_stamp
@pytest.mark.parametrize("action", ["release", "return", "correct"])
def test_a_decision_posted_without_the_pages_stamp_is_refused(client, action):
    held = ConsignmentFactory(state=ConsignmentState.HELD)
    client.force_login(UserFactory(role="OFFICER"))
    data = {"reason": "Fine.", "position": "1", "hs_code": "610910", "value": "10.00"}
    response = client.post(f"/officer/items/{held.pk}/{action}", data, follow=True)
    assert "which version of the item you saw" in response.content.decode()
    held.refresh_from_db()
    assert held.state == ConsignmentState.HELD and not LineCorrection.objects.exists()

    data["seen"] = decision_stamp(held)
    client.post(f"/officer/items/{held.pk}/release", data)
    held.refresh_from_db()
    assert held.state != ConsignmentState.HELD


@pytest.mark.parametrize("value", ["١٢.٥٠", "１２.50", "12.5\u0660"])
def test_an_amount_in_other_scripts_digits_is_refused(client, value):
    held = ConsignmentFactory(state=ConsignmentState.HELD, total_value=Decimal("25.00"))
    client.force_login(UserFactory(role="OFFICER"))
    data = {"position": "1", "hs_code": "610910", "value": value, "reason": "Invoice."}
    response = client.post(f"/officer/items/{held.pk}/correct", data, follow=True)
    assert "must be an amount such as 12.50" in response.content.decode()
    assert not LineCorrection.objects.exists()
