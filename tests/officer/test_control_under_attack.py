"""Ways an attacker or a tired officer could take an item out of customs control, skip a charge, or get a 500.

Each test states the behaviour customs needs: amendments against corrections,
charges that could not be assessed, stale pages and lanes, look-alike text in
the screens, malformed rules and forms.
"""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache

from clearance import services
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, ContentLine, Decision
from core.actors import Actor
from payments.assessment import consignments_assess_charges
from payments.models import Assessment
from risk.models import RiskAssessment, Rule
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory, UserFactory
from tests.postal.payloads import batch, item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_random_inspection(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()
    yield
    cache.clear()


def _post_items(operator_client, *items):
    response = operator_client.post("/api/v1/postal/items", batch(*items), format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _shirts(value: str, **fields):
    return item(
        contents=[
            {
                "description": "Cotton T-shirt",
                "quantity": 1,
                "netWeightKg": "0.300",
                "value": value,
                "hsCode": "610910",
                "originCountry": "CN",
            }
        ],
        **fields,
    )


def _state(consignment) -> str:
    return Consignment.objects.values_list("state", flat=True).get(pk=consignment.pk)


def _held_via_api(operator_client, body) -> Consignment:
    """An item the operator sent, put in front of an officer (yellow), its charges assessed."""
    _post_items(operator_client, body)
    consignment = Consignment.objects.get()
    Consignment.objects.filter(pk=consignment.pk).update(state=ConsignmentState.ASSESSED, lane=Lane.YELLOW)
    services.consignment_hold(consignment=consignment, actor=Actor.system("tests"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    return consignment


# --- An officer's correction is undone by an operator amendment -------------------------------------------


def test_an_officers_correction_of_an_item_awaiting_payment_survives_an_amendment(client, operator_client):
    """Green item with charges due; an officer finds it undervalued and corrects 300 -> 900.

    The operator re-sends the declaration at 12.50: it must not go back to PRE_ADVISED (no HOLD_INSPECTION
    was ever sent), be scored green from scratch and released with nothing to pay.
    """
    _post_items(operator_client, _shirts("300.00"))
    consignment = Consignment.objects.get()
    consignments_assess(consignment_ids=[consignment.pk])
    assert _state(consignment) == ConsignmentState.CHARGES_DUE
    client.force_login(UserFactory(role="OFFICER"))
    client.post(
        f"/officer/items/{consignment.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "900.00", "reason": "Invoice found: USD 900"},
    )
    assert ContentLine.objects.get(consignment=consignment).value == Decimal("900.00")

    _post_items(operator_client, _shirts("12.50"))
    consignments_assess(consignment_ids=[consignment.pk])

    consignment.refresh_from_db()
    assert consignment.state != ConsignmentState.RELEASED
    assert not Decision.objects.filter(consignment=consignment, code="RELEASE_NO_CHARGE").exists()


def test_an_officers_correction_of_a_held_item_is_not_silently_overwritten_by_an_amendment(client, operator_client):
    """The operator changes only a phone number; the rebuilt lines drop the officer's corrected value."""
    consignment = _held_via_api(operator_client, _shirts("20.00"))
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)
    client.post(
        f"/officer/items/{consignment.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "900.00", "reason": "Invoice found: USD 900"},
    )
    corrected_total = Assessment.objects.get(consignment=consignment, is_current=True).total
    assert corrected_total > 0

    body = _shirts("20.00")
    body["addressee"]["phone"] = "+387 33 999 999"
    _post_items(operator_client, body)
    consignments_assess(consignment_ids=[consignment.pk])

    # Either the correction is kept, or the diff the officer reads shows the value going back 900.00 -> 20.00;
    # the lines are rebuilt at 20.00: the diff must show the officer's 900.00 going back to 20.00, not just the phone.
    line = ContentLine.objects.get(consignment=consignment)
    html = client.get(f"/officer/items/{consignment.pk}/").content.decode()
    diff = html.split("Changes between versions")[1].split("</ul>")[0]
    assert line.value == Decimal("900.00") or "900.00" in diff, diff


# --- Duty found at inspection, or an assessment needing an officer, released as "nothing to pay" ----------


def test_duty_found_at_inspection_is_not_dropped_when_the_operator_changes_the_addressee_country(
    client, operator_client
):
    consignment = _held_via_api(operator_client, _shirts("20.00"))
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)
    client.post(
        f"/officer/items/{consignment.pk}/inspect",
        {"irregularity_found": "yes", "kind": "UNDERVALUATION", "additional_duty": "40.00"},
    )
    assert Assessment.objects.get(consignment=consignment, is_current=True).total >= Decimal("40.00")

    body = _shirts("20.00")
    body["addressee"]["country"] = "GB"  # another regime (GBP): the BAM adjustment no longer fits
    _post_items(operator_client, body)
    consignments_assess(consignment_ids=[consignment.pk])
    client.post(f"/officer/items/{consignment.pk}/release")

    consignment.refresh_from_db()
    assert not Decision.objects.filter(consignment=consignment, code="RELEASE_NO_CHARGE").exists()
    assert consignment.state != ConsignmentState.RELEASED


def test_an_item_whose_charges_could_not_be_assessed_is_not_released_as_nothing_to_pay(client):
    """needs_officer (no regime, no FX rate, full declaration needed) leaves total 0: Release says "nothing to pay"."""
    consignment = ConsignmentFactory(
        state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"), addressee_country="TR"
    )
    assessment = consignments_assess_charges(consignment_ids=[consignment.pk])[consignment.pk]
    assert assessment.needs_officer
    client.force_login(UserFactory(role="OFFICER"))
    client.post(f"/officer/items/{consignment.pk}/release")
    assert not Decision.objects.filter(consignment=consignment, code="RELEASE_NO_CHARGE").exists()


def test_an_item_held_because_scoring_failed_is_not_released_as_nothing_to_pay(client, monkeypatch):
    """consignment_hold_unscorable holds the item red without assessing its charges; officer_release then
    finds no assessment and releases it with RELEASE_NO_CHARGE, whatever its value (USD 400 to BiH owes duty)."""
    from risk.services import consignments_assess_isolating

    consignment = ConsignmentFactory(total_value=Decimal("400.00"))

    def crash(self, consignments):
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr("risk.engine.Engine.assess", crash)
    consignments_assess_isolating(consignment_ids=[consignment.pk])
    assert (_state(consignment), Consignment.objects.get(pk=consignment.pk).lane) == ("HELD", "RED")
    client.force_login(UserFactory(role="OFFICER"))
    client.post(f"/officer/items/{consignment.pk}/release", {"reason": "Looked at it, fine"})
    assert not Decision.objects.filter(consignment=consignment, code="RELEASE_NO_CHARGE").exists()


# --- The unpaid-return sweep returns an item an officer has in hand -------------------------------------------


def test_the_unpaid_return_never_returns_an_item_back_in_front_of_an_officer():
    """The sweep selects CHARGES_DUE ids, then transitions them with RETURN_TO_SENDER, whose sources include HELD.

    An amendment committed between the two (AMEND_TO_HOLD) puts the item back in front of the officer; the
    system then returns it anyway (no officer hold on return_to_sender, claims bind users only).
    """
    from officer.services import consignment_claim
    from payments.services import consignments_return_unpaid

    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.RED, risk_score=Decimal("0.9"))
    consignment_claim(consignment=consignment, officer=UserFactory(role="OFFICER"))

    assert consignments_return_unpaid(consignment_ids=[consignment.pk]) == 0
    assert _state(consignment) == ConsignmentState.HELD


# --- Bulk release: the red check is made on a stale lane -----------------------------------------------------------


def test_bulk_release_never_releases_an_item_that_turned_red_meanwhile(monkeypatch):
    """officers_bulk_release reads the lanes, then releases one by one with a non-empty default reason.

    An item whose lane rises to RED (information re-score of an amendment) between the read and its own
    lock must not be released by a plain officer on the bulk default reason.
    """
    from officer import services as officer_module

    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    real_lock = officer_module._lock

    def lock_after_rescore(c, seen=None):  # the concurrent re-score commits just before this officer's lock
        Consignment.objects.filter(pk=c.pk).update(lane=Lane.RED, risk_score=Decimal("0.95"))
        return real_lock(c, seen)

    monkeypatch.setattr(officer_module, "_lock", lock_after_rescore)
    result = officer_module.officers_bulk_release(consignment_ids=[consignment.pk], officer=UserFactory(role="OFFICER"))
    assert _state(consignment) == ConsignmentState.HELD, result


def test_bulk_release_does_not_report_items_awaiting_payment_as_released(client):
    """An item already CHARGES_DUE is counted "released": REQUIRE_PAYMENT is a no-op (already its target)."""
    from tests.payments.helpers import make_due

    due = make_due()
    client.force_login(UserFactory(role="OFFICER"))
    response = client.post("/officer/bulk-release", {"items": [due.pk], "confirm": "yes"}, follow=True)
    assert "1 item(s) released." not in response.content.decode()


# --- Screens: look-alikes and invisible characters text_key does not fold ---------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "Pis\u034ftol",  # COMBINING GRAPHEME JOINER (Mn, combining class 0, default-ignorable)
        "Pis\ufe0ftol",  # VARIATION SELECTOR-16 (Mn, combining class 0, default-ignorable)
        "Pis\u3164tol",  # HANGUL FILLER (Lo, default-ignorable, renders blank)
        "Pis\uffa0tol",  # HALFWIDTH HANGUL FILLER
        "Pis\u180btol",  # MONGOLIAN FREE VARIATION SELECTOR ONE
        "Pist0l",  # digit zero for the letter o (UTS #39 maps 0 -> O)
        "C0caine",
        "Her0in",
    ],
)
def test_prohibited_goods_with_invisible_or_digit_look_alikes_go_red(description):
    consignment = ConsignmentFactory(lines=[{"description": description, "hs_code": "950300"}])
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    assert (consignment.state, consignment.lane) == (ConsignmentState.HELD, Lane.RED)


