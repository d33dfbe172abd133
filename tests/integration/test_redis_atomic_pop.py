"""On Redis, taking a message off the queue and recording it as unacknowledged is one step
(`triage.redis_transport.install_redis_atomic_pop`): a consumer killed at any instant leaves every message
either queued or recorded, and kombu's visibility-timeout restore brings the recorded ones back.

Real Redis, real kombu consumers; the crash tests run the consumer in a subprocess that dies with
`os._exit` at the worst moment — right after the pop, before the message reaches any callback — once with
kombu's own BRPOP (which loses that message: the test shows the gap is real) and once with the atomic pop.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from kombu import Connection, Consumer, Exchange, Queue

from triage.redis_transport import MALFORMED_KEY, install_redis_atomic_pop, install_redis_client_reuse

ROOT = Path(__file__).resolve().parents[2]


def _queue(name: str) -> Queue:
    return Queue(name, Exchange(name, type="direct"), routing_key=name)


def _publish(url: str, queue: Queue, n: int, **kw: Any) -> None:
    with Connection(url) as conn:
        producer = conn.Producer(serializer="json")
        for i in range(n):
            producer.publish({"i": i}, exchange=queue.exchange, routing_key=queue.routing_key,
                             declare=[queue], **kw)


def _drain_until(conn: Any, done: Any, timeout: float = 10) -> None:
    """Drain the connection's events until `done()` or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            conn.drain_events(timeout=1)


def _atomic_client(redis_url: str) -> Any:
    """The atomic pop installed; a Redis client to look at the keys with."""
    install_redis_atomic_pop()
    return redis.Redis.from_url(redis_url)


def _fresh_malformed(redis_url: str) -> Any:
    """The atomic pop installed, an empty malformed list; the Redis client."""
    r = _atomic_client(redis_url)
    r.delete(MALFORMED_KEY)
    return r


def _queued(redis_url: str, prefix: str, n: int) -> tuple[str, Queue]:
    """A queue of a fresh name holding `n` published messages ({"i": 0..n-1})."""
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    q = _queue(name)
    _publish(redis_url, q, n)
    return name, q


def _consume(url: str, queue: Queue, want: int, prefetch: int, on: Any = None, timeout: float = 15) -> list[Any]:
    got: list[Any] = []

    def cb(body: Any, msg: Any) -> None:
        got.append((body, msg))
        if on is not None:
            on(body, msg)
        msg.ack()

    with Connection(url) as conn:
        ch = conn.channel()
        ch.basic_qos(0, prefetch, False)
        with Consumer(ch, [queue], callbacks=[cb], accept=["json"]):
            _drain_until(conn, lambda: len(got) >= want, timeout)
    return got


def test_each_message_is_recorded_before_delivery_in_order_and_by_the_prefetch_credit(redis_url: str) -> None:
    install_redis_client_reuse()
    r = _atomic_client(redis_url)
    name, q = _queued(redis_url, "atomic-", 50)
    seen: list[tuple[int, bool, int]] = []

    def look(body: Any, msg: Any) -> None:
        seen.append((body["i"], bool(r.hexists("unacked", msg.delivery_tag)), int(r.llen(name))))

    got = _consume(redis_url, q, 50, prefetch=10, on=look)
    assert [b["i"] for b, _ in got] == list(range(50))  # FIFO, as kombu's BRPOP
    assert all(recorded for _, recorded, _ in seen)  # recorded as unacked before any callback ran
    # one pop took the whole credit (10), not one message: 40 were left when the first arrived
    assert seen[0][2] == 40
    assert r.llen(name) == 0
    tags = {m.delivery_tag for _, m in got}
    assert not tags & {t.decode() for t in r.hkeys("unacked")}  # every ack removed its record
    assert not tags & {t.decode() for t in r.zrange("unacked_index", 0, -1)}


