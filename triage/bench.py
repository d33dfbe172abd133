"""`triage bench`: end-to-end throughput and latency against the configured broker and database.

For each mode it starts its own worker processes on a fresh queue, enqueues N generated tickets and
waits until all of them are committed:

* `naive`   — one `triage.ingest` message, one task and one commit per ticket (batching off): the baseline;
* `batched` — the same single-ticket messages, buffered by the worker (`TRIAGE_SINGLE_BATCHING=1`);
* `bulk`    — `triage.ingest_many` envelopes of `--batch` tickets.

Throughput is tickets / (first enqueue → last ticket visible as committed). Latency per ticket is
`metadata.enqueued_at` (stamped by the bench just before sending) → the result's `updated_at` (the start of
the store transaction that wrote it). With `--offered-rate R` the single-ticket modes also run a paced
phase at R tickets/s, whose latency is the one that matters for webhooks (a saturated run's latency is
just queueing). Worker RSS is sampled every 100 ms; CPU seconds per component (worker main process =
Celery consumer, pool children, the bench's producer, Redis/RabbitMQ, PostgreSQL) come from psutil and the
pipeline/store split from the worker's own Prometheus metrics.

The store the modes write to is not empty: before the first mode the bench stores `--base-tickets` tickets
(default 10,000; in-process, through the same `ingest_payloads` a bulk worker runs; not measured) and
ANALYZEs, and each mode's rows stay for the next one, so every mode runs against tables that hold tickets
and statistics that describe them, as on a live service. (An empty table that was just VACUUMed or
ANALYZEd is planned as empty: each worker connection then caches sequential scans for its foreign-key
checks and look-ups, and every ticket stored scans the tickets stored before it — 80 million rows read for
10,000 tickets, PostgreSQL CPU per ticket ≈ 5× and batched throughput ⅔ of what a live store gives.
`--base-tickets 0` measures that cold start.)

Bench rows use source `bench`; leftovers of an interrupted run are deleted and VACUUMed before the run,
and the run's rows at the end (`--keep` keeps them).
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from triage.benchdata import generate, parse_mix
from triage.settings import Settings, get_settings

SOURCE = "bench"
MODES = ("naive", "batched", "bulk")
MIB = 1024 * 1024


class BenchError(Exception):
    """Refusal or failure with a one-line reason."""


@dataclass
class ModeResult:
    mode: str
    tickets: int
    seconds: float
    tickets_per_s: float
    latency_ms: dict[str, float]
    worker_peak_rss_mib: float  # the largest single worker process (main or pool child)
    worker_main_rss_mib: float
    worker_child_rss_mib: list[float]  # peak per pool child
    child_rss_growth_mib: float  # last sample minus first sample after warm-up, summed over children
    cpu_ms_per_1000: dict[str, float]
    worker_split_ms_per_1000: dict[str, float]
    batches: int | None = None
    ratio_to_naive: float | None = None
    paced: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# services


def check_services(settings: Settings, allow_embedded: bool) -> None:
    from sqlalchemy.engine import make_url

    from triage.db import normalise_url

    db_backend = make_url(normalise_url(settings.effective_database_url)).get_backend_name()
    problems = []
    if settings.broker_kind not in {"redis", "amqp"}:
        problems.append(f"the broker is {settings.broker_kind!r} (set TRIAGE_BROKER_URL=redis://… or amqp://…)")
    if db_backend != "postgresql":
        problems.append(f"the database is {db_backend!r} (set TRIAGE_DATABASE_URL=postgresql://…)")
    if problems and not allow_embedded:
        raise BenchError("triage bench measures the real stack (Redis or RabbitMQ, and PostgreSQL): "
                         + "; ".join(problems) + ". The embedded defaults would measure the wrong thing; "
                         "--allow-embedded runs anyway")


def _engine() -> Any:
    from triage import db

    return db.get_engine()


def _check_schema() -> None:
    from triage import migrate

    cur, head = migrate.current_revision(), migrate.head_revision()
    if cur != head:
        raise BenchError(f"database schema is at {cur or '(empty)'}, not {head}: run `triage db upgrade` first")


def delete_bench_rows() -> None:
    from sqlalchemy import text

    with _engine().begin() as c:
        c.execute(text("DELETE FROM tickets WHERE source = :s"), {"s": SOURCE})
        c.execute(text("DELETE FROM dead_letters WHERE source = :s"), {"s": SOURCE})


STORE_TABLES = ("tickets", "triage_results", "escalation_flags", "contacts", "ticket_contacts", "dead_letters")


def analyze_store_tables() -> bool:
    """PostgreSQL: ANALYZE the store's tables (statistics that describe them now). False elsewhere."""
    from sqlalchemy import text

    eng = _engine()
    if eng.dialect.name != "postgresql":
        return False
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE " + ", ".join(STORE_TABLES)))
    return True


