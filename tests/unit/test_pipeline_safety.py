"""Adversarial *tickets* (subject, body and requester) through the whole pure pipeline.

The draft-level sweep (test_draft_safety.py) attacks the requester name; this one attacks what a
scammer or a confused user controls in a real ticket, end to end: validation → classify →
escalate → draft.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from pydantic import ValidationError

from triage.contacts import extract_contacts
from triage.draft import refund_promises
from triage.pipeline import run
from triage.schemas import MAX_BODY_BYTES, TicketIn

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
URL = re.compile(r"https?://[^\s<>\"')]+")

BODIES = [
    "The client asked me to pay outside the platform <script>alert('x')</script> via t.me/scam_boss",
    "He wants to move to telegram: [click here](https://upw0rk-verify.com/login) and pay the $50 fee",
    "I paid him 200 USD on WhatsApp +1 415 555 0123 and he vanished \u202eusd 002 kcab tnaw I\u202c",
    "<img src=x onerror=alert(1)> client wants my passport and SSN before the interview, email hr@paypa1.com",
    "Pay to wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or 0x52908400098527886E0F7030069857D2E4169EE7",
    "Client on Skype live:.cid.deadbeef asked me to pay for training\x00\x00 and I sent $80",
    "Please refund me! I paid the recruiter 300 EUR by Western Union outside Upwork. Visit www.paypa1.com",
    "ｔ．ｍｅ／scam_boss asked me to send money for verification; I sent it via crypto",
    "{{ 7*7 }} {% for x in range(10) %}boom{% endfor %} client wants payment outside the site",
    "&lt;b&gt;client&lt;/b&gt; asked me to talk on whats app and pay a deposit. upw0rk.com/secure",
]


def _tickets() -> list[dict[str, Any]]:
    out = []
    for i, body in enumerate(BODIES):
        out.append({"source": "adv", "external_id": f"b{i}", "subject": body[:80], "body": body,
                    "requester": {"name": "Eve <script>x</script> https://evil.example", "email": "eve@example.org"}})
    return out


@pytest.mark.parametrize("raw", _tickets(), ids=lambda t: t["external_id"])
def test_adversarial_ticket_yields_a_safe_draft(raw: dict[str, Any], pipeline_cfg: Any) -> None:
    ticket = TicketIn.model_validate(raw)
    o = run(ticket, pipeline_cfg)
    kb_links = {link for e in pipeline_cfg.kb.entries for link in e.links}
    for text in (o.draft_reply, o.draft_html):
        if text is None:
            continue
        assert set(URL.findall(text)) <= kb_links, URL.findall(text)
        assert not BIDI.search(text) and not CONTROL.search(text)
        assert not refund_promises(text)
        for c in extract_contacts(ticket.subject, ticket.body):
            assert c.raw not in text, f"{c.kind} {c.raw!r} copied into the draft"
        assert "evil.example" not in text and "Eve" not in text  # the name carried a URL: not used
    if o.draft_html is not None:
        assert "<script" not in o.draft_html and "onerror" not in o.draft_html
    if o.internal_note is not None:
        assert not BIDI.search(o.internal_note) and "\x00" not in o.internal_note


def test_drafts_are_produced_for_the_attacks() -> None:
    """The sweep above is only meaningful if most adversarial tickets do get drafts."""
    from tests.conftest import ROOT
    from triage.pipeline import load_config

    cfg = load_config(ROOT / "config")
    drafted = sum(1 for raw in _tickets() if run(TicketIn.model_validate(raw), cfg).draft_reply)
    assert drafted >= len(BODIES) - 2


def test_one_mib_body_is_rejected_with_a_clear_reason() -> None:
    with pytest.raises(ValidationError) as e:
        TicketIn(source="adv", external_id="big", subject="x", body="pay me on telegram " * 60000)
    assert f"the limit is {MAX_BODY_BYTES} bytes (64 KiB)" in str(e.value)


def test_classifier_survives_one_mib_of_text_in_bounded_time(pipeline_cfg: Any) -> None:
    """Below the contract (the worker never sees it), but the pure functions must not blow up."""
    from triage.classify import classify

    body = ("lorem ipsum " * 20000) + "he asked me to pay outside the platform via telegram" + ("x" * 800_000)
    t0 = time.perf_counter()
    c = classify("hello", body, pipeline_cfg.rules)
    assert time.perf_counter() - t0 < 30  # a guard against catastrophic backtracking, not a benchmark
    assert "off_platform_payment" in c.categories or "scam_suspicion" in c.categories
