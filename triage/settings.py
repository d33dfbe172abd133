"""Every knob in one place: pydantic-settings, env prefix `TRIAGE_`, optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_config_dir() -> Path:
    # A source checkout (editable install, Docker image) carries config/ beside the package.
    here = PROJECT_ROOT / "config"
    return here if here.is_dir() else Path.cwd() / "config"


class Settings(BaseSettings):
    """Runtime configuration. Each field is read from `TRIAGE_<NAME>` (case-insensitive)."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    # --- where things are -------------------------------------------------------------------
    config_dir: Path = Field(default_factory=_default_config_dir, description="rules, KB, templates")
    var_dir: Path = Field(default=Path("var"), description="embedded database and broker files")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty = SQLite file in var_dir (embedded default)"
    )
    broker_url: str = Field(
        default="", description="Celery broker URL; empty = kombu filesystem transport in var_dir"
    )

    # --- Celery -------------------------------------------------------------------------------
    queue: str = Field(default="triage", description="the queue tasks are routed to and consumed from")
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    worker_prefetch_multiplier: int = Field(default=4, ge=1, le=1000)
    worker_max_tasks_per_child: int = Field(default=10000, ge=0)
    worker_max_memory_per_child_kib: int = Field(default=300_000, ge=0)
    visibility_timeout_s: int = Field(
        default=3600, ge=30, description="Redis: seconds before an unacked message is redelivered"
    )
    amqp_queue_type: Literal["quorum", "classic"] = Field(
        default="quorum", description="RabbitMQ: quorum queues are replicated and count deliveries"
    )
    task_max_retries: int = Field(default=8, ge=0)
    retry_backoff_max_s: int = Field(default=120, ge=1)
    max_batch: int = Field(default=1000, ge=1, le=100_000, description="tickets per ingest_many")

    # --- database -----------------------------------------------------------------------------
    db_pool_size: int = Field(default=2, ge=1)
    db_max_overflow: int = Field(default=2, ge=0)
    db_echo: bool = False

    # --- logging ------------------------------------------------------------------------------
    log_format: Literal["json", "console", "auto"] = "auto"
    log_level: str = "INFO"

    # --- tests / operations -------------------------------------------------------------------
    require_services: bool = Field(
        default=False, description="tests: fail (not skip) when Redis/PostgreSQL/RabbitMQ are down"
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return v

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'triage.db').resolve()}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    @property
    def broker_kind(self) -> Literal["redis", "amqp", "filesystem", "memory", "other"]:
        url = self.effective_broker_url
        scheme = url.split(":", 1)[0].lower()
        if scheme in {"redis", "rediss", "redis+socket", "sentinel"}:
            return "redis"
        if scheme in {"amqp", "amqps", "pyamqp"}:
            return "amqp"
        if scheme == "filesystem":
            return "filesystem"
        if scheme == "memory":
            return "memory"
        return "other"

    @property
    def broker_dir(self) -> Path:
        return (self.var_dir / "broker").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests call `get_settings.cache_clear()`)."""
    return Settings()
