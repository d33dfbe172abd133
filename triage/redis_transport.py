"""kombu's Redis transport, cheaper per message: one redis-py client per channel, acks by the batch.

**One client per channel.** kombu's Redis transport builds a new `redis.Redis(connection_pool=pool)`
for every synchronous operation (`Channel.conn_or_acquire()` without a client): recording a delivered
message as unacknowledged, each acknowledgement, each publish. Constructing a client rebuilds
redis-py's ~165-entry response-callback table (redis/redis-py#3624), ≈ 95 µs of CPU on this machine;
a worker pays it twice per message (append + ack) and a producer once per publish.

A `Redis` object holds no connection of its own when given a pool (each command takes a connection from
the pool and gives it back), so one client per channel *and pool* behaves exactly like a fresh one per
call. The client is rebuilt when kombu replaces the channel's pool (it drops its pools on a connection
error), so a reconnect never reuses a client bound to a dead pool.

**Acks by the batch.** kombu acknowledges a Redis message with its own MULTI/EXEC (remove it from the
unacked index and hash): one round trip per message, a third of what the worker's main process spends on
a single-ticket message. `acknowledge_many` sends the same commands for a whole flushed batch in one
MULTI/EXEC per channel, then does kombu's own bookkeeping for each message. A failed write leaves the
messages unacknowledged, as a failed kombu ack does: they come back after the visibility timeout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def acknowledge_many(requests: Iterable[Any]) -> None:
    """Acknowledge Celery requests; those on a kombu Redis channel share one MULTI/EXEC per channel.

    Any other request (another transport, a no-ack consumer, one already acknowledged) takes its own
    `acknowledge()`. If the batched write fails, each remaining request falls back to `acknowledge()`,
    which logs and leaves the message to the visibility timeout exactly as before.
    """
    from kombu.transport import redis as kredis
    from kombu.transport import virtual

    by_qos: dict[int, tuple[Any, list[Any]]] = {}
    alone: list[Any] = []
    for req in requests:
        if req.acknowledged:
            continue
        msg: Any = getattr(req, "message", None)
        channel = getattr(msg, "channel", None)
        qos = getattr(channel, "qos", None)
        no_ack = getattr(channel, "no_ack_consumers", None)
        if (
            msg is None
            or not isinstance(qos, kredis.QoS)
            or msg.acknowledged
            or (no_ack and msg.delivery_info.get("consumer_tag") in no_ack)
        ):
            alone.append(req)
            continue
        by_qos.setdefault(id(qos), (qos, []))[1].append(req)
    for qos, reqs in by_qos.values():
        try:
            with qos.channel.conn_or_acquire() as client:
                pipe = client.pipeline()
                for req in reqs:
                    qos._remove_from_indices(req.message.delivery_tag, pipe)
                pipe.execute()
        except Exception:  # the per-message path logs it and keeps the message unacked
            alone.extend(reqs)
            continue
        for req in reqs:
            virtual.QoS.ack(qos, req.message.delivery_tag)  # kombu's own: frees the prefetch slot
            req.message._state = "ACK"
            req.acknowledged = True
    for req in alone:
        req.acknowledge()
