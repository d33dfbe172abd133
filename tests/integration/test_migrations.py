"""Alembic is the only way a schema is made: head matches the models, and every step goes down and up."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from triage.db import normalise_url
from triage.migrate import alembic_config, current_revision, head_revision
from triage.models import Base


def _roundtrip(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    assert current_revision(url) == head_revision()
    eng = create_engine(normalise_url(url))
    try:
        with eng.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            assert {"tickets", "triage_results", "escalation_flags", "dead_letters", "contacts", "ticket_contacts",
                    "draft_history", "outbox"} <= set(inspect(conn).get_table_names())
    finally:
        eng.dispose()
    command.downgrade(cfg, "base")
    assert current_revision(url) is None
    command.upgrade(cfg, "head")
    assert current_revision(url) == head_revision()


def test_sqlite_upgrade_downgrade_upgrade(sqlite_url: str) -> None:
    _roundtrip(sqlite_url)


@pytest.mark.integration
def test_postgres_upgrade_downgrade_upgrade(postgres_db: str, **_: Any) -> None:
    _roundtrip(postgres_db)


@pytest.mark.integration
def test_postgres_large_text_columns_use_lz4(postgres_db: str) -> None:
    """0006 switches the drafts, the note and the ticket body to LZ4 (storage only); downgrade restores pglz."""
    from sqlalchemy import text

    cfg = alembic_config(postgres_db)
    command.upgrade(cfg, "head")
    eng = create_engine(normalise_url(postgres_db))
    q = text("SELECT c.relname || '.' || a.attname, a.attcompression FROM pg_attribute a "
             "JOIN pg_class c ON c.oid = a.attrelid WHERE (c.relname, a.attname) IN "
             "(('triage_results', 'draft_reply'), ('triage_results', 'draft_html'),"
             " ('triage_results', 'internal_note'), ('draft_history', 'draft_html'), ('tickets', 'body'))")
    try:
        with eng.connect() as conn:
            assert {k: v for k, v in conn.execute(q)} == dict.fromkeys(
                ["triage_results.draft_reply", "triage_results.draft_html", "triage_results.internal_note",
                 "draft_history.draft_html", "tickets.body"], "l")
        command.downgrade(cfg, "0005")
        with eng.connect() as conn:
            assert {v for _, v in conn.execute(q)} == {"p"}
    finally:
        eng.dispose()
