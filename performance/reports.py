"""The Time Release Study report of a period, as a standalone HTML page or a PDF."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clearance.choices import Lane
from performance.indicators import Indicators, TrsResult, selection_text
from performance.trs import MEASURES, humanize


def _percent(share: float | None) -> str:
    return "–" if share is None else number_format(share * 100, 1, use_l10n=True) + " %"


def _money(amount) -> str:
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


def _measure_rows(result: TrsResult) -> list[list[str]]:
    rows = [[_("Step"), _("Items"), _("Mean"), _("Median"), _("90th percentile")]]
    for measure in MEASURES:
        stats = result.overall.stats[measure.code]
        rows.append(
            [str(measure.label), str(stats.count), humanize(stats.mean), humanize(stats.median), humanize(stats.p90)]
        )
    return rows


def _group_rows(result: TrsResult) -> list[list[str]]:
    rows = [[result.breakdown.capitalize(), _("Items"), _("Before arrival")] + [str(m.label) for m in MEASURES]]
    for group in result.groups:
        label = dict(Lane.choices).get(group.label, group.label) if result.breakdown == "lane" else group.label
        rows.append(
            [label, str(group.items), _percent(group.decided_before_arrival_share)]
            + [f"{humanize(group.stats[m.code].median)} / {humanize(group.stats[m.code].p90)}" for m in MEASURES]
        )
    return rows


def _indicator_rows(indicators: Indicators) -> list[list[str]]:
    per_day = number_format(indicators.average_items_per_day, 0, use_l10n=True, force_grouping=True)
    rows = [[_("Indicator"), _("Value")], [_("Items per day (mean)"), per_day]]
    rows += [
        [_("Lane %(lane)s") % {"lane": dict(Lane.choices).get(lane, lane)}, f"{items} ({_percent(share)})"]
        for lane, items, share in indicators.lane_shares
    ]
    rows += [
        [
            _("Hit rate: %(selection)s") % {"selection": selection_text(r.selection)},
            f"{r.found}/{r.inspected} ({_percent(r.rate)})",
        ]
        for r in indicators.hit_rates
    ]
    for label, amounts in (
        (_("Paid online %(currency)s"), indicators.by_channel.get("online", {})),
        (_("Collected at the door %(currency)s"), indicators.by_channel.get("door", {})),
        (_("Charged to prepaid accounts %(currency)s"), indicators.by_channel.get("prepaid", {})),
        (_("Collected %(currency)s"), indicators.collected),
        (_("Refunded %(currency)s"), indicators.refunded),
        (_("Outstanding %(currency)s"), indicators.outstanding),
        (_("Recovered at inspection %(currency)s"), indicators.recovered),
    ):
        rows += [[label % {"currency": c}, _money(amount)] for c, amount in amounts.items()]
    cases = f"{indicators.disputes['opened']} / {indicators.disputes['charged_items']}"
    rows.append([_("Cases / items charged"), cases])
    return rows


def trs_report_html(result: TrsResult, indicators: Indicators) -> str:
    return render_to_string(
        "performance/trs_report.html",
        {
            "result": result,
            "measures": _measure_rows(result),
            "groups": _group_rows(result),
            "indicators": _indicator_rows(indicators),
            "generated_at": timezone.now(),
            "before_arrival": _percent(result.overall.decided_before_arrival_share),
        },
    )


def trs_report_pdf(result: TrsResult, indicators: Indicators) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"Time Release Study {result.start} – {result.end}"
    )
    story = [
        Paragraph(f"Time Release Study, items pre-advised {result.start} – {result.end}", styles["Title"]),
        Paragraph(
            f"{result.overall.items} items, {result.overall.arrived} arrived, {result.overall.decided} decided, "
            f"{result.overall.released} released; decided before arrival: "
            f"{_percent(result.overall.decided_before_arrival_share)}. Generated {timezone.now():%Y-%m-%d %H:%M} UTC.",
            styles["Normal"],
        ),
        Spacer(1, 12),
    ]
    for title, rows in (
        ("Release times", _measure_rows(result)),
        (f"By {result.breakdown}", _group_rows(result)),
        ("Indicators", _indicator_rows(indicators)),
    ):
        story += [Paragraph(title, styles["Heading2"]), _table(rows), Spacer(1, 12)]
    document.build(story)
    return buffer.getvalue()


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    return table
