"""How storing a batch scales when one contact is in every ticket (the repeat-contact look-up).

    .venv/bin/python benchmarks/bench_hot_contact.py [DATABASE_URL] [--batches 60]

Prints the store time per batch of 100 tickets as earlier reports of the same Telegram handle pile
up. Flat is the goal: the look-up reads the latest reports per contact through an index, not all of
them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", nargs="?", default="", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--batches", type=int, default=60)
    args = ap.parse_args()
    os.environ["TRIAGE_DATABASE_URL"] = args.url or f"sqlite:///{tempfile.mkdtemp()}/hot.db"
    from triage import db, migrate, store
    from triage.pipeline import load_config, run
    from triage.schemas import TicketIn

    migrate.upgrade()
    cfg = load_config(Path(__file__).resolve().parent.parent / "config")
    n = 0
    for b in range(args.batches):
        items = []
        for _ in range(100):
            n += 1
            t = TicketIn(source="hot", external_id=f"{time.time_ns()}-{n}", subject="Telegram recruiter",
                         body="He asked me on Telegram @hot_recruiter_x to pay a $40 fee.",
                         requester={"email": f"u{n}@example.org"})
            items.append(store.StoredItem(t, run(t, cfg)))
        t0 = time.perf_counter()
        with db.session_scope() as s:
            store.save_outcomes(session=s, items=items, now=datetime.now(UTC),
                                refine=lambda it, fl: run(it.ticket, cfg, extra_flags=fl))
        if b % 10 == 0 or b == args.batches - 1:
            print(f"earlier reports of the handle: {b * 100:>6}   store: {1000 * (time.perf_counter() - t0):6.0f} ms"
                  " per 100 tickets")


if __name__ == "__main__":
    main()
