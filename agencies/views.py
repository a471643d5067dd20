"""The addressee's answer to customs on the payment portal, and the documents it carries.

The signed link of the payment portal (payments.services.access_token_for)
opens one item: its holder answers that item's open request and reads that
item's documents, nothing else. Officers read the documents from the item page,
and the permit registers on their own page.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies import selectors, services
from agencies.choices import Channel
from agencies.forms import AnswerForm
from agencies.models import AnswerDocument
from clearance.models import Consignment
from core.actors import Actor
from core.decorators import officer_required
from core.exceptions import ApplicationError
from core.forms import form_errors
from payments.services import consignment_id_from_token
from risk.permits import PermitKind

PORTAL_ACTOR = Actor.system("portal.addressee")


def _consignment_for_token(token: str) -> Consignment:
    consignment_id = consignment_id_from_token(token)
    consignment = Consignment.objects.filter(pk=consignment_id).first() if consignment_id else None
    if consignment is None:
        raise Http404(_("This link is not valid or has expired."))
    return consignment


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    consignment = _consignment_for_token(token)
    form = AnswerForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ApplicationError(form_errors(form))
            services.information_answer(
                consignment=consignment,
                channel=Channel.ADDRESSEE,
                actor=PORTAL_ACTOR,
                answer=form.cleaned_data["answer"],
                uploads=request.FILES.getlist("documents"),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("agencies:answer", token=token)
    context = {
        "consignment": consignment,
        "token": token,
        "form": form,
        "error": error,
        "open_request": selectors.open_information_request(consignment=consignment),
        "requests": selectors.information_requests_for(consignment=consignment),
    }
    return render(request, "agencies/answer.html", context, status=400 if error else 200)


def document_response(document: AnswerDocument | None) -> FileResponse:
    if document is None or not document.file.storage.exists(document.file.name):
        raise Http404(_("No such document."))
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=f"document-{document.pk}.{document.extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def portal_document(request, token: str, document_id: int):
    consignment = _consignment_for_token(token)
    return document_response(selectors.answer_document_for(consignment_id=consignment.pk, document_id=document_id))


@officer_required
@require_GET
def officer_document(request, pk: int, document_id: int):
    return document_response(selectors.answer_document_for(consignment_id=pk, document_id=document_id))


@officer_required
@require_GET
def permits(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in PermitKind.values else ""
    query = request.GET.get("q", "")[:100]
    context = {
        "permits": selectors.permits_list(kind=kind, query=query),
        "kinds": PermitKind.choices,
        "kind": kind,
        "query": query,
    }
    return render(request, "agencies/permits.html", context)
