"""Development and demo settings (`make run`)."""

from config.env import VAR_DIR, env_bool, env_str

from .base import *  # noqa: F403
from .base import LOGGING

DEBUG = env_bool("DJANGO_DEBUG", default=True)
OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=True)
# E-mails to payers are written as files under var/mail/ (one per message), not into the log.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# The demo traffic sends malformed items on purpose: their 4xx answers are the
# API doing its job, not warnings an operator of the demo must read.
LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "ERROR"}}}