def test_priority_levels_and_a_waiting_consumer(redis_url: str) -> None:
    """A message on another priority level than the one the idle wait watches is still taken."""
    install_redis_atomic_pop()
    name = f"atomic-pri-{uuid.uuid4().hex[:8]}"
    q = Queue(name, Exchange(name, type="direct"), routing_key=name, max_priority=9)
    got: list[Any] = []
    with Connection(redis_url) as conn:
        ch = conn.channel()
        ch.basic_qos(0, 10, False)
        with Consumer(ch, [q], callbacks=[lambda body, msg: (got.append(body["i"]), msg.ack())], accept=["json"]):
            t0 = time.monotonic()
            with contextlib.suppress(TimeoutError):
                conn.drain_events(timeout=1.5)  # idles in the wait
            _publish(redis_url, q, 3, priority=9)
            _publish(redis_url, q, 2)
            _drain_until(conn, lambda: len(got) >= 5)
    assert sorted(got) == [0, 0, 1, 1, 2]
    assert time.monotonic() - t0 < 10


def test_malformed_entries_are_kept_aside_and_consumption_goes_on(redis_url: str) -> None:
    r = _fresh_malformed(redis_url)
    name, q = _queued(redis_url, "atomic-bad-", 3)
    r.lpush(name, b"not json at all", json.dumps({"no": "properties"}))
    _publish(redis_url, q, 3)
    got = _consume(redis_url, q, 6, prefetch=20)
    assert sorted(b["i"] for b, _ in got) == [0, 0, 1, 1, 2, 2]
    kept = r.lrange(MALFORMED_KEY, 0, -1)
    assert sorted(kept) == sorted([b"not json at all", json.dumps({"no": "properties"}).encode()])
    r.delete(MALFORMED_KEY)


def test_a_flushed_script_cache_is_reloaded(redis_url: str) -> None:
    """After a Redis restart (or SCRIPT FLUSH) the next pop loads the script again; nothing is skipped."""
    r = _atomic_client(redis_url)
    _name, q = _queued(redis_url, "atomic-flush-", 40)

    def flush(body: Any, _msg: Any) -> None:
        if body["i"] in (3, 17, 30):
            r.script_flush()

    got = _consume(redis_url, q, 40, prefetch=4, on=flush)
    assert [b["i"] for b, _ in got] == list(range(40))


_CRASHER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    from kombu import Connection, Consumer, Exchange, Queue
    from kombu.transport import virtual
    if {atomic!r}:
        from triage.redis_transport import install_redis_atomic_pop
        install_redis_atomic_pop()
    def die(self, message, queue):  # the instant after the pop, before any bookkeeping of the consumer
        os._exit(9)
    virtual.Transport._deliver = die
    q = Queue({name!r}, Exchange({name!r}, type="direct"), routing_key={name!r})
    with Connection({url!r}) as conn:
        ch = conn.channel()
        ch.basic_qos(0, 5, False)
        with Consumer(ch, [q], callbacks=[lambda b, m: None], accept=["json"]):
            for _ in range(20):
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
    os._exit(3)  # never reached when a message arrived
    """
)


def _crash_after_pop(redis_url: str, atomic: bool) -> tuple[str, Any]:
    name, q = _queued(redis_url, "atomic-crash-", 10)
    code = _CRASHER.format(root=str(ROOT), atomic=atomic, name=name, url=redis_url)
    proc = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 9, proc.stderr[-2000:]
    return name, q


def _number(raw_message: dict[str, Any]) -> int:
    """The `i` of one of our test messages, from kombu's raw Redis form (base64 body)."""
    return int(json.loads(base64.b64decode(raw_message["body"]))["i"])


def _recorded_for(r: Any, name: str) -> list[Any]:
    out = []
    for raw in r.hvals("unacked"):
        msg, _ex, rk = json.loads(raw)
        if rk == name:
            out.append(msg)
    return out


