"""`triage demo`: migrate, start a real worker process, enqueue the bundled samples, print results.

With no TRIAGE_BROKER_URL / TRIAGE_DATABASE_URL it runs fully embedded (kombu filesystem transport,
SQLite in ./var); with them set, the same steps run against Redis/RabbitMQ and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from triage import db, migrate
from triage.cli import CLIError, _result_row, _safe_url, print_full, print_results_table
from triage.settings import get_settings

# Three deliberately broken messages: the demo shows they become dead letters, not crashes.
BAD_MESSAGES: list[tuple[str, list[Any]]] = [
    ("triage.ingest", [{"source": "demo", "external_id": "demo-bad-1", "subject": "", "body": "   "}]),
    ("triage.ingest", [{"source": "demo", "external_id": ["not", "an", "id"], "subject": "x", "body": "y"}]),
    ("triage.ingest", ["just a string, not a ticket"]),
]


def load_samples() -> list[dict[str, Any]]:
    text = resources.files("triage").joinpath("data/samples.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _wait(start: datetime, want_results: int, want_dead: int, timeout: float, worker: subprocess.Popen[bytes]
          ) -> tuple[int, int]:
    from triage.models import DeadLetter, Ticket, TriageResult

    deadline = time.monotonic() + timeout
    done = dead = 0
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise CLIError(f"the worker exited early with status {worker.returncode}; "
                           f"see {get_settings().var_dir / 'demo-worker.log'}")
        with db.session_scope() as s:
            done = s.scalar(
                select(func.count()).select_from(TriageResult).join(Ticket)
                .where(Ticket.source == "demo", TriageResult.updated_at >= start)
            ) or 0
            dead = s.scalar(select(func.count()).select_from(DeadLetter).where(DeadLetter.created_at >= start)) or 0
        if done >= want_results and dead >= want_dead:
            return done, dead
        time.sleep(0.3)
    return done, dead


def run_demo(*, timeout: float = 120.0, concurrency: int = 2) -> int:
    from triage.producer import submit
    from triage.worker import create_app

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    print(f"broker:   {_safe_url(settings.effective_broker_url)}"
          + ("  (embedded: kombu filesystem transport)" if settings.broker_kind == "filesystem" else ""))
    print(f"database: {_safe_url(settings.effective_database_url)}")
    migrate.upgrade()
    print(f"schema:   migrated to revision {migrate.current_revision()}")

    samples = load_samples()
    # Measured from just before enqueueing; 1 s slack for clock granularity on SQLite timestamps.
    start = datetime.now(UTC) - timedelta(seconds=1)
    log_path = settings.var_dir / "demo-worker.log"
    env = dict(os.environ)
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "triage", "worker", f"--concurrency={concurrency}", "--loglevel=INFO"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    try:
        app = create_app()
        half = len(samples) // 2
        # Half as single-ticket messages (webhook-like), half as one bulk envelope.
        submit(samples[:half], app=app, single=True)
        submit(samples[half:], app=app, batch_size=100)
        for name, args in BAD_MESSAGES:
            app.send_task(name, args=args, queue=settings.queue)
        print(f"enqueued: {len(samples)} sample tickets + {len(BAD_MESSAGES)} malformed messages; "
              f"worker pid {worker.pid} (log: {log_path})")
        t0 = time.monotonic()
        done, dead = _wait(start, len(samples), len(BAD_MESSAGES), timeout, worker)
        elapsed = time.monotonic() - t0
    finally:
        _stop(worker)
    if done < len(samples) or dead < len(BAD_MESSAGES):
        raise CLIError(f"timed out after {timeout:.0f}s: {done}/{len(samples)} results, "
                       f"{dead}/{len(BAD_MESSAGES)} dead letters; see {log_path}")
    print(f"processed: {done} results and {dead} dead letters in {elapsed:.1f}s\n")
    _report(start)
    return 0


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # warm shutdown: finish current tasks
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _report(start: datetime) -> None:
    from triage import store
    from triage.models import DeadLetter

    with db.session_scope() as s:
        tickets = store.recent_results(session=s, limit=1000)
        rows = sorted((_result_row(t) for t in tickets if t.source == "demo"), key=lambda r: r["ref"])
        showcase = next((t for t in tickets if t.result and len(t.result.categories) == 2 and t.requester_name),
                        None) or next((t for t in tickets if t.result and t.result.draft_reply), None)
        full = None
        if showcase is not None:
            r = showcase.result
            assert r is not None
            full = {**_result_row(showcase), "evidence": r.evidence, "flag_details": r.flags,
                    "draft_reply": r.draft_reply, "internal_note": r.internal_note,
                    "versions": {"kb": r.kb_version, "rules": r.rules_version, "policy": r.policy_version,
                                 "templates": r.template_version}}
        dead = list(s.scalars(select(DeadLetter).where(DeadLetter.created_at >= start).order_by(DeadLetter.id)))
        dead_rows = [(d.id, d.error_type, d.reason) for d in dead]
    print_results_table(rows)
    n_cat = sum(1 for r in rows if r["categories"])
    n_esc = sum(1 for r in rows if r["escalated"])
    print(f"\n{len(rows)} tickets: {n_cat} in a category, {n_esc} escalated, "
          f"{len(rows) - n_cat} ordinary support\n")
    print("Dead letters (malformed messages, kept with their reason):")
    for did, etype, reason in dead_rows:
        print(f"  #{did} {etype}: {reason[:150]}")
    if full is not None:
        print("\n" + "=" * 100)
        print_full(full)
    print("\nNext: `triage results`, `triage show demo:demo-004`, `triage dlq list` "
          f"(with the same TRIAGE_* settings; database {_safe_url(get_settings().effective_database_url)}).")
