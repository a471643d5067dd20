"""The risk pages of the officer dashboard: rules and watchlists (maker-checker) and model versions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from officer.forms import CatalogueUploadForm, ReasonForm, RuleProposalForm, form_errors
from risk import selectors, services
from risk.catalogue import CATALOGUE_KIND, catalogue_csv
from risk.choices import RuleStatus
from risk.models import ModelVersion, Rule
from simulation import services as simulation_services


@officer_required
@require_GET
def rules_view(request):
    return _rules_page(request, RuleProposalForm(initial={"kind": CATALOGUE_KIND}))


def _rules_page(request, form: RuleProposalForm, status: int = 200):
    rules = Rule.objects.select_related("created_by", "approved_by").order_by("code", "-version")
    chosen = request.GET.get("status", "")
    if chosen in RuleStatus.values:
        rules = rules.filter(status=chosen)
    context = {
        "catalogue_form": CatalogueUploadForm(),
        "rules": rules[:500],
        "statuses": RuleStatus.choices,
        "status": chosen,
        "unusable": selectors.rules_unusable(),
        "form": form,
    }
    return render(request, "officer/rules.html", context, status=status)


@officer_required
@require_GET
def rules_export(request):
    """The rules in force as JSON, to keep or to load into another installation."""
    rules = Rule.objects.filter(status=RuleStatus.ACTIVE).order_by("code")
    payload = [
        {
            "code": r.code,
            "kind": r.kind,
            "description": r.description,
            "condition": r.condition,
            "forceLane": r.force_lane,
            "score": str(r.score),
        }
        for r in rules
    ]
    response = JsonResponse(payload, safe=False, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="rules.json"'
    return response


@officer_required
@require_GET
def catalogue_export(request):
    """The goods catalogue in force, in the CSV format it is imported in."""
    rules = Rule.objects.filter(status=RuleStatus.ACTIVE, kind=CATALOGUE_KIND).order_by("code")
    response = HttpResponse(catalogue_csv(rules), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="goods_catalogue.csv"'
    return response


@supervisor_required
@require_POST
def catalogue_upload(request):
    form = CatalogueUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:rules")
    try:
        result = services.catalogue_import(author=request.user, text=form.cleaned_data["file"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:rules")
    counts = {"proposed": len(result["proposed"]), "unchanged": result["unchanged"]}
    messages.success(
        request,
        _("%(proposed)s catalogue rule(s) wait for a second supervisor; %(unchanged)s unchanged.") % counts,
    )
    for error in result["errors"][:20]:
        messages.error(request, _("Line %(line)s (%(code)s): %(message)s") % error)
    return redirect("officer:rules")


@supervisor_required
@require_POST
def rule_propose(request):
    form = RuleProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _rules_page(request, form, status=400)  # what was typed stays in the form
    data = form.cleaned_data
    try:
        rule = services.rule_propose(
            author=request.user,
            code=data["code"],
            kind=data["kind"],
            description=data["description"],
            condition=data["condition"],
            force_lane=data["force_lane"],
            score=data["score"],
            effective_from=_day_start(data["effective_from"]),
            effective_to=_day_start(data["effective_to"]),
        )
    except ApplicationError as exc:
        details = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in exc.details)
        messages.error(request, f"{exc.message} {details}".strip())
        return _rules_page(request, form, status=400)
    except ValidationError as exc:  # model validation, e.g. a code that is not a slug
        messages.error(request, "; ".join(exc.messages))
        return _rules_page(request, form, status=400)
    messages.success(
        request,
        _("Rule %(code)s v%(version)s waits for a second supervisor.") % {"code": rule.code, "version": rule.version},
    )
    return redirect("officer:rules")


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@supervisor_required
@require_POST
def rule_review(request, pk: int, decision: str):
    if decision not in ("approve", "reject"):  # a mistyped address decides nothing
        raise Http404
    rule = get_object_or_404(Rule, pk=pk)
    try:
        if decision == "approve":
            services.rule_approve(rule=rule, approver=request.user)
            messages.success(request, _("Rule approved: it is in force."))
        else:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.rule_reject(rule=rule, reviewer=request.user, reason=reason)
            messages.success(request, _("Rule rejected."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("officer:rules")


@officer_required
@require_GET
def models_view(request):
    versions = ModelVersion.objects.defer("artifact").select_related("promoted_by").order_by("-created_at")
    context = {
        "versions": versions[:100],
        "active": versions.filter(is_active=True).first(),
        "random_labels": selectors.random_inspection_outcomes(),
    }
    return render(request, "officer/models.html", context)


@supervisor_required
@require_POST
def model_promote(request, pk: int):
    version = get_object_or_404(ModelVersion.objects.defer("artifact"), pk=pk)
    try:
        # A version without a back-test result is back-tested first: promotion always rests on one.
        simulation_services.model_promote(model_version=version, supervisor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("officer:models")
    messages.success(request, _("Model %(id)s now scores new items.") % {"id": version.pk})
    return redirect("officer:models")
