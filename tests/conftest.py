"""Shared fixtures: real services (Redis, PostgreSQL, RabbitMQ), fresh databases, worker processes.

A service that is down makes its tests SKIP on a developer machine and FAIL when
TRIAGE_REQUIRE_SERVICES=1 (what `.ci/run` sets): a green CI that ran nothing is a defect.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

# A developer's ./.env (made for docker compose) must not change what the tests run against.
os.environ.setdefault("TRIAGE_ENV_FILE", "")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIAGE_SHARED_DIR", ROOT.parent / "shared"))

REDIS_URL = os.environ.get("TRIAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TRIAGE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def services_required() -> bool:
    return os.environ.get("TRIAGE_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    u = urlparse(url)
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def need_service(name: str, url: str, default_port: int) -> None:
    if _reachable(url, default_port):
        return
    msg = f"{name} is not reachable at {url}"
    if services_required():
        pytest.fail(msg + " and TRIAGE_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts from default settings with its own var dir; engines and caches reset."""
    for key in list(os.environ):
        if key.startswith("TRIAGE_") and not key.startswith(("TRIAGE_TEST_", "TRIAGE_REQUIRE", "TRIAGE_SHARED",
                                                              "TRIAGE_EVAL")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TRIAGE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(ROOT / "config"))
    _reset_caches()
    yield
    _reset_caches()


def _reset_caches() -> None:
    from triage import db
    from triage.settings import get_settings

    get_settings.cache_clear()
    db.reset_engine()
    try:
        from triage.worker import pipeline_config

        pipeline_config.cache_clear()
    except Exception:
        pass


@pytest.fixture(scope="session")
def kb() -> Any:
    """The project's knowledge base, parsed once."""
    from triage.kb import load_kb

    return load_kb(ROOT / "config")


@pytest.fixture(scope="session")
def templates() -> Any:
    """The project's reply templates, loaded once."""
    from triage.draft import load_templates

    return load_templates(ROOT / "config")


@pytest.fixture(scope="session")
def pipeline_cfg() -> Any:
    from triage.pipeline import load_config

    return load_config(ROOT / "config")


# ---------------------------------------------------------------------------------------------
# services


@pytest.fixture
def redis_url() -> str:
    need_service("Redis", REDIS_URL, 6379)
    return REDIS_URL


@pytest.fixture
def amqp_url() -> str:
    need_service("RabbitMQ", AMQP_URL, 5672)
    return AMQP_URL


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A brand-new PostgreSQL database for this test, migrated with `triage db upgrade` semantics."""
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    import psycopg

    name = f"triage_test_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    u = urlparse(admin)
    url = u._replace(path=f"/{name}").geturl()
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'triage.db'}"


def migrate_url(url: str) -> None:
    from triage import migrate

    migrate.upgrade(url)


def use_migrated_sqlite(monkeypatch: pytest.MonkeyPatch, url: str) -> str:
    """Point settings at a fresh, migrated SQLite database and the in-memory broker."""
    monkeypatch.setenv("TRIAGE_DATABASE_URL", url)
    monkeypatch.setenv("TRIAGE_BROKER_URL", "memory://")
    _reset_caches()
    migrate_url(url)
    return url


@pytest.fixture
def sqlite_db(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> str:
    """A fresh, migrated SQLite database that the settings (and so the store) point at."""
    return use_migrated_sqlite(monkeypatch, sqlite_url)


# ---------------------------------------------------------------------------------------------
# worker processes


class WorkerProcess:
    """A real `python -m triage worker` child process with its own environment."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 2, pool: str = "prefork") -> None:
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.pool = pool
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "triage", "worker", f"--concurrency={self.concurrency}",
             f"--pool={self.pool}", "--loglevel=INFO", f"--hostname=test-{uuid.uuid4().hex[:8]}@%h"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def service_env(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Build a child-process environment pointing triage at the given broker and database."""

    def make(broker_url: str, database_url: str, queue: str | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") or k.startswith("TRIAGE_TEST_")}
        env.update(
            TRIAGE_BROKER_URL=broker_url,
            TRIAGE_DATABASE_URL=database_url,
            TRIAGE_QUEUE=queue or f"triage-test-{uuid.uuid4().hex[:8]}",
            TRIAGE_VAR_DIR=str(tmp_path / "var"),
            TRIAGE_CONFIG_DIR=str(ROOT / "config"),
            TRIAGE_LOG_FORMAT="json",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    return make


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    workers: list[WorkerProcess] = []

    def start(env: dict[str, str], concurrency: int = 2, pool: str = "prefork") -> WorkerProcess:
        w = WorkerProcess(env, tmp_path / f"worker-{len(workers)}.log", concurrency, pool).start()
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.stop()


def run_cli(args: list[str], env: dict[str, str], input: str | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage", *args], env=env, input=input, text=True,
                          capture_output=True, timeout=timeout)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.25, what: str = "condition",
               on_timeout: Callable[[], str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    extra = ("\n" + on_timeout()) if on_timeout else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}{extra}")


def make_ticket(ext: str, subject: str = "Question about my account", body: str = "Hello, I need help.",
                source: str = "test", **extra: Any) -> dict[str, Any]:
    return {"source": source, "external_id": ext, "subject": subject, "body": body, **extra}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
