"""The officer dashboard at /officer/: thin views over officer.selectors (reads) and officer.services (writes)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.choices import Needed
from agencies.choices import Outcome as InfoOutcome
from clearance.models import ClaimTakeover, Consignment, PostalOperator, SeizureRequest
from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from core.views import RateLimitedLoginView
from law.selectors import fx_freshness
from officer import selectors as queue
from officer import services as officer
from officer.forms import (
    AnswerForm,
    ArrivalScanForm,
    BulkReleaseForm,
    CaseAnswerForm,
    CorrectionForm,
    InspectionForm,
    QuestionForm,
    ReasonForm,
    ReferForm,
    form_errors,
)
from payments import cases
from payments import selectors as payment_selectors
from payments.choices import CaseKind
from payments.models import Case, MoneyApproval
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
        "reason_counts": [] if request.htmx else queue.queue_reason_counts(filters),
        "operators": PostalOperator.objects.order_by("name").only("id", "name"),
        "pending_seizures": SeizureRequest.objects.filter(state="PENDING").count() if request.user.is_supervisor else 0,
        "takeovers": queue.claim_takeovers_unseen(officer=request.user),
    }
    if request.htmx:
        return render(request, "officer/_queue_rows.html", context)
    context["fx_stale"] = [row for row in fx_freshness(timezone.now().date()) if row.stale]
    context["unannounced_counts"] = queue.unannounced_counts()
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
def arrival_scan(request):
    """A parcel scanned at the office: its arrival recorded; one never pre-advised is held (postal.unannounced)."""
    form = ArrivalScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:queue")
    try:
        consignment = officer.arrival_scan(
            officer=request.user,
            operator=form.cleaned_data["operator"],
            item_id=form.cleaned_data["item_id"],
            office=form.cleaned_data["office"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:queue")
    if consignment.unannounced and consignment.version == 0:
        messages.warning(request, _("No pre-advice for this parcel: it is recorded and held, and the operator told."))
    else:
        messages.success(request, _("Arrival recorded."))
    return redirect("officer:item", pk=consignment.pk)


@officer_required
@require_POST
def bulk_release(request):
    """Two steps: the counts per lane of what would be released, then the release once confirmed."""
    form = BulkReleaseForm(request.POST)
    ids = form.cleaned_data["items"] if form.is_valid() else []
    if not ids:
        messages.error(request, _("Select the items to release."))
        return redirect("officer:queue")
    # The version of each item the officer's list showed: an item amended since is refused, not released.
    seen = {pk: request.POST[f"seen-{pk}"][:40] for pk in ids if f"seen-{pk}" in request.POST}
    if not form.cleaned_data["confirm"]:
        counts = officer.bulk_release_preview(consignment_ids=ids)
        context = {"ids": ids, "seen": seen, "counts": counts, "total": sum(counts.values())}
        return render(request, "officer/bulk_release.html", context)
    try:
        result = officer.officers_bulk_release(
            consignment_ids=ids,
            officer=request.user,
            include_red=form.cleaned_data["include_red"],
            reason=form.cleaned_data["reason"],
            seen=seen,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:queue")
    messages.success(request, _("%(count)d item(s) released.") % {"count": len(result["released"])})
    if result["skipped_red"]:
        messages.info(
            request,
            _("Red items left held (a supervisor releases them with a reason): %(ids)s")
            % {"ids": ", ".join(result["skipped_red"])},
        )
    if result["refused"]:
        messages.error(request, _("Not released: %(ids)s") % {"ids": "; ".join(result["refused"])})
    return redirect("officer:queue")


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
    return _item_page(request, pk)


def _item_page(request, pk: int, posted: tuple[str, forms.Form] | None = None):
    """The item page; after a refused action, with that action's form as the officer filled it in, open."""
    context = queue.item_page(pk=pk, officer=request.user)
    if context is None:
        raise Http404
    context["forms"] = _item_forms(context, posted)
    context["open_action"] = posted[0] if posted else ""
    context.update(
        outcome_kinds=OutcomeKind.choices,
        needed_choices=Needed.choices,
        outcome_choices=InfoOutcome.choices,
        info_max_days=settings.OPENCLEAR_INFO_MAX_DAYS,
    )
    return render(request, "officer/item.html", context)


def _item_forms(context: dict, posted: tuple[str, forms.Form] | None) -> dict[str, forms.Form]:
    """Each action's form: the one posted as it came back, the others empty or filled from the first line."""
    first = context["lines"].first()
    initial = {"correct": {"position": first.position, "hs_code": first.hs_code, "value": first.value}} if first else {}
    shown = {name: form_class(initial=initial.get(name)) for name, (form_class, _) in ACTIONS.items()}
    if posted:
        shown[posted[0]] = posted[1]
    return shown


