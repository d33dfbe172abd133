"""Adapters from helpdesk webhook payloads to the ticket contract (`TicketIn`).

Each adapter is a pure function `adapt(payload, headers) -> Adapted`: it maps the helpdesk's fields,
names the delivery id used for de-duplication, and says when an event must be ignored (not a new
ticket, or caused by our own write-back). The HTTP layer (`triage.api`) verifies senders, enforces
limits, de-duplicates and enqueues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class IntakeError(Exception):
    """A request we refuse: HTTP status, a short machine-readable code and a readable message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Adapted:
    """What an adapter made of one delivery."""

    ticket: dict[str, Any] | None  # a TicketIn-shaped dict (validated by the caller); None when ignored
    delivery_id: str | None = None  # de-duplication key of this delivery (None: the store's idempotency only)
    ignored: str | None = None  # why this event is not triaged
    actor_id: str | None = None  # who caused the event, when the helpdesk says (own-update detection)
    extra: dict[str, Any] = field(default_factory=dict)


def dig(obj: Any, path: str) -> Any:
    """`dig(p, "ticket.requester.email")`: None when any step is missing or not an object."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def first(obj: Any, paths: Iterable[str]) -> Any:
    """The first present, non-empty value among `paths` (template keys differ between set-ups)."""
    for p in paths:
        v = dig(obj, p)
        if v is not None and v != "" and v != []:
            return v
    return None


def text(value: Any) -> str | None:
    """A scalar as text (ids come as int or string); None for missing or structured values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        s = str(value).strip()
        return s or None
    return None


_HUMAN_DATE_FORMATS = ("%B %d, %Y %H:%M", "%B %d, %Y", "%b %d, %Y %H:%M", "%b %d, %Y", "%Y-%m-%d %H:%M:%S %z",
                       "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S %z", "%d/%m/%Y %H:%M")


def parse_time(value: Any) -> datetime | None:
    """ISO 8601, epoch seconds, or the human dates some templates render ("February 3, 2025"); else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        dt = None
        for fmt in _HUMAN_DATE_FORMATS:
            try:
                dt = datetime.strptime(v, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


_ZENDESK_COMMENT_HEADER = re.compile(r"\A\s*-{5,}\s*\n+[^\n]{1,200}\n+")


def strip_comment_header(body: str) -> str:
    """Zendesk's `{{ticket.description}}` starts with '-----' and 'Name, date': drop that header."""
    return _ZENDESK_COMMENT_HEADER.sub("", body, count=1)


def tag_list(value: Any) -> list[str]:
    """Tags as a list from a list, or from a comma/space-separated string ({{ticket.tags}})."""
    if value is None:
        return []
    if isinstance(value, str):
        return [t for t in re.split(r"[,\s]+", value) if t]
    if isinstance(value, list):
        return [str(t) for t in value if isinstance(t, str | int) and str(t).strip()]
    return []


def compact(d: dict[str, Any]) -> dict[str, Any]:
    """Drop None/empty values (metadata stays small and readable)."""
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}
