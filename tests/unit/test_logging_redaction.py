"""Log privacy: tracebacks, the whole identifier zoo, non-string values, uvicorn's loggers, SQLAlchemy's.

Every input here is one a review found printed in clear; the service's own fields must stay readable."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import structlog

from triage.logging import configure_logging, get_logger, redact_text

EMAIL, PHONE = "maria.g@example.org", "+44 7700 900123"


def _lines(capsys: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def _one(capsys: Any, **match: Any) -> dict[str, Any]:
    found = [x for x in _lines(capsys) if all(x.get(k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def _raise() -> None:
    raise ValueError(f"ticket from {EMAIL}, phone {PHONE}")


# --- 1. tracebacks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_structlog_exception_traceback_is_redacted(fmt: str, capsys: Any) -> None:
    configure_logging("INFO", fmt)
    try:
        _raise()
    except ValueError:
        get_logger("triage.worker").exception("pipeline_failed", external_id="42")
    err = capsys.readouterr().err
    assert "maria.g" not in err and "example.org" not in err and "900123" not in err, err
    # Still a useful traceback: type, message shape, file and function names.
    assert "ValueError: ticket from [email], phone [phone]" in err
    assert "test_logging_redaction.py" in err and "_raise" in err and "pipeline_failed" in err
    configure_logging("INFO", "json")


def test_stdlib_exception_traceback_is_redacted(capsys: Any) -> None:
    configure_logging("INFO", "json")
    try:
        _raise()
    except ValueError:
        logging.getLogger("celery.app.trace").exception("Task triage.worker.triage_batch raised")
    line = _one(capsys, logger="celery.app.trace")
    assert "maria.g" not in json.dumps(line) and "900123" not in json.dumps(line)
    assert "ValueError: ticket from [email], phone [phone]" in line["exception"]
    assert line["event"] == "Task triage.worker.triage_batch raised"


def test_stack_info_is_redacted(capsys: Any) -> None:
    configure_logging("INFO", "json")
    get_logger("triage.test").info("probe_stack", stack_info=True)  # maria.g@example.org
    logging.getLogger("triage.stdlib").warning("probe_stack_stdlib", stack_info=True)  # maria.g@example.org
    lines = [x for x in _lines(capsys) if x.get("event", "").startswith("probe_stack")]
    assert len(lines) == 2
    for line in lines:
        assert "maria.g" not in json.dumps(line)
        assert "test_logging_redaction.py" in line["stack"] and "[email]" in line["stack"]


# --- 2. redact_text and non-string values ----------------------------------------------------------------

BTC_BASE58 = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
BTC_BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH = "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"
TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.mark.parametrize(("text", "secret", "expected"), [
    ("telegram @johnsmith_pay", "johnsmith", "telegram [handle]"),
    ("t.me/johnsmith_pay", "johnsmith", "[link]"),
    ("https://t.me/johnsmith_pay", "johnsmith", "[link]"),
    ("write on wa.me/447700900123 now", "7700900123", "write on [link] now"),
    ("IBAN GB33BUKB20201555555555", "BUKB", "IBAN [iban]"),
    ("IBAN DE89 3704 0044 0532 0130 00", "3704", "IBAN [iban]"),
    ("john [at] gmail [dot] com", "john", "[email]"),
    ("skype live:.cid.1234abcd", "1234abcd", "skype [handle]"),
    ("evil-payments.com/login?u=maria", "maria", "[link]"),
    ("see https://evil-payments.com/x?u=maria.g@example.org", "maria", None),
    (f"send to {BTC_BASE58}", BTC_BASE58, "send to [wallet]"),
    (f"send to {BTC_BECH32}", BTC_BECH32, "send to [wallet]"),
    (f"send to {ETH}", ETH, "send to [wallet]"),
    (f"send to {TRON}", TRON, "send to [wallet]"),
    ("card 4111-1111-1111-1111", "1111", "card [number]"),
    ("ref 41111111111111111", "4111", "ref [number]"),
    ("viber://chat?number=447700900123", "7700900123", "[link]"),
    ("maria.g%40example.org", "maria", "[email]"),
    ("iban gb33bukb20201555555555", "bukb", "iban [iban]"),
    ("whatsapp +4915112345678", "4915112345678", "whatsapp [phone]"),
    ("skype: john.smith.pay", "john", "skype: [handle]"),
    ("telegram: johnsmith_pay", "johnsmith", "telegram: [handle]"),
    ("instagram @maria.garcia.92 please", "maria", "instagram [handle] please"),
    ("(Background on this error at: https://sqlalche.me/e/20/gkpj)", "sqlalche",
     "(Background on this error at: [link])"),
    ("http://127.0.0.1:8000/tickets/zendesk/maria", "maria", "[link]"),
])
def test_redact_text_catches_identifiers(text: str, secret: str, expected: str | None) -> None:
    got = redact_text(text)
    assert secret not in got, got
    if expected is not None:
        assert got == expected


@pytest.mark.parametrize("text", [
    "ticket_triaged",
    "order 12345 for $1,200 on 2026-11-25",
    "IntegrityError [23505]: (psycopg.errors.UniqueViolation) duplicate key value violates unique constraint",
    "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked",
    "celery.app.trace: Task triage.worker.triage_batch[3f1c2b7e-8d9a-4b7c-9e6f-123456789012] succeeded",
    "3f1c2b7e-8d9a-4b7c-9e6f-123456789012:r0:error",
    'File "/work/main/triage/worker.py", line 165, in run',
    "self.app.send_task(name, args)",
    "redis://user:***@redis:6379/0",
    "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
    "kombu.exceptions.OperationalError: Error 111 connecting to localhost:6379. Connection refused.",
    "10.0.0.7:51234 and 192.168.100.200:51234",
    "delivery ab12cdef12345678abcdef1234567890",
    "postgresql+psycopg://triage:***@db.internal.example.com:5432/triage",
])
def test_redact_text_keeps_service_fields_readable(text: str) -> None:
    assert redact_text(text) == text


@dataclass
class Obj:
    email: str = EMAIL


def test_non_string_values_are_redacted(capsys: Any) -> None:
    configure_logging("INFO", "json")
    get_logger("triage.test").info(
        "probe_objects", thing=Obj(), when={"to": [Obj(), 7, None, True, 1.5]}, err=ValueError(f"from {EMAIL}"),
        ids={EMAIL}, raw=EMAIL.encode(), count=3, ratio=0.5, ok=True, none=None,
    )
    line = _one(capsys, event="probe_objects")
    assert EMAIL not in json.dumps(line)
    assert line["thing"] == "Obj(email='[email]')"
    assert line["when"]["to"][1:] == [7, None, True, 1.5]
    assert line["err"] == "ValueError: from [email]"
    assert (line["count"], line["ratio"], line["ok"], line["none"]) == (3, 0.5, True, None)


def test_service_fields_survive(capsys: Any) -> None:
    configure_logging("INFO", "json")
    task_id = "3f1c2b7e-8d9a-4b7c-9e6f-123456789012"
    structlog.contextvars.bind_contextvars(task_id=task_id, task="triage.worker.triage_batch")
    try:
        log = get_logger("triage.worker")
        log.info("ticket_triaged", source="zendesk", external_id="1234567890", categories=["off_platform_payment"],
                 priority="high", flags=["scam_suspicion"], pipeline_ms=1.25)
        log.warning("dead_letter", dedupe_key=f"{task_id}:r0:error", error_type="store_error",
                    reason="IntegrityError [23505]: (psycopg.errors.UniqueViolation) duplicate key")
        log.info("writeback", outbox_id=17, source="zendesk", external_id="42", status="done", http_status=200)
    finally:
        structlog.contextvars.clear_contextvars()
    lines = {x["event"]: x for x in _lines(capsys) if x.get("task_id")}
    t = lines["ticket_triaged"]
    assert (t["task_id"], t["task"], t["source"], t["external_id"]) == (
        task_id, "triage.worker.triage_batch", "zendesk", "1234567890")
    assert t["categories"] == ["off_platform_payment"] and t["flags"] == ["scam_suspicion"]
    d = lines["dead_letter"]
    assert d["dedupe_key"] == f"{task_id}:r0:error" and d["error_type"] == "store_error"
    assert d["reason"] == "IntegrityError [23505]: (psycopg.errors.UniqueViolation) duplicate key"
    assert lines["writeback"]["outbox_id"] == 17 and lines["writeback"]["http_status"] == 200


def test_id_fields_still_redact_contact_details(capsys: Any) -> None:
    configure_logging("INFO", "json")
    get_logger("triage.api").info("webhook_accepted", source="zendesk", external_id=EMAIL, delivery_id=PHONE)
    line = _one(capsys, event="webhook_accepted")
    assert line["external_id"] == "[email]" and line["delivery_id"] == "[phone]"


# --- 3. uvicorn ------------------------------------------------------------------------------------------


def test_serve_hands_uvicorn_logging_to_the_root_handler(monkeypatch: Any) -> None:
    import uvicorn

    import triage.api
    from triage.cli import main

    seen: dict[str, Any] = {}

    class Server:  # `triage serve` binds its socket, then hands it to uvicorn's Server
        def __init__(self, config: Any) -> None:
            seen["config"] = config

        def run(self, sockets: Any = None) -> None:
            seen["sockets"] = sockets

    monkeypatch.setattr(triage.api, "create_api", lambda settings: object())
    monkeypatch.setattr(uvicorn, "Server", Server)
    assert main(["serve", "--access-log", "--host", "127.0.0.1", "--port", str(_free_port())]) == 0
    for sock in seen["sockets"]:
        sock.close()
    assert seen["config"].log_config is None
    assert seen["config"].access_log is True
    configure_logging("INFO", "json")


def test_access_log_record_is_redacted(capsys: Any) -> None:
    configure_logging("INFO", "json")
    access = logging.getLogger("uvicorn.access")
    access.propagate, access.disabled = True, False
    access.setLevel(logging.INFO)
    # Exactly what uvicorn's h11/httptools protocols log.
    access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:51234", "GET",
                "/tickets/zendesk/maria.g%40example.org?tel=+447700900123", "1.1", 404)
    line = _one(capsys, logger="uvicorn.access")
    text = json.dumps(line)
    assert "maria" not in text and "7700900123" not in text and "positional_args" not in line
    assert line["path"] == "/tickets/zendesk/[email]" and line["status"] == 404 and line["method"] == "GET"
    assert line["query"].startswith("[redacted")
    assert line["event"] == "GET /tickets/zendesk/[email] 404"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_uvicorn_end_to_end_lines_are_structured_and_redacted(capsys: Any) -> None:
    """A real uvicorn server configured the way `triage serve` does: every line JSON, nothing in clear."""
    import httpx
    import uvicorn

    configure_logging("INFO", "json")
    logging.getLogger("uvicorn.access").propagate = True

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True,
                                           log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.02)
        r = httpx.get(f"http://127.0.0.1:{port}/tickets/zendesk/maria.g%40example.org?tel=+447700900123")
        assert r.status_code == 404
    finally:
        server.should_exit = True
        thread.join(10)
    out = capsys.readouterr()
    assert "maria" not in out.err + out.out and "7700900123" not in out.err + out.out
    lines = [json.loads(x) for x in out.err.splitlines() if x.strip()]  # every line is JSON
    assert any(x.get("logger") == "uvicorn.access" and x.get("status") == 404 for x in lines), lines
    assert any(x.get("logger") == "uvicorn.error" for x in lines), lines


# --- SQLAlchemy's records reach the same handler ----------------------------------------------------------


def test_sqlalchemy_records_are_redacted(capsys: Any) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("sqlalchemy.engine.Engine").warning("[generated in %s] %r", "0.001s", (EMAIL, PHONE))
    line = _one(capsys, logger="sqlalchemy.engine.Engine")
    assert "maria" not in line["event"] and "900123" not in line["event"]


def test_redaction_is_cheap_for_plain_fields() -> None:
    """Per-ticket INFO lines run this on every field: the common short values take the fast path."""
    values = ["ticket_triaged", "zendesk", "42", "off_platform_payment", "high", str(uuid.uuid4())]
    start = time.perf_counter()
    for _ in range(2000):
        for v in values:
            redact_text(v)
    assert (time.perf_counter() - start) / 2000 < 0.002  # generous: ~20 µs in practice
