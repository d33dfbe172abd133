"""Idempotent writes (multi-row upserts keyed by ticket identity) and read queries.

Service functions take the session keyword-first and never commit: the caller owns the transaction,
so a ticket's row, result and flags commit together or not at all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    DateTime,
    Float,
    Integer,
    Select,
    String,
    Text,
    any_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from triage import outbox
from triage.contacts import is_well_known
from triage.models import (
    ContactRecord,
    DeadLetter,
    DraftHistory,
    EscalationFlag,
    Outbox,
    Ticket,
    TicketContact,
    TriageResult,
)
from triage.schemas import Contact, Evidence, Flag, TicketIn, TriageOutcome
from triage.settings import get_settings


def _insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT that supports ON CONFLICT (PostgreSQL and SQLite share the syntax)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}: use PostgreSQL or SQLite")


# PostgreSQL column types for the unnest arrays (checked in order: Text is a String, JSONB a JSON).
_PG_ARRAY_TYPES: tuple[tuple[type[Any], str], ...] = (
    (JSON, "jsonb"), (Boolean, "boolean"), (Integer, "integer"), (Float, "float8"),
    (DateTime, "timestamptz"), (String, "text"),
)
_PG_STATEMENTS: dict[tuple[Any, ...], tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


class _Models(list[Any]):
    """A row's list of pydantic models for a JSON column. On PostgreSQL `_pg_insert_rows` serialises the
    whole column in one pydantic call (`_COLUMN_JSON`); elsewhere rows hold `model_dump()` dicts."""

    kind: type[Any]  # the models' class, a key of _COLUMN_JSON


# The type of a JSON column's values, for serialising a whole column (one JSON array) at once.
_COLUMN_JSON: dict[type[Any], TypeAdapter[Any]] = {
    Evidence: TypeAdapter(list[list[Evidence]]),
    Flag: TypeAdapter(list[list[Flag]]),
}


def _json_models(kind: type[Any], models: Sequence[Any], pg: bool) -> Any:
    """A list of `kind` models for a JSON column: dicts (SQLAlchemy's JSON type serialises them), or on
    PostgreSQL the models themselves, serialised by pydantic with the rest of their column (the jsonb
    stored is the same value)."""
    if pg:
        out = _Models(models)
        out.kind = kind
        return out
    return [m.model_dump() for m in models]


def _json_column(values: list[Any]) -> str:
    """One JSON array holding a column's values, each serialised as SQLAlchemy's JSON type does (json.dumps;
    None is JSON null), or by pydantic for `_Models`: one serialiser call per column and batch instead of
    one per row (the arrays are split again by jsonb_array_elements)."""
    kinds = {v.kind for v in values if type(v) is _Models}
    if not kinds:
        return json.dumps(values)
    if len(kinds) == 1 and all(type(v) is _Models for v in values):
        return _COLUMN_JSON[kinds.pop()].dump_json(values).decode()
    return "[" + ", ".join(
        _COLUMN_JSON[v.kind].dump_json([v]).decode()[1:-1] if type(v) is _Models else json.dumps(v)
        for v in values) + "]"


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _id_in(session: Session, column: Any, ids: Sequence[Any]) -> Any:
    """`column IN ids`; on PostgreSQL `column = ANY(:array)`, one parameter: the statement text does not
    grow with the batch, so SQLAlchemy and psycopg reuse their compiled/converted forms."""
    if _is_pg(session):
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(list(ids))


def _pg_insert_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]], *, tail: str = "",
                    same: Collection[str] = ()) -> list[tuple[Any, ...]]:
    """PostgreSQL: `INSERT … SELECT … FROM ROWS FROM (unnest(one array per column), …) … <tail>`, returning
    RETURNING rows.

    One statement of fixed text per batch whatever its size (prepared once, planned and executed once),
    instead of SQLAlchemy's multi-row VALUES pages (a fresh ~10,000-parameter statement for the driver to
    convert and the server to parse, per batch) or one execution per row. The arrays travel in psycopg's
    binary format (text arrays in text format are escaped element by element in Python: 5× slower for
    the drafts). Rows keep their order (the lock order). Columns in `same` hold one value for the whole
    batch and travel once. A JSON column travels as one JSON array (`_json_column`: one serialiser call
    per column, not per row) that `jsonb_array_elements` splits in the same ROWS FROM; its values are
    serialised as SQLAlchemy's JSON type does (json.dumps, None is JSON null) or by pydantic (`_Models`).
    The statement runs on the session's connection, inside its transaction.
    """
    cols = [c for c in rows[0] if c not in same]
    consts = [c for c in rows[0] if c in same]
    for c in consts:
        if any(r[c] != rows[0][c] for r in rows):
            raise ValueError(f"{table.name}.{c} differs between rows: it cannot travel as one value")
    key = (table.name, tuple(cols), tuple(consts), tail)
    cached = _PG_STATEMENTS.get(key)
    if cached is None:
        types = {c.name: next(t for base, t in _PG_ARRAY_TYPES if isinstance(c.type, base)) for c in table.columns}
        arrays = ", ".join("jsonb_array_elements(%b::jsonb)" if types[c] == "jsonb" else f"unnest(%b::{types[c]}[])"
                           for c in cols)
        names = ", ".join(f"u{i}" for i in range(len(cols)))
        values = ", ".join([*(f"u{i}" for i in range(len(cols))), *(f"%b::{types[c]}" for c in consts)])
        target = ", ".join(f'"{c}"' for c in (*cols, *consts))
        # The constants' placeholders come first in the text (SELECT list), then the arrays (FROM).
        sql = (f'INSERT INTO "{table.name}" ({target}) SELECT {values} FROM ROWS FROM ({arrays}) '
               f"WITH ORDINALITY AS u({names}, ord) ORDER BY ord {tail}")
        cached = (sql, tuple(types[c] for c in cols), tuple(types[c] for c in consts))
        _PG_STATEMENTS[key] = cached
    sql, col_types, const_types = cached
    params: list[Any] = []
    for c, t in zip(consts, const_types, strict=True):
        v = rows[0][c]
        params.append(json.dumps(v) if t == "jsonb" else v)
    for c, t in zip(cols, col_types, strict=True):
        if t == "jsonb":
            params.append(_json_column([r[c] for r in rows]))
        elif t == "float8":  # psycopg refuses a list mixing int and float
            params.append([None if r[c] is None else float(r[c]) for r in rows])
        else:
            params.append([r[c] for r in rows])
    return _pg_exec(session, sql, params)


def _pg_exec(session: Session, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """PostgreSQL: run `sql` (psycopg placeholders) on the session's connection, inside its transaction,
    returning its rows. For the fixed statements of `save_outcomes`: SQLAlchemy's ORM-enabled DELETE
    costs ~1 ms of Python per call (and adds a RETURNING to synchronise a session that holds none of
    those objects)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


