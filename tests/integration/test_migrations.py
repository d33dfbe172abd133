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
