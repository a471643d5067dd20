"""What the development console shows of the workers: a line per batch of tasks, not one per task.

`make run` starts its workers with OPENCLEAR_TASK_LOG=batch. Celery then logs
neither "Task … received" nor one "Task … succeeded" per task: every
OPENCLEAR_TASK_LOG_SECONDS the tasks done are summed up on one line (how many
of each, and the time they took); a task that fails or is retried is still
logged on its own, at once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable


class TaskBatchLines(logging.Filter):
    """Swallows Celery's per-task success lines and lets one summary line through per interval."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every, self.clock = every, clock
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0
        self.since = clock()

    def filter(self, record: logging.LogRecord) -> bool:
        context = record.args if isinstance(record.args, dict) else {}
        if record.levelno > logging.INFO or "runtime" not in context or "name" not in context:
            return True  # failures, retries and anything else: as they come
        self.counts[str(context["name"]).rsplit(".", 1)[-1]] += 1
        self.seconds += float(context.get("runtime") or 0)
        now = self.clock()
        if now - self.since < self.every:
            return False
        done = ", ".join(f"{name} ×{count}" for name, count in self.counts.most_common())
        record.msg = "%d tasks in the last %.0f s (%.1f s of work): %s"
        record.args = (sum(self.counts.values()), now - self.since, self.seconds, done)
        self.counts, self.seconds, self.since = Counter(), 0.0, now
        return True


def task_lines_batched(every: float) -> None:
    """Celery's loggers in a worker process: per-task lines summed up per interval."""
    logging.getLogger("celery.worker.strategy").setLevel(logging.WARNING)  # "Task … received"
    trace = logging.getLogger("celery.app.trace")  # "Task … succeeded in …"
    if not any(isinstance(f, TaskBatchLines) for f in trace.filters):
        trace.addFilter(TaskBatchLines(every))
