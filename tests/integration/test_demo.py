"""`triage demo` on the embedded default: no Redis, no PostgreSQL, a real worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_demo_runs_embedded(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    # Point broker/database at nothing that needs a server, in a scratch directory.
    env.update(TRIAGE_VAR_DIR=str(tmp_path / "var"), TRIAGE_CONFIG_DIR=str(ROOT / "config"))
    r = subprocess.run([sys.executable, "-m", "triage", "demo", "--timeout", "120"], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "embedded: kombu filesystem transport" in out
    assert "sqlite:///" in out
    assert "processed: 22 results and 3 dead letters" in out
    assert "demo:demo-001" in out and "demo:demo-022" in out
    assert "--- draft reply (for the customer) ---" in out
    assert "Dead letters" in out and "invalid ticket" in out
    assert (tmp_path / "var" / "triage.db").exists()
    # Idempotent: a second run re-triages the same tickets, still one row each.
    r2 = subprocess.run([sys.executable, "-m", "triage", "results", "--limit", "100", "--json"], env=env,
                        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r2.returncode == 0, r2.stderr
    assert len([line for line in r2.stdout.splitlines() if line.strip()]) == 22
