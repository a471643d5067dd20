"""CPU a process spent, read from the kernel's own counters (`/proc`).

A busy neighbour slows a run's wall time but not the CPU our processes
spend: measuring per tier (the Celery worker, PostgreSQL) tells a code change
from a noisy machine. Linux only, and only for processes on this machine;
elsewhere a tier reads as not measured.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): field 3 onwards."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return []
    return text[text.rfind(")") + 2 :].split()


def own_seconds(pid: int) -> float:
    """User and system CPU seconds of one process alone so far (tick resolution)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def process_seconds(pid: int) -> float:
    """User and system CPU seconds of one process so far, and of its children that have ended (tick resolution).

    A backend PostgreSQL starts for a connection, or a pool process Celery
    replaces, may end between two samples: its parent has then reaped it, and
    its CPU is in the parent's count of ended children.
    """
    fields = _stat_fields(pid)
    return sum(int(value) for value in fields[11:15]) / TICKS if fields else 0.0


def run_seconds(pid: int) -> float:
    """Seconds one process has run on a CPU so far, to the nanosecond (the scheduler's own count)."""
    try:
        return int((PROC / str(pid) / "schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return own_seconds(pid)  # without the scheduler's count: the same process's time, coarser


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()] if PROC.is_dir() else []


def descendants(root: int) -> list[int]:
    """The process and every process below it (a Celery worker and its pool)."""
    parents: dict[int, list[int]] = {}
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields:
            parents.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def is_postgres(pid: int) -> bool:
    try:
        return (PROC / str(pid) / "comm").read_text().strip() == "postgres"
    except OSError:
        return False


def postmaster_pid(data_directory: str) -> int | None:
    """The pid of the PostgreSQL server whose data directory this is, when it runs on this machine.

    Its backends, autovacuum and writers are its children: one server's CPU, not every PostgreSQL's here.
    """
    try:
        pid = int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if is_postgres(pid) else None


@dataclass
class CpuSample:
    """CPU seconds per tier at one moment, each process with its ended children."""

    seconds: dict[str, dict[int, float]]

    @classmethod
    def take(cls, tiers: dict[str, Iterable[int]]) -> CpuSample:
        return cls({tier: {pid: process_seconds(pid) for pid in pids} for tier, pids in tiers.items()})

    def spent_since(self, earlier: CpuSample) -> dict[str, float]:
        """CPU seconds each tier spent since the earlier sample.

        A process new since then counts from zero; one that ended meanwhile is in its parent's count.
        """
        return {
            tier: sum(pids.values()) - sum(earlier.seconds.get(tier, {}).values())
            for tier, pids in self.seconds.items()
        }


def per_item_us(spent: dict[str, float], items: int) -> dict[str, int | None]:
    """CPU µs per item of each tier; None for a tier whose processes could not be read (not on this machine)."""
    return {
        tier: round(seconds * 1e6 / max(items, 1)) if seconds > 0 and items > 0 else None
        for tier, seconds in spent.items()
    }
