"""The internal note's plain-Python render (`draft._note_fast`) writes exactly what Jinja renders from the
shipped template, for real pipeline outputs and for the edge cases the template branches on."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from triage import draft
from triage.benchdata import generate, parse_mix
from triage.draft import (
    INTERNAL_NOTE,
    SHIPPED_INTERNAL_NOTE_SHA256,
    _note_context,
    _note_fast,
    _tidy,
    answered_entries,
    build_draft,
    load_templates,
    templates_from_sources,
)
from triage.lexical import COVERAGE_FULL
from triage.schemas import Evidence, Flag

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _both(templates: Any, kb: Any, categories: list[str], flags: list[Flag], evidence: list[Evidence],
          needs_review: bool, model_known: int | None = None) -> tuple[str, str]:
    wanted, entries, unanswered = answered_entries(categories, kb)
    args = (wanted, entries, kb.version, templates.version, needs_review, unanswered, flags, evidence, model_known)
    return _note_fast(*args), templates.render(INTERNAL_NOTE, _note_context(*args))


def test_shipped_note_is_the_config_file_and_takes_the_fast_path(templates: Any) -> None:
    import hashlib

    on_disk = (ROOT / "config" / "templates" / INTERNAL_NOTE).read_text(encoding="utf-8-sig")
    assert hashlib.sha256(on_disk.encode()).hexdigest() == SHIPPED_INTERNAL_NOTE_SHA256, \
        "the shipped note changed: update draft._note_fast and SHIPPED_INTERNAL_NOTE_SHA256 with it"
    assert templates.note_is_shipped


def test_an_edited_note_is_rendered_by_jinja(kb: Any, templates: Any) -> None:
    edited = templates_from_sources({**templates.sources, INTERNAL_NOTE: "NOTE {{ categories | join('/') }}"})
    assert not edited.note_is_shipped
    d = build_draft(categories=["scam_suspicion", "refund"], kb=kb, templates=edited, requester_name=None)
    assert d.internal_note == "NOTE scam_suspicion/refund"


def _tickets() -> list[tuple[str, str]]:
    out = [(t["subject"], t["body"]) for _, t in generate(600, parse_mix("scam=0.3,off=0.2,both=0.1"),
                                                          prefix="n", handle_tag="t")]
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                t = row.get("ticket", row)
                out.append((t.get("subject") or "", t.get("body") or ""))
    return out


def test_fast_note_equals_jinja_on_pipeline_outputs(kb: Any, templates: Any) -> None:
    from triage import pipeline

    cfg = pipeline.load_config(ROOT / "config")
    repeat = Flag(name="repeat_reported_contact", reason="reported before",
                  evidence=[Evidence(signal="contact:telegram", field="body", start=3, end=9, text="@x_y_z")],
                  linked_tickets=[f"zendesk:{i}" for i in range(25)])
    checked = 0
    for i, (subject, body) in enumerate(_tickets()):
        c, e = pipeline.judge(subject, body, cfg, extra_flags=[repeat] if i % 7 == 0 else ())
        known = (None if c.model_coverage is None or c.model_coverage >= COVERAGE_FULL
                 else int(c.model_coverage * 100))
        fast, jinja = _both(cfg.templates, cfg.kb, list(c.categories), list(e.flags), list(c.evidence),
                            c.needs_review, known)
        assert fast == jinja, (subject, body)
        assert _tidy(fast) == _tidy(jinja)
        checked += 1
    assert checked > 1000


_NASTY = ["", " ", "plain", "  padded  ", "tab\there", "new\nline\r\nx", "\u202eevil\u202c", "zero\u200bwidth",
          "x" * 500, "ünïcödé ✓", "trailing space ", '"quoted"', "{{ not_jinja }}", "a\x00b\x1fc", "…" * 70,
          "{% raw %}", "\\", "percent %s"]


def _rand_text(rnd: random.Random) -> str:
    return rnd.choice(_NASTY) if rnd.random() < 0.7 else "".join(rnd.choice(_NASTY) for _ in range(3))


def _rand_evidence(rnd: random.Random) -> Evidence:
    return Evidence(signal=rnd.choice(["sig", "s" * 61, "bad\nsig", "contact:url", _rand_text(rnd)]),
                    field=rnd.choice(["subject", "body"]), start=rnd.randrange(0, 10**6), end=rnd.randrange(0, 10**6),
                    text=_rand_text(rnd), category=rnd.choice([None, "", "scam_suspicion", _rand_text(rnd)]),
                    weight=rnd.random())


@pytest.mark.parametrize("seed", range(40))
def test_fast_note_equals_jinja_on_edge_cases(kb: Any, templates: Any, seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(50):
        cats = rnd.sample(["scam_suspicion", "off_platform_payment", "refund", "x" * 50, "bad\ncat", ""],
                          rnd.randrange(0, 4))
        flags = [
            Flag(name=rnd.choice(["money_lost", _rand_text(rnd)]), reason=_rand_text(rnd),
                 evidence=[_rand_evidence(rnd) for _ in range(rnd.choice([0, 1, 2, 20, 21, 30]))],
                 linked_tickets=[_rand_text(rnd) for _ in range(rnd.choice([0, 1, 3, 20, 21, 40]))])
            for _ in range(rnd.choice([0, 0, 1, 2, 3]))
        ]
        evidence = [_rand_evidence(rnd) for _ in range(rnd.choice([0, 1, 4, 20, 21, 45]))]
        needs_review = rnd.random() < 0.3
        coverage = rnd.choice([None, None, 0.0, 0.42, 0.695, 0.7, 0.95])
        known = rnd.choice([None, 0, 42, 69])
        fast, jinja = _both(templates, kb, cats, flags, evidence, needs_review, known)
        assert fast == jinja
        draft._NOTE_FAST = False
        try:
            slow = build_draft(categories=cats, kb=kb, templates=templates, requester_name=None, flags=flags,
                               evidence=evidence, needs_review=needs_review, model_coverage=coverage)
        finally:
            draft._NOTE_FAST = True
        quick = build_draft(categories=cats, kb=kb, templates=templates, requester_name=None, flags=flags,
                            evidence=evidence, needs_review=needs_review, model_coverage=coverage)
        assert quick == slow


def test_load_templates_marks_the_shipped_note(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "config" / "templates", tmp_path / "templates")
    assert load_templates(tmp_path).note_is_shipped
    shipped = (tmp_path / "templates" / INTERNAL_NOTE).read_text(encoding="utf-8")
    (tmp_path / "templates" / INTERNAL_NOTE).write_text(shipped + "\nextra line\n", encoding="utf-8")
    assert not load_templates(tmp_path).note_is_shipped


def test_the_note_says_when_the_lexical_model_knew_too_few_words(kb: Any, templates: Any) -> None:
    """Below COVERAGE_FULL the model's say against the rules' score is cut: the agent is told, with the share; at or
    above it, or without a model, nothing is said."""
    line = "Lexical model: knows only 42 % of this ticket's words"
    for fast in (True, False):
        draft._NOTE_FAST = fast
        try:
            low = build_draft(categories=["scam_suspicion"], kb=kb, templates=templates, requester_name=None,
                              model_coverage=0.425)
            full = build_draft(categories=["scam_suspicion"], kb=kb, templates=templates, requester_name=None,
                               model_coverage=COVERAGE_FULL)
            none = build_draft(categories=["scam_suspicion"], kb=kb, templates=templates, requester_name=None)
        finally:
            draft._NOTE_FAST = True
        assert low.internal_note is not None and line in low.internal_note
        assert full.internal_note is not None and "Lexical model" not in full.internal_note
        assert none.internal_note is not None and "Lexical model" not in none.internal_note


def test_a_ticket_in_a_language_the_model_barely_knows_gets_the_line() -> None:
    from triage import pipeline
    from triage.schemas import TicketIn

    cfg = pipeline.load_config(ROOT / "config")
    greek = TicketIn(source="api", external_id="g1", subject="Πελάτης ζητάει ΑΦΜ",
                     body="Ο πελάτης ζητάει ΑΦΜ, ταυτότητα και IBAN πριν από το συμβόλαιο. Είναι απάτη;")
    english = TicketIn(source="api", external_id="e1", subject="Client wants my ID",
                       body="The client asked for my passport and bank details before any contract. Is it a scam?")
    c_gr, _ = pipeline.judge(greek.subject, greek.body, cfg)
    c_en, _ = pipeline.judge(english.subject, english.body, cfg)
    assert c_gr.model_coverage is not None and c_gr.model_coverage < COVERAGE_FULL
    assert c_en.model_coverage is not None and c_en.model_coverage >= COVERAGE_FULL
    note_gr = pipeline.run(greek, cfg).internal_note or ""
    note_en = pipeline.run(english, cfg).internal_note or ""
    assert f"Lexical model: knows only {int(c_gr.model_coverage * 100)} %" in note_gr
    assert "Lexical model" not in note_en
