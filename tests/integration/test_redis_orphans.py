"""kombu's Redis transport pops a message (BRPOP) and only then records it as unacknowledged; a
connection lost in between used to lose the message. The guard keeps it and restores it to its queue."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis
from kombu import Connection, Exchange, Queue

from triage import reliability


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    reliability.install_redis_orphan_guard()
    monkeypatch.setattr(reliability, "_redis_orphans", [])


def test_a_message_popped_as_the_connection_drops_is_restored(redis_url: str, guarded: None,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"orphan-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(redis_url) as conn:
        channel: Any = conn.default_channel
        bound = queue(channel)
        bound.declare()
        conn.Producer(serializer="json").publish({"ticket": 1}, exchange=queue.exchange, routing_key=name,
                                                 declare=[queue])
        real = reliability._orig_append

        def drop(*_a: Any, **_k: Any) -> None:
            raise redis.exceptions.ConnectionError("Connection reset by peer")

        monkeypatch.setattr(reliability, "_orig_append", drop)
        with pytest.raises(redis.exceptions.ConnectionError):
            bound.get(no_ack=False)  # popped from the list, then recording it as unacked fails
        assert channel.client.llen(name) == 0  # the message has left the queue …
        assert len(reliability._redis_orphans) == 1  # … and is kept in memory, not lost
        monkeypatch.setattr(reliability, "_orig_append", real)

        assert reliability.restore_redis_orphans(channel) == 1
        assert reliability._redis_orphans == []
        msg = bound.get(no_ack=False)
        assert msg is not None and msg.payload == {"ticket": 1}
        msg.ack()
        bound.delete()


def test_restore_keeps_the_messages_while_redis_is_away(guarded: None) -> None:
    class Away:
        connection_errors = (redis.exceptions.ConnectionError,)

        def conn_or_acquire(self) -> Any:
            raise redis.exceptions.ConnectionError("Error 111 connecting")

    reliability._redis_orphans.append(({"body": "x"}, "ex", "rk"))
    assert reliability.restore_redis_orphans(Away()) == 0
    assert len(reliability._redis_orphans) == 1
