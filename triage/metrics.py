"""Prometheus metrics of the worker, safe under Celery's prefork pool.

Enabled by `TRIAGE_METRICS_PORT` (0 = off, and then every function here is a no-op). prometheus_client
runs in multiprocess mode: each pool child writes its samples to mmap'ed files in
`PROMETHEUS_MULTIPROC_DIR`, and the worker's main process serves the sum of all of them on the port.
The directory is chosen (default `<var_dir>/metrics/<worker pid>`) and emptied before the pool forks,
and a child's live gauges are removed when it exits (`mark_process_dead`).

prometheus_client decides at import time whether it runs in multiprocess mode, so it is imported here
only after `prepare()` has set the directory (which also corrects an earlier import by someone else).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from celery import signals

from triage.logging import get_logger
from triage.settings import Settings, get_settings

log = get_logger("triage.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Latency buckets (seconds): from a single fast ticket to a queue backed up for minutes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
PIPELINE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)


def enabled() -> bool:
    """Metrics are on (a port is configured) and the multiprocess directory is set."""
    return bool(get_settings().metrics_port) and bool(os.environ.get(MULTIPROC_ENV))


def prepare(settings: Settings | None = None) -> Path | None:
    """In the worker's main process, before forking: pick and empty the multiprocess directory."""
    settings = settings or get_settings()
    if not settings.metrics_port:
        return None
    global _owned_dir
    d = os.environ.get(MULTIPROC_ENV)
    if d:
        path = Path(d)
    else:  # our own directory, per worker main process; removed when this worker shuts down
        parent = (settings.var_dir / "metrics").resolve()
        _remove_dead_workers_dirs(parent)
        path = parent / str(os.getpid())
        _owned_dir = path
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # samples of an earlier run of this worker would be summed in
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        # Already imported (Celery's command line loads plugins such as Flower, which import it) and so
        # set up for one process: switch to the mmap'ed multiprocess values before any metric exists.
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    return path


_owned_dir: Path | None = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_workers_dirs(parent: Path) -> None:
    """Directories left by workers that were killed (no shutdown ran): their pid is gone."""
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child.is_dir() and child.name.isdigit() and not _pid_alive(int(child.name)):
            shutil.rmtree(child, ignore_errors=True)


@lru_cache(maxsize=1)
def _m() -> Any:
    """The metric objects (created on first use, in whichever process records)."""
    from prometheus_client import Counter, Histogram

    class M:
        processed = Counter("triage_tickets_processed_total", "Tickets processed, by category and outcome",
                            ["category", "outcome"])
        escalated = Counter("triage_tickets_escalated_total", "Stored tickets that were escalated, by priority",
                            ["priority"])
        dead = Counter("triage_dead_letters_total", "Dead letters written by tasks, by error type", ["error_type"])
        pipeline = Histogram("triage_pipeline_seconds", "Pure pipeline time per ticket (classify, escalate, draft)",
                             buckets=PIPELINE_BUCKETS)
        store = Histogram("triage_store_seconds", "Store transaction time per batch (upserts + commit)",
                          buckets=LATENCY_BUCKETS)
        e2e = Histogram("triage_end_to_end_seconds",
                        "Enqueue (ticket metadata.enqueued_at, epoch seconds) to the start of the store transaction",
                        buckets=LATENCY_BUCKETS)
        batch = Histogram("triage_batch_size", "Tickets per stored batch, by task", ["task"], buckets=BATCH_BUCKETS)

    return M


def category_label(categories: Sequence[str]) -> str:
    cats = set(categories)
    if {"scam_suspicion", "off_platform_payment"} <= cats:
        return "both"
    if cats:
        return next(iter(cats))
    return "none"


def observe_batch(*, task: str, items: Sequence[Any], dead_types: Sequence[str], store_s: float,
                  stored_at: float | None = None) -> None:
    """One committed batch (`store.StoredItem`s and dead-letter types): per-ticket counters and
    latencies, the batch size and its store time."""
    if not enabled():
        return
    try:
        m = _m()
        stored_at = stored_at if stored_at is not None else time.time()
        outcomes = [it.outcome for it in items]
        enqueued_at = [(it.ticket.metadata or {}).get("enqueued_at") for it in items]
        cats = Tally(category_label(o.categories) for o in outcomes)
        for cat, n in cats.items():
            m.processed.labels(cat, "stored").inc(n)
        for prio, n in Tally(o.priority for o in outcomes if o.escalated).items():
            m.escalated.labels(prio).inc(n)
        for o in outcomes:
            m.pipeline.observe(o.pipeline_ms / 1000.0)
        for enq in enqueued_at:
            if isinstance(enq, int | float) and not isinstance(enq, bool) and 0 < enq <= stored_at + 5:
                m.e2e.observe(max(0.0, stored_at - float(enq)))
        if outcomes:
            m.store.observe(store_s)
        m.batch.labels(task).observe(len(outcomes) + len(dead_types))
        observe_dead(dead_types)
    except Exception as exc:  # metrics never fail a ticket
        log.warning("metrics_failed", error=f"{type(exc).__name__}: {exc}"[:200])


def observe_dead(error_types: Iterable[str]) -> None:
    """Dead letters that were committed."""
    if not enabled():
        return
    try:
        m = _m()
        for etype, n in Tally(error_types).items():
            m.dead.labels(etype).inc(n)
            m.processed.labels("unknown", "dead_letter").inc(n)
    except Exception as exc:
        log.warning("metrics_failed", error=f"{type(exc).__name__}: {exc}"[:200])


def serve(port: int, addr: str = "127.0.0.1") -> Any:
    """Serve the summed samples of every process (worker main process)."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return start_http_server(port, addr=addr, registry=registry)


# --- worker lifecycle ---------------------------------------------------------------------------


@signals.worker_init.connect
def _start_server(**_: Any) -> None:
    settings = get_settings()
    if not settings.metrics_port:
        return
    if not os.environ.get(MULTIPROC_ENV):
        prepare(settings)  # started without `triage worker` (e.g. `celery -A triage.celery worker`)
    try:
        serve(settings.metrics_port, settings.metrics_host)
        log.info("metrics_serving", host=settings.metrics_host, port=settings.metrics_port,
                 dir=os.environ.get(MULTIPROC_ENV))
    except OSError as exc:
        log.error("metrics_port_unavailable", port=settings.metrics_port, error=str(exc)[:200])


@signals.worker_shutdown.connect
def _remove_own_dir(**_: Any) -> None:
    """The worker main process stops: its samples directory goes with it (a user-set one stays)."""
    if _owned_dir is not None:
        shutil.rmtree(_owned_dir, ignore_errors=True)


@signals.worker_process_shutdown.connect
def _child_exit(pid: int | None = None, **_: Any) -> None:
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())

