"""The PDF receipt of a payment, with its verification code.

Laid out with reportlab's flowables, so a payment for many parcels runs onto
as many pages as it needs, the table's header repeated on each, the page
number and the verification code in every footer.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from payments.models import Payment

AMOUNT_COLUMNS = 4  # duty, VAT, fees, total: the last four columns, right-aligned


def receipt_pdf(payment: Payment) -> io.BytesIO:
    buffer = io.BytesIO()
    title = f"Customs receipt {payment.verification_code}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="OpenClear customs clearance",
        subject=f"Duty and taxes paid, payment {payment.reference}",
        pageCompression=0,
    )
    styles = getSampleStyleSheet()
    verify_url = settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:verify")
    story = [
        Paragraph("Receipt for customs duty and taxes", styles["Title"]),
        _facts(payment),
        Spacer(1, 6 * mm),
        _parcels(payment),
        Spacer(1, 6 * mm),
        Paragraph(f"Check this receipt at {verify_url} with its verification code.", styles["Normal"]),
    ]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, 12 * mm, f"Verification code {payment.verification_code}")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    buffer.seek(0)
    return buffer


def _facts(payment: Payment) -> Table:
    rows = [
        ["Verification code", payment.verification_code],
        ["Payment reference", str(payment.reference)],
        ["Paid at (UTC)", payment.paid_at.strftime("%Y-%m-%d %H:%M") if payment.paid_at else ""],
        ["Amount", f"{payment.amount} {payment.currency}"],
    ]
    table = Table(rows, colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    return table


def _parcels(payment: Payment) -> Table:
    rows = [["Parcel", "Goods", "Duty", "VAT", "Fees", "Total"]]
    for item in payment.items.select_related("consignment", "assessment").order_by("consignment__item_id"):
        a = item.assessment
        goods = ", ".join(item.consignment.lines.order_by("position").values_list("description", flat=True)[:3])
        rows.append([item.consignment.item_id, goods[:40], str(a.duty), str(a.vat), str(a.fees), str(a.total)])
    rows.append(["Total", "", "", "", "", f"{payment.amount} {payment.currency}"])
    table = Table(rows, colWidths=[32 * mm, 52 * mm, 20 * mm, 20 * mm, 20 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (-AMOUNT_COLUMNS, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    return table
