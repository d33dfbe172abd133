"""Worker-side batching of single-ticket messages (`TRIAGE_SINGLE_BATCHING=1`).

Producers keep sending `triage.ingest` with one ticket; the worker's main process buffers the messages
(celery-batches) and hands them to a pool child as one list every `TRIAGE_BATCH_FLUSH_EVERY` messages
or `TRIAGE_BATCH_FLUSH_INTERVAL_MS`, whichever comes first. The child stores them in one transaction.

At-least-once is kept, stricter than celery-batches' own `acks_late` handling (which acks every request
when the batch task returns, whatever happened, and leaves them unacked until the visibility timeout
when the pool child dies):

* each message is acknowledged only after its ticket (or its dead letter) is committed;
* a message whose store failed transiently is re-published as a retry with jittered backoff, then
  acked; if even that publish fails it is rejected with requeue (the broker keeps it);
* a pool child that dies mid-batch gets every message of the batch requeued at once
  (`reject_on_worker_lost`), and a message that keeps killing children is isolated: messages seen
  before (delivery count > 1) are stored one per transaction, and past `TRIAGE_MAX_DELIVERIES` a
  message becomes a `crash_loop` dead letter;
* a permanent store error splits the batch, so one bad ticket never sinks the others;
* dead-letter keys are the ones the unbatched task uses (`<task id>:0`), so switching modes never
  records a redelivered bad ticket twice.
"""

from __future__ import annotations

import contextlib
import math
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery_batches import Batches, SimpleRequest
from celery_batches.trace import apply_batches_task

from triage import db
from triage.logging import get_logger
from triage.redis_transport import acknowledge_many
from triage.settings import Settings, get_settings

log = get_logger("triage.batching")


