"""`python tests/chaos/crashing_worker.py worker …`: a triage worker whose pool process dies (as on a
segfault or an OOM kill) while triaging any ticket whose external_id starts with `crash-me`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from triage import pipeline
from triage.cli import main

_run = pipeline.run
_run_judged = pipeline.run_judged


def _crash_if_asked(ticket: Any) -> None:
    if str(ticket.external_id).startswith("crash-me"):
        os._exit(139)


def _crashing_run(ticket: Any, *args: Any, **kwargs: Any) -> Any:
    _crash_if_asked(ticket)
    return _run(ticket, *args, **kwargs)


def _crashing_run_judged(ticket: Any, *args: Any, **kwargs: Any) -> Any:
    _crash_if_asked(ticket)
    return _run_judged(ticket, *args, **kwargs)


# Both entry points the worker uses (run_judged for a first triage, run to re-decide).
pipeline.run = _crashing_run
pipeline.run_judged = _crashing_run_judged

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
