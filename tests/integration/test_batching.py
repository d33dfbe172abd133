"""Single-ticket batching (TRIAGE_SINGLE_BATCHING=1): same contract, same results, dead letters per ticket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_ticket, run_cli, wait_until, write_jsonl
from tests.integration.test_worker_pipeline import _counts, _exercise

pytestmark = pytest.mark.integration

BATCHING = {"TRIAGE_SINGLE_BATCHING": "1", "TRIAGE_BATCH_FLUSH_EVERY": "20", "TRIAGE_BATCH_FLUSH_INTERVAL_MS": "50"}


def test_batched_singles_redis_postgres(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                                        start_worker: Any) -> None:
    env = service_env(redis_url, postgres_db, **BATCHING)
    _exercise(tmp_path, env, postgres_db, start_worker, "redis, batched singles")


def test_batched_singles_rabbitmq_postgres(tmp_path: Path, amqp_url: str, postgres_db: str, service_env: Any,
                                           start_worker: Any) -> None:
    env = service_env(amqp_url, postgres_db, **BATCHING)
    _exercise(tmp_path, env, postgres_db, start_worker, "rabbitmq, batched singles")


def test_many_singles_share_transactions(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                                         start_worker: Any) -> None:
    """300 single messages, a few of them bad: every good one stored once, every bad one dead-lettered."""
    env = service_env(redis_url, postgres_db, **BATCHING)
    assert run_cli(["db", "upgrade"], env).returncode == 0
    rows: list[Any] = [make_ticket(f"s{i}", "Withdrawal", f"My withdrawal #{i} is pending.") for i in range(300)]
    rows[10] = {"source": "test", "external_id": "bad-a", "subject": 7, "body": None}
    rows[150] = "not a ticket"
    worker = start_worker(env)
    r = run_cli(["submit", str(write_jsonl(tmp_path / "s.jsonl", rows)), "--single", "--raw"], env)
    assert r.returncode == 0, r.stderr
    wait_until(lambda: _counts(postgres_db)["results"] >= 298 and _counts(postgres_db)["dead"] >= 2, timeout=90,
               what="298 results and 2 dead letters", on_timeout=worker.log)
    import time

    time.sleep(1.0)
    assert _counts(postgres_db) == {"tickets": 298, "results": 298, "dead": 2}
    assert worker.alive()
