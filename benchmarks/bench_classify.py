"""Classifier throughput: tickets/s for the full classifier and for a naive baseline, in the same run.

Run: .venv/bin/python benchmarks/bench_classify.py [--seconds 3] [--file PATH.jsonl]

Tickets are the dev set's (``../shared/eval/dev.jsonl`` or $TRIAGE_EVAL_FILE) when present, else a
built-in mix of our own test tickets. Single process, single core. Baseline = the same rules with the
Aho-Corasick prefilter switched off (every signal's regex runs on every ticket). With Hyperscan
installed, the default engine is also measured: one Hyperscan scan per ticket reports which branches
(top-level alternatives) of which signals can match; `re` then runs, for those signals only, the
alternation of just those branches. The pure-`re` engine (Aho-Corasick keyword windows) is the fallback
where Hyperscan is not installed. The lexical model's pass runs in C when `triage._lexfast` is built (the
pure-Python pass is then measured too). Measures wall time: note the machine load (`uptime`) with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from triage.classify import classify, load_rules

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = Path(os.environ.get("TRIAGE_EVAL_FILE", ROOT.parent / "shared" / "eval" / "dev.jsonl"))

FALLBACK = [
    ("Withdrawal pending", "My withdrawal to my bank has been pending for 6 days. When will it arrive?"),
    (
        "Client wants Telegram",
        "Before any contract he asked me to continue on Telegram and wants my bank details.",
    ),
    (
        "Pay outside?",
        "My client of 3 years asked if he can pay me directly by bank transfer to save the fees.",
    ),
    (
        "Check",
        "He mailed me a cashier's check for $3,200 instead of $400 and wants me to wire back the difference.",
    ),
    ("Fee", "Why was a 10% service fee taken from my $200 payment? I thought it was 5%. " * 3),
]


def tickets(path: Path) -> list[tuple[str, str]]:
    if path.is_file():
        return [
            (r.get("subject", ""), r.get("body", ""))
            for r in map(json.loads, path.read_text().splitlines())
            if r
        ]
    return FALLBACK


def rate(fn: Callable[[str, str], object], data: list[tuple[str, str]], seconds: float) -> float:
    for s, b in data:  # warm-up
        fn(s, b)
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for s, b in data:
            fn(s, b)
        n += len(data)
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--file", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--config", type=Path, default=ROOT / "config")
    args = ap.parse_args()
    rules = load_rules(args.config)
    data = tickets(args.file)
    avg = sum(len(s) + len(b) for s, b in data) / len(data)
    src = args.file if args.file.is_file() else "built-in tickets"
    print(
        f"rules {rules.version}: {len(rules.signals)} signals; {len(data)} tickets from {src}, "
        f"avg {avg:.0f} chars"
    )
    from triage.classify import _hs

    if _hs is not None:
        hs = rate(lambda s, b: classify(s, b, rules, engine="hyperscan"), data, args.seconds)
        print(f"classifier (hyperscan branch gate, default):   {hs:>10,.0f} tickets/s")
    else:
        hs = 0.0
        print("classifier (hyperscan branch gate): hyperscan not installed")
    full = rate(lambda s, b: classify(s, b, rules, engine="re"), data, args.seconds)
    naive = rate(lambda s, b: classify(s, b, rules, prefilter=False), data, args.seconds)
    print(f"classifier (keyword windows only, pure re):    {full:>10,.0f} tickets/s")
    print(f"baseline (every regex on every ticket):        {naive:>10,.0f} tickets/s")
    print(f"speed-up over baseline: {max(hs, full) / naive:.1f}x")
    if rules.lexical is not None:
        import dataclasses

        alone = dataclasses.replace(rules, lexical=None)
        bare = rate(lambda s, b: classify(s, b, alone), data, args.seconds)
        print(f"rules alone (default engine, no lexical model): {bare:>9,.0f} tickets/s  "
              f"(the model's {len(rules.lexical.features):,} features cost "
              f"{1e6 / max(hs, full) - 1e6 / bare:.0f} µs per ticket)")
        from triage import lexical

        if lexical._lexfast is not None:  # the same classifier with the model's pass in Python, for comparison
            fast, lexical._lexfast = lexical._lexfast, None
            try:
                py = rate(lambda s, b: classify(s, b, rules), data, args.seconds)
            finally:
                lexical._lexfast = fast
            print(f"classifier, model pass in pure Python:         {py:>10,.0f} tickets/s  "
                  f"(the C accelerator triage._lexfast saves {1e6 / py - 1e6 / max(hs, full):.0f} µs per ticket)")
        else:
            print("model pass: pure Python (triage._lexfast is not built, or TRIAGE_PURE_PYTHON is set)")


if __name__ == "__main__":
    main()
