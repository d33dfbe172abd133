"""Outbox rows written with results (SQLite) and delivered to a recording Zendesk-style API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpdesk import RecordingServer
from triage import db, store, writeback
from triage.models import Outbox
from triage.pipeline import run
from triage.schemas import TicketIn
from triage.settings import Settings

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SCAM = "The client asked me to continue on Telegram and wants a copy of my passport before the contract."
OFF = "I paid the freelancer $400 by wire transfer outside the platform and he disappeared."


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = RecordingServer().start()
    yield srv
    srv.stop()




def _save(cfg: Any, ext: str, body: str, source: str = "zendesk", now: datetime = NOW,
          sources: Any = ("zendesk",)) -> None:
    t = TicketIn(source=source, external_id=ext, subject="Help", body=body)
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[store.StoredItem(t, run(t, cfg))], now=now, outbox_sources=sources)


def _rows() -> list[Outbox]:
    with db.session_scope() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def _settings(**kw: Any) -> Settings:
    return Settings(**{"writeback_backoff_base_s": 0.01, "writeback_backoff_max_s": 0.02, "writeback_timeout_s": 1.0,
                       **kw})


def test_outbox_row_per_verdict_only_for_write_back_sources(sqlite_db: str, pipeline_cfg: Any) -> None:
    _save(pipeline_cfg, "1", SCAM)
    _save(pipeline_cfg, "1", SCAM, now=NOW + timedelta(seconds=1))  # redelivery: same verdict
    _save(pipeline_cfg, "2", SCAM, source="other")  # no write-back for this source
    rows = _rows()
    assert len(rows) == 1 and rows[0].status == "pending" and rows[0].external_id == "1"
    p = rows[0].payload
    assert "triage_scam_suspicion" in p["tags"] and "triage_done" in p["tags"] and p["priority_name"]
    assert "Suggested reply" in p["note"]
    # A changed verdict: a new row, and the undelivered old one is superseded.
    _save(pipeline_cfg, "1", OFF, now=NOW + timedelta(seconds=2))
    rows = _rows()
    assert [r.status for r in rows] == ["superseded", "pending"]
    assert rows[0].idempotency_key != rows[1].idempotency_key


def test_default_sources_come_from_settings(sqlite_db: str, pipeline_cfg: Any, monkeypatch: Any) -> None:
    t = TicketIn(source="zendesk", external_id="9", subject="Help", body=SCAM)
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[store.StoredItem(t, run(t, pipeline_cfg))], now=NOW)
    assert _rows() == []  # no write-back configured
    monkeypatch.setenv("TRIAGE_WRITEBACK_ZENDESK_URL", "http://127.0.0.1:9")
    from triage.settings import get_settings

    get_settings.cache_clear()
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[store.StoredItem(t, run(t, pipeline_cfg))], now=NOW)
    assert len(_rows()) == 1


def test_delivery_success(sqlite_db: str, pipeline_cfg: Any, server: RecordingServer) -> None:
    _save(pipeline_cfg, "48213", SCAM)
    s = _settings(writeback_zendesk_url=server.url, writeback_zendesk_email="bot@example.org",
                  writeback_zendesk_token="tok")
    stats = writeback.drain(clients=writeback.clients_from_settings(s), settings=s)
    assert stats == {"sent": 1}
    (req,) = server.requests
    assert req.method == "PUT" and req.path == "/api/v2/tickets/48213.json"
    assert req.headers["authorization"].startswith("Basic ")
    t = req.body["ticket"]
    assert t["comment"]["public"] is False and "Suggested reply" in t["comment"]["body"]
    assert {"triage_scam_suspicion", "triage_done"} <= set(t["additional_tags"]) and t["priority"]
    row = _rows()[0]
    assert row.status == "sent" and row.attempts == 1 and req.headers["idempotency-key"] == row.idempotency_key
    assert writeback.drain(clients=writeback.clients_from_settings(s), settings=s) == {}  # exactly once
    assert len(server.requests) == 1


def test_500_then_success_keeps_the_idempotency_key(sqlite_db: str, pipeline_cfg: Any,
                                                    server: RecordingServer) -> None:
    _save(pipeline_cfg, "7", OFF)
    server.script = [500, 503]
    s = _settings(writeback_zendesk_url=server.url, writeback_zendesk_token="oauth")
    clients = writeback.clients_from_settings(s)
    assert writeback.deliver_due(clients=clients, settings=s) == {"pending": 1}
    row = _rows()[0]
    assert row.status == "pending" and row.last_error.startswith("HTTP 500") and row.attempts == 1
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while _rows()[0].status != "sent" and datetime.now(UTC) < deadline:
        writeback.deliver_due(clients=clients, settings=s)
    row = _rows()[0]
    assert row.status == "sent" and row.attempts == 3 and row.last_error is None
    keys = {r.headers["idempotency-key"] for r in server.requests}
    assert len(server.requests) == 3 and keys == {row.idempotency_key}
    assert server.requests[0].headers["authorization"] == "Bearer oauth"


def test_permanent_4xx_marks_failed(sqlite_db: str, pipeline_cfg: Any, server: RecordingServer) -> None:
    _save(pipeline_cfg, "8", SCAM)
    server.script = [422]
    s = _settings(writeback_zendesk_url=server.url)
    assert writeback.drain(clients=writeback.clients_from_settings(s), settings=s) == {"failed": 1}
    row = _rows()[0]
    assert row.status == "failed" and row.response_status == 422 and "RecordInvalid" in row.last_error
    assert writeback.drain(clients=writeback.clients_from_settings(s), settings=s) == {}
    assert len(server.requests) == 1


def test_timeouts_retry_then_give_up(sqlite_db: str, pipeline_cfg: Any, server: RecordingServer) -> None:
    _save(pipeline_cfg, "9", SCAM)
    server.script = [0, 500]
    server.hang_s = 1.0
    s = _settings(writeback_zendesk_url=server.url, writeback_timeout_s=0.3, writeback_max_attempts=2)
    clients = writeback.clients_from_settings(s)
    assert writeback.deliver_due(clients=clients, settings=s) == {"pending": 1}
    assert "timeout" in (_rows()[0].last_error or "")
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while _rows()[0].status == "pending" and datetime.now(UTC) < deadline:
        writeback.deliver_due(clients=clients, settings=s)
    row = _rows()[0]
    assert row.status == "failed" and "gave up after 2 attempts" in row.last_error


def test_a_claimed_row_is_not_claimed_twice(sqlite_db: str, pipeline_cfg: Any) -> None:
    _save(pipeline_cfg, "10", SCAM)
    now = datetime.now(UTC)
    with db.session_scope() as s:
        first = writeback.claim_due(session=s, now=now, limit=10, lease_s=60)
    with db.session_scope() as s:
        assert writeback.claim_due(session=s, now=now, limit=10, lease_s=60) == []
        # An expired lease (the relay died mid-call) is claimed again, under a new token.
        again = writeback.claim_due(session=s, now=now + timedelta(seconds=61), limit=10, lease_s=60)
    assert len(first) == 1 and len(again) == 1 and again[0].token != first[0].token and again[0].attempts == 2
    with db.session_scope() as s:  # the first relay's late answer no longer counts
        writeback.record(session=s, row=first[0], result=writeback.DeliveryResult(ok=True), now=now,
                         settings=_settings())
    assert _rows()[0].status == "sending"


def test_unconfigured_source_fails_with_a_reason(sqlite_db: str, pipeline_cfg: Any) -> None:
    _save(pipeline_cfg, "11", SCAM)
    assert writeback.drain(clients={}, settings=_settings()) == {"failed": 1}
    assert "no write-back client" in (_rows()[0].last_error or "")


def test_relay_crash_after_the_helpdesk_applied_does_not_repeat_the_note(
    sqlite_db: str, pipeline_cfg: Any, server: RecordingServer, monkeypatch: Any
) -> None:
    """Zendesk ignores Idempotency-Key on PUT: the relay reads the ticket's comments before writing."""
    _save(pipeline_cfg, "99", SCAM)
    s = _settings(writeback_zendesk_url=server.url, writeback_zendesk_token="tok")
    clients = writeback.clients_from_settings(s)
    real_record = writeback.record

    def die(**_: Any) -> str:
        raise RuntimeError("relay killed after the PUT succeeded, before the row was marked sent")

    monkeypatch.setattr(writeback, "record", die)
    with pytest.raises(RuntimeError):
        writeback.deliver_due(clients=clients, settings=s)
    monkeypatch.setattr(writeback, "record", real_record)
    assert _rows()[0].status != "sent" and len(server.comments["99"]) == 1
    # Another relay picks the row up once the lease has expired.
    later = datetime.now(UTC) + timedelta(minutes=30)
    assert writeback.deliver_due(clients=clients, settings=s, now=lambda: later) == {"sent": 1}
    assert len(server.comments["99"]) == 1, "the internal note was added twice"
    assert [r.method for r in server.requests] == ["PUT"] and len(server.reads) == 2
    row = _rows()[0]
    assert row.status == "sent" and writeback.ZendeskClient.marker(row.idempotency_key) in \
        server.comments["99"][0]["body"]


def test_worker_processes_do_not_load_the_http_client() -> None:
    """httpx (≈ 4 MiB resident) is loaded by a write-back client when one is built, not by the modules every
    worker process imports (the worker, the pipeline, `writeback.notify`)."""
    import subprocess
    import sys

    code = (
        "import sys, triage.worker, triage.writeback, triage.pipeline\n"
        "assert 'httpx' not in sys.modules, sorted(m for m in sys.modules if m.startswith('httpx'))\n"
        "triage.writeback.ZendeskClient('https://example.zendesk.com', token='t')\n"
        "assert 'httpx' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
