"""Who may reach what: every object endpoint × every role, on their own and on others' objects.

Expected answers: a status code, "login" (redirected to a login page), or
"own" / "none" for lists (sees its own objects / sees nothing of the other's).
Another party's object answers 404, exactly like an object that does not exist.
"""

import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import AnswerDocument
from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, InformationRequest
from officer.selectors import decision_stamp
from payments.models import Payment, PaymentItem, Trader
from postal.services import api_key_issue
from tests.factories import ConsignmentFactory, PostalOperatorFactory, UserFactory
from tests.payments.helpers import make_due
from tests.postal import payloads

pytestmark = pytest.mark.django_db
ROLES = ("operator", "other operator", "trader", "other trader", "officer", "supervisor", "anonymous")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    operator, other = PostalOperatorFactory(code="OPA"), PostalOperatorFactory(code="OPB")
    held = ConsignmentFactory(
        operator=operator, state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5")
    )
    due = make_due(operator=operator, sender_email="sales@alpha.example")
    users = {"officer": UserFactory(role="OFFICER"), "supervisor": UserFactory(role="SUPERVISOR")}
    for role, name, email in (("trader", "Alpha", "sales@alpha.example"), ("other trader", "Beta", "b@beta.example")):
        users[role] = UserFactory(role="TRADER")
        Trader.objects.create(name=name, sender_emails=[email]).members.add(users[role])
    trader_payment = Payment.objects.create(
        idempotency_key=uuid.uuid4().hex,
        provider="sandbox",
        state="SUCCEEDED",
        amount=Decimal("1.00"),
        currency="BAM",
        trader=users["trader"].traders.get(),
    )
    PaymentItem.objects.create(
        payment=trader_payment, consignment=due, assessment=due.assessments.get(), amount=Decimal("1.00")
    )
    asked = InformationRequest.objects.create(consignment=held, question="Invoice?", asked_by=users["officer"])
    document = AnswerDocument(
        request=asked, extension="pdf", content_type="application/pdf", size=14, sha256="0" * 64, channel="OPERATOR"
    )
    document.file.save("document.pdf", ContentFile(b"%PDF-1.7\n%%EOF"), save=True)
    keys = {"operator": api_key_issue(operator=operator)[1], "other operator": api_key_issue(operator=other)[1]}
    return {
        "held": held,
        "due": due,
        "users": users,
        "keys": keys,
        "trader_payment": trader_payment,
        "document": document,
    }


def client_for(role: str, world) -> Client:
    """Operators use the API with their key; people sign in; anonymous has neither."""
    if role in world["keys"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world['keys'][role]}")
        return client
    client = APIClient()
    if role in world["users"]:
        client.force_login(world["users"][role])
    return client


def outcome(response) -> str | int:
    if response.status_code == 302 and "/login/" in response["Location"]:
        return "login"
    return response.status_code


API_REFUSED = {"trader": 401, "other trader": 401, "officer": 401, "supervisor": 401, "anonymous": 401}
OFFICERS_ONLY = {
    "operator": "login",
    "other operator": "login",
    "trader": 403,
    "other trader": 403,
    "anonymous": "login",
}

