"""`make profile`: where the time of ingest and scoring goes, in one process.

    python -m bench.profile [--batches 10] [--only ingest|scoring]

Posts 1000-item batches through the real view (Django's test client: the same
middleware, parser, validation and writes as under gunicorn, without HTTP),
then scores them with a trained model and rule set, each under cProfile, on a
fresh database beside the platform's (`<name>_profile`). Prints items/s in one
process, SQL time per statement and the functions that take the most time.
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


def show(title: str, items: int, seconds: float, profiler: cProfile.Profile, sql: dict, top: int) -> None:
    print(f"\n## {title}: {items} items in {seconds:.2f} s under the profiler ({items / seconds:.0f} items/s)\n")
    print("SQL time by statement (ms, calls):")
    for key, (calls, spent) in sorted(sql.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"  {spent * 1000:8.0f} {calls:6d}  {key}")
    print("\nFunctions by own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def profile_ingest(batches: int, top: int) -> None:
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
    show("Ingest", 1000 * batches, time.perf_counter() - began, profiler, sql, top)


def profile_scoring(top: int, env: dict) -> None:
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
    profiler = cProfile.Profile()
    began = time.perf_counter()
    assessed = 0
    with sql_timings(sql):
        profiler.enable()
        for chunk in chunks[1:]:
            assessed += consignments_assess_isolating(consignment_ids=chunk)["assessed"]
        profiler.disable()
    show(f"Scoring in chunks of {size}", assessed, time.perf_counter() - began, profiler, sql, top)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--only", choices=["ingest", "scoring"])
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
        profile_ingest(args.batches, args.top if args.only != "scoring" else 0)
        if args.only != "ingest":
            profile_scoring(args.top, env)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
