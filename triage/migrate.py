"""Run Alembic migrations programmatically (what `triage db upgrade` does)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from triage.db import make_engine, normalise_url
from triage.settings import PROJECT_ROOT, get_settings


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config that finds migrations/ beside the package, whatever the working directory."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["url"] = normalise_url(url or get_settings().effective_database_url)
    cfg.attributes["configure_logging"] = False
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to `revision` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    engine = make_engine(normalise_url(url or get_settings().effective_database_url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
