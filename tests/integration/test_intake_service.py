"""`triage serve` as a real process: signed webhooks → Redis → real worker → PostgreSQL → read API."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import run_cli, wait_until
from tests.helpdesk import (
    API_TOKEN,
    FRESHDESK_TOKEN,
    GENERIC_TOKEN,
    ZAMMAD_SECRET,
    ZENDESK_SECRET,
    ServeProcess,
    dumps,
    published,
    zammad_headers,
    zendesk_headers,
)
from tests.integration.test_worker_pipeline import _counts, _rows
from triage.models import Ticket

pytestmark = pytest.mark.integration

SECRETS = {"TRIAGE_ZENDESK_WEBHOOK_SECRET": ZENDESK_SECRET, "TRIAGE_ZAMMAD_WEBHOOK_SECRET": ZAMMAD_SECRET,
           "TRIAGE_FRESHDESK_WEBHOOK_TOKEN": FRESHDESK_TOKEN, "TRIAGE_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN,
           "TRIAGE_API_TOKEN": API_TOKEN}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    procs: list[ServeProcess] = []

    def start(env: dict[str, str]) -> ServeProcess:
        p = ServeProcess(env, tmp_path / f"serve-{len(procs)}.log").start()
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.stop()


def test_webhooks_to_stored_results(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                                    start_worker: Any, serve: Any) -> None:
    env = service_env(redis_url, postgres_db, **SECRETS)
    assert run_cli(["db", "upgrade"], env).returncode == 0
    api = serve(env)
    http = httpx.Client(base_url=api.url, timeout=10)
    assert http.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    run = uuid.uuid4().hex[:8]

    zd = dumps({"ticket": {"id": f"zd-{run}", "subject": "Client wants to move to Telegram",
                           "description": "The client asked me to continue on Telegram and wants a copy of my "
                                          "passport before the contract.",
                           "requester": {"email": "maria@example.org", "name": "Maria Lopez"},
                           "tags": "payments", "via": "Web Form", "created_at": "2026-11-20T14:03:00Z"}})
    inv = f"inv-{run}"
    r = http.post("/webhooks/zendesk", content=zd, headers=zendesk_headers(zd, invocation=inv))
    assert r.status_code == 202, r.text
    r = http.post("/webhooks/zendesk", content=zd, headers=zendesk_headers(zd, invocation=inv))
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    # The de-duplication key lives in Redis (shared by every intake process).
    assert redis.Redis.from_url(redis_url).ttl(f"triage:intake:delivery:zendesk:{inv}") > 0
    zm = published("zammad_ticket_create.json")
    assert http.post("/webhooks/zammad", content=zm,
                     headers=zammad_headers(zm, delivery=f"zm-{run}")).status_code == 202
    fd = published("freshdesk_ticket_created.json")
    assert http.post("/webhooks/freshdesk", content=fd, headers={"Authorization": f"Bearer {FRESHDESK_TOKEN}",
                                                                  "X-Triage-Delivery": f"fd-{run}"}).status_code == 202
    bad = http.post("/webhooks/zendesk", content=zd, headers=zendesk_headers(zd, secret="wrong"))
    assert bad.status_code == 401

    worker = start_worker(env)
    wait_until(lambda: _counts(postgres_db)["results"] >= 3, timeout=60, what="3 webhook tickets stored",
               on_timeout=lambda: worker.log() + api.log())
    rows = {(t["source"], t["external_id"]): t for t in _rows(postgres_db, Ticket)}
    assert set(rows) == {("zendesk", f"zd-{run}"), ("zammad", "81"), ("freshdesk", "11")}
    assert rows[("zendesk", f"zd-{run}")]["deliveries"] == 1  # the replay never reached the queue

    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    d = http.get(f"/tickets/zendesk/zd-{run}", headers=auth).json()
    assert "scam_suspicion" in d["categories"] and d["draft_reply"] and d["flags"] is not None
    assert http.get("/tickets/zammad/81", headers=auth).json()["status"] == "triaged"
    assert http.get(f"/tickets/zendesk/zd-{run}").status_code == 401

    # Answer latency of the intake (sequential signed generic posts, broker = local Redis).
    n = 50
    lat = []
    for i in range(n):
        body = dumps({"source": "bench", "external_id": f"{run}-{i}", "subject": "Withdrawal pending",
                      "body": "My withdrawal is pending, please check."})
        t0 = time.perf_counter()
        r = http.post("/webhooks/generic", content=body, headers={"Authorization": f"Bearer {GENERIC_TOKEN}"})
        lat.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 202
    lat.sort()
    p50, p95 = statistics.median(lat), lat[int(0.95 * n) - 1]
    print(f"\nintake answer latency over {n} signed posts: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {lat[-1]:.1f} ms")
    assert p50 < 100, lat
    wait_until(lambda: _counts(postgres_db)["results"] >= 3 + n, timeout=60, what="bench tickets stored",
               on_timeout=worker.log)


def test_readyz_reports_a_down_broker(tmp_path: Path, postgres_db: str, service_env: Any, serve: Any) -> None:
    env = service_env("redis://127.0.0.1:1/0", postgres_db, **SECRETS)
    api = serve(env)
    r = httpx.get(api.url + "/readyz", timeout=20)
    assert r.status_code == 503 and r.json()["checks"]["database"] == "ok" and r.json()["checks"]["broker"] != "ok"
    # Webhooks are refused with 503 (the helpdesk retries) instead of being lost.
    body = dumps({"source": "x", "external_id": "1", "subject": "s"})
    r = httpx.post(api.url + "/webhooks/generic", content=body, headers={"Authorization": f"Bearer {GENERIC_TOKEN}"},
                   timeout=20)
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
