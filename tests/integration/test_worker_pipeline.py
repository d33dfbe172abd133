"""End to end with real services: CLI → broker → real worker process → PostgreSQL/SQLite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import make_ticket, run_cli, wait_until, write_jsonl
from triage.db import normalise_url
from triage.models import DeadLetter, EscalationFlag, Ticket, TriageResult

pytestmark = pytest.mark.integration

SCAM = ("Client wants to move to Telegram",
        "The client asked me to continue on Telegram before any contract and wants a copy of my passport.")
OFF = ("Paid outside the platform",
       "I paid the freelancer $400 by wire transfer outside the platform and he disappeared. Can I get it back?")


def _counts(url: str) -> dict[str, int]:
    eng = create_engine(normalise_url(url))
    try:
        with eng.connect() as c:
            return {
                "tickets": c.scalar(select(func.count()).select_from(Ticket)) or 0,
                "results": c.scalar(select(func.count()).select_from(TriageResult)) or 0,
                "dead": c.scalar(select(func.count()).select_from(DeadLetter)) or 0,
            }
    finally:
        eng.dispose()


def _rows(url: str, model: Any) -> list[Any]:
    eng = create_engine(normalise_url(url))
    try:
        with eng.connect() as c:
            return list(c.execute(select(model.__table__)).mappings())
    finally:
        eng.dispose()


def _exercise(tmp_path: Path, env: dict[str, str], db_url: str, start_worker: Any, broker: str) -> None:
    r = run_cli(["db", "upgrade"], env)
    assert r.returncode == 0, r.stderr
    assert "database at revision" in r.stdout

    tickets = [make_ticket(f"t{i}", "Withdrawal question", f"My withdrawal #{i} is pending, please check.")
               for i in range(8)]
    tickets.append(make_ticket("scam-1", *SCAM, requester={"name": "Ana Silva", "email": "ana@example.org"}))
    tickets.append(make_ticket("off-1", *OFF))
    tickets.append(make_ticket(42, *OFF))  # integer ids are accepted and stored as text
    bulk = write_jsonl(tmp_path / "bulk.jsonl", tickets)
    # Bad lines mixed into a raw submission: they must become dead letters, never vanish.
    bad = [{"source": "test", "external_id": "bad-1", "subject": "x" * 2000, "body": "b"},
           {"source": "test", "external_id": "bad-2", "subject": 5, "body": ["wrong type"]},
           "not an object"]
    raw = write_jsonl(tmp_path / "raw.jsonl", [*tickets[:3], *bad])  # the first 3 again: duplicates

    worker = start_worker(env)
    r = run_cli(["submit", str(bulk), "--batch", "4"], env)
    assert r.returncode == 0, r.stderr
    assert "enqueued 11 ticket(s) in 3 message(s)" in r.stdout
    r = run_cli(["submit", str(raw), "--raw", "--single"], env)
    assert r.returncode == 0, r.stderr

    wait_until(lambda: _counts(db_url)["results"] >= 11 and _counts(db_url)["dead"] >= 3, timeout=90,
               what=f"11 results and 3 dead letters via {broker}", on_timeout=worker.log)
    # Let any straggling redelivery land before checking there is exactly one of each.
    import time

    time.sleep(1.0)
    counts = _counts(db_url)
    assert counts == {"tickets": 11, "results": 11, "dead": 3}, counts
    assert worker.alive(), "bad input must never kill the worker"

    rows = {t["external_id"]: t for t in _rows(db_url, Ticket)}
    assert rows["t0"]["deliveries"] == 2 and rows["t5"]["deliveries"] == 1
    assert "42" in rows
    results = {r["ticket_id"]: r for r in _rows(db_url, TriageResult)}
    scam = results[rows["scam-1"]["id"]]
    assert "scam_suspicion" in scam["categories"]
    assert scam["draft_reply"] and "Ana" in scam["draft_reply"]
    assert scam["kb_version"] and scam["rules_version"]
    off = results[rows["off-1"]["id"]]
    assert "off_platform_payment" in off["categories"]
    assert any(f["name"] == "money_lost" for f in _rows(db_url, EscalationFlag)
               if f["ticket_id"] == rows["off-1"]["id"])
    plain = results[rows["t3"]["id"]]
    assert plain["categories"] == [] and plain["draft_reply"] is None

    dead = {d["external_id"]: d for d in _rows(db_url, DeadLetter)}
    assert "subject is 2000 bytes" in dead["bad-1"]["reason"]
    assert "body" in dead["bad-2"]["reason"] and dead["bad-2"]["error_type"] == "validation"
    assert "JSON object" in dead[None]["reason"]

    # The CLI reads what the worker wrote.
    r = run_cli(["results", "--category", "off_platform_payment", "--json"], env)
    assert r.returncode == 0, r.stderr
    refs = {json.loads(line)["ref"] for line in r.stdout.splitlines()}
    assert {"test:off-1", "test:42"} <= refs and "test:t1" not in refs
    r = run_cli(["show", "test:scam-1"], env)
    assert r.returncode == 0 and "draft reply" in r.stdout and "scam_suspicion" in r.stdout
    r = run_cli(["dlq", "list"], env)
    assert r.returncode == 0 and "validation" in r.stdout


def test_redis_postgres(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                        start_worker: Any) -> None:
    env = service_env(redis_url, postgres_db)
    _exercise(tmp_path, env, postgres_db, start_worker, "redis")


def test_rabbitmq_postgres(tmp_path: Path, amqp_url: str, postgres_db: str, service_env: Any,
                           start_worker: Any) -> None:
    env = service_env(amqp_url, postgres_db)
    _exercise(tmp_path, env, postgres_db, start_worker, "rabbitmq")


def test_redis_sqlite(tmp_path: Path, redis_url: str, sqlite_url: str, service_env: Any, start_worker: Any) -> None:
    env = service_env(redis_url, sqlite_url)
    _exercise(tmp_path, env, sqlite_url, start_worker, "redis+sqlite")
