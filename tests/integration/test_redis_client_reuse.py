"""kombu's Redis channel reuses one redis-py client per pool (`triage.redisreuse`) instead of building one
per append, ack and publish; messages still go round, are acknowledged, and a dropped pool gets a new
client."""

from __future__ import annotations

import uuid
from typing import Any

import redis
from kombu import Connection, Exchange, Queue

from triage.redisreuse import install_redis_client_reuse


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