def test_killed_right_after_the_pop_loses_nothing_and_the_restore_brings_it_back(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url)
    name, q = _crash_after_pop(redis_url, atomic=True)
    queued = r.llen(name)
    recorded = _recorded_for(r, name)
    assert queued + len(recorded) == 10, (queued, len(recorded))
    assert len(recorded) == 5  # the whole prefetch credit was taken and recorded in the one step
    # kombu's own visibility-timeout restore (what any surviving worker runs) puts them back
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as conn:
        ch: Any = conn.default_channel
        ch.qos.restore_visible(num=100, interval=1)
    assert not _recorded_for(r, name)
    got = _consume(redis_url, q, 10, prefetch=10)
    assert sorted(b["i"] for b, _ in got) == list(range(10))
    assert sum(1 for _, m in got if m.delivery_info.get("redelivered")) == 5


def test_kombus_own_brpop_loses_the_message_popped_at_that_instant(redis_url: str) -> None:
    """The gap the atomic pop closes is real: the same crash with kombu's BRPOP loses one message."""
    r = redis.Redis.from_url(redis_url)
    name, _q = _crash_after_pop(redis_url, atomic=False)
    assert r.llen(name) + len(_recorded_for(r, name)) == 9
    r.delete(name)


def test_a_consumer_that_fails_mid_pop_hands_the_rest_back(redis_url: str) -> None:
    """A pop took five messages; the callback of the third raises. The third stays recorded (the visibility
    timeout brings it back), the fourth and fifth go straight back to the head of the queue, in order."""
    r = _atomic_client(redis_url)
    name, q = _queued(redis_url, "atomic-fail-", 8)
    got: list[int] = []

    def cb(body: Any, msg: Any) -> None:
        if body["i"] == 2:
            raise RuntimeError("boom")
        got.append(body["i"])
        msg.ack()

    with Connection(redis_url) as conn:
        ch = conn.channel()
        ch.basic_qos(0, 5, False)
        with Consumer(ch, [q], callbacks=[cb], accept=["json"]):
            raised = False
            for _ in range(5):
                try:
                    conn.drain_events(timeout=1)
                except RuntimeError:
                    raised = True
                    break
                except TimeoutError:
                    pass
            assert raised
            assert got == [0, 1]
            assert [_number(m) for m in _recorded_for(r, name)] == [2]
            # 3 and 4 are back where the next pop takes them first, then 5..7
            left = [_number(json.loads(x)) for x in reversed(r.lrange(name, 0, -1))]
            assert left == [3, 4, 5, 6, 7]
    r.delete(name)


def _raw_envelope(name: str, i: int, *, exchange: str = "", tag: str | None = None) -> str:
    """A kombu Redis envelope as kombu writes it (body base64 JSON), to push by hand."""
    body = base64.b64encode(json.dumps({"i": i}).encode()).decode()
    return json.dumps({
        "body": body, "content-encoding": "utf-8", "content-type": "application/json", "headers": {},
        "properties": {"body_encoding": "base64", "delivery_tag": tag or uuid.uuid4().hex, "delivery_mode": 2,
                       "priority": 0, "delivery_info": {"exchange": exchange or name, "routing_key": name}},
    })


def test_no_ack_consumers_are_not_recorded(redis_url: str) -> None:
    """kombu's Redis channel keeps no list of no-ack consumers; the pop must not record their messages
    (nobody would ever acknowledge them: they would come back after every visibility timeout)."""
    r = _atomic_client(redis_url)
    name, q = _queued(redis_url, "atomic-noack-", 3)
    got: list[int] = []
    with Connection(redis_url) as conn:
        ch = conn.channel()
        with Consumer(ch, [q], callbacks=[lambda body, _m: got.append(body["i"])], accept=["json"], no_ack=True):
            _drain_until(conn, lambda: len(got) >= 3)
            assert sorted(got) == [0, 1, 2]
            assert not _recorded_for(r, name)
    assert not _recorded_for(r, name)


