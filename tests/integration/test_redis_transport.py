"""kombu's Redis channel reuses one redis-py client per pool (`triage.redis_transport`) instead of building one
per append, ack and publish; messages still go round, are acknowledged, and a dropped pool gets a new
client."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from kombu import Connection, Exchange, Queue

from triage.redis_transport import install_redis_client_reuse


def test_one_client_per_channel_and_pool(redis_url: str) -> None:
    install_redis_client_reuse()
    with Connection(redis_url) as conn:
        channel: Any = conn.default_channel
        with channel.conn_or_acquire() as a, channel.conn_or_acquire() as b:
            assert a is b
            assert a.connection_pool is channel.pool
        given = redis.Redis(connection_pool=channel.pool)
        with channel.conn_or_acquire(given) as c:
            assert c is given  # an explicit client is used as it is
        old_pool = channel.pool
        channel._pool = None  # what kombu does when it drops its pools
        with channel.conn_or_acquire() as d:
            assert d is not a
            assert d.connection_pool is channel.pool
            assert channel.pool is not old_pool
            assert d.ping()


def test_messages_are_recorded_unacked_and_acknowledged(redis_url: str) -> None:
    install_redis_client_reuse()
    name = f"reuse-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(redis_url) as conn:
        channel: Any = conn.default_channel
        producer = conn.Producer(serializer="json")
        for i in range(20):
            producer.publish({"i": i}, exchange=queue.exchange, routing_key=name, declare=[queue])
        assert channel.client.llen(name) == 20
        got: list[Any] = []
        bound = queue(channel)
        for _ in range(20):
            msg = bound.get(no_ack=False)
            assert msg is not None
            got.append(msg)
        qos = channel.qos
        # every delivered message is recorded as unacknowledged (what the visibility timeout restores) …
        assert channel.client.hlen(qos.unacked_key) >= 20
        tags = {m.delivery_tag for m in got}
        assert tags <= {t.decode() for t in channel.client.hkeys(qos.unacked_key)}
        for m in got:
            m.ack()
        # … and every ack removed its record
        left = {t.decode() for t in channel.client.hkeys(qos.unacked_key)}
        assert not tags & left
        assert sorted(m.payload["i"] for m in got) == list(range(20))


class _Req:
    """What `acknowledge_many` reads of a Celery request: `message`, `acknowledged`, `acknowledge()`."""

    def __init__(self, message: Any) -> None:
        self.message = message
        self.acknowledged = False
        self.alone = 0

    def acknowledge(self) -> None:
        self.alone += 1
        self.message.ack()
        self.acknowledged = True


def _deliver(conn: Any, name: str, n: int) -> tuple[Any, list[Any]]:
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    channel: Any = conn.default_channel
    producer = conn.Producer(serializer="json")
    for i in range(n):
        producer.publish({"i": i}, exchange=queue.exchange, routing_key=name, declare=[queue])
    bound = queue(channel)
    msgs = [bound.get(no_ack=False) for _ in range(n)]
    assert all(m is not None for m in msgs)
    return channel, msgs


def test_acknowledge_many_is_one_transaction_per_channel(redis_url: str, monkeypatch: Any) -> None:
    from triage.redis_transport import acknowledge_many

    install_redis_client_reuse()
    with Connection(redis_url) as conn:
        channel, msgs = _deliver(conn, f"ackmany-{uuid.uuid4().hex[:8]}", 30)
        qos = channel.qos
        tags = {m.delivery_tag for m in msgs}
        assert tags <= {t.decode() for t in channel.client.hkeys(qos.unacked_key)}
        executes: list[int] = []
        real = redis.client.Pipeline.execute

        def counting(self: Any, *a: Any, **k: Any) -> Any:
            executes.append(len(self.command_stack))
            return real(self, *a, **k)

        monkeypatch.setattr(redis.client.Pipeline, "execute", counting)
        reqs = [_Req(m) for m in msgs]
        reqs[0].acknowledged = True  # already acknowledged: left alone
        acknowledge_many(reqs)
        monkeypatch.undo()
        assert executes == [2 * 29]  # one MULTI/EXEC: a zrem and an hdel per message
        assert all(r.acknowledged and r.alone == 0 for r in reqs)
        assert all(m.acknowledged for m in msgs[1:]) and not msgs[0].acknowledged
        left = {t.decode() for t in channel.client.hkeys(qos.unacked_key)}
        assert left & tags == {msgs[0].delivery_tag}
        assert not {m.delivery_tag for m in msgs[1:]} & set(qos._delivered) - qos._dirty  # prefetch slots freed
        msgs[0].ack()


def test_acknowledge_many_falls_back_to_one_by_one_when_the_write_fails(redis_url: str, monkeypatch: Any) -> None:
    from triage.redis_transport import acknowledge_many

    install_redis_client_reuse()
    with Connection(redis_url) as conn:
        channel, msgs = _deliver(conn, f"ackfail-{uuid.uuid4().hex[:8]}", 5)
        real = redis.client.Pipeline.execute
        calls = {"n": 0}

        def fail_first(self: Any, *a: Any, **k: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                raise redis.exceptions.ConnectionError("Connection reset by peer")
            return real(self, *a, **k)

        monkeypatch.setattr(redis.client.Pipeline, "execute", fail_first)
        reqs = [_Req(m) for m in msgs]
        acknowledge_many(reqs)
        assert [r.alone for r in reqs] == [1] * 5  # each took kombu's own ack
        left = {t.decode() for t in channel.client.hkeys(channel.qos.unacked_key)}
        assert not {m.delivery_tag for m in msgs} & left


@pytest.mark.integration
def test_submit_sends_to_the_queue_it_is_given(tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`triage submit --queue NAME` (README "Scaling out": producers pick the queue of a worker pool)."""
    import json

    from triage.cli import main
    from triage.settings import get_settings

    queue = f"triage-pool-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("TRIAGE_BROKER_URL", redis_url)
    get_settings.cache_clear()
    f = tmp_path / "in.jsonl"
    f.write_text("".join(json.dumps({"source": "s", "external_id": str(i), "subject": "a", "body": "b"}) + "\n"
                         for i in range(3)))
    r = redis.Redis.from_url(redis_url)
    try:
        assert main(["submit", str(f), "--single", "--queue", queue]) == 0
        assert f"to queue '{queue}'" in capsys.readouterr().out
        assert r.llen(queue) == 3
        bodies = [json.loads(m) for m in r.lrange(queue, 0, -1)]
        assert {b["headers"]["task"] for b in bodies} == {"triage.ingest"}
    finally:
        r.delete(queue)
        get_settings.cache_clear()
