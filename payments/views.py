"""The duty payment portal at /pay/: thin views over payments.selectors and payments.services.

Access to an item's charges is by a signed link token: the portal hands one
out after a lookup with the right S10 id and postcode, and the "charges due"
e-mail carries one. A payment's reference (a random UUID) opens its receipt.
Traders log in and see only parcels verified as theirs.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clearance.choices import ConsignmentState
from clearance.models import Consignment
from clearance.tracking import consignment_timeline
from core.exceptions import ApplicationError
from core.normalize import whole_number
from core.ratelimit import allow, client_address
from core.views import RateLimitedLoginView
from payments import cases, collection, receipts, selectors, services
from payments.choices import CaseChannel, PaymentState
from payments.forms import AppealForm, CardForm, CaseForm, LookupForm
from payments.models import AccountCharge, Case, Payment, Trader
from payments.providers import SandboxProvider, UnknownTestCard, WebhookRejected, get_provider


def _consignment_for_token(token: str) -> Consignment:
    consignment_id = services.consignment_id_from_token(token)
    consignment = Consignment.objects.filter(pk=consignment_id).first() if consignment_id else None
    if consignment is None:
        raise Http404(_("This link is not valid or has expired."))
    return consignment


@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST":
        if not allow("pay-lookup", client_address(request), limit=settings.OPENCLEAR_PAY_LOOKUPS_PER_MINUTE):
            return render(request, "payments/lookup.html", {"form": form, "throttled": True}, status=429)
        if form.is_valid():
            return _lookup_parcel(request, form)
    return render(request, "payments/lookup.html", {"form": form})


def _lookup_parcel(request, form: LookupForm):
    """Find the parcel; a number tried with too many wrong postcodes is locked for a while (payments.services)."""
    item_id = form.cleaned_data["item_id"]
    client = client_address(request)
    if services.parcel_lookup_locked(item_id, client):
        return render(request, "payments/lookup.html", {"form": form, "parcel_locked": True}, status=429)
    try:
        consignment = selectors.consignment_find_for_payer(item_id=item_id, postcode=form.cleaned_data["postcode"])
    except selectors.AmbiguousParcel:
        return render(request, "payments/lookup.html", {"form": form, "ambiguous": True})
    if consignment is None:
        services.parcel_lookup_failed(item_id, client)
        form.add_error(None, _("No parcel matches this number and postcode."))
        return render(request, "payments/lookup.html", {"form": form})
    return redirect("payments:item", token=services.access_token_for(consignment))


@require_GET
def item(request, token: str):
    consignment = _consignment_for_token(token)
    return render(request, "payments/item.html", _item_context(consignment, token=token))


def _item_context(consignment: Consignment, *, token: str = "", trader: Trader | None = None) -> dict:
    return {
        "consignment": consignment,
        "timeline": consignment_timeline(consignment=consignment),
        "assessment": selectors.assessment_current(consignment=consignment),
        "paid": selectors.payment_succeeded_for(consignment=consignment),
        "channel": selectors.payer_channel(consignment=consignment),
        "open_case": selectors.case_open_for(consignment=consignment),
        # Each case with the link that opens it: an answered case is followed (and appealed) there.
        "cases": [(case, cases.case_token(case)) for case in selectors.cases_of(consignment=consignment)],
        "token": token,
        # Customs waits for information: the addressee answers on the item's answer page (agencies.views).
        "answer_token": (token or services.access_token_for(consignment))
        if consignment.state == ConsignmentState.INFO_REQUESTED
        else "",
        "trader": trader,
        # A fresh key per rendered form: a double submit of this form is one payment.
        "idempotency_key": uuid.uuid4().hex,
    }


@require_POST
def pay(request, token: str):
    consignment = _consignment_for_token(token)
    return _start_payment(request, [consignment], back=reverse("payments:item", args=[token]))


def _start_payment(request, consignments, *, back: str, trader: Trader | None = None):
    key = request.POST.get("idempotency_key", "")
    if not key or len(key) > 100:
        messages.error(request, _("The form has expired; please try again."))
        return redirect(back)
    try:
        payment = services.payment_start(
            consignments=consignments,
            idempotency_key=key,
            payer_email=request.POST.get("email", "")[:254],
            trader=trader,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if payment.state != PaymentState.PENDING:
        return redirect("payments:payment", reference=payment.reference)
    return redirect(get_provider(payment.provider).checkout_url(payment))


def _payment_for(request, reference: uuid.UUID, **filters) -> Payment:
    """A consumer's payment is reached by its unguessable reference; a trader's only by that trader's members."""
    payment = get_object_or_404(Payment, reference=reference, **filters)
    if payment.trader_id and not (
        request.user.is_authenticated and payment.trader.members.filter(pk=request.user.pk).exists()
    ):
        raise Http404
    return payment


