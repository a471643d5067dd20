"""`make profile`: where the time of ingest and scoring goes, in one process.

    python -m bench.profile [--batches 10] [--only ingest|scoring] [--top 30]

Posts 1000-item batches through the real view (Django's test client: the same
middleware, parser, validation and writes as under gunicorn, without HTTP),
then scores them with a trained model and rule set, each under cProfile, on a
fresh database beside the platform's (`<name>_profile`). Prints items/s in one
process, SQL time per statement, the functions that take the most time, and
scoring's cost per item stage by stage (the engine's references, split
shipments, risk model, goods model, rules and verdicts; the writes and routing):
wall time, this process's CPU and the CPU of the PostgreSQL backend serving it,
from the kernel's counters, so a busy neighbour moves the first only. With
`--top 0` scoring runs without cProfile, whose overhead weighs on Python-heavy
stages: the figures to compare with a budget.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from bench.cpu import is_postgres, run_seconds
from devstack.runner import BASE_DIR, PYTHON, Services

PROFILE_BROKER_DB = 6


def profile_database_url() -> str:
    from bench.run import bench_database_url

    return bench_database_url(suffix="profile")


@contextmanager
def sql_timings(totals: dict):
    """Time every statement Django sends, keyed by its first words."""
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:100]
            totals[key][0] += 1
            totals[key][1] += time.perf_counter() - began

    with connection.execute_wrapper(wrapper):
        yield


def scoring_stages() -> list[tuple[object, str, str]]:
    """(owner, attribute, stage) of the functions each scoring stage runs in, outermost first."""
    from clearance import services as clearance_services
    from risk import engine, history, services

    return [
        (services, "consignments_assess", "the whole chunk"),
        (engine.Engine, "assess", "engine, all stages"),
        (history, "hs_reference_unit_values", "engine: value references (cached)"),
        (engine, "SplitShipments", "engine: split shipments and networks, the window's parcels"),
        (engine.Engine, "_model", "engine: the risk model (features, scores, explanations)"),
        (engine, "content_lines", "engine: content lines"),
        (engine, "goods_pass", "engine: the goods model (vocabulary reader, statistical layer)"),
        (engine, "item_facts", "engine: item facts for the rules"),
        (engine.Engine, "_rule_findings", "engine: rules in force (catalogue, watchlists, brands)"),
        (engine.Engine, "_verdict", "engine: indicators, splits, lanes"),
        (clearance_services, "consignments_transition", "the state change and its audit entries"),
        (services, "insert_rows", "risk assessments written"),
        (services, "_route", "routing and duty assessment"),
        (services, "_recall_split_parcels", "recalled parcels of split shipments"),
    ]


PER_ITEM_STAGES = {
    "engine: content lines",
    "engine: item facts for the rules",
    "engine: indicators, splits, lanes",
}


@contextmanager
def stage_timings(totals: dict, stages: list[tuple[object, str, str]]):
    """Time each stage's function (wrapped in place for the profile only); a stage nested in itself counts once."""
    originals = []
    for owner, name, label in stages:
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, _timed(original, label, totals))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timed(function, label: str, totals: dict):
    depth = [0]

    # A stage run once per item does no SQL: reading the backend's counter there would cost more than the stage.
    backend = label not in PER_ITEM_STAGES

    def timed(*args, **kwargs):
        depth[0] += 1
        began = _clocks(backend)
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                ended = _clocks(backend)
                totals[label][0] += 1
                for index in range(3):
                    totals[label][index + 1] += ended[index] - began[index]

    return timed


def _clocks(backend: bool) -> tuple[float, float, float]:
    """Wall time, this process's CPU time, and the CPU time of the PostgreSQL backend serving it."""
    from django.db import connection

    pid = connection.connection.info.backend_pid if backend and connection.connection else 0
    # A server elsewhere (another host, a container) has its own pids: read only a PostgreSQL process here.
    return time.perf_counter(), time.process_time(), run_seconds(pid) if pid and is_postgres(pid) else 0.0


def show_stages(items: int, stages: list[tuple[object, str, str]], totals: dict) -> None:
    print(
        f"\nScoring stage by stage ({items} items; per item: wall time, this process's CPU, the PostgreSQL "
        "backend's CPU; share of the whole chunk's wall time):"
    )
    print(f"  {'wall µs':>9} {'cpu µs':>8} {'pg µs':>7} {'share':>6} {'calls':>6}  stage")
    whole = totals["the whole chunk"][1] or 1.0
    for _, _, label in stages:
        calls, wall, cpu, pg = totals.get(label, (0, 0.0, 0.0, 0.0))
        per_item = [value * 1e6 / max(items, 1) for value in (wall, cpu, pg)]
        print(
            f"  {per_item[0]:9.0f} {per_item[1]:8.0f} {per_item[2]:7.0f} {100 * wall / whole:5.1f}% {calls:6d}  {label}"
        )


