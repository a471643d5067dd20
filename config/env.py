"""Environment variables, read in one place.

Every setting that comes from the environment is read through these helpers so
that a bad value stops start-up with one line naming the variable, instead of
a traceback deep inside Django or a silently wrong default.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENCLEAR_VAR_DIR", BASE_DIR / "var"))
EMBEDDED_STATE_FILE = VAR_DIR / "embedded.json"
SERVED_FILE = VAR_DIR / "serving.json"  # written by `make run`: where its web server answers

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_secret(name: str, *, required: bool, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from None
    value = os.environ.get(name)
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set (or {name}_FILE naming a file that holds it)")
    return default


@dataclass(frozen=True)
class DatabaseUrl:
    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, str]

    def as_django(self) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "OPTIONS": dict(self.options),
        }


def parse_database_url(url: str, *, variable: str = "DATABASE_URL") -> DatabaseUrl:
    """Parse postgres://user:password@host:port/name?sslmode=require."""
    expected = "expected postgres://user:password@host:port/database"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is malformed ({exc}); {expected}") from None
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{variable} is malformed: scheme {parts.scheme!r}; {expected}")
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise ImproperlyConfigured(f"{variable} is malformed: no database name; {expected}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    if not host:
        raise ImproperlyConfigured(f"{variable} is malformed: no host; {expected}")
    return DatabaseUrl(
        name=name,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=host,
        port=str(port or ""),
        options=query,
    )


def validate_redis_url(url: str, *, variable: str = "REDIS_URL") -> str:
    expected = "expected redis://[:password@]host:port/db"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - accessing .port validates it
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is malformed ({exc}); {expected}") from None
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"{variable} is malformed: {url!r}; {expected}")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ImproperlyConfigured(f"{variable} is malformed: database {db!r} is not a number; {expected}")
    return url


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (broker, cache and tests apart)."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


def embedded_service_urls() -> dict[str, str]:
    """URLs of the embedded PostgreSQL and Redis started under var/ by `make run`."""
    try:
        state = json.loads(EMBEDDED_STATE_FILE.read_text())
        return {"DATABASE_URL": state["database_url"], "REDIS_URL": state["redis_url"]}
    except FileNotFoundError:
        raise ImproperlyConfigured(
            "DATABASE_URL and REDIS_URL are not set and the embedded services have never been "
            "started here: run `make run` (or `make services`), or set both variables"
        ) from None
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{EMBEDDED_STATE_FILE} is damaged ({exc}); delete it and run `make run`") from None


def served_url() -> str | None:
    """The address `make run` serves on (written to var/ when it starts), for commands run beside it."""
    try:
        return json.loads(SERVED_FILE.read_text())["url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def service_urls() -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL: from the environment, else from the embedded services."""
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        embedded = embedded_service_urls()
        database_url = database_url or embedded["DATABASE_URL"]
        redis_url = redis_url or embedded["REDIS_URL"]
    return database_url, redis_url


def load_settings_or_exit() -> None:
    """Load Django settings; on a configuration error print one line and exit.

    Entry points (manage.py, WSGI, Celery) call this so that a bad variable is
    reported as `configuration error: DATABASE_URL is malformed …`, not as a
    traceback.
    """
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
    except ImproperlyConfigured as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
