"""CI smoke run of `triage bench` on a small N against Redis + PostgreSQL: it completes and reports
every figure (its speed is not checked here: benchmarks are commands, not timed tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.integration


def test_bench_smoke(redis_url: str, postgres_db: str, service_env: Any) -> None:
    env = service_env(redis_url, postgres_db)
    assert run_cli(["db", "upgrade"], env).returncode == 0
    r = run_cli(["bench", "-n", "300", "--naive-n", "150", "--offered-rate", "100", "--paced-seconds", "1",
                 "--base-tickets", "120", "--json"], env, timeout=280)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)
    assert report["config"]["base_tickets"] == 120
    modes = {m["mode"]: m for m in report["modes"]}
    assert set(modes) == {"naive", "batched", "bulk"}
    for m in modes.values():
        assert m["tickets_per_s"] > 0
        assert set(m["latency_ms"]) >= {"p50", "p95", "p99"}
        assert 0 < m["worker_peak_rss_mib"] < 2048
        assert m["ratio_to_naive"] is not None
        assert m["cpu_ms_per_1000"]["worker_children"] > 0
    assert modes["naive"]["ratio_to_naive"] == 1.0
    assert modes["batched"]["paced"]["latency_ms"]["p99"] > 0
    assert modes["bulk"]["batches"] >= 1
    # the store's tables were VACUUMed and ANALYZEd before measuring (as autovacuum keeps a live database),
    # and ANALYZEd again with the base tickets in them: the statistics knew of at least those 120 rows
    import psycopg

    with psycopg.connect(postgres_db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        analyzed = {r[0] for r in conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
        ).fetchall()}
        analyze_count = dict(conn.execute(
            "SELECT relname, analyze_count FROM pg_stat_user_tables").fetchall())
    assert {"tickets", "triage_results", "escalation_flags", "ticket_contacts", "contacts"} <= analyzed
    # one VACUUM ANALYZE before the run, one ANALYZE after the base, one before each of the three modes
    assert analyze_count["tickets"] >= 5
    # the bench cleans up after itself
    r = run_cli(["results", "--json", "--limit", "5"], env)
    assert r.returncode == 0 and r.stdout.strip() == ""


def test_bench_refuses_the_embedded_defaults(service_env: Any) -> None:
    env = service_env("", "")
    r = run_cli(["bench", "-n", "10"], env)
    assert r.returncode == 1
    assert "--allow-embedded" in r.stderr and "PostgreSQL" in r.stderr


def test_bench_text_report(redis_url: str, postgres_db: str, service_env: Any) -> None:
    env = service_env(redis_url, postgres_db)
    assert run_cli(["db", "upgrade"], env).returncode == 0
    r = run_cli(["bench", "-n", "100", "--modes", "bulk", "--batch", "50", "--base-tickets", "0"], env, timeout=200)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "tickets/s" in r.stdout and "p99" in r.stdout and "bulk" in r.stdout and "where the time goes" in r.stdout