def show(
    title: str, items: int, seconds: float, profiler: cProfile.Profile | None, sql: dict, top: int, sort: str
) -> None:
    under = "under the profiler" if profiler else "without the profiler"
    print(f"\n## {title}: {items} items in {seconds:.2f} s {under} ({items / seconds:.0f} items/s)\n")
    print("SQL time by statement (ms, calls):")
    for key, (calls, spent) in sorted(sql.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"  {spent * 1000:8.0f} {calls:6d}  {key}")
    if not profiler:
        return
    print("\nFunctions by own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(sort).print_stats(top)


def profile_ingest(batches: int, top: int, sort: str) -> None:
    from django.test import Client

    from bench.run import make_payloads
    from postal.services import api_key_issue, operator_create

    operator = operator_create(code="PROFILE", name="Profile Post")
    _, key = api_key_issue(operator=operator)
    payloads = make_payloads(1000 * (batches + 1), 1000)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.post("/api/v1/postal/items", payloads[0], content_type="application/json")  # loads reference data
    sql: dict = defaultdict(lambda: [0, 0.0])
    profiler = cProfile.Profile()
    began = time.perf_counter()
    with sql_timings(sql):
        profiler.enable()
        for payload in payloads[1:]:
            response = client.post("/api/v1/postal/items", payload, content_type="application/json")
            if response.status_code != 200 or response.json()["rejected"]:
                raise RuntimeError(f"ingest answered {response.status_code}: {response.content[:300]!r}")
        profiler.disable()
    show("Ingest", 1000 * batches, time.perf_counter() - began, profiler, sql, top, sort)


def profile_scoring(top: int, sort: str, env: dict) -> None:
    from django.conf import settings
    from django.db import connection

    from clearance.models import Consignment
    from risk.services import consignments_assess_isolating

    subprocess.run([PYTHON, "-m", "bench.scoring_setup"], cwd=BASE_DIR, env=env, check=True, capture_output=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    size = settings.OPENCLEAR_RISK_CHUNK_SIZE
    ids = list(Consignment.objects.filter(state="PRE_ADVISED").order_by("id").values_list("id", flat=True))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    consignments_assess_isolating(consignment_ids=chunks[0])  # loads the model and reference values
    sql: dict = defaultdict(lambda: [0, 0.0])
    stages, stage_totals = scoring_stages(), defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    profiler = cProfile.Profile()
    began = time.perf_counter()
    assessed = 0
    with sql_timings(sql), stage_timings(stage_totals, stages):
        if top:
            profiler.enable()
        for chunk in chunks[1:]:
            assessed += consignments_assess_isolating(consignment_ids=chunk)["assessed"]
        profiler.disable()
    elapsed = time.perf_counter() - began
    show(f"Scoring in chunks of {size}", assessed, elapsed, profiler if top else None, sql, top, sort)
    show_stages(assessed, stages, stage_totals)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--top", type=int, default=30, help="functions listed; 0 runs without cProfile")
    parser.add_argument("--only", choices=["ingest", "scoring"])
    parser.add_argument(
        "--sort", choices=["tottime", "cumulative"], default="tottime", help="by own time or time under"
    )
    args = parser.parse_args()
    with Services():
        database_url = profile_database_url()
        from bench.run import bench_env, manage

        env = bench_env(database_url, broker_db=PROFILE_BROKER_DB)  # scoring tasks queue there, unconsumed
        manage(env, "migrate", "--noinput", "-v", "0")
        os.environ.update(
            {
                key: env[key]
                for key in (
                    "DATABASE_URL",
                    "CELERY_BROKER_URL",
                    "DJANGO_SETTINGS_MODULE",
                    "DJANGO_DEBUG",
                    "OPENCLEAR_API_RATE",
                )
            }
        )
        import django

        django.setup()
        # Scoring needs items to score: ingest runs either way, profiled unless only scoring is asked.
        profile_ingest(args.batches, args.top if args.only != "scoring" else 0, args.sort)
        if args.only != "ingest":
            profile_scoring(args.top, args.sort, env)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
