"""The Celery application: JSON only, time limits, beat schedule in settings."""

import os

from celery import Celery
from celery.signals import after_setup_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from config.env import load_settings_or_exit

load_settings_or_exit()

app = Celery("openclear")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
def _console_lines(**kwargs) -> None:
    """In development (make run), a line per batch of tasks rather than two per task (config.console)."""
    from django.conf import settings

    from config.console import task_lines_batched

    if settings.OPENCLEAR_TASK_LOG == "batch":
        task_lines_batched(settings.OPENCLEAR_TASK_LOG_SECONDS)
