"""Child processes for the runner, the tests and the benchmarks: started in groups, stopped whole, waited on."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 20
T = TypeVar("T")


class ProcessGroup:
    """Child processes, each the leader of its own process group."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: Sequence[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(list(argv), cwd=BASE_DIR, start_new_session=True, **kwargs)
        self.children[name] = process
        return process

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children.items():
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop(self) -> None:
        for process in self.children.values():
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.children.values():
            # SIGKILL the whole group: also the pool processes of a worker that hung.
            signal_group(process, signal.SIGKILL)
            process.wait()


def signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def wait_until(predicate: Callable[[], T], *, timeout: float, interval: float = 0.1) -> T | None:
    """The predicate's first true value within the timeout, polled every interval; None when it never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    return None
