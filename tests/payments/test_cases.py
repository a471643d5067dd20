"""Disputes, refund claims and appeals: one case workflow, with deadlines, corrections, refunds and e-mails."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from clearance.choices import ConsignmentState
from clearance.models import LineCorrection
from officer import services as officer_services
from payments import approvals, cases, enqueue, notifications
from payments.models import Assessment, Case, PaymentItem, Refund
from tests.factories import UserFactory
from tests.payments.helpers import item_url, make_due, pay_with_card

pytestmark = pytest.mark.django_db
# The declared USD 400 was really USD 340: still above the relief, so charges fall without vanishing.
LOWER_VALUE = cases.LineFix(position=1, hs_code="610910", value=Decimal("340.00"))


@pytest.fixture(autouse=True)
def mail_at_once(monkeypatch):
    """The e-mail task's work, done in the test process when the transaction commits (no worker here)."""
    monkeypatch.setattr(
        enqueue,
        "case_mail",
        lambda case_id, step: notifications.case_mail_send(case_id=case_id, step=step),
    )


@pytest.fixture
def paid(client):
    due = make_due()
    pay_with_card(client, due)
    due.refresh_from_db()
    assert due.state == ConsignmentState.RELEASED
    mail.outbox.clear()
    return due


def _open_from_portal(client, consignment, *, grounds="VALUE_WRONG", reason="The invoice says USD 40.", **extra):
    line = Assessment.objects.get(consignment=consignment, is_current=True).lines.get()
    data = {"grounds": grounds, "line": line.pk, "reason": reason, "email": "amra@example.ba", **extra}
    response = client.post(item_url(consignment) + "case", data)
    assert response.status_code == 302, response.content
    return Case.objects.get(consignment=consignment, state="OPEN")


def _case_link(message) -> str:
    return re.search(r"https?://\S+/pay/cases/\S+/", message.body).group(0).split("/pay/", 1)[1]


def test_a_dispute_upheld_before_payment_corrects_the_charges_and_tells_the_payer(
    client, django_capture_on_commit_callbacks
):
    due = make_due()
    before = Assessment.objects.get(consignment=due, is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = _open_from_portal(client, due)
    assert (case.kind, case.channel) == ("DISPUTE", "PORTAL")
    assert case.deadline > timezone.now() + timedelta(days=9)
    assert "received your case" in mail.outbox[-1].subject

    officer = UserFactory(role="OFFICER")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_uphold(case=case, officer=officer, resolution="Invoice checked.", fix=LOWER_VALUE)
    case.refresh_from_db()
    after = Assessment.objects.get(consignment=due, is_current=True)
    assert case.state == "UPHELD" and case.corrected_assessment == after
    assert Decimal("0") < after.total < before.total
    assert due.decisions.order_by("-sequence").first().charges["total"] == str(after.total)  # the operator hears
    assert LineCorrection.objects.filter(consignment=due, value=Decimal("340.00")).exists()
    assert "upheld" in mail.outbox[-1].subject and str(after.total) in mail.outbox[-1].body


def test_a_refund_claim_upheld_after_payment_refunds_the_difference_through_the_provider(
    client, paid, django_capture_on_commit_callbacks
):
    paid_total = Assessment.objects.get(consignment=paid, is_current=True).total
    with django_capture_on_commit_callbacks(execute=True):
        case = _open_from_portal(client, paid)
    assert case.kind == "REFUND" and case.payment is not None
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_uphold(
            case=case, officer=UserFactory(role="OFFICER"), resolution="Value corrected.", fix=LOWER_VALUE
        )
    new_total = Assessment.objects.get(consignment=paid, is_current=True).total
    refund = Refund.objects.get(case=case)
    assert (refund.amount, refund.state) == (paid_total - new_total, "SUCCEEDED")
    assert refund.provider_reference
    assert f"{refund.amount} {refund.currency}" in mail.outbox[-1].body
    page = client.get("/pay/" + _case_link(mail.outbox[-1]))
    assert "Value corrected." in page.content.decode()


def test_a_refund_claim_for_goods_never_delivered_refunds_everything_once_with_a_second_officer(client, paid):
    case = _open_from_portal(client, paid, grounds="NOT_DELIVERED", reason="It never came.")
    first = UserFactory(role="OFFICER")
    with pytest.raises(approvals.ApprovalRequested) as waiting:
        cases.case_uphold(case=case, officer=first, resolution="Lost in transit.")
    case.refresh_from_db()
    assert case.state == "OPEN" and not Refund.objects.filter(consignment=paid).exists()
    approval = waiting.value.approval
    assert (approval.before, approval.after, approval.kind) == (
        PaymentItem.objects.get(consignment=paid).amount,
        0,
        "CASE",
    )
    with pytest.raises(approvals.PermissionDenied):
        officer_services.money_approval_decide(approval=approval, officer=first, approve=True)
    officer_services.money_approval_decide(approval=approval, officer=UserFactory(role="SUPERVISOR"), approve=True)
    refund = Refund.objects.get(case=case)
    assert refund.amount == PaymentItem.objects.get(consignment=paid).amount
    with pytest.raises(cases.InvalidTransition):
        cases.case_uphold(case=case, officer=UserFactory(role="OFFICER"), resolution="Again.")
    assert Refund.objects.filter(consignment=paid).count() == 1


def test_a_rejection_says_why_and_how_to_appeal_and_another_officer_decides_the_appeal(
    client, django_capture_on_commit_callbacks
):
    due = make_due()
    with django_capture_on_commit_callbacks(execute=True):
        case = _open_from_portal(client, due)
    first_officer = UserFactory(role="OFFICER")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_reject(case=case, officer=first_officer, resolution="The market value is USD 400.")
    message = mail.outbox[-1]
    assert "rejected" in message.subject and "appeal" in message.body and "USD 400" in message.body

    case_page = "/pay/" + _case_link(message)
    assert 'id="appeal-form"' in client.get(case_page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(case_page, {"reason": "The seller's invoice is attached to the parcel."})
    appeal = Case.objects.get(appeal_of=case)
    assert (appeal.kind, appeal.state) == ("APPEAL", "OPEN")

    with pytest.raises(cases.PermissionDenied):
        cases.case_reject(case=appeal, officer=first_officer, resolution="Still no.")
    cases.case_reject(case=appeal, officer=UserFactory(role="OFFICER"), resolution="Confirmed on appeal.")
    with pytest.raises(cases.InvalidTransition):
        cases.case_open(consignment=due, grounds="OTHER", reason="Again", appeal_of=appeal)


def test_an_appeal_after_its_time_ran_out_is_refused(settings):
    due = make_due()
    case = cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="Too much.")
    cases.case_reject(case=case, officer=UserFactory(role="OFFICER"), resolution="No.")
    Case.objects.filter(pk=case.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.OPENCLEAR_APPEAL_DAYS + 1)
    )
    case.refresh_from_db()
    assert not cases.case_appealable(case)
    with pytest.raises(cases.InvalidTransition, match="run out"):
        cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="Please.", appeal_of=case)


