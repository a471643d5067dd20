"""The PDF receipt of a payment, with its verification code, in the payer's language.

Laid out with reportlab's flowables, so a payment for many parcels runs onto
as many pages as it needs, the table's header repeated on each, the page
number and the verification code in every footer. It names the issuing
customs administration and office, the payer, every parcel with its goods,
and where to check it.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from payments.choices import RefundState
from payments.models import Payment, PaymentItem
from payments.selectors import PaymentStanding, payment_standing, refund_reason

DEFAULT_ADMINISTRATION = "Customs administration (OpenClear)"

AMOUNT_COLUMNS = 4  # duty, VAT, fees, total: the last four columns, right-aligned
MARGIN = 20 * mm


def receipt_pdf(payment: Payment) -> io.BytesIO:
    with translation.override(payment.language):
        return _receipt(payment)


def administration_name() -> str:
    """The issuing administration's name in the active language (OPENCLEAR_ADMINISTRATION_NAME_FR for French)."""
    name = settings.OPENCLEAR_ADMINISTRATION_NAME
    if translation.get_language() == "fr" and settings.OPENCLEAR_ADMINISTRATION_NAME_FR:
        return settings.OPENCLEAR_ADMINISTRATION_NAME_FR
    return _(DEFAULT_ADMINISTRATION) if name == DEFAULT_ADMINISTRATION else name


def _receipt(payment: Payment) -> io.BytesIO:
    buffer = io.BytesIO()
    title = _("Customs receipt %(code)s") % {"code": payment.verification_code}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=administration_name(),
        subject=_("Duty and taxes paid, payment %(reference)s") % {"reference": payment.reference},
        creator="OpenClear",
        lang=payment.language,
        pageCompression=0,
    )
    styles = getSampleStyleSheet()
    verify_url = settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:verify")
    items = list(payment.items.select_related("consignment__office", "assessment").order_by("consignment__item_id"))
    standing = payment_standing(payment=payment)
    story = [
        Paragraph(administration_name(), styles["Heading3"]),
        Paragraph(_("Receipt for customs duty and taxes"), styles["Title"]),
        *_refunded_notice(standing, styles),
        _facts(payment, items, standing),
        Spacer(1, 6 * mm),
        _parcels(payment, items),
        Spacer(1, 6 * mm),
        Paragraph(
            _("Check this receipt at %(url)s with its verification code %(code)s.")
            % {"url": f"{verify_url}?code={payment.verification_code}", "code": payment.verification_code},
            styles["Normal"],
        ),
    ]
    footer_text = _("Verification code %(code)s") % {"code": payment.verification_code}
    page_text = _("Page %(n)s")

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, 12 * mm, footer_text)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, page_text % {"n": doc.page})
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    buffer.seek(0)
    return buffer


def _amount(value: Decimal) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


def _refunded_notice(standing: PaymentStanding, styles) -> list:
    """A refunded receipt says so first: it no longer proves that the duty it shows was paid."""
    if not standing.fully_refunded or standing.last_refunded_at is None:
        return []
    text = _("Refunded in full on %(day)s: %(amount)s %(currency)s paid back.") % {
        "day": standing.last_refunded_at.strftime("%Y-%m-%d"),
        "amount": _amount(standing.refunded),
        "currency": standing.currency,
    }
    return [Paragraph(f"<b>{text}</b>", styles["Heading2"])]


def _refund_rows(standing: PaymentStanding) -> list[list[str]]:
    rows = []
    for refund in standing.refunds:
        if refund.state == RefundState.FAILED:
            continue
        label = _("Refunded") if refund.state == RefundState.SUCCEEDED else _("Refund requested")
        day = refund.updated_at if refund.state == RefundState.SUCCEEDED else refund.created_at
        rows.append(
            [
                label,
                Paragraph(
                    f"{_amount(refund.amount)} {refund.currency}, {day:%Y-%m-%d} ({escape(refund_reason(refund))})",
                    getSampleStyleSheet()["BodyText"],
                ),
            ]
        )
    if rows:
        rows.append([_("Paid, less refunds"), f"{_amount(standing.kept)} {standing.currency}"])
    return rows


def _facts(payment: Payment, items: list[PaymentItem], standing: PaymentStanding) -> Table:
    offices = sorted({f"{office.name} ({office.code})" for i in items if (office := i.consignment.office)})
    payer = payment.trader.name if payment.trader_id else (payment.payer_email or items[0].consignment.addressee_name)
    rows = [
        [_("Verification code"), payment.verification_code],
        [_("Payment reference"), str(payment.reference)],
        [_("Paid at (UTC)"), payment.paid_at.strftime("%Y-%m-%d %H:%M") if payment.paid_at else ""],
        [_("Amount"), f"{_amount(payment.amount)} {payment.currency}"],
        [_("Paid by"), payer],
        *_refund_rows(standing),
        [_("Customs office"), ", ".join(offices) or administration_name()],
    ]
    table = Table(rows, colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    return table


def _parcels(payment: Payment, items: list[PaymentItem]) -> Table:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    rows: list[list] = [[_("Parcel"), _("Goods"), _("Duty"), _("VAT"), _("Fees"), _("Total")]]
    for item in items:
        a = item.assessment
        goods = "<br/>".join(
            f"{line.description} ({line.hs_code})" if line.hs_code else line.description
            for line in a.lines.order_by("position")
        )
        rows.append(
            [
                item.consignment.item_id,
                Paragraph(goods or "–", small),
                _amount(a.duty),
                _amount(a.vat),
                _amount(a.fees),
                _amount(a.total),
            ]
        )
    rows.append([_("Total"), "", "", "", "", f"{_amount(payment.amount)} {payment.currency}"])
    table = Table(rows, colWidths=[32 * mm, 52 * mm, 20 * mm, 20 * mm, 20 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (-AMOUNT_COLUMNS, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    return table
