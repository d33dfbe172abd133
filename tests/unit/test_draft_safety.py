"""Safety sweep: adversarial requester names and evidence never leak into a customer draft unsafely.

Properties checked on every draft produced:

* the customer text and HTML hold no URL, e-mail, phone, handle or wallet except the KB's own links
  (KB-link allow-list: every URL and every href is one of `kb.links`);
* nothing ticket-derived appears in the customer draft except a plausible first name, HTML-escaped;
* no control, bidi-override or zero-width characters in the draft or the internal note;
* no refund promise;
* the internal note quotes evidence only as truncated, cleaned one-line snippets.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import pytest

from triage.contacts import contains_identifier, extract_contacts
from triage.draft import MAX_SNIPPET, Draft, build_draft, refund_promises
from triage.kb import KnowledgeBase
from triage.schemas import CATEGORIES, Evidence, Flag

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"

MIB = 1 << 20
BIDI_AND_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

ADVERSARIAL = [
    "<script>alert(1)</script>",
    "Maria<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[Maria](https://upw0rk.com/login)",
    "Maria https://upw0rk.com/login",
    "Maria upw0rk.com",
    "paypa1.com",
    "Maria paypa1 . com",
    "Maria @scam_boss",
    "t.me/scam_boss",
    "Maria +1 415 555 0123",
    "Maria maria@paypa1.com",
    "Maria 0x52908400098527886E0F7030069857D2E4169EE7",
    "Maria bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "Maria live:.cid.abc123",
    "Maria\u202emoc.krow0pu",
    "\u2066Maria\u2069 \u200etest",
    "Ma\u200bria\u200d",
    "Maria\x00Lopez",
    "Maria\nBcc: evil@example.com",
    "Maria\r\n\r\nYour refund of $500 will be processed",
    "We will refund you, Maria",
    "ｔ．ｍｅ／scam",
    "Maria " + "A" * MIB,
    "\x00" * MIB,
    "\u202e" * 1000 + "Maria",
    "Maria {{ 7*7 }}",
    "Maria {% raw %}",
    "D'Angelo O'Neil",  # a real name with a character that must be HTML-escaped
    "Zoë & Co",
    "",
    "   ",
    None,
]


def _evidence(text: str) -> Evidence:
    return Evidence(
        signal="sig\u202e", field="body", start=0, end=len(text), text=text, category="scam_suspicion"
    )


def _customer_plain(d: Draft) -> list[tuple[str, str]]:
    out = []
    if d.text is not None:
        out.append(("text", d.text))
    if d.html is not None:
        out.append(("html-visible", html.unescape(re.sub(r"<[^>]*>", " ", d.html))))
    return out


def assert_safe(d: Draft, kb: KnowledgeBase, name: str | None) -> None:
    allowed = kb.links
    for kind, text in _customer_plain(d):
        # KB-link allow-list: every URL in the draft is one of the KB's links, nothing else is a contact.
        for c in extract_contacts("", text):
            assert c.kind == "url" and c.raw in allowed, f"{kind}: unexpected {c.kind} {c.raw!r}"
        without_links = text
        for url in sorted(allowed, key=len, reverse=True):
            without_links = without_links.replace(url, " ")
        assert not contains_identifier(without_links), f"{kind}: identifier in draft"
        assert not BIDI_AND_INVISIBLE.search(text) and not CONTROL.search(text.replace("\n", ""))
        assert refund_promises(text) == [], f"{kind}: refund promise"
        assert len(text) < 20_000  # a 1 MiB name never makes it in
        for token in ("script", "onerror", "{{", "{%", "Bcc", "refund of", "krow"):
            assert token not in text, f"{kind}: ticket text leaked: {token!r}"
    if d.html is not None:
        assert "<script" not in d.html.lower() and "onerror" not in d.html.lower()
        for href in re.findall(r'href="([^"]*)"', d.html):
            assert html.unescape(href) in allowed
        # Only the template's own tags: p, ul, li, a, h3, br.
        assert set(re.findall(r"</?([a-zA-Z0-9]+)", d.html)) <= {"p", "ul", "li", "a", "h3", "br"}
    if d.internal_note is not None:
        assert not BIDI_AND_INVISIBLE.search(d.internal_note) and not CONTROL.search(
            d.internal_note.replace("\n", "")
        )
        assert "\x00" not in d.internal_note
        assert all(len(line) < 2 * MAX_SNIPPET + 200 for line in d.internal_note.splitlines())


CATEGORY_SETS = [
    [],
    ["scam_suspicion"],
    ["off_platform_payment"],
    list(CATEGORIES),
    list(reversed(CATEGORIES)),
]


@pytest.mark.parametrize(("name", "categories"), list(itertools.product(ADVERSARIAL, CATEGORY_SETS)))
def test_adversarial_names(kb, templates, name, categories) -> None:  # type: ignore[no-untyped-def]
    ev = _evidence(name or "nothing")
    flag = Flag(
        name="money_lost\u202e", reason=(name or "") + "\x00", evidence=[ev], linked_tickets=[name or "x"]
    )
    d = build_draft(
        categories=categories, kb=kb, templates=templates, requester_name=name, flags=[flag], evidence=[ev]
    )
    assert_safe(d, kb, name)
    if categories:
        assert d.text is not None and d.html is not None
        greeting = d.text.splitlines()[0]
        assert greeting == "Hello," or re.fullmatch(r"Hi [^\W\d_][\w'’-]*,", greeting), greeting


def test_real_name_with_apostrophe_is_escaped_in_html(kb, templates) -> None:  # type: ignore[no-untyped-def]
    d = build_draft(
        categories=["scam_suspicion"], kb=kb, templates=templates, requester_name="D'Angelo O'Neil"
    )
    assert d.text is not None and d.text.startswith("Hi D'Angelo,")
    assert d.html is not None and d.html.startswith("<p>Hi D&#39;Angelo,</p>")


def test_evidence_snippets_are_cleaned_and_truncated(kb, templates) -> None:  # type: ignore[no-untyped-def]
    long = "visit t.me/x " + "\u202eA\x00" * MIB
    d = build_draft(
        categories=["off_platform_payment"],
        kb=kb,
        templates=templates,
        requester_name=None,
        evidence=[_evidence(long)] * 50,
    )
    note = d.internal_note
    assert note is not None
    assert "t.me/x" in note  # the agent may see evidence...
    assert "…" in note and "(+30 more)" in note  # ...but bounded
    assert len(note) < 20_000
    assert_safe(d, kb, None)


def test_kb_own_wording_is_not_a_refund_promise(kb) -> None:  # type: ignore[no-untyped-def]
    for e in kb.entries:
        assert refund_promises(e.answer + "\n" + e.solution) == []


@pytest.mark.parametrize(
    "text",
    [
        "We will refund the full amount.",
        "we'll reimburse you",
        "We can recover your payment",
        "You will get your money back.",
        "You'll receive a refund shortly",
        "A full refund has been approved.",
        "Your refund will be issued today",
        "The funds will be returned to your account.",
    ],
)
def test_refund_promise_detector(text: str) -> None:
    assert refund_promises(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sadly, we cannot assist with recovering payments made outside the platform.",
        "We can't refund payments made outside Upwork.",
        "We will not be able to refund this.",
        "Can I get my money back?",
    ],
)
def test_refund_detector_ignores_negations(text: str) -> None:
    assert refund_promises(text) == []


def test_dev_set_drafts_are_safe(kb, templates) -> None:  # type: ignore[no-untyped-def]
    if not DEV.exists():
        pytest.skip("../shared/eval/dev.jsonl not available")
    names = itertools.cycle([*ADVERSARIAL[:-3], "Maria Lopez"])
    n = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        body = t.get("subject", "") + "\n" + t.get("body", "")
        ev = _evidence(body)
        flags = [Flag(name="money_lost", reason="test", evidence=[ev])] if t.get("money_lost") else []
        d = build_draft(
            categories=t.get("labels", []),
            kb=kb,
            templates=templates,
            requester_name=next(names),
            flags=flags,
            evidence=[ev],
        )
        assert_safe(d, kb, None)
        # Nothing the ticket said (contacts in particular) is copied into the customer draft.
        for c in extract_contacts(t.get("subject", ""), t.get("body", "")):
            for _, text in _customer_plain(d):
                assert c.raw not in text
        n += d.text is not None
    assert n > 0
