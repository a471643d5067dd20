"""E-mails to payers: charges due (with the link to pay), payment received, release, each step of a case.

Sent by Celery tasks (enqueued by payments.enqueue) after the decisions commit;
a Notification row per (item, kind, subject) makes a retried task send each
e-mail once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clearance.models import Consignment
from payments.cases import appeal_closes_at, case_link
from payments.models import Assessment, Case, Notification, Payment
from payments.selectors import payer_channel
from payments.services import access_token_for


def pay_link(consignment: Consignment) -> str:
    return settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:item", args=[access_token_for(consignment)])


def _send_once(
    consignment: Consignment, kind: str, key: str, subject: str, template: str, context: dict, to: str = ""
) -> bool:
    to = to or consignment.addressee_email
    if not to:
        return False
    try:
        with transaction.atomic():
            Notification.objects.create(consignment=consignment, kind=kind, key=key, to=to)
            body = render_to_string(template, {"consignment": consignment, **context})
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except IntegrityError:
        return False
    return True


CASE_SUBJECTS = {
    "opened": _("Customs received your case about parcel %(item)s"),
    "upheld": _("Your case about parcel %(item)s was upheld"),
    "rejected": _("Your case about parcel %(item)s was rejected"),
}


def case_mail_send(*, case_id: int, step: str) -> int:
    """Tell the payer of a step of their case, in the language they wrote in."""
    case = Case.objects.select_related("consignment", "corrected_assessment", "payment").get(pk=case_id)
    with translation.override(case.language):
        context = {
            "case": case,
            "link": case_link(case),
            "appeal_closes_at": appeal_closes_at(case) if step == "rejected" else None,
            "refund": getattr(case, "refund", None) if step == "upheld" else None,
        }
        subject = str(CASE_SUBJECTS[step]) % {"item": case.consignment.item_id}
        template = f"payments/email/case_{step}.txt"
        sent = _send_once(
            case.consignment, f"case_{step}", str(case.pk), subject, template, context, case.contact_email
        )
    return int(sent)


def charges_due_send(*, consignment_ids: list[int]) -> int:
    sent = 0
    assessments = Assessment.objects.filter(consignment_id__in=consignment_ids, is_current=True).select_related(
        "consignment__operator"
    )
    for assessment in assessments:
        consignment = assessment.consignment
        channel = payer_channel(consignment=consignment)
        sent += _send_once(
            consignment,
            "charges_due",
            f"assessment-{assessment.number}",
            str(_("Customs charges due for your parcel %(item)s") % {"item": consignment.item_id}),
            "payments/email/charges_due.txt",
            {
                "assessment": assessment,
                "link": pay_link(consignment),
                "door": channel.operator if channel.kind == "door" else "",
            },
        )
    return sent


def payment_received_send(*, payment_id: int) -> int:
    payment = Payment.objects.get(pk=payment_id)
    receipt = settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:payment", args=[payment.reference])
    sent = 0
    with translation.override(payment.language):
        for item in payment.items.select_related("consignment"):
            subject = _("Payment received: parcel %(item)s released") % {"item": item.consignment.item_id}
            sent += _send_once(
                item.consignment,
                "paid_released",
                str(payment.reference),
                str(subject),
                "payments/email/payment_received.txt",
                {"payment": payment, "item": item, "receipt": receipt},
                payment.payer_email,
            )
    return sent
