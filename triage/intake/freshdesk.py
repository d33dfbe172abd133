"""Freshdesk: automation-rule "Trigger webhook" with an admin-written JSON body.

Freshdesk does not sign webhooks; the rule sends a shared token (Basic auth, or a custom header).
The common template wraps fields in `freshdesk_webhook` with `ticket_*` keys; bare keys work too.
Only ticket-creation events are triaged (`{{triggered_event}}` = `{ticket_action:created}`); notes
and other updates are acknowledged and ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from triage.intake import Adapted, IntakeError, compact, first, parse_time, tag_list, text

SOURCE = "freshdesk"


def adapt(payload: Any, headers: Mapping[str, str]) -> Adapted:
    if not isinstance(payload, Mapping):
        raise IntakeError(422, "not_an_object", "the webhook body must be a JSON object")
    wrapped, ticket = payload.get("freshdesk_webhook"), payload.get("ticket")
    root: Mapping[str, Any] = (wrapped if isinstance(wrapped, Mapping)
                               else ticket if isinstance(ticket, Mapping) else payload)
    ext = text(first(root, ("ticket_id", "id")))
    event = text(first(root, ("triggered_event", "event")))
    updated = text(first(root, ("ticket_updated_at", "updated_at")))
    delivery = headers.get("x-triage-delivery") or headers.get("idempotency-key")
    if delivery is None and ext is not None:
        # Freshdesk sends no delivery id: ticket + event + update time identify one occurrence.
        delivery = hashlib.sha256(f"{ext}|{event}|{updated}".encode()).hexdigest()[:32]
    if event and "created" not in event.lower():
        return Adapted(None, delivery_id=delivery, ignored=f"event {event} is not a new ticket")
    if ext is None:
        raise IntakeError(422, "missing_fields", "no ticket id (freshdesk_webhook.ticket_id) in the webhook body")
    email = text(first(root, ("requester_email", "requester.email")))
    created_raw = first(root, ("ticket_created_at", "created_at"))
    created = parse_time(created_raw)
    channel = text(first(root, ("ticket_source", "source", "channel")))
    body = first(root, ("ticket_description", "description", "body"))
    ticket = compact({
        "source": SOURCE,
        "external_id": ext,
        "subject": text(first(root, ("ticket_subject", "subject"))) or "",
        "body": body if isinstance(body, str) else "",  # HTML: the pipeline reads through tags
        "requester": compact({"email": email if email and "@" in email else None,
                              "name": text(first(root, ("requester_name", "requester.name")))}) or None,
        "created_at": created,
        "channel": channel[:64] if channel else None,
        "tags": tag_list(first(root, ("ticket_tags", "tags"))),
        "metadata": {SOURCE: compact({
            "event": event, "status": text(root.get("ticket_status")), "priority": text(root.get("ticket_priority")),
            "type": text(root.get("ticket_type")), "url": text(root.get("ticket_url")),
            "created_at_raw": text(created_raw) if created is None else None,
        })},
    })
    actor = text(first(root, ("actor_id", "triggered_by_id")))
    return Adapted(ticket, delivery_id=delivery, actor_id=actor)
