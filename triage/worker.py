"""Celery app factory, the task base class and the tasks.

Tasks are thin shells: validate each ticket, run the pure pipeline, hand outcomes to the store in
one transaction. A ticket that fails validation becomes a dead letter (never retried); a transient
database failure is retried with jittered exponential backoff; nothing is acknowledged before it is
committed (acks_late), and a worker killed mid-task gets its message redelivered.
"""

from __future__ import annotations

import json
import logging
import math
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import structlog
from celery import Celery, Task, signals
from celery.app.amqp import AMQP
from celery.exceptions import Ignore, Reject
from kombu import Exchange, Queue
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from triage import batching, db, metrics, pipeline, store, writeback
from triage.logging import configure_logging, enabled_for, get_logger
from triage.redis_transport import install_redis_atomic_pop, install_redis_client_reuse
from triage.reliability import delivery_counter, install_redis_orphan_guard
from triage.schemas import TicketIn, TriageOutcome, error_pairs
from triage.settings import Settings, get_settings

log = get_logger("triage.worker")

INGEST = "triage.ingest"
INGEST_MANY = "triage.ingest_many"
# A batch is stored at most STORE_BATCH tickets per transaction and STORE_CHUNK per `save_outcomes` call (see
# `ingest_payloads`): a worker's memory is bounded by these, not by the envelope (up to TRIAGE_MAX_BATCH).
STORE_BATCH = 500
STORE_CHUNK = 100

# Errors worth retrying: the database or network is briefly unavailable, or a concurrent writer
# won a lock. Everything else is permanent and goes to dead letters (one place, as in treeherder).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, PoolTimeoutError, ConnectionError)
# SQLSTATE classes that mean "try again": serialization failure, deadlock, connection exceptions,
# admin shutdown / cannot connect now.
# 25006: a read-only transaction — the database failed over to a standby that is not promoted yet.
_TRANSIENT_SQLSTATES = ("40001", "40P01", "08", "57P01", "57P02", "57P03", "53300", "25006")


def _sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error: the driver's own, or the one SQLAlchemy wraps (`orig`)."""
    for e in (exc, getattr(exc, "orig", None)):
        code = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if code:
            return str(code)
    return None


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same message later can succeed: SQLAlchemy's errors and the PostgreSQL driver's
    own (the store's fast path runs fixed statements on the raw connection), by SQLSTATE."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, OperationalError):
            return True  # SQLite "database is locked", PostgreSQL connection refused, …
    # The PostgreSQL driver, whose errors the store's fast path raises unwrapped: if it was never imported, no
    # error is its (not imported here: it would add ≈ 9 MiB to every worker process that never uses it).
    _psycopg = sys.modules.get("psycopg")
    if _psycopg is not None and isinstance(exc, _psycopg.OperationalError):
        return True  # connection lost, server closed the connection, …
    code = _sqlstate(exc)
    if code and code.startswith(_TRANSIENT_SQLSTATES):
        return True
    return isinstance(exc, TRANSIENT_ERRORS)


def error_summary(exc: BaseException) -> str:
    """What a log line says about a store error: its type, SQLSTATE and first line — never SQLAlchemy's
    `[parameters: …]` block or the driver's DETAIL/CONTEXT lines, which quote the ticket."""
    code = _sqlstate(exc)
    first = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}{f' [{code}]' if code else ''}: {first}"


