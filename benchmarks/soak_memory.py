"""Soak: push many tickets through a real worker and print its memory (RSS) as it goes.

    .venv/bin/python benchmarks/soak_memory.py [--tickets 50000] [--batch 100] [--interval 5]

Uses TRIAGE_BROKER_URL (default: the local Redis) and a throw-away PostgreSQL database created on
TRIAGE_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres), or TRIAGE_DATABASE_URL
when set. Prints one line per sample — elapsed, results stored, main-process RSS, each pool process's
RSS — then the first/last/max figures. Flat means the last samples sit near the first ones after warm-up;
`worker_max_memory_per_child` (TRIAGE_WORKER_MAX_MEMORY_PER_CHILD_KIB) is the backstop if they do not.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    ap.add_argument("--concurrency", type=int, default=2)
    args = ap.parse_args()
    # SIGTERM/SIGINT still stop the worker and drop the throw-away database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import psycopg
    from sqlalchemy import create_engine, func, select

    from triage import migrate
    from triage.benchdata import _requester_name
    from triage.db import normalise_url
    from triage.models import TriageResult
    from triage.settings import Settings
    from triage.worker import INGEST_MANY, create_app

    broker = os.environ.get("TRIAGE_BROKER_URL") or "redis://127.0.0.1:6379/0"
    admin = os.environ.get("TRIAGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    own_db = not os.environ.get("TRIAGE_DATABASE_URL")
    name = f"triage_soak_{uuid.uuid4().hex[:10]}"
    if own_db:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db_url = urlparse(admin)._replace(path=f"/{name}").geturl()
    else:
        db_url = os.environ["TRIAGE_DATABASE_URL"]
    queue = f"triage-soak-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "TRIAGE_BROKER_URL": broker, "TRIAGE_DATABASE_URL": db_url, "TRIAGE_QUEUE": queue,
           "TRIAGE_LOG_LEVEL": "WARNING", "TRIAGE_LOG_FORMAT": "json"}
    worker = None
    try:
        migrate.upgrade(db_url)
        log = subprocess.DEVNULL
        worker = subprocess.Popen([sys.executable, "-m", "triage", "worker", f"--concurrency={args.concurrency}"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        app = create_app(Settings(broker_url=broker, queue=queue, database_url="sqlite://"))
        subjects = [
            ("Client wants to move to Telegram", "The client asked me to continue on Telegram and pay directly, "
             "and wants a copy of my passport. His number is +44 7700 900123."),
            ("Withdrawal pending", "My withdrawal is pending for three days, please check."),
            ("Paid outside the platform", "I paid the freelancer $400 by wire transfer outside the platform."),
        ]

        def produce() -> None:
            rnd = random.Random(1)
            batch: list[dict[str, object]] = []
            for i in range(args.tickets):
                s, b = subjects[i % len(subjects)]
                # Distinct contacts: one phone number shared by every ticket measures the repeat-contact
                # lookup (it grows with each report), not memory.
                b = b.replace("+44 7700 900123", f"+44 7700 {900000 + i % 100000:06d}")
                # A name per requester as real traffic has them (9 in 10 generated, see triage.benchdata):
                # the reply is greeted by name, so a memo keyed by it would grow here.
                batch.append({"source": "soak", "external_id": str(i), "subject": s, "body": f"{b} #{i}",
                              "requester": {"email": f"user{i % 5000}@example.org", "name": _requester_name(rnd)}})
                if len(batch) == args.batch:
                    app.send_task(INGEST_MANY, args=[batch], queue=queue)
                    batch = []
            if batch:
                app.send_task(INGEST_MANY, args=[batch], queue=queue)

        threading.Thread(target=produce, daemon=True).start()
        engine = create_engine(normalise_url(db_url), pool_size=1, max_overflow=0)
        t0 = time.monotonic()
        samples: list[tuple[float, int, int, list[int]]] = []
        pids: list[list[int]] = []
        print(f"{'elapsed_s':>9} {'stored':>8} {'main_MiB':>9}  pool_MiB (per process)")
        stored = 0
        while stored < args.tickets:
            time.sleep(args.interval)
            if worker.poll() is not None:
                print("worker exited", file=sys.stderr)
                return 1
            with engine.connect() as c:
                stored = c.scalar(select(func.count()).select_from(TriageResult)) or 0
            kids = children(worker.pid)
            main_rss = rss_kib(worker.pid)
            kid_rss = [rss_kib(k) for k in kids]
            samples.append((time.monotonic() - t0, stored, main_rss, kid_rss))
            pids.append(kids)
            print(f"{samples[-1][0]:9.0f} {stored:8d} {main_rss / 1024:9.1f}  "
                  + " ".join(f"{k / 1024:.1f}" for k in kid_rss), flush=True)
        engine.dispose()
        elapsed = samples[-1][0]
        warm = samples[min(2, len(samples) - 1)]
        last = samples[-1]
        peak = max(max(s[3] or [0]) for s in samples)
        print(f"\n{args.tickets} tickets in {elapsed:.0f} s ({args.tickets / elapsed:.0f}/s), "
              f"concurrency {args.concurrency}, batches of {args.batch}")
        print(f"main RSS: after warm-up {warm[2] / 1024:.1f} MiB, at the end {last[2] / 1024:.1f} MiB")
        print(f"pool RSS: after warm-up {max(warm[3] or [0]) / 1024:.1f} MiB, at the end "
              f"{max(last[3] or [0]) / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")
        # The same pool processes from warm-up to the end: flat RSS was not bought by recycling children.
        print(f"pool pids: after warm-up {sorted(pids[min(2, len(pids) - 1)])}, at the end {sorted(pids[-1])}")
        if not own_db:
            # The rows stay in a database of the caller's: leave it with planner statistics (a server without
            # autovacuum would otherwise plan the next runs on it as if the tables were empty; README
            # "Performance", "Missing planner statistics").
            from sqlalchemy import text

            from triage.bench import STORE_TABLES

            eng = create_engine(normalise_url(db_url))
            with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE " + ", ".join(STORE_TABLES)))
            eng.dispose()
            print(f"analyzed {', '.join(STORE_TABLES)} (the rows stay in TRIAGE_DATABASE_URL)")
        return 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if own_db:
            from triage import db

            db.reset_engine()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
