"""Break things on purpose and prove the ledger: no ticket lost, none doubled.

Run with `make chaos` (or `pytest tests/chaos -m chaos -s` to see the LEDGER lines).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, select

from tests.chaos.conftest import (
    Ledger,
    Producer,
    RedisServer,
    TcpProxy,
    children_of,
    sigkill,
    tickets,
    wait_for_children,
)
from tests.conftest import WorkerProcess, make_ticket
from triage.db import normalise_url
from triage.models import DeadLetter, Ticket

pytestmark = [pytest.mark.chaos, pytest.mark.integration, pytest.mark.timeout(400)]

StartWorker = Callable[..., WorkerProcess]


def _stored(ledger: Ledger) -> int:
    return len(ledger.snapshot()["results"])


def _wait_stored(ledger: Ledger, n: int, timeout: float, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while _stored(ledger) < n:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {n} results after {timeout}s\n{worker.log()[-3000:]}")
        time.sleep(0.1)


def _background(fn: Callable[[], Any]) -> threading.Thread:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # surfaced by the join below
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.errors = errors  # type: ignore[attr-defined]
    t.start()
    return t


def _join(t: threading.Thread, timeout: float = 180) -> None:
    t.join(timeout)
    assert not t.is_alive(), "producer did not finish"
    assert not t.errors, t.errors  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# kill -9


def _kill9(broker_url: str, db_url: str, broker: str, chaos_env: Any, start_worker: StartWorker) -> None:
    env = chaos_env(broker_url, db_url)
    ledger = Ledger(db_url, "kill9_child_and_main", broker)
    items = tickets(2400, f"kill-{broker}")
    ledger.add(items)
    prod = Producer(broker_url, env["TRIAGE_QUEUE"])
    worker = start_worker(env, concurrency=2)
    kids = wait_for_children(worker, 2)
    prod.send_batches(items, batch=20)
    prod.close()

    _wait_stored(ledger, 300, 120, worker)
    sigkill(kids[0])  # a pool child dies mid-batch: reject_on_worker_lost requeues its message
    _wait_stored(ledger, 1100, 120, worker)
    assert worker.proc is not None
    main = worker.proc.pid
    orphans = children_of(main)
    sigkill(main)  # the main process dies with messages reserved and in flight
    for pid in orphans:
        sigkill(pid)
    worker.proc.wait()
    at_kill = _stored(ledger)

    restarted = start_worker(env, concurrency=2)
    # Exact on both brokers: on Redis the pop and the unacked record are one step
    # (`triage.redis_transport.install_redis_atomic_pop`), so a main process killed at any instant leaves
    # each message either queued or recorded (restored after the visibility timeout).
    ledger.wait(timeout=180, worker=restarted)
    rep = ledger.check(stored_when_main_killed=at_kill)
    assert restarted.alive()
    assert rep.stored == 2400


def test_kill9_worker_redis(redis_url: str, chaos_db: str, chaos_env: Any, start_worker: StartWorker) -> None:
    _kill9(redis_url, chaos_db, "redis", chaos_env, start_worker)


def test_kill9_worker_rabbitmq(amqp_url: str, chaos_db: str, chaos_env: Any, start_worker: StartWorker) -> None:
    _kill9(amqp_url, chaos_db, "rabbitmq", chaos_env, start_worker)


# ---------------------------------------------------------------------------------------------
# outages


def test_redis_restart_midstream(redis_server: RedisServer, chaos_db: str, chaos_env: Any,
                                 start_worker: StartWorker) -> None:
    env = chaos_env(redis_server.url, chaos_db)
    ledger = Ledger(chaos_db, "redis_stop_restart_aof", "redis")
    items = tickets(2000, "redis-restart")
    ledger.add(items)
    worker = start_worker(env, concurrency=2)
    wait_for_children(worker, 2)
    prod = Producer(redis_server.url, env["TRIAGE_QUEUE"])
    t = _background(lambda: prod.send_batches(items, batch=20, pause=0.05))

    _wait_stored(ledger, 300, 120, worker)
    redis_server.stop()
    down_at = time.monotonic()
    time.sleep(5)
    redis_server.start()
    down_s = round(time.monotonic() - down_at, 1)
    _join(t)
    prod.close()
    ledger.wait(timeout=180, worker=worker)
    ledger.check(redis_down_s=down_s)
    assert worker.alive()


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_postgres_cut_midstream(broker: str, request: pytest.FixtureRequest, chaos_db: str, chaos_env: Any,
                                start_worker: StartWorker) -> None:
    broker_url = request.getfixturevalue("redis_url" if broker == "redis" else "amqp_url")
    u = urlparse(chaos_db)
    proxy = TcpProxy(u.hostname or "127.0.0.1", u.port or 5432)
    via_proxy = u._replace(netloc=f"{u.username}@127.0.0.1:{proxy.port}" if u.username
                           else f"127.0.0.1:{proxy.port}").geturl()
    try:
        env = chaos_env(broker_url, via_proxy)
        ledger = Ledger(chaos_db, "postgres_cut_6s", broker)
        items = tickets(2000, "pg-cut")
        ledger.add(items)
        worker = start_worker(env, concurrency=2)
        wait_for_children(worker, 2)
        prod = Producer(broker_url, env["TRIAGE_QUEUE"])
        t = _background(lambda: prod.send_batches(items, batch=20, pause=0.05))

        _wait_stored(ledger, 300, 120, worker)
        proxy.cut()
        time.sleep(6)
        stored_during = _stored(ledger)
        proxy.restore()
        _join(t)
        prod.close()
        ledger.wait(timeout=180, worker=worker)
        retries = worker.log().count('"store_retry"')
        ledger.check(postgres_down_s=6, store_retries_logged=retries, stored_when_restored=stored_during)
        assert retries > 0, "the cut must have been felt"
        assert worker.alive()
    finally:
        proxy.close()


def _via_proxy(url: str, proxy: TcpProxy) -> str:
    u = urlparse(url)
    return u._replace(netloc=f"{u.username}@127.0.0.1:{proxy.port}" if u.username
                      else f"127.0.0.1:{proxy.port}").geturl()


@pytest.mark.parametrize(("broker", "batched"), [("redis", False), ("rabbitmq", False), ("rabbitmq", True)],
                         ids=["redis", "rabbitmq", "rabbitmq-batched"])
def test_waiting_retries_do_not_hold_back_fresh_tickets(broker: str, batched: bool, request: pytest.FixtureRequest,
                                                         chaos_db: str, chaos_env: Any,
                                                         start_worker: StartWorker) -> None:
    """Tickets that failed during an outage wait 15–30 s for their retry; tickets arriving after the
    database is back must not queue behind them. On RabbitMQ with quorum queues the prefetch window is
    static, so retries held in the worker until their ETA would fill it and stall the queue: the retries
    must wait in the broker (Celery's native delayed delivery, which needs a topic exchange)."""
    broker_url = request.getfixturevalue("redis_url" if broker == "redis" else "amqp_url")
    u = urlparse(chaos_db)
    proxy = TcpProxy(u.hostname or "127.0.0.1", u.port or 5432)
    try:
        # Straight to the retry-at-the-cap branch: every retry waits 15–30 s.
        env = chaos_env(broker_url, _via_proxy(chaos_db, proxy), TRIAGE_TASK_MAX_RETRIES="0",
                        TRIAGE_RETRY_BACKOFF_MAX_S="30", TRIAGE_VISIBILITY_TIMEOUT_S="600",
                        TRIAGE_SINGLE_BATCHING="1" if batched else "0")
        ledger = Ledger(chaos_db, "retries_wait_in_broker" + ("_batched" if batched else ""), broker)
        failing = tickets(300, f"held-{broker}")
        fresh = tickets(50, f"fresh-{broker}")
        ledger.add(failing + fresh)
        worker = start_worker(env, concurrency=2)
        wait_for_children(worker, 2)
        prod = Producer(broker_url, env["TRIAGE_QUEUE"])
        proxy.cut()
        for t in failing:  # single-ticket messages: the webhook path, batched in the worker
            prod.send("triage.ingest", [t])
        deadline = time.monotonic() + 90
        while worker.log().count('"store_unavailable"') + worker.log().count('"store_retry_batch"') == 0:
            assert time.monotonic() < deadline, worker.log()[-3000:]
            time.sleep(0.2)
        time.sleep(4)  # the 300 have been taken and sent to their retries
        proxy.restore()
        restored_at = time.monotonic()
        for t in fresh:
            prod.send("triage.ingest", [t])
        fresh_keys = {("chaos", str(t["external_id"])) for t in fresh}
        while True:
            stored = {(r.source, r.external_id) for r in ledger.snapshot()["results"]} & fresh_keys
            if len(stored) == len(fresh_keys):
                break
            assert time.monotonic() - restored_at < 10, (
                f"{len(stored)}/{len(fresh_keys)} fresh tickets stored 10 s after the database came back: "
                f"they are queued behind retries held in the worker\n{worker.log()[-2000:]}")
            time.sleep(0.2)
        fresh_s = round(time.monotonic() - restored_at, 1)
        prod.close()
        ledger.wait(timeout=180, worker=worker)
        ledger.check(fresh_stored_s=fresh_s)
        assert worker.alive()
    finally:
        proxy.close()


# ---------------------------------------------------------------------------------------------
# duplicates and poison


def test_same_tickets_from_two_producers(redis_url: str, chaos_db: str, chaos_env: Any,
                                         start_worker: StartWorker) -> None:
    env = chaos_env(redis_url, chaos_db)
    ledger = Ledger(chaos_db, "two_producers_same_1000", "redis")
    items = tickets(1000, "dup")
    ledger.add(items)
    shuffled = items[:]
    random.Random(6).shuffle(shuffled)
    producers = [Producer(redis_url, env["TRIAGE_QUEUE"]) for _ in range(2)]
    worker = start_worker(env, concurrency=2)
    wait_for_children(worker, 2)
    threads = [_background(lambda p=p, its=its: p.send_batches(its, batch=25))
               for p, its in zip(producers, (items, shuffled), strict=True)]
    for t in threads:
        _join(t)
    for p in producers:
        p.close()
    ledger.wait(timeout=180, worker=worker)

    def both_delivered() -> bool:
        return all(r.deliveries >= 2 for r in ledger.snapshot()["results"])

    deadline = time.monotonic() + 60
    while not both_delivered() and time.monotonic() < deadline:
        time.sleep(0.5)
    deliveries = sorted({r.deliveries for r in ledger.snapshot()["results"]})
    rep = ledger.check(deliveries_per_ticket=deliveries)
    assert rep.stored == 1000 and deliveries[0] >= 2


POISON_KINDS = ("invalid_json", "pickle", "unknown_task", "no_headers", "no_id", "bad_body_shape",
                "wrong_types", "two_mib_body", "unknown_args", "not_a_list")


def _send_poison(prod: Producer, ledger: Ledger, kind: str, n: int) -> None:
    tid = f"poison-{kind}-{n}-{uuid.uuid4().hex[:8]}"
    v2 = {"lang": "py", "task": "triage.ingest", "id": tid, "retries": 0, "argsrepr": "", "kwargsrepr": ""}
    embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    if kind == "invalid_json":
        prod.publish_raw(b'[[{"source": "x", "external_id": ', headers=v2)
    elif kind == "pickle":
        prod.publish_raw(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00]\x94.",
                         content_type="application/x-python-serialize", headers=v2)
    elif kind == "unknown_task":
        prod.publish_raw(json.dumps([[{}], {}, embed]), headers={**v2, "task": "triage.nonexistent"})
    elif kind == "no_headers":
        prod.publish_raw(json.dumps([[{"n": n, "k": kind}], {}, embed]), headers={})
        ledger.poison_anonymous += 1
        return
    elif kind == "no_id":
        hdr = {k: v for k, v in v2.items() if k != "id"}
        prod.publish_raw(json.dumps([[{"n": n, "k": kind}], {}, embed]), headers=hdr)
        ledger.poison_anonymous += 1
        return
    elif kind == "bad_body_shape":
        prod.publish_raw(json.dumps({"ticket": {"n": n}}), headers=v2)
    elif kind == "wrong_types":
        t = make_ticket(f"poison-types-{n}", subject=12345, body=["not", "text"], source="chaos")
        prod.send("triage.ingest", [t], task_id=tid)
        ledger.expected_dead.add(("chaos", t["external_id"]))
        return
    elif kind == "two_mib_body":
        t = make_ticket(f"poison-big-{n}", body="x" * (2 * 1024 * 1024), source="chaos")
        prod.send("triage.ingest", [t], task_id=tid)
        ledger.expected_dead.add(("chaos", t["external_id"]))
        return
    elif kind == "unknown_args":
        prod.app.send_task("triage.ingest", kwargs={"ticket": {}, "priority": "high"}, queue=prod.queue,
                           task_id=tid)
    elif kind == "not_a_list":
        prod.send("triage.ingest_many", [{"source": "chaos", "external_id": "x"}], task_id=tid)
    ledger.poison_ids.add(tid)


