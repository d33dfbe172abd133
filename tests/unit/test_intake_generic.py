"""Generic intake (the ticket contract over HTTP), the read API, health checks, OpenAPI, `triage schema`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import jsonschema

from tests.conftest import ROOT, migrate_url
from tests.helpdesk import API_TOKEN, GENERIC_TOKEN, dumps, intake_client
from triage import db, store
from triage.pipeline import run
from triage.schemas import TicketIn

URL = "/webhooks/generic"
AUTH = {"Authorization": f"Bearer {GENERIC_TOKEN}"}
TICKET = {"source": "helpdesk-x", "external_id": 77, "subject": "Client wants to pay on Telegram",
          "body": "The client asked me to move to Telegram and pay outside the platform.", "tags": "a,b"}


def test_ticket_contract_accepted_and_wrapped_form() -> None:
    client, celery = intake_client()
    r = client.post(URL, content=dumps(TICKET), headers=AUTH)
    assert r.status_code == 202 and r.json()["external_id"] == "77" and r.json()["source"] == "helpdesk-x"
    r = client.post(URL, content=dumps({"ticket": {**TICKET, "external_id": "78"}}), headers=AUTH)
    assert r.status_code == 202
    assert [t["external_id"] for t in celery.tickets] == ["77", "78"] and celery.tickets[0]["tags"] == ["a", "b"]


def test_unknown_field_and_bad_values_are_422_with_locations() -> None:
    client, celery = intake_client()
    r = client.post(URL, content=dumps({**TICKET, "subjct": "typo"}), headers=AUTH)
    assert r.status_code == 422 and r.json()["error"] == "invalid_ticket"
    assert any(e["loc"] == "subjct" for e in r.json()["errors"])
    r = client.post(URL, content=dumps({**TICKET, "source": "Not A Slug!"}), headers=AUTH)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == "source"
    r = client.post(URL, content=dumps({"source": "x", "subject": "no id"}), headers=AUTH)
    assert r.status_code == 422 and "external_id" in r.json()["detail"]
    assert celery.sent == []


def test_idempotency_key_replay_and_auth() -> None:
    client, celery = intake_client()
    h = {**AUTH, "Idempotency-Key": "k-1"}
    assert client.post(URL, content=dumps(TICKET), headers=h).status_code == 202
    r = client.post(URL, content=dumps(TICKET), headers=h)
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    assert client.post(URL, content=dumps(TICKET), headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post(URL, content=dumps(TICKET)).status_code == 401
    assert len(celery.sent) == 1


def test_healthz_openapi_and_unknown_routes() -> None:
    client, _ = intake_client()
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert {"/webhooks/zendesk", "/webhooks/freshdesk", "/webhooks/zammad", "/webhooks/generic",
            "/tickets/{source}/{external_id}", "/healthz", "/readyz"} <= set(spec["paths"])
    assert "TicketIn" in spec["components"]["schemas"]
    r = client.get("/nope")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.get("/webhooks/zendesk")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def _store_one(cfg: Any) -> None:
    ticket = TicketIn(source="zendesk", external_id="501", subject="Client wants to move to Telegram",
                      body="The client asked me to continue on Telegram and wants a copy of my passport.")
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[store.StoredItem(ticket, run(ticket, cfg))],
                            now=datetime(2026, 1, 1, tzinfo=UTC), outbox_sources=())


def test_read_api(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", sqlite_url)
    from triage.settings import get_settings

    get_settings.cache_clear()
    db.reset_engine()
    migrate_url(sqlite_url)
    _store_one(pipeline_cfg)
    client, _ = intake_client(database_url=sqlite_url)
    r = client.get("/tickets/zendesk/501")
    assert r.status_code == 401 and r.json()["error"] == "missing_token"
    r = client.get("/tickets/zendesk/501", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    h = {"Authorization": f"Bearer {API_TOKEN}"}
    r = client.get("/tickets/zendesk/404", headers=h)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.get("/tickets/zendesk/501", headers=h)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "triaged" and "scam_suspicion" in d["categories"] and d["draft_reply"]
    assert d["flags"] and d["evidence"] and d["versions"]["kb"] and d["writeback"] is None
    client, _ = intake_client(api_token="")
    r = client.get("/tickets/zendesk/501", headers=h)
    assert r.status_code == 503 and "TRIAGE_API_TOKEN" in r.json()["detail"]


def test_readyz(monkeypatch: Any, sqlite_url: str, tmp_path: Any) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", sqlite_url)
    from triage.settings import Settings, get_settings
    from triage.worker import create_app

    get_settings.cache_clear()
    db.reset_engine()
    from fastapi.testclient import TestClient

    from triage.api import create_api

    settings = Settings(database_url=sqlite_url)
    client = TestClient(create_api(settings, celery_app=create_app(settings)))
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"] == {"database": "ok", "broker": "ok"}
    settings = Settings(broker_url="redis://127.0.0.1:1/0")
    client = TestClient(create_api(settings, celery_app=create_app(settings)))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["broker"] != "ok"


def test_schema_command_validates_the_contract() -> None:
    out = subprocess.run([sys.executable, "-m", "triage", "schema"], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    schema = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    samples = [json.loads(line) for line in (ROOT / "triage" / "data" / "samples.jsonl").read_text().splitlines()
               if line.strip()]
    for s in [*samples, TICKET, *schema["examples"]]:
        assert not list(v.iter_errors(s)), s
    for bad in ({"source": "x", "external_id": "1"}, {**TICKET, "extra": 1}, {**TICKET, "external_id": True},
                {"external_id": "1", "body": "b"}):
        assert list(v.iter_errors(bad)), bad
    assert set(schema["x-triage-tasks"]) == {"triage.ingest", "triage.ingest_many"}
    body = [[TICKET], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]
    sub = {**schema, **schema["$defs"]["IngestBody"]}
    assert not list(jsonschema.Draft202012Validator(sub).iter_errors(body))
