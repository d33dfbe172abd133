"""Freshdesk intake: published payloads (HTML, non-ASCII, inline images), token auth, replays, limits."""

from __future__ import annotations

import base64
import json

from tests.helpdesk import FRESHDESK_TOKEN, dumps, intake_client, published
from triage.schemas import TicketIn

URL = "/webhooks/freshdesk"
AUTH = {"Authorization": f"Bearer {FRESHDESK_TOKEN}", "Content-Type": "application/json"}


def test_published_ticket_created() -> None:
    client, celery = intake_client()
    r = client.post(URL, content=published("freshdesk_ticket_created.json"), headers=AUTH)
    assert r.status_code == 202, r.text
    assert r.json()["external_id"] == "11"
    t = TicketIn.model_validate(celery.tickets[0])
    assert t.subject == "Test ticket subject ☃" and t.body == "<div>Test ticket description ☃.</div>"
    assert t.requester is not None and t.requester.email == "requester-bob@example.com"
    assert t.requester.name == "Requester ☃ Bob"
    assert t.metadata["freshdesk"]["priority"] == "High"


def test_published_inline_images_html_body_is_kept() -> None:
    client, celery = intake_client()
    r = client.post(URL, content=published("freshdesk_ticket_created_inline_images.json"), headers=AUTH)
    assert r.status_code == 202, r.text
    body = celery.tickets[0]["body"]
    assert "<img" in body and "guinea pigs" in body  # the pipeline reads HTML; offsets stay on the original


def test_published_public_note_is_ignored() -> None:
    client, celery = intake_client()
    r = client.post(URL, content=published("freshdesk_note_public.json"), headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "ignored" and "note_type" in r.json()["reason"]
    assert celery.sent == []


def test_token_in_basic_auth_or_header() -> None:
    client, celery = intake_client()
    body = published("freshdesk_ticket_created.json")
    for i, h in enumerate([
        {"Authorization": "Basic " + base64.b64encode(f"bot@example.org:{FRESHDESK_TOKEN}".encode()).decode()},
        {"Authorization": "Basic " + base64.b64encode(f"{FRESHDESK_TOKEN}:X".encode()).decode()},
        {"X-Triage-Token": FRESHDESK_TOKEN},
    ]):
        r = client.post(URL, content=body, headers={**h, "X-Triage-Delivery": f"d{i}"})
        assert r.status_code == 202, (h, r.text)
    assert len(celery.sent) == 3


def test_bad_or_missing_token() -> None:
    client, celery = intake_client()
    body = published("freshdesk_ticket_created.json")
    r = client.post(URL, content=body, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"] == "bad_token"
    r = client.post(URL, content=body, headers={"Authorization": "Basic !!!notbase64"})
    assert r.status_code == 401 and r.json()["error"] == "missing_token"
    r = client.post(URL, content=body)
    assert r.status_code == 401 and r.json()["error"] == "missing_token"
    assert celery.sent == []


def test_replay_of_the_same_event_is_a_duplicate() -> None:
    client, celery = intake_client()
    body = published("freshdesk_ticket_created.json")
    assert client.post(URL, content=body, headers=AUTH).status_code == 202
    r = client.post(URL, content=body, headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    assert len(celery.sent) == 1


def test_tags_as_comma_string_and_integer_id() -> None:
    client, celery = intake_client()
    payload = {"freshdesk_webhook": {"triggered_event": "{ticket_action:created}", "ticket_id": 4711,
                                     "ticket_subject": "Payment outside", "ticket_description": "<p>Hi</p>",
                                     "ticket_tags": "payments, urgent,vip", "requester_email": ""}}
    r = client.post(URL, content=dumps(payload), headers=AUTH)
    assert r.status_code == 202, r.text
    t = celery.tickets[0]
    assert t["external_id"] == "4711" and t["tags"] == ["payments", "urgent", "vip"] and "requester" not in t


def test_malformed_missing_and_oversized() -> None:
    client, celery = intake_client(intake_max_body_bytes=2048)
    r = client.post(URL, content=b"{not json", headers=AUTH)
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    r = client.post(URL, content=dumps({"freshdesk_webhook": {"ticket_subject": "x"}}), headers=AUTH)
    assert r.status_code == 422 and r.json()["error"] == "missing_fields"
    payload = json.loads(published("freshdesk_ticket_created.json"))
    payload["freshdesk_webhook"]["ticket_description"] = "<div>" + "a" * 3000 + "</div>"
    r = client.post(URL, content=dumps(payload), headers=AUTH)
    assert r.status_code == 413
    assert celery.sent == []
