"""SQLAlchemy 2 typed models. The schema itself is made only by Alembic migrations (`triage db upgrade`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so migrations are portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType}  # noqa: RUF012


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_tickets_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    requester_email: Mapped[str | None] = mapped_column(String(320))
    requester_name: Mapped[str | None] = mapped_column(String(256))
    channel: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType, default=dict)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deliveries: Mapped[int] = mapped_column(Integer, default=1)

    result: Mapped[TriageResult | None] = relationship(back_populates="ticket", uselist=False)
    flags: Mapped[list[EscalationFlag]] = relationship(back_populates="ticket", order_by="EscalationFlag.name")

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.external_id}"


class TriageResult(Base):
    """The current triage of a ticket (one row per ticket; re-triage overwrites)."""

    __tablename__ = "triage_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    categories: Mapped[list[Any]] = mapped_column(JsonType)
    scores: Mapped[dict[str, Any]] = mapped_column(JsonType)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[list[Any]] = mapped_column(JsonType)
    flags: Mapped[list[Any]] = mapped_column(JsonType)
    priority: Mapped[str] = mapped_column(String(4))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    kb_entries: Mapped[list[Any]] = mapped_column(JsonType)
    draft_reply: Mapped[str | None] = mapped_column(Text)
    draft_html: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    kb_version: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    pipeline_ms: Mapped[float] = mapped_column(Float)
    task_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    ticket: Mapped[Ticket] = relationship(back_populates="result")


Index("ix_triage_results_updated_at", TriageResult.updated_at)
Index("ix_triage_results_priority", TriageResult.priority)


class EscalationFlag(Base):
    __tablename__ = "escalation_flags"
    __table_args__ = (UniqueConstraint("ticket_id", "name", name="uq_escalation_flags_ticket_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JsonType)
    linked_tickets: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    ticket: Mapped[Ticket] = relationship(back_populates="flags")


Index("ix_escalation_flags_name", EscalationFlag.name)


class DeadLetter(Base):
    """A message that could not become a result, with the reason. Never silently dropped."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A deterministic key (task id + position in the batch) so a redelivered poison message is
    # recorded once, not once per delivery.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(255))
    task_name: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(255))
    error_type: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Index("ix_dead_letters_identity", DeadLetter.source, DeadLetter.external_id)


class ContactRecord(Base):
    """An off-platform identifier (normalised) seen in at least one ticket."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_contacts_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(512))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TicketContact(Base):
    """Where a contact appeared: which ticket, from which requester, at which span."""

    __tablename__ = "ticket_contacts"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    # Who reported it: the requester's e-mail, else the ticket's own identity (two tickets without
    # an e-mail are treated as two requesters: a repeat report is worth a look either way).
    requester_key: Mapped[str] = mapped_column(String(400))
    raw: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(16))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Serves "latest reports of this contact" (ORDER BY ticket_id DESC LIMIT n) as an index range scan.
Index("ix_ticket_contacts_contact_ticket", TicketContact.contact_id, TicketContact.ticket_id)


class DraftHistory(Base):
    """A draft that was replaced (re-draft after a KB or template change, or a re-triage)."""

    __tablename__ = "draft_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    categories: Mapped[list[Any]] = mapped_column(JsonType)
    draft_reply: Mapped[str | None] = mapped_column(Text)
    draft_html: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    kb_version: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replaced_by: Mapped[str] = mapped_column(String(32))  # "redraft" or "retriage"


Index("ix_draft_history_ticket", DraftHistory.ticket_id)


class Outbox(Base):
    """A write-back to the helpdesk, written in the result's transaction and delivered by a relay.

    One row per (ticket, result version): `idempotency_key` hashes what the helpdesk would be told, so a
    redelivered or re-triaged ticket with the same verdict adds nothing. Status moves
    pending → sending (leased) → sent | failed, or pending → superseded when a newer verdict arrives.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Index("ix_outbox_due", Outbox.status, Outbox.next_attempt_at)
Index("ix_outbox_ticket", Outbox.ticket_id)
