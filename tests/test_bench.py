"""The benchmark's plumbing: which measures run, and how figures are judged against targets."""

import os
import subprocess
import sys

import pytest

from bench.cpu import CpuSample, descendants, per_item_us, postmaster_pid
from bench.run import _report_rows, measures_to_run


def test_a_measure_brings_the_measures_it_needs_in_running_order():
    assert measures_to_run("payment") == ["ingest", "scoring", "payment"]
    assert measures_to_run("queue,trs") == ["queue", "trs"]
    assert measures_to_run(None) == ["ingest", "scoring", "burst", "latency", "payment", "queue", "trs"]


def test_an_unknown_measure_is_refused_by_name():
    with pytest.raises(SystemExit, match="unknown measure.*speed"):
        measures_to_run("ingest,speed")


def test_each_figure_is_judged_against_its_target():
    results = {
        "ingest": {
            "items_per_second": 15_000,
            "request_p50_ms": 50,
            "request_p99_ms": 90,
            "items_sent": 10,
            "items_stored": 9,
        },
        "burst": {
            "stored_and_decided_items_per_second": None,
            "ingest_items_per_second_while_scoring": 900,
            "items_sent": 50_000,
            "all_decided_seconds": None,
        },
        "scoring": {"items_per_second": 4_100, "cpu_us_per_item": {"worker": 251, "postgres": None}},
        "queue": {"table_rows": 10, "p95_ms": 151, "p50_ms": 20},
    }
    met = {name: ok for name, _, _, ok in _report_rows(results)}
    assert met["ingest: new items stored durably per second (1000-item batches)"] is True
    assert met["ingest: items sent / stored"] is False  # one item lost is a failure, whatever the speed
    assert met["ingest and scoring at once: items stored and decided per second"] is False  # never all decided
    assert met["burst of 50000 items: all decided after"] is False
    assert met["officer queue page p95 with 10 items, ingest running"] is False
    assert met["scoring: one worker draining a backlog, items/s"] is True
    assert met["  scoring: the worker's CPU per item"] is False  # a budget, not only a rate
    assert met["  scoring: PostgreSQL's CPU per item"] is None  # a server elsewhere is not measured, not passed


BUSY_CHILD = "import time\nbegan = time.process_time()\nwhile time.process_time() - began < 0.3:\n    pass\n"


def test_cpu_a_process_spent_counts_children_that_ended_between_two_samples():
    """A PostgreSQL backend per task, or a replaced pool process, ends before the last sample: its CPU counts."""
    before = CpuSample.take({"tier": descendants(os.getpid())})
    subprocess.run([sys.executable, "-c", BUSY_CHILD], check=True)
    spent = CpuSample.take({"tier": descendants(os.getpid())}).spent_since(before)["tier"]
    assert spent >= 0.25
    assert per_item_us({"tier": spent}, 1000)["tier"] == round(spent * 1000)
    assert per_item_us({"tier": 0.0}, 1000)["tier"] is None  # no process read: not measured, never "0 µs"


def test_the_postgresql_tier_is_the_bench_server_alone(tmp_path):
    """Other PostgreSQL servers on the machine are not counted: only the one whose data directory is named."""
    (tmp_path / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n")
    assert postmaster_pid(str(tmp_path)) is None  # that pid is no PostgreSQL
    assert postmaster_pid(str(tmp_path / "missing")) is None