def backoff_seconds(retries: int, cap: float, base: float = 1.0) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base·2^retries)]."""
    return random.uniform(0, min(cap, base * (2**retries)))


def retry_countdown(seconds: float, settings: Settings) -> float:
    """A retry's countdown as the broker can honour it. RabbitMQ's native delayed delivery counts whole
    seconds and refuses a delay under one (Celery would fail the publish), so there it is rounded up to
    whole seconds, at least 1."""
    if settings.broker_kind == "amqp":
        return float(max(1, math.ceil(seconds)))
    return seconds


def retry_delay(retries: int, settings: Settings) -> float:
    """A store retry's countdown: jittered exponential backoff for the first `task_max_retries`, then (a long
    outage) uniform in [cap/2, cap] for as long as it lasts; rounded as the broker can honour it."""
    cap = backoff_cap(settings)
    if retries < settings.task_max_retries:
        return retry_countdown(backoff_seconds(retries, cap), settings)
    return retry_countdown(random.uniform(cap / 2, cap), settings)


def backoff_cap(settings: Settings) -> float:
    """The retry delay cap. On Redis a countdown held past the visibility timeout is redelivered to
    another worker while this one still waits on it, so the cap stays well under it."""
    cap = float(settings.retry_backoff_max_s)
    if settings.broker_kind == "redis":
        cap = min(cap, settings.visibility_timeout_s / 2)
    return cap


@lru_cache(maxsize=1)
def pipeline_config() -> pipeline.PipelineConfig:
    """The pipeline configuration, loaded once per process."""
    return pipeline.load_config(get_settings().config_dir)


def _describe_validation(exc: ValidationError) -> str:
    return "invalid ticket: " + "; ".join(f"{loc}: {msg}" for loc, msg in error_pairs(exc))


class TriageTask(Task):
    """Owns the transaction, dead-lettering and the retry policy for every triage task."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    ignore_result = True
    typing = False  # argument errors are ours to dead-letter, not Celery's to raise before we run

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Count this delivery; a message that keeps killing its worker becomes a dead letter."""
        settings = get_settings()
        kind, url = settings.broker_kind, settings.effective_broker_url
        n = delivery_counter.start(self.request, kind, url)
        try:
            if n > settings.max_deliveries:
                task_id = self.request.id or "local"
                reason = (f"crash loop: delivery {n} of a message whose earlier {n - 1} deliveries never "
                          f"finished (worker process died); the limit is {settings.max_deliveries} "
                          "(TRIAGE_MAX_DELIVERIES)")
                # One ticket is stored as itself (identity, replay as triage.ingest); else the envelope.
                payload = args[0] if self.name == INGEST and len(args) == 1 and not kwargs else \
                    {"args": list(args), "kwargs": kwargs}
                self._dead_letter_only(
                    [(f"{task_id}:r{self.request.retries or 0}:crash_loop", payload, reason, "crash_loop")],
                    now=datetime.now(UTC), task_id=task_id)
                return {"stored": 0, "dead": 1}
            return super().__call__(*args, **kwargs)
        finally:
            delivery_counter.finish(self.request, kind, url)

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Last resort: an unexpected error in the shell itself. The message is acked, so keep it."""
        try:
            with db.session_scope() as session:
                store.record_dead_letter(
                    session=session, dedupe_key=f"{task_id}:r{self.request.retries or 0}:error",
                    payload={"args": list(args or ()), "kwargs": dict(kwargs or {})},
                    reason=f"task error: {type(exc).__name__}: {exc}"[:4000], error_type="task_error",
                    now=datetime.now(UTC), task_name=self.name, task_id=task_id,
                )
        except Exception:
            log.exception("task_error_not_recorded", task_id=task_id)

    def reject_envelope(self, payload: Any, reason: str) -> dict[str, int]:
        """The message itself is malformed (wrong arguments): one dead letter for all of it."""
        task_id = self.request.id or "local"
        self._dead_letter_only(
            [(f"{task_id}:envelope", payload, reason, "bad_envelope")], now=datetime.now(UTC), task_id=task_id
        )
        return {"stored": 0, "dead": 1}

    # A permanent store error on a batch of tickets stores them one per transaction, so only the ticket the
    # store refuses becomes a dead letter (the batched single-ticket task splits its own batches).
    split_on_store_error = True

    def ingest_payloads(self, payloads: Sequence[Any], *, keys: Sequence[str] | None = None,
                        task_id: str | None = None, raise_store_errors: bool = False) -> dict[str, int]:
        """Validate, triage and store a batch; invalid items become dead letters. One transaction per
        STORE_BATCH tickets (an envelope up to TRIAGE_MAX_BATCH is one or two).
        `keys`: each payload's dead-letter key (default `<task id>:<index>`; the batched task passes its own).
        `raise_store_errors`: a store error is raised to the caller (the split below) instead of handled."""
        settings = get_settings()
        task_id = task_id or self.request.id or "local"
        cfg = pipeline_config()
        valid: list[tuple[str, Any, TicketIn]] = []
        dead: list[tuple[str, Any, str, str]] = []
        for i, payload in enumerate(payloads):
            key = keys[i] if keys is not None else f"{task_id}:{i}"
            if not isinstance(payload, dict):
                dead.append((key, payload, f"ticket must be a JSON object, got {type(payload).__name__}",
                             "validation"))
                continue
            try:
                valid.append((key, payload, TicketIn.model_validate(payload)))
            except ValidationError as exc:
                dead.append((key, payload, _describe_validation(exc), "validation"))
        # A key delivered twice in one batch: the last delivery wins (as it would across batches). Stored in
        # ticket-key order, the order `save_outcomes` takes row locks in, so concurrent batches cannot deadlock.
        valid = sorted({v[2].key: v for v in valid}.values(), key=lambda v: v[2].key)
        # The envelope makes every `save_outcomes` call of the batch (chunks, parts) judge repeat contacts as one
        # call over the whole batch: its own tickets' committed links are not earlier reports (a redelivery
        # changes nothing), and its earlier tickets count as reported before, in key order.
        # Parts of STORE_BATCH tickets, one transaction each, in key order: a worker holds one part's outcomes
        # at a time whatever the envelope. Each part is idempotent, so a retry after a later part's transient
        # error stores the committed ones again unchanged. (The batched single-ticket path, which handles
        # store errors itself, keeps its flush in one transaction.)
        size = len(valid) if raise_store_errors else STORE_BATCH
        envelope = None
        if len(valid) > min(STORE_CHUNK, size):  # more than one `save_outcomes` call
            with db.session_scope() as session:
                envelope = store.Envelope(
                    exclude=store.existing_ticket_ids(session, [v[2].key for v in valid]), links=[])
        totals = {"stored": 0, "dead": 0}
        for p0 in range(0, max(len(valid), 1), max(size, 1)):
            res = self._store_part(valid[p0:p0 + size], dead if p0 == 0 else [], cfg=cfg, task_id=task_id,
                                   envelope=envelope, raise_store_errors=raise_store_errors,
                                   several=len(payloads) > 1, settings=settings)
            totals["stored"] += res["stored"]
            totals["dead"] += res["dead"]
        return totals

    def _store_part(self, valid: Sequence[tuple[str, Any, TicketIn]], dead: list[tuple[str, Any, str, str]], *,
                    cfg: pipeline.PipelineConfig, task_id: str, envelope: store.Envelope | None,
                    raise_store_errors: bool, several: bool, settings: Settings) -> dict[str, int]:
        """Triage `valid` (sorted, distinct keys) and store it with `dead` in one transaction."""
        dead = list(dead)
        items: list[store.StoredItem] = []
        judged: dict[tuple[str, str], Any] = {}  # classifications, for re-deciding repeat-contact tickets
        for key, payload, ticket in valid:
            try:
                outcome, judged[ticket.key] = pipeline.run_judged(ticket, cfg, timer=time.perf_counter)
            except Exception as exc:  # a bug must not sink the batch or loop forever
                log.exception("pipeline_failed", source=ticket.source, external_id=ticket.external_id)
                dead.append((key, payload, f"pipeline error: {type(exc).__name__}: {exc}", "pipeline"))
                continue
            items.append(store.StoredItem(ticket, outcome))

        # Stamped after the pipeline: a result's updated_at is when its store transaction started.
        now = datetime.now(UTC)
        t_store = time.perf_counter()
        ids: dict[tuple[str, str], int] = {}
        try:
            with db.session_scope() as session:
                # STORE_CHUNK tickets per `save_outcomes`, all in this one transaction: the rows and arrays
                # built at once are bounded by the chunk, and each stored chunk's outcomes are slimmed (drafts,
                # evidence and contacts dropped) as it goes. The envelope makes the calls judge repeat contacts
                # as one call over the batch (its own tickets' committed links left out, on a redelivery too).
                for c in range(0, len(items), STORE_CHUNK):
                    chunk = items[c:c + STORE_CHUNK]
                    ids.update(store.save_outcomes(
                        session=session, items=chunk, now=now, task_id=task_id, envelope=envelope,
                        refine=lambda it, flags: pipeline.run(
                            it.ticket, cfg, extra_flags=flags, timer=time.perf_counter,
                            classification=judged.get(it.ticket.key), contacts=it.outcome.contacts),
                    ))
                    items[c:c + STORE_CHUNK] = [store.StoredItem(it.ticket, _slim(it.outcome)) for it in chunk]
                    for it in chunk:
                        judged.pop(it.ticket.key, None)
                    del chunk
                for key, payload, reason, etype in dead:
                    store.record_dead_letter(
                        session=session, dedupe_key=key, payload=payload, reason=reason, error_type=etype,
                        now=now, task_name=self.name, task_id=task_id,
                    )
        except Exception as exc:
            if raise_store_errors:
                raise
            if several and self.split_on_store_error and not is_transient(exc):
                # this part's tickets (and dead letters), each in its own transaction
                return self._store_each([*(v[1] for v in valid), *(d[1] for d in dead if d[3] == "validation")],
                                        [*(v[0] for v in valid), *(d[0] for d in dead if d[3] == "validation")],
                                        task_id, exc)
            self._on_store_failure(exc, settings)
            raise  # unreachable: _on_store_failure always raises
        metrics.observe_batch(task=self.name, items=items, dead_types=[d[3] for d in dead],
                              store_s=time.perf_counter() - t_store, stored_at=now.timestamp())
        if items:  # outbox rows are committed: deliver them now (the relay is the safety net)
            writeback.notify(self.app, {it.ticket.source for it in items})
        for it in items if enabled_for("triage.worker", logging.INFO) else ():
            o = it.outcome
            log.info("ticket_triaged", source=o.source, external_id=o.external_id, categories=o.categories,
                     priority=o.priority, flags=o.flag_names, pipeline_ms=o.pipeline_ms)
        for key, _payload, reason, etype in dead:
            log.warning("dead_letter", dedupe_key=key, error_type=etype, reason=reason)
        return {"stored": len(ids), "dead": len(dead)}

    def _store_each(self, payloads: Sequence[Any], keys: Sequence[str] | None, task_id: str,
                    first: BaseException) -> dict[str, int]:
        """The batch's transaction failed for good: each ticket in its own transaction; one the store refuses
        becomes a `store_error` dead letter with its own payload, the others are stored. A transient error on
        the way retries the whole message (storing is idempotent)."""
        log.warning("batch_store_error_split", size=len(payloads), error=error_summary(first))
        totals = {"stored": 0, "dead": 0}
        for i, payload in enumerate(payloads):
            key = keys[i] if keys is not None else f"{task_id}:{i}"
            try:
                res = self.ingest_payloads([payload], keys=[key], task_id=task_id, raise_store_errors=True)
            except Exception as exc:
                if is_transient(exc):
                    self._on_store_failure(exc, get_settings())
                log.error("store_failed_permanently", dedupe_key=key, error=error_summary(exc))
                self._dead_letter_only([(f"{key}:store_error", payload,
                                         f"store error: {type(exc).__name__}: {exc}"[:4000], "store_error")],
                                       now=datetime.now(UTC), task_id=task_id)
                res = {"stored": 0, "dead": 1}
            totals["stored"] += res["stored"]
            totals["dead"] += res["dead"]
        return totals

    def _dead_letter_only(self, dead: list[tuple[str, Any, str, str]], *, now: datetime, task_id: str) -> None:
        try:
            with db.session_scope() as session:
                for key, payload, reason, etype in dead:
                    store.record_dead_letter(
                        session=session, dedupe_key=key, payload=payload, reason=reason, error_type=etype,
                        now=now, task_name=self.name, task_id=task_id,
                    )
        except Exception as exc:
            self._on_store_failure(exc, get_settings())
        metrics.observe_dead([d[3] for d in dead])
        for key, _payload, reason, etype in dead:
            log.warning("dead_letter", dedupe_key=key, error_type=etype, reason=reason)

    def _on_store_failure(self, exc: BaseException, settings: Settings) -> None:
        """Retry transient failures with jittered backoff; never ack a message that was not stored."""
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            db.reset_engine()
        if is_transient(exc):
            retries = self.request.retries or 0
            countdown = retry_delay(retries, settings)
            if retries < settings.task_max_retries:
                log.warning("store_retry", error=error_summary(exc), retries=retries, countdown=round(countdown, 2))
            else:
                # Out of retries but still transient (a long outage): keep retrying at the cap rather
                # than lose the message. A retry is a new message (fresh delivery count), unlike a
                # requeue, which a quorum queue would count as a failed delivery.
                log.error("store_unavailable", error=error_summary(exc), retries=retries, countdown=round(countdown, 2))
            try:
                raise self.retry(exc=exc, countdown=countdown, max_retries=max(retries + 1,
                                                                                settings.task_max_retries))
            except Reject as rej:
                # Celery rejects *without* requeue when the retry cannot be published (broker down):
                # put the original back instead; the broker redelivers it.
                log.error("retry_not_published_requeue", error=str(rej.reason)[:300])
                raise Reject(type(exc).__name__, requeue=True) from exc
        # A permanent store error is a bug; requeueing would loop. Keep the message as a dead letter.
        log.error("store_failed_permanently", error=error_summary(exc))
        task_id = self.request.id or "local"
        key = f"{task_id}:r{self.request.retries or 0}:store_error"
        payload = {"args": list(self.request.args or ()), "kwargs": dict(self.request.kwargs or {})}
        for attempt in ("full", "minimal"):
            try:
                with db.session_scope() as session:
                    store.record_dead_letter(
                        session=session, dedupe_key=key, now=datetime.now(UTC), task_name=self.name,
                        task_id=task_id, error_type="store_error",
                        # the minimal record: only what any database accepts (ASCII JSON, the error's type)
                        payload=payload if attempt == "full" else json.dumps(payload, ensure_ascii=True, default=repr),
                        reason=(f"store error: {type(exc).__name__}: {exc}"[:4000] if attempt == "full"
                                else f"store error: {error_summary(exc)}"),
                    )
                raise Ignore() from exc  # recorded: acknowledge the message
            except Ignore:
                raise
            except Exception as rec_exc:
                log.error("store_error_not_recorded", attempt=attempt, error=error_summary(rec_exc))
        # Not even a dead letter can be written (a read-only or broken database): the message must not be
        # dropped; it is retried later, at the backoff cap, like an outage.
        try:
            raise self.retry(exc=exc, countdown=retry_delay(settings.task_max_retries, settings),
                             max_retries=max((self.request.retries or 0) + 1, settings.task_max_retries))
        except Reject as rej:
            log.error("retry_not_published_requeue", error=str(rej.reason)[:300])
            raise Reject(type(exc).__name__, requeue=True) from exc


