"""Zammad: the default trigger-webhook payload (`ticket` + `article`), signed with X-Hub-Signature.

`ticket.id` (the internal id the API uses) is the identity; the number users see goes to metadata.
The body is the triggering article (HTML when `content_type` is text/html). Internal notes and
articles written by agents or the system are not customer input and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from triage.intake import Adapted, IntakeError, compact, parse_time, tag_list, text

SOURCE = "zammad"
_FROM = re.compile(r"^\s*\"?(?P<name>[^<\"]*?)\"?\s*<(?P<email>[^>]+)>\s*$")


def _requester(ticket: Mapping[str, Any], article: Mapping[str, Any]) -> dict[str, Any] | None:
    c = ticket.get("customer")
    customer: Mapping[str, Any] = c if isinstance(c, Mapping) else {}
    email = text(customer.get("email"))
    name = " ".join(p for p in (text(customer.get("firstname")), text(customer.get("lastname"))) if p) or None
    m = _FROM.match(str(article.get("from") or ""))
    if m and article.get("sender") == "Customer":
        email = email or m.group("email").strip()
        name = name or (m.group("name").strip() or None)
    return compact({"email": email if email and "@" in email else None, "name": name}) or None


def adapt(payload: Any, headers: Mapping[str, str]) -> Adapted:
    if not isinstance(payload, Mapping):
        raise IntakeError(422, "not_an_object", "the webhook body must be a JSON object")
    ticket = payload.get("ticket")
    if not isinstance(ticket, Mapping):
        raise IntakeError(422, "missing_fields", "Zammad payload has no 'ticket' object")
    a = payload.get("article")
    article: Mapping[str, Any] = a if isinstance(a, Mapping) else {}
    delivery = headers.get("x-zammad-delivery")
    actor = text(ticket.get("updated_by_id"))
    if article.get("internal") is True:
        return Adapted(None, delivery_id=delivery, ignored="internal note", actor_id=actor)
    if article and article.get("sender") in {"Agent", "System"}:
        return Adapted(None, delivery_id=delivery, ignored=f"article by {article.get('sender')}", actor_id=actor)
    ext = text(ticket.get("id"))
    if ext is None:
        raise IntakeError(422, "missing_fields", "Zammad payload has no ticket.id")
    body = article.get("body")
    channel = text(article.get("type")) or text(ticket.get("create_article_type"))
    prio = ticket.get("priority")
    group = ticket.get("group")
    out = compact({
        "source": SOURCE,
        "external_id": ext,
        "subject": text(ticket.get("title")) or "",
        "body": body if isinstance(body, str) else "",
        "requester": _requester(ticket, article),
        "created_at": parse_time(ticket.get("created_at")),
        "channel": channel[:64] if channel else None,
        "tags": tag_list(ticket.get("tags")),
        "metadata": {SOURCE: compact({
            "number": text(ticket.get("number")), "article_id": text(article.get("id")),
            "content_type": text(article.get("content_type")), "state": text(ticket.get("state")),
            "priority": text(prio.get("name")) if isinstance(prio, Mapping) else text(prio),
            "group": text(group.get("name")) if isinstance(group, Mapping) else text(group),
            "trigger": headers.get("x-zammad-trigger"),
        })},
    })
    return Adapted(out, delivery_id=delivery, actor_id=actor)
