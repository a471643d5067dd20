"""The agencies' pages at /agency/: their queue of referrals, each item referred, and their decision.

An agency user sees only what was referred to their agency: another agency's
referral, and the documents of an item not referred to them, answer 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies import selectors
from agencies.choices import AgencyDecision
from agencies.forms import AgencyDecisionForm
from agencies.referrals import agency_of, referral_decide
from agencies.views import document_response
from core.exceptions import ApplicationError
from core.forms import form_errors
from core.views import RateLimitedLoginView


class AgencyLoginView(RateLimitedLoginView):
    template_name = "agencies/agency_login.html"
    rate_scope = "agency-login"

    def get_default_redirect_url(self):
        return reverse("agency:queue")


agency_logout = auth_views.LogoutView.as_view(next_page="agency:login")


def agency_required(view):
    """Signed in as a user of an agency; the view gets the agency."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        agency = agency_of(request.user)
        if agency is None:
            raise PermissionDenied("These pages are for the users of other agencies.")
        return view(request, agency, *args, **kwargs)

    return login_required(wrapped, login_url="agency:login")


@agency_required
@require_GET
def queue(request, agency):
    context = {
        "agency": agency,
        "waiting": selectors.referrals_for_agency(agency=agency),
        "decided": selectors.referrals_for_agency(agency=agency, decided=True, limit=50),
    }
    return render(request, "agencies/agency_queue.html", context)


def _referral(agency, pk: int):
    referral = selectors.referral_for_agency(agency=agency, pk=pk)
    if referral is None:
        raise Http404
    return referral


@agency_required
@require_GET
def referral_view(request, agency, pk: int):
    return _referral_page(request, agency, _referral(agency, pk), AgencyDecisionForm())


def _referral_page(request, agency, referral, form: AgencyDecisionForm, error: str = ""):
    """The item referred, the documents customs holds, and the decision form (as it was filled in)."""
    context = {
        "agency": agency,
        "referral": referral,
        "consignment": referral.consignment,
        "lines": referral.consignment.lines.order_by("position"),
        "documents": selectors.agency_documents(consignment_id=referral.consignment_id),
        "decisions": AgencyDecision.choices,
        "form": form,
        "error": error,
    }
    return render(request, "agencies/agency_referral.html", context, status=400 if error else 200)


@agency_required
@require_POST
def referral_decide_view(request, agency, pk: int):
    referral = _referral(agency, pk)
    form = AgencyDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(form_errors(form))
        referral_decide(
            referral=referral,
            user=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            conditions=form.cleaned_data["conditions"],
        )
    except ApplicationError as exc:
        return _referral_page(request, agency, referral, form, exc.message)
    messages.success(request, _("Your decision was sent to customs."))
    return redirect("agency:queue")


@agency_required
@require_GET
def referral_document(request, agency, pk: int, document_id: int):
    referral = _referral(agency, pk)
    return document_response(
        selectors.answer_document_for(consignment_id=referral.consignment_id, document_id=document_id)
    )