@dataclass(frozen=True)
class StoredItem:
    ticket: TicketIn
    outcome: TriageOutcome


@dataclass
class Envelope:
    """One batch saved by several `save_outcomes` calls, in key order, in one transaction or several (the
    worker's chunks and parts). The calls then judge repeat contacts as one call over the whole batch: reports by
    the batch's own tickets are left out of the committed look-up, and the batch's earlier tickets count as
    reported before, in key order."""

    # ids of the batch's tickets that may have committed contact links: stored by earlier chunks, or (on a
    # redelivery) existing rows of later chunks' keys (`existing_ticket_ids`)
    exclude: set[int]
    # the contact links stored by earlier chunks, in batch order: (contact_id, requester_key, ref, ticket_id)
    links: list[tuple[int, str, str, int]]


def existing_ticket_ids(session: Session, keys: Sequence[tuple[str, str]]) -> set[int]:
    """Ids of the tickets among `keys` ((source, external_id)) that are already stored."""
    out: set[int] = set()
    for i in range(0, len(keys), 200):
        part = keys[i:i + 200]
        out.update(session.scalars(select(Ticket.id).where(tuple_(Ticket.source, Ticket.external_id).in_(part))))
    return out


# Re-decides an outcome once the database has shown what the pure pipeline cannot know (a contact
# reported before by someone else). The worker passes `pipeline.run` with extra flags.
Refine = Callable[[StoredItem, Sequence[Flag]], TriageOutcome]


# Bounds on the repeat-contact look-up (see _link_contacts).
PRIOR_PER_CONTACT = 50
MAX_LINKED_TICKETS = 20


