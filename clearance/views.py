"""The officer dashboard at /officer/: thin views over clearance.queue (reads) and clearance.officer (writes)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clearance import officer, queue
from clearance.models import Consignment, PostalOperator, SeizureRequest
from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from core.selectors import audit_trail_for
from core.views import RateLimitedLoginView
from risk.choices import OutcomeKind


class OfficerLoginView(RateLimitedLoginView):
    template_name = "officer/login.html"
    rate_scope = "officer-login"

    def get_default_redirect_url(self):
        return reverse("officer:queue")


# --- The queue ------------------------------------------------------------------------------------


@officer_required
@require_GET
def queue_view(request):
    filters = queue.QueueFilters.from_query(request.GET)
    items, next_cursor = queue.queue_page(filters, request.GET.get("after", ""))
    context = {
        "items": items,
        "next_cursor": next_cursor,
        "filters": filters,
        "filter_query": filters.as_query(),
        "operators": PostalOperator.objects.order_by("name").only("id", "name"),
        "pending_seizures": SeizureRequest.objects.filter(state="PENDING").count() if request.user.is_supervisor else 0,
    }
    if request.htmx:
        return render(request, "officer/_queue_rows.html", context)
    return render(request, "officer/queue.html", context)


@officer_required
@require_POST
def queue_next(request):
    filters = queue.QueueFilters.from_query(request.POST)
    consignment = officer.consignment_claim_next(officer=request.user, queryset=queue.queue_queryset(filters))
    if consignment is None:
        messages.info(request, _("The queue is empty."))
        return redirect("officer:queue")
    return redirect("officer:item", pk=consignment.pk)


@officer_required
@require_POST
def bulk_release(request):
    ids = [int(pk) for pk in request.POST.getlist("items") if pk.isdigit()]
    result = officer.officers_bulk_release(consignment_ids=ids, officer=request.user)
    messages.success(request, _("%(count)d item(s) released.") % {"count": len(result["released"])})
    if result["refused"]:
        messages.error(request, _("Not released (no longer held): %(ids)s") % {"ids": ", ".join(result["refused"])})
    return redirect("officer:queue")


# --- One item ------------------------------------------------------------------------------------------


@officer_required
@require_GET
def item_view(request, pk: int):
    from payments.selectors import assessment_current
    from risk.models import RiskAssessment

    consignment = get_object_or_404(Consignment.objects.select_related("operator", "office"), pk=pk)
    context = {
        "consignment": consignment,
        "lines": consignment.lines.all(),
        "risk": RiskAssessment.objects.filter(consignment=consignment).order_by("-consignment_version").first(),
        "assessment": assessment_current(consignment=consignment),
        "history": queue.party_history(consignment),
        "diff": queue.versions_diff(consignment),
        "events": consignment.events.all(),
        "decisions": consignment.decisions.order_by("sequence"),
        "audit": audit_trail_for(obj=consignment).order_by("at", "id"),
        "claim": getattr(consignment, "claim", None),
        "info_requests": consignment.information_requests.all(),
        "seizure": consignment.seizure_requests.filter(state="PENDING").first(),
        "outcomes": consignment.inspection_outcomes.prefetch_related("photos").order_by("-created_at"),
        "outcome_kinds": OutcomeKind.choices,
        "disputes": consignment.disputes.filter(state="OPEN"),
    }
    return render(request, "officer/item.html", context)


ACTIONS = {}


def action(name):
    def register(function):
        ACTIONS[name] = function
        return function

    return register


@action("claim")
def _claim(request, consignment):
    officer.consignment_claim(consignment=consignment, officer=request.user)
    return _("You are working on this item.")


@action("release")
def _release(request, consignment):
    consignment = officer.officer_release(
        consignment=consignment, officer=request.user, reason=_post(request, "reason")
    )
    return _("Decision: %(state)s.") % {"state": consignment.get_state_display()}


@action("request_info")
def _request_info(request, consignment):
    officer.officer_request_info(consignment=consignment, officer=request.user, question=_post(request, "question"))
    return _("The question was sent to the operator and the addressee.")


@action("answer")
def _answer(request, consignment):
    officer.officer_record_answer(consignment=consignment, officer=request.user, answer=_post(request, "answer"))
    return _("The answer was recorded; the item is back in the queue.")


@action("inspect")
def _inspect(request, consignment):
    from risk.services import inspection_outcome_record

    try:
        duty = Decimal(request.POST.get("additional_duty") or "0")
    except InvalidOperation:
        raise ApplicationError(_("The additional duty must be an amount.")) from None
    outcome = inspection_outcome_record(
        consignment=consignment,
        officer=request.user,
        irregularity_found=request.POST.get("irregularity_found") == "yes",
        kind=request.POST.get("kind", OutcomeKind.NONE),
        additional_duty=duty,
        notes=_post(request, "notes"),
    )
    _save_photos(outcome, request.FILES.getlist("photos"))
    return _("The inspection outcome was recorded.")


def _save_photos(outcome, files) -> None:
    from risk.models import InspectionPhoto

    for upload in files[:10]:
        if upload.content_type not in ("image/jpeg", "image/png", "image/webp") or upload.size > 10 * 1024 * 1024:
            raise ApplicationError(_("Photos must be JPEG, PNG or WebP images of at most 10 MB."))
        InspectionPhoto.objects.create(outcome=outcome, file=upload)


@action("propose_seizure")
def _propose_seizure(request, consignment):
    officer.seizure_propose(consignment=consignment, officer=request.user, reason=_post(request, "reason"))
    return _("The seizure waits for a supervisor's confirmation.")


@action("return")
def _return(request, consignment):
    officer.officer_return(consignment=consignment, officer=request.user, reason=_post(request, "reason"))
    return _("The item goes back to the sender.")


@action("refer")
def _refer(request, consignment):
    officer.officer_refer(
        consignment=consignment, officer=request.user, agency=_post(request, "agency"), reason=_post(request, "reason")
    )
    return _("The item was referred.")


@action("correct")
def _correct(request, consignment):
    try:
        position = int(request.POST.get("position", ""))
        value = Decimal(request.POST.get("value", ""))
    except (ValueError, InvalidOperation):
        raise ApplicationError(_("Give the line and a value.")) from None
    officer.officer_correct_line(
        consignment=consignment,
        officer=request.user,
        position=position,
        hs_code=_post(request, "hs_code"),
        value=value,
        reason=_post(request, "reason"),
    )
    return _("The declaration was corrected and reassessed.")


def _post(request, name: str) -> str:
    return request.POST.get(name, "").strip()[:4000]


@officer_required
@require_POST
def item_action(request, pk: int, name: str):
    consignment = get_object_or_404(Consignment, pk=pk)
    handler = ACTIONS.get(name)
    if handler is None:
        return render(request, "officer/error.html", {"message": _("Unknown action.")}, status=404)
    try:
        messages.success(request, handler(request, consignment))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if name != "claim" and request.POST.get("next") == "queue":
        return redirect("officer:queue")
    return redirect("officer:item", pk=pk)


# --- Supervisors: seizures ---------------------------------------------------------------------------------


@supervisor_required
@require_GET
def seizures_view(request):
    pending = SeizureRequest.objects.filter(state="PENDING").select_related("consignment", "proposed_by")
    return render(request, "officer/seizures.html", {"pending": pending})


@supervisor_required
@require_POST
def seizure_decide(request, pk: int, decision: str):
    request_obj = get_object_or_404(SeizureRequest, pk=pk)
    try:
        if decision == "confirm":
            officer.seizure_confirm(request=request_obj, supervisor=request.user)
            messages.success(request, _("Seizure confirmed."))
        else:
            officer.seizure_reject(request=request_obj, supervisor=request.user, reason=_post(request, "reason"))
            messages.success(request, _("Seizure rejected; the item stays held."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("officer:seizures")


# --- Disputes and search ------------------------------------------------------------------------------------


@officer_required
@require_GET
def disputes_view(request):
    from payments.models import Dispute

    open_disputes = Dispute.objects.filter(state="OPEN").select_related("consignment", "line", "assessment")
    return render(request, "officer/disputes.html", {"disputes": open_disputes})


@officer_required
@require_POST
def dispute_resolve(request, pk: int):
    from payments.models import Dispute
    from payments.services import dispute_resolve as resolve

    dispute = get_object_or_404(Dispute, pk=pk)
    resolve(
        dispute=dispute,
        officer=request.user,
        upheld=request.POST.get("upheld") == "yes",
        resolution=_post(request, "resolution"),
    )
    messages.success(request, _("The dispute was answered."))
    return redirect("officer:disputes")


@officer_required
@require_GET
def search_view(request):
    query = request.GET.get("q", "")[:200]
    return render(request, "officer/search.html", {"q": query, "results": queue.search(query) if query else []})
