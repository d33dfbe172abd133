"""Generic: the ticket contract itself (`TicketIn` JSON), from any system that can POST with a token.

The body is one ticket object (or `{"ticket": {...}}`). A delivery id, when the sender has one, comes
in `Idempotency-Key` or `X-Triage-Delivery`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.intake import Adapted, IntakeError, text


def adapt(payload: Any, headers: Mapping[str, str]) -> Adapted:
    if not isinstance(payload, Mapping):
        raise IntakeError(422, "not_an_object", "the body must be one ticket object (see `triage schema`)")
    ticket = payload["ticket"] if set(payload) == {"ticket"} and isinstance(payload["ticket"], Mapping) else payload
    delivery = headers.get("idempotency-key") or headers.get("x-triage-delivery")
    m = ticket.get("metadata")
    actor = text(m.get("actor_id")) if isinstance(m, Mapping) else None
    return Adapted(dict(ticket), delivery_id=delivery, actor_id=actor)
