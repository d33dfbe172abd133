"""Prometheus metrics: a prefork worker with TRIAGE_METRICS_PORT serves the sum of its children's samples."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_ticket, run_cli, wait_until, write_jsonl

pytestmark = pytest.mark.integration

SCAM = ("Client wants to move to Telegram",
        "The client asked me to continue on Telegram before any contract and wants a copy of my passport.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).status == 200
    except OSError:
        return False


def _scrape(port: int) -> dict[str, float]:
    """Sample name with labels → value, e.g. 'triage_tickets_processed_total{category="none",outcome="stored"}'."""
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def _sum(samples: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(prefix))


@pytest.mark.parametrize("batching", ["0", "1"])
def test_worker_metrics_move(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                             start_worker: Any, batching: str) -> None:
    port = _free_port()
    env = service_env(redis_url, postgres_db, TRIAGE_METRICS_PORT=str(port), TRIAGE_SINGLE_BATCHING=batching,
                      TRIAGE_BATCH_FLUSH_INTERVAL_MS="20")
    assert run_cli(["db", "upgrade"], env).returncode == 0
    worker = start_worker(env, concurrency=2)
    wait_until(lambda: _up(port), timeout=60, what="the metrics endpoint", on_timeout=worker.log)

    now = time.time()
    tickets: list[Any] = [make_ticket(f"m{i}", "Withdrawal", f"Withdrawal #{i} pending", metadata={"enqueued_at": now})
                          for i in range(20)]
    tickets.append(make_ticket("scam", *SCAM, metadata={"enqueued_at": now}))
    tickets.append({"source": "test", "external_id": "bad", "subject": 1, "body": None})
    f = write_jsonl(tmp_path / "t.jsonl", tickets)
    assert run_cli(["submit", str(f), "--single", "--raw"], env).returncode == 0
    assert run_cli(["submit", str(f), "--batch", "10", "--raw"], env).returncode == 0

    def moved() -> bool:
        s = _scrape(port)
        return _sum(s, "triage_tickets_processed_total{") >= 44
    wait_until(moved, timeout=60, what="42 stored + 2 dead tickets counted", on_timeout=worker.log)
    s = _scrape(port)
    assert s['triage_tickets_processed_total{category="none",outcome="stored"}'] == 40
    assert s['triage_tickets_processed_total{category="scam_suspicion",outcome="stored"}'] == 2
    assert s['triage_dead_letters_total{error_type="validation"}'] == 2
    assert s["triage_pipeline_seconds_count"] == 42
    assert s["triage_end_to_end_seconds_count"] == 42
    assert s["triage_store_seconds_count"] >= 2
    assert _sum(s, "triage_batch_size_count") >= 2
    assert s['triage_batch_size_count{task="triage.ingest_many"}'] == 3
    if batching == "1":  # 22 singles went through in fewer transactions than messages
        assert s['triage_batch_size_count{task="triage.ingest"}'] < 22
        assert s['triage_batch_size_sum{task="triage.ingest"}'] == 22

    # Bound to the loopback address by default (TRIAGE_METRICS_HOST): another address of this host is refused.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.1.1", port), timeout=2).close()
    # The worker's own samples directory (TRIAGE_VAR_DIR/metrics/<pid>) goes when it stops.
    metrics_root = Path(env["TRIAGE_VAR_DIR"]) / "metrics"
    assert [p.name for p in metrics_root.iterdir()] == [str(worker.proc.pid)]
    worker.stop()
    assert list(metrics_root.iterdir()) == [], "the stopped worker left its samples directory"