def store_base(n: int, *, settings: Settings, mix: dict[str, float], run_id: str, seed: int, batch: int) -> float:
    """Store `n` bench tickets in this process, through the bulk task's own `ingest_payloads` (one
    transaction per `batch`), then ANALYZE; returns the seconds it took (not part of any mode's figures).
    Their contacts are their own (`handle_tag`), so the measured tickets repeat none of them."""
    from triage.worker import INGEST_MANY, create_app

    t0 = time.monotonic()
    if n > 0:
        task = create_app(settings.model_copy(update={"single_batching": False})).tasks[INGEST_MANY]
        tickets = [t for _, t in generate(n, mix, prefix=f"{run_id}-base", seed=seed + 2, source=SOURCE,
                                          handle_tag=f"{run_id}b")]
        size = max(1, min(batch, settings.max_batch))
        for i in range(0, n, size):
            task.ingest_payloads(tickets[i:i + size], task_id=f"bench-base-{run_id}-{i}")
    analyze_store_tables()
    return time.monotonic() - t0


def vacuum_analyze_store_tables() -> bool:
    """PostgreSQL: VACUUM ANALYZE the store's tables before the run (outside the timed window), so every
    run sees the tables autovacuum keeps on a live database. Without statistics (autovacuum off, a fresh bulk
    load) the planner reads `ticket_id = ANY(:ids)` as a large share of the table and picks sequential scans
    (2–4× slower on a 1M-result database); without VACUUM the rows earlier runs deleted stay as dead index
    entries and versions every upsert walks past (three runs on one database: PostgreSQL CPU per ticket 10×
    the fresh figure, bench throughput a third). False on other dialects. (README "Performance".)"""
    from sqlalchemy import text

    eng = _engine()
    if eng.dialect.name != "postgresql":
        return False
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:  # VACUUM refuses a transaction
        c.execute(text("VACUUM ANALYZE " + ", ".join(STORE_TABLES)))
    return True


def committed_count(prefix: str) -> int:
    from sqlalchemy import text

    with _engine().connect() as c:
        return int(c.scalar(text(
            "SELECT count(*) FROM triage_results r JOIN tickets t ON t.id = r.ticket_id "
            "WHERE t.source = :s AND t.external_id LIKE :p"), {"s": SOURCE, "p": prefix + "-%"}) or 0)


def committed_ids(external_ids: Sequence[str]) -> set[str]:
    """Which of these bench tickets have a result (a few index look-ups)."""
    from sqlalchemy import bindparam, text

    with _engine().connect() as c:
        stmt = text("SELECT t.external_id FROM tickets t JOIN triage_results r ON r.ticket_id = t.id "
                    "WHERE t.source = :s AND t.external_id IN :ids").bindparams(bindparam("ids", expanding=True))
        return set(c.scalars(stmt, {"s": SOURCE, "ids": list(external_ids)}))


