"""Idempotent writes on SQLite (PostgreSQL runs the same code in the integration tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from tests.conftest import use_migrated_sqlite
from triage import db, store
from triage.models import DeadLetter, EscalationFlag, Ticket, TriageResult
from triage.pipeline import run
from triage.schemas import TicketIn

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _setup(monkeypatch: Any, sqlite_url: str) -> None:
    use_migrated_sqlite(monkeypatch, sqlite_url)


def _item(cfg: Any, ext: str, body: str) -> store.StoredItem:
    ticket = TicketIn(source="test", external_id=ext, subject="Help", body=body)
    return store.StoredItem(ticket, run(ticket, cfg))


def test_same_ticket_twice_is_one_row(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    scam = "I paid $300 to the client on Telegram for a training kit and he blocked me."
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[_item(pipeline_cfg, "a", scam), _item(pipeline_cfg, "b", "hi")],
                            now=NOW)
    with db.session_scope() as s:
        # Redelivery of "a" plus a duplicate inside one batch: last wins, still one row each.
        store.save_outcomes(session=s, items=[_item(pipeline_cfg, "a", scam), _item(pipeline_cfg, "a", scam)],
                            now=NOW + timedelta(seconds=5))
    with db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 2
        assert s.scalar(select(func.count()).select_from(TriageResult)) == 2
        a = store.get_ticket(session=s, ref="test:a")
        assert a is not None and a.deliveries == 2 and a.result is not None
        assert a.result.updated_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=5)
        names = [f.name for f in a.flags]
        assert len(names) == len(set(names)) and "money_lost" in names
        flags = s.scalar(select(func.count()).select_from(EscalationFlag).where(EscalationFlag.ticket_id == a.id))
        assert flags == len(names)


def test_retriage_replaces_flags(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[_item(pipeline_cfg, "x", "I sent $500 by wire transfer outside "
                                                    "the platform to the client and lost it")], now=NOW)
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=[_item(pipeline_cfg, "x", "Where do I download my invoice?")], now=NOW)
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref="test:x")
        assert t is not None and t.flags == [] and t.result is not None and t.result.categories == []


def test_redelivery_replaces_contact_links_and_a_new_ticket_needs_no_cleanup(
    monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any
) -> None:
    """Flags and contact links are replaced for a re-delivered ticket; a ticket the upsert just created
    (deliveries == 1) has none to replace, so the cleanup DELETEs skip it (they ran over the whole batch)."""
    from sqlalchemy import event

    from triage.models import TicketContact

    _setup(monkeypatch, sqlite_url)
    scam = "The client asked me to continue on Telegram @fake_recruiter_77 and pay a $50 training fee."
    deletes: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(statement)

    with db.session_scope() as s:
        event.listen(s.get_bind(), "before_cursor_execute", watch)
        try:
            store.save_outcomes(session=s, items=[_item(pipeline_cfg, "n", scam)], now=NOW)
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", watch)
    assert not [d for d in deletes if "escalation_flags" in d or "ticket_contacts" in d]
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref="test:n")
        assert t is not None and t.deliveries == 1
        assert s.scalar(select(func.count()).select_from(TicketContact).where(TicketContact.ticket_id == t.id)) >= 1
    with db.session_scope() as s:  # re-delivered without the contact: its link goes
        store.save_outcomes(session=s, items=[_item(pipeline_cfg, "n", "Where do I download my invoice?")],
                            now=NOW + timedelta(seconds=1))
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref="test:n")
        assert t is not None and t.deliveries == 2 and t.flags == []
        assert s.scalar(select(func.count()).select_from(TicketContact).where(TicketContact.ticket_id == t.id)) == 0


def test_dead_letter_recorded_once_per_delivery_key(monkeypatch: Any, sqlite_url: str) -> None:
    _setup(monkeypatch, sqlite_url)
    for _ in range(2):
        with db.session_scope() as s:
            store.record_dead_letter(session=s, dedupe_key="task-1:0", payload={"source": "z", "external_id": 7,
                                     "body": "a\x00b"}, reason="invalid ticket: subject: missing",
                                     error_type="validation", now=NOW)
    with db.session_scope() as s:
        rows = list(s.scalars(select(DeadLetter)))
        assert len(rows) == 1
        assert rows[0].source == "z" and rows[0].external_id == "7" and "\x00" not in rows[0].payload


def test_results_filters(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    with db.session_scope() as s:
        store.save_outcomes(session=s, now=NOW, items=[
            _item(pipeline_cfg, "off", "The client paid me through PayPal outside the platform and now wants a "
                  "refund"),
            _item(pipeline_cfg, "plain", "How do I change my profile photo?"),
        ])
    with db.session_scope() as s:
        off = store.recent_results(session=s, category="off_platform_payment")
        assert [t.external_id for t in off] == ["off"]
        assert len(store.recent_results(session=s)) == 2
