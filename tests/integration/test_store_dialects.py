"""The store's PostgreSQL statements (array parameters, LATERAL look-ups) against its SQLite ones.

The same generated workload — repeat reports of a small pool of handles by many requesters, the same
requester reporting a handle again, redeliveries, several batches — goes through `save_outcomes` on
both databases; every stored row the read paths show must come out the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import use_migrated_sqlite
from triage import db, store
from triage.benchdata import generate, parse_mix
from triage.draft import templates_from_sources
from triage.models import DraftHistory, EscalationFlag, Outbox, Ticket, TicketContact, TriageResult
from triage.pipeline import run
from triage.schemas import TicketIn

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _workload() -> list[list[dict[str, Any]]]:
    tickets = [t for _, t in generate(700, parse_mix("scam=0.4,off=0.2,both=0.2"), prefix="w", seed=3,
                                      handles=15)]
    # One requester reporting the same handles again and again (the "look further back" path: the
    # latest reports of a contact all come from this requester).
    for i in range(60):
        tickets.append({"source": "zd", "external_id": f"same-{i}", "subject": "Telegram recruiter again",
                        "body": "He wrote again from Telegram @same_old_guy and asks for a $50 fee.",
                        "requester": {"email": "repeat@example.org", "name": "Ana Silva"}})
    tickets.append({"source": "zd", "external_id": "other", "subject": "Telegram recruiter",
                    "body": "A recruiter on Telegram @same_old_guy asks me for a $50 fee.",
                    "requester": {"email": "other@example.org", "name": "Tom Becker"}})
    batches = [tickets[i:i + 150] for i in range(0, len(tickets), 150)]
    batches.append(tickets[100:130] + tickets[-3:])  # redeliveries, mixed with newer tickets
    return batches


def _ingest(url: str, monkeypatch: Any, cfg: Any) -> dict[str, Any]:
    use_migrated_sqlite(monkeypatch, url)  # any URL: sets it, resets caches, migrates
    for n, batch in enumerate(_workload()):
        items = [store.StoredItem(t, run(t, cfg)) for t in (TicketIn.model_validate(p) for p in batch)]
        with db.session_scope() as s:
            store.save_outcomes(session=s, items=items, now=NOW + timedelta(minutes=n), task_id=f"t{n}",
                                refine=lambda it, flags: run(it.ticket, cfg, extra_flags=flags),
                                outbox_sources={"zd", "bench"})
    # Re-triage with another template version: replaced drafts go to history (on PostgreSQL a plain query
    # picks which ones).
    edited = replace(cfg, templates=templates_from_sources(
        {**cfg.templates.sources, "reply.txt.j2": cfg.templates.sources["reply.txt.j2"] + "\n\nRegards."}))
    batch = _workload()[0][:40]
    items = [store.StoredItem(t, run(t, edited)) for t in (TicketIn.model_validate(p) for p in batch)]
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=items, now=NOW + timedelta(hours=1), task_id="t-edited",
                            refine=lambda it, flags: run(it.ticket, edited, extra_flags=flags),
                            outbox_sources={"zd", "bench"})
    out: dict[str, Any] = {}
    with db.session_scope() as s:
        ref = {t.id: t.ref for t in s.scalars(select(Ticket))}
        for t in s.scalars(select(Ticket).order_by(Ticket.source, Ticket.external_id)):
            r = t.result
            assert r is not None
            out[t.ref] = {
                "ticket": (t.subject, t.body, t.requester_email, t.requester_name, t.channel, t.tags, t.meta,
                           t.deliveries),
                "result": (r.categories, r.scores, r.needs_review, r.evidence, r.flags, r.priority, r.escalated,
                           r.kb_entries, r.draft_reply, r.draft_html, r.internal_note, r.task_id,
                           r.created_at.replace(tzinfo=UTC) if r.created_at.tzinfo is None else r.created_at),
                "flags": sorted((f.name, f.reason, f.evidence, f.linked_tickets) for f in t.flags),
            }
        for tc in s.scalars(select(TicketContact)):
            out[ref[tc.ticket_id]].setdefault("contacts", []).append((tc.requester_key, tc.raw, tc.field, tc.start,
                                                                      tc.end))
        for o in s.scalars(select(Outbox)):
            out[ref[o.ticket_id]].setdefault("outbox", []).append((o.idempotency_key, o.payload, o.status))
        out["history"] = sorted((ref[h.ticket_id], h.draft_reply) for h in s.scalars(select(DraftHistory)))
        out["n_flags"] = len(list(s.scalars(select(EscalationFlag))))
        out["n_results"] = len(list(s.scalars(select(TriageResult))))
    for v in out.values():
        if isinstance(v, dict):
            for k in ("contacts", "outbox"):
                v[k] = sorted(v.get(k, []), key=repr)
    return out


def test_postgresql_and_sqlite_store_the_same(monkeypatch: Any, postgres_db: str, sqlite_url: str,
                                              pipeline_cfg: Any) -> None:
    on_sqlite = _ingest(sqlite_url, monkeypatch, pipeline_cfg)
    on_pg = _ingest(postgres_db, monkeypatch, pipeline_cfg)
    db.reset_engine()
    assert on_sqlite["n_results"] == 761
    flagged = [k for k, v in on_sqlite.items() if isinstance(v, dict)
               and any(f[0] == "repeat_reported_contact" for f in v["flags"])]
    assert len(flagged) > 50  # the workload does exercise the repeat-contact path
    assert any(f[3] for f in on_sqlite["zd:other"]["flags"] if f[0] == "repeat_reported_contact")
    assert len(on_sqlite["history"]) > 10  # the re-triage with edited templates archived replaced drafts
    assert on_sqlite.keys() == on_pg.keys()
    for key in on_sqlite:
        assert on_pg[key] == on_sqlite[key], key


def test_a_chunked_envelope_and_its_redelivery_on_postgresql(monkeypatch: Any, postgres_db: str,
                                                             tmp_path: Any) -> None:
    """The worker stores a batch STORE_CHUNK tickets per `save_outcomes` call and STORE_BATCH per transaction;
    its envelope (the batch's own ticket ids, looked up on PostgreSQL with a row-value IN) keeps repeat-contact
    verdicts those of one call, on a redelivery too. PostgreSQL in chunks of 7 and parts of 50 against SQLite in
    one call."""
    from tests.unit.test_worker_tasks import _stored_rows
    from triage import worker
    from triage.benchdata import generate, parse_mix
    from triage.worker import INGEST_MANY, create_app

    tickets = [t for _, t in generate(120, parse_mix("scam=0.4,off=0.2,both=0.2"), prefix="e", seed=4, handles=8)]
    got = []
    for url, chunk, part in ((f"sqlite:///{tmp_path / 'one.db'}", 1000, 1000), (postgres_db, 7, 50)):
        use_migrated_sqlite(monkeypatch, url)
        monkeypatch.setattr(worker, "STORE_CHUNK", chunk)
        monkeypatch.setattr(worker, "STORE_BATCH", part)
        task = create_app().tasks[INGEST_MANY]
        runs = []
        for _ in range(2):  # the message, then its redelivery
            assert task.apply(args=[tickets], task_id="t-env").get() == {"stored": 120, "dead": 0}
            runs.append(_stored_rows())
        got.append(runs)
    assert sum("repeat_reported_contact" in dict(r[2]) for r in got[0][0].values()) >= 10
    assert got[0][0] == got[0][1] == got[1][0] == got[1][1]
