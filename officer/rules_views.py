"""The risk pages of the officer dashboard: rules and watchlists (maker-checker) and model versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import officer_required, supervisor_required
from core.exceptions import ApplicationError
from officer.forms import ReasonForm, RuleProposalForm, form_errors
from risk import selectors, services
from risk.choices import RuleKind, RuleStatus
from risk.models import ModelVersion, Rule


@officer_required
@require_GET
def rules_view(request):
    rules = Rule.objects.select_related("created_by", "approved_by").order_by("code", "-version")
    status = request.GET.get("status", "")
    if status in RuleStatus.values:
        rules = rules.filter(status=status)
    return render(
        request,
        "officer/rules.html",
        {
            "rules": rules[:500],
            "kinds": RuleKind.choices,
            "statuses": RuleStatus.choices,
            "status": status,
            "unusable": selectors.rules_unusable(),
        },
    )


@supervisor_required
@require_POST
def rule_propose(request):
    form = RuleProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("officer:rules")
    try:
        rule = services.rule_propose(author=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        details = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in exc.details)
        messages.error(request, f"{exc.message} {details}".strip())
    except ValidationError as exc:  # model validation, e.g. a code that is not a slug
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Rule %(code)s v%(version)s waits for a second supervisor.")
            % {"code": rule.code, "version": rule.version},
        )
    return redirect("officer:rules")


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
    return render(request, "officer/models.html", {"versions": versions[:100]})


@supervisor_required
@require_POST
def model_promote(request, pk: int):
    version = get_object_or_404(ModelVersion.objects.defer("artifact"), pk=pk)
    services.model_promote(model_version=version, supervisor=request.user)
    messages.success(request, _("Model %(id)s now scores new items.") % {"id": version.pk})
    return redirect("officer:models")
