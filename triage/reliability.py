"""Reliability machinery around the tasks: broker-level poison messages, delivery counting, replay.

- `TriageConsumer` (Celery's `worker_consumer`) turns messages Celery cannot even hand to a task —
  undecodable bodies, refused content types (pickle), unknown task names, missing headers, bodies that
  are not `[args, kwargs, embed]` — into dead letters with a reason, then acknowledges them. Celery's
  defaults log and drop (or reject) them: a ticket would vanish.
- `DeliveryCounter` counts how many times a message was *started* without finishing (the pool
  child died mid-task), so a message that crashes its worker N times becomes a dead letter instead of
  looping forever (`reject_on_worker_lost` requeues it each time).
- `replay_plan` decides how a stored dead letter is re-enqueued by `triage dlq replay`.
- `install_redis_orphan_guard` closes a gap in kombu's Redis transport: a message is popped with BRPOP
  and only then recorded as unacknowledged; if Redis goes away in between, the message is in neither
  place. The guard keeps such a message in memory and puts it back on its queue on reconnection.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery.worker.consumer.consumer import Consumer
from vine import promise

from triage.logging import get_logger

log = get_logger("triage.reliability")

# Dead-letter error types written by the consumer (the message never reached a task).
POISON_TYPES = ("decode_error", "content_disallowed", "unknown_task", "malformed_message")
# Poison bodies are stored for diagnosis, not replay: keep the first MiB.
MAX_POISON_PAYLOAD = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# broker-level poison messages


def _raw_body(message: Any) -> str:
    body = message.body
    if isinstance(body, bytes | bytearray | memoryview):
        text = bytes(body).decode("utf-8", "replace")
    elif isinstance(body, str):
        text = body
    else:
        text = repr(body)
    if len(text) > MAX_POISON_PAYLOAD:
        text = text[:MAX_POISON_PAYLOAD] + f"\n… truncated ({len(text)} characters in all)"
    return text


def poison_dedupe_key(message: Any) -> str:
    """Task id when the message has one (a redelivery is recorded once), else a hash of the body."""
    headers = message.headers if isinstance(message.headers, dict) else {}
    task_id = headers.get("id")
    if isinstance(task_id, str) and task_id:
        return f"{task_id}:poison"
    body = message.body
    raw = bytes(body) if isinstance(body, bytes | bytearray | memoryview) else str(body).encode("utf-8", "replace")
    return f"poison:{hashlib.sha256(raw).hexdigest()[:40]}"


def record_poison(message: Any, reason: str, error_type: str,
                  session_scope: Callable[[], Any] | None = None) -> bool:
    """Store a broker-level poison message as a dead letter. True if stored (or already stored)."""
    from triage import db, store

    headers = message.headers if isinstance(message.headers, dict) else {}
    task_name = headers.get("task") if isinstance(headers.get("task"), str) else None
    task_id = headers.get("id") if isinstance(headers.get("id"), str) else None
    ctype = getattr(message, "content_type", None)
    detail = f"{reason} (content-type {ctype!r}, {len(message.body or b'')} bytes)"
    scope = session_scope or db.session_scope
    with scope() as session:
        store.record_dead_letter(
            session=session, dedupe_key=poison_dedupe_key(message), payload=_raw_body(message), reason=detail,
            error_type=error_type, now=datetime.now(UTC), task_name=task_name, task_id=task_id,
        )
    log.warning("dead_letter", error_type=error_type, reason=detail[:300], task_id=task_id)
    return True


def _valid_v2_body(payload: Any) -> bool:
    return (
        isinstance(payload, list | tuple) and len(payload) == 3 and isinstance(payload[0], list | tuple)
        and isinstance(payload[1], dict) and (payload[2] is None or isinstance(payload[2], dict))
    )


class TriageConsumer(Consumer):
    """Celery's consumer, but a message it cannot run becomes a dead letter before it is acked."""

    def _dead_letter(self, message: Any, reason: str, error_type: str) -> None:
        try:
            record_poison(message, reason, error_type)
        except Exception as exc:
            # The database is unreachable: keep the message (never ack what was not stored). The pause
            # keeps a requeue loop from spinning while the database is away.
            log.error("poison_not_recorded_requeue", error=f"{type(exc).__name__}: {exc}"[:300],
                      error_type=error_type)
            time.sleep(1.0)
            message.reject_log_error(self._log, self.connection_errors, requeue=True)
            return
        message.ack_log_error(self._log, self.connection_errors)

    @property
    def _log(self) -> Any:
        import logging

        return logging.getLogger("triage.reliability")

    def on_decode_error(self, message: Any, exc: BaseException) -> None:
        self._dead_letter(message, f"undecodable message body: {type(exc).__name__}: {exc}"[:2000], "decode_error")

    def on_unknown_message(self, body: Any, message: Any) -> None:
        self._dead_letter(message, "not a task message: the 'task' header is missing", "malformed_message")

    def on_unknown_task(self, body: Any, message: Any, exc: BaseException) -> None:
        headers = message.headers if isinstance(message.headers, dict) else {}
        name = headers.get("task")
        self._dead_letter(message, f"unknown task {name!r}: this worker runs only triage.* tasks", "unknown_task")

    def on_invalid_task(self, body: Any, message: Any, exc: BaseException) -> None:
        from kombu.exceptions import ContentDisallowed

        if isinstance(exc, ContentDisallowed):
            self._dead_letter(message, f"content type refused (JSON only): {exc}"[:2000], "content_disallowed")
        else:
            self._dead_letter(message, f"invalid task message: {type(exc).__name__}: {exc}"[:2000],
                              "malformed_message")

    def create_task_handler(self, promise: Any = promise) -> Callable[[Any], Any]:
        handle = super().create_task_handler(promise)
        connection_errors = tuple(self.connection_errors or ())

        def on_task_received(message: Any) -> Any:
            headers = message.headers
            if isinstance(headers, dict) and "task" in headers:
                # Protocol v2: check what Celery otherwise trusts until the pool child fails on it
                # (a missing id crashes the consumer; a body that is not [args, kwargs, embed] fails
                # in the child and is acked as a task failure — lost).
                if not isinstance(headers.get("id"), str) or not headers.get("id"):
                    return self._dead_letter(message, "task message without an 'id' header", "malformed_message")
                try:
                    payload = message.payload  # decoded once, cached on the message
                except Exception:
                    return handle(message)  # the parent routes decode/content errors to the hooks above
                if not (isinstance(payload, dict) and "args" in payload) and not _valid_v2_body(payload):
                    return self._dead_letter(
                        message, "task message body is not [args, kwargs, embed] "
                        f"(got {type(payload).__name__})", "malformed_message")
            try:
                return handle(message)
            except connection_errors:
                raise
            except Exception as exc:  # anything else would take the consumer down and loop
                return self._dead_letter(message, f"message could not be read: {type(exc).__name__}: {exc}"[:2000],
                                         "malformed_message")

        return on_task_received