ACTIONS: dict[str, tuple[type[forms.Form], object]] = {}


def action(name: str, form_class: type[forms.Form] = ReasonForm):
    """Register an item action: the form that reads the request, and the handler given its cleaned data."""

    def register(function):
        ACTIONS[name] = (form_class, function)
        return function

    return register


def _seen(request) -> str | None:
    """The stamp of the item as the officer's page showed it (officer.selectors.decision_stamp)."""
    seen = request.POST.get("seen")
    return seen[:40] if seen is not None else None


@action("claim", forms.Form)
def _claim(request, consignment, data, seen):
    officer.consignment_claim(consignment=consignment, officer=request.user)
    return _("You are working on this item.")


@action("take_over")
def _take_over(request, consignment, data, seen):
    officer.consignment_claim_take_over(consignment=consignment, officer=request.user, reason=data["reason"])
    return _("You took the item over; the officer who was working it is told.")


@action("release")
def _release(request, consignment, data, seen):
    consignment = officer.officer_release(
        consignment=consignment, officer=request.user, reason=data["reason"], seen=seen
    )
    return _("Decision: %(state)s.") % {"state": consignment.get_state_display()}


@action("charge_addressee")
def _charge_addressee(request, consignment, data, seen):
    consignment = officer.officer_release(
        consignment=consignment, officer=request.user, reason=data["reason"], seen=seen, charge_addressee=True
    )
    return _("Decision: %(state)s. The addressee is asked for the charges.") % {
        "state": consignment.get_state_display()
    }


@action("request_info", QuestionForm)
def _request_info(request, consignment, data, seen):
    officer.officer_request_info(
        consignment=consignment,
        officer=request.user,
        question=data["question"],
        needed=data["needed"],
        days=data["days"],
        outcome=data["outcome"],
        outcome_note=data["outcome_note"],
        seen=seen,
    )
    return _("The question was sent to the operator and the addressee.")


@action("answer", AnswerForm)
def _answer(request, consignment, data, seen):
    officer.officer_record_answer(consignment=consignment, officer=request.user, answer=data["answer"])
    return _("The answer was recorded; the item is back in the queue.")


@action("inspect", InspectionForm)
def _inspect(request, consignment, data, seen):
    officer.officer_inspect(
        consignment=consignment,
        officer=request.user,
        irregularity_found=data["irregularity_found"],
        kind=data["kind"],
        additional_duty=data["additional_duty"],
        notes=data["notes"],
        photos=request.FILES.getlist("photos"),
        seen=seen,
    )
    return _("The inspection outcome was recorded.")


@action("propose_seizure")
def _propose_seizure(request, consignment, data, seen):
    officer.seizure_propose(consignment=consignment, officer=request.user, reason=data["reason"], seen=seen)
    return _("The seizure waits for a supervisor's confirmation.")


@action("withdraw_seizure")
def _withdraw_seizure(request, consignment, data, seen):
    pending = consignment.seizure_requests.filter(state=SeizureRequest.State.PENDING).first()
    if pending is None:
        raise ApplicationError(_("No seizure of this item waits for a supervisor."))
    officer.seizure_withdraw(request=pending, officer=request.user, reason=data["reason"])
    return _("Your seizure proposal was withdrawn; the item stays held.")


@action("return")
def _return(request, consignment, data, seen):
    officer.officer_return(consignment=consignment, officer=request.user, reason=data["reason"], seen=seen)
    return _("The item goes back to the sender.")


@action("refer", ReferForm)
def _refer(request, consignment, data, seen):
    officer.officer_refer(
        consignment=consignment, officer=request.user, agency=data["agency"], reason=data["reason"], seen=seen
    )  # a task in the agency's queue (agencies.referrals)
    return _("The item was referred.")


@action("correct", CorrectionForm)
def _correct(request, consignment, data, seen):
    officer.officer_correct_line(
        consignment=consignment,
        officer=request.user,
        position=data["position"],
        hs_code=data["hs_code"],
        value=data["value"],
        reason=data["reason"],
        seen=seen,
    )
    return _("The declaration was corrected and reassessed.")


# The decisions whose form carries the stamp of what the officer's page showed (officer.selectors.decision_stamp).
DECISIONS = frozenset({"release", "request_info", "inspect", "propose_seizure", "return", "refer", "correct"})


