"""The officer dashboard at /officer/: thin views over officer.selectors (reads) and officer.services (writes)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clearance.models import ClaimTakeover, Consignment, PostalOperator, SeizureRequest
from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from core.views import RateLimitedLoginView
from officer import selectors as queue
from officer import services as officer
from risk.choices import OutcomeKind

# C0 controls but tab and newline: NUL cannot be stored, the others are never meant.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        "takeovers": queue.claim_takeovers_unseen(officer=request.user),
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
    """Two steps: the counts per lane of what would be released, then the release once confirmed."""
    ids = _ids(request.POST.getlist("items"))
    if not ids:
        messages.error(request, _("Select the items to release."))
        return redirect("officer:queue")
    if request.POST.get("confirm") != "yes":
        counts = officer.bulk_release_preview(consignment_ids=ids)
        context = {"ids": ids, "counts": counts, "total": sum(counts.values())}
        return render(request, "officer/bulk_release.html", context)
    try:
        result = officer.officers_bulk_release(
            consignment_ids=ids, officer=request.user, include_red=request.POST.get("include_red") == "yes",
            reason=_post(request, "reason"),
        )  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:queue")
    messages.success(request, _("%(count)d item(s) released.") % {"count": len(result["released"])})
    if result["skipped_red"]:
        messages.info(request, _("Red items left held (a supervisor releases them with a reason): %(ids)s")
                      % {"ids": ", ".join(result["skipped_red"])})  # fmt: skip
    if result["refused"]:
        messages.error(request, _("Not released: %(ids)s") % {"ids": "; ".join(result["refused"])})
    return redirect("officer:queue")


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit() and 0 < int(value) < 2**63]


@officer_required
@require_POST
def takeover_dismiss(request, pk: int):
    takeover = get_object_or_404(ClaimTakeover, pk=pk, from_officer=request.user)
    officer.claim_takeover_dismiss(takeover=takeover, officer=request.user)
    return redirect("officer:queue")


# --- One item ------------------------------------------------------------------------------------------


@officer_required
@require_GET
def item_view(request, pk: int):
    context = queue.item_page(pk=pk, officer=request.user)
    if context is None:
        raise Http404
    return render(request, "officer/item.html", {**context, "outcome_kinds": OutcomeKind.choices})


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


@action("take_over")
def _take_over(request, consignment):
    officer.consignment_claim_take_over(consignment=consignment, officer=request.user, reason=_post(request, "reason"))
    return _("You took the item over; the officer who was working it is told.")


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
    officer.officer_inspect(
        consignment=consignment,
        officer=request.user,
        irregularity_found=request.POST.get("irregularity_found") == "yes",
        kind=request.POST.get("kind", OutcomeKind.NONE),
        additional_duty=_amount(request, "additional_duty", _("The additional duty"), default="0"),
        notes=_post(request, "notes"),
        photos=request.FILES.getlist("photos"),
    )
    return _("The inspection outcome was recorded.")


@action("propose_seizure")
def _propose_seizure(request, consignment):
    officer.seizure_propose(consignment=consignment, officer=request.user, reason=_post(request, "reason"))
    return _("The seizure waits for a supervisor's confirmation.")


@action("withdraw_seizure")
def _withdraw_seizure(request, consignment):
    pending = consignment.seizure_requests.filter(state=SeizureRequest.State.PENDING).first()
    if pending is None:
        raise ApplicationError(_("No seizure of this item waits for a supervisor."))
    officer.seizure_withdraw(request=pending, officer=request.user, reason=_post(request, "reason"))
    return _("Your seizure proposal was withdrawn; the item stays held.")


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
    position = request.POST.get("position", "").strip()
    if not (position.isascii() and position.isdigit() and 0 < int(position) < 10_000):
        raise ApplicationError(_("Give the line to correct."))
    officer.officer_correct_line(
        consignment=consignment,
        officer=request.user,
        position=int(position),
        hs_code=_post(request, "hs_code"),
        value=_amount(request, "value", _("The value")),
        reason=_post(request, "reason"),
    )
    return _("The declaration was corrected and reassessed.")


def _post(request, name: str) -> str:
    """A text field as typed, without NUL and other control characters (PostgreSQL stores no NUL)."""
    return CONTROL_CHARACTERS.sub("", request.POST.get(name, "")).strip()[:4000]


def _amount(request, name: str, label: str, default: str = "") -> Decimal:
    """A money amount of a form: a finite number of 0 or more with at most two decimals, else a clear error."""
    raw = request.POST.get(name, "").strip() or default
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount < Decimal("1e11") or amount != round(amount, 2):
        raise ApplicationError(_("%(label)s must be an amount such as 12.50.") % {"label": label})
    return amount


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
    return render(request, "officer/seizures.html", {"pending": pending.order_by("proposed_at")})


@supervisor_required
@require_POST
def seizure_decide(request, pk: int, decision: str):
    request_obj = get_object_or_404(SeizureRequest, pk=pk)
    try:
        if decision == "confirm":
            officer.seizure_confirm(request=request_obj, supervisor=request.user)
            messages.success(request, _("Seizure confirmed."))
        elif decision == "reject":
            officer.seizure_reject(request=request_obj, supervisor=request.user, reason=_post(request, "reason"))
            messages.success(request, _("Seizure rejected; the item stays held."))
        else:
            return render(request, "officer/error.html", {"message": _("Unknown decision.")}, status=404)
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
    query = CONTROL_CHARACTERS.sub("", request.GET.get("q", ""))[:200]
    return render(request, "officer/search.html", {"q": query, "results": queue.search(query) if query else []})
