"""repeat_reported_contact and draft history, on SQLite through the worker's own store path."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, use_migrated_sqlite
from triage import db, store
from triage.pipeline import load_config, run
from triage.schemas import TicketIn

NOW = datetime(2026, 3, 1, tzinfo=UTC)
REPORT = "A client on Telegram @{h} asked me to pay a $40 registration fee before the interview. {extra}"


def _setup(monkeypatch: Any, url: str) -> None:
    use_migrated_sqlite(monkeypatch, url)


def _save(cfg: Any, *tickets: TicketIn, now: datetime = NOW) -> None:
    items = [store.StoredItem(t, run(t, cfg)) for t in tickets]
    with db.session_scope() as s:
        store.save_outcomes(session=s, items=items, now=now,
                            refine=lambda it, flags: run(it.ticket, cfg, extra_flags=flags))


def _ticket(ext: str, handle: str, email: str | None, extra: str = "") -> TicketIn:
    req = {"email": email, "name": "Sam Doe"} if email else None
    return TicketIn.model_validate({"source": "zd", "external_id": ext, "subject": "Suspicious client",
                                    "body": REPORT.format(h=handle, extra=extra), "requester": req})


def _flags(ref: str) -> dict[str, Any]:
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref=ref)
        assert t is not None and t.result is not None
        return {"flags": {f.name: f for f in t.flags}, "priority": t.result.priority,
                "note": t.result.internal_note or "", "escalated": t.result.escalated}


def test_second_requester_reporting_the_same_contact_is_flagged(monkeypatch: Any, sqlite_url: str,
                                                                pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    _save(pipeline_cfg, _ticket("1", "Fast_Jobs_HR", "a@example.org"))
    _save(pipeline_cfg, _ticket("2", "fast_jobs_hr", "a@example.org"))  # same requester again: not a repeat
    _save(pipeline_cfg, _ticket("3", "other_handle", "b@example.org"))  # different contact
    _save(pipeline_cfg, _ticket("4", "FAST_JOBS_HR", "c@example.org"))  # new requester, same contact
    assert "repeat_reported_contact" not in _flags("zd:1")["flags"]
    assert "repeat_reported_contact" not in _flags("zd:2")["flags"]
    assert "repeat_reported_contact" not in _flags("zd:3")["flags"]
    got = _flags("zd:4")
    flag = got["flags"]["repeat_reported_contact"]
    assert flag.linked_tickets == ["zd:1", "zd:2"]
    assert flag.reason and flag.evidence and flag.evidence[0]["text"].lower().endswith("fast_jobs_hr")
    assert got["priority"] in {"P1", "P2"} and got["escalated"]
    assert "zd:1" in got["note"]  # the agent's note lists the linked tickets


def test_repeat_within_one_batch_flags_only_the_later_ticket(monkeypatch: Any, sqlite_url: str,
                                                             pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    _save(pipeline_cfg, _ticket("b1", "same_guy", "x@example.org"), _ticket("b2", "same_guy", "y@example.org"))
    assert "repeat_reported_contact" not in _flags("zd:b1")["flags"]
    assert _flags("zd:b2")["flags"]["repeat_reported_contact"].linked_tickets == ["zd:b1"]


def test_platform_urls_are_not_reportable_contacts(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    body = "He asked me to pay outside of https://www.upwork.com/jobs/123 via PayPal. I refused."
    for i, email in enumerate(["p@example.org", "q@example.org"]):
        _save(pipeline_cfg, TicketIn(source="zd", external_id=f"u{i}", subject="Off-platform request", body=body,
                                     requester={"email": email}))
    assert "repeat_reported_contact" not in _flags("zd:u1")["flags"]


def test_redelivery_keeps_a_single_flag(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    _save(pipeline_cfg, _ticket("r1", "dup_handle", "m@example.org"))
    for _ in range(3):
        _save(pipeline_cfg, _ticket("r2", "dup_handle", "n@example.org"))
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref="zd:r2")
        assert t is not None
        assert [f.name for f in t.flags].count("repeat_reported_contact") == 1
        assert t.flags[[f.name for f in t.flags].index("repeat_reported_contact")].linked_tickets == ["zd:r1"]


def test_redraft_after_template_change_keeps_history(monkeypatch: Any, sqlite_url: str, tmp_path: Path,
                                                     pipeline_cfg: Any, capsys: Any) -> None:
    _setup(monkeypatch, sqlite_url)
    _save(pipeline_cfg, _ticket("d1", "h1", "a@example.org"), _ticket("d2", "h2", None), now=NOW)
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    tpl = cfg_dir / "templates" / "_common.j2"
    tpl.write_text(tpl.read_text().replace("Best regards,", "Kind regards,"))
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(cfg_dir))
    from triage.cli import main
    from triage.settings import get_settings

    get_settings.cache_clear()
    new_cfg = load_config(cfg_dir)
    assert new_cfg.templates.version != pipeline_cfg.templates.version
    assert main(["redraft", "--since", (NOW - timedelta(days=1)).isoformat(), "--dry-run"]) == 0
    assert "would re-draft 2 result(s)" in capsys.readouterr().out
    assert main(["redraft", "--since", (NOW - timedelta(days=1)).isoformat(), "--stale"]) == 0
    assert "re-drafted 2 result(s)" in capsys.readouterr().out
    assert main(["redraft", "--since", (NOW - timedelta(days=1)).isoformat(), "--stale"]) == 0
    assert "re-drafted 0 result(s)" in capsys.readouterr().out
    with db.session_scope() as s:
        t = store.get_ticket(session=s, ref="zd:d1")
        assert t is not None and t.result is not None
        assert "Kind regards," in (t.result.draft_reply or "")
        assert t.result.template_version == new_cfg.templates.version
        [h] = store.draft_history(session=s, ticket_id=t.id)
        assert "Best regards," in (h.draft_reply or "") and h.replaced_by == "redraft"
        assert h.template_version == pipeline_cfg.templates.version
    assert main(["show", "zd:d1"]) == 0
    assert "earlier draft" in capsys.readouterr().out


def test_linked_tickets_are_bounded_for_a_hot_contact(monkeypatch: Any, sqlite_url: str, pipeline_cfg: Any) -> None:
    """A contact reported by many people lists the most recent reports, not all of them."""
    _setup(monkeypatch, sqlite_url)
    _save(pipeline_cfg, *[_ticket(f"h{i:02d}", "hot_handle", f"u{i}@example.org") for i in range(30)])
    _save(pipeline_cfg, _ticket("last", "hot_handle", "new@example.org"))
    linked = _flags("zd:last")["flags"]["repeat_reported_contact"].linked_tickets
    assert len(linked) == store.MAX_LINKED_TICKETS
    assert linked[-1] == "zd:h29" and "zd:h00" not in linked
