"""Store failures with a real worker process, Redis and PostgreSQL: nothing is lost.

Found by a review (fifth session): a lone surrogate (half an emoji, as JavaScript's `slice` leaves it) made
both the ticket and its dead letter unstorable, and the message was then rejected without requeue — gone, with
every good ticket of its envelope; the store's fast path raised the driver's own errors, which the worker did
not recognise as transient (a deadlock or a read-only standby after a failover became a dead letter or a loss);
one ticket the store refuses sank its whole envelope. PostgreSQL triggers play the failing database here.
"""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
import pytest

from tests.conftest import make_ticket, run_cli, wait_until
from triage.worker import INGEST, INGEST_MANY, create_app

pytestmark = pytest.mark.integration


def _sql(url: str, *statements: str) -> list[Any]:
    out: list[Any] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for st in statements:
            cur = conn.execute(st)
            out.append(cur.fetchall() if cur.description else None)
    return out


def _tickets(url: str) -> dict[str, str]:
    [rows] = _sql(url, "select external_id, subject from tickets")
    return dict(rows)


def _dead(url: str) -> list[tuple[str, str, str, str]]:
    [rows] = _sql(url, "select coalesce(external_id, ''), error_type, reason, payload from dead_letters order by id")
    return rows


def _producer(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for k, v in env.items():
        if k.startswith("TRIAGE_"):
            monkeypatch.setenv(k, v)
    from triage.settings import get_settings

    get_settings.cache_clear()
    return create_app()


def _start(tmp_path: Any, redis_url: str, postgres_db: str, service_env: Any, start_worker: Any,
           monkeypatch: pytest.MonkeyPatch, **extra: str) -> tuple[Any, Any]:
    env = service_env(redis_url, postgres_db, TRIAGE_RETRY_BACKOFF_MAX_S="2", **extra)
    r = run_cli(["db", "upgrade"], env)
    assert r.returncode == 0, r.stderr
    app = _producer(env, monkeypatch)
    return app, start_worker(env, concurrency=1)


def test_a_lone_surrogate_is_stored_not_lost(tmp_path: Any, redis_url: str, postgres_db: str, service_env: Any,
                                             start_worker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app, worker = _start(tmp_path, redis_url, postgres_db, service_env, start_worker, monkeypatch)
    half = "pay \ud83d"  # what JSON.stringify("pay 😀".slice(0, 5)) sends
    queue = app.conf.task_default_queue
    app.send_task(INGEST, args=[make_ticket("s-1", half, "body " + half,
                                            requester={"name": "Zoe \ud83d", "email": "z@example.org"},
                                            metadata={"note\x00": ["x\x00", "\udc00"]})], queue=queue)
    app.send_task(INGEST_MANY, args=[[make_ticket("s-2", half, "hello"), make_ticket("s-3", "fine", "fine")]],
                  queue=queue)
    wait_until(lambda: len(_tickets(postgres_db)) == 3, 60, what="three tickets stored", on_timeout=worker.log)
    got = _tickets(postgres_db)
    assert got["s-1"] == got["s-2"] == "pay \ufffd" and got["s-3"] == "fine"
    assert _dead(postgres_db) == []
    [[meta]] = _sql(postgres_db, "select metadata from tickets where external_id = 's-1'")[0]
    assert meta == {"note\ufffd": ["x\ufffd", "\ufffd"]}


def test_one_ticket_the_store_refuses_does_not_sink_its_envelope(
        tmp_path: Any, redis_url: str, postgres_db: str, service_env: Any, start_worker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app, worker = _start(tmp_path, redis_url, postgres_db, service_env, start_worker, monkeypatch)
    _sql(postgres_db,
         """create function refuse_bad() returns trigger language plpgsql as $$
            begin if new.external_id = 'bad' then raise exception 'refused by a check' using errcode = '23514';
            end if; return new; end $$""",
         "create trigger refuse_bad before insert on tickets for each row execute function refuse_bad()")
    app.send_task(INGEST_MANY, args=[[make_ticket("ok-1"), make_ticket("bad"), make_ticket("ok-2")]],
                  queue=app.conf.task_default_queue)
    wait_until(lambda: len(_dead(postgres_db)) == 1 and len(_tickets(postgres_db)) == 2, 60,
               what="two tickets stored and one dead letter", on_timeout=worker.log)
    assert sorted(_tickets(postgres_db)) == ["ok-1", "ok-2"]
    [(ext, etype, reason, payload)] = _dead(postgres_db)
    assert (ext, etype) == ("bad", "store_error") and "CheckViolation" in reason
    assert json.loads(payload)["external_id"] == "bad"  # the ticket's own payload, not the envelope
    log = worker.log()
    assert "batch_store_error_split" in log and "[parameters:" not in log


@pytest.mark.parametrize("sqlstate", ["40P01", "25006"])  # a deadlock; a read-only standby after a failover
def test_a_transient_error_of_the_fast_path_is_retried(
        sqlstate: str, tmp_path: Any, redis_url: str, postgres_db: str, service_env: Any, start_worker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app, worker = _start(tmp_path, redis_url, postgres_db, service_env, start_worker, monkeypatch)
    _sql(postgres_db,
         "create table fail_switch (on_ boolean)", "insert into fail_switch values (true)",
         f"""create function flaky() returns trigger language plpgsql as $$
             begin if (select on_ from fail_switch) then raise exception 'flaky' using errcode = '{sqlstate}';
             end if; return new; end $$""",
         "create trigger flaky before insert on triage_results for each row execute function flaky()")
    app.send_task(INGEST, args=[make_ticket("t-1", "Withdrawal", "pending for a week")],
                  queue=app.conf.task_default_queue)
    wait_until(lambda: "store_retry" in worker.log(), 60, what="a retry", on_timeout=worker.log)
    time.sleep(1)
    assert _tickets(postgres_db) == {} and _dead(postgres_db) == []  # neither stored nor given up
    _sql(postgres_db, "update fail_switch set on_ = false")
    wait_until(lambda: "t-1" in _tickets(postgres_db), 60, what="the ticket stored after the retry",
               on_timeout=worker.log)
    assert _dead(postgres_db) == []


def test_a_message_whose_dead_letter_cannot_be_written_is_kept(
        tmp_path: Any, redis_url: str, postgres_db: str, service_env: Any, start_worker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app, worker = _start(tmp_path, redis_url, postgres_db, service_env, start_worker, monkeypatch)
    _sql(postgres_db,
         """create function refuse_all() returns trigger language plpgsql as $$
            begin raise exception 'refused' using errcode = '23514'; end $$""",
         "create trigger refuse_tickets before insert on tickets for each row execute function refuse_all()",
         "create trigger refuse_dead before insert on dead_letters for each row execute function refuse_all()")
    app.send_task(INGEST, args=[make_ticket("k-1")], queue=app.conf.task_default_queue)
    wait_until(lambda: worker.log().count("store_error_not_recorded") >= 2, 60, what="both dead-letter attempts",
               on_timeout=worker.log)
    time.sleep(1)
    assert _dead(postgres_db) == [] and _tickets(postgres_db) == {}
    _sql(postgres_db, "drop trigger refuse_dead on dead_letters")  # the database accepts dead letters again
    wait_until(lambda: len(_dead(postgres_db)) == 1, 60, what="the retried message's dead letter",
               on_timeout=worker.log)
    [(ext, etype, _reason, _payload)] = _dead(postgres_db)
    assert (ext, etype) == ("k-1", "store_error")
