"""A remittance statement as files: CSV, XLSX and PDF, one row per collected item and totals per currency.

The CSV is for machines: its header is the fields' names, the same in every
language. The XLSX and the PDF are for people: their titles, headers and
totals are in the reader's language, the PDF's amounts written as it writes
them, the sheet's kept as numbers a spreadsheet adds up.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from payments.models import RemittanceStatement
from payments.receipts import administration_name

COLUMNS = ["item_id", "collected_at", "reference", "amount", "currency"]


def statement_rows(statement: RemittanceStatement) -> list[list[str]]:
    collections = statement.collections.select_related("consignment").order_by("collected_at", "id")
    return [
        [c.consignment.item_id, c.collected_at.strftime("%Y-%m-%d %H:%M"), c.reference, str(c.amount), c.currency]
        for c in collections
    ]


def _title(statement: RemittanceStatement) -> str:
    return _("Remittance statement %(operator)s %(month)s") % {
        "operator": statement.operator.code,
        "month": f"{statement.month:%Y-%m}",
    }


def _sign_off(statement: RemittanceStatement) -> str:
    if statement.signed_off_at is None:
        return _("Not signed off: figures may still change.")
    who = statement.signed_off_by.get_username() if statement.signed_off_by else ""
    return _("Signed off by %(who)s on %(when)s UTC.") % {
        "who": who,
        "when": f"{statement.signed_off_at:%Y-%m-%d %H:%M}",
    }


def _headers() -> list[str]:
    return [_("Item"), _("Collected at"), _("Reference"), _("Amount"), _("Currency")]


def _total_label(currency: str) -> str:
    return _("Total %(currency)s") % {"currency": currency}


def _items(count: int) -> str:
    return ngettext("%(count)s item", "%(count)s items", count) % {"count": count}


def _amount(amount: str) -> str:
    return number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)


def statement_csv(statement: RemittanceStatement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(statement_rows(statement))
    for currency, total in sorted(statement.totals.items()):
        writer.writerow([f"TOTAL {currency}", "", f"{total['items']} items", total["amount"], currency])
    return buffer.getvalue().encode()


def statement_xlsx(statement: RemittanceStatement) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{statement.month:%Y-%m}"
    sheet.append([_title(statement)])
    sheet.append([_sign_off(statement)])
    sheet.append(_headers())
    for row in statement_rows(statement):
        sheet.append([*row[:3], _number(row[3]), row[4]])
    sheet.append([])
    for currency, total in sorted(statement.totals.items()):
        sheet.append([_total_label(currency), "", _items(total["items"]), _number(total["amount"]), currency])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(amount: str) -> Decimal:
    """Amounts go into the sheet as numbers a spreadsheet adds up."""
    return Decimal(amount)


def statement_pdf(statement: RemittanceStatement) -> bytes:
    buffer = io.BytesIO()
    margins = {"leftMargin": 20 * mm, "rightMargin": 20 * mm, "topMargin": 20 * mm, "bottomMargin": 20 * mm}
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=_title(statement), author=administration_name(), pageCompression=0, **margins
    )
    styles = getSampleStyleSheet()
    rows = [[*row[:3], _amount(row[3]), row[4]] for row in statement_rows(statement)]
    table = Table([_headers(), *rows], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ]
        )
    )
    totals = [
        Paragraph(f"{_total_label(currency)}: {_amount(total['amount'])} ({_items(total['items'])})", styles["Normal"])
        for currency, total in sorted(statement.totals.items())
    ]
    story = [
        Paragraph(administration_name(), styles["Heading3"]),
        Paragraph(_title(statement), styles["Title"]),
        Paragraph(_sign_off(statement), styles["Normal"]),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        *totals,
    ]
    document.build(story)
    return buffer.getvalue()