@require_GET
def payment(request, reference: uuid.UUID):
    payment = _payment_for(request, reference)
    items = list(payment.items.select_related("consignment", "assessment"))
    back = reverse("payments:item", args=[services.access_token_for(items[0].consignment)]) if items else ""
    if payment.trader_id:
        back = reverse("payments:trader-home")
    return render(
        request,
        "payments/payment.html",
        {"payment": payment, "items": items, "back": back, "standing": selectors.payment_standing(payment=payment)},
    )


@require_GET
def receipt_pdf(request, reference: uuid.UUID):
    payment = _payment_for(request, reference, state=PaymentState.SUCCEEDED)
    response = FileResponse(
        receipts.receipt_pdf(payment),  # in the payer's language, whatever this page's
        content_type="application/pdf",
        as_attachment=True,
        filename=f"receipt-{payment.verification_code}.pdf",
    )
    return response


@require_GET
def verify(request):
    code = request.GET.get("code", "").strip().upper()[:16]
    found = None
    if code:
        if not allow("pay-verify", client_address(request), limit=settings.OPENCLEAR_PAY_LOOKUPS_PER_MINUTE):
            return render(request, "payments/verify.html", {"code": code, "throttled": True}, status=429)
        found = Payment.objects.filter(verification_code=code, state=PaymentState.SUCCEEDED).first()
    context = {"code": code, "found": found, "searched": bool(code)}
    if found is not None:
        context["standing"] = selectors.payment_standing(payment=found)
    return render(request, "payments/verify.html", context)


@require_http_methods(["GET", "POST"])
def case_new(request, token: str):
    """A dispute of charges still due, or a refund claim after payment: the item's state decides which."""
    consignment = _consignment_for_token(token)
    return _case_form(request, consignment, channel=CaseChannel.PORTAL, back=reverse("payments:item", args=[token]))


