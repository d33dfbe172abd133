"""structlog setup: JSON lines, ids bound from context, personal data redacted."""

from __future__ import annotations

import json
import logging
from typing import Any

import structlog

from triage.logging import configure_logging, get_logger, redact_text


def _lines(capsys: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_json_lines_with_bound_ids_and_redaction(capsys: Any) -> None:
    configure_logging("INFO", "json")
    structlog.contextvars.bind_contextvars(task_id="t-123")
    try:
        get_logger("triage.test").info(
            "ticket_triaged", external_id="42", body="call me at +1 415 555 0123", email="ana@example.org",
            note="write to ana@example.org or +44 20 7946 0958, card 4111 1111 1111 1111",
        )
    finally:
        structlog.contextvars.clear_contextvars()
    [line] = [x for x in _lines(capsys) if x.get("event") == "ticket_triaged"]
    assert line["task_id"] == "t-123" and line["external_id"] == "42" and line["level"] == "info"
    assert line["body"].startswith("[redacted") and line["email"].startswith("[redacted")
    assert "ana@example.org" not in json.dumps(line) and "555 0123" not in json.dumps(line)
    assert "4111" not in line["note"] and "[email]" in line["note"]


def test_stdlib_records_go_through_the_same_redaction(capsys: Any) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("celery.worker").warning("connection to redis://user:hunter2@db:6379/0 from bob@example.com")
    [line] = [x for x in _lines(capsys) if x.get("logger") == "celery.worker"]
    assert "hunter2" not in line["event"] and "bob@example.com" not in line["event"]


def test_redact_text_keeps_ordinary_numbers() -> None:
    assert redact_text("order 12345 for $1,200 on 2026-11-25") == "order 12345 for $1,200 on 2026-11-25"
    assert redact_text("+1 (415) 555-0123") == "[phone]"


def test_enabled_for_agrees_with_what_is_emitted(capsys: Any) -> None:
    from triage.logging import enabled_for

    for level, expect in (("WARNING", False), ("INFO", True)):
        configure_logging(level, "json")
        assert enabled_for("triage.worker", logging.INFO) is expect
        assert enabled_for("triage.worker", logging.WARNING)
        get_logger("triage.worker").info("probe_event")
        emitted = [x for x in _lines(capsys) if x.get("event") == "probe_event"]
        assert bool(emitted) is expect
    configure_logging("INFO", "json")
