"""One redis-py client per kombu Redis channel instead of one per operation.

kombu's Redis transport builds a new `redis.Redis(connection_pool=pool)` for every synchronous operation
(`Channel.conn_or_acquire()` without a client): recording a delivered message as unacknowledged, each
acknowledgement, each publish. Constructing a client rebuilds redis-py's ~165-entry response-callback
table (redis/redis-py#3624), ≈ 95 µs of CPU on this machine; a worker pays it twice per message
(append + ack) and a producer once per publish, more than the Redis round trips themselves.

A `Redis` object holds no connection of its own when given a pool (each command takes a connection from
the pool and gives it back), so one client per channel *and pool* behaves exactly like a fresh one per
call. The client is rebuilt when kombu replaces the channel's pool (it drops its pools on a connection
error), so a reconnect never reuses a client bound to a dead pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_installed = False


def install_redis_client_reuse() -> None:
    """Patch `kombu.transport.redis.Channel.conn_or_acquire` to reuse a client per channel. Idempotent."""
    global _installed
    if _installed:
        return
    from kombu.transport import redis as kredis

    @contextmanager
    def conn_or_acquire(self: Any, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool  # created on first use; kombu sets `_pool = None` when it drops it
        cached = self.__dict__.get("_triage_client")
        if cached is None or cached[0] is not pool:
            cached = (pool, self._create_client())
            self.__dict__["_triage_client"] = cached
        yield cached[1]

    kredis.Channel.conn_or_acquire = conn_or_acquire  # type: ignore[method-assign]
    _installed = True