def _slim(outcome: TriageOutcome) -> TriageOutcome:
    """The outcome without its drafts, evidence and contacts (stored already): what metrics and logs read."""
    return outcome.model_copy(update={"draft_reply": None, "draft_html": None, "internal_note": None,
                                      "evidence": [], "contacts": []})


def _ingest(self: TriageTask, *args: Any, **kwargs: Any) -> dict[str, int]:
    """triage.ingest(ticket): triage and store one ticket."""
    payload: Any
    if len(args) == 1 and not kwargs:
        payload = args[0]
    elif not args and set(kwargs) == {"ticket"}:
        payload = kwargs["ticket"]
    else:
        return self.reject_envelope(
            {"args": list(args), "kwargs": kwargs},
            f"{INGEST} takes exactly one ticket object; got {len(args)} positional argument(s) and "
            f"keyword argument(s) {sorted(kwargs)}",
        )
    return self.ingest_payloads([payload])


def _ingest_many(self: TriageTask, *args: Any, **kwargs: Any) -> dict[str, int]:
    """triage.ingest_many(tickets): triage and store a list of tickets in one transaction."""
    settings = get_settings()
    payload: Any
    if len(args) == 1 and not kwargs:
        payload = args[0]
    elif not args and set(kwargs) == {"tickets"}:
        payload = kwargs["tickets"]
    else:
        return self.reject_envelope(
            {"args": list(args), "kwargs": kwargs},
            f"{INGEST_MANY} takes exactly one list of tickets; got {len(args)} positional argument(s) "
            f"and keyword argument(s) {sorted(kwargs)}",
        )
    if not isinstance(payload, list):
        return self.reject_envelope(
            payload, f"{INGEST_MANY} takes a list of tickets, got {type(payload).__name__}"
        )
    if len(payload) > settings.max_batch:
        return self.reject_envelope(
            payload,
            f"{INGEST_MANY} batch of {len(payload)} tickets exceeds the limit of "
            f"{settings.max_batch} (TRIAGE_MAX_BATCH); split it and replay",
        )
    return self.ingest_payloads(payload)


