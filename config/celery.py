"""The Celery application: JSON only, time limits, beat schedule in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from config.env import load_settings_or_exit

load_settings_or_exit()

app = Celery("openclear")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