def test_entries_redis_reads_and_python_does_not_are_set_aside_not_stuck(redis_url: str) -> None:
    """Redis's cjson accepts hex numbers and NaN that Python's json refuses: such an entry is moved to the
    malformed list with no unacked record left behind (kombu's restore would fail on it at every pass);
    an exchange that is not a string never gets as far as a record."""
    r = _fresh_malformed(redis_url)
    name, q = _queued(redis_url, "atomic-cj-", 2)
    hexed = _raw_envelope(name, 90, tag="hex-tag").replace('"delivery_mode": 2', '"delivery_mode": 0x2')
    nan_exchange = _raw_envelope(name, 91).replace(f'"exchange": "{name}"', '"exchange": NaN')
    r.lpush(name, hexed, nan_exchange)
    _publish(redis_url, q, 2)
    got = _consume(redis_url, q, 4, prefetch=10)
    assert sorted(b["i"] for b, _ in got) == [0, 0, 1, 1]
    assert sorted(r.lrange(MALFORMED_KEY, 0, -1)) == sorted([hexed.encode(), nan_exchange.encode()])
    assert not r.hexists("unacked", "hex-tag") and r.zscore("unacked_index", "hex-tag") is None
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=1000, interval=1)  # must not raise
    r.delete(MALFORMED_KEY)


def test_closing_while_a_wait_is_answered_takes_nothing(redis_url: str) -> None:
    """Celery cancels and then closes; kombu's close reads the pending reply. A wait answered then takes
    nothing: the queue keeps every message in its order, and nothing is left recorded."""
    install_redis_atomic_pop()
    r = redis.Redis.from_url(redis_url)
    name = f"atomic-close-{uuid.uuid4().hex[:8]}"
    q = _queue(name)
    with Connection(redis_url) as conn:
        q(conn.default_channel).declare()
        ch = conn.channel()
        ch.basic_qos(0, 10, False)
        consumer = Consumer(ch, [q], callbacks=[lambda _b, m: m.ack()], accept=["json"])
        consumer.consume()
        for _ in range(3):  # idle: the channel ends up waiting on the queue
            with contextlib.suppress(TimeoutError):
                conn.drain_events(timeout=0.3)
        _publish(redis_url, q, 20)  # answers the pending wait
        time.sleep(0.2)
        consumer.cancel()
        ch.close()
    assert [_number(json.loads(x)) for x in reversed(r.lrange(name, 0, -1))] == list(range(20))
    assert not _recorded_for(r, name)
    r.delete(name)


def test_an_unreadable_unacked_record_is_set_aside_not_fatal(redis_url: str) -> None:
    """kombu's restore reads every expired unacked record with `json.loads`; one it cannot read (written by
    anything: an old consumer, another tool) made every pass raise, and the first pass runs as a worker
    starts — the worker never consumed. It is moved to the malformed list; the readable ones are restored."""
    r = _fresh_malformed(redis_url)
    name = f"atomic-rec-{uuid.uuid4().hex[:8]}"
    q = _queue(name)
    q(Connection(redis_url).default_channel).declare()
    good = _raw_envelope(name, 5, tag="good-tag")
    bad = "[" + _raw_envelope(name, 6, tag="bad-tag").replace('"delivery_mode": 2', '"delivery_mode": 0x2') + \
        f', "{name}", "{name}"]'
    r.hset("unacked", mapping={"good-tag": f'[{good}, "{name}", "{name}"]', "bad-tag": bad})
    r.zadd("unacked_index", {"good-tag": 1.0, "bad-tag": 1.0})  # long expired
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=1000, interval=1)  # must not raise
    assert not r.hexists("unacked", "bad-tag") and r.zscore("unacked_index", "bad-tag") is None
    assert r.lrange(MALFORMED_KEY, 0, -1) == [bad.encode()]
    assert [_number(json.loads(x)) for x in r.lrange(name, 0, -1)] == [5]
    r.delete(MALFORMED_KEY, name)
