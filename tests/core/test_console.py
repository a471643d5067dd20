"""The development console: a line per batch of tasks, the failures as they come."""

import logging

from config.console import TaskBatchLines, task_lines_batched


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _succeeded(logger: logging.Logger, name: str, runtime: float) -> None:
    # The record Celery's tracer makes for each task done (celery.app.trace.LOG_SUCCESS).
    logger.info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        {"name": name, "id": "abc", "runtime": runtime, "return_value": None},
    )


def test_tasks_done_are_summed_up_on_one_line_per_interval_and_failures_pass_at_once(caplog):
    clock = Clock()
    logger = logging.getLogger("tests.console.trace")
    logger.addFilter(TaskBatchLines(every=10, clock=clock))
    with caplog.at_level(logging.INFO, logger="tests.console.trace"):
        for _ in range(40):
            _succeeded(logger, "risk.tasks.consignments_assess", 0.05)
        for _ in range(9):
            _succeeded(logger, "postal.tasks.webhook_deliveries_send", 0.1)
        logger.error("Task %(name)s[%(id)s] raised unexpected: %(exc)s", {"name": "x", "id": "1", "exc": "boom"})
        assert [r.levelname for r in caplog.records] == ["ERROR"]

        clock.now = 12.0
        _succeeded(logger, "risk.tasks.consignments_assess", 0.05)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[1] == "50 tasks in the last 12 s (3.0 s of work): consignments_assess ×41, webhook_deliveries_send ×9"


def test_the_workers_of_make_run_log_no_line_per_task_received(settings):
    task_lines_batched(10)
    assert logging.getLogger("celery.worker.strategy").getEffectiveLevel() == logging.WARNING
    filters = logging.getLogger("celery.app.trace").filters
    assert sum(isinstance(f, TaskBatchLines) for f in filters) == 1
    task_lines_batched(10)  # set up twice (a worker's logging is set up per process): still one
    assert sum(isinstance(f, TaskBatchLines) for f in logging.getLogger("celery.app.trace").filters) == 1
    for f in list(filters):
        logging.getLogger("celery.app.trace").removeFilter(f)
    logging.getLogger("celery.worker.strategy").setLevel(logging.NOTSET)
