"""The shortened `make chaos`: every fault injected, nothing accepted is lost, nothing is done twice."""

import json
import subprocess
import sys

import pytest

from devstack.runner import BASE_DIR
from tests.processes import clean_env

pytestmark = pytest.mark.integration


def test_no_fault_loses_or_duplicates_an_accepted_item(tmp_path):
    output = tmp_path / "chaos.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.chaos", "--short", "--json", str(output)],
        cwd=BASE_DIR,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert output.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    outcomes = json.loads(output.read_text())
    assert {o["fault"] for o in outcomes} == {
        "worker killed",
        "Redis killed",
        "PostgreSQL restarted",
        "webhook receiver down",
        "slow webhook",
        "web worker killed",
        "payment provider errors, then a retry storm",
        "poison item",
    }
    for outcome in outcomes:
        assert outcome["accepted"] > 0, outcome
        assert (outcome["lost"], outcome["duplicated"]) == (0, 0), outcome
        assert outcome["decided"] == outcome["accepted"], outcome
        assert outcome["broken_rule"] == "", outcome
        if outcome["limit_seconds"] is not None:
            assert outcome["recovered_seconds"] <= outcome["limit_seconds"], outcome
    killed = next(o for o in outcomes if o["fault"] == "worker killed")
    assert killed["limit_seconds"] == 60  # a worker killed mid-batch: every lost item scored within a minute
    poison = next(o for o in outcomes if o["fault"] == "poison item")
    assert any(note.endswith("HELD RED") for note in poison["notes"]), poison
    payment = next(o for o in outcomes if o["fault"].startswith("payment"))
    assert any(note.endswith(", 0 not released") and not note.startswith("0 ") for note in payment["notes"]), payment
    assert run.returncode == 0, run.stdout[-3000:]