def test_one_percent_poison(redis_url: str, chaos_db: str, chaos_env: Any, start_worker: StartWorker) -> None:
    env = chaos_env(redis_url, chaos_db)
    ledger = Ledger(chaos_db, "poison_1_percent", "redis")
    good = tickets(2000, "clean")
    ledger.add(good)
    prod = Producer(redis_url, env["TRIAGE_QUEUE"])
    worker = start_worker(env, concurrency=2)
    wait_for_children(worker, 2)
    # 2,000 tickets in 100 messages and 20 poison messages (1% of the tickets) interleaved.
    for i in range(100):
        prod.send("triage.ingest_many", [good[i * 20:(i + 1) * 20]])
        if i % 5 == 0:
            _send_poison(prod, ledger, POISON_KINDS[(i // 5) % len(POISON_KINDS)], i)
    prod.close()
    ledger.wait(timeout=180, worker=worker)
    rep = ledger.check()
    assert rep.stored == 2000 and rep.poison_sent == 16 and rep.dead == 4
    assert worker.alive(), "poison must never kill the worker"

    eng = create_engine(normalise_url(chaos_db))
    with eng.connect() as c:
        dead = list(c.execute(select(DeadLetter.error_type, DeadLetter.reason, DeadLetter.task_id)).all())
        assert c.scalar(select(Ticket.id).where(Ticket.external_id.like("poison-%"))) is None
    eng.dispose()
    kinds = {d.error_type for d in dead}
    assert {"decode_error", "content_disallowed", "unknown_task", "malformed_message", "validation",
            "bad_envelope"} <= kinds, kinds
    assert all(d.reason for d in dead)
    assert len(dead) == 20


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="rabbitmqctl not installed")
def test_rabbitmq_queue_is_quorum(amqp_url: str, chaos_db: str, chaos_env: Any, start_worker: StartWorker) -> None:
    env = chaos_env(amqp_url, chaos_db)
    worker = start_worker(env, concurrency=1)
    queue = env["TRIAGE_QUEUE"]

    def types() -> dict[str, str]:
        out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name", "type"], capture_output=True,
                             text=True, timeout=60).stdout
        return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)

    deadline = time.monotonic() + 60
    while queue not in types():
        assert time.monotonic() < deadline, worker.log()[-2000:]
        time.sleep(0.5)
    assert types()[queue].strip() == "quorum"


