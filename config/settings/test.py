"""Test settings: the same real PostgreSQL and Redis, apart from development data."""

from config.env import redis_url_with_db

from .base import *  # noqa: F403
from .base import REDIS_URL

# Tests use their own Redis databases so that they never consume or flush the
# queue of a `make run` going on beside them.
CELERY_BROKER_URL = redis_url_with_db(REDIS_URL, 14)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_with_db(REDIS_URL, 15),
        "KEY_PREFIX": "openclear-test",
    }
}
# The tests' webhook receivers listen on loopback; the refusal itself has its own tests.
OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the apps' folders directly; no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests call the API far faster than an operator may; the throttle has its own test.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"operator": "1000000/min"}}  # noqa: F405
