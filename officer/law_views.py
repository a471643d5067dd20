"""The Law pages of the officer dashboard: the law in force, changes proposed and their previews, approval
by a second supervisor (maker-checker), exports, and the monthly IOSS report."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from core.selectors import audit_trail_for
from law import services
from law.choices import LawChangeStatus, LoadMode
from law.export import LawFileError, law_csv, table_rows_csv, table_rows_read
from law.models import LawChange, Regime
from law.selectors import fx_freshness, law_summary
from law.tariff_load import tariff_csv
from officer.forms import form_errors
from officer.law_forms import LawFileForm, LawRowsForm, ReviewForm, TariffLoadForm
from payments.ioss import ioss_report, ioss_report_csv, ioss_report_xlsx


def _day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@officer_required
@require_GET
def law_view(request):
    return _law_page(request)


def _law_page(request, rows_form: LawRowsForm | None = None, status: int = 200):
    today = timezone.now().date()
    on = _day(request.GET.get("on", ""), today)
    table, regime = request.GET.get("table", ""), request.GET.get("regime", "")
    if rows_form is None:
        initial = {"effective_from": today, "table": table or "VatRate", "regime": regime or "EU"}
        if table and regime:
            initial["rows"] = table_rows_csv(table_name=table, regime=regime, on=on)
        rows_form = LawRowsForm(initial=initial)
    changes = LawChange.objects.select_related("regime", "author", "reviewer").defer("entries")
    context = {
        "on": on,
        "summary": law_summary(on),
        "fx": fx_freshness(today),
        "pending": changes.filter(status=LawChangeStatus.PENDING).order_by("created_at"),
        "recent": changes.exclude(status=LawChangeStatus.PENDING)[:30],
        "tariff_form": TariffLoadForm(initial={"effective_from": today, "mode": LoadMode.PARTIAL}),
        "file_form": LawFileForm(),
        "rows_form": rows_form,
        "regimes": Regime.objects.order_by("code"),
        "month": (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
    }
    return render(request, "officer/law.html", context, status=status)


@supervisor_required
@require_POST
def tariff_propose(request):
    form = TariffLoadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:law")
    data = form.cleaned_data
    try:
        change = services.tariff_load_propose(
            author=request.user,
            regime=data["regime"],
            effective_from=data["effective_from"],
            text=data["file"],
            mode=data["mode"],
            source=data["source"],
            summary=data["summary"],
            file_name=request.FILES["file"].name,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:law")
    messages.success(request, _("The tariff load waits for a second supervisor."))
    return redirect("officer:law-change", pk=change.pk)


@supervisor_required
@require_POST
def law_file_propose(request):
    form = LawFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:law")
    try:
        proposed = services.law_file_propose(
            author=request.user,
            text=form.cleaned_data["file"],
            file_name=request.FILES["file"].name,
            summary=form.cleaned_data["summary"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:law")
    messages.success(request, _("%(n)s change(s) wait for a second supervisor.") % {"n": len(proposed)})
    return redirect("officer:law")


@supervisor_required
@require_POST
def rows_propose(request):
    form = LawRowsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _law_page(request, rows_form=form, status=400)  # what was typed stays
    data = form.cleaned_data
    try:
        entries = table_rows_read(table_name=data["table"], text=data["rows"])
        change = services.law_change_propose(
            author=request.user,
            kind=services.kind_of_entries(entries),
            regime=data["regime"],
            effective_from=data["effective_from"],
            entries=entries,
            summary=data["summary"],
            mode=LoadMode.COMPLETE if data["complete"] else LoadMode.PARTIAL,
            source=data["source"],
        )
    except LawFileError as exc:
        messages.error(request, str(exc))
        return _law_page(request, rows_form=form, status=400)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _law_page(request, rows_form=form, status=400)
    messages.success(request, _("The change waits for a second supervisor."))
    return redirect("officer:law-change", pk=change.pk)


@officer_required
@require_GET
def change_view(request, pk: int):
    change = get_object_or_404(LawChange.objects.select_related("regime", "author", "reviewer"), pk=pk)
    context = {
        "change": change,
        "preview": change.preview,
        "effect": change.preview.get("effect", {}),
        "can_review": request.user.is_supervisor
        and change.status == LawChangeStatus.PENDING
        and change.author_id != request.user.pk,
        "can_withdraw": change.status == LawChangeStatus.PENDING and change.author_id == request.user.pk,
        "trail": audit_trail_for(obj=change),
    }
    return render(request, "officer/law_change.html", context)


@supervisor_required
@require_POST
def change_review(request, pk: int, decision: str):
    if decision not in ("approve", "reject"):  # a mistyped address decides nothing
        raise Http404
    change = get_object_or_404(LawChange, pk=pk)
    form = ReviewForm(request.POST, lines=[row["line"] for row in change.unreadable])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:law-change", pk=pk)
    try:
        if decision == "approve":
            services.law_change_approve(
                change=change, approver=request.user, accepted_lines=form.cleaned_data["accept"]
            )
            messages.success(request, _("Approved: the change is in the law."))
        else:
            services.law_change_reject(change=change, reviewer=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The change was set aside: the law is unchanged."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("officer:law-change", pk=pk)


@officer_required
@require_GET
def law_export(request):
    """The law in force on a day as CSV (all regimes, or one; all tables, or one)."""
    on = _day(request.GET.get("on", ""), timezone.now().date())
    regime = request.GET.get("regime") or None
    table = request.GET.get("table") or None
    text = law_csv(on=on, regimes=[regime] if regime else None, tables=[table] if table else None)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="law-{on}.csv"'
    return response


@officer_required
@require_GET
def tariff_export(request):
    """A regime's tariff in force on a day in the tariff file's own format."""
    on = _day(request.GET.get("on", ""), timezone.now().date())
    regime = request.GET.get("regime", "")
    if regime not in ("EU", "GB"):
        raise Http404
    response = HttpResponse(tariff_csv(regime, on), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tariff-{regime}-{on}.csv"'
    return response


@officer_required
@require_GET
def ioss_report_download(request, extension: str):
    month = request.GET.get("month", "")
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        first = (timezone.now().date().replace(day=1) - timedelta(days=1)).replace(day=1)
    report = ioss_report(month=first)
    if extension == "csv":
        body, content_type = ioss_report_csv(report).encode(), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        body = ioss_report_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ioss-{first:%Y-%m}.{extension}"'
    return response
