"""E-mails to the addressee about an information request: the question, the one reminder, in their language.

Each is sent once: a payments Notification row per (item, kind, request)
makes a retried task send nothing the second time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from agencies.models import InformationTerms
from payments.models import Notification
from payments.services import access_token_for

SUBJECTS = {
    "asked": _("Customs needs information about your parcel %(item)s"),
    "reminder": _("Reminder: customs still needs information about your parcel %(item)s"),
}


def answer_link(consignment) -> str:
    """The portal page where the addressee answers, signed for this item only."""
    path = reverse("agencies:answer", args=[access_token_for(consignment)])
    return settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + path


def information_mail_send(*, request_id: int, step: str) -> int:
    """Send the addressee the question or its reminder, once; returns 1 if an e-mail went out."""
    terms = InformationTerms.objects.select_related("request__consignment").get(request_id=request_id)
    consignment = terms.request.consignment
    to = consignment.addressee_email
    if not to or step not in SUBJECTS:
        return 0
    with translation.override(terms.language):
        context = {
            "consignment": consignment,
            "request": terms.request,
            "terms": terms,
            "needed": terms.needed_labels,
            "link": answer_link(consignment),
        }
        subject = str(SUBJECTS[step]) % {"item": consignment.item_id}
        body = render_to_string(f"agencies/email/information_{step}.txt", context)
    try:
        with transaction.atomic():
            Notification.objects.create(consignment=consignment, kind=f"info_{step}", key=str(request_id), to=to)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except IntegrityError:
        return 0
    return 1
