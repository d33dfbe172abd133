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

# KEYS[1] unacked hash, KEYS[2] unacked index, KEYS[3] where entries that are not kombu messages are kept,
# KEYS[4..] the queue keys in kombu's BRPOP order; ARGV[1] how many at most, ARGV[2] the time to index them
# at. Returns a flat list: how many entries were set aside as malformed, then (key position, delivery tag,
# raw message) for each message popped and recorded. Nothing is popped that cannot be recorded: the key
# types are checked first, and an entry is only recorded once everything written about it is known to
# encode (a script that fails half-way is not rolled back by Redis).
POP_AND_RECORD = """
for k = 1, 3 do
  local t = redis.call('TYPE', KEYS[k])['ok']
  local want = (k == 1 and 'hash') or (k == 2 and 'zset') or 'list'
  if t ~= want and t ~= 'none' then
    return redis.error_reply('WRONGTYPE triage atomic pop: ' .. KEYS[k] .. ' is a ' .. t)
  end
end
local function record_of(item)
  local ok, msg = pcall(cjson.decode, item)
  if not ok or type(msg) ~= 'table' or type(msg['properties']) ~= 'table' then return nil end
  local props = msg['properties']
  local tag, info = props['delivery_tag'], props['delivery_info']
  if type(tag) == 'number' and tag == math.floor(tag) and math.abs(tag) < 9007199254740992 then
    tag = string.format('%d', tag)
  end
  if type(tag) ~= 'string' or tag == '' or type(info) ~= 'table' then return nil end
  local ex, rk = info['exchange'], info['routing_key']
  if ex == nil then ex = '' end
  if rk == nil then rk = '' end
  if (type(ex) ~= 'string' and ex ~= cjson.null) or (type(rk) ~= 'string' and rk ~= cjson.null) then return nil end
  local ok1, exj = pcall(cjson.encode, ex)
  local ok2, rkj = pcall(cjson.encode, rk)
  if not ok1 or not ok2 then return nil end
  return tag, '[' .. item .. ',' .. exj .. ',' .. rkj .. ']'
end
local most = tonumber(ARGV[1])
local out = {0}
local got = 0
for i = 4, #KEYS do
  while got < most do
    local item = redis.call('RPOP', KEYS[i])
    if not item then break end
    local tag, rec = record_of(item)
    if tag then
      redis.call('ZADD', KEYS[2], ARGV[2], tag)
      redis.call('HSET', KEYS[1], tag, rec)
      out[#out + 1] = i - 4
      out[#out + 1] = tag
      out[#out + 1] = item
      got = got + 1
    else
      redis.call('LPUSH', KEYS[3], item)
      out[1] = out[1] + 1
    end
  end
end
return out
"""
POP_AND_RECORD_SHA = hashlib.sha1(POP_AND_RECORD.encode()).hexdigest()
MALFORMED_KEY = "triage.malformed_envelopes"  # raw broker entries that are not kombu messages, kept
MAX_POP = 100  # messages one pop may take (also bounded by the channel's prefetch credit)