def requester_key(ticket: TicketIn) -> str:
    """Who reported a ticket, for telling repeat reports by different people apart."""
    if ticket.requester and ticket.requester.email:
        return f"email:{ticket.requester.email}"
    return f"ticket:{ticket.source}:{ticket.external_id}"


def save_outcomes(
    *,
    session: Session,
    items: Sequence[StoredItem],
    now: datetime,
    task_id: str | None = None,
    refine: Refine | None = None,
    repeat_reason: str = "",  # empty: the escalation policy's reason for the flag
    outbox_sources: Collection[str] | None = None,
    envelope: Envelope | None = None,
) -> dict[tuple[str, str], int]:
    """Upsert tickets, contacts, their current result and flags in the caller's transaction.

    Returns the ticket ids. With `refine`, tickets whose contacts were already reported by a
    different requester get a `repeat_reported_contact` flag and are re-decided. Tickets from
    `outbox_sources` (default: the sources with a write-back configured) get an outbox row.
    """
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
    # Every multi-row write below passes its rows as executemany parameters: SQLAlchemy compiles the
    # statement once (cached) and batches it as multi-row VALUES pages ("insertmanyvalues", RETURNING
    # included). `.values(rows)` would compile a fresh giant statement per batch: that compile was more
    # than half of a 500-ticket batch's time.
    stmt = _insert(session, table)
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
    ).returning(table.c.id, table.c.source, table.c.external_id, table.c.deliveries)
    res: Sequence[Any]
    if _is_pg(session):
        res = _pg_insert_rows(
            session, table, ticket_rows, same={"received_at", "updated_at", "deliveries"},
            tail="ON CONFLICT (source, external_id) DO UPDATE SET " + ", ".join(
                f'"{c}" = EXCLUDED."{c}"' for c in ("subject", "body", "requester_email", "requester_name",
                                                    "channel", "tags", "metadata", "created_at", "updated_at"))
            + ", deliveries = tickets.deliveries + 1 RETURNING id, source, external_id, deliveries")
    else:
        res = session.execute(stmt, ticket_rows).all()
    ids = {(src, ext): tid for tid, src, ext, _ in res}
    # A ticket the upsert just created (deliveries == 1: an existing row always comes back incremented)
    # has no flags or contact links yet, so their replace-DELETEs run only for re-delivered tickets. Fresh
    # traffic then issues no DELETE at all — and none that a planner without statistics could turn into a
    # sequential scan (README "Performance": 18 ms instead of 0.2 per batch on a 1M-result database).
    redelivered = [tid for tid, _, _, n in res if n != 1]

    repeats = _link_contacts(session=session, batch=batch, ids=ids, now=now, redelivered=redelivered,
                             envelope=envelope)
    if refine is not None and repeats:
        refined = []
        for it in batch:
            linked = repeats.get(ids[it.ticket.key])
            if linked:
                flag = Flag(name="repeat_reported_contact", reason=repeat_reason,
                            evidence=linked[0], linked_tickets=linked[1])
                it = StoredItem(it.ticket, refine(it, [flag]))
            refined.append(it)
        batch = refined

    pg = _is_pg(session)
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
                "evidence": _json_models(Evidence, o.evidence, pg),
                "flags": _json_models(Flag, o.flags, pg),
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
                    "evidence": _json_models(Evidence, f.evidence, pg),
                    "linked_tickets": list(f.linked_tickets),
                    "created_at": now,
                }
            )
    _archive_replaced_drafts(session=session, result_rows=result_rows, now=now)
    rtable = TriageResult.__table__
    rcols = [c for c in result_rows[0] if c not in {"ticket_id", "created_at"}]
    if _is_pg(session):
        _pg_insert_rows(session, rtable, result_rows, same={"task_id", "created_at", "updated_at"},
                        tail="ON CONFLICT (ticket_id) DO UPDATE SET "
                        + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in rcols))
    else:
        rstmt = _insert(session, rtable)
        session.execute(rstmt.on_conflict_do_update(index_elements=[rtable.c.ticket_id],
                                                    set_={c: rstmt.excluded[c] for c in rcols}), result_rows)

    # Flags are the current verdict: replace, don't accumulate, so a re-triage never leaves stale flags.
    if redelivered:
        if pg:
            _pg_exec(session, "DELETE FROM escalation_flags WHERE ticket_id = ANY(%b::integer[])", [redelivered])
        else:
            session.execute(delete(EscalationFlag).where(_id_in(session, EscalationFlag.ticket_id, redelivered)))
    if flag_rows:
        if _is_pg(session):
            _pg_insert_rows(session, EscalationFlag.__table__, flag_rows, same={"created_at"})
        else:
            session.execute(_insert(session, EscalationFlag.__table__), flag_rows)
    if outbox_sources is None:
        outbox_sources = get_settings().writeback_sources
    _write_outbox(session=session, batch=[it for it in batch if it.ticket.source in outbox_sources], ids=ids,
                  now=now)
    return ids


