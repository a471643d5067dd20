"""Items posted through the API are scored by a real worker and reach the state their lane demands."""

import json

import pytest

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment
from tests.postal.payloads import batch, item
from tests.processes import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.services, pytest.mark.django_db(transaction=True)]
# The worker's own setting: without it, 2 % of green items would be sent to inspection at random.
NO_RANDOM_INSPECTION = {"OPENCLEAR_RISK_RANDOM_RATE": "0"}


def test_posted_items_are_scored_by_a_real_worker_and_routed_by_lane(operator_client):
    line = item()["contents"][0]
    items = [
        item(serial=1),  # ordinary and below the de minimis: released
        item(serial=2, contents=[{**line, "description": "Revolver", "hsCode": "930200"}]),  # red
        item(serial=3, contents=[{**line, "description": "Accessories"}]),  # vague: yellow
        item(
            serial=4,
            category="DOCUMENTS",
            contents=[{"description": "Contract", "quantity": 1, "netWeightKg": "0.050", "value": "0"}],
        ),
        # Above BiH's 300 BAM relief: charges due. Another addressee, so the
        # first item is not read as part of a split shipment with it.
        item(
            serial=5,
            contents=[{**line, "value": "400.00"}],
            addressee={
                **item()["addressee"],
                "name": "Edin Kovač",
                "address": "Titova 5",
                "postcode": "71210",
                "email": "edin@example.ba",  # the same mailbox or phone would make them one addressee
                "phone": "+387 33 654 321",
            },
        ),
    ]
    with celery_worker(env=NO_RANDOM_INSPECTION):
        response = operator_client.post(
            "/api/v1/postal/items", data=json.dumps(batch(*items)), content_type="application/json"
        )
        assert response.json()["accepted"] == 5
        wait_until(
            lambda: not Consignment.objects.filter(state=ConsignmentState.PRE_ADVISED).exists(),
            timeout=60,
            what="every item to be scored",
        )

    outcome = {c.item_id: (c.lane, c.state) for c in Consignment.objects.all()}
    ids = [i["itemId"] for i in items]
    assert outcome[ids[0]] == (Lane.GREEN, ConsignmentState.RELEASED)
    assert outcome[ids[4]] == (Lane.GREEN, ConsignmentState.CHARGES_DUE)
    assert outcome[ids[1]] == (Lane.RED, ConsignmentState.HELD)
    assert outcome[ids[2]] == (Lane.YELLOW, ConsignmentState.HELD)
    assert outcome[ids[3]] == (Lane.GREEN, ConsignmentState.RELEASED)
    feed = operator_client.get("/api/v1/postal/responses").json()["results"]
    assert sorted((r["itemId"], r["decision"]) for r in feed) == sorted(
        [
            (ids[0], "RELEASE_NO_CHARGE"),
            (ids[1], "HOLD_INSPECTION"),
            (ids[2], "HOLD_INSPECTION"),
            (ids[3], "RELEASE_NO_CHARGE"),
            (ids[4], "RELEASE_CHARGES_DUE"),
        ]
    )