# ---------------------------------------------------------------------------------------------
# delivery counting (crash loops)


class DeliveryCounter:
    """How many times this message was started without finishing, this start included.

    Redis broker: INCR a key per (task id, retry number) before the work and DEL it on any clean end
    (stored, dead-lettered, retried, rejected). A pool child killed mid-task skips the DEL, so the next
    delivery sees 2, and so on. RabbitMQ quorum queues count redeliveries themselves
    (`x-delivery-count`). Other brokers (filesystem, memory): not counted.
    """

    TTL_S = 7 * 24 * 3600

    def __init__(self) -> None:
        self._client: Any = None
        self._pid: int | None = None

    def _redis(self, url: str) -> Any:
        if self._client is None or self._pid != os.getpid():
            import redis

            self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            self._pid = os.getpid()
        return self._client

    @staticmethod
    def key(task_id: str, retries: int) -> str:
        return f"triage:attempts:{task_id}:{retries}"

    def start(self, request: Any, broker_kind: str, broker_url: str) -> int:
        if broker_kind == "amqp":
            count = _header(request, "x-delivery-count")
            try:
                return int(count) + 1 if count is not None else 1
            except (TypeError, ValueError):
                return 1
        if broker_kind == "redis" and request.id:
            try:
                pipe = self._redis(broker_url).pipeline()
                k = self.key(request.id, request.retries or 0)
                pipe.incr(k)
                pipe.expire(k, self.TTL_S)
                return int(pipe.execute()[0])
            except Exception as exc:  # counting must never stop a ticket from being processed
                log.warning("delivery_count_unavailable", error=f"{type(exc).__name__}: {exc}"[:200])
                return 1
        return 1

    def finish(self, request: Any, broker_kind: str, broker_url: str) -> None:
        if broker_kind == "redis" and request.id:
            with contextlib.suppress(Exception):  # a leftover key expires; never fail a finished task
                self._redis(broker_url).delete(self.key(request.id, request.retries or 0))


def _header(request: Any, name: str) -> Any:
    """A broker header as Celery hands it to the task (message headers are merged into the request)."""
    value = getattr(request, name, None)
    if value is None:
        headers = getattr(request, "headers", None) or {}
        value = headers.get(name) if isinstance(headers, dict) else None
    return value