# ---------------------------------------------------------------------------------------------
# crash loops


class CrashingWorker(WorkerProcess):
    def start(self) -> CrashingWorker:
        import subprocess as sp
        import sys
        from pathlib import Path

        script = Path(__file__).with_name("crashing_worker.py")
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = sp.Popen([sys.executable, str(script), "worker", f"--concurrency={self.concurrency}",
                              f"--hostname=crash-{uuid.uuid4().hex[:8]}@%h"],
                             env=self.env, stdout=log, stderr=sp.STDOUT, start_new_session=True)
        log.close()
        return self


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_message_that_kills_its_worker_becomes_a_dead_letter(
    broker: str, request: pytest.FixtureRequest, chaos_db: str, chaos_env: Any, tmp_path: Any
) -> None:
    url = request.getfixturevalue("redis_url" if broker == "redis" else "amqp_url")
    env = chaos_env(url, chaos_db, TRIAGE_MAX_DELIVERIES="3")
    ledger = Ledger(chaos_db, "crash_loop_limit", broker)
    good = tickets(200, f"beside-crash-{broker}")
    crash = make_ticket("crash-me-1", "Withdrawal", "this ticket kills the process triaging it", source="chaos")
    ledger.add(good)
    ledger.expected_dead.add(("chaos", "crash-me-1"))
    worker = CrashingWorker(env, tmp_path / "crashing.log", concurrency=2).start()
    try:
        prod = Producer(url, env["TRIAGE_QUEUE"])
        prod.send("triage.ingest", [crash])
        prod.send_batches(good, batch=20)
        prod.close()
        ledger.wait(timeout=120, worker=worker)
        rep = ledger.check()
        assert rep.dead == 1 and rep.stored == 200
        eng = create_engine(normalise_url(chaos_db))
        with eng.connect() as c:
            d = c.execute(select(DeadLetter).where(DeadLetter.external_id == "crash-me-1")).one()
        eng.dispose()
        assert d.error_type == "crash_loop" and "limit is 3" in d.reason, d.reason
        assert worker.alive()
    finally:
        worker.stop()
