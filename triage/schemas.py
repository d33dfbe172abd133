"""Public contracts: the ticket message (`TicketIn`) and the triage outcome (`TriageOutcome`).

These models are the wire format between producers (helpdesk intake, `triage submit`, any Celery
client in any language) and the worker, and between the pipeline and the store. Keep them stable:
add optional fields, never repurpose one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CATEGORIES: tuple[str, ...] = ("scam_suspicion", "off_platform_payment")
Category = Literal["scam_suspicion", "off_platform_payment"]

MAX_SUBJECT_BYTES = 1024
MAX_BODY_BYTES = 64 * 1024
MAX_TAGS = 100
MAX_TAG_CHARS = 128
MAX_METADATA_BYTES = 16 * 1024

_SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
# NUL cannot be stored in PostgreSQL text and has no meaning in a ticket; other C0 controls except
# tab/newline/carriage return are noise that breaks terminals and logs.
# A lone surrogate (half an emoji: what JavaScript's String.slice leaves when it cuts a pair, and what
# JSON's "\ud83d" decodes to) cannot be encoded as UTF-8, so PostgreSQL, SQLite and every log line would
# refuse the ticket; it is replaced too.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What no store can hold in any field (identifiers, e-mail, metadata): NUL and lone surrogates.
_UNSTORABLE_RE = re.compile(r"[\x00\ud800-\udfff]")
# `\s` on str patterns is Py_UNICODE_ISSPACE, the test str.isspace applies: one C scan instead of a
# generator over every character (that generator was 40% of validating a ticket).
_SPACE_RE = re.compile(r"\s")
# json.dumps with a non-default option builds a new encoder per call; this is the same encoder, built once.
_METADATA_JSON = json.JSONEncoder(ensure_ascii=False)


def error_message(err: Mapping[str, Any]) -> str:
    """One pydantic error's message as people should read it: our own validators' text without pydantic's
    "Value error, " prefix ("subject is 2000 bytes; …", not "Value error, subject is 2000 bytes; …")."""
    cause = (err.get("ctx") or {}).get("error")
    if err.get("type") == "value_error" and isinstance(cause, Exception) and str(cause):
        return str(cause)
    return str(err.get("msg", "invalid"))


def error_pairs(exc: Any) -> list[tuple[str, str]]:
    """(where, message) of each error of a pydantic ValidationError: the dotted field path ("ticket" for the
    whole object) and `error_message`. The worker's dead-letter reasons, the CLI and the HTTP intake read these."""
    return [(".".join(str(x) for x in e.get("loc", ())) or "ticket", error_message(e))
            for e in exc.errors(include_url=False)]


def clean_text(value: str) -> str:
    """Replace control characters (NUL included) and lone surrogates with U+FFFD, keeping string length and
    offsets."""
    return _CONTROL_RE.sub("\ufffd", value)


def storable(value: Any) -> Any:
    """`value` with NUL and lone surrogates replaced by U+FFFD in every string, dict keys and nested values
    included (lists, dicts); other values unchanged. For fields kept verbatim but stored: identifiers, the
    e-mail, metadata."""
    if isinstance(value, str):
        return _UNSTORABLE_RE.sub("\ufffd", value) if _UNSTORABLE_RE.search(value) else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