delivery_counter = DeliveryCounter()


# ---------------------------------------------------------------------------------------------
# replay


class NotReplayable(Exception):
    """A dead letter that cannot be re-enqueued as it is (e.g. an undecodable body)."""


@dataclass(frozen=True)
class ReplayMessage:
    task: str
    args: list[Any]
    kwargs: dict[str, Any]


def replay_plan(*, error_type: str, task_name: str | None, payload_text: str, max_batch: int) -> list[ReplayMessage]:
    """The message(s) that re-enqueue a dead letter's stored payload."""
    from triage.worker import INGEST, INGEST_MANY

    if error_type in POISON_TYPES:
        raise NotReplayable(f"a {error_type} dead letter holds the raw broker body, not a task: fix the producer")
    try:
        payload = json.loads(payload_text)
    except ValueError as exc:
        if error_type == "validation":  # stored as text: a task argument that was a plain string, not a ticket
            raise NotReplayable("the message carried a plain string, not a ticket object: nothing to replay "
                                "(fix the producer)") from exc
        raise NotReplayable(f"stored payload is not JSON: {exc}") from exc
    if isinstance(payload, dict) and set(payload) == {"args", "kwargs"} and task_name in (INGEST, INGEST_MANY):
        args, kwargs = payload["args"], payload["kwargs"]
        if task_name == INGEST_MANY and len(args) == 1 and not kwargs and isinstance(args[0], list):
            return [ReplayMessage(INGEST_MANY, [chunk], {}) for chunk in _chunks(args[0], max_batch)]
        return [ReplayMessage(task_name, list(args), dict(kwargs))]
    if task_name == INGEST_MANY and isinstance(payload, list):
        # An oversized batch: split it, as its reason asks.
        return [ReplayMessage(INGEST_MANY, [chunk], {}) for chunk in _chunks(payload, max_batch)]
    return [ReplayMessage(INGEST, [payload], {})]


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), max(1, size)):
        yield items[i:i + size]


# ---------------------------------------------------------------------------------------------
# Redis: a message popped but not yet recorded as unacknowledged

_redis_orphans: list[tuple[Any, str, str]] = []  # (raw message, exchange, routing key)
_orphans_lock = threading.Lock()
_orig_append: Callable[..., Any] | None = None


def install_redis_orphan_guard() -> None:
    """Make kombu's Redis transport keep a message that BRPOP delivered while the write recording it as
    unacknowledged failed (the connection dropped between the two), and restore it to its queue before
    the next BRPOP — the first thing the channel does once it has reconnected. Idempotent.

    Without it, a Redis restart at that instant loses the message: it has left the queue and never
    reached the unacked hash, so neither the consumer nor the visibility-timeout restore ever sees it
    again. A restored message can be delivered twice if the write did reach Redis and only its reply was
    lost; ingest is idempotent, so that costs a repeat, never a duplicate row.
    """
    global _orig_append
    from kombu.transport import redis as kredis

    if _orig_append is not None:
        return
    _orig_append = kredis.QoS.append
    orig_start = kredis.Channel._brpop_start

    def append(self: Any, message: Any, delivery_tag: Any) -> Any:
        assert _orig_append is not None
        try:
            return _orig_append(self, message, delivery_tag)
        except self.channel.connection_errors:
            info = message.delivery_info
            with _orphans_lock:
                _redis_orphans.append((message._raw, info["exchange"], info["routing_key"]))
            log.warning("redis_delivery_orphaned", routing_key=info["routing_key"], pending=len(_redis_orphans))
            raise

    def brpop_start(self: Any, timeout: Any = None) -> Any:
        if _redis_orphans:
            restore_redis_orphans(self)
        return orig_start(self, timeout)

    kredis.QoS.append = append  # type: ignore[method-assign]
    kredis.Channel._brpop_start = brpop_start  # type: ignore[method-assign]


def restore_redis_orphans(channel: Any) -> int:
    """Push the kept messages back onto their queues (next in line); keep them if Redis is still away."""
    with _orphans_lock:
        todo = list(_redis_orphans)
    if not todo:
        return 0
    try:
        with channel.conn_or_acquire() as client:
            pipe = client.pipeline()
            for raw, exchange, routing_key in todo:
                channel._do_restore_message(raw, exchange, routing_key, pipe, leftmost=False)
            pipe.execute()
    except channel.connection_errors as exc:
        log.warning("redis_orphans_not_restored_yet", pending=len(todo), error=str(exc))
        return 0
    with _orphans_lock:
        del _redis_orphans[: len(todo)]
    log.warning("redis_orphans_restored", restored=len(todo))
    return len(todo)