def _case_form(request, consignment: Consignment, *, channel: str, back: str):
    assessment = selectors.assessment_current(consignment=consignment)
    if assessment is None:
        raise Http404
    form = CaseForm(request.POST or None, lines=assessment.lines.all())
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.case_open(
                consignment=consignment,
                grounds=form.cleaned_data["grounds"],
                line=form.cleaned_data["line"],
                reason=form.cleaned_data["reason"],
                contact_email=form.cleaned_data["email"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                channel=channel,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your case was sent to customs; you will be told of the answer by e-mail."))
            return redirect("payments:case", token=cases.case_token(case))
    context = {"form": form, "consignment": consignment, "back": back, "kind": _case_kind_shown(consignment)}
    return render(request, "payments/case_new.html", context)


def _case_kind_shown(consignment: Consignment) -> str:
    if consignment.state == ConsignmentState.CHARGES_DUE:
        return _("Dispute the charges (before paying)")
    return _("Claim a refund of the charges paid")


def _case_for_token(token: str):
    case_id = cases.case_id_from_token(token)
    case = Case.objects.select_related("consignment").filter(pk=case_id).first() if case_id else None
    if case is None:
        raise Http404(_("This link is not valid or has expired."))
    return case


@require_http_methods(["GET", "POST"])
def case_view(request, token: str):
    """The payer's case: its state, the officer's answer, and the appeal of a rejection."""
    case = _case_for_token(token)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = cases.case_open(
                consignment=case.consignment,
                grounds=case.grounds,
                reason=form.cleaned_data["reason"],
                contact_email=case.contact_email,
                language=translation.get_language() or case.language,
                channel=case.channel,
                appeal_of=case,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your appeal was sent; another officer reviews it."))
            return redirect("payments:case", token=cases.case_token(appeal))
    context = {
        "case": case,
        "form": form,
        "can_appeal": cases.case_appealable(case),
        "appeal_closes_at": cases.appeal_closes_at(case) if case.resolved_at else None,
        "history": list(selectors.cases_of(consignment=case.consignment)),
        "item_link": reverse("payments:item", args=[services.access_token_for(case.consignment)]),
    }
    return render(request, "payments/case.html", context)


# --- Traders ------------------------------------------------------------------------------------------


class TraderLoginView(RateLimitedLoginView):
    template_name = "payments/login.html"
    rate_scope = "pay-login"

    def get_default_redirect_url(self):
        return reverse("payments:trader-home")


def _trader_of(request) -> Trader:
    trader = request.user.traders.first()
    if trader is None:
        raise PermissionDenied(_("This account is not a trader's."))
    return trader


@login_required(login_url="payments:login")
@require_GET
def trader_home(request):
    trader = _trader_of(request)
    due = list(selectors.consignments_due_for_trader(trader=trader)[:500])
    current = {a.consignment_id: a for a in selectors.assessments_current_for(consignments=due)}
    rows = [(consignment, current.get(consignment.pk)) for consignment in due]
    payments = Payment.objects.filter(trader=trader).order_by("-created_at")[:20]
    context = {
        "trader": trader,
        "rows": rows,
        "payments": payments,
        "idempotency_key": uuid.uuid4().hex,
        "charges": collection.account_charges_for(user=request.user),
    }
    return render(request, "payments/trader_home.html", context)


@login_required(login_url="payments:login")
@require_POST
def trader_charge_dispute(request, pk: int):
    """The account's holder disputes one charge on its account."""
    _trader_of(request)
    charge = get_object_or_404(AccountCharge.objects.filter(account__trader__members=request.user), pk=pk)
    try:
        collection.account_charge_dispute(charge=charge, user=request.user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your dispute was sent: an officer answers it."))
    return redirect("payments:trader-home")


@login_required(login_url="payments:login")
@require_GET
def trader_item(request, pk: int):
    trader = _trader_of(request)
    consignment = get_object_or_404(selectors.consignments_for_trader(trader=trader), pk=pk)
    return render(request, "payments/item.html", _item_context(consignment, trader=trader))


@login_required(login_url="payments:login")
@require_http_methods(["GET", "POST"])
def trader_case_new(request, pk: int):
    trader = _trader_of(request)
    consignment = get_object_or_404(selectors.consignments_for_trader(trader=trader), pk=pk)
    return _case_form(request, consignment, channel=CaseChannel.TRADER, back=reverse("payments:trader-item", args=[pk]))


@login_required(login_url="payments:login")
@require_POST
def trader_pay(request):
    trader = _trader_of(request)
    ids = [pk for pk in map(whole_number, request.POST.getlist("items")) if pk]
    consignments = list(selectors.consignments_for_trader(trader=trader).filter(pk__in=ids))
    if len(consignments) != len(set(ids)):
        raise Http404  # an id that is not this trader's: answer as if it did not exist
    return _start_payment(request, consignments, back=reverse("payments:trader-home"), trader=trader)


# --- The sandbox payment provider ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request, checkout: str):
    """The sandbox provider's own hosted payment page."""
    payment = get_object_or_404(Payment, provider="sandbox", provider_reference=checkout)
    provider: SandboxProvider = get_provider("sandbox")
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            charge = provider.charge(checkout_token=checkout, payment=payment, card_number=form.cleaned_data["card"])
        except UnknownTestCard as exc:
            form.add_error("card", str(exc))
        else:
            # The provider tells the merchant by a signed webhook; the sandbox
            # delivers it at once, through the same verification as over HTTP.
            body, headers = provider.webhook_for(charge)
            services.provider_webhook_receive(provider_name="sandbox", body=body, headers=headers)
            return redirect("payments:payment", reference=payment.reference)
    return render(request, "payments/sandbox_checkout.html", {"payment": payment, "form": form})


@csrf_exempt  # authenticated by its HMAC signature instead
@require_POST
def provider_webhook(request, provider: str):
    if provider not in ("sandbox",):
        raise Http404
    try:
        result = services.provider_webhook_receive(provider_name=provider, body=request.body, headers=request.headers)
    except WebhookRejected as exc:
        return JsonResponse({"error": {"code": "WEBHOOK_REJECTED", "message": str(exc)}}, status=400)
    return HttpResponse(json.dumps({"result": result}), content_type="application/json")
