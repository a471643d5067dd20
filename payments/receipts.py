"""The PDF receipt of a payment, with its verification code."""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from payments.models import Payment


def receipt_pdf(payment: Payment) -> io.BytesIO:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"Customs receipt {payment.verification_code}")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, y, "Receipt for customs duty and taxes")
    pdf.setFont("Helvetica", 10)
    y -= 10 * mm
    for label, value in (
        ("Verification code", payment.verification_code),
        ("Payment reference", str(payment.reference)),
        ("Paid at (UTC)", payment.paid_at.strftime("%Y-%m-%d %H:%M") if payment.paid_at else ""),
        ("Amount", f"{payment.amount} {payment.currency}"),
    ):
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.drawString(65 * mm, y, value)
        y -= 6 * mm
    y -= 4 * mm
    pdf.setFont("Helvetica-Bold", 10)
    for x, title in ((20, "Parcel"), (60, "Duty"), (90, "VAT"), (120, "Fees"), (150, "Total")):
        pdf.drawString(x * mm, y, title)
    pdf.setFont("Helvetica", 10)
    for item in payment.items.select_related("consignment", "assessment"):
        y -= 6 * mm
        a = item.assessment
        for x, text in ((20, item.consignment.item_id), (60, a.duty), (90, a.vat), (120, a.fees), (150, a.total)):
            pdf.drawString(x * mm, y, str(text))
    y -= 12 * mm
    verify_url = settings.OPENCLEAR_PUBLIC_URL.rstrip("/") + reverse("payments:verify")
    pdf.drawString(20 * mm, y, f"Check this receipt at {verify_url} with its verification code.")
    pdf.showPage()
    pdf.save()
    buffer.seek(0)
    return buffer