def latencies_ms(prefix: str) -> list[float]:
    """Per ticket: enqueue stamp → result updated_at, in milliseconds."""
    from sqlalchemy import text

    from triage.db import normalise_url

    pg = normalise_url(get_settings().effective_database_url).startswith("postgresql")
    enq = "(t.metadata ->> 'enqueued_at')::float8" if pg else "json_extract(t.metadata, '$.enqueued_at')"
    upd = "extract(epoch from r.updated_at)" if pg else "r.updated_at"
    with _engine().connect() as c:
        rows = c.execute(text(
            f"SELECT {enq} AS enq, {upd} AS upd FROM triage_results r JOIN tickets t ON t.id = r.ticket_id "
            "WHERE t.source = :s AND t.external_id LIKE :p"), {"s": SOURCE, "p": prefix + "-%"}).all()
    out = []
    for enq_s, upd_s in rows:
        if enq_s is None or upd_s is None:
            continue
        if isinstance(upd_s, str):  # SQLite: an ISO string (PostgreSQL: numeric epoch seconds)
            from datetime import datetime

            upd_s = datetime.fromisoformat(upd_s).timestamp()
        out.append(max(0.0, (float(upd_s) - float(enq_s)) * 1000.0))
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    v = sorted(values)

    def pct(p: float) -> float:
        return round(v[min(len(v) - 1, max(0, math.ceil(p / 100.0 * len(v)) - 1))], 2)  # nearest rank

    return {"p50": pct(50), "p95": pct(95), "p99": pct(99), "max": round(v[-1], 2),
            "mean": round(statistics.fmean(v), 2)}


# ---------------------------------------------------------------------------------------------
# workers and measurement


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Workers:
    """`triage worker` as a child process on the bench queue, with metrics on a private port."""

    def __init__(self, *, queue: str, concurrency: int, batching: bool, settings: Settings, log_path: Path,
                 extra_env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.hostname = f"bench-{uuid.uuid4().hex[:8]}@%h"
        self.metrics_dir = tempfile.mkdtemp(prefix="triage-bench-metrics-")
        env = dict(os.environ)
        env.update(
            TRIAGE_QUEUE=queue, TRIAGE_SINGLE_BATCHING="1" if batching else "0",
            TRIAGE_LOG_LEVEL="WARNING", TRIAGE_METRICS_PORT=str(self.port),
            PROMETHEUS_MULTIPROC_DIR=self.metrics_dir, TRIAGE_WORKER_CONCURRENCY=str(concurrency),
        )
        env.update(extra_env or {})
        self.env = env
        self.concurrency = concurrency
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Workers:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "triage", "worker", f"--concurrency={self.concurrency}", "--pool=prefork",
             f"--hostname={self.hostname}", "--loglevel=WARNING"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, app: Any, timeout: float = 60.0) -> None:
        name = self.hostname.replace("%h", socket.gethostname())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise BenchError(f"the worker exited at start-up (log: {self.log_path})")
            with suppress(Exception):
                if app.control.ping(destination=[name], timeout=0.5):
                    return
            time.sleep(0.2)
        raise BenchError(f"the worker did not become ready within {timeout:.0f}s (log: {self.log_path})")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def scrape(self) -> dict[str, float]:
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5).read().decode()
        except OSError:
            return {}
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, _, v = line.rpartition(" ")
                with suppress(ValueError):
                    out[k] = float(v)
        return out


