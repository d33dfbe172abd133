"""Idempotent writes (multi-row upserts keyed by ticket identity) and read queries.

Service functions take the session keyword-first and never commit: the caller owns the transaction,
so a ticket's row, result and flags commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from triage.models import DeadLetter, EscalationFlag, Ticket, TriageResult
from triage.schemas import TicketIn, TriageOutcome


def _insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT that supports ON CONFLICT (PostgreSQL and SQLite share the syntax)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}: use PostgreSQL or SQLite")


@dataclass(frozen=True)
class StoredItem:
    ticket: TicketIn
    outcome: TriageOutcome


def save_outcomes(
    *, session: Session, items: Sequence[StoredItem], now: datetime, task_id: str | None = None
) -> dict[tuple[str, str], int]:
    """Upsert tickets, their current result and flags in the caller's transaction; return ticket ids."""
    if not items:
        return {}
    # The same identity twice in one batch would make ON CONFLICT touch a row twice (an error on
    # PostgreSQL); the last delivery wins, as it would across batches.
    latest: dict[tuple[str, str], StoredItem] = {}
    for it in items:
        latest[it.ticket.key] = it
    batch = sorted(latest.values(), key=lambda it: it.ticket.key)  # stable lock order: no deadlocks

    ticket_rows = [
        {
            "source": it.ticket.source,
            "external_id": it.ticket.external_id,
            "subject": it.ticket.subject,
            "body": it.ticket.body,
            "requester_email": it.ticket.requester.email if it.ticket.requester else None,
            "requester_name": it.ticket.requester.name if it.ticket.requester else None,
            "channel": it.ticket.channel,
            "tags": list(it.ticket.tags),
            "metadata": it.ticket.metadata,
            "created_at": it.ticket.created_at,
            "received_at": now,
            "updated_at": now,
            "deliveries": 1,
        }
        for it in batch
    ]
    table = Ticket.__table__
    stmt = _insert(session, table).values(ticket_rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.source, table.c.external_id],
        set_={
            "subject": stmt.excluded.subject,
            "body": stmt.excluded.body,
            "requester_email": stmt.excluded.requester_email,
            "requester_name": stmt.excluded.requester_name,
            "channel": stmt.excluded.channel,
            "tags": stmt.excluded.tags,
            "metadata": stmt.excluded.metadata,
            "created_at": stmt.excluded.created_at,
            "updated_at": stmt.excluded.updated_at,
            "deliveries": table.c.deliveries + 1,
        },
    ).returning(table.c.id, table.c.source, table.c.external_id)
    ids = {(r.source, r.external_id): r.id for r in session.execute(stmt)}

    result_rows = []
    flag_rows = []
    for it in batch:
        o = it.outcome
        tid = ids[it.ticket.key]
        result_rows.append(
            {
                "ticket_id": tid,
                "categories": list(o.categories),
                "scores": dict(o.scores),
                "needs_review": o.needs_review,
                "evidence": [e.model_dump() for e in o.evidence],
                "flags": [f.model_dump() for f in o.flags],
                "priority": o.priority,
                "escalated": o.escalated,
                "kb_entries": list(o.kb_entries),
                "draft_reply": o.draft_reply,
                "draft_html": o.draft_html,
                "internal_note": o.internal_note,
                "kb_version": o.kb_version,
                "rules_version": o.rules_version,
                "policy_version": o.policy_version,
                "template_version": o.template_version,
                "pipeline_ms": o.pipeline_ms,
                "task_id": task_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        for f in o.flags:
            flag_rows.append(
                {
                    "ticket_id": tid,
                    "name": f.name,
                    "reason": f.reason,
                    "evidence": [e.model_dump() for e in f.evidence],
                    "linked_tickets": list(f.linked_tickets),
                    "created_at": now,
                }
            )
    rtable = TriageResult.__table__
    rstmt = _insert(session, rtable).values(result_rows)
    update_cols = {c: rstmt.excluded[c] for c in result_rows[0] if c not in {"ticket_id", "created_at"}}
    session.execute(rstmt.on_conflict_do_update(index_elements=[rtable.c.ticket_id], set_=update_cols))

    # Flags are the current verdict: replace, don't accumulate, so a re-triage never leaves stale flags.
    session.execute(delete(EscalationFlag).where(EscalationFlag.ticket_id.in_(list(ids.values()))))
    if flag_rows:
        session.execute(_insert(session, EscalationFlag.__table__).values(flag_rows))
    return ids


def record_dead_letter(
    *,
    session: Session,
    dedupe_key: str,
    payload: Any,
    reason: str,
    error_type: str,
    now: datetime,
    task_name: str | None = None,
    task_id: str | None = None,
) -> bool:
    """Store a message that cannot become a result. Returns False if this delivery was already recorded."""
    source, external_id = _identity_of(payload)
    if isinstance(payload, str | bytes):
        raw = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    else:
        try:
            raw = json.dumps(payload, ensure_ascii=False, default=repr)
        except (TypeError, ValueError):
            raw = repr(payload)
    raw = raw.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    stmt = _insert(session, DeadLetter.__table__).values(
        dedupe_key=dedupe_key[:300],
        source=source,
        external_id=external_id,
        task_name=task_name,
        task_id=task_id,
        error_type=error_type[:64],
        reason=reason.replace("\x00", "\ufffd")[:4000],
        payload=raw,
        created_at=now,
    )
    res = session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    return bool(res.rowcount)


def _identity_of(payload: Any) -> tuple[str | None, str | None]:
    """Best-effort identity of a bad message, so an operator can find the ticket it was meant to be."""
    if isinstance(payload, dict):
        src, ext = payload.get("source"), payload.get("external_id")
        return (
            str(src)[:64] if isinstance(src, str | int) else None,
            str(ext)[:255] if isinstance(ext, str | int) and not isinstance(ext, bool) else None,
        )
    return None, None


# ---------------------------------------------------------------------------------------------
# reads


def results_query(*, category: str | None = None, escalated: bool | None = None) -> Select[tuple[Ticket]]:
    """Tickets with a result, newest first, optionally filtered."""
    q = (
        select(Ticket)
        .join(TriageResult)
        .options(selectinload(Ticket.result), selectinload(Ticket.flags))
        .order_by(TriageResult.updated_at.desc(), Ticket.id.desc())
    )
    if escalated is not None:
        q = q.where(TriageResult.escalated.is_(escalated))
    if category:
        # JSON containment differs per dialect; the category list is tiny, so match its JSON text.
        q = q.where(cast(TriageResult.categories, Text).like(f'%"{category}"%'))
    return q


def recent_results(
    *, session: Session, category: str | None = None, escalated: bool | None = None, limit: int = 20
) -> list[Ticket]:
    """The most recently triaged tickets."""
    return list(session.scalars(results_query(category=category, escalated=escalated).limit(limit)))


def get_ticket(*, session: Session, ref: str) -> Ticket | None:
    """A ticket by `source:external_id` or by its numeric database id."""
    q = select(Ticket).options(selectinload(Ticket.result), selectinload(Ticket.flags))
    if ":" in ref:
        source, external_id = ref.split(":", 1)
        return session.scalars(q.where(Ticket.source == source, Ticket.external_id == external_id)).first()
    if ref.isdigit():
        return session.scalars(q.where(Ticket.id == int(ref))).first()
    return None


def counts(*, session: Session) -> dict[str, int]:
    """Row counts for a quick health picture."""
    return {
        "tickets": session.scalar(select(func.count()).select_from(Ticket)) or 0,
        "results": session.scalar(select(func.count()).select_from(TriageResult)) or 0,
        "dead_letters": session.scalar(select(func.count()).select_from(DeadLetter)) or 0,
    }


def list_dead_letters(*, session: Session, limit: int = 50) -> list[DeadLetter]:
    """Newest dead letters first."""
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))
