"""Customs control cannot be bypassed: holds, claims, seizures, red releases and charges found at inspection."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from agencies.models import Agency
from clearance.choices import ConsignmentState, Lane
from clearance.models import Claim, ClaimTakeover, Consignment, Decision, InformationRequest, SeizureRequest
from core.actors import Actor
from core.exceptions import InvalidTransition
from core.models import AuditEntry
from payments.assessment import consignments_assess_charges
from payments.models import Assessment, MoneyApproval
from payments.notifications import charges_due_send
from payments.tasks import consignments_return_unpaid
from performance.indicators import indicators_for_period
from performance.reports import trs_report_html
from risk.models import RiskAssessment, Rule
from risk.reasons import codes_of
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory, UserFactory
from tests.payments.helpers import item_url, make_due
from tests.postal.payloads import batch, item

# What an information request takes besides its question: what is needed, the days to answer, the outcome.
ASK = {"needed": ["INVOICE"], "days": "14", "outcome": "RETURN"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_random_inspection(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()
    yield
    cache.clear()


def held(lane=Lane.YELLOW, score="0.5000", **fields) -> Consignment:
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=lane, risk_score=Decimal(score), **fields)
    consignments_assess_charges(consignment_ids=[consignment.pk])
    return consignment


def login(client, user):
    client.force_login(user)
    return client


def state_of(consignment) -> str:
    return Consignment.objects.values_list("state", flat=True).get(pk=consignment.pk)


def page(response) -> str:
    return response.content.decode()


# --- 1. Amendments keep items under control -------------------------------------------------------


def _post_items(operator_client, *items):
    response = operator_client.post("/api/v1/postal/items", batch(*items), format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _revolver(**fields):
    return item(
        contents=[
            {
                "description": "Revolver",
                "quantity": 1,
                "netWeightKg": "0.400",
                "value": "20.00",
                "hsCode": "930200",
                "originCountry": "CN",
            }
        ],
        **fields,
    )


def _toy(**fields):
    return item(
        contents=[
            {
                "description": "Toy",
                "quantity": 1,
                "netWeightKg": "0.400",
                "value": "20.00",
                "hsCode": "950300",
                "originCountry": "CN",
            }
        ],
        **fields,
    )


def test_an_amendment_of_a_red_item_with_a_seizure_proposed_stays_in_front_of_the_officer(client, operator_client):
    _post_items(operator_client, _revolver())
    consignment = Consignment.objects.get()
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    assert (consignment.state, consignment.lane) == (ConsignmentState.HELD, Lane.RED)
    login(client, UserFactory(role="OFFICER")).post(
        f"/officer/items/{consignment.pk}/propose_seizure", {"reason": "A revolver"}
    )

    results = _post_items(operator_client, _toy())
    consignments_assess(consignment_ids=[consignment.pk])  # the task the amendment enqueued

    consignment.refresh_from_db()
    assert results[0]["status"] == "AMENDED"
    assert (consignment.state, consignment.lane, consignment.version) == (ConsignmentState.HELD, Lane.RED, 2)
    assert consignment.lines.get().description == "Toy"
    assert SeizureRequest.objects.get(consignment=consignment).state == SeizureRequest.State.PENDING
    rescored = RiskAssessment.objects.get(consignment=consignment, consignment_version=2)
    assert rescored.lane == Lane.GREEN  # scored for information: the officer sees it, the lane in force stays
    assert Assessment.objects.get(consignment=consignment, is_current=True).consignment_version == 2
    assert not Decision.objects.filter(consignment=consignment, code__startswith="RELEASE").exists()
    assert AuditEntry.objects.filter(target_id=consignment.pk, action="risk.consignment.rescored").count() == 1
    html = page(client.get(f"/officer/items/{consignment.pk}/"))
    assert "Revolver" in html and "Toy" in html and 'id="lane-kept"' in html


def test_an_amendment_of_an_item_awaiting_information_answers_it_and_requeues_it(client, operator_client):
    _post_items(operator_client, _revolver())
    consignment = Consignment.objects.get()
    consignments_assess(consignment_ids=[consignment.pk])
    login(client, UserFactory(role="OFFICER")).post(
        f"/officer/items/{consignment.pk}/request_info", {"question": "What is in the parcel?", **ASK}
    )

    _post_items(operator_client, _toy())
    consignments_assess(consignment_ids=[consignment.pk])

    consignment.refresh_from_db()
    assert (consignment.state, consignment.lane) == (ConsignmentState.HELD, Lane.RED)
    assert "amended declaration (version 2)" in InformationRequest.objects.get(consignment=consignment).answer


def test_an_amendment_after_an_officer_asked_for_payment_goes_back_to_the_officer(client, operator_client):
    _post_items(
        operator_client,
        item(
            contents=[
                {
                    "description": "Watch",
                    "quantity": 1,
                    "netWeightKg": "0.100",
                    "value": "400.00",
                    "hsCode": "910211",
                    "originCountry": "CN",
                }
            ]
        ),
    )
    consignment = Consignment.objects.get()
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.ASSESSED, lane=Lane.YELLOW)
    from clearance import services

    services.consignment_hold(consignment=consignment, actor=Actor.system("tests"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    login(client, UserFactory(role="OFFICER")).post(f"/officer/items/{consignment.pk}/release")
    assert state_of(consignment) == ConsignmentState.CHARGES_DUE

    _post_items(
        operator_client,
        item(
            contents=[
                {
                    "description": "Watch",
                    "quantity": 1,
                    "netWeightKg": "0.100",
                    "value": "40.00",
                    "hsCode": "910211",
                    "originCountry": "CN",
                }
            ]
        ),
    )
    consignments_assess(consignment_ids=[consignment.pk])

    consignment.refresh_from_db()
    codes = list(Decision.objects.filter(consignment=consignment).order_by("sequence").values_list("code", flat=True))
    assert consignment.state == ConsignmentState.HELD and consignment.lane == Lane.YELLOW
    assert codes == ["HOLD_INSPECTION", "RELEASE_CHARGES_DUE", "HOLD_INSPECTION"]  # the hold supersedes


def test_an_item_never_in_front_of_an_officer_is_scored_again_from_the_start(operator_client):
    _post_items(operator_client, item())
    consignment = Consignment.objects.get()
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.CHARGES_DUE, lane=Lane.GREEN)
    _post_items(operator_client, _toy())
    assert state_of(consignment) == ConsignmentState.PRE_ADVISED


def test_the_random_inspection_draw_is_made_once_per_item(settings, operator_client):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.5
    items = [item(itemId=s10, addressee=_addressee(n)) for n, s10 in enumerate(_s10_ids(40))]
    _post_items(operator_client, *items)
    ids = list(Consignment.objects.order_by("pk").values_list("pk", flat=True))
    consignments_assess(consignment_ids=ids)
    first = dict(RiskAssessment.objects.values_list("consignment_id", "random_selection"))
    # Every item amended before any officer saw it: back to PRE_ADVISED and scored again.
    Consignment.objects.filter(pk__in=ids).update(state=ConsignmentState.CHARGES_DUE)
    Decision.objects.filter(consignment_id__in=ids).delete()
    _post_items(
        operator_client,
        *[item(itemId=s10, addressee=_addressee(n), grossWeightKg="0.700") for n, s10 in enumerate(_s10_ids(40))],
    )
    consignments_assess(consignment_ids=ids)

    second = dict(
        RiskAssessment.objects.filter(consignment_version=2).values_list("consignment_id", "random_selection")
    )
    assert second == first and 5 < sum(first.values()) < 35


def _addressee(n):  # one parcel each: no split shipment
    return {
        "name": f"Addressee {n}",
        "address": f"Street {n}",
        "city": "Sarajevo",
        "postcode": f"7{n:04d}",
        "country": "BA",
    }


def _s10_ids(count):
    from core import s10

    return [s10.make("RB", 20_000_000 + n, "CN") for n in range(count)]


# --- 2. A pending seizure blocks every other final decision ---------------------------------------------


@pytest.fixture
def proposed():
    """A red item whose seizure an officer proposed, and the people around it."""
    item_ = held(lane=Lane.RED, score="0.9500")
    proposer, other = UserFactory(role="OFFICER"), UserFactory(role="OFFICER")
    supervisor, second = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    from officer.services import seizure_propose

    seizure_propose(consignment=item_, officer=proposer, reason="Counterfeit watches")
    return item_, proposer, other, supervisor, second


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("release", {"reason": "Looks fine"}),
        ("return", {"reason": "Back"}),
        ("refer", {"agency": "police"}),
        ("request_info", {"question": "Invoice?", **ASK}),
    ],
)
def test_a_pending_seizure_blocks_every_other_decision(client, proposed, action, data):
    item_, _, other, supervisor, _ = proposed
    Agency.objects.create(code="police", name="Police", kind="OTHER")
    for user in (other, supervisor):
        response = login(client, user).post(f"/officer/items/{item_.pk}/{action}", data, follow=True)
        assert "seizure waiting for a supervisor" in page(response)
        assert state_of(item_) == ConsignmentState.HELD
    assert not Decision.objects.filter(consignment=item_).exclude(code="HOLD_INSPECTION").exists()


def test_bulk_release_leaves_an_item_with_a_pending_seizure(client, proposed):
    item_, _, _, supervisor, _ = proposed
    response = login(client, supervisor).post(
        "/officer/bulk-release",
        {"items": [item_.pk], "confirm": "yes", "include_red": "yes", "reason": "Cleared"},
        follow=True,
    )
    assert "seizure waiting for a supervisor" in page(response) and state_of(item_) == ConsignmentState.HELD


def test_the_proposer_never_sees_confirm_and_can_withdraw(client, proposed):
    item_, proposer, _, supervisor, second = proposed
    from officer.services import seizure_propose

    own = seizure_propose(consignment=held(lane=Lane.RED), officer=supervisor, reason="Ivory")
    html = page(login(client, supervisor).get("/officer/seizures/"))
    assert f'id="confirm-{own.pk}"' not in html and "Your proposal" in html
    assert f'id="confirm-{SeizureRequest.objects.get(consignment=item_).pk}"' in html

    client.force_login(proposer)
    client.post(f"/officer/items/{item_.pk}/withdraw_seizure", {"reason": "Wrong parcel"})
    request = SeizureRequest.objects.get(consignment=item_)
    assert request.state == SeizureRequest.State.WITHDRAWN and request.decision_reason == "Wrong parcel"
    assert AuditEntry.objects.filter(target_id=item_.pk, action="clearance.seizure.withdrawn").exists()
    client.post(f"/officer/items/{item_.pk}/release", {"reason": "Genuine, invoice checked"})
    assert state_of(item_) == ConsignmentState.RELEASED


def test_only_the_proposer_withdraws_and_a_rejection_needs_a_reason(client, proposed):
    item_, _, other, supervisor, _ = proposed
    login(client, other).post(f"/officer/items/{item_.pk}/withdraw_seizure", {"reason": "No"})
    request = SeizureRequest.objects.get(consignment=item_)
    assert request.state == SeizureRequest.State.PENDING
    response = login(client, supervisor).post(f"/officer/seizures/{request.pk}/reject", follow=True)
    assert "Say why the seizure is rejected" in page(response)
    client.post(f"/officer/seizures/{request.pk}/reject", {"reason": "Genuine goods"})
    request.refresh_from_db()
    assert request.state == SeizureRequest.State.REJECTED and request.decision_reason == "Genuine goods"


def test_take_the_next_item_passes_over_a_pending_seizure(client, proposed):
    item_, _, other, _, _ = proposed
    waiting = held(score="0.1000")
    assert login(client, other).post("/officer/next")["Location"] == f"/officer/items/{waiting.pk}/"
    assert not Claim.objects.filter(consignment=item_).exists()


def test_a_second_supervisor_confirms(client, proposed):
    item_, _, _, supervisor, _ = proposed
    request = SeizureRequest.objects.get(consignment=item_)
    login(client, supervisor).post(f"/officer/seizures/{request.pk}/confirm")
    assert state_of(item_) == ConsignmentState.SEIZED
    assert Decision.objects.filter(consignment=item_, code="SEIZED").count() == 1


# --- 3. Claims are enforced -------------------------------------------------------------------------------


def test_only_the_claimant_decides_until_another_officer_takes_over(client):
    item_ = held()
    first, second = UserFactory(role="OFFICER"), UserFactory(role="SUPERVISOR")
    login(client, first).post(f"/officer/items/{item_.pk}/claim")

    refused = login(client, second).post(f"/officer/items/{item_.pk}/release", follow=True)
    assert f"being worked by {first.username}" in page(refused) and state_of(item_) == ConsignmentState.HELD
    for action, data in (
        ("inspect", {"irregularity_found": "no"}),
        ("propose_seizure", {"reason": "x"}),
        ("correct", {"position": "1", "hs_code": "610910", "value": "30", "reason": "x"}),
    ):
        assert f"being worked by {first.username}" in page(
            client.post(f"/officer/items/{item_.pk}/{action}", data, follow=True)
        )
    assert 'id="take-over"' in page(client.get(f"/officer/items/{item_.pk}/"))
    no_reason = client.post(f"/officer/items/{item_.pk}/take_over", follow=True)
    assert "Say why you take the item over" in page(no_reason)

    client.post(f"/officer/items/{item_.pk}/take_over", {"reason": "First officer went home ill"})
    assert Claim.objects.get(consignment=item_).officer == second
    entry = AuditEntry.objects.get(target_id=item_.pk, action="clearance.claim.taken_over")
    assert entry.payload == {"from": first.pk, "to": second.pk} and entry.reason == "First officer went home ill"
    client.post(f"/officer/items/{item_.pk}/release")
    assert state_of(item_) == ConsignmentState.RELEASED

    queue = page(login(client, first).get("/officer/"))
    takeover = ClaimTakeover.objects.get()
    assert "First officer went home ill" in queue and f'data-takeover="{takeover.pk}"' in queue
    client.post(f"/officer/takeovers/{takeover.pk}/dismiss")
    assert "First officer went home ill" not in page(client.get("/officer/"))


def test_an_expired_claim_holds_nobody(client, settings):
    settings.OPENCLEAR_CLAIM_MINUTES = 30
    item_ = held()
    first, second = UserFactory(role="OFFICER"), UserFactory(role="OFFICER")
    login(client, first).post(f"/officer/items/{item_.pk}/claim")
    Claim.objects.filter(consignment=item_).update(claimed_at=timezone.now() - timedelta(minutes=31))
    login(client, second).post(f"/officer/items/{item_.pk}/release")
    assert state_of(item_) == ConsignmentState.RELEASED


# --- 4. Red releases are deliberate -------------------------------------------------------------------------


def test_a_red_item_is_released_only_with_a_reason(client, officer):
    red = held(lane=Lane.RED, score="0.9000")
    login(client, officer)
    html = page(client.get(f"/officer/items/{red.pk}/"))
    assert 'id="release-reason"' in html and "required" in html.split('id="release-reason"')[1][:40]
    refused = client.post(f"/officer/items/{red.pk}/release", follow=True)
    assert "give the reason for releasing it" in page(refused) and state_of(red) == ConsignmentState.HELD

    client.post(f"/officer/items/{red.pk}/release", {"reason": "Brand owner confirmed the goods are genuine"})
    decision = Decision.objects.get(consignment=red, code="RELEASE_NO_CHARGE")
    entry = AuditEntry.objects.get(target_id=red.pk, action="clearance.consignment.released")
    assert decision.reason == entry.reason == "Brand owner confirmed the goods are genuine"


def test_bulk_release_counts_lanes_first_and_releases_red_only_for_a_supervisor_with_a_reason(client, officer):
    green, yellow, red = held(lane=Lane.GREEN), held(lane=Lane.YELLOW), held(lane=Lane.RED)
    selection = {"items": [green.pk, yellow.pk, red.pk]}
    preview = page(login(client, officer).post("/officer/bulk-release", selection))
    for lane, n in (("green", 1), ("yellow", 1), ("red", 1)):
        assert f'id="count-{lane}">{n}<' in preview
    assert 'id="include-red"' not in preview  # officers cannot include red items

    forced = client.post(
        "/officer/bulk-release",
        {**selection, "confirm": "yes", "include_red": "yes", "reason": "all fine"},
        follow=True,
    )
    assert "Only a supervisor" in page(forced) and state_of(red) == ConsignmentState.HELD
    done = page(client.post("/officer/bulk-release", {**selection, "confirm": "yes"}, follow=True))
    assert "2 item(s) released." in done and red.item_id in done and state_of(red) == ConsignmentState.HELD

    supervisor = UserFactory(role="SUPERVISOR")
    assert 'id="include-red"' in page(login(client, supervisor).post("/officer/bulk-release", {"items": [red.pk]}))
    no_reason = client.post(
        "/officer/bulk-release", {"items": [red.pk], "confirm": "yes", "include_red": "yes"}, follow=True
    )
    assert "Give the reason" in page(no_reason) and state_of(red) == ConsignmentState.HELD
    client.post(
        "/officer/bulk-release",
        {"items": [red.pk], "confirm": "yes", "include_red": "yes", "reason": "Rights holder withdrew the complaint"},
    )
    assert Decision.objects.get(consignment=red).reason == "Rights holder withdrew the complaint"


# --- 5. Additional duty found at inspection is charged ----------------------------------------------------------


def test_additional_duty_found_at_inspection_is_charged_to_the_payer_and_told_to_the_operator(client, officer):
    item_ = held(addressee_email="amra@example.ba")  # USD 25 to BiH: nothing due as declared
    assert Assessment.objects.get(consignment=item_).total == 0
    login(client, officer).post(
        f"/officer/items/{item_.pk}/inspect",
        {"irregularity_found": "yes", "kind": "UNDERVALUATION", "additional_duty": "40.00", "notes": "Invoice: 300"},
    )
    current = Assessment.objects.get(consignment=item_, is_current=True)
    adjustment = current.lines.get(duty_kind="ADJUSTMENT")
    assert current.number == 2 and adjustment.duty == Decimal("40.00") and current.total >= Decimal("40.00")

    client.post(f"/officer/items/{item_.pk}/release")

    item_.refresh_from_db()
    decision = Decision.objects.get(consignment=item_, code="RELEASE_CHARGES_DUE")
    assert item_.state == ConsignmentState.CHARGES_DUE and decision.charges == current.charges()
    assert charges_due_send(consignment_ids=[item_.pk]) == 1 and str(current.total) in mail.outbox[0].body
    today = timezone.now().date()
    indicators = indicators_for_period(start=today, end=today)
    assert indicators.recovered == {current.currency: Decimal("40.00")}
    assert f"Recovered at inspection {current.currency}" in trs_report_html(_trs(today), indicators)


def _trs(day):
    from performance.indicators import trs_for_period

    return trs_for_period(start=day, end=day)


def test_a_later_correction_keeps_the_duty_found_at_inspection(client, officer):
    item_ = held()
    login(client, officer).post(
        f"/officer/items/{item_.pk}/inspect",
        {"irregularity_found": "yes", "kind": "UNDERVALUATION", "additional_duty": "15.00"},
    )
    client.post(
        f"/officer/items/{item_.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "26.00", "reason": "Invoice"},
    )
    current = Assessment.objects.get(consignment=item_, is_current=True)
    assert current.number == 3 and current.lines.get(duty_kind="ADJUSTMENT").duty == Decimal("15.00")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", "1e999999", "12.345", "abc", "4\x000"])
def test_a_bad_amount_in_an_officer_form_is_a_message_never_a_500(client, officer, value):
    item_ = held()
    login(client, officer)
    for action, data in (
        ("inspect", {"irregularity_found": "yes", "additional_duty": value}),
        ("correct", {"position": "1", "hs_code": "610910", "value": value, "reason": "x"}),
    ):
        response = client.post(f"/officer/items/{item_.pk}/{action}", data, follow=True)
        assert response.status_code == 200 and "must be an amount" in page(response)
    assert not item_.inspection_outcomes.exists() and Assessment.objects.filter(consignment=item_).count() == 1


def test_nul_in_queue_filters_search_and_forms_is_refused_and_nonsense_ignored(client, officer):
    item_ = held()
    login(client, officer)
    for params in ({"origin": "C\x00"}, {"lane": "RED\x00"}, {"rule": "x\x00"}, {"hs_chapter": "6\x00"}):
        assert client.get("/officer/", params).status_code == 400  # core.middleware.RefuseNulMiddleware
    for params in (
        {"older_than_hours": "9" * 30},
        {"operator": "9" * 30},
        {"after": "NaN:1"},
        {"after": "1e999999:5"},
    ):
        assert client.get("/officer/", params).status_code == 200
    assert client.get("/officer/search/", {"q": f"{item_.item_id}\x00"}).status_code == 400
    response = client.post(
        f"/officer/items/{item_.pk}/request_info", {"question": "Invoice\x00 please", **ASK}, follow=True
    )
    assert response.status_code == 200 and "Null characters are not allowed" in page(response)
    assert not InformationRequest.objects.filter(consignment=item_).exists()


# --- 6. A correction that brings charges to zero releases the item -------------------------------------------------


def test_charges_corrected_to_nothing_release_the_item_once_a_second_officer_approves(client, officer):
    due = make_due()
    response = login(client, officer).post(
        f"/officer/items/{due.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "20.00", "reason": "Invoice shows USD 20"},
        follow=True,
    )
    assert "waits for a second officer" in page(response)
    due.refresh_from_db()
    assert due.state == ConsignmentState.CHARGES_DUE  # one officer alone gives up nothing
    (approval,) = MoneyApproval.objects.filter(consignment=due, state="PENDING")
    assert approval.after == 0 and approval.requested_by == officer
    queue = page(client.get("/officer/approvals/"))
    assert due.item_id in queue and "Your request: another officer decides it." in queue
    assert client.post(f"/officer/approvals/{approval.pk}/approve").status_code == 302
    approval.refresh_from_db()
    assert approval.state == "PENDING"  # not by the officer who asked

    second = UserFactory(role="OFFICER")
    login(client, second).post(f"/officer/approvals/{approval.pk}/approve")
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by) == ("APPROVED", second)
    due.refresh_from_db()
    codes = list(Decision.objects.filter(consignment=due).order_by("sequence").values_list("code", "charges"))
    assert due.state == ConsignmentState.RELEASED
    assert [code for code, _ in codes] == ["RELEASE_CHARGES_DUE", "RELEASE_NO_CHARGE"] and codes[1][1] is None
    html = page(client.get(item_url(due)))
    assert 'id="nothing-to-pay"' in html and 'id="pay"' not in html


# --- 7. A delivered item is never returned ---------------------------------------------------------------------------


def test_only_items_still_held_at_the_office_of_exchange_are_returned_unpaid():
    long_ago = timezone.now() - timedelta(days=40)
    stored, delivered, gone, never_arrived = make_due(), make_due(), make_due(), make_due()
    Consignment.objects.filter(pk__in=[c.pk for c in (stored, delivered, gone, never_arrived)]).update(
        state_changed_at=long_ago, arrived_at=long_ago
    )
    Consignment.objects.filter(pk=delivered.pk).update(delivered_at=long_ago + timedelta(days=2))
    Consignment.objects.filter(pk=gone.pk).update(exited_at=long_ago + timedelta(days=1))
    Consignment.objects.filter(pk=never_arrived.pk).update(arrived_at=None)

    assert consignments_return_unpaid() == 1
    states = {c.pk: state_of(c) for c in (stored, delivered, gone, never_arrived)}
    assert states == {
        stored.pk: "RETURNED",
        delivered.pk: "CHARGES_DUE",
        gone.pk: "CHARGES_DUE",
        never_arrived.pk: "CHARGES_DUE",
    }
    assert not Decision.objects.filter(consignment=delivered, code="RETURN_TO_SENDER").exists()


def test_an_officer_cannot_return_a_delivered_item(officer):
    from officer.services import officer_return

    item_ = held()
    Consignment.objects.filter(pk=item_.pk).update(delivered_at=timezone.now())
    with pytest.raises(InvalidTransition, match="left the office of exchange"):
        officer_return(consignment=item_, officer=officer, reason="Prohibited")


# --- 8. Screens cannot be evaded with invisible or look-alike letters ---------------------------------------


@pytest.mark.parametrize(
    "description", ["Pis\u200btol", "Pist\u043el", "Coca\u00adine", "\u0421\u043e\u0441\u0430ine", "ＲＥＶＯＬＶＥＲ"]
)
def test_prohibited_goods_spelt_with_invisible_or_look_alike_letters_go_red(description):
    consignment = ConsignmentFactory(lines=[{"description": description, "hs_code": "950300"}])
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    assert (consignment.state, consignment.lane) == (ConsignmentState.HELD, Lane.RED)
    assert consignment.lines.get().description == description  # stored as sent


def _active_rule(**fields):
    author, approver = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    return Rule.objects.create(created_by=author, approved_by=approver, status="ACTIVE", **fields)


def test_brands_watchlists_and_rule_keywords_see_through_look_alikes():
    _active_rule(
        code="rolex", kind="IPR_BRAND", description="Rolex (IPR)", condition={"keywords": ["rolex"]}, force_lane="RED"
    )
    _active_rule(
        code="watch",
        kind="WATCHLIST",
        description="Watchlisted sender",
        condition={"party": "sender", "names": ["Shady Traders Ltd"]},
        force_lane="RED",
    )
    brand = ConsignmentFactory(lines=[{"description": "ＲＯＬＥＸ watch", "hs_code": "910211"}])
    sender = ConsignmentFactory(sender_name="Sh\u0430dy Tr\u0430ders\u200b Ltd")  # Cyrillic а, a zero-width space
    consignments_assess(consignment_ids=[brand.pk, sender.pk])
    assert {state_of(brand), state_of(sender)} == {ConsignmentState.HELD}
    fired = dict(RiskAssessment.objects.values_list("consignment_id", "rules_fired"))
    assert fired == {brand.pk: ["rolex@v1"], sender.pk: ["watch@v1"]}


def test_vague_descriptions_are_found_whatever_their_case_and_letters():
    consignment = ConsignmentFactory(lines=[{"description": "  GIFT\u200b  ", "hs_code": "950300"}])
    consignments_assess(consignment_ids=[consignment.pk])
    assert "goods.vague_description" in codes_of(RiskAssessment.objects.get(consignment=consignment))


# --- 9. Rules cannot crash scoring ----------------------------------------------------------------------


@pytest.mark.parametrize("bound", ["NaN", "Infinity", "-Infinity", "sNaN", "abc", True, "-5"])
def test_a_rule_with_a_bound_that_is_not_a_finite_amount_is_refused(client, bound):
    login(client, UserFactory(role="SUPERVISOR"))
    import json

    response = client.post(
        "/officer/rules/propose",
        {
            "code": "cheap",
            "kind": "CONDITION",
            "description": "Cheap",
            "score": "0.3",
            "condition": json.dumps({"value_min": bound}),
        },
        follow=True,
    )
    assert "value_min must be a finite amount" in page(response)
    assert not Rule.objects.filter(code="cheap").exists()


def test_a_rule_score_must_be_a_number_from_0_to_1(client):
    login(client, UserFactory(role="SUPERVISOR"))
    for score in ("NaN", "2", "-0.5"):
        response = client.post(
            "/officer/rules/propose",
            {
                "code": "s",
                "kind": "PROHIBITED",
                "description": "x",
                "score": score,
                "condition": '{"keywords": ["knife"]}',
            },
            follow=True,
        )
        assert "score is a number from 0 to 1" in page(response)
    assert not Rule.objects.exclude(created_by=None).exists()


def test_a_broken_rule_in_force_is_left_out_and_every_item_is_still_scored(client):
    _active_rule(
        code="broken", kind="CONDITION", description="Broken", condition={"value_min": "NaN"}, score=Decimal("0.5")
    )
    _active_rule(
        code="knives", kind="PROHIBITED", description="Knives", condition={"keywords": ["knife"]}, force_lane="RED"
    )
    plain, knife = ConsignmentFactory(), ConsignmentFactory(lines=[{"description": "Kitchen knife"}])
    consignments_assess(consignment_ids=[plain.pk, knife.pk])
    reasons = dict(RiskAssessment.objects.values_list("consignment_id", "reasons"))
    assert not any("Automatic scoring failed" in r for rs in reasons.values() for r in rs)
    assert state_of(knife) == ConsignmentState.HELD and state_of(plain) != ConsignmentState.HELD
    html = page(login(client, UserFactory(role="SUPERVISOR")).get("/officer/rules/"))
    assert 'id="rules-unusable"' in html and "broken" in html


def test_a_held_item_whose_information_score_was_lost_is_swept(
    operator_client, monkeypatch, django_capture_on_commit_callbacks
):
    from risk.tasks import consignments_sweep_held_unscored

    _post_items(operator_client, _revolver())
    consignment = Consignment.objects.get()
    consignments_assess(consignment_ids=[consignment.pk])
    _post_items(operator_client, _toy())  # its scoring task is lost with the broker
    enqueued = []
    monkeypatch.setattr("risk.tasks.consignments_assess.delay", enqueued.append)
    Consignment.objects.filter(pk=consignment.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert consignments_sweep_held_unscored() == 1
    assert enqueued == [[consignment.pk]]
    consignments_assess(consignment_ids=[consignment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert consignments_sweep_held_unscored() == 0  # scored: nothing left to sweep


# --- The queue sorts by what it says: red first (whatever its score), then yellow, each by score ------------------


def test_the_queue_puts_red_items_first_whatever_their_score_and_pages_in_that_order(client, officer, monkeypatch):
    from officer import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    forced_red = held(Lane.RED, "0.0000")  # a rule sent it to the red lane; its score added nothing
    red = held(Lane.RED, "0.9100")
    yellow_high, yellow_low = held(Lane.YELLOW, "0.8000"), held(Lane.YELLOW, "0.3000")
    green = held(Lane.GREEN, "0.6000")  # held for a full declaration
    expected = [red.pk, forced_red.pk, yellow_high.pk, yellow_low.pk, green.pk]

    seen, cursor = [], ""
    for _ in range(5):
        items, cursor = selectors.queue_page(selectors.QueueFilters(), cursor)
        seen += [i.pk for i in items]
        if not cursor:
            break
    assert seen == expected

    login(client, officer)
    rows = page(client.get("/officer/"))
    positions = [rows.index(f'data-item="{pk}"') for pk in expected[:2]]
    assert positions == sorted(positions)
    client.post("/officer/next")
    assert Claim.objects.get().consignment_id == red.pk  # "take the next item" follows the same order
