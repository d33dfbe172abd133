"""Write-back with real services: worker → outbox (PostgreSQL) → triage.writeback → recording Zendesk API.

Covers success, 500-then-success, permanent 4xx, exactly-once per verdict (redelivery adds nothing), no
update loop (the webhook our own update fires is ignored), and two concurrent relays on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.conftest import migrate_url, run_cli, wait_until
from tests.helpdesk import API_TOKEN, ZENDESK_SECRET, RecordingServer, ServeProcess, dumps, zendesk_headers
from tests.integration.test_worker_pipeline import _rows
from triage import db, store
from triage.db import normalise_url
from triage.models import Outbox, Ticket
from triage.pipeline import run
from triage.schemas import TicketIn

pytestmark = pytest.mark.integration

SCAM = ("Client wants to move to Telegram",
        "The client asked me to continue on Telegram and wants a copy of my passport before the contract.")
OFF = ("Paid outside the platform",
       "I paid the freelancer $400 by wire transfer outside the platform and he disappeared.")
ACTOR = "900001"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = RecordingServer().start()
    yield srv
    srv.stop()


def _outbox(url: str) -> dict[str, dict[str, Any]]:
    eng = create_engine(normalise_url(url))
    try:
        with eng.connect() as c:
            return {r["external_id"]: dict(r) for r in c.execute(select(Outbox.__table__).order_by(Outbox.id))
                    .mappings()}
    finally:
        eng.dispose()


def _webhook(ext: str, subject: str, body: str, **extra: Any) -> bytes:
    return dumps({"ticket": {"id": ext, "subject": subject, "description": body, "tags": "payments", **extra}})


def test_writeback_through_the_worker(tmp_path: Path, redis_url: str, postgres_db: str, service_env: Any,
                                      start_worker: Any, server: RecordingServer) -> None:
    env = service_env(redis_url, postgres_db, TRIAGE_WRITEBACK_ZENDESK_URL=server.url,
                      TRIAGE_WRITEBACK_ZENDESK_TOKEN="oauth-token", TRIAGE_WRITEBACK_ACTOR_ID=ACTOR,
                      TRIAGE_WRITEBACK_BACKOFF_BASE_S="0.2", TRIAGE_WRITEBACK_BACKOFF_MAX_S="0.5",
                      TRIAGE_ZENDESK_WEBHOOK_SECRET=ZENDESK_SECRET, TRIAGE_API_TOKEN=API_TOKEN)
    assert run_cli(["db", "upgrade"], env).returncode == 0
    run_id = uuid.uuid4().hex[:6]
    ok, flaky, gone = f"{run_id}1", f"{run_id}2", f"{run_id}3"
    server.by_path = {f"/api/v2/tickets/{flaky}.json": [500], f"/api/v2/tickets/{gone}.json": [404]}
    api = ServeProcess(env, tmp_path / "serve.log").start()
    worker = start_worker(env)
    try:
        http = httpx.Client(base_url=api.url, timeout=10)
        for ext, (subj, body) in ((ok, SCAM), (flaky, OFF), (gone, SCAM)):
            b = _webhook(ext, subj, body)
            r = http.post("/webhooks/zendesk", content=b, headers=zendesk_headers(b, invocation=f"i-{ext}"))
            assert r.status_code == 202, r.text

        def settled() -> bool:
            rows = _outbox(postgres_db)
            return (len(rows) == 3 and rows[ok]["status"] == "sent" and rows[flaky]["status"] == "sent"
                    and rows[gone]["status"] == "failed")

        wait_until(settled, timeout=60, what="write-backs settled",
                   on_timeout=lambda: f"{_outbox(postgres_db)}\n{worker.log()}")
        rows = _outbox(postgres_db)
        assert rows[ok]["attempts"] == 1 and rows[flaky]["attempts"] == 2
        assert rows[gone]["response_status"] == 404 and "HTTP 404" in rows[gone]["last_error"]
        sent = server.for_path(f"/api/v2/tickets/{ok}.json")
        assert len(sent) == 1 and sent[0].method == "PUT"
        t = sent[0].body["ticket"]
        assert t["comment"]["public"] is False and "Suggested reply" in t["comment"]["body"]
        assert {"triage_scam_suspicion", "triage_done"} <= set(t["additional_tags"])
        assert sent[0].headers["idempotency-key"] == rows[ok]["idempotency_key"]
        assert sent[0].headers["authorization"] == "Bearer oauth-token"
        retried = server.for_path(f"/api/v2/tickets/{flaky}.json")
        assert len(retried) == 2 and len({r.headers["idempotency-key"] for r in retried}) == 1
        d = http.get(f"/tickets/zendesk/{ok}", headers={"Authorization": f"Bearer {API_TOKEN}"}).json()
        assert d["writeback"]["status"] == "sent"

        before = len(server.requests)
        # No update loop: our PUT makes Zendesk fire its "ticket updated" trigger. That delivery carries
        # our tags and names our API user; intake must drop it.
        echo = _webhook(ok, *SCAM, tags=" ".join(t["additional_tags"]), updated_by_id=ACTOR)
        r = http.post("/webhooks/zendesk", content=echo, headers=zendesk_headers(echo, invocation=f"echo-{ok}"))
        assert r.status_code == 200 and r.json()["status"] == "ignored"
        # Exactly once per verdict: Zendesk redelivering the original (new invocation) re-triages the
        # ticket, reaches the same verdict, and writes nothing new.
        b = _webhook(ok, *SCAM)
        r = http.post("/webhooks/zendesk", content=b, headers=zendesk_headers(b, invocation=f"again-{ok}"))
        assert r.status_code == 202

        def redelivered() -> bool:
            return any(t["external_id"] == ok and t["deliveries"] == 2 for t in _rows(postgres_db, Ticket))

        wait_until(redelivered, timeout=30, what="the redelivery stored", on_timeout=worker.log)
        time.sleep(1.5)  # room for a (wrong) write-back to happen
        assert len(server.requests) == before
        assert len(_outbox(postgres_db)) == 3
        assert not any(t["external_id"] == ok and t["deliveries"] > 2 for t in _rows(postgres_db, Ticket))
    finally:
        api.stop()


def test_two_relays_on_postgres_deliver_each_row_once(monkeypatch: Any, tmp_path: Path, postgres_db: str,
                                                      service_env: Any, server: RecordingServer,
                                                      pipeline_cfg: Any) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", postgres_db)
    from triage.settings import get_settings

    get_settings.cache_clear()
    db.reset_engine()
    migrate_url(postgres_db)
    items = []
    for i in range(24):
        t = TicketIn(source="zendesk", external_id=str(1000 + i), subject=SCAM[0] if i % 2 else OFF[0],
                     body=SCAM[1] if i % 2 else OFF[1])
        items.append(store.StoredItem(t, run(t, pipeline_cfg)))
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=items, now=datetime.now(UTC), outbox_sources=("zendesk",))
    db.reset_engine()
    server.delay_s = 0.02
    env = service_env("memory://", postgres_db, TRIAGE_WRITEBACK_ZENDESK_URL=server.url)
    cmd = [sys.executable, "-m", "triage", "writeback", "run", "--once", "--limit", "4"]
    relays = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in relays]
    assert all(p.returncode == 0 for p in relays), outs
    rows = _outbox(postgres_db)
    assert len(rows) == 24 and {r["status"] for r in rows.values()} == {"sent"}
    paths = [r.path for r in server.requests]
    assert len(paths) == 24 and len(set(paths)) == 24  # each ticket written exactly once
    r = run_cli(["writeback", "status", "--json"], env)
    assert r.returncode == 0 and '"sent": 24' in r.stdout


def test_writeback_reschedules_itself_on_rabbitmq_when_a_row_is_due_within_a_second(
        amqp_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review helper-63: on RabbitMQ (quorum queue, topic exchange) Celery delays natively and refuses a
    countdown under one second; the next write-back run, due in 0.4 s, raised ValueError and was never sent."""
    import types

    from triage import writeback as wb
    from triage.settings import get_settings
    from triage.worker import create_app

    queue = f"triage-wb-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("TRIAGE_BROKER_URL", amqp_url)
    monkeypatch.setenv("TRIAGE_QUEUE", queue)
    monkeypatch.setenv("TRIAGE_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    app = create_app()
    monkeypatch.setattr(wb, "drain", lambda **_: {"pending": 2})  # rows left pending (a 5xx, a 429)
    monkeypatch.setattr(wb, "next_due_in", lambda **_: 0.4)
    monkeypatch.setattr(wb, "clients_from_settings", lambda _s: {})
    sent: list[dict[str, Any]] = []
    real_send = app.send_task

    def record(name: str, **kw: Any) -> Any:
        sent.append({"name": name, **kw})
        return real_send(name, **kw)

    monkeypatch.setattr(app, "send_task", record)
    try:
        assert wb.writeback_task(types.SimpleNamespace(app=app)) == {"pending": 2}
        assert [(s["name"], s["countdown"]) for s in sent] == [(wb.WRITEBACK, 1.0)]
    finally:
        with app.connection_for_write() as conn:
            ch = conn.channel()
            ch.queue_delete(queue)
            ch.exchange_delete(f"{queue}.tasks")
        get_settings.cache_clear()