# --- Rules -----------------------------------------------------------------------------------------------------


def _propose(client, **fields):
    data = {"code": "nul", "kind": "PROHIBITED", "description": "x", "score": "0.3", "force_lane": "RED"}
    data.update(fields)
    return client.post("/officer/rules/propose", data, follow=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"condition": json.dumps({"keywords": ["pistol\u0000"]})},
        {"condition": json.dumps({"keywords": ["pistol"], "goods": "arms\u0000"})},
        {"condition": json.dumps({"keywords": ["pistol"]}), "description": "Arms\x00"},
        {"condition": json.dumps({"keywords": ["pistol"]}), "code": "a\x00b"},
        {"kind": "WATCHLIST", "condition": json.dumps({"party": ["sender"], "names": ["Shady Ltd"]})},
    ],
)
def test_a_rule_with_nul_or_a_malformed_party_is_refused_with_a_message_never_a_500(client, fields):
    client.raise_request_exception = False
    client.force_login(UserFactory(role="SUPERVISOR"))
    response = _propose(client, **fields)
    assert response.status_code == 400  # the rules page again, with the message and what was typed
    assert 'id="propose-rule"' in response.content.decode()
    assert not Rule.objects.exclude(created_by=None).exists()


def test_a_rule_whose_keywords_are_only_punctuation_is_refused_rather_than_matching_every_item():
    """["-"] passes validation (a non-blank text) but text_key makes it "": the pattern "()" matches any text."""
    from risk.rules import InvalidRule, validate_condition

    with pytest.raises(InvalidRule):
        validate_condition("PROHIBITED", {"keywords": ["-"]})


