"""The officer dashboard over HTTP: queue, claims, decisions, four eyes, permissions."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from clearance.choices import ConsignmentState, Lane
from clearance.models import Claim, Consignment, Decision, SeizureRequest
from clearance.services import consignment_charges_restate
from core.actors import Actor
from core.exceptions import InvalidTransition
from core.models import AuditEntry
from core.services import audit_entries_create
from officer import selectors as queue
from payments.assessment import consignments_assess_charges
from payments.models import Assessment
from postal.selectors import latest_charges
from risk.models import InspectionOutcome, ModelVersion, RiskAssessment, Rule
from tests.factories import ConsignmentFactory, UserFactory, image_upload
from tests.payments.helpers import make_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def held(score="0.5000", lane=Lane.YELLOW, assess=True, **fields) -> Consignment:
    consignment = ConsignmentFactory(state=ConsignmentState.HELD, lane=lane, risk_score=Decimal(score), **fields)
    if assess:
        consignments_assess_charges(consignment_ids=[consignment.pk])
    return consignment


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_lists_held_items_highest_score_first(officer_client):
    low, high = held("0.3100"), held("0.9000", lane=Lane.RED)
    ConsignmentFactory(state=ConsignmentState.RELEASED, risk_score=Decimal("0.99"))
    html = officer_client.get("/officer/").content.decode()
    assert html.index(high.item_id) < html.index(low.item_id)
    assert html.count('data-item="') == 2


def test_queue_filters(officer_client, operator):
    red_cn = held("0.9", lane=Lane.RED, sender_country="CN")
    yellow_tr = held("0.5", sender_country="TR", lines=[{"hs_code": "640399"}])
    RiskAssessment.objects.create(
        consignment=red_cn, consignment_version=1, score=Decimal("0.9"), lane="RED", rules_fired=["weapons-hs@v2"]
    )

    def shown(**params):
        html = officer_client.get("/officer/", params).content.decode()
        return {c.item_id for c in (red_cn, yellow_tr) if c.item_id in html}

    assert shown(lane="RED") == {red_cn.item_id}
    assert shown(origin="TR") == {yellow_tr.item_id}
    assert shown(hs_chapter="64") == {yellow_tr.item_id}
    assert shown(rule="weapons-hs") == {red_cn.item_id}
    assert shown(rule="weapons") == set()  # a rule code, not a prefix of one
    assert shown(operator=red_cn.operator_id) == {red_cn.item_id}


def test_the_queue_filters_and_counts_by_reason_code(officer_client):
    vague = {"code": "goods.vague_description", "params": {"text": "gift"}}
    brand = {"code": "goods.brand_word", "params": {"rule": "Rolex", "word": "rolex"}, "rule": "rolex@v1"}
    both, only_vague, amended = held("0.9", lane=Lane.RED), held("0.5"), held("0.4", version=2)
    released = ConsignmentFactory(state=ConsignmentState.RELEASED)
    for item, version, stored in (
        (both, 1, [vague, brand]),
        (only_vague, 1, [vague]),
        (amended, 1, [brand]),  # an earlier version's finding: not the item's reason now
        (amended, 2, [vague]),
        (released, 1, [brand]),  # not in the queue
    ):
        RiskAssessment.objects.create(
            consignment=item, consignment_version=version, score=Decimal("0.5"), lane="YELLOW", reasons=stored
        )
    ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW)  # held, not scored

    def shown(**params):
        html = officer_client.get("/officer/", params, headers={"Accept-Language": "fr"}).content.decode()
        return html, {c.item_id for c in (both, only_vague, amended, released) if c.item_id in html}

    assert shown(reason="goods.brand_word")[1] == {both.item_id}
    assert shown(reason="goods.vague_description")[1] == {both.item_id, only_vague.item_id, amended.item_id}
    assert shown(reason="goods.vague_description", lane="RED")[1] == {both.item_id}
    assert shown(reason="watchlist.name")[1] == set()
    assert shown(reason="not a code!")[1] == {both.item_id, only_vague.item_id, amended.item_id}  # ignored
    assert queue.queue_reason_counts(queue.QueueFilters()) == [
        ("goods.vague_description", 3),
        ("goods.brand_word", 1),
    ]
    assert queue.queue_reason_counts(queue.QueueFilters(lane="YELLOW", reason="watchlist.name")) == [
        ("goods.vague_description", 2),
        ("watchlist.name", 0),
    ]
    html, _ = shown()
    assert 'value="goods.vague_description" data-count="3" >Description vague (3)</option>' in html
    assert 'value="goods.brand_word" data-count="1" >Marque citée dans la description (1)</option>' in html


def test_the_queue_pages_by_keyset(officer_client, monkeypatch):
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    items = [held(f"0.{90 - i}00", assess=False) for i in range(5)]
    seen, after = [], ""
    for _ in range(3):
        page, after = queue.queue_page(queue.QueueFilters(), after)
        seen += [c.pk for c in page]
    assert seen == [c.pk for c in items] and after == ""
    html = officer_client.get("/officer/").content.decode()
    assert 'id="next-page"' in html and "after=" in html


def test_an_htmx_refresh_returns_only_the_rows(officer_client):
    item = held()
    response = officer_client.get("/officer/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert item.item_id in html and "<html" not in html and html.lstrip().startswith("<tr")


# --- Claims ---------------------------------------------------------------------------------------


def test_two_officers_never_work_the_same_item(client, officer):
    first, second = held("0.9"), held("0.8")
    other = UserFactory(role="OFFICER")
    client.force_login(officer)
    assert client.post("/officer/next")["Location"] == f"/officer/items/{first.pk}/"
    client.force_login(other)
    assert client.post("/officer/next")["Location"] == f"/officer/items/{second.pk}/"
    refused = client.post(f"/officer/items/{first.pk}/claim", follow=True).content.decode()
    assert f"is being worked by {officer.username}" in refused
    assert Claim.objects.get(consignment=first).officer == officer


# --- Decisions --------------------------------------------------------------------------------------


def test_release_of_an_item_with_nothing_due(officer_client):
    item = held()  # USD 25 to BiH: below the relief
    officer_client.post(f"/officer/items/{item.pk}/release")
    item.refresh_from_db()
    assert item.state == ConsignmentState.RELEASED
    assert item.decisions.get().code == "RELEASE_NO_CHARGE"


def test_release_of_a_dutiable_item_asks_for_payment(officer_client):
    item = held(total_value=Decimal("400.00"))
    officer_client.post(f"/officer/items/{item.pk}/release")
    item.refresh_from_db()
    decision = item.decisions.get()
    assert item.state == ConsignmentState.CHARGES_DUE and decision.code == "RELEASE_CHARGES_DUE"
    assert decision.charges["total"] == str(item.assessments.get(is_current=True).total)


def test_request_information_reaches_the_operator_and_the_answer_requeues(officer_client):
    item = held()
    officer_client.post(
        f"/officer/items/{item.pk}/request_info",
        {"question": "Send the invoice, please.", "needed": ["INVOICE"], "days": "14", "outcome": "RETURN"},
    )
    item.refresh_from_db()
    assert item.state == ConsignmentState.INFO_REQUESTED
    assert Decision.objects.get(consignment=item).reason == "Send the invoice, please."
    officer_client.post(f"/officer/items/{item.pk}/answer", {"answer": "Invoice received: USD 25."})
    item.refresh_from_db()
    assert item.state == ConsignmentState.HELD
    assert item.information_requests.get().answer == "Invoice received: USD 25."


def test_inspection_outcome_with_a_photo(officer_client, officer):
    item = held()
    photo = image_upload("../../etc/parcel.png")
    officer_client.post(
        f"/officer/items/{item.pk}/inspect",
        {
            "irregularity_found": "yes",
            "kind": "UNDERVALUATION",
            "additional_duty": "12.50",
            "notes": "Invoice: USD 90",
            "photos": [photo],
        },
    )
    outcome = InspectionOutcome.objects.get(consignment=item)
    assert (outcome.irregularity_found, outcome.kind, outcome.additional_duty) == (
        True,
        "UNDERVALUATION",
        Decimal("12.50"),
    )
    assert outcome.officer == officer and outcome.photos.count() == 1
    stored = outcome.photos.get().file.name
    assert stored.startswith(f"inspections/{item.pk}/") and stored.endswith(".png") and ".." not in stored


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html"),
        SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png"),  # lies about its type
        SimpleUploadedFile(
            "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', content_type="image/png"
        ),
        SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png"),  # a PNG header, no image
    ],
    ids=["html", "html-as-png", "svg-as-png", "truncated-png"],
)
def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_recorded(officer_client, upload):
    item = held()
    response = officer_client.post(
        f"/officer/items/{item.pk}/inspect",
        {"irregularity_found": "yes", "kind": "UNDERVALUATION", "additional_duty": "5.00", "photos": [upload]},
        follow=True,
    )
    assert "photos must be JPEG, PNG or WebP images" in response.content.decode()
    assert not InspectionOutcome.objects.filter(consignment=item).exists()
    assert Assessment.objects.filter(consignment=item).count() == 1  # no duty charged either


def test_a_seizure_waits_for_a_second_person(client, officer):
    item = held(lane=Lane.RED)
    supervisor, other_supervisor = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    client.force_login(officer)
    client.post(f"/officer/items/{item.pk}/propose_seizure", {"reason": "Counterfeit watches"})
    request = SeizureRequest.objects.get()
    item.refresh_from_db()
    assert item.state == ConsignmentState.HELD
    assert client.post(f"/officer/seizures/{request.pk}/confirm").status_code == 403  # an officer cannot confirm
    client.force_login(supervisor)
    client.post(f"/officer/items/{held().pk}/propose_seizure", {"reason": "Narcotics"})
    own = SeizureRequest.objects.get(proposed_by=supervisor)
    page = client.post(f"/officer/seizures/{own.pk}/confirm", follow=True).content.decode()
    assert "someone other than who proposed it" in page
    client.force_login(other_supervisor)
    client.post(f"/officer/seizures/{request.pk}/confirm")
    item.refresh_from_db()
    assert item.state == ConsignmentState.SEIZED and item.decisions.get().code == "SEIZED"


def test_return_and_refer(officer_client):
    returned, referred = held(), held()
    Agency.objects.create(code="veterinary", name="Veterinary office", kind="AGRICULTURE")
    officer_client.post(f"/officer/items/{returned.pk}/return", {"reason": "Prohibited"})
    officer_client.post(f"/officer/items/{referred.pk}/refer", {"agency": "veterinary", "reason": "Meat"})
    assert Consignment.objects.get(pk=returned.pk).state == ConsignmentState.RETURNED
    assert Decision.objects.get(consignment=referred).reason == "Veterinary office: Meat"


def test_correcting_a_value_reassesses_the_item(officer_client):
    item = held()
    officer_client.post(
        f"/officer/items/{item.pk}/correct",
        {"position": "1", "hs_code": "640399", "value": "400.00", "reason": "Invoice found in the parcel"},
    )
    assessments = Assessment.objects.filter(consignment=item).order_by("number")
    assert [a.number for a in assessments] == [1, 2] and assessments[1].is_current
    assert assessments[0].total == 0 and assessments[1].total > 0
    assert assessments[1].lines.get().hs_code == "640399"
    entry = AuditEntry.objects.get(target_id=item.pk, action="clearance.consignment.corrected")
    assert entry.payload["before"] == {"hsCode": "610910", "value": "25.00"}
    assert not Decision.objects.filter(consignment=item).exists()  # held: the officer decides later


def test_correcting_an_item_awaiting_payment_tells_the_operator_the_new_charges(officer_client):
    due = make_due()
    first = Decision.objects.get(consignment=due)

    officer_client.post(
        f"/officer/items/{due.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "800.00", "reason": "Invoice shows a higher price"},
    )

    due.refresh_from_db()
    current = Assessment.objects.get(consignment=due, is_current=True)
    restated = Decision.objects.filter(consignment=due).order_by("sequence").last()
    assert due.state == ConsignmentState.CHARGES_DUE and current.number == 2
    assert (restated.code, restated.sequence) == ("RELEASE_CHARGES_DUE", first.sequence + 1)
    assert restated.charges == current.charges() and Decimal(restated.charges["total"]) > Decimal(
        first.charges["total"]
    )
    assert restated.reason == "Charges corrected: Invoice shows a higher price"
    assert latest_charges(consignment=due) == current.charges()
    entry = AuditEntry.objects.get(target_id=due.pk, action="clearance.consignment.charges_restated")
    assert entry.payload == {"before": first.charges, "after": current.charges()}


def test_a_correction_that_leaves_the_charges_as_they_were_sends_no_response(officer_client):
    due = make_due()

    officer_client.post(
        f"/officer/items/{due.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "400.00", "reason": "Checked against the invoice"},
    )

    assert Assessment.objects.filter(consignment=due).count() == 2
    assert Decision.objects.filter(consignment=due).count() == 1


def test_a_correction_that_needs_a_full_declaration_is_refused_and_nothing_changes(officer_client):
    # EUR 100 to Italy: VAT due; corrected to EUR 160, above the EU's 150 low-value ceiling.
    due = make_due(addressee_country="IT", currency="EUR", total_value=Decimal("100.00"))

    page = officer_client.post(
        f"/officer/items/{due.pk}/correct",
        {"position": "1", "hs_code": "610910", "value": "160.00", "reason": "Invoice found"},
        follow=True,
    ).content.decode()

    assert "cannot be assessed" in page and "full declaration" in page
    assert due.lines.get().value == Decimal("100.00")
    assert Assessment.objects.filter(consignment=due).count() == 1
    assert Decision.objects.filter(consignment=due).count() == 1
    assert not AuditEntry.objects.filter(target_id=due.pk, action="clearance.consignment.corrected").exists()


def test_restating_charges_needs_an_item_awaiting_payment(officer):
    item = held()
    with pytest.raises(InvalidTransition):
        consignment_charges_restate(consignment=item, actor=Actor.for_user(officer), charges={"total": "1"}, reason="x")
    due = make_due()
    sent = Decision.objects.get(consignment=due).charges
    assert (
        consignment_charges_restate(consignment=due, actor=Actor.for_user(officer), charges=sent, reason="x") is False
    )
    assert not Decision.objects.filter(consignment=item).exists()


def test_an_unknown_hs_code_is_refused(officer_client):
    item = held()
    page = officer_client.post(
        f"/officer/items/{item.pk}/correct",
        {"position": "1", "hs_code": "999999", "value": "1", "reason": "x"},
        follow=True,
    ).content.decode()
    assert "not an HS code of the nomenclature" in page


def test_bulk_release(officer_client):
    items = [held() for _ in range(3)]
    already = ConsignmentFactory(state=ConsignmentState.SEIZED)
    selection = {"items": [c.pk for c in items] + [already.pk]}
    preview = officer_client.post("/officer/bulk-release", selection).content.decode()
    assert 'id="count-yellow">3<' in preview and 'id="count-red">0<' in preview
    assert not Consignment.objects.filter(state=ConsignmentState.RELEASED).exists()  # nothing before the confirmation
    page = officer_client.post("/officer/bulk-release", {**selection, "confirm": "yes"}, follow=True).content.decode()
    assert "3 item(s) released." in page and already.item_id in page
    assert set(Consignment.objects.filter(pk__in=[c.pk for c in items]).values_list("state", flat=True)) == {
        ConsignmentState.RELEASED
    }


def test_search_by_s10_name_and_e_mail(officer_client):
    item = held(addressee_name="Jasmina Begić", addressee_email="jasmina@example.ba")
    for query in (item.item_id, "begić", "jasmina@example.ba"):
        assert item.item_id in officer_client.get("/officer/search/", {"q": query}).content.decode()


def test_the_item_page_shows_risk_reasons_history_and_audit(officer_client):
    earlier = ConsignmentFactory(sender_key="cn|518000|shenzhen trading co", state=ConsignmentState.SEIZED)
    item = held(sender_key="cn|518000|shenzhen trading co")
    RiskAssessment.objects.create(
        consignment=item,
        consignment_version=1,
        score=Decimal("0.5"),
        lane="YELLOW",
        reasons=[{"code": "goods.vague_description", "params": {"text": "accessories"}}],
    )
    html = officer_client.get(f"/officer/items/{item.pk}/").content.decode()
    assert "Vague description “accessories” does not say" in html
    assert earlier.item_id in html and "payments.assessment.created" in html


def test_the_audit_trail_shows_the_findings_of_scoring_in_the_readers_language(officer_client):
    from risk.services import consignments_assess

    item = ConsignmentFactory(lines=[{"description": "Pistol", "hs_code": "930200"}])
    consignments_assess(consignment_ids=[item.pk])
    assessed = AuditEntry.objects.get(target_id=item.pk, action="clearance.consignment.assessed")
    assert assessed.payload["findings"][0]["code"] == "goods.prohibited_word"
    assert assessed.payload["reasons"] == [
        "Firearms and their parts (description mentions “pistol”)",
        "No value reference for these goods: the declared value was not compared.",
    ]
    audit_entries_create(  # an entry written before findings had codes keeps its sentence
        model=Consignment,
        target_ids=[item.pk],
        action="risk.consignment.rescored",
        actor=Actor.system("risk"),
        payloads={item.pk: {"reasons": ["Possible weapons: HS code 9302 is restricted."]}},
    )

    html = officer_client.get(f"/officer/items/{item.pk}/", headers={"Accept-Language": "fr"}).content.decode()

    audit = html.split('class="breakdown audit"')[1].split("</table>")[0]
    assert "<li>Armes à feu et leurs pièces (la description mentionne « pistol »)</li>" in audit
    assert "<li>Possible weapons: HS code 9302 is restricted.</li>" in audit


# --- Permissions ----------------------------------------------------------------------------------------------


def test_an_officer_cannot_approve_rules_or_promote_models(client, officer):
    author = UserFactory(role="SUPERVISOR")
    rule = Rule.objects.create(
        code="x",
        kind="PROHIBITED",
        description="x",
        condition={"keywords": ["x"]},
        score=Decimal("0.5"),
        created_by=author,
    )
    model = ModelVersion.objects.create(algorithm="hgb", trained_on=1, artifact=b"")
    client.force_login(officer)
    assert client.post(f"/officer/rules/{rule.pk}/approve").status_code == 403
    assert client.post(f"/officer/models/{model.pk}/promote").status_code == 403
    assert client.post("/officer/rules/propose", {"code": "y"}).status_code == 403
    rule.refresh_from_db()
    model.refresh_from_db()
    assert rule.status == "PENDING" and not model.is_active


def test_a_rule_change_needs_a_second_supervisor(client):
    author, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    client.force_login(author)
    client.post(
        "/officer/rules/propose",
        {
            "code": "no-knives",
            "kind": "PROHIBITED",
            "description": "Knives",
            "condition": '{"keywords": ["knife"]}',
            "force_lane": "RED",
        },
    )
    rule = Rule.objects.get(code="no-knives")
    page = client.post(f"/officer/rules/{rule.pk}/approve", follow=True).content.decode()
    assert "other than its author" in page
    client.force_login(checker)
    client.post(f"/officer/rules/{rule.pk}/approve")
    rule.refresh_from_db()
    assert rule.status == "ACTIVE" and rule.approved_by == checker


@pytest.mark.parametrize("role", ["TRADER"])
def test_trader_accounts_cannot_reach_the_dashboard(client, role):
    client.force_login(UserFactory(role=role))
    for url in ("/officer/", "/officer/rules/", "/officer/search/?q=x"):
        assert client.get(url).status_code == 403


def test_anonymous_and_api_key_callers_are_sent_to_the_login(client, api_key):
    assert client.get("/officer/")["Location"].startswith("/officer/login/")
    response = client.get("/officer/", headers={"Authorization": f"Api-Key {api_key}"})
    assert response.status_code == 302 and response["Location"].startswith("/officer/login/")


def test_officer_logins_are_rate_limited(client, officer):
    for _ in range(5):
        client.post("/officer/login/", {"username": officer.username, "password": "wrong"})
    response = client.post("/officer/login/", {"username": officer.username, "password": "correct-horse-battery"})
    assert response.status_code == 429


def test_the_dashboard_speaks_french(officer_client):
    held()
    html = officer_client.get("/officer/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Prendre l’article suivant" in html


def test_the_rule_editor_builds_the_condition_from_fields_and_shows_it_back_readable(client):
    client.force_login(UserFactory(role="SUPERVISOR"))
    client.post(
        "/officer/rules/propose",
        {
            "code": "cheap-phones",
            "kind": "CONDITION",
            "description": "Phones declared cheap",
            "condition-hs_prefixes": "851713, 851714",
            "condition-origin_countries": "cn\nhk",
            "condition-categories": ["SALE_OF_GOODS", "GIFT"],
            "condition-value_max": "30",
            "prohibited-keywords": "ignored for this kind",
            "score": "0.4",
        },
    )
    rule = Rule.objects.get(code="cheap-phones")
    assert rule.condition == {
        "hs_prefixes": ["851713", "851714"],
        "origin_countries": ["CN", "HK"],
        "categories": ["SALE_OF_GOODS", "GIFT"],
        "value_max": "30",
    }
    row = client.get("/officer/rules/").content.decode().split(f'id="rule-{rule.pk}"')[1].split("</tr>")[0]
    assert "HS 851713, 851714 · origin CN, HK" in row and "value 0–30" in row and "{" not in row
    assert "Condition on the item" in row and "+0.40 to the score" in row


def test_a_refused_rule_keeps_what_was_typed(client):
    client.force_login(UserFactory(role="SUPERVISOR"))
    response = client.post(
        "/officer/rules/propose",
        {
            "code": "knives",
            "kind": "PROHIBITED",
            "description": "Knives",
            "prohibited-keywords": "-",
            "force_lane": "RED",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "has nothing a screen can match" in page
    assert 'value="knives"' in page and "-</textarea>" in page
    assert not Rule.objects.exclude(created_by=None).exists()


def test_the_rules_in_force_export_as_json(client):
    author, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    rule = Rule.objects.create(
        code="knives",
        kind="PROHIBITED",
        description="Knives",
        condition={"keywords": ["knife"]},
        force_lane="RED",
        status="ACTIVE",
        created_by=author,
        approved_by=checker,
    )
    client.force_login(UserFactory(role="OFFICER"))
    exported = [r for r in client.get("/officer/rules/rules.json").json() if r["code"] == "knives"]
    assert exported == [
        {
            "code": rule.code,
            "kind": "PROHIBITED",
            "description": "Knives",
            "condition": {"keywords": ["knife"]},
            "forceLane": "RED",
            "score": "0.000",
        }
    ]
