"""Engine and session factory, one engine per process (re-created after a fork)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from triage.settings import Settings, get_settings

_lock = threading.Lock()
_engine: Engine | None = None
_engine_pid: int | None = None
_sessionmaker: sessionmaker[Session] | None = None


class MissingDatabase(Exception):
    """The SQLite file a command would read does not exist (the message is its path)."""


_must_exist = False


def require_existing_database(on: bool = True) -> None:
    """For this process: an engine on a SQLite file that does not exist raises MissingDatabase instead of
    creating the file (commands that read or update stored rows; `db upgrade` and workers create it)."""
    global _must_exist
    _must_exist = on


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs (the driver we ship)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """Create an engine with the pool bounded by settings and SQLite tuned for concurrent workers."""
    settings = settings or get_settings()
    url = normalise_url(url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            if _must_exist and not Path(u.database).exists():
                raise MissingDatabase(u.database)
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: an error's text (logged, kept as a dead letter's reason) never quotes a ticket
        engine = create_engine(url, echo=settings.db_echo, hide_parameters=True, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers (CLI) run beside the worker's writer; busy_timeout waits for the lock
            # instead of failing; foreign keys are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(
        url,
        echo=settings.db_echo,
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def get_engine() -> Engine:
    """The process's engine. A forked child never reuses its parent's connections."""
    global _engine, _engine_pid, _sessionmaker
    pid = os.getpid()
    with _lock:
        if _engine is None or _engine_pid != pid:
            if _engine is not None:
                # Inherited from the parent: drop the pool without closing the parent's sockets.
                _engine.dispose(close=False)
            _engine = make_engine(get_settings().effective_database_url)
            _engine_pid = pid
            _sessionmaker = sessionmaker(_engine, expire_on_commit=False)
        return _engine


def reset_engine() -> None:
    """Forget the current engine (after settings change, or in a fresh worker process)."""
    global _engine, _engine_pid, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose(close=_engine_pid == os.getpid())
        _engine = None
        _engine_pid = None
        _sessionmaker = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    get_engine()
    assert _sessionmaker is not None
    session = _sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