class Sampler(threading.Thread):
    """Worker RSS every 100 ms, per process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.main = psutil.Process(pid)
        self.peak_main = 0
        self.peak_child: dict[int, int] = {}
        self.first_child: dict[int, int] = {}
        self.last_child: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(0.1)

    def sample(self) -> None:
        with suppress(Exception):
            self.peak_main = max(self.peak_main, self.main.memory_info().rss)
            for ch in self.main.children(recursive=True):
                with suppress(Exception):
                    rss = ch.memory_info().rss
                    self.peak_child[ch.pid] = max(self.peak_child.get(ch.pid, 0), rss)
                    self.first_child.setdefault(ch.pid, rss)
                    self.last_child[ch.pid] = rss

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)
        self.sample()


def _cpu_groups(worker_pid: int | None) -> dict[str, float]:
    """CPU seconds (user+system) so far of each component on this machine."""
    import psutil

    groups = {"worker_main": 0.0, "worker_children": 0.0, "producer": 0.0, "broker": 0.0, "postgres": 0.0}
    me = psutil.Process()
    t = me.cpu_times()
    groups["producer"] = t.user + t.system
    if worker_pid:
        with suppress(Exception):
            wp = psutil.Process(worker_pid)
            t = wp.cpu_times()
            groups["worker_main"] = t.user + t.system
            for ch in wp.children(recursive=True):
                with suppress(Exception):
                    t = ch.cpu_times()
                    groups["worker_children"] += t.user + t.system
    for p in psutil.process_iter(["name", "cmdline"]):
        with suppress(Exception):
            name = (p.info.get("name") or "").lower()
            cmd = " ".join(p.info.get("cmdline") or []).lower()
            key = None
            if name.startswith("postgres") or cmd.startswith("postgres"):
                key = "postgres"
            elif name.startswith("redis-server") or "beam.smp" in name or "rabbitmq" in cmd:
                key = "broker"
            if key:
                t = p.cpu_times()
                groups[key] += t.user + t.system
    return groups


# ---------------------------------------------------------------------------------------------
# sending


def _producer_app(settings: Settings, queue: str) -> Any:
    from triage.worker import create_app

    return create_app(settings.model_copy(update={"queue": queue, "single_batching": False}))


def send(app: Any, mode: str, tickets: list[dict[str, Any]], *, queue: str, batch: int,
         rate: float | None = None) -> float:
    """Enqueue; returns the time of the first send. Each ticket is stamped just before it is sent."""
    from triage.worker import INGEST, INGEST_MANY

    t0 = time.time()
    start = time.monotonic()
    with app.producer_or_acquire() as producer:
        if mode == "bulk":
            for i in range(0, len(tickets), batch):
                chunk = tickets[i:i + batch]
                now = time.time()
                for t in chunk:
                    t["metadata"]["enqueued_at"] = now
                app.send_task(INGEST_MANY, args=[chunk], queue=queue, producer=producer)
        else:
            for i, t in enumerate(tickets):
                if rate:
                    delay = start + i / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                t["metadata"]["enqueued_at"] = time.time()
                app.send_task(INGEST, args=[t], queue=queue, producer=producer)
    return t0


# Single-ticket modes: the last tickets sent are looked up until they are committed, then the full count.
LAST_SENT_PROBED = 64


def wait_committed(prefix: str, n: int, timeout: float, worker: Workers, envelopes: Sequence[str] = ()) -> float:
    """When the last of the run's `n` tickets was seen committed (polled every 20 ms).

    `envelopes`: the last ticket of each ingest_many envelope (bulk), or the last `LAST_SENT_PROBED`
    tickets sent (single-ticket modes: consumed in order, they commit last but for stragglers). While some
    are pending only those are looked up (a few index probes per poll); counting every row of the run 50
    times a second cost the database more CPU than storing them. The full count confirms at the end (and
    is polled instead if it disagrees), so a straggler only delays the end, never shortens it."""
    deadline = time.monotonic() + timeout
    pending = list(envelopes)
    while True:
        if pending:
            done = committed_ids(pending)
            pending = [x for x in pending if x not in done]
        if not pending:
            seen = time.time()
            if committed_count(prefix) >= n:
                return seen
        if worker.proc is not None and worker.proc.poll() is not None:
            raise BenchError(f"the worker died (log: {worker.log_path})")
        if time.monotonic() > deadline:
            raise BenchError(f"only {committed_count(prefix)} of {n} tickets committed after {timeout:.0f}s "
                             f"(worker log: {worker.log_path})")
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# one mode


@contextmanager
def _workers(**kw: Any) -> Iterator[Workers]:
    w = Workers(**kw).start()
    try:
        yield w
    finally:
        w.stop()
        import shutil

        shutil.rmtree(w.metrics_dir, ignore_errors=True)


def run_mode(mode: str, *, n: int, args: Any, settings: Settings, run_id: str, queue: str, app: Any,
             mix: dict[str, float], log_dir: Path) -> ModeResult:
    analyze_store_tables()  # the rows stored so far (base and earlier modes) are in the statistics
    prefix = f"{run_id}-{mode}"
    tickets = [t for _, t in generate(n, mix, prefix=prefix, seed=args.seed, source=SOURCE, handle_tag=run_id)]
    with _workers(queue=queue, concurrency=args.concurrency, batching=(mode == "batched"), settings=settings,
                  log_path=log_dir / f"worker-{mode}.log",
                  extra_env={"TRIAGE_BATCH_FLUSH_EVERY": str(args.flush_every),
                             "TRIAGE_BATCH_FLUSH_INTERVAL_MS": str(args.flush_interval_ms)}) as w:
        w.wait_ready(app)
        assert w.proc is not None
        sampler = Sampler(w.proc.pid)
        sampler.start()
        cpu0 = _cpu_groups(w.proc.pid)
        t0 = send(app, mode, tickets, queue=queue, batch=args.batch)
        envelopes = ([tickets[min(i + args.batch, n) - 1]["external_id"] for i in range(0, n, args.batch)]
                     if mode == "bulk" else [t["external_id"] for t in tickets[-LAST_SENT_PROBED:]])
        t_end = wait_committed(prefix, n, args.timeout, w, envelopes)
        cpu1 = _cpu_groups(w.proc.pid)
        metrics = w.scrape()
        sampler.stop()
        # RSS flatness: first vs last sample of each child during the run
        growth = sum(sampler.last_child.get(pid, 0) - first for pid, first in sampler.first_child.items())
        paced = None
        if args.offered_rate and mode in ("naive", "batched"):
            paced = run_paced(mode, args=args, run_id=run_id, queue=queue, app=app, mix=mix, worker=w)
    seconds = max(1e-6, t_end - t0)
    lat = percentiles(latencies_ms(prefix))
    per_k = 1000.0 / n
    cpu = {k: round((cpu1[k] - cpu0[k]) * 1000.0 * per_k, 1) for k in cpu0}
    split = {
        "pipeline": round(metrics.get("triage_pipeline_seconds_sum", 0.0) * 1000.0 * per_k, 1),
        "store_transaction": round(metrics.get("triage_store_seconds_sum", 0.0) * 1000.0 * per_k, 1),
    }
    batches = int(sum(v for k, v in metrics.items() if k.startswith("triage_batch_size_count")))
    peak_children = [round(v / MIB, 1) for v in sampler.peak_child.values()]
    return ModeResult(
        mode=mode, tickets=n, seconds=round(seconds, 3), tickets_per_s=round(n / seconds, 1), latency_ms=lat,
        worker_peak_rss_mib=round(max([sampler.peak_main / MIB, *peak_children]), 1),
        worker_main_rss_mib=round(sampler.peak_main / MIB, 1), worker_child_rss_mib=peak_children,
        child_rss_growth_mib=round(growth / MIB, 1), cpu_ms_per_1000=cpu, worker_split_ms_per_1000=split,
        batches=batches or None, paced=paced,
    )


def run_paced(mode: str, *, args: Any, run_id: str, queue: str, app: Any, mix: dict[str, float],
              worker: Workers) -> dict[str, Any]:
    """Latency at a fixed offered load: `--offered-rate` tickets/s for `--paced-seconds`."""
    m = max(1, int(args.offered_rate * args.paced_seconds))
    prefix = f"{run_id}-{mode}-paced"
    tickets = [t for _, t in generate(m, mix, prefix=prefix, seed=args.seed + 1, source=SOURCE, handle_tag=run_id)]
    t0 = send(app, mode, tickets, queue=queue, batch=args.batch, rate=args.offered_rate)
    sent_s = time.time() - t0
    wait_committed(prefix, m, args.timeout, worker)
    return {"offered_rate": args.offered_rate, "tickets": m, "achieved_send_rate": round(m / max(sent_s, 1e-6), 1),
            "latency_ms": percentiles(latencies_ms(prefix))}


# ---------------------------------------------------------------------------------------------
# the command


def add_arguments(p: Any) -> None:
    """`triage bench` options (kept here so the CLI module stays a thin dispatcher)."""
    from triage.cli import _int_in

    p.add_argument("-n", type=_int_in(1, 10**8), default=20000, help="tickets per mode (default 20000)")
    p.add_argument("--naive-n", type=_int_in(0, 10**8), default=0,
                   help="tickets for the naive baseline (default min(N, 5000))")
    p.add_argument("--modes", default=",".join(MODES), help="subset of naive,batched,bulk (default all)")
    p.add_argument("--mix", default="scam=0.3,off=0.2,both=0.1",
                   help="category shares; the rest are neither (default scam=0.3,off=0.2,both=0.1)")
    p.add_argument("--concurrency", "-c", type=_int_in(1, 256), default=2, help="worker processes (default 2)")
    p.add_argument("--batch", type=_int_in(1, 100_000), default=500,
                   help="tickets per ingest_many envelope in bulk mode")
    p.add_argument("--flush-every", type=_int_in(1, 100_000), default=100,
                   help="batched mode: TRIAGE_BATCH_FLUSH_EVERY")
    p.add_argument("--flush-interval-ms", type=_int_in(1, 600_000), default=50,
                   help="batched mode: TRIAGE_BATCH_FLUSH_INTERVAL_MS")
    p.add_argument("--offered-rate", type=float, default=0.0,
                   help="also measure single-ticket latency at this offered load (tickets/s), e.g. 300")
    p.add_argument("--paced-seconds", type=float, default=10.0, help="length of the paced phase (default 10)")
    p.add_argument("--seed", type=int, default=7, help="ticket generator seed")
    p.add_argument("--timeout", type=float, default=600.0, help="give up on a mode after this many seconds")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--base-tickets", type=_int_in(0, 10**8), default=10000,
                   help="tickets stored (not measured) before the first mode, so the modes write to a store "
                        "that holds tickets, with statistics (default 10000; 0: an empty store)")
    p.add_argument("--keep", action="store_true", help="keep the bench rows (source 'bench') afterwards")
    p.add_argument("--allow-embedded", action="store_true",
                   help="run against the embedded filesystem broker / SQLite (figures are not meaningful)")


def run(args: Any) -> int:
    settings = get_settings()
    check_services(settings, args.allow_embedded)
    _check_schema()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise BenchError(f"--modes takes a comma-separated subset of {', '.join(MODES)}, not {args.modes!r}")
    try:
        mix = parse_mix(args.mix)
    except ValueError as exc:
        raise BenchError(str(exc)) from exc
    if args.batch > settings.max_batch:
        raise BenchError(f"--batch {args.batch} exceeds TRIAGE_MAX_BATCH ({settings.max_batch})")
    run_id = uuid.uuid4().hex[:8]
    queue = f"triage-bench-{run_id}"
    log_dir = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    app = _producer_app(settings, queue)
    results: list[ModeResult] = []
    naive_n = args.naive_n or min(args.n, 5000)
    if args.base_tickets < 0:
        raise BenchError("--base-tickets must be 0 or more")
    def _terminated(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        delete_bench_rows()  # an interrupted run's leftovers
        vacuum_analyze_store_tables()
        if not args.json:
            print(f"… base: storing {args.base_tickets} tickets (not measured)", file=sys.stderr, flush=True)
        base_s = store_base(args.base_tickets, settings=settings, mix=mix, run_id=run_id, seed=args.seed,
                            batch=args.batch)
        for mode in modes:
            if not args.json:
                print(f"… {mode}: {naive_n if mode == 'naive' else args.n} tickets", file=sys.stderr, flush=True)
            results.append(run_mode(mode, n=naive_n if mode == "naive" else args.n, args=args, settings=settings,
                                    run_id=run_id, queue=queue, app=app, mix=mix, log_dir=log_dir))
    finally:
        signal.signal(signal.SIGTERM, previous)
        with suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        if settings.broker_kind == "redis":  # kombu's binding record of the run's queue
            with suppress(Exception):
                import redis

                redis.Redis.from_url(settings.effective_broker_url).delete(f"_kombu.binding.{queue}")
        if not args.keep:
            with suppress(Exception):
                delete_bench_rows()
    base = next((r for r in results if r.mode == "naive"), None)
    for r in results:
        if base is not None and base.tickets_per_s > 0:
            r.ratio_to_naive = round(r.tickets_per_s / base.tickets_per_s, 2)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "config": {"n": args.n, "naive_n": naive_n, "mix": mix, "concurrency": args.concurrency,
                   "bulk_batch": args.batch, "flush_every": args.flush_every,
                   "flush_interval_ms": args.flush_interval_ms, "offered_rate": args.offered_rate,
                   "broker": settings.broker_kind, "worker_logs": str(log_dir),
                   "base_tickets": args.base_tickets, "base_seconds": round(base_s, 1)},
        "modes": [asdict(r) for r in results],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


def print_report(report: dict[str, Any]) -> None:
    c = report["config"]
    print(f"triage bench — {report['machine']['cpus']} CPUs, broker {c['broker']}, worker concurrency "
          f"{c['concurrency']}, bulk batch {c['bulk_batch']}, flush every {c['flush_every']} / "
          f"{c['flush_interval_ms']} ms, store holding {c['base_tickets']} base tickets before the first mode")
    hdr = (f"{'mode':<8} {'tickets':>7} {'tickets/s':>10} {'×naive':>7} {'p50 ms':>8} {'p95 ms':>8} "
           f"{'p99 ms':>8} {'peak RSS MiB':>12} {'RSS growth':>10}")
    print(hdr)
    print("-" * len(hdr))
    for r in report["modes"]:
        lat = r["latency_ms"]
        ratio = f"{r['ratio_to_naive']:.1f}" if r["ratio_to_naive"] is not None else "-"
        print(f"{r['mode']:<8} {r['tickets']:>7} {r['tickets_per_s']:>10.0f} {ratio:>7} {lat['p50']:>8.1f} "
              f"{lat['p95']:>8.1f} {lat['p99']:>8.1f} {r['worker_peak_rss_mib']:>12.1f} "
              f"{r['child_rss_growth_mib']:>+10.1f}")
    print("\nlatency above is enqueue → stored under saturation (all tickets sent at once: mostly queueing)")
    paced = [r for r in report["modes"] if r.get("paced")]
    for r in paced:
        p = r["paced"]
        lat = p["latency_ms"]
        print(f"{r['mode']:<8} at {p['offered_rate']:.0f} tickets/s offered ({p['tickets']} tickets): "
              f"p50 {lat['p50']:.1f} ms  p95 {lat['p95']:.1f} ms  p99 {lat['p99']:.1f} ms")
    print("\nwhere the time goes (CPU ms per 1000 tickets; pipeline/store from worker metrics, wall time):")
    for r in report["modes"]:
        cpu = r["cpu_ms_per_1000"]
        sp = r["worker_split_ms_per_1000"]
        print(f"{r['mode']:<8} worker children {cpu['worker_children']:.0f} (pipeline {sp['pipeline']:.0f}, "
              f"store txn {sp['store_transaction']:.0f}) · worker main/consumer {cpu['worker_main']:.0f} · "
              f"broker {cpu['broker']:.0f} · postgres {cpu['postgres']:.0f} · producer {cpu['producer']:.0f}"
              + (f" · {r['batches']} batches" if r.get("batches") else ""))