def _write_outbox(
    *, session: Session, batch: Sequence[StoredItem], ids: dict[tuple[str, str], int], now: datetime
) -> None:
    """One pending write-back per (ticket, verdict), in the result's transaction; older pending ones superseded."""
    if not batch:
        return
    rows = []
    for it in batch:
        key, payload = outbox.entry_for(it.ticket.source, it.ticket.external_id, it.outcome)
        rows.append({"ticket_id": ids[it.ticket.key], "source": it.ticket.source,
                     "external_id": it.ticket.external_id, "idempotency_key": key, "payload": payload,
                     "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
                     "updated_at": now})
    # A newer verdict makes an undelivered older one moot: the helpdesk should see the latest only.
    session.execute(
        update(Outbox)
        .where(_id_in(session, Outbox.ticket_id, [r["ticket_id"] for r in rows]), Outbox.status == "pending",
               Outbox.idempotency_key.not_in([r["idempotency_key"] for r in rows]))
        .values(status="superseded", updated_at=now)
    )
    session.execute(_insert(session, Outbox.__table__).on_conflict_do_nothing(index_elements=["idempotency_key"]),
                    rows)


def _archive_replaced_drafts(*, session: Session, result_rows: list[dict[str, Any]], now: datetime) -> None:
    """Keep a draft in history when a re-triage replaces it with one from another KB or template version."""
    new = {r["ticket_id"]: (r["kb_version"], r["template_version"], r["draft_reply"]) for r in result_rows}
    candidates = list(new)
    if _is_pg(session):
        # Usually nothing is replaced (new tickets, or the same versions): find which ones are with a plain
        # query (the ORM select below cost ~4 ms per 500-ticket batch to find none), then load only those.
        candidates = [tid for tid, kbv, tv, reply in _pg_exec(
            session, "SELECT ticket_id, kb_version, template_version, draft_reply FROM triage_results "
            "WHERE ticket_id = ANY(%b::integer[]) AND draft_reply IS NOT NULL", [candidates])
            if (kbv, tv) != new[tid][:2] and reply != new[tid][2]]
        if not candidates:
            return
    old = session.execute(
        select(TriageResult).where(_id_in(session, TriageResult.ticket_id, candidates),
                                   TriageResult.draft_reply.is_not(None))
    ).scalars().all()
    rows = [
        _history_row(r, now, "retriage") for r in old
        if (r.kb_version, r.template_version) != new[r.ticket_id][:2] and r.draft_reply != new[r.ticket_id][2]
    ]
    if rows:
        session.execute(insert(DraftHistory), rows)


def _history_row(r: TriageResult, now: datetime, why: str) -> dict[str, Any]:
    return {
        "ticket_id": r.ticket_id, "categories": list(r.categories), "draft_reply": r.draft_reply,
        "draft_html": r.draft_html, "internal_note": r.internal_note, "kb_version": r.kb_version,
        "template_version": r.template_version, "drafted_at": r.updated_at, "replaced_at": now, "replaced_by": why,
    }


@dataclass(frozen=True)
class NewDraft:
    draft_reply: str | None
    draft_html: str | None
    internal_note: str | None
    kb_entries: list[str]
    kb_version: str
    template_version: str


