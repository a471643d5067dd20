"""Bad configuration stops start-up with one line that names the variable."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import parse_database_url, redis_url_with_db, validate_redis_url
from tests.processes import clean_env

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_malformed_database_url_stops_start_up_with_one_line():
    result = _manage(
        "check", DATABASE_URL="postgres://user@host:notaport/db", DJANGO_SETTINGS_MODULE="config.settings.local"
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("configuration error: DATABASE_URL is malformed")
    assert "Traceback" not in result.stderr


def test_a_missing_production_secret_stops_start_up_with_one_line():
    env = {k: v for k, v in clean_env().items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY_FILE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "configuration error: DJANGO_SECRET_KEY must be set (or DJANGO_SECRET_KEY_FILE naming a file that holds it)"
    )


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(50) + "\n")
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY_FILE=str(secret_file),
        OPENCLEAR_SANDBOX_WEBHOOK_SECRET=secrets.token_urlsafe(32),
        OPENCLEAR_ALLOW_SANDBOX_PAYMENTS="true",
        DJANGO_ALLOWED_HOSTS="customs.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_sandbox_provider_and_short_secrets_naming_each():
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="short-secret",
        OPENCLEAR_SANDBOX_WEBHOOK_SECRET="also-short",
        DJANGO_ALLOWED_HOSTS="customs.example.org",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert line.startswith("configuration error: DJANGO_SECRET_KEY is shorter than 32 bytes")
    assert "OPENCLEAR_SANDBOX_WEBHOOK_SECRET is shorter than 32 bytes" in line
    assert "OPENCLEAR_PAYMENT_PROVIDER is the sandbox" in line


def _urls_with_passwords(settings) -> None:
    # Written apart, and set outside the failing test's frame: the page quotes its source and its locals.
    password = "s3cret" + "-pw"
    settings.DATABASE_URL = f"postgres://openclear:{password}@db.internal:5432/openclear"
    settings.REDIS_URL = f"redis://:{password}@cache.internal:6379/0"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://:{password}@c:6379/1"}}


def test_the_development_error_page_never_shows_a_password_inside_a_url(settings, rf):
    import sys

    from django.views.debug import technical_500_response

    settings.DEBUG = True
    _urls_with_passwords(settings)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        page = technical_500_response(rf.get("/"), *sys.exc_info()).content.decode()
    assert "boom" in page and "db.internal" in page
    assert "s3cret" + "-pw" not in page


def test_a_bad_boolean_names_its_variable():
    result = _manage("check", DJANGO_DEBUG="maybe", DJANGO_SETTINGS_MODULE="config.settings.local")
    assert result.returncode == 2
    assert result.stderr.strip() == "configuration error: DJANGO_DEBUG must be true or false, not 'maybe'"


@pytest.mark.parametrize(
    "url",
    ["mysql://u:p@h/db", "postgres://u:p@h:5432/", "postgres://u:p@:5432/db", "not a url"],
)
def test_parse_database_url_rejects_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is malformed"):
        parse_database_url(url)


def test_parse_database_url_reads_every_part():
    parsed = parse_database_url("postgresql://app:s%40cret@db.internal:6432/openclear?sslmode=require")
    assert parsed.as_django() == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "openclear",
        "USER": "app",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "6432",
        "OPTIONS": {"sslmode": "require"},
    }


def test_redis_urls_are_validated_and_can_switch_database():
    assert redis_url_with_db(validate_redis_url("redis://:pw@127.0.0.1:6379/0"), 14) == "redis://:pw@127.0.0.1:6379/14"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL is malformed"):
        validate_redis_url("redis://127.0.0.1:6379/cache")