def test_an_approved_punctuation_keyword_rule_does_not_send_every_item_red():
    author, approver = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    Rule.objects.create(
        created_by=author,
        approved_by=approver,
        status="ACTIVE",
        code="dash",
        kind="PROHIBITED",
        description="Dash",
        condition={"keywords": ["\u200b"]},
        force_lane="RED",
    )
    plain = ConsignmentFactory()
    consignments_assess(consignment_ids=[plain.pk])
    assert RiskAssessment.objects.get(consignment=plain).rules_fired == []


# --- Officer forms --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["UNDERVALUATION\x00", "X" * 40, "NOT_A_KIND"])
def test_an_inspection_kind_that_is_not_one_is_a_message_never_a_500_nor_stored(client, kind):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    client.raise_request_exception = False
    client.force_login(UserFactory(role="OFFICER"))
    response = client.post(
        f"/officer/items/{consignment.pk}/inspect", {"irregularity_found": "yes", "kind": kind}, follow=True
    )
    assert response.status_code == 200
    assert not consignment.inspection_outcomes.exclude(kind__in=["NONE", "UNDERVALUATION"]).exists()


# --- The officer decides the version they saw -------------------------------------------------------------------


def test_a_release_from_a_page_opened_before_an_amendment_does_not_release_the_new_version(client, operator_client):
    """The officer opens a held watch (USD 400, charges due) and goes to look at the parcel.

    Meanwhile the operator amends it to USD 10; it is re-scored (lane kept) and its charges reassessed to 0.
    The officer submits the Release form of the page they opened: the new version must not be released with
    nothing to pay, though the officer never saw it: the form carries what was shown.
    """
    import re

    body = item(
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
    )
    consignment = _held_via_api(operator_client, body)
    assert Assessment.objects.get(consignment=consignment, is_current=True).total > 0
    client.force_login(UserFactory(role="OFFICER"))
    html = client.get(f"/officer/items/{consignment.pk}/").content.decode()
    form = html.split('id="release-form"')[1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))

    body["contents"][0]["value"] = "10.00"
    _post_items(operator_client, body)
    consignments_assess(consignment_ids=[consignment.pk])
    assert Assessment.objects.get(consignment=consignment, is_current=True).total == 0

    client.post(f"/officer/items/{consignment.pk}/release", fields)
    assert _state(consignment) == ConsignmentState.HELD


