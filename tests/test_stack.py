"""`make run` end to end: the embedded services, the processes, Ctrl-C, a second run."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from devstack.embedded import free_port
from tests.processes import clean_env, wait_until

pytestmark = pytest.mark.integration
BASE_DIR = Path(__file__).resolve().parent.parent


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    return {**env, "OPENCLEAR_VAR_DIR": str(var_dir), "OPENCLEAR_DEMO_TRAFFIC": "0", "CELERY_CONCURRENCY": "1"}


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL built here
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _healthy_with_worker(base: str) -> bool:
    status, body = _get(f"{base}/healthz")
    return status == 200 and json.loads(body)["checks"]["workers"]["ok"]


def _server_pids(var_dir: Path) -> set[int]:
    pids = set()
    for pid_file in (var_dir / "postgres" / "postmaster.pid", var_dir / "redis" / "redis.pid"):
        if pid_file.exists():
            pids.add(int(pid_file.read_text().split()[0]))
    return pids


def _start(var_dir: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "devstack.runner", "run", "--port", str(port)],
        cwd=BASE_DIR,
        env=_env(var_dir),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _ctrl_c(runner: subprocess.Popen) -> str:
    # A terminal's Ctrl-C goes to the foreground process group: the runner's.
    os.killpg(runner.pid, signal.SIGINT)
    output, _ = runner.communicate(timeout=90)
    return output


def test_make_run_serves_stops_cleanly_and_keeps_its_data(tmp_path):
    var_dir = tmp_path / "var"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = _start(var_dir, port)
    try:
        wait_until(lambda: _healthy_with_worker(base), timeout=180, interval=1, what="make run to be up")
        assert _get(f"{base}/admin/login/")[0] == 200
        status, schema = _get(f"{base}/api/schema/")
        assert status == 200 and b"openapi" in schema
        started = {p.pid for p in psutil.Process(runner.pid).children(recursive=True)} | _server_pids(var_dir)
        # A management command from another terminal reaches the same services.
        subprocess.run(
            [sys.executable, "manage.py", "create_operator", "Kept Post", "--code", "KEPT"],
            cwd=BASE_DIR,
            env=_env(var_dir),
            check=True,
            capture_output=True,
        )
    finally:
        output = _ctrl_c(runner)

    assert runner.returncode == 0, output
    assert "officer" in output and "supervisor" in output  # the demo logins were printed
    assert len(started) >= 5  # web, worker, beat (with their children), PostgreSQL, Redis
    left = [pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert left == [], f"processes left after Ctrl-C: {left}"

    runner = _start(var_dir, port)
    try:
        wait_until(lambda: _get(f"{base}/healthz")[0] == 200, timeout=180, interval=1, what="the second run")
        check = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from clearance.models import PostalOperator as P; print(P.objects.filter(code='KEPT').count())",
            ],
            cwd=BASE_DIR,
            env=_env(var_dir),
            capture_output=True,
            text=True,
            check=True,
        )
        assert check.stdout.strip().splitlines()[-1] == "1"
    finally:
        _ctrl_c(runner)
    assert not any(psutil.pid_exists(pid) for pid in _server_pids(var_dir))
