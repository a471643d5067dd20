"""Revenue collected by others: carriers' monthly remittance statements, remittances, deferred accounts."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from officer.forms import RemittanceForm, StatementForm, form_errors
from payments import collection, selectors, statements
from payments.models import AccountCharge, RemittanceStatement

DOWNLOADS = {
    "csv": (statements.statement_csv, "text/csv"),
    "xlsx": (statements.statement_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (statements.statement_pdf, "application/pdf"),
}


@officer_required
@require_GET
def revenue_view(request):
    return _revenue_page(request, StatementForm())


def _revenue_page(request, form: StatementForm):
    context = {
        "reconciliation": selectors.reconciliation(),
        "statements": RemittanceStatement.objects.select_related("operator", "signed_off_by")[:200],
        "accounts": selectors.accounts_with_balance(),
        "disputes": selectors.account_charges_disputed(),
        "form": form,
    }
    return render(request, "officer/revenue.html", context)


@officer_required
@require_POST
def statement_build(request):
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _revenue_page(request, form)
    try:
        statement = collection.statement_build(operator=form.cleaned_data["operator"], month=form.cleaned_data["month"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _revenue_page(request, form)
    return redirect("officer:statement", pk=statement.pk)


@officer_required
@require_GET
def statement_view(request, pk: int):
    return _statement_page(request, pk, RemittanceForm())


def _statement_page(request, pk: int, form: RemittanceForm):
    statement = get_object_or_404(RemittanceStatement.objects.select_related("operator", "signed_off_by"), pk=pk)
    context = {
        "statement": statement,
        "month_ended": collection.month_ended(statement.month),
        "rows": statements.statement_rows(statement),
        "remittances": statement.remittance_set.order_by("received_at"),
        "reconciliation": selectors.reconciliation(operator=statement.operator),
        "form": form,
    }
    return render(request, "officer/statement.html", context)


@officer_required
@require_GET
def statement_download(request, pk: int, extension: str):
    if extension not in DOWNLOADS:
        raise Http404
    statement = get_object_or_404(RemittanceStatement.objects.select_related("operator"), pk=pk)
    render_file, content_type = DOWNLOADS[extension]
    response = HttpResponse(render_file(statement), content_type=content_type)
    name = f"remittance-{statement.operator.code}-{statement.month:%Y-%m}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@supervisor_required
@require_POST
def statement_sign_off(request, pk: int):
    statement = get_object_or_404(RemittanceStatement, pk=pk)
    try:
        collection.statement_sign_off(statement=statement, supervisor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The statement is signed off; it no longer changes."))
    return redirect("officer:statement", pk=pk)


@supervisor_required
@require_POST
def remittance_record(request, pk: int):
    statement = get_object_or_404(RemittanceStatement.objects.select_related("operator"), pk=pk)
    form = RemittanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _statement_page(request, pk, form)
    data = form.cleaned_data
    try:
        collection.remittance_record(
            operator=statement.operator,
            statement=statement,
            amount=data["amount"],
            currency=data["currency"],
            received_at=datetime.combine(data["received_on"], time(12), tzinfo=UTC),
            reference=data["reference"],
            officer=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _statement_page(request, pk, form)
    messages.success(request, _("The remittance was recorded."))
    return redirect("officer:statement", pk=pk)


@officer_required
@require_POST
def charge_dispute_decide(request, pk: int):
    charge = get_object_or_404(AccountCharge, pk=pk)
    try:
        collection.account_charge_dispute_decide(
            charge=charge,
            officer=request.user,
            uphold=request.POST.get("decision") == "uphold",
            resolution=request.POST.get("resolution", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The disputed charge was decided."))
    return redirect("officer:revenue")
