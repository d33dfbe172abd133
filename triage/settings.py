"""Every knob in one place: pydantic-settings, env prefix `TRIAGE_`, optional `.env` file."""

from __future__ import annotations

import os
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


# Queue names every broker takes; a RabbitMQ routing key built from one stays under AMQP's 255 bytes with
# the native delayed-delivery prefix (56 bytes) even when every character is a dot (%2E).
QUEUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class Settings(BaseSettings):
    """Runtime configuration. Each field is read from `TRIAGE_<NAME>` (case-insensitive)."""

    # TRIAGE_ENV_FILE: another file, or "" for none (the test suite: a developer's .env must not change it)
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=os.environ.get("TRIAGE_ENV_FILE", ".env") or None,
                                      extra="ignore")

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
    queue: str = Field(
        default="triage", pattern=QUEUE_PATTERN,
        description="the queue tasks are routed to and consumed from (letters, digits and . _ : -; at most 64)"
    )
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    # 2, not Celery's 4: the main process holds prefetch x concurrency decoded messages (1,000 tickets each: 151 MiB)
    worker_prefetch_multiplier: int = Field(default=2, ge=1, le=1000)
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
    max_deliveries: int = Field(
        default=5, ge=1, description="a message started this many times without finishing (its worker "
        "process died each time) becomes a dead letter instead of looping"
    )
    max_batch: int = Field(default=1000, ge=1, le=100_000, description="tickets per ingest_many")

    # --- throughput: worker-side batching of single-ticket messages, metrics ---------------------
    single_batching: bool = Field(
        default=False, description="buffer triage.ingest messages in the worker and store them in shared "
        "transactions (acked only after commit)"
    )
    batch_flush_every: int = Field(default=100, ge=1, le=10_000, description="batched singles: flush at this many")
    batch_flush_interval_ms: int = Field(
        default=50, ge=1, le=60_000, description="batched singles: flush at least this often (bounds latency)"
    )
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Prometheus metrics on this port of the worker; 0 = off"
    )
    metrics_host: str = Field(
        default="127.0.0.1", min_length=1,
        description="address the metrics port binds; 0.0.0.0 to be scraped from another host or container"
    )

    # --- database -----------------------------------------------------------------------------
    db_pool_size: int = Field(default=2, ge=1)
    db_max_overflow: int = Field(default=2, ge=0)
    db_echo: bool = False

    # --- HTTP intake and read API (`triage serve`) ----------------------------------------------
    # An endpoint whose secret is empty refuses every request (503): unsigned input is never accepted.
    zendesk_webhook_secret: str = Field(default="", description="Zendesk webhook signing secret")
    zendesk_timestamp_window_s: int = Field(default=300, ge=1, description="max clock skew of a signed request")
    zammad_webhook_secret: str = Field(default="", description="Zammad webhook HMAC-SHA1 signature token")
    freshdesk_webhook_token: str = Field(default="", description="shared token Freshdesk sends (Bearer/Basic)")
    generic_webhook_token: str = Field(default="", description="bearer token for POST /webhooks/generic")
    api_token: str = Field(default="", description="bearer token for the read API (GET /tickets/...)")
    intake_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest webhook body")
    intake_dedupe_ttl_s: int = Field(default=7 * 24 * 3600, ge=1, description="how long a delivery id is kept")
    intake_dedupe_url: str = Field(
        default="", description="Redis URL for delivery de-duplication; empty = the broker when it is Redis, "
        "else an in-process LRU"
    )
    intake_ignore_tag: str = Field(
        default="triage_done", description="events of tickets carrying this tag (our write-back marker) are ignored"
    )

    # --- write-back to the helpdesk (outbox relay) ----------------------------------------------
    writeback_zendesk_url: str = Field(default="", description="https://SUBDOMAIN.zendesk.com; empty = off")
    writeback_zendesk_email: str = Field(default="", description="API user e-mail (API-token auth)")
    writeback_zendesk_token: str = Field(default="", description="API token (or OAuth token without e-mail)")
    writeback_actor_id: str = Field(
        default="", description="helpdesk user id of the write-back API user: intake ignores its own updates"
    )
    writeback_set_priority: bool = Field(default=True, description="also set the ticket priority")
    writeback_max_attempts: int = Field(default=8, ge=1)
    writeback_backoff_base_s: float = Field(default=2.0, gt=0)
    writeback_backoff_max_s: float = Field(default=300.0, gt=0)
    writeback_timeout_s: float = Field(default=10.0, gt=0)

    # --- logging ------------------------------------------------------------------------------
    log_format: Literal["json", "console", "auto"] = "auto"
    log_level: str = "INFO"

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
    def writeback_sources(self) -> frozenset[str]:
        """Sources whose results are written back (each needs a configured helpdesk client)."""
        return frozenset({"zendesk"} if self.writeback_zendesk_url else ())

    @property
    def broker_dir(self) -> Path:
        return (self.var_dir / "broker").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests call `get_settings.cache_clear()`)."""
    return Settings()
