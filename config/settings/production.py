"""Production: base settings with security tightened. Secrets are required."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_secret

from .base import *  # noqa: F403

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", required=True)
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers and container health checks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Every asset is vendored and served from this origin, so nothing else is allowed.
OPENCLEAR_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
OPENCLEAR_SANDBOX_WEBHOOK_SECRET = env_secret("OPENCLEAR_SANDBOX_WEBHOOK_SECRET", required=True)


def _refusals() -> list[str]:
    """What production will not run with; every one is named at once."""
    refusals = [
        f"{name} is shorter than 32 bytes: use a long random value"
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("OPENCLEAR_SANDBOX_WEBHOOK_SECRET", OPENCLEAR_SANDBOX_WEBHOOK_SECRET),
        )
        if len((value or "").encode()) < 32
    ]
    if OPENCLEAR_PAYMENT_PROVIDER == "sandbox" and not env_bool("OPENCLEAR_ALLOW_SANDBOX_PAYMENTS", default=False):  # noqa: F405
        refusals.append(
            "OPENCLEAR_PAYMENT_PROVIDER is the sandbox, which takes test cards: "
            "set OPENCLEAR_ALLOW_SANDBOX_PAYMENTS=true only for a test environment"
        )
    return refusals


if refusals := _refusals():
    raise ImproperlyConfigured("; ".join(refusals))
