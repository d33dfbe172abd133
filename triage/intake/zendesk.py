"""Zendesk: event subscriptions (`zen:event-type:ticket.created`) and trigger webhooks (admin-written JSON).

A trigger's JSON body is whatever the admin wrote in the webhook template, so its keys are looked up
among the common spellings (the README's template first, then the flat `ticket_id`/`ticket_title`
style many integrations use). Event payloads carry only `requester_id`: no e-mail, so none is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.intake import Adapted, IntakeError, compact, first, parse_time, strip_comment_header, tag_list, text

SOURCE = "zendesk"
TRIAGED_EVENTS = frozenset({"zen:event-type:ticket.created"})

ID_KEYS = ("ticket.id", "ticket_id", "id")
SUBJECT_KEYS = ("ticket.subject", "ticket.title", "ticket_title", "ticket_subject", "subject", "title")
BODY_KEYS = ("ticket.description", "ticket.latest_comment", "ticket.body", "ticket_description", "description",
             "latest_comment", "ticket_latest_comment", "body", "message")
EMAIL_KEYS = ("ticket.requester.email", "requester.email", "ticket.requester_email", "requester_email")
NAME_KEYS = ("ticket.requester.name", "requester.name", "ticket.requester_name", "requester_name",
             "requester_full_name")
TAG_KEYS = ("ticket.tags", "tags", "ticket_tags")
CHANNEL_KEYS = ("ticket.via", "ticket.channel", "via", "channel", "ticket_via")
CREATED_KEYS = ("ticket.created_at", "ticket.created_at_with_timestamp", "created_at", "ticket_created_at")
ACTOR_KEYS = ("ticket.updated_by_id", "current_user.id", "current_user_id", "updated_by_id", "actor_id")


def _email(value: Any) -> str | None:
    v = text(value)
    return v if v and "@" in v and not v.startswith("{{") else None


def _event(payload: Mapping[str, Any], headers: Mapping[str, str]) -> Adapted:
    etype = str(payload.get("type"))
    delivery = headers.get("x-zendesk-webhook-invocation-id") or text(payload.get("id"))
    detail = payload.get("detail")
    if etype not in TRIAGED_EVENTS:
        return Adapted(None, delivery_id=delivery, ignored=f"event type {etype!r} is not a new ticket")
    if not isinstance(detail, Mapping):
        raise IntakeError(422, "missing_fields", "Zendesk event has no 'detail' object")
    ext = text(detail.get("id"))
    if ext is None:
        raise IntakeError(422, "missing_fields", "Zendesk event has no ticket id (detail.id)")
    via = detail.get("via")
    ticket = compact({
        "source": SOURCE,
        "external_id": ext,
        "subject": text(detail.get("subject")) or "",
        "body": detail.get("description") if isinstance(detail.get("description"), str) else "",
        "created_at": parse_time(detail.get("created_at")),
        "channel": (text(via.get("channel")) or "")[:64] or None if isinstance(via, Mapping) else None,
        "tags": tag_list(detail.get("tags")),
        "metadata": {SOURCE: compact({
            "event_id": text(payload.get("id")), "event_type": etype, "account_id": text(payload.get("account_id")),
            "requester_id": text(detail.get("requester_id")), "actor_id": text(detail.get("actor_id")),
            "priority": text(detail.get("priority")), "status": text(detail.get("status")),
            "type": text(detail.get("type")), "brand_id": text(detail.get("brand_id")),
        })},
    })
    return Adapted(ticket, delivery_id=delivery, actor_id=text(detail.get("actor_id")))


def _trigger(payload: Mapping[str, Any], headers: Mapping[str, str]) -> Adapted:
    ext = text(first(payload, ID_KEYS))
    if ext is None:
        raise IntakeError(422, "missing_fields", "no ticket id in the webhook body (looked for "
                          + ", ".join(ID_KEYS) + "); see the README's Zendesk JSON template")
    body = first(payload, BODY_KEYS)
    name, email = text(first(payload, NAME_KEYS)), _email(first(payload, EMAIL_KEYS))
    created_raw = first(payload, CREATED_KEYS)
    created = parse_time(created_raw)
    channel = text(first(payload, CHANNEL_KEYS))
    actor = text(first(payload, ACTOR_KEYS))
    ticket = compact({
        "source": SOURCE,
        "external_id": ext,
        "subject": text(first(payload, SUBJECT_KEYS)) or "",
        "body": strip_comment_header(body) if isinstance(body, str) else "",
        "requester": compact({"email": email, "name": name}) or None,
        "created_at": created,
        "channel": channel[:64] if channel else None,
        "tags": tag_list(first(payload, TAG_KEYS)),
        "metadata": {SOURCE: compact({
            "status": text(first(payload, ("ticket.status", "ticket_status", "status"))),
            "priority": text(first(payload, ("ticket.priority", "ticket_priority", "priority"))),
            "url": text(first(payload, ("ticket.url", "ticket_url", "link", "url"))),
            "created_at_raw": text(created_raw) if created is None else None,
            "actor_id": actor,
        })},
    })
    return Adapted(ticket, delivery_id=headers.get("x-zendesk-webhook-invocation-id"), actor_id=actor)


def adapt(payload: Any, headers: Mapping[str, str]) -> Adapted:
    if not isinstance(payload, Mapping):
        raise IntakeError(422, "not_an_object", "the webhook body must be a JSON object")
    if isinstance(payload.get("type"), str) and payload["type"].startswith("zen:event-type:"):
        return _event(payload, headers)
    return _trigger(payload, headers)
