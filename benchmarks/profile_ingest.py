"""In-process CPU per ticket of the bulk path (what a pool child does for a `triage.ingest_many` envelope).

    TRIAGE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/triage_prof \
        .venv/bin/python benchmarks/profile_ingest.py [--tickets 5000] [--batch 500] [--repeat 5] [--profile out.prof]

Generates bench tickets (`triage.benchdata`, default mix), runs `TriageTask.ingest_payloads` on envelopes of
`--batch` tickets against the configured database (one transaction each, as the worker does), and reports
the process CPU time per ticket (time.process_time: this process only, so PostgreSQL's own CPU is not in
it), best of `--repeat` rounds after a warm-up round. Also reports the pure pipeline alone
(`pipeline.run_judged` over the validated tickets) and validation alone. Rows use source `bench` and are
deleted before and after. `--profile` writes a cProfile of one extra round.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--mix", default="scam=0.3,off=0.2,both=0.1")
    ap.add_argument("--profile", default="")
    ap.add_argument("--no-store", action="store_true", help="pipeline and validation only")
    args = ap.parse_args()
    # As `triage bench` runs its worker: WARNING logs, metrics on (multiprocess files in a scratch dir).
    os.environ.setdefault("TRIAGE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("TRIAGE_METRICS_PORT", "9")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="triage-prof-metrics-"))

    from triage import bench, pipeline
    from triage.benchdata import generate, parse_mix
    from triage.logging import configure_logging
    from triage.schemas import TicketIn
    from triage.settings import get_settings
    from triage.worker import INGEST_MANY, create_app, pipeline_config

    configure_logging(get_settings().log_level, "json")
    app = create_app()
    task = app.tasks[INGEST_MANY]
    cfg = pipeline_config()
    run_tag = uuid.uuid4().hex[:6]
    tickets = [t for _, t in generate(args.tickets, parse_mix(args.mix), prefix=f"prof{run_tag}",
                                      handle_tag=run_tag)]
    for t in tickets:
        t["metadata"]["enqueued_at"] = time.time()

    def one_round(r: int) -> float:
        # Fresh dicts each round (the worker gets freshly decoded JSON); distinct ids per round.
        payloads = copy.deepcopy(tickets)
        for t in payloads:
            t["external_id"] = f"{t['external_id']}-r{r}"
        t0 = time.process_time()
        for i in range(0, len(payloads), args.batch):
            task.ingest_payloads(payloads[i:i + args.batch], task_id=f"prof-{r}-{i}")
        return (time.process_time() - t0) / len(payloads) * 1000

    def pipeline_round() -> tuple[float, float]:
        payloads = copy.deepcopy(tickets)
        t0 = time.process_time()
        validated = [TicketIn.model_validate(p) for p in payloads]
        t1 = time.process_time()
        for t in validated:
            pipeline.run_judged(t, cfg, timer=time.perf_counter)
        t2 = time.process_time()
        return (t1 - t0) / len(payloads) * 1000, (t2 - t1) / len(payloads) * 1000

    pipeline_round()
    val, pipe = zip(*(pipeline_round() for _ in range(args.repeat)), strict=True)
    print(f"validation  {min(val):.4f} ms/ticket (best of {args.repeat})")
    print(f"pipeline    {min(pipe):.4f} ms/ticket (best of {args.repeat}; run_judged)")
    if args.no_store:
        return 0
    bench.delete_bench_rows()
    try:
        one_round(0)
        best = min(one_round(r) for r in range(1, args.repeat + 1))
        print(f"ingest      {best:.4f} ms/ticket (best of {args.repeat}; validate + pipeline + store, "
              f"this process's CPU, batches of {args.batch})")
        if args.profile:
            prof = cProfile.Profile(time.process_time)  # CPU, not waits on the server
            prof.enable()
            one_round(args.repeat + 1)
            prof.disable()
            prof.dump_stats(args.profile)
            print(f"profile written to {args.profile}")
    finally:
        bench.delete_bench_rows()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