class Requester(BaseModel):
    """Who wrote the ticket, when the helpdesk knows."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=256)

    @field_validator("email", "name", mode="before")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        return storable(v)  # before pydantic's own str check, which refuses a lone surrogate

    @field_validator("email")
    @classmethod
    def _email_shape(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if "@" not in v or v.startswith("@") or v.endswith("@") or _SPACE_RE.search(v):
            raise ValueError("requester.email must look like an e-mail address (name@domain)")
        return v.lower()

    @field_validator("name")
    @classmethod
    def _name_clean(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = clean_text(v).strip()
        return v or None


class TicketIn(BaseModel):
    """One support ticket as it arrives on the queue. `(source, external_id)` is its identity."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    source: str = Field(description="Where the ticket comes from, e.g. 'zendesk' (lowercase slug).")
    external_id: str = Field(min_length=1, max_length=255, description="The ticket's id in its source.")
    subject: str = Field(default="", description=f"At most {MAX_SUBJECT_BYTES} bytes of UTF-8.")
    body: str = Field(default="", description=f"At most {MAX_BODY_BYTES} bytes of UTF-8; HTML allowed.")
    requester: Requester | None = None
    created_at: datetime | None = Field(default=None, description="ISO 8601; naive times are UTC.")
    channel: str | None = Field(default=None, max_length=64)
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source", mode="before")
    @classmethod
    def _source_slug(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip().lower()
            if not _SOURCE_RE.match(v):
                raise ValueError(
                    "source must be 1-64 characters of a-z, 0-9, '_', '.', '-' starting with a letter or digit"
                )
        return v

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        # Helpdesks send ids as ints or strings; bools are ints in Python but never an id.
        if isinstance(v, bool):
            raise ValueError("external_id must be a string or an integer")
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            v = storable(v.strip())
        return v

    @field_validator("channel", "metadata", "tags", mode="before")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        return storable(v)  # before pydantic's own str checks, which refuse a lone surrogate

    @field_validator("subject")
    @classmethod
    def _subject_limit(cls, v: str) -> str:
        v = clean_text(v)  # first: a lone surrogate cannot even be measured in UTF-8
        size = len(v.encode("utf-8"))
        if size > MAX_SUBJECT_BYTES:
            raise ValueError(f"subject is {size} bytes; the limit is {MAX_SUBJECT_BYTES} bytes (1 KiB)")
        return v

    @field_validator("body")
    @classmethod
    def _body_limit(cls, v: str) -> str:
        v = clean_text(v)
        size = len(v.encode("utf-8"))
        if size > MAX_BODY_BYTES:
            raise ValueError(f"body is {size} bytes; the limit is {MAX_BODY_BYTES} bytes (64 KiB)")
        return v

    @field_validator("created_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            return v.replace(tzinfo=UTC)
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_list(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, str):  # Zendesk/Freshdesk placeholders render tags as "a b" or "a,b"
            v = [t for t in re.split(r"[,\s]+", v) if t]
        return v

    @field_validator("tags")
    @classmethod
    def _tags_limits(cls, v: list[str]) -> list[str]:
        if len(v) > MAX_TAGS:
            raise ValueError(f"at most {MAX_TAGS} tags, got {len(v)}")
        out: list[str] = []
        for t in v:
            t = clean_text(t).strip()
            if len(t) > MAX_TAG_CHARS:
                raise ValueError(f"tag longer than {MAX_TAG_CHARS} characters: {t[:40]!r}…")
            if t and t not in out:
                out.append(t)
        return out

    @field_validator("metadata")
    @classmethod
    def _metadata_limit(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(_METADATA_JSON.encode(v).encode("utf-8"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"metadata must be JSON-serialisable: {exc}") from exc
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES}")
        return v

    @model_validator(mode="after")
    def _some_text(self) -> TicketIn:
        if not self.subject.strip() and not self.body.strip():
            raise ValueError("a ticket needs a subject or a body; both are empty")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


class Evidence(BaseModel):
    """A span of the ticket that made a signal fire. Offsets index the *original* field text."""

    model_config = ConfigDict(frozen=True)

    signal: str
    field: Literal["subject", "body"]
    start: int
    end: int
    text: str
    category: str | None = None
    weight: float = 0.0


class Flag(BaseModel):
    """An escalation flag with the reason an analyst reads and the spans behind it."""

    name: str
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    linked_tickets: list[str] = Field(default_factory=list)


class Contact(BaseModel):
    """An off-platform identifier found in a ticket (normalised value, plus where it was seen)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["telegram", "whatsapp", "phone", "email", "skype", "wallet", "url"]
    value: str
    raw: str
    field: Literal["subject", "body"]
    start: int
    end: int


class TriageOutcome(BaseModel):
    """Everything the pipeline decided about one ticket. Pure data: the store persists it."""

    source: str
    external_id: str
    categories: list[str]
    scores: dict[str, float]
    needs_review: bool = False
    evidence: list[Evidence] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    priority: str = "P4"
    escalated: bool = False
    kb_entries: list[str] = Field(default_factory=list)
    draft_reply: str | None = None
    draft_html: str | None = None
    internal_note: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    kb_version: str
    rules_version: str
    policy_version: str = ""
    template_version: str = ""
    pipeline_ms: float = 0.0

    @property
    def flag_names(self) -> list[str]:
        return [f.name for f in self.flags]