def task_exchange(settings: Settings) -> Exchange:
    """The exchange the queue is bound to.

    RabbitMQ: a *topic* exchange named `<queue>.tasks`. With a quorum queue the worker's prefetch window
    is static (no global QoS), so a retry's countdown held in the worker until its ETA would take a slot
    of that window; enough of them (an outage) stall the queue for up to the backoff cap. A topic
    exchange lets Celery use RabbitMQ-native delayed delivery instead: a retry waits in the broker's
    `celery_delayed_*` queues and reaches the worker only when it is due. (A new name, because an
    existing exchange cannot change type: the direct exchange `<queue>` of earlier versions stays
    bound and keeps routing what older producers publish to it.) Redis: kombu's direct exchange, as
    before.
    """
    if settings.broker_kind == "amqp":
        return Exchange(f"{settings.queue}.tasks", type="topic", durable=True)
    return Exchange(settings.queue, type="direct", durable=True)


def task_routing_key(settings: Settings) -> str:
    """The queue's routing key. RabbitMQ: one topic word (dots encoded as %2E). Native delayed delivery binds
    each queue with `#.<routing key>`, so a key with dots would also catch the delayed messages of every
    queue whose key ends with it ("eu.triage" retries copied into "triage"); a single word matches only
    its own queue. Redis: the queue name, as before."""
    if settings.broker_kind == "amqp":
        return settings.queue.replace(".", "%2E")
    return settings.queue