class StoreFailed(Exception):
    """Raised out of `ingest_payloads` in batch mode: the batch decides (retry, split or dead-letter)."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(str(exc))
        self.exc = exc


def prefetch_multiplier(settings: Settings) -> int:
    """Messages reserved per pool process. A batch is held unacked while it fills, so the worker must
    be allowed to hold two of them (one filling, one being stored) whatever the concurrency."""
    if not settings.single_batching:
        return settings.worker_prefetch_multiplier
    need = math.ceil(2 * settings.batch_flush_every / max(1, settings.worker_concurrency))
    return max(settings.worker_prefetch_multiplier, need)


def _retries(req: SimpleRequest) -> int:
    rd = req.request_dict or {}
    try:
        return int(rd.get("retries") or 0)
    except (TypeError, ValueError):
        return 0


class DeliveryCounts:
    """Per-message start counts for a whole batch in one Redis round trip (the keys are those of
    `triage.reliability.DeliveryCounter`, so batched and unbatched deliveries count together)."""

    def __init__(self, requests: Sequence[SimpleRequest], settings: Settings) -> None:
        from triage.reliability import DeliveryCounter, delivery_counter

        self._counter = delivery_counter
        self._keys: list[str] = []
        self.counts: list[int] = [1] * len(requests)
        kind, url = settings.broker_kind, settings.effective_broker_url
        self._url = url if kind == "redis" else None
        if kind == "amqp":
            for i, req in enumerate(requests):
                n = (req.request_dict or {}).get("x-delivery-count")
                try:
                    self.counts[i] = int(n) + 1 if n is not None else 1
                except (TypeError, ValueError):
                    self.counts[i] = 1
        elif self._url:
            self._keys = [DeliveryCounter.key(str(r.id), _retries(r)) for r in requests]
            try:
                pipe = self._counter._redis(self._url).pipeline(transaction=False)
                for k in self._keys:
                    pipe.incr(k)
                    pipe.expire(k, DeliveryCounter.TTL_S)
                res = pipe.execute()
                self.counts = [int(res[2 * i]) for i in range(len(requests))]
            except Exception as exc:  # counting must never stop tickets from being processed
                log.warning("delivery_count_unavailable", error=f"{type(exc).__name__}: {exc}"[:200])

    def finish(self) -> None:
        if self._url and self._keys:
            with contextlib.suppress(Exception):  # a leftover key expires; a finished batch never fails on it
                self._counter._redis(self._url).delete(*self._keys)


def single_payload(args: Any, kwargs: Any) -> tuple[Any, str | None]:
    """The ticket of a `triage.ingest` call, or why the call is malformed (same rules as unbatched)."""
    from triage.worker import INGEST

    args = list(args or ())
    kwargs = dict(kwargs or {})
    if len(args) == 1 and not kwargs:
        return args[0], None
    if not args and set(kwargs) == {"ticket"}:
        return kwargs["ticket"], None
    return None, (f"{INGEST} takes exactly one ticket object; got {len(args)} positional argument(s) and "
                  f"keyword argument(s) {sorted(kwargs)}")


def make_batched_task_class(base: type) -> type:
    """A `Batches` task class on top of the worker's `TriageTask` (passed in to avoid an import cycle)."""

    class BatchedIngestTask(Batches, base):  # type: ignore[misc,valid-type,unused-ignore]
        """`triage.ingest` buffered: many single-ticket messages, one transaction, acked after commit."""

        abstract = True
        split_on_store_error = False  # _store_group splits a batch itself

        def _on_store_failure(self, exc: BaseException, settings: Settings) -> None:
            from sqlalchemy.exc import DBAPIError

            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                db.reset_engine()
            raise StoreFailed(exc) from exc

        # --- main process: hand a flushed buffer to the pool, ack/requeue from the result ---------

        def flush(self, requests: Any) -> Any:
            requests = list(requests)
            serializable = ([SimpleRequest.from_request(r) for r in requests],)

            def on_return(result: Any) -> None:
                if not isinstance(result, dict):  # the batch task itself blew up: keep every message
                    log.error("batch_failed_requeue", size=len(requests))
                    for r in requests:
                        r.reject(requeue=True)
                    return
                requeue = set(result.get("requeue") or ())
                done = []
                for r in requests:
                    if r.id in requeue:
                        r.reject(requeue=True)
                    else:
                        done.append(r)
                acknowledge_many(done)  # Redis: one MULTI/EXEC for the batch, not one per message

            def on_error(_exc_info: Any) -> None:  # the pool child died mid-batch
                log.error("batch_worker_lost_requeue", size=len(requests))
                for r in requests:
                    r.reject(requeue=True)

            return self._pool.apply_async(
                apply_batches_task, (self, serializable, 0, None), callback=on_return, error_callback=on_error,
            )

        # --- pool child --------------------------------------------------------------------------

        def run_batch(self, requests: Sequence[SimpleRequest]) -> dict[str, Any]:
            settings = get_settings()
            batch_id = f"batch-{uuid.uuid4().hex[:16]}"
            counts = DeliveryCounts(requests, settings)
            stored = dead = 0
            requeue: list[str] = []
            try:
                fresh: list[tuple[SimpleRequest, Any]] = []
                suspects: list[tuple[SimpleRequest, Any]] = []
                envelope: list[tuple[str, Any, str, str]] = []
                for req, n in zip(requests, counts.counts, strict=True):
                    raw = {"args": list(req.args or ()), "kwargs": dict(req.kwargs or {})}
                    if n > settings.max_deliveries:
                        reason = (f"crash loop: delivery {n} of a message whose earlier {n - 1} deliveries never "
                                  f"finished (worker process died); the limit is {settings.max_deliveries} "
                                  "(TRIAGE_MAX_DELIVERIES)")
                        envelope.append((f"{req.id}:r{_retries(req)}:crash_loop", raw, reason, "crash_loop"))
                        continue
                    payload, err = single_payload(req.args, req.kwargs)
                    if err is not None:
                        envelope.append((f"{req.id}:envelope", raw, err, "bad_envelope"))
                    elif n > 1:
                        suspects.append((req, payload))  # was in a batch whose child died: alone
                    else:
                        fresh.append((req, payload))
                if envelope:
                    try:
                        self._dead_letter_only(envelope, now=datetime.now(UTC), task_id=batch_id)
                        dead += len(envelope)
                    except StoreFailed:
                        requeue.extend(k.split(":", 1)[0] for k, *_ in envelope)
                for group in ([fresh] if fresh else []) + [[s] for s in suspects]:
                    s, d, rq = self._store_group(group, batch_id, settings)
                    stored, dead, requeue = stored + s, dead + d, requeue + rq
            except Exception:  # never let a bug ack what was not stored
                log.exception("batch_error_requeue", size=len(requests))
                return {"stored": stored, "dead": dead, "requeue": [str(r.id) for r in requests]}
            finally:
                counts.finish()
            return {"stored": stored, "dead": dead, "requeue": requeue}

        def _store_group(self, group: Sequence[tuple[SimpleRequest, Any]], batch_id: str,
                         settings: Settings) -> tuple[int, int, list[str]]:
            from triage.worker import error_summary, is_transient

            try:
                res = self.ingest_payloads([p for _, p in group], keys=[f"{r.id}:0" for r, _ in group],
                                           task_id=batch_id)
                return res["stored"], res["dead"], []
            except StoreFailed as failed:
                exc = failed.exc
            if is_transient(exc):
                return 0, 0, self._retry_later(group, exc, settings)
            if len(group) > 1:  # find the ticket the store refuses; the others are stored
                log.warning("batch_store_error_split", size=len(group), error=error_summary(exc))
                totals = [0, 0]
                requeue: list[str] = []
                for one in group:
                    s, d, rq = self._store_group([one], batch_id, settings)
                    totals[0] += s
                    totals[1] += d
                    requeue += rq
                return totals[0], totals[1], requeue
            req, payload = group[0]
            log.error("store_failed_permanently", error=error_summary(exc))
            try:
                self._dead_letter_only(
                    [(f"{req.id}:r{_retries(req)}:store_error", {"args": [payload], "kwargs": {}},
                      f"store error: {type(exc).__name__}: {exc}"[:4000], "store_error")],
                    now=datetime.now(UTC), task_id=str(req.id))
                return 0, 1, []
            except StoreFailed:
                return 0, 0, [str(req.id)]

        def _retry_later(self, group: Sequence[tuple[SimpleRequest, Any]], exc: BaseException,
                         settings: Settings) -> list[str]:
            """Re-publish each message as a retry (a new message: fresh delivery count) with backoff."""
            from triage.worker import INGEST, error_summary, retry_delay

            requeue: list[str] = []
            log.warning("store_retry_batch", size=len(group), error=error_summary(exc))
            for req, _payload in group:
                retries = _retries(req)
                countdown = retry_delay(retries, settings)
                try:
                    self.app.send_task(INGEST, args=list(req.args or ()), kwargs=dict(req.kwargs or {}),
                                       task_id=req.id, retries=retries + 1, countdown=countdown,
                                       queue=settings.queue)
                except Exception as pub_exc:  # broker down too: the original stays in the queue
                    log.error("retry_not_published_requeue", error=f"{type(pub_exc).__name__}: {pub_exc}"[:300])
                    requeue.append(str(req.id))
            return requeue  # the others are acked by the main process: their retries are published

    return BatchedIngestTask


def register(app: Celery, base: type, name: str, settings: Settings) -> Any:
    """Register `name` as the batched single-ticket task on `app`."""
    cls = make_batched_task_class(base)

    def _run(self: Any, requests: Sequence[SimpleRequest]) -> dict[str, Any]:
        return self.run_batch(requests)

    return app.task(
        name=name, bind=True, base=cls, flush_every=settings.batch_flush_every,
        flush_interval=settings.batch_flush_interval_ms / 1000.0,
    )(_run)
