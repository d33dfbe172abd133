"""Bounded pools, and a forked child (a prefork pool process) never reuses its parent's connection."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import text

from triage import db

pytestmark = pytest.mark.integration


def _backend_pid() -> int:
    with db.session_scope() as s:
        return int(s.execute(text("select pg_backend_pid()")).scalar_one())


def test_forked_child_gets_its_own_engine_and_connection(postgres_db: str, monkeypatch: Any) -> None:
    from triage.settings import get_settings

    monkeypatch.setenv("TRIAGE_DATABASE_URL", postgres_db)
    monkeypatch.setenv("TRIAGE_DB_POOL_SIZE", "2")
    monkeypatch.setenv("TRIAGE_DB_MAX_OVERFLOW", "1")
    get_settings.cache_clear()
    db.reset_engine()

    parent_engine = db.get_engine()
    assert parent_engine.pool.size() == 2 and parent_engine.pool._max_overflow == 1  # type: ignore[attr-defined]
    parent_pid = _backend_pid()  # a pooled connection now exists in the parent

    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            engine = db.get_engine()
            mine = _backend_pid()
            ok = engine is not parent_engine and mine != parent_pid
            os.write(w, f"{int(ok)} {mine}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(child, 0)
    reply = os.read(r, 100).decode()
    os.close(r)
    assert os.WEXITSTATUS(status) == 0, reply
    ok, child_pid = reply.split()
    assert ok == "1", f"child reused the parent's engine or connection (backend pid {child_pid})"
    # The parent's pooled connection survived the child (dispose(close=False) in the child).
    assert db.get_engine() is parent_engine
    assert _backend_pid() == parent_pid
    db.reset_engine()