def redraft(
    *, session: Session, since: datetime, build: Callable[[Ticket, TriageResult], NewDraft], now: datetime,
    only_stale: tuple[str, str] | None = None, limit: int | None = None,
) -> int:
    """Re-draft results updated since `since` (optionally only those not drafted with the given
    (kb_version, template_version)); the replaced draft goes to history. Returns how many changed."""
    q = (select(Ticket, TriageResult).join(TriageResult).where(TriageResult.updated_at >= since)
         .order_by(Ticket.id).with_for_update(of=TriageResult))
    if only_stale is not None:
        q = q.where(or_(TriageResult.kb_version != only_stale[0], TriageResult.template_version != only_stale[1]))
    if limit:
        q = q.limit(limit)
    changed = 0
    for ticket, result in session.execute(q).all():
        d = build(ticket, result)
        if (d.draft_reply, d.internal_note, d.kb_version, d.template_version) == (
            result.draft_reply, result.internal_note, result.kb_version, result.template_version
        ):
            continue
        if result.draft_reply is not None or result.internal_note is not None:
            session.execute(insert(DraftHistory).values([_history_row(result, now, "redraft")]))
        result.draft_reply, result.draft_html, result.internal_note = d.draft_reply, d.draft_html, d.internal_note
        result.kb_entries, result.kb_version, result.template_version = d.kb_entries, d.kb_version, d.template_version
        result.updated_at = now
        changed += 1
    session.flush()
    return changed


def draft_history(*, session: Session, ticket_id: int) -> list[DraftHistory]:
    """Earlier drafts of a ticket, oldest first."""
    return list(session.scalars(select(DraftHistory).where(DraftHistory.ticket_id == ticket_id)
                                .order_by(DraftHistory.id)))


