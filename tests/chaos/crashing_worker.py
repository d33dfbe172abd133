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


def _crashing_run(ticket: Any, *args: Any, **kwargs: Any) -> Any:
    if str(ticket.external_id).startswith("crash-me"):
        os._exit(139)
    return _run(ticket, *args, **kwargs)


pipeline.run = _crashing_run

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
