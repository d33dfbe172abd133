"""Zammad intake: the published default payload, X-Hub-Signature, X-Zammad-Delivery replays, limits."""

from __future__ import annotations

import json

from tests.helpdesk import ZAMMAD_SECRET, dumps, intake_client, published, zammad_headers
from triage.intake.signatures import sign_hub_sha1
from triage.schemas import TicketIn

URL = "/webhooks/zammad"


def test_published_ticket_create() -> None:
    client, celery = intake_client()
    body = published("zammad_ticket_create.json")
    r = client.post(URL, content=body, headers=zammad_headers(body))
    assert r.status_code == 202, r.text
    assert r.json()["external_id"] == "81" and r.json()["delivery_id"] == "d-1"
    t = TicketIn.model_validate(celery.tickets[0])
    assert t.subject == "Webhook-Test" and t.body.startswith("This is a simple Webhook Test.<div>")
    assert t.requester is not None and t.requester.email == "emily@example.com"
    assert t.requester.name == "Emily Adams" and t.channel == "phone"
    assert t.metadata["zammad"]["number"] == "10081" and t.metadata["zammad"]["content_type"] == "text/html"
    assert t.created_at is not None and t.created_at.year == 2020


def test_signature_is_sha1_hmac_of_the_raw_body() -> None:
    body = b'{"a": 1}'
    assert sign_hub_sha1("k", body) == "sha1=" + __import__("hmac").new(b"k", body, "sha1").hexdigest()
    client, celery = intake_client()
    body = published("zammad_ticket_create.json")
    r = client.post(URL, content=body + b" ", headers=zammad_headers(body))
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    r = client.post(URL, content=body, headers=zammad_headers(body, secret=ZAMMAD_SECRET + "x"))
    assert r.status_code == 401
    r = client.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.json()["error"] == "missing_signature"
    assert celery.sent == []


def test_replayed_delivery() -> None:
    client, celery = intake_client()
    body = published("zammad_ticket_create.json")
    assert client.post(URL, content=body, headers=zammad_headers(body, delivery="job-1")).status_code == 202
    r = client.post(URL, content=body, headers=zammad_headers(body, delivery="job-1"))
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    assert len(celery.sent) == 1


def test_internal_notes_and_agent_articles_are_ignored() -> None:
    client, celery = intake_client()
    payload = json.loads(published("zammad_ticket_create.json"))
    payload["article"]["internal"] = True
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zammad_headers(body, delivery="n1"))
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    payload["article"]["internal"] = False
    payload["article"]["sender"] = "Agent"
    body = dumps(payload)
    r = client.post(URL, content=body, headers=zammad_headers(body, delivery="n2"))
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    assert celery.sent == []


def test_from_header_when_customer_has_no_email_and_no_article() -> None:
    client, celery = intake_client()
    payload = {"ticket": {"id": 5, "title": "Paid outside", "customer": {"firstname": "Ana"}},
               "article": {"from": "Ana Silva <ana@example.org>", "sender": "Customer", "body": "text",
                           "content_type": "text/plain"}}
    body = dumps(payload)
    assert client.post(URL, content=body, headers=zammad_headers(body, delivery="f1")).status_code == 202
    t = celery.tickets[0]
    assert t["requester"] == {"email": "ana@example.org", "name": "Ana"}
    body = dumps({"ticket": {"id": 6, "title": "Only a title"}})
    assert client.post(URL, content=body, headers=zammad_headers(body, delivery="f2")).status_code == 202


def test_malformed_missing_oversized() -> None:
    client, celery = intake_client(intake_max_body_bytes=4096)
    body = b'{"ticket": '
    r = client.post(URL, content=body, headers=zammad_headers(body))
    assert r.status_code == 400
    body = dumps({"article": {"body": "x"}})
    r = client.post(URL, content=body, headers=zammad_headers(body))
    assert r.status_code == 422 and r.json()["error"] == "missing_fields"
    body = dumps({"ticket": {"title": "no id"}})
    r = client.post(URL, content=body, headers=zammad_headers(body))
    assert r.status_code == 422
    body = published("zammad_ticket_create.json")  # ~8 KiB with whitespace
    r = client.post(URL, content=body, headers=zammad_headers(body))
    assert r.status_code == 413
    assert celery.sent == []