@officer_required
@require_http_methods(["GET", "POST"])
def item_action(request, pk: int, name: str):
    if request.method == "GET":  # a refused action's page, reloaded or switched to another language
        return redirect("officer:item", pk=pk)
    consignment = get_object_or_404(Consignment, pk=pk)
    if name not in ACTIONS:
        return render(request, "officer/error.html", {"message": _("Unknown action.")}, status=404)
    form_class, handler = ACTIONS[name]
    form = form_class(request.POST, request.FILES)
    try:
        if name in DECISIONS and _seen(request) is None:
            # Without the stamp the stale-decision check could not tell what the officer saw.
            raise ApplicationError(_("This form does not say which version of the item you saw: open it again."))
        if not form.is_valid():
            raise ApplicationError(form_errors(form))
        messages.success(request, handler(request, consignment, form.cleaned_data, _seen(request)))
    except ApplicationError as exc:
        # The page again, with what the officer typed and chose: nothing to retype, no default decision.
        messages.error(request, exc.message)
        return _item_page(request, pk, (name, form))
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
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            officer.seizure_reject(request=request_obj, supervisor=request.user, reason=reason)
            messages.success(request, _("Seizure rejected; the item stays held."))
        else:
            return render(request, "officer/error.html", {"message": _("Unknown decision.")}, status=404)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("officer:seizures")


# --- Four eyes on money, and goods out of control ----------------------------------------------------------


@officer_required
@require_GET
def approvals_view(request):
    """Changes of charges waiting for a second officer, with what they give up and who asked; goods out of control."""
    context = {
        "pending": queue.money_approvals_pending(),
        "out_of_control": queue.goods_out_of_control_open(),
    }
    return render(request, "officer/approvals.html", context)


@officer_required
@require_POST
def approval_decide(request, pk: int, decision: str):
    approval = get_object_or_404(MoneyApproval, pk=pk)
    if decision not in ("approve", "reject"):
        return render(request, "officer/error.html", {"message": _("Unknown decision.")}, status=404)
    try:
        officer.money_approval_decide(
            approval=approval,
            officer=request.user,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Approved and applied.") if decision == "approve" else _("Rejected: nothing changed.")
        )
    return redirect("officer:approvals")


# --- Disputes and search ------------------------------------------------------------------------------------


@officer_required
@require_GET
def cases_view(request):
    """Open cases by deadline, with their age: disputes, refund claims, appeals."""
    kind = request.GET.get("kind", "")
    overdue = request.GET.get("overdue") == "1"
    open_cases = list(payment_selectors.cases_queue(kind=kind, overdue_only=overdue)[:500])
    now = timezone.now()
    rows = [
        {"case": case, "age_days": (now - case.created_at).days, "overdue": case.deadline < now} for case in open_cases
    ]
    context = {"rows": rows, "kinds": CaseKind.choices, "kind": kind, "overdue": overdue}
    return render(request, "officer/cases.html", context)


@officer_required
@require_http_methods(["GET", "POST"])
def case_view(request, pk: int):
    case = get_object_or_404(Case.objects.select_related("consignment", "line", "assessment", "payment"), pk=pk)
    form = CaseAnswerForm(request.POST or None, initial=_case_initial(case))
    if request.method == "POST":
        if form.is_valid():
            try:
                _answer_case(request, case, form.cleaned_data)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("officer:cases")
        else:
            messages.error(request, form_errors(form))
    context = {
        "case": case,
        "form": form,
        "lines": case.consignment.lines.order_by("position"),
        "history": payment_selectors.cases_of(consignment=case.consignment),
    }
    return render(request, "officer/case.html", context)


def _case_initial(case: Case) -> dict:
    """The contested line, its HS code and value: upholding with a corrected value starts from them."""
    if case.line is None:
        return {}
    line = case.consignment.lines.filter(position=case.line.position).first()
    return {"position": line.position, "hs_code": line.hs_code, "value": line.value} if line else {}


def _answer_case(request, case: Case, data: dict) -> None:
    if not data["upheld"]:
        cases.case_reject(case=case, officer=request.user, resolution=data["resolution"])
        messages.success(request, _("The case was rejected; the payer is told why and how to appeal."))
        return
    fix = None
    if data.get("position"):
        fix = cases.LineFix(position=data["position"], hs_code=data["hs_code"], value=data["value"])
    cases.case_uphold(case=case, officer=request.user, resolution=data["resolution"], fix=fix)
    messages.success(request, _("The case was upheld; the payer is told."))


@officer_required
@require_GET
def search_view(request):
    query = CONTROL_CHARACTERS.sub("", request.GET.get("q", ""))[:200]
    return render(request, "officer/search.html", {"q": query, "results": queue.search(query) if query else []})