def _link_contacts(
    *, session: Session, batch: Sequence[StoredItem], ids: dict[tuple[str, str], int], now: datetime,
    redelivered: Sequence[int], envelope: Envelope | None = None,
) -> dict[int, tuple[list[Evidence], list[str]]]:
    """Store each ticket's contacts; return, per ticket, the repeat evidence and earlier ticket refs.

    Concurrency: the contacts upsert takes a row lock on every contact (ON CONFLICT DO UPDATE), in
    sorted order, held to commit. A second transaction reporting the same contact waits for the
    first to commit and then sees its link, so exactly the later ticket is flagged — no lost update,
    no double flag — and the global order (tickets, then contacts, both sorted) rules out deadlocks.
    """
    per_ticket: dict[int, list[tuple[Contact, str]]] = {}
    keys: set[tuple[str, str]] = set()
    for it in batch:
        seen: dict[tuple[str, str], Contact] = {}
        for c in it.outcome.contacts:
            if is_well_known(c):
                continue
            seen.setdefault((c.kind, c.value), c)
        per_ticket[ids[it.ticket.key]] = [(c, requester_key(it.ticket)) for c in seen.values()]
        keys.update(seen)
    tids = list(per_ticket)
    stale = [tid for tid in redelivered if tid in per_ticket]  # only a re-delivered ticket can have links
    if stale:
        if _is_pg(session):
            _pg_exec(session, "DELETE FROM ticket_contacts WHERE ticket_id = ANY(%b::integer[])", [stale])
        else:
            session.execute(delete(TicketContact).where(_id_in(session, TicketContact.ticket_id, stale)))
    if not keys:
        if envelope is not None:
            envelope.exclude.update(tids)
        return {}
    ctable = ContactRecord.__table__
    rows = [{"kind": k, "value": v[:512], "first_seen_at": now, "last_seen_at": now} for k, v in sorted(keys)]
    cstmt = _insert(session, ctable)
    cstmt = cstmt.on_conflict_do_update(
        index_elements=[ctable.c.kind, ctable.c.value], set_={"last_seen_at": cstmt.excluded.last_seen_at}
    ).returning(ctable.c.id, ctable.c.kind, ctable.c.value)
    cres: Sequence[Any]
    if _is_pg(session):
        cres = _pg_insert_rows(session, ctable, rows, same={"first_seen_at", "last_seen_at"},
                               tail="ON CONFLICT (kind, value) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at "
                               "RETURNING id, kind, value")
    else:
        cres = session.execute(cstmt, rows).all()
    cids = {(kind, value): cid for cid, kind, value in cres}

    link_rows = [
        {"ticket_id": tid, "contact_id": cids[(c.kind, c.value[:512])], "requester_key": rk[:400], "raw": c.raw,
         "field": c.field, "start": c.start, "end": c.end, "created_at": now}
        for tid, contacts in per_ticket.items() for c, rk in contacts
    ]
    # Who else reported these contacts (committed before us, or earlier in this batch)? Bounded: a
    # contact reported thousands of times must not make every new report read them all — per contact,
    # the latest PRIOR_PER_CONTACT reports, each an index range scan on (contact_id, ticket_id).
    exclude = tids if envelope is None else sorted(envelope.exclude.union(tids))
    prior = _latest_reports(session=session, contact_ids=sorted(set(cids.values())), exclude=exclude)
    batch_rks = {(cids[(c.kind, c.value[:512])], rk) for contacts in per_ticket.values() for c, rk in contacts}
    seen_full = {cid for cid, n in Counter(row[0] for row in prior).items() if n >= PRIOR_PER_CONTACT}
    for cid, rk in sorted(batch_rks):
        # Rare: the latest reports all came from this very requester; look further back for others.
        if cid in seen_full and all(r[1] == rk for r in prior if r[0] == cid):
            prior.extend(_latest_reports(session=session, contact_ids=[cid], exclude=exclude, not_requester=rk,
                                         limit=MAX_LINKED_TICKETS))
    prior.sort(key=lambda r: r[4])
    if link_rows:
        if _is_pg(session):
            _pg_insert_rows(session, TicketContact.__table__, link_rows, same={"created_at"})
        else:
            session.execute(_insert(session, TicketContact.__table__), link_rows)

    # Reporters per contact, in order: committed tickets first, then this batch in sorted order (an
    # earlier ticket of the batch counts as "before" a later one).
    refs_by_tid = {ids[it.ticket.key]: f"{it.ticket.source}:{it.ticket.external_id}" for it in batch}
    reporters: dict[int, list[tuple[str, str, int]]] = {}
    for cid, rk, src, ext, tid in prior:
        reporters.setdefault(cid, []).append((rk, f"{src}:{ext}", tid))
    if envelope is not None:  # the batch's earlier chunks, after the committed reports
        mine_cids = set(cids.values())
        for cid, rk, ref, tid in envelope.links:
            if cid in mine_cids:
                reporters.setdefault(cid, []).append((rk, ref, tid))
        envelope.links.extend((row["contact_id"], row["requester_key"], refs_by_tid[row["ticket_id"]],
                               row["ticket_id"]) for row in link_rows)
        envelope.exclude.update(tids)
    for row in link_rows:
        reporters.setdefault(row["contact_id"], []).append(
            (row["requester_key"], refs_by_tid[row["ticket_id"]], row["ticket_id"])
        )

    out: dict[int, tuple[list[Evidence], list[str]]] = {}
    for tid, contacts in per_ticket.items():
        evidence: list[Evidence] = []
        refs: list[str] = []
        for c, rk in contacts:
            before = reporters.get(cids[(c.kind, c.value[:512])], [])
            mine = next(i for i, (_, _, t) in enumerate(before) if t == tid)
            others = [ref for other_rk, ref, _ in before[:mine] if other_rk != rk]
            if others:
                evidence.append(Evidence(signal=f"contact:{c.kind}", field=c.field, start=c.start, end=c.end,
                                         text=c.raw))
                refs.extend(r for r in others if r not in refs)
        if refs:
            out[tid] = (evidence, refs[-MAX_LINKED_TICKETS:])  # the most recent ones
    return out


