"""The `triage` command: --help everywhere, the classify output contract, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, write_jsonl
from triage.cli import build_parser, main

COMMANDS = [[], ["demo"], ["worker"], ["submit"], ["classify"], ["eval"], ["results"], ["show"], ["db"],
            ["db", "upgrade"], ["db", "current"], ["kb"], ["kb", "show"], ["dlq"], ["dlq", "list"]]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "triage")
def test_help_everywhere(cmd: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as e:
        main([*cmd, "--help"])
    assert e.value.code == 0
    assert "usage: triage" in capsys.readouterr().out


def test_classify_output_contract(tmp_path: Path, capsys: Any) -> None:
    f = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a1", "subject": "Client wants to pay via Telegram", "body": "He asked me to move to Telegram "
         "and pay me outside the platform to avoid fees. I said no."},
        {"external_id": "b2", "subject": "Invoice", "body": "Where can I download my invoice?"},
        {"id": "c3", "subject": "x", "body": 7},
    ])
    code = main(["classify", str(f)])
    out, err = capsys.readouterr()
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x.get("id") for x in lines] == ["a1", "b2", "c3"]
    first = lines[0]
    for key in ("categories", "scores", "escalation_flags", "priority", "evidence", "kb_entries", "draft_reply"):
        assert key in first
    assert "off_platform_payment" in first["categories"]
    assert first["draft_reply"] and first["kb_entries"]
    assert all({"signal", "start", "end", "text"} <= set(e) for e in first["evidence"])
    assert lines[1]["categories"] == [] and lines[1]["draft_reply"] is None
    assert "error" in lines[2] and "body" in lines[2]["error"]
    assert code == 1 and "1 line(s) could not be classified" in err


def test_classify_catches_the_kb_examples(tmp_path: Path, capsys: Any) -> None:
    """The knowledge base's own questions must land in their categories."""
    from triage.kb import load_kb
    from triage.settings import get_settings

    kb = load_kb(get_settings().config_dir)
    rows = [{"id": e.id, "subject": e.question, "body": e.question} for e in kb.entries]
    main(["classify", str(write_jsonl(tmp_path / "kb.jsonl", rows))])
    got = {x["id"]: x["categories"] for x in map(json.loads, capsys.readouterr().out.splitlines())}
    for e in kb.entries:
        assert e.category in got[e.id], (e.id, got[e.id])