# --- Look-alike capitals: the skeleton is taken after case folding ------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "PIS\u0422OL",  # Cyrillic capital TE: folds to т, which has no Latin look-alike in the table
        "\u041dEROIN",  # Cyrillic capital EN -> н
        "\u041cARIJUANA",  # Cyrillic capital EM -> м
        "FEN\u0422ANYL",
    ],
)
def test_prohibited_goods_in_capitals_with_cyrillic_look_alikes_go_red(description):
    consignment = ConsignmentFactory(lines=[{"description": description, "hs_code": "950300"}])
    consignments_assess(consignment_ids=[consignment.pk])
    consignment.refresh_from_db()
    assert (consignment.state, consignment.lane) == (ConsignmentState.HELD, Lane.RED)


# --- Reasons that say nothing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["\u200b", "\u00ad\u2060", "\u3164"])
def test_a_red_item_is_not_released_with_an_invisible_reason(client, reason):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.RED, risk_score=Decimal("0.9"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    client.force_login(UserFactory(role="OFFICER"))
    client.post(f"/officer/items/{consignment.pk}/release", {"reason": reason})
    assert _state(consignment) == ConsignmentState.HELD


# --- Corrections outside the officer's queue -----------------------------------------------------------------------


@pytest.mark.parametrize("state", [ConsignmentState.PRE_ADVISED, ConsignmentState.ASSESSED])
def test_an_item_not_yet_scored_cannot_be_corrected_before_scoring(client, state):
    """The page offers a correction only on held items and items awaiting payment; the service takes any
    non-final item, so an officer can lower a pre-advised value before scoring and have it auto-released."""
    consignment = ConsignmentFactory(state=state, total_value=Decimal("400.00"))
    client.force_login(UserFactory(role="OFFICER"))
    client.post(
        f"/officer/items/{consignment.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "5.00", "reason": "x"},
    )
    assert ContentLine.objects.get(consignment=consignment).value == Decimal("400.00")


# --- Routing blocked by a hold leaves an item nowhere ----------------------------------------------------------------


def test_a_pre_advised_item_an_officer_held_before_is_not_left_assessed_by_scoring():
    """An item PRE_ADVISED with a HOLD_INSPECTION in its history (amended under the old code, or any
    future path) is scored green; RELEASE / REQUIRE_PAYMENT are blocked by the officer hold and ignored,
    so it stays ASSESSED: in no queue, with no response, and never swept (the sweep looks at PRE_ADVISED)."""
    from clearance.models import Decision as D

    consignment = ConsignmentFactory(state=ConsignmentState.PRE_ADVISED)
    D.objects.create(
        operator=consignment.operator,
        consignment=consignment,
        sequence=10_000,
        code="HOLD_INSPECTION",
        decided_at=consignment.pre_advised_at,
        decided_by="tests",
    )
    consignments_assess(consignment_ids=[consignment.pk])
    assert _state(consignment) != ConsignmentState.ASSESSED


# --- More answers of 500 -------------------------------------------------------------------------------------------


def test_rejecting_a_rule_with_nul_in_the_reason_is_not_a_500(client):
    author = UserFactory(role="SUPERVISOR")
    rule = Rule.objects.create(
        created_by=author,
        status="PENDING",
        code="knives",
        kind="PROHIBITED",
        description="Knives",
        condition={"keywords": ["knife"]},
        force_lane="RED",
    )
    client.raise_request_exception = False
    client.force_login(UserFactory(role="SUPERVISOR"))
    response = client.post(f"/officer/rules/{rule.pk}/reject", {"reason": "no\x00"}, follow=True)
    assert response.status_code == 200


def test_an_unknown_rule_decision_is_not_a_rejection(client):
    author = UserFactory(role="SUPERVISOR")
    rule = Rule.objects.create(
        created_by=author,
        status="PENDING",
        code="knives",
        kind="PROHIBITED",
        description="Knives",
        condition={"keywords": ["knife"]},
        force_lane="RED",
    )
    client.force_login(UserFactory(role="SUPERVISOR"))
    client.post(f"/officer/rules/{rule.pk}/approve-later")
    rule.refresh_from_db()
    assert rule.status == "PENDING"


def test_a_trader_paying_with_a_non_ascii_digit_id_is_not_a_500(client):
    from payments.models import Trader

    user = UserFactory(role="TRADER", username="alpha")
    trader = Trader.objects.create(name="Alpha", sender_emails=["sales@alpha.example"])
    trader.members.add(user)
    client.raise_request_exception = False
    client.force_login(user)
    response = client.post("/pay/trader/pay", {"items": ["\u00b2"], "idempotency_key": "t1"})
    assert response.status_code in (302, 400, 404)


def test_two_large_inspection_duties_are_a_message_never_a_500(client):
    """Each 99,999,999,999.99 passes the form's check; their sum (plus fees) does not fit the assessment's
    13-digit total, and the COPY of the new assessment fails with a numeric overflow."""
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    client.raise_request_exception = False
    client.force_login(UserFactory(role="OFFICER"))
    for n in range(2):
        response = client.post(
            f"/officer/items/{consignment.pk}/inspect",
            {"irregularity_found": "yes", "kind": "UNDERVALUATION", "additional_duty": "99999999999.99"},
        )
        # Recorded (a redirect), or refused with the page and the form as typed: never a 500.
        assert response.status_code in (200, 302), f"inspection {n + 1}"


def test_a_large_corrected_value_is_a_message_never_a_500(client):
    """99,999,999,999.99 USD passes the form; converted to BAM its customs value has 12 integer digits."""
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    client.raise_request_exception = False
    client.force_login(UserFactory(role="OFFICER"))
    response = client.post(
        f"/officer/items/{consignment.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "99999999999.99", "reason": "Invoice"},
    )
    assert response.status_code in (200, 302)


# --- Photos ------------------------------------------------------------------------------------------------------


def test_a_phone_jpeg_with_a_multi_picture_segment_is_accepted():
    """Pillow reports JPEGs carrying an MPF segment (phone cameras: HDR gain maps, depth) as "MPO"; they are
    JPEG files, and refusing them keeps officers from attaching the photos their phones take."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from core.uploads import image_uploads_check

    frames = [Image.new("RGB", (64, 48)), Image.new("RGB", (64, 48), (255, 0, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="MPO", save_all=True, append_images=frames[1:])
    upload = SimpleUploadedFile("IMG_0001.JPG", buffer.getvalue(), content_type="image/jpeg")
    assert image_uploads_check([upload])[0].name == "photo.jpg"


def test_bulk_release_refuses_an_item_amended_since_the_queue_showed_it(client):
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    client.force_login(UserFactory(role="OFFICER"))
    shown = consignment.version
    Consignment.objects.filter(pk=consignment.pk).update(version=shown + 1)  # the operator's amendment
    response = client.post(
        "/officer/bulk-release",
        {"items": [consignment.pk], f"seen-{consignment.pk}": str(shown), "confirm": "yes"},
        follow=True,
    )
    assert "changed since you opened it" in response.content.decode()
    assert _state(consignment) == ConsignmentState.HELD


def test_a_claimants_work_on_an_item_keeps_the_claim_fresh(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from clearance.models import Claim

    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    consignments_assess_charges(consignment_ids=[consignment.pk])
    officer = UserFactory(role="OFFICER")
    client.force_login(officer)
    client.post(f"/officer/items/{consignment.pk}/claim")
    almost_expired = timezone.now() - timedelta(minutes=settings.OPENCLEAR_CLAIM_MINUTES - 1)
    Claim.objects.filter(consignment=consignment).update(claimed_at=almost_expired)
    client.post(f"/officer/items/{consignment.pk}/inspect", {"irregularity_found": "no", "kind": "NONE"})
    assert Claim.objects.get(consignment=consignment).claimed_at > almost_expired + timedelta(seconds=30)