def task_queues(settings: Settings) -> list[Queue]:
    """The one explicit queue. On RabbitMQ it is a durable quorum queue (replicated, poison-safe)."""
    args: dict[str, Any] = {}
    if settings.broker_kind == "amqp" and settings.amqp_queue_type == "quorum":
        args = {"x-queue-type": "quorum"}
    return [Queue(settings.queue, task_exchange(settings), routing_key=task_routing_key(settings), durable=True,
                  queue_arguments=args)]


def _shape(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return "{…}"
    return f"<{type(value).__name__}>"


def args_summary(args: Any, kwargs: Any) -> tuple[str, str]:
    """What a task message's `argsrepr`/`kwargsrepr` headers say: shapes and argument names, no values."""
    a = "(" + ", ".join(_shape(v) for v in (args or ())) + ")"
    k = "{" + ", ".join(f"{str(n)[:40]!r}: {_shape(v)}" for n, v in list((kwargs or {}).items())[:20]) + "}"
    return a[:200], k[:1000]


class TriageAMQP(AMQP):
    """Task messages whose headers carry no ticket content.

    Celery puts `saferepr(args)` (the first KiB of the ticket: names, e-mail addresses, the customer's
    words) in every message's `argsrepr` header, and its worker logs that header at INFO ("Task …
    received"). Here the headers say only the arguments' shapes (`([1 items])`, `{'ticket': {…}}`); the
    repr was also a third of the CPU of a publish (≈ 0.12 of ≈ 0.35 ms per single ticket).
    """

    def as_task_v2(self, task_id: Any, name: Any, args: Any = None, kwargs: Any = None, *rest: Any,
                   argsrepr: Any = None, kwargsrepr: Any = None, **options: Any) -> Any:
        a, k = args_summary(args, kwargs)
        return super().as_task_v2(
            task_id, name, args, kwargs, *rest,
            argsrepr=a if argsrepr is None else argsrepr, kwargsrepr=k if kwargsrepr is None else kwargsrepr,
            **options,
        )


def create_app(settings: Settings | None = None) -> Celery:
    """Build the Celery app from settings (JSON only, late acks, explicit queue, no result backend)."""
    settings = settings or get_settings()
    app = Celery("triage", set_as_current=True, amqp=TriageAMQP)
    transport_options: dict[str, Any] = {}
    kind = settings.broker_kind
    if kind == "redis":
        # Unacked messages come back after this long: must exceed the longest task (incl. retries).
        transport_options = {
            "visibility_timeout": settings.visibility_timeout_s,
            # kombu sweeps for unacked messages whose timeout has passed only every interval × throttle
            # seconds (10 × 10 by default): a crashed worker's messages came back up to 100 s after their
            # timeout. One cheap sweep (an index range read) every ≤ 10 s instead.
            "unacked_restore_interval": max(1, min(10, settings.visibility_timeout_s // 6)),
            "unacked_restore_throttle": 1,
        }
        install_redis_atomic_pop()  # taking a message off the queue and recording it unacked: one step
        install_redis_orphan_guard()  # a message popped as Redis went away is restored, not lost
        install_redis_client_reuse()  # one redis-py client per channel, not one per append/ack/publish
    elif kind == "amqp":
        transport_options = {"confirm_publish": True}
    elif kind == "filesystem":
        folder = settings.broker_dir
        for sub in ("queue", "control", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        }
    app.conf.update(
        broker_url=settings.effective_broker_url,
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=settings.queue,
        task_queues=task_queues(settings),
        task_create_missing_queues=False,
        task_routes={"triage.*": {"queue": settings.queue, "routing_key": task_routing_key(settings)}},
        worker_prefetch_multiplier=batching.prefetch_multiplier(settings),
        worker_concurrency=settings.worker_concurrency,
        worker_max_tasks_per_child=settings.worker_max_tasks_per_child or None,
        worker_max_memory_per_child=settings.worker_max_memory_per_child_kib or None,
        worker_hijack_root_logger=False,
        # Messages Celery cannot run (bad JSON, pickle, unknown task, missing headers) → dead letters.
        worker_consumer="triage.reliability:TriageConsumer",
        worker_redirect_stdouts=False,
        worker_enable_remote_control=kind not in {"filesystem", "memory"},
        worker_send_task_events=False,
        task_send_sent_event=False,
        broker_heartbeat=0 if kind == "filesystem" else None,
        enable_utc=True,
    )
    if settings.single_batching:  # same task name and message; buffered in the worker (triage/batching.py)
        batching.register(app, TriageTask, INGEST, settings)
    else:
        app.task(name=INGEST, bind=True, base=TriageTask)(_ingest)
    app.task(name=INGEST_MANY, bind=True, base=TriageTask)(_ingest_many)
    app.task(name=writeback.WRITEBACK, bind=True, base=TriageTask)(writeback.writeback_task)
    return app


# --- process lifecycle ------------------------------------------------------------------------


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    s = get_settings()
    configure_logging(s.log_level, s.log_format)


@signals.worker_process_init.connect
def _fresh_process(**_: Any) -> None:
    # A prefork child inherits the parent's engine and sockets: never share them.
    db.reset_engine()
    s = get_settings()
    configure_logging(s.log_level, s.log_format)


@signals.worker_ready.connect
def _report_accelerator(**_: Any) -> None:
    # Same results either way; only the speed differs (≈ 70 µs more per ticket in pure Python).
    from triage import lexical

    if lexical._lexfast is None:
        log.warning("lexical_accelerator_off", reason=lexical.LEXFAST_UNUSED or "triage._lexfast is not built")


@signals.task_prerun.connect
def _bind_task(task_id: str | None = None, task: Task | None = None, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


@signals.task_postrun.connect
def _unbind_task(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()