def test_a_case_without_a_readable_reason_or_on_an_item_without_charges_is_refused():
    due = make_due()
    with pytest.raises(cases.ApplicationError):
        cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="\u200b")
    due.state = ConsignmentState.HELD
    due.save(update_fields=["state"])
    with pytest.raises(cases.InvalidTransition):
        cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="Too much.")


def test_the_officers_queue_lists_open_cases_by_deadline_with_their_age(client):
    late, fresh = make_due(), make_due()
    old_case = cases.case_open(consignment=late, grounds="VALUE_WRONG", reason="Too much.")
    Case.objects.filter(pk=old_case.pk).update(
        created_at=timezone.now() - timedelta(days=12), deadline=timezone.now() - timedelta(days=2)
    )
    cases.case_open(consignment=fresh, grounds="OTHER", reason="Why?")
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get("/officer/cases/").content.decode()
    assert page.index(late.item_id) < page.index(fresh.item_id)
    assert "overdue" in page and ">12<" in page
    overdue_only = client.get("/officer/cases/", {"overdue": "1"}).content.decode()
    assert late.item_id in overdue_only and fresh.item_id not in overdue_only


def test_an_officer_answers_a_case_from_its_page(client):
    due = make_due()
    case = cases.case_open(consignment=due, grounds="VALUE_WRONG", reason="Too much.")
    client.force_login(UserFactory(role="OFFICER"))
    response = client.post(
        f"/officer/cases/{case.pk}/",
        {"upheld": "yes", "resolution": "Corrected.", "position": "1", "hs_code": "610910", "value": "340.00"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "UPHELD"
    item_page = client.get(f"/officer/items/{due.pk}/").content.decode()
    assert "Corrected." in item_page


# --- Operators open cases for payers through the API ---------------------------------------------------------


def test_an_operator_opens_a_case_and_reads_it_and_another_operator_cannot(
    operator_client, other_operator_client, operator
):
    due = make_due(operator=operator)
    body = {"itemId": due.item_id, "grounds": "VALUE_WRONG", "reason": "Invoice shows USD 40.", "language": "fr"}
    response = operator_client.post("/api/v1/postal/cases", body, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["kind"], case["state"], case["itemId"]) == ("DISPUTE", "OPEN", due.item_id)
    assert Case.objects.get(pk=case["id"]).channel == "OPERATOR"
    assert operator_client.get(f"/api/v1/postal/cases/{case['id']}").json()["state"] == "OPEN"
    assert other_operator_client.get(f"/api/v1/postal/cases/{case['id']}").status_code == 404
    assert other_operator_client.post("/api/v1/postal/cases", body, format="json").status_code == 404


def test_a_malformed_case_is_refused_field_by_field(operator_client):
    response = operator_client.post("/api/v1/postal/cases", {"itemId": "X", "grounds": "BORED"}, format="json")
    assert response.status_code == 400
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert {"itemId", "grounds", "reason"} <= fields


def test_the_payer_is_written_to_in_the_language_of_the_portal_they_used(client, django_capture_on_commit_callbacks):
    due = make_due()
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        case = _open_from_portal(client, due)
    assert case.language == "fr"
    message = mail.outbox[-1]
    assert message.subject == f"La douane a reçu votre dossier concernant le colis {due.item_id}"
    assert "Suivez votre dossier ici" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_reject(case=case, officer=UserFactory(role="OFFICER"), resolution="Valeur confirmée.")
    assert "recours" in mail.outbox[-1].body and "Valeur confirmée." in mail.outbox[-1].body
