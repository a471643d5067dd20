"""Development and demo settings (`make run`)."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", default=True)
OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=True)
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
