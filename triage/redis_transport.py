"""kombu's Redis transport, safer and cheaper per message: pop and record in one step, one redis-py client
per channel, acks by the batch.

**Pop and record in one step** (`install_redis_atomic_pop`): kombu takes a message with BRPOP and only then
records it as unacknowledged, so a consumer killed between the two lost it. Here one Lua script does both,
for up to the prefetch credit at a time (see the function).

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

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from time import monotonic, time
from typing import Any

from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from redis.exceptions import NoScriptError, ResponseError

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


# ---------------------------------------------------------------------------------------------
# Atomic pop-and-record

# KEYS[1] unacked hash, KEYS[2] unacked index, KEYS[3] where undecodable envelopes are kept, KEYS[4..]
# the queue keys in kombu's BRPOP order; ARGV[1] how many at most, ARGV[2] the time to index them at.
# Returns a flat list: how many entries were set aside as malformed, then (key position, raw message) for
# each message popped and recorded.
POP_AND_RECORD = """
local most = tonumber(ARGV[1])
local out = {0}
local got = 0
for i = 4, #KEYS do
  while got < most do
    local item = redis.call('RPOP', KEYS[i])
    if not item then break end
    local ok, msg = pcall(cjson.decode, item)
    local props = ok and type(msg) == 'table' and msg['properties'] or nil
    local tag = type(props) == 'table' and props['delivery_tag'] or nil
    local info = type(props) == 'table' and props['delivery_info'] or nil
    if type(tag) ~= 'string' or type(info) ~= 'table' then
      redis.call('LPUSH', KEYS[3], item)
      out[1] = out[1] + 1
    else
      local ex = info['exchange'] or ''
      local rk = info['routing_key'] or ''
      redis.call('ZADD', KEYS[2], ARGV[2], tag)
      redis.call('HSET', KEYS[1], tag, '[' .. item .. ',' .. cjson.encode(ex) .. ',' .. cjson.encode(rk) .. ']')
      out[#out + 1] = i - 4
      out[#out + 1] = item
      got = got + 1
    end
  end
end
return out
"""
POP_AND_RECORD_SHA = hashlib.sha1(POP_AND_RECORD.encode()).hexdigest()
MALFORMED_KEY = "triage.malformed_envelopes"  # raw broker entries that are not kombu messages, kept
MAX_POP = 100  # messages one pop may take (also bounded by the channel's prefetch credit)

_recorded: set[str] = set()  # delivery tags the pop already recorded as unacknowledged
_atomic_installed = False


def install_redis_atomic_pop() -> None:
    """Make kombu's Redis consumer take messages off a queue and record them as unacknowledged in one
    step (a Lua script), up to the channel's prefetch credit at a time. Idempotent.

    kombu pops a message with BRPOP and only then records it (MULTI/EXEC): a consumer killed between the
    two loses that message, which is then neither queued nor unacknowledged. Here the wait for work is
    `BLMOVE key key RIGHT RIGHT` (it returns the oldest message and leaves the list as it was), and the
    taking is `POP_AND_RECORD`: RPOP, ZADD to the unacked index and HSET of kombu's own unacked record
    (`[message, exchange, routing_key]`), atomically, for as many messages as the prefetch credit allows.
    kombu's visibility-timeout restore, acks and rejects then work unchanged. While a pop comes back full,
    the next one is sent at once (no wait); one that comes back short makes the next poll a wait again.

    Falls back to kombu's own BRPOP per channel when the server has no BLMOVE (Redis < 6.2), a global
    key prefix is configured, or a consumer is no-ack. An entry that is not a kombu message (not JSON,
    no delivery tag) is moved to the list `triage.malformed_envelopes` instead of being lost or
    stopping the consumer. While the worker waits on an empty queue, only the first queue's default
    priority level blocks; other keys are looked at by each pop, so a message there waits at most
    `brpop_timeout` (1 s) when everything else is idle.
    """
    global _atomic_installed
    if _atomic_installed:
        return
    from kombu.transport import redis as kredis
    from kombu.transport import virtual

    stock_start = kredis.Channel._brpop_start
    stock_read = kredis.Channel._brpop_read
    prev_append = kredis.QoS.append

    def eligible(self: Any) -> bool:
        return (
            self.__dict__.get("_triage_atomic", True)
            and not self.global_keyprefix
            and not self.no_ack_consumers
        )

    def brpop_start(self: Any, timeout: Any = None) -> Any:
        if not eligible(self):
            self.__dict__["_triage_mode"] = None
            return stock_start(self, timeout)
        if timeout is None:
            timeout = self.brpop_timeout
        queues = self._queue_cycle.consume(len(self.active_queues))
        if not queues:
            return None
        keys = [self._q_for_pri(queue, pri) for pri in self.priority_steps for queue in queues]
        conn = self.client.connection
        self._in_poll = conn
        self._brpop_sent_at = monotonic()
        if self.__dict__.get("_triage_hot"):
            most = _credit(self.qos)
            self.__dict__["_triage_mode"] = ("pop", keys, queues, most)
            conn.send_command(
                "EVALSHA", POP_AND_RECORD_SHA, 3 + len(keys), self.unacked_key, self.unacked_index_key,
                MALFORMED_KEY, *keys, most, time(),
            )
        else:
            self.__dict__["_triage_mode"] = ("wait", keys, queues, 0)
            conn.send_command("BLMOVE", keys[0], keys[0], "RIGHT", "RIGHT", timeout or 0)
        return None

    def brpop_read(self: Any, **options: Any) -> Any:
        mode = self.__dict__.get("_triage_mode")
        if mode is None:
            return stock_read(self, **options)
        kind, keys, queues, most = mode
        self.__dict__["_triage_mode"] = None
        try:
            try:
                reply = self.client.parse_response(
                    self.client.connection, "EVALSHA" if kind == "pop" else "BLMOVE", **options
                )
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            except ResponseError as exc:
                text = str(exc)
                if isinstance(exc, NoScriptError):  # Redis restarted (or SCRIPT FLUSH): load it, poll again
                    with self.conn_or_acquire() as client:
                        client.script_load(POP_AND_RECORD)
                elif "unknown command" in text.lower():
                    self.__dict__["_triage_atomic"] = False
                    _log().warning("redis_atomic_pop_unavailable", reason=text)
                else:
                    raise
                raise kredis.Empty() from None
        finally:
            self._in_poll = None
            flush = getattr(self, "_flush_brpop_reauth", None)
            if flush is not None:
                flush()
        if kind == "wait":
            if reply is None:
                # The wait watches one key: the next poll pops from every key (other queues, priority
                # levels) before it waits again.
                self.__dict__["_triage_hot"] = True
                raise kredis.Empty()
            most = _credit(self.qos)
            with self.conn_or_acquire() as client:
                try:
                    reply = client.evalsha(
                        POP_AND_RECORD_SHA, 3 + len(keys), self.unacked_key, self.unacked_index_key,
                        MALFORMED_KEY, *keys, most, time(),
                    )
                except NoScriptError:
                    reply = client.eval(
                        POP_AND_RECORD, 3 + len(keys), self.unacked_key, self.unacked_index_key,
                        MALFORMED_KEY, *keys, most, time(),
                    )
        if reply[0]:
            _log().error("redis_malformed_envelopes_kept", count=int(reply[0]), key=MALFORMED_KEY)
        got = (len(reply) - 1) // 2
        self.__dict__["_triage_hot"] = got >= most  # a full pop: more may be waiting, pop again at once
        if not got:
            raise kredis.Empty()
        nq = len(queues)
        items = [(queues[int(reply[k]) % nq], reply[k + 1]) for k in range(1, len(reply), 2)]
        deliver = self.connection._deliver
        for n, (queue, item) in enumerate(items):
            payload = loads(bytes_to_str(item))
            tag = payload["properties"]["delivery_tag"]
            _recorded.add(tag)
            try:
                deliver(payload, queue)
            except BaseException:
                # Nothing is lost: this message stays recorded as unacknowledged (the visibility timeout
                # brings it back) and the rest, not yet handed over, go back to their queues now.
                _recorded.discard(tag)
                _restore_undelivered(self, items[n + 1 :])
                raise
        self._queue_cycle.rotate(items[-1][0])
        return True

    def append(self: Any, message: Any, delivery_tag: Any) -> Any:
        if delivery_tag in _recorded:
            _recorded.discard(delivery_tag)
            return virtual.QoS.append(self, message, delivery_tag)  # kombu's in-memory bookkeeping only
        return prev_append(self, message, delivery_tag)

    kredis.Channel._brpop_start = brpop_start  # type: ignore[method-assign]
    kredis.Channel._brpop_read = brpop_read  # type: ignore[method-assign]
    kredis.QoS.append = append  # type: ignore[method-assign]
    _atomic_installed = True


def _credit(qos: Any) -> int:
    most = qos.can_consume_max_estimate()
    return max(1, min(MAX_POP, most if most else MAX_POP))


def _log() -> Any:
    from triage.logging import get_logger

    return get_logger("triage.redis_transport")


def _restore_undelivered(channel: Any, items: list[tuple[str, bytes]]) -> None:
    """Put popped, recorded, never-delivered messages back at the consuming end, in their order."""
    for _queue, item in reversed(items):
        tag = loads(bytes_to_str(item))["properties"]["delivery_tag"]
        with suppress(Exception):  # if this fails it is still recorded: the visibility timeout brings it back
            channel.qos.restore_by_tag(tag, leftmost=False)
