"""Reply drafts: content from the KB, greeting, merging two categories, internal note, templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.draft import (
    Draft,
    TemplateError,
    build_draft,
    first_name,
    load_templates,
    templates_from_sources,
)
from triage.kb import KnowledgeBase, load_kb
from triage.schemas import Evidence, Flag

CONFIG = Path(__file__).resolve().parents[2] / "config"


def draft(kb: KnowledgeBase, templates, categories, name=None, **kw) -> Draft:  # type: ignore[no-untyped-def]
    return build_draft(categories=categories, kb=kb, templates=templates, requester_name=name, **kw)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_single_category_uses_kb_words_and_links(kb, templates) -> None:  # type: ignore[no-untyped-def]
    entry = kb.for_category("scam_suspicion")
    d = draft(kb, templates, ["scam_suspicion"], "Maria Lopez")
    assert d.text is not None and d.html is not None
    assert d.text.startswith("Hi Maria,")
    for line in (entry.answer + "\n" + entry.solution).splitlines():
        assert line in d.text  # verbatim, line by line (bullets included)
    assert d.kb_entries == (entry.id,)
    assert d.links == entry.links
    for url in entry.links:
        assert url in d.text and f'href="{url}"' in d.html
    assert "About the suspicious offer" not in d.text  # headings only when several topics


def test_both_categories_one_reply_links_deduplicated(kb, templates) -> None:  # type: ignore[no-untyped-def]
    scam, off = kb.for_category("scam_suspicion"), kb.for_category("off_platform_payment")
    d = draft(kb, templates, ["scam_suspicion", "off_platform_payment"], "maria")
    assert d.text is not None and d.html is not None
    assert d.text.count("Hi Maria,") == 1 and d.text.count("Best regards,") == 1
    assert d.kb_entries == (scam.id, off.id)
    shared = set(scam.links) & set(off.links)
    assert shared, "the KB entries share a link; this test relies on it"
    assert len(d.links) == len(set(scam.links) | set(off.links))
    for url in shared:
        assert d.text.count(url) == 1 and d.html.count(f'href="{url}"') == 1
    # No paragraph or bullet is said twice.
    body = [line for line in _lines(d.text)]
    assert len(body) == len(set(body))
    # Both topics are there, scam first (the caller's order), each with its heading.
    assert d.text.index(scam.answer.splitlines()[0]) < d.text.index(off.answer.splitlines()[0])
    assert "About the suspicious offer" in d.text and "About payments outside the platform" in d.text


def test_order_follows_caller_and_duplicates_ignored(kb, templates) -> None:  # type: ignore[no-untyped-def]
    d = draft(kb, templates, ["off_platform_payment", "scam_suspicion", "off_platform_payment"])
    off = kb.for_category("off_platform_payment")
    assert d.kb_entries[0] == off.id and len(d.kb_entries) == 2


def test_repeated_lines_across_entries_are_dropped(tmp_path: Path, templates) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.txt").write_text(
        "Question: A?\nAnswer: Shared line.\n- Same bullet\nSolution: Only A.\n"
        "Important links: https://x.example.com/1, https://x.example.com/2\n"
        "Question: B?\nAnswer: shared   LINE.\n- Same bullet\n- Other bullet\nSolution: Only B.\n"
        "Important links: https://x.example.com/2\n",
        encoding="utf-8",
    )
    (tmp_path / "kb" / "categories.yaml").write_text(
        '"a#1": scam_suspicion\n"a#2": off_platform_payment\n', encoding="utf-8"
    )
    kb2 = load_kb(tmp_path)
    d = draft(kb2, templates, ["scam_suspicion", "off_platform_payment"])
    assert d.text is not None
    assert d.text.lower().count("shared line") == 1 and d.text.count("Same bullet") == 1
    assert "Other bullet" in d.text and "Only A." in d.text and "Only B." in d.text
    assert d.links == ("https://x.example.com/1", "https://x.example.com/2")


def test_no_category_no_draft_but_note_with_flags(kb, templates) -> None:  # type: ignore[no-untyped-def]
    assert draft(kb, templates, []) == Draft(None, None, None, (), ())
    flag = Flag(name="personal_data_shared", reason="sent a passport scan", linked_tickets=["zendesk:9"])
    d = draft(kb, templates, [], "Maria", flags=[flag])
    assert d.text is None and d.html is None and d.kb_entries == () and d.links == ()
    assert d.internal_note is not None
    assert "personal_data_shared: sent a passport scan" in d.internal_note
    assert "zendesk:9" in d.internal_note


def test_internal_note_lists_flags_evidence_and_versions(kb, templates) -> None:  # type: ignore[no-untyped-def]
    ev = Evidence(
        signal="paid_off_platform", field="body", start=5, end=30, text="sent $300 on Telegram", weight=2
    )
    flag = Flag(
        name="money_lost", reason="already paid off-platform", evidence=[ev], linked_tickets=["zd:1", "zd:2"]
    )
    d = draft(kb, templates, ["off_platform_payment"], flags=[flag], evidence=[ev], needs_review=True)
    note = d.internal_note
    assert note is not None and note.startswith("INTERNAL NOTE")
    assert "money_lost: already paid off-platform" in note
    assert 'body[5:30] paid_off_platform: "sent $300 on Telegram"' in note
    assert "zd:1, zd:2" in note
    assert "NEEDS REVIEW" in note
    assert kb.version in note and templates.version in note
    assert "INTERNAL" not in (d.text or "") and "money_lost" not in (d.text or "")


def test_unknown_category_is_reported_in_note_not_drafted(kb, templates) -> None:  # type: ignore[no-untyped-def]
    d = draft(kb, templates, ["refund_request"])
    assert d.text is None
    assert (
        d.internal_note is not None
        and "No knowledge-base entry for category refund_request" in d.internal_note
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Maria Lopez", "Maria"),
        ("  maria   lopez ", "Maria"),
        ("MARIA", "Maria"),
        ("Lopez, Maria", "Maria"),
        ("Dr. Maria Lopez", "Maria"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("Zoë O'Neil", "Zoë"),
        ("Анна Петрова", "Анна"),
        ("أحمد علي", "أحمد"),
        ("李", None),  # one character: too short to be sure it is a first name
        ("J. Smith", None),
        ("Mr.", None),
        (None, None),
        ("", None),
        ("maria@example.com", None),
        ("Maria t.me/scam", None),
        ("Maria upw0rk.com", None),
        ("Maria <script>", None),
        ("[Maria](http://x.y)", None),
        ("Maria 12345", None),
        ("Upwork Support", None),
        ("admin", None),
        ("Maria" * 30, None),
        ("M\u202eairam", "Mairam"),  # bidi override stripped, then judged
        ("Ma\u200bria", "Maria"),
    ],
)
def test_first_name(name: str | None, expected: str | None) -> None:
    assert first_name(name) == expected


def test_generic_greeting_without_name(kb, templates) -> None:  # type: ignore[no-untyped-def]
    d = draft(kb, templates, ["scam_suspicion"], "support@upw0rk.com")
    assert d.text is not None and d.text.startswith("Hello,")
    assert d.html is not None and d.html.startswith("<p>Hello,</p>")


def test_templates_version_and_load_errors(tmp_path: Path) -> None:
    shutil.copytree(CONFIG / "templates", tmp_path / "templates")
    v1 = load_templates(tmp_path).version
    assert v1 == load_templates(CONFIG).version and len(v1) == 12
    p = tmp_path / "templates" / "reply.txt.j2"
    p.write_text(p.read_text(encoding="utf-8") + "\nP.S.", encoding="utf-8")
    assert load_templates(tmp_path).version != v1
    p.write_text("line one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"reply\.txt\.j2:2: "):
        load_templates(tmp_path)
    p.unlink()
    with pytest.raises(TemplateError, match=r"missing reply\.txt\.j2"):
        load_templates(tmp_path)
    with pytest.raises(TemplateError, match="no templates directory"):
        load_templates(tmp_path / "nowhere")


def _sources(**override: str) -> dict[str, str]:
    src = {p.name: p.read_text(encoding="utf-8") for p in (CONFIG / "templates").iterdir()}
    src.update(override)
    return src


def test_undefined_variable_in_template_fails_loudly(kb) -> None:  # type: ignore[no-untyped-def]
    t = templates_from_sources(_sources(**{"reply.txt.j2": "Hi {{ frist_name }}"}))
    with pytest.raises(TemplateError, match="render failed"):
        draft(kb, t, ["scam_suspicion"])


@pytest.mark.parametrize(
    "bad",
    [
        "We will refund your payment in full.",
        "You will get your money back within 5 days.",
        "Good news: a full refund is on its way.",
        "Your refund will be processed shortly.",
        "Visit https://evil.example.com for help.",
        "Or write to help@upw0rk.com.",
        "Call +1 415 555 0123.",
    ],
)
def test_edited_template_cannot_make_an_unsafe_draft(kb, bad: str) -> None:  # type: ignore[no-untyped-def]
    src = _sources()
    t = templates_from_sources({**src, "reply.txt.j2": src["reply.txt.j2"] + "\n" + bad})
    with pytest.raises(TemplateError, match="safety check"):
        draft(kb, t, ["off_platform_payment"])


def test_html_template_cannot_link_elsewhere(kb) -> None:  # type: ignore[no-untyped-def]
    src = _sources()
    html = src["reply.html.j2"] + '\n<a href="https://evil.example.com">Upwork help</a>'
    t = templates_from_sources({**src, "reply.html.j2": html})
    with pytest.raises(TemplateError, match="safety check"):
        draft(kb, t, ["scam_suspicion"])


def test_sandbox_blocks_python_internals(kb) -> None:  # type: ignore[no-untyped-def]
    src = _sources(**{"reply.txt.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}"})
    t = templates_from_sources(src)
    with pytest.raises(TemplateError):
        draft(kb, t, ["scam_suspicion"])