MATRIX = {
    "api item": (
        "GET",
        lambda w: f"/api/v1/postal/items/{w['held'].item_id}",
        {"operator": 200, "other operator": 404, **API_REFUSED},
    ),
    "api event on the item": (
        "POST",
        lambda w: "/api/v1/postal/events",
        {"operator": "own", "other operator": "none", **API_REFUSED},
    ),
    "api responses feed": (
        "GET",
        lambda w: "/api/v1/postal/responses",
        {"operator": "own", "other operator": "none", **API_REFUSED},
    ),
    "api item information": (
        "GET",
        lambda w: f"/api/v1/postal/items/{w['held'].item_id}/information",
        {"operator": 200, "other operator": 404, **API_REFUSED},
    ),
    "answer document, officer's link": (
        "GET",
        lambda w: f"/officer/items/{w['held'].pk}/documents/{w['document'].pk}",
        {"officer": 200, "supervisor": 200, **OFFICERS_ONLY},
    ),
    "agency queue": (
        "GET",
        lambda w: "/agency/",
        {
            "officer": 403,
            "supervisor": 403,
            "trader": 403,
            "other trader": 403,
            "operator": "login",
            "other operator": "login",
            "anonymous": "login",
        },
    ),
    "officer item page": (
        "GET",
        lambda w: f"/officer/items/{w['held'].pk}/",
        {"officer": 200, "supervisor": 200, **OFFICERS_ONLY},
    ),
    "officer release": (
        "POST",
        lambda w: f"/officer/items/{w['held'].pk}/release",
        {"officer": 302, "supervisor": 302, **OFFICERS_ONLY},
    ),
    "release times": (
        "GET",
        lambda w: "/officer/performance/trs/",
        {"officer": 200, "supervisor": 200, **OFFICERS_ONLY},
    ),
    "simulator": (
        "GET",
        lambda w: "/officer/performance/simulator/",
        {"officer": 403, "supervisor": 200, **OFFICERS_ONLY},
    ),
    "trader item": (
        "GET",
        lambda w: f"/pay/trader/items/{w['due'].pk}/",
        {
            "trader": 200,
            "other trader": 404,
            "officer": 403,
            "supervisor": 403,
            "operator": "login",
            "other operator": "login",
            "anonymous": "login",
        },
    ),
    "trader payment": (
        "GET",
        lambda w: f"/pay/payments/{w['trader_payment'].reference}/",
        {"trader": 200, **{r: 404 for r in ROLES if r != "trader"}},
    ),
    "trader receipt": (
        "GET",
        lambda w: f"/pay/payments/{w['trader_payment'].reference}/receipt.pdf",
        {"trader": 200, **{r: 404 for r in ROLES if r != "trader"}},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_access(world, endpoint, role):
    method, url, expected = MATRIX[endpoint]
    client = client_for(role, world)
    if endpoint == "api event on the item":
        body = {"events": [{"itemId": world["held"].item_id, "code": "EMD", "at": "2026-11-01T10:00:00Z"}]}
        response = client.post(url(world), body, format="json")
        got = outcome(response)
        if got == 200:
            world["held"].refresh_from_db()
            got = "own" if world["held"].arrived_at else "none"
    elif endpoint == "api responses feed":
        response = client.get(url(world))
        got = outcome(response)
        if got == 200:
            ids = {r["itemId"] for r in response.json()["results"]}
            got = "own" if world["due"].item_id in ids else "none" if not ids else f"foreign {ids}"
    elif endpoint == "officer release":  # the form as the item page draws it: the version seen, a reason
        form = {"seen": decision_stamp(world["held"]), "reason": "Documents in order."}
        response = client.post(url(world), form)
        got = outcome(response)
    else:
        response = client.generic(method, url(world))
        got = outcome(response)
        response.close()  # a document's file
    assert got == expected[role], f"{endpoint} as {role}: {response.content[:300]}"


def test_operators_cannot_set_state_lane_or_score(operator_client, consignment):
    item = payloads.item(serial=77_000_001) | {
        "state": "RELEASED",
        "lane": "GREEN",
        "riskScore": 0,
        "status": "RELEASED",
    }
    response = operator_client.post("/api/v1/postal/items", {"items": [item]}, format="json")
    result = response.json()["results"][0]
    stored = Consignment.objects.filter(item_id=item["itemId"]).first()
    if result["status"] == "REJECTED":
        refused = {e["field"].rsplit(".", 1)[-1] for e in result["errors"]}
        assert stored is None and {"state", "lane", "riskScore", "status"} <= refused
    else:
        assert (stored.state, stored.lane, stored.risk_score) == (ConsignmentState.PRE_ADVISED, "", None)


def test_officers_cannot_set_state_through_a_correction(client, world):
    client.force_login(world["users"]["officer"])
    held = world["held"]
    forged = {
        "state": "RELEASED",
        "lane": "GREEN",
        "risk_score": "0",
        "position": "1",
        "hs_code": "610910",
        "value": "25.00",
    }
    client.post(f"/officer/items/{held.pk}/correct", forged)
    held.refresh_from_db()
    assert (held.state, held.lane, held.risk_score) == (ConsignmentState.HELD, Lane.YELLOW, Decimal("0.5000"))


def test_payment_pages_only_answer_get(client, world):
    client.force_login(world["users"]["trader"])
    url = f"/pay/payments/{world['trader_payment'].reference}/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_the_admin_is_for_administrators_only(client):
    from tests.factories import UserFactory

    for role in ("OFFICER", "SUPERVISOR", "TRADER"):
        client.force_login(UserFactory(role=role, is_staff=True))  # a staff flag alone opens nothing
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(role="ADMIN", is_staff=True))
    page = client.get("/admin/").content.decode()
    assert "OpenClear administration" in page and 'href="/"' in page


@pytest.mark.django_db
def test_admin_logins_are_rate_limited(client, settings):
    from django.core.cache import cache

    from tests.factories import UserFactory

    cache.clear()
    settings.OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE = 5
    admin_user = UserFactory(role="ADMIN", is_staff=True)
    for _ in range(5):
        assert client.post("/admin/login/", {"username": admin_user.username, "password": "wrong"}).status_code == 200
    response = client.post("/admin/login/", {"username": admin_user.username, "password": "correct-horse-battery"})
    assert response.status_code == 429 and "Too many login attempts" in response.content.decode()
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("login_url", ["/officer/login/", "/admin/login/", "/pay/login/"])
def test_correct_logins_do_not_count_against_the_login_limit(client, settings, login_url):
    from django.core.cache import cache

    from tests.factories import UserFactory

    cache.clear()
    settings.OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE = 5
    user = UserFactory(role="ADMIN" if "admin" in login_url else "OFFICER", is_staff=True)
    if login_url == "/pay/login/":
        user = UserFactory(role="TRADER")
    for _ in range(8):  # more good logins in a minute than the limit allows failed ones
        response = client.post(login_url, {"username": user.username, "password": "correct-horse-battery"})
        assert response.status_code == 302, response.status_code
        client.logout()
    for _ in range(5):
        assert client.post(login_url, {"username": user.username, "password": "wrong"}).status_code == 200
    assert client.post(login_url, {"username": user.username, "password": "wrong"}).status_code == 429
    cache.clear()