def test_classify_dev_set_runs(capsys: Any) -> None:
    dev = SHARED / "eval" / "dev.jsonl"
    if not dev.exists():
        pytest.skip("shared eval set absent")
    assert main(["classify", str(dev)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == sum(1 for x in dev.read_text().splitlines() if x.strip())


def test_kb_show(capsys: Any) -> None:
    assert main(["kb", "show"]) == 0
    out = capsys.readouterr().out
    assert "knowledge base version" in out and "Question:" in out and "https://" in out
    assert main(["kb", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["category"] for e in data["entries"]} == {"scam_suspicion", "off_platform_payment"}


def test_errors_are_one_line_without_traceback(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    assert main(["classify", str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("triage: error: no such file") and "Traceback" not in err

    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    from triage.settings import get_settings

    get_settings.cache_clear()
    assert main(["results"]) == 3  # no such file: nothing is created
    err = capsys.readouterr().err
    assert "no database at" in err and "triage db upgrade" in err and "Traceback" not in err
    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()  # a file without the schema
    assert main(["results"]) == 1
    err = capsys.readouterr().err
    assert "no such table" in err and "triage db upgrade" in err and "Traceback" not in err

    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "nope"))
    get_settings.cache_clear()
    assert main(["classify", "-"]) == 1
    assert "configuration directory not found" in capsys.readouterr().err


def test_db_upgrade_and_current(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    from triage.settings import get_settings

    get_settings.cache_clear()
    assert main(["db", "current"]) == 3
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    out = capsys.readouterr().out
    assert "current: (no database file)" in out and "database at revision" in out


def test_submit_reports_invalid_lines(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TRIAGE_BROKER_URL", "memory://")
    from triage.settings import get_settings

    get_settings.cache_clear()
    f = tmp_path / "in.jsonl"
    f.write_text('{"source":"s","external_id":"1","subject":"a","body":"b"}\n{broken\n'
                 '{"source":"s","subject":"no id"}\n')
    assert main(["submit", str(f)]) == 1
    out, err = capsys.readouterr()
    assert "enqueued 1 ticket(s) in 1 message(s)" in out
    assert f"{f}:2: invalid JSON" in err and f"{f}:3: external_id: Field required" in err


def test_parser_lists_all_commands() -> None:
    text = build_parser().format_help()
    for c in ("demo", "worker", "submit", "classify", "eval", "results", "show", "db", "kb", "dlq"):
        assert c in text


# Found by the fifth session's operator review: a user's mistakes get one clear line and a non-zero exit.
@pytest.mark.parametrize(("argv", "needle"), [
    (["results", "--limit", "-1"], "out of range"),
    (["dlq", "show", "99999999999999999999"], "out of range"),
    (["dlq", "replay", "0"], "out of range"),
    (["worker", "--concurrency", "-1"], "out of range"),
    (["worker", "--concurrency", "0"], "out of range"),
    (["submit", "x.jsonl", "--batch", "0"], "out of range"),
    (["serve", "--port", "99999"], "out of range"),
    (["bench", "-n", "0"], "out of range"),
    (["submit", "x.jsonl", "--queue", "two words"], "invalid queue name"),
    (["submit", "x.jsonl", "--queue", "tickets.*"], "invalid queue name"),
])
def test_numeric_arguments_are_checked_by_the_parser(argv: list[str], needle: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and needle in capsys.readouterr().err


def test_submit_refuses_a_batch_the_worker_would_dead_letter(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TRIAGE_BROKER_URL", "memory://")
    monkeypatch.setenv("TRIAGE_MAX_BATCH", "10")
    from triage.settings import get_settings

    get_settings.cache_clear()
    f = write_jsonl(tmp_path / "in.jsonl", [{"source": "s", "external_id": "1", "subject": "a", "body": "b"}])
    assert main(["submit", str(f), "--batch", "11"]) == 1
    assert "exceeds TRIAGE_MAX_BATCH (10)" in capsys.readouterr().err


@pytest.mark.parametrize(("var", "value"), [("TRIAGE_WORKER_CONCURRENCY", "abc"), ("TRIAGE_LOG_FORMAT", "xml"),
                                            ("TRIAGE_SINGLE_BATCHING", "maybe")])
def test_an_invalid_setting_is_named(var: str, value: str, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv(var, value)
    from triage.settings import get_settings

    get_settings.cache_clear()
    assert main(["results"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"triage: error: invalid {var}={value!r}: ") and "Traceback" not in err


def test_a_missing_database_is_not_told_to_migrate(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    from sqlalchemy.exc import OperationalError

    from triage.cli import _wrap_db_errors

    monkeypatch.setenv("TRIAGE_DATABASE_URL", "postgresql://u@127.0.0.1:1/nope")
    from triage.settings import get_settings

    get_settings.cache_clear()

    def fail(_args: Any) -> int:
        raise OperationalError("connect", {}, Exception('FATAL:  database "nope" does not exist'))

    with pytest.raises(Exception) as e:
        _wrap_db_errors(fail)(None)
    assert "createdb" in str(e.value) and "db upgrade`" in str(e.value)


def test_a_redis_password_without_a_user_is_masked() -> None:
    from triage.cli import _safe_url

    assert _safe_url("redis://:sekret@127.0.0.1:6390/13") == "redis://:***@127.0.0.1:6390/13"
    assert "sekret" not in _safe_url("rediss://:sekret@h:6380/0")


def test_the_worker_refuses_a_database_without_the_schema(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    # It would fail every store (dead letters or, before this check, lost messages); it does not start.
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("TRIAGE_BROKER_URL", "memory://")
    from triage.settings import get_settings

    get_settings.cache_clear()
    assert main(["worker"]) == 3
    err = capsys.readouterr().err
    assert "schema is at (empty)" in err and "triage db upgrade" in err


def test_dlq_replay_names_the_conflict(capsys: Any) -> None:
    assert main(["dlq", "replay", "1", "--all"]) == 1
    assert "give a dead-letter ID or --all, not both" in capsys.readouterr().err
    assert main(["dlq", "replay"]) == 1
    assert capsys.readouterr().err.strip().endswith("give a dead-letter ID or --all")


@pytest.mark.parametrize("argv", [["results"], ["show", "1"], ["dlq", "list"], ["dlq", "show", "1"],
                                  ["dlq", "replay", "--all"], ["db", "current"]])
def test_a_read_on_a_missing_sqlite_file_creates_nothing(argv: list[str], tmp_path: Path, capsys: Any,
                                                         monkeypatch: Any) -> None:
    """Found by the fifth session's operator review: `triage results` on a mistyped SQLite path created the
    directory and an empty database file, then said "no such table"."""
    target = tmp_path / "not" / "there.db"
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.setenv("TRIAGE_BROKER_URL", "memory://")
    from triage.settings import get_settings

    get_settings.cache_clear()
    assert main(argv) == 3
    out, err = capsys.readouterr()
    assert (f"no database at {target}" in err) if argv[0] != "db" else ("(no database file)" in out)
    assert not (tmp_path / "not").exists()


def test_serve_on_a_port_in_use_is_one_line(capsys: Any) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"triage: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert main(["serve", "--host", "no-such-host.invalid", "--port", "8000"]) == 1
    assert "cannot listen on no-such-host.invalid:8000" in capsys.readouterr().err
