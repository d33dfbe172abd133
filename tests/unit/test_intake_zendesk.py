"""Zendesk intake: published event and trigger payloads, signatures, timestamp window, replays, limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.helpdesk import ZENDESK_SECRET, dumps, intake_client, published, zendesk_headers
from triage.intake.signatures import sign_zendesk
from triage.schemas import TicketIn

URL = "/webhooks/zendesk"

# The README's trigger template, rendered as Zendesk would (ids and tags as strings).
TEMPLATE = {
    "ticket": {
        "id": "48213",
        "subject": "Client wants to pay me on Telegram",
        "description": "----------------------------------------------\n\nMaria Lopez, Nov 20, 2026, 14:03\n\n"
                       "Hi, the client asked me to continue on Telegram and pay me directly by wire.",
        "requester": {"email": "Maria@Example.org", "name": "Maria Lopez"},
        "tags": "payments vip",
        "via": "Web Form",
        "created_at": "2026-11-20T14:03:00Z",
        "updated_by_id": "900001",
        "url": "acme.zendesk.com/agent/tickets/48213",
    }
}


def test_published_event_payload_is_queued() -> None:
    client, celery = intake_client()
    body = published("zendesk_ticket_created.json")
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 202, r.text
    data = r.json()
    assert data["status"] == "accepted" and data["source"] == "zendesk" and data["external_id"] == "5158"
    assert data["task_id"] and data["delivery_id"] == "inv-1"
    (name, kw), = celery.sent
    assert name == "triage.ingest" and kw["task_id"] == data["task_id"]
    t = TicketIn.model_validate(kw["args"][0])
    assert t.subject == "Cannot login to mobile app" and t.tags == ["mobile", "login"]
    assert t.requester is None  # event payloads carry only requester_id
    assert t.metadata["zendesk"]["requester_id"] == "8447388090494"
    assert t.created_at == datetime(2025, 1, 8, 10, 12, 7, tzinfo=UTC) and t.channel == "web_service"


def test_published_docs_values_payload_without_invocation_header_dedupes_on_event_id() -> None:
    client, celery = intake_client()
    body = published("zendesk_ticket_created_docs_values.json")
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation=None))
    assert r.status_code == 202 and r.json()["delivery_id"] == "cbe4028c-7239-495d-b020-f22348516046"
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation=None))
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    assert len(celery.sent) == 1


def test_published_trigger_payload_flat_keys() -> None:
    client, celery = intake_client()
    body = published("zendesk_trigger_ticket_create_update.json")
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 202, r.text
    t = TicketIn.model_validate(celery.tickets[0])
    assert t.external_id == "7" and t.subject == "Hello world"
    assert t.body == "I am writing this to create a ticket."  # Zendesk's comment header dropped
    assert t.tags == ["change_address", "help", "order"]  # one space-separated string
    assert t.requester is not None and t.requester.name == "testerzulip" and t.requester.email is None
    assert t.created_at == datetime(2025, 2, 3, tzinfo=UTC)  # "February 3, 2025"


def test_published_message_style_trigger() -> None:
    client, celery = intake_client()
    body = published("zendesk_trigger_message_with_ticket_id_and_title.json")
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 202, r.text
    t = celery.tickets[0]
    assert t["external_id"] == "7" and t["subject"].startswith("SAMPLE TICKET") and "address" in t["body"]


def test_readme_template_and_integer_id() -> None:
    client, celery = intake_client()
    payload = json.loads(json.dumps(TEMPLATE))
    payload["ticket"]["id"] = 48213  # an admin may leave the placeholder unquoted
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 202, r.text
    t = TicketIn.model_validate(celery.tickets[0])
    assert t.external_id == "48213" and t.requester is not None and t.requester.email == "maria@example.org"
    assert t.tags == ["payments", "vip"] and t.channel == "Web Form"
    assert t.body.startswith("Hi, the client")


def test_bad_signature_wrong_secret_and_missing_headers() -> None:
    client, celery = intake_client()
    body = dumps(TEMPLATE)
    h = zendesk_headers(body)
    tampered = body.replace(b"Telegram", b"Telegrax")
    r = client.post(URL, content=tampered, headers=h)
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    r = client.post(URL, content=body, headers=zendesk_headers(body, secret="not-the-secret"))
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    r = client.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.json()["error"] == "missing_signature"
    assert r.headers["www-authenticate"] == "Bearer"
    assert celery.sent == []


def test_stale_and_future_timestamps_are_refused() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    client, celery = intake_client(clock=lambda: now)
    body = dumps(TEMPLATE)
    for skew in (timedelta(seconds=-301), timedelta(seconds=301), timedelta(days=-2)):
        ts = (now + skew).strftime("%Y-%m-%dT%H:%M:%SZ")
        r = client.post(URL, content=body, headers=zendesk_headers(body, ts=ts))
        assert r.status_code == 401 and r.json()["error"] == "stale_timestamp", r.text
    ts = (now - timedelta(seconds=299)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.post(URL, content=body, headers=zendesk_headers(body, ts=ts)).status_code == 202
    assert len(celery.sent) == 1


def test_replayed_delivery_is_answered_not_queued() -> None:
    client, celery = intake_client()
    body = dumps(TEMPLATE)
    assert client.post(URL, content=body, headers=zendesk_headers(body, invocation="abc")).status_code == 202
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation="abc"))
    assert r.status_code == 200 and r.json() == {"status": "duplicate", "source": "zendesk", "external_id": "48213",
                                                 "delivery_id": "abc"}
    # A new delivery of the same ticket (another invocation) is queued: the store keeps one result.
    assert client.post(URL, content=body, headers=zendesk_headers(body, invocation="abd")).status_code == 202
    assert len(celery.sent) == 2


def test_oversized_body_is_refused_before_reading_it() -> None:
    client, celery = intake_client(intake_max_body_bytes=4096)
    payload = json.loads(json.dumps(TEMPLATE))
    payload["ticket"]["description"] = "x" * 5000
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks():  # no Content-Length: chunked upload, cut off while streaming
        for i in range(0, len(body), 1000):
            yield body[i:i + 1000]

    r = client.post(URL, content=chunks(), headers=zendesk_headers(body))
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert celery.sent == []


def test_malformed_json_and_missing_fields() -> None:
    client, celery = intake_client()
    body = b'{"ticket": {"id": "1", "subject": '
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    body = b""
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 400 and r.json()["error"] == "empty_body"
    body = dumps({"ticket": {"subject": "no id here", "description": "x"}})
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 422 and r.json()["error"] == "missing_fields"
    body = dumps({"ticket": {"id": "9", "subject": "", "description": ""}})
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 422 and r.json()["error"] == "invalid_ticket"
    assert "subject or a body" in r.json()["detail"]
    body = dumps({"type": "zen:event-type:ticket.created", "id": "e1"})
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 422
    body = dumps(["not", "an", "object"])
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 422 and r.json()["error"] == "not_an_object"
    assert celery.sent == []


def test_other_event_types_are_ignored() -> None:
    client, celery = intake_client()
    payload = json.loads(published("zendesk_ticket_created.json"))
    payload["type"] = "zen:event-type:ticket.status_changed"
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 200 and r.json()["status"] == "ignored" and "status_changed" in r.json()["reason"]
    assert celery.sent == []


def test_events_caused_by_our_write_back_are_ignored() -> None:
    client, celery = intake_client(writeback_actor_id="900001")
    # The update our write-back made re-fires the "ticket updated" trigger: it carries our tag …
    payload = json.loads(json.dumps(TEMPLATE))
    payload["ticket"]["tags"] = "payments triage_done triage_scam_suspicion"
    payload["ticket"]["updated_by_id"] = "123"
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation="u1"))
    assert r.status_code == 200 and r.json()["status"] == "ignored" and "triage_done" in r.json()["reason"]
    # … and/or names our API user as the actor.
    body = dumps(TEMPLATE)  # updated_by_id 900001
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation="u2"))
    assert r.status_code == 200 and r.json()["status"] == "ignored" and "own write-back" in r.json()["reason"]
    assert celery.sent == []


def test_unconfigured_secret_refuses_everything() -> None:
    client, celery = intake_client(zendesk_webhook_secret="")
    body = dumps(TEMPLATE)
    r = client.post(URL, content=body, headers=zendesk_headers(body))
    assert r.status_code == 503 and r.json()["error"] == "not_configured"
    assert "TRIAGE_ZENDESK_WEBHOOK_SECRET" in r.json()["detail"]
    assert celery.sent == []


def test_broker_down_is_503_and_the_retry_goes_through() -> None:
    client, celery = intake_client()
    body = dumps(TEMPLATE)
    celery.fail = True
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation="x1"))
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
    celery.fail = False  # Zendesk retries the same invocation: it must not look like a duplicate
    r = client.post(URL, content=body, headers=zendesk_headers(body, invocation="x1"))
    assert r.status_code == 202 and len(celery.sent) == 1


def test_signature_scheme_is_timestamp_then_body() -> None:
    # Zendesk signs TIMESTAMP + BODY with no separator (base64 HMAC-SHA256); see shared/webhooks/SOURCES.md.
    assert sign_zendesk("HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=", "2021-07-25T10:00:00Z",
                        b'{"say": "hello"}') == "Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk="
    assert ZENDESK_SECRET