def _latest_reports(
    *, session: Session, contact_ids: Sequence[int], exclude: Sequence[int], not_requester: str | None = None,
    limit: int | None = None,
) -> list[Any]:
    """(contact_id, requester_key, source, external_id, ticket_id) of the latest reports per contact."""
    if session.get_bind().dialect.name == "postgresql":
        # One small statement whatever the batch: the contact ids and the excluded tickets travel as two
        # array parameters (the UNION below renders one sub-select and ~500 bind parameters per contact:
        # a 150,000-parameter statement per 500-ticket batch for the driver and the server to parse).
        rk_filter = "AND tc.requester_key <> :not_requester " if not_requester is not None else ""
        stmt = text(
            "SELECT x.contact_id, x.requester_key, t.source, t.external_id, t.id "
            "FROM unnest(CAST(:cids AS integer[])) AS c(id) CROSS JOIN LATERAL ("
            " SELECT tc.contact_id, tc.requester_key, tc.ticket_id FROM ticket_contacts AS tc"
            " WHERE tc.contact_id = c.id AND tc.ticket_id <> ALL(CAST(:exclude AS integer[])) "
            f"{rk_filter}"
            " ORDER BY tc.ticket_id DESC LIMIT :lim) AS x "
            "JOIN tickets AS t ON t.id = x.ticket_id"
        )
        params: dict[str, Any] = {"cids": list(contact_ids), "exclude": list(exclude),
                                  "lim": limit or PRIOR_PER_CONTACT}
        if not_requester is not None:
            params["not_requester"] = not_requester
        return list(session.execute(stmt, params).all())
    tc = TicketContact
    out: list[Any] = []
    # SQLite: one UNION ALL of per-contact LIMIT queries per chunk (SQLite caps compound SELECTs at 500 terms).
    for i in range(0, len(contact_ids), 200):
        parts = []
        for cid in contact_ids[i:i + 200]:
            q = select(tc.contact_id, tc.requester_key, tc.ticket_id).where(
                tc.contact_id == cid, tc.ticket_id.not_in(list(exclude))
            )
            if not_requester is not None:
                q = q.where(tc.requester_key != not_requester)
            sub = q.order_by(tc.ticket_id.desc()).limit(limit or PRIOR_PER_CONTACT).subquery()
            parts.append(select(sub.c.contact_id, sub.c.requester_key, sub.c.ticket_id))
        u = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        out.extend(session.execute(
            select(u.c.contact_id, u.c.requester_key, Ticket.source, Ticket.external_id, Ticket.id)
            .join(Ticket, Ticket.id == u.c.ticket_id)
        ).all())
    return out


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
    stmt = _insert(session, DeadLetter.__table__).values(
        dedupe_key=_text_column(dedupe_key)[:300],
        source=None if source is None else _text_column(source),
        external_id=None if external_id is None else _text_column(external_id),
        task_name=task_name,
        task_id=task_id,
        error_type=error_type[:64],
        reason=_text_column(reason)[:4000],
        payload=_text_column(raw),
        created_at=now,
    )
    res = session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    return bool(getattr(res, "rowcount", 0))


def _text_column(value: str) -> str:
    """`value` as any store can hold it: NUL as U+FFFD (PostgreSQL text cannot hold it), and a lone surrogate
    (half an emoji, which UTF-8 cannot encode) as its escape `\\udXXX` — in a JSON payload that is the same
    JSON escape the producer sent."""
    value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _identity_of(payload: Any) -> tuple[str | None, str | None]:
    """Best-effort identity of a bad message, so an operator can find the ticket it was meant to be (a task's
    whole message `{"args": [ticket], "kwargs": {}}` names its one ticket)."""
    if isinstance(payload, dict) and set(payload) == {"args", "kwargs"} and isinstance(payload["args"], list):
        args = payload["args"]
        payload = args[0] if len(args) == 1 and isinstance(args[0], dict) else None
    if isinstance(payload, dict):
        src, ext = payload.get("source"), payload.get("external_id")
        return (
            str(src)[:64] if isinstance(src, str | int) else None,
            str(ext)[:255] if isinstance(ext, str | int) and not isinstance(ext, bool) else None,
        )
    return None, None


# ---------------------------------------------------------------------------------------------
# reads


def results_query(*, category: str | None = None, escalated: bool | None = None) -> Select[Any]:
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


def get_dead_letter(*, session: Session, dead_letter_id: int) -> DeadLetter | None:
    """One dead letter by id."""
    return session.get(DeadLetter, dead_letter_id)


def dead_letters_to_replay(*, session: Session, include_replayed: bool = False) -> list[DeadLetter]:
    """Dead letters not yet replayed (all of them with `include_replayed`), oldest first."""
    q = select(DeadLetter).order_by(DeadLetter.id)
    if not include_replayed:
        q = q.where(DeadLetter.replayed_at.is_(None))
    return list(session.scalars(q))


def mark_replayed(*, session: Session, dead_letter_id: int, now: datetime) -> None:
    """Record that a dead letter's payload was re-enqueued."""
    dl = session.get(DeadLetter, dead_letter_id)
    if dl is not None:
        dl.replayed_at = now
