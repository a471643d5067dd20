"""`make run` and `make test`: the services, then the platform's processes.

    python -m devstack run      # services, migrations, demo data, web, worker, beat
    python -m devstack test     # services, lint, templates, types, migrations check, pytest
    python -m devstack services # services only, until Ctrl-C
    python -m devstack typecheck # services, then strict mypy on the modules in TYPED

Without DATABASE_URL and REDIS_URL the embedded PostgreSQL and Redis are
started (devstack.embedded). Every process started here runs in its own process
group; Ctrl-C stops them all, waits, kills what is left, and then stops the
embedded servers this runner started, so nothing is left behind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from devstack import embedded, processes
from devstack.processes import BASE_DIR, PYTHON, ProcessGroup


class Services:
    """The data stores for this run: from the environment, or embedded ones."""

    def __init__(self) -> None:
        self.started: embedded.Started | None = None

    def __enter__(self) -> Services:
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            print("Using DATABASE_URL and REDIS_URL from the environment.", flush=True)
            return self
        print("Starting the embedded PostgreSQL and Redis (data in ./var/) …", flush=True)
        try:
            state, self.started = embedded.start()
        except embedded.EmbeddedError as exc:
            raise SystemExit(f"error: {exc}") from None
        os.environ.setdefault("DATABASE_URL", state.database_url)
        os.environ.setdefault("REDIS_URL", state.redis_url)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.started is not None:
            embedded.stop(self.started)
            print("Embedded PostgreSQL and Redis stopped.", flush=True)


def _one_math_thread() -> None:
    """One OpenMP/BLAS thread per process (the model's libraries), unless configured.

    Each process would otherwise start a thread per core; on a small machine
    they fight the other processes for the cores and wait on each other's spin
    locks (a model's fit in the tests took fifteen times as long on two busy
    cores).
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def manage(*args: str, check: bool = True) -> int:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=check).returncode


class _Interrupted(Exception):
    pass


def _raise_interrupted(signum, frame) -> None:
    raise _Interrupted


def run(port: int) -> int:
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGINT, _raise_interrupted)
    group = ProcessGroup()
    try:
        with Services():
            # The platform's processes stop inside this block: the data stores
            # must outlive everything that writes to them.
            try:
                return _serve(group, port)
            except _Interrupted:
                print("\nStopping …", flush=True)
                return 0
            finally:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                group.stop()
    except _Interrupted:  # during start-up, before anything of ours ran
        return 0


def _serve(group: ProcessGroup, port: int) -> int:
    # Links in e-mails and on receipts point where this run answers, unless configured.
    os.environ.setdefault("OPENCLEAR_PUBLIC_URL", f"http://127.0.0.1:{port}")
    _one_math_thread()
    # The console shows a line per request batch and per batch of tasks, not two lines per task.
    os.environ.setdefault("OPENCLEAR_TASK_LOG", "batch")
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("seed_demo", "--url", f"http://127.0.0.1:{port}")
    _start_platform(group, port)
    print(f"\nOpenClear is running on http://127.0.0.1:{port}/ — press Ctrl-C to stop.\n", flush=True)
    while (exited := group.first_exited()) is None:
        time.sleep(0.5)
    print(f"{exited[0]} exited with code {exited[1]}; stopping everything.", file=sys.stderr)
    return 1


def _start_platform(group: ProcessGroup, port: int) -> None:
    var = embedded.VAR_DIR
    var.mkdir(parents=True, exist_ok=True)
    # Commands run from another terminal (simulate_operator) find this run's address here.
    (var / "serving.json").write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "pid": os.getpid()}))
    # One line per request would drown the demo's log; they are kept in var/.
    web_options = ["--threads", "4", "--access-logfile", str(var / "access.log"), "--graceful-timeout", "10"]
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    group.start("web", processes.gunicorn_argv(bind=f"127.0.0.1:{port}", workers=workers, options=web_options))
    group.start(
        "worker",
        processes.celery_worker_argv(
            hostname=f"worker-{os.getpid()}@%h",
            loglevel="INFO",
            queues=processes.SCORING_QUEUES,
            concurrency=int(os.environ.get("CELERY_CONCURRENCY", "2")),
        ),
    )
    group.start(
        "webhooks",
        processes.celery_worker_argv(
            hostname=f"webhooks-{os.getpid()}@%h",
            loglevel="INFO",
            queues=processes.WEBHOOK_QUEUES,
            pool="threads",
            concurrency=processes.WEBHOOK_THREADS,
        ),
    )
    group.start("beat", processes.celery_beat_argv(schedule=var / "celerybeat-schedule", loglevel="WARNING"))
    if os.environ.get("OPENCLEAR_DEMO_TRAFFIC", "1") != "0":
        group.start(
            "simulator",
            [
                PYTHON,
                "manage.py",
                "simulate_operator",
                "--url",
                f"http://127.0.0.1:{port}",
                "--key-file",
                str(var / "demo-operator.key"),
                "--rate",
                "5",
                "--batch",
                "20",
                "--journey-seconds",
                "60",
                "--wait-for-server",
            ],
        )


# Checked strictly by mypy: every app's writes and reads, and the modules whose mistakes cost money or
# goods (the duty calculator, the assessment, the intake, the risk engine and rules, the bulk SQL).
TYPED = (
    "*/services.py",
    "*/selectors.py",
    "payments/calculator.py",
    "payments/assessment.py",
    "postal/intake.py",
    "risk/engine.py",
    "risk/rules.py",
    "core/db.py",
)

# Tools installed beside the interpreter, run as commands; the rest run as `python …`.
TOOLS = {"ruff", "djlint", "mypy"}


def gate_steps() -> list[list[str]]:
    """The checks before the tests: lint, templates, types, migrations."""
    templates = sorted(str(path.relative_to(BASE_DIR)) for path in BASE_DIR.glob("*/templates/**/*.html"))
    typed = sorted({str(path.relative_to(BASE_DIR)) for pattern in TYPED for path in BASE_DIR.glob(pattern)})
    return [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["djlint", "--lint", *templates],
        ["mypy", *typed],
        ["manage.py", "makemigrations", "--check", "--dry-run"],
    ]


def _run_steps(steps: list[list[str]]) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    for step in steps:
        argv = [str(Path(PYTHON).parent / step[0]), *step[1:]] if step[0] in TOOLS else [PYTHON, *step]
        print(f"$ {' '.join(step[:6])}{' …' if len(step) > 6 else ''}", flush=True)
        code = subprocess.run(argv, cwd=BASE_DIR, env=env).returncode
        if code != 0:
            return code
    return 0


def test(pytest_args: Sequence[str]) -> int:
    _one_math_thread()
    with Services():
        return _run_steps([*gate_steps(), ["-m", "pytest", *pytest_args]])


def typecheck() -> int:
    with Services():
        return _run_steps([step for step in gate_steps() if step[0] == "mypy"])


def services() -> int:
    signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        with Services():
            print(f"DATABASE_URL={os.environ['DATABASE_URL']}\nREDIS_URL={os.environ['REDIS_URL']}", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            while True:
                time.sleep(3600)
    except (KeyboardInterrupt, _Interrupted):
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    sub.add_parser("test", help="anything after `test` is passed on to pytest")
    sub.add_parser("services")
    sub.add_parser("typecheck")
    # Unknown arguments are pytest's (`test -m 'not integration'`); argparse
    # would otherwise take a leading option such as -m for its own.
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "run":
        return run(args.port)
    if args.command == "test":
        return test(extra)
    if args.command == "typecheck":
        return typecheck()
    return services()


if __name__ == "__main__":
    sys.exit(main())