_recorded: set[Any] = set()  # delivery tags the pop already recorded as unacknowledged
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

    This is the consuming path (`basic_consume`, what Celery's worker uses); a synchronous `basic_get`
    (`Queue.get`) keeps kombu's RPOP-then-record. A channel falls back to kombu's own BRPOP when it has a
    no-ack consumer (kombu's Redis channels do not track them, so `basic_consume` is wrapped to), a global
    key prefix is configured, or the server refuses the commands (no BLMOVE before Redis 6.2, scripting
    disabled, an ACL): logged once as `redis_atomic_pop_unavailable`. An entry that is not a kombu message
    (not JSON to Redis's or to Python's parser, no delivery tag, an exchange that is not a string) is moved
    to the list `triage.malformed_envelopes` and logged, instead of being lost or stopping the consumer; so
    is an unacked record kombu's restore cannot read (whatever wrote it), which would otherwise make every
    restore pass — the first one runs as the worker starts — raise, and the worker never consume.

    Waiting: only the first queue's default priority level blocks; other keys are looked at by each pop,
    so a message there waits at most `brpop_timeout` (1 s; a timeout of 0 is read as 1) while everything
    else is idle. A wait that returns (work, or its timeout) is followed at once by a pop on the same
    connection. Each idle consumer on a key wakes for a new message (BLMOVE takes nothing) and one pop
    wins: one wasted round trip per idle consumer, none while they are busy. On close, nothing more is
    taken, and a pop whose reply arrives then is handed back at once.
    """
    global _atomic_installed
    if _atomic_installed:
        return
    from kombu.transport import redis as kredis
    from kombu.transport import virtual

    stock_start = kredis.Channel._brpop_start
    stock_read = kredis.Channel._brpop_read
    stock_consume = kredis.Channel.basic_consume
    stock_cancel = kredis.Channel.basic_cancel
    prev_append = kredis.QoS.append

    def eligible(self: Any) -> bool:
        return (
            self.__dict__.get("_triage_atomic", True)
            and not self.global_keyprefix
            and not self.__dict__.get("_triage_noack")
        )

    def unavailable(self: Any, reason: str) -> None:
        self.__dict__["_triage_atomic"] = False
        _log().warning("redis_atomic_pop_unavailable", reason=reason[:300])

    def basic_consume(self: Any, queue: Any, *args: Any, **kwargs: Any) -> Any:
        no_ack = args[0] if args else kwargs.get("no_ack", False)
        tag = args[2] if len(args) > 2 else kwargs.get("consumer_tag")
        if no_ack:  # kombu's Redis channel does not record these (`no_ack_consumers` is None there)
            self.__dict__.setdefault("_triage_noack", {})[tag] = queue
        return stock_consume(self, queue, *args, **kwargs)

    def basic_cancel(self: Any, consumer_tag: Any) -> Any:
        self.__dict__.get("_triage_noack", {}).pop(consumer_tag, None)
        return stock_cancel(self, consumer_tag)

    def script_args(self: Any, keys: list[str], most: int) -> list[Any]:
        return [POP_AND_RECORD_SHA, 3 + len(keys), self.unacked_key, self.unacked_index_key, MALFORMED_KEY,
                *keys, most, time()]

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
        most = _credit(self.qos) if self.__dict__.get("_triage_hot") else 0
        if most:
            self.__dict__["_triage_mode"] = ("pop", keys, queues, most)
            conn.send_command("EVALSHA", *script_args(self, keys, most))
        else:
            self.__dict__["_triage_mode"] = ("wait", keys, queues, 0)
            conn.send_command("BLMOVE", keys[0], keys[0], "RIGHT", "RIGHT", timeout or 1)
        return None

    def brpop_read(self: Any, **options: Any) -> Any:
        mode = self.__dict__.get("_triage_mode")
        if mode is None:
            return stock_read(self, **options)
        kind, _keys, queues, most = mode
        self.__dict__["_triage_mode"] = None
        try:
            try:
                reply = self.client.parse_response(
                    self.client.connection, "EVALSHA" if kind == "pop" else "BLMOVE", **options
                )
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            except NoScriptError:  # Redis restarted (or SCRIPT FLUSH): load it and poll again
                with self.conn_or_acquire() as client:
                    client.script_load(POP_AND_RECORD)
                raise kredis.Empty() from None
            except ResponseError as exc:  # nothing was taken: the script checks before it pops
                unavailable(self, str(exc))
                raise kredis.Empty() from None
        finally:
            self._in_poll = None
            flush = getattr(self, "_flush_brpop_reauth", None)
            if flush is not None:
                flush()
        closing = getattr(self, "_closing", False)
        if kind == "wait":
            # Work arrived, or the wait timed out (it watched one key: other queues and priority levels
            # are looked at by a pop). Either way the next poll is a pop, sent at once on this same
            # connection — not a synchronous call through the pool, whose client retries a command whose
            # reply was lost and would then take a second batch, stranding the first until the
            # visibility timeout. Closing: nothing more is taken.
            self.__dict__["_triage_hot"] = not closing
            raise kredis.Empty()
        if reply[0]:
            _log().error("redis_malformed_envelopes_kept", count=int(reply[0]), key=MALFORMED_KEY)
        got = (len(reply) - 1) // 3
        self.__dict__["_triage_hot"] = got >= most  # a full pop: more may be waiting, pop again at once
        nq = len(queues)
        items = [(queues[int(reply[k]) % nq], bytes_to_str(reply[k + 1]), reply[k + 2])
                 for k in range(1, len(reply), 3)]
        if closing:  # taken as the channel closes: straight back to the consuming end
            _restore_undelivered(self, items)
            items = []
        if not items:
            raise kredis.Empty()
        deliver = self.connection._deliver
        for n, (queue, tag, item) in enumerate(items):
            try:
                payload = loads(bytes_to_str(item))
                payload["properties"]["delivery_tag"]
            except Exception as exc:  # Redis's JSON parser accepts what Python's refuses (NaN, hex, 01...)
                _set_aside(self, tag, item, exc)
                continue
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

    stock_restore_by_tag = kredis.QoS.restore_by_tag

    def restore_by_tag(self: Any, tag: Any, client: Any = None, leftmost: bool = False) -> Any:
        try:
            return stock_restore_by_tag(self, tag, client, leftmost)
        except ValueError as exc:  # an unacked record kombu cannot read (JSON); it would fail at every pass
            with self.channel.conn_or_acquire(client) as c:
                raw = c.hget(self.unacked_key, tag)
            if raw is None:
                raise
            _set_aside(self.channel, tag, raw, exc)
            return None

    kredis.QoS.restore_by_tag = restore_by_tag  # type: ignore[method-assign]
    kredis.Channel._brpop_start = brpop_start  # type: ignore[method-assign]
    kredis.Channel._brpop_read = brpop_read  # type: ignore[method-assign]
    kredis.Channel.basic_consume = basic_consume  # type: ignore[method-assign]
    kredis.Channel.basic_cancel = basic_cancel  # type: ignore[method-assign]
    kredis.QoS.append = append  # type: ignore[method-assign]
    _atomic_installed = True


def _credit(qos: Any) -> int:
    """How many messages a pop may take now: the prefetch credit (0 when it is used up), at most MAX_POP."""
    if not qos.can_consume():
        return 0
    most = qos.can_consume_max_estimate()
    return MAX_POP if most is None else max(0, min(MAX_POP, most))


def _log() -> Any:
    from triage.logging import get_logger

    return get_logger("triage.redis_transport")


def _set_aside(channel: Any, tag: str, item: bytes, exc: BaseException) -> None:
    """An entry recorded by the script that Python cannot read: move it to the malformed list and drop its
    unacked record in one transaction (left as it is, kombu's restore would fail on it at every pass)."""
    try:
        with channel.conn_or_acquire() as client:
            pipe = client.pipeline()
            pipe.lpush(MALFORMED_KEY, item)
            pipe.zrem(channel.unacked_index_key, tag)
            pipe.hdel(channel.unacked_key, tag)
            pipe.execute()
    except channel.connection_errors:  # still recorded; the next pass of the restore meets it again
        pass
    _log().error("redis_malformed_envelopes_kept", count=1, key=MALFORMED_KEY,
                 reason=f"{type(exc).__name__}: {exc}"[:200])


def _restore_undelivered(channel: Any, items: list[tuple[str, str, bytes]]) -> None:
    """Put popped, recorded, never-delivered messages back at the consuming end, in their order."""
    for _queue, tag, item in reversed(items):
        try:
            loads(bytes_to_str(item))
        except Exception as exc:  # kombu's restore could not read it either
            _set_aside(channel, tag, item, exc)
            continue
        with suppress(Exception):  # if this fails it is still recorded: the visibility timeout brings it back
            channel.qos.restore_by_tag(tag, leftmost=False)
