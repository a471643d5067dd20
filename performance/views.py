"""The performance pages of the officer dashboard: Time Release Study, indicators, de minimis simulator."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.selectors import referral_times
from core.decorators import officer_required, supervisor_required
from core.forms import form_errors
from law.models import Regime
from payments.deminimis import Scenario, simulation_request
from payments.forms import SimulationForm
from payments.models import SimulationRun
from performance import indicators as performance
from performance.charts import bar_chart
from performance.exports import tables_download
from performance.forms import PeriodForm
from performance.tasks import trs_days_refresh
from performance.trs import MEASURES, humanize
from postal.quality import quality_trend


def _period(request) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data
    fallback = PeriodForm({})
    fallback.is_valid()
    return form, fallback.cleaned_data


@officer_required
@require_GET
def trs_view(request):
    form, period = _period(request)
    result = performance.trs_for_period(start=period["start"], end=period["end"], breakdown=period["breakdown"])
    if request.GET.get("format") in {"csv", "xlsx"}:
        filename = f"trs-{period['start']}-{period['end']}"
        return tables_download({"trs": performance.trs_frame(result)}, filename=filename, fmt=request.GET["format"])
    measure = next(m for m in MEASURES if m.code == period["measure"])
    chart = bar_chart(_("Items by %(measure)s") % {"measure": measure.label}, result.distribution(measure.code))
    return render(
        request,
        "performance/trs.html",
        {
            "form": form,
            "period": period,
            "result": result,
            "measures": MEASURES,
            "chart": chart,
            "export_query": request.GET.urlencode(),
            # The agency step: goods referred to other agencies, and how long each took to decide.
            "agency_steps": referral_times(start=period["start"], end=period["end"]),
        },
    )


@officer_required
@require_GET
def indicators_view(request):
    form, period = _period(request)
    indicators = performance.indicators_for_period(start=period["start"], end=period["end"])
    if request.GET.get("format") in {"csv", "xlsx"}:
        return tables_download(
            performance.indicator_frames(indicators),
            filename=f"indicators-{period['start']}-{period['end']}",
            fmt=request.GET["format"],
        )
    per_day = bar_chart(
        _("Items pre-advised per day"), [(day.strftime("%m-%d"), n) for day, n in indicators.items_per_day]
    )
    return render(
        request,
        "performance/indicators.html",
        {
            "form": form,
            "period": period,
            "indicators": indicators,
            "per_day": per_day,
            "webhook_median": humanize(indicators.webhook_latency["median"]),
            "webhook_p90": humanize(indicators.webhook_latency["p90"]),
            "dispute_median": humanize(indicators.disputes["median_seconds_to_resolve"]),
            "export_query": request.GET.urlencode(),
        },
    )


@officer_required
@require_POST
def summaries_rebuild(request):
    """Rebuild the summaries of the period shown now, rather than at the next scheduled run."""
    form = PeriodForm(request.POST)
    if form.is_valid():
        start, end = form.cleaned_data["start"], min(form.cleaned_data["end"], timezone.now().date())
        transaction.on_commit(lambda: trs_days_refresh.delay(start.isoformat(), end.isoformat()), robust=True)
        messages.success(request, _("The summaries are being rebuilt; reload the page in a minute."))
    else:
        messages.error(request, form_errors(form))
    back = request.POST.get("back", "")
    return redirect(back if back in ("performance:trs", "performance:indicators") else "performance:trs")


@supervisor_required
@require_http_methods(["GET", "POST"])
def simulator_view(request):
    form = SimulationForm(request.POST or None, regimes=Regime.objects.order_by("code"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = simulation_request(
            user=request.user,
            regime=data["regime"],
            start=data["start"],
            end=data["end"],
            scenario=Scenario(
                duty_threshold=data["duty_threshold"],
                vat_threshold=data["vat_threshold"],
                flat_duty_per_line=data["flat_duty_per_line"],
                without_flat_duty=data["without_flat_duty"],
            ),
        )
        messages.success(request, _("The simulation is running; this page shows it when it is done."))
        return redirect("performance:simulation", pk=run.pk)
    runs = SimulationRun.objects.select_related("regime", "created_by").order_by("-created_at")[:20]
    return render(request, "performance/simulator.html", {"form": form, "runs": runs})


@supervisor_required
@require_GET
def simulation_view(request, pk: int):
    run = get_object_or_404(SimulationRun.objects.select_related("regime"), pk=pk)
    context = {"run": run, "rows": _simulation_rows(run)}
    if run.state == SimulationRun.State.DONE:
        context["charts"] = _simulation_charts(run)
    template = "performance/_simulation_result.html" if request.htmx else "performance/simulation.html"
    return render(request, template, context)


SIMULATION_ROWS = (
    ("duty", _("Duty")),
    ("vat", _("VAT")),
    ("fees", _("Fees")),
    ("total", _("Revenue")),
    ("items_paying", _("Items needing payment")),
    ("full_declarations", _("Full declarations (above the low-value ceiling)")),
    ("risk_holds", _("Held by risk (unchanged)")),
    ("officer_workload", _("Officer workload (items)")),
)


MONEY_ROWS = frozenset({"duty", "vat", "fees", "total"})


def _simulation_rows(run: SimulationRun) -> list[tuple[str, object, object, object, int]]:
    """(label, in force, scenario, change, decimal places): amounts with cents, counts whole."""
    if run.state != SimulationRun.State.DONE:
        return []
    result = run.result
    return [
        (
            label,
            result["in_force"][key],
            result["scenario"][key],
            result["difference"][key],
            2 if key in MONEY_ROWS else 0,
        )
        for key, label in SIMULATION_ROWS
    ]


def _simulation_charts(run: SimulationRun) -> list:
    result = run.result
    # Side by side: the law in force, then the scenario; the pair is named under its first bar.
    money = [
        (label if side == "in_force" else "", float(result[side][key]))
        for key, label in SIMULATION_ROWS[:4]
        for side in ("in_force", "scenario")
    ]
    workload = (SIMULATION_ROWS[4], SIMULATION_ROWS[7])
    counts = [
        (label if side == "in_force" else "", float(result[side][key]))
        for key, label in workload
        for side in ("in_force", "scenario")
    ]
    return [
        bar_chart(
            _("Revenue in %(currency)s: in force beside the scenario") % {"currency": result["currency"]},
            money,
            series=2,
            fmt=lambda v: f"{v:,.2f}",
        ),
        bar_chart(_("Items needing payment and officer workload"), counts, series=2),
    ]


@officer_required
@require_GET
def operators_quality_view(request):
    """Every operator's data quality side by side, over the last six months (postal.quality)."""
    this_month = timezone.now().date().replace(day=1)
    months = []
    for back in range(5, -1, -1):
        year, month = divmod(this_month.year * 12 + this_month.month - 1 - back, 12)
        months.append(this_month.replace(year=year, month=month + 1))
    return render(
        request, "performance/operators_quality.html", {"months": months, "rows": quality_trend(months=months)}
    )
