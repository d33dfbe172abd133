"""Knowledge-base parser, category mapping and version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.kb import KBError, UnknownKBEntry, load_kb, parse_kb_text

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
ARTICLE = CONFIG / "kb" / "000_bc713a5cd8f45ef9.txt"
STEM = "000_bc713a5cd8f45ef9"
SHARED_KB = ROOT.parent / "shared" / "kb"

GOOD = """Note:
Preamble for the bot.
Question: First question?
Answer: Line one.
- bullet a
- bullet b
Solution: Do this.
Important links: https://example.com/a, https://example.com/b
Question: Second?
Answer: Only an answer.
"""


def _kb_dir(tmp_path: Path, files: dict[str, str], mapping: str | None) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir(parents=True)
    for name, text in files.items():
        (kb / name).write_text(text, encoding="utf-8")
    if mapping is not None:
        (kb / "categories.yaml").write_text(mapping, encoding="utf-8")
    return tmp_path


MAPPING = 'entries:\n  "f#1": scam_suspicion\n  "f#2": off_platform_payment\n'


def test_real_article_parses_into_two_entries_with_preamble() -> None:
    note, entries = parse_kb_text(ARTICLE.read_text(encoding="utf-8"), str(ARTICLE))
    assert note is not None and note.startswith("This article is intended")
    assert [e.id for e in entries] == [f"{STEM}#1", f"{STEM}#2"]
    first, second = entries
    assert first.question.startswith("I got a job offer")
    assert first.line == 3 and second.line == 10
    # Multi-line answers keep their line breaks and bullets verbatim.
    assert "\n- Verify the client’s profile" in first.answer
    assert second.answer.startswith("Sadly, we cannot assist with recovering payments")
    assert second.solution.count("\n- ") == 3
    assert len(first.links) == 3 and len(second.links) == 3
    assert all(u.startswith("https://") for u in first.links + second.links)


def test_shared_copy_is_identical_when_present() -> None:
    shared = SHARED_KB / ARTICLE.name
    if not shared.exists():
        pytest.skip("../shared/kb not available")
    assert shared.read_bytes() == ARTICLE.read_bytes()


def test_load_kb_maps_categories_and_versions() -> None:
    kb = load_kb(CONFIG)
    scam = kb.for_category("scam_suspicion")
    off = kb.for_category("off_platform_payment")
    assert scam is not None and scam.id == f"{STEM}#1" and scam.category == "scam_suspicion"
    assert off is not None and off.id == f"{STEM}#2"
    assert kb.for_category("nope") is None
    assert kb.get(f"{STEM}#2") == off
    assert len(kb.version) == 12 and int(kb.version, 16) >= 0
    assert kb.preambles[STEM].startswith("This article")
    assert load_kb(CONFIG).version == kb.version  # deterministic


def test_get_unknown_id_is_a_kb_error_and_key_error() -> None:
    kb = load_kb(CONFIG)
    with pytest.raises(UnknownKBEntry) as exc:
        kb.get("nope#1")
    assert isinstance(exc.value, KBError) and isinstance(exc.value, KeyError)
    assert "nope#1" in str(exc.value)


def test_version_changes_with_content_and_mapping(tmp_path: Path) -> None:
    d = _kb_dir(tmp_path, {"f.txt": GOOD}, MAPPING)
    v1 = load_kb(d).version
    (d / "kb" / "f.txt").write_text(GOOD.replace("Do this.", "Do that."), encoding="utf-8")
    v2 = load_kb(d).version
    (d / "kb" / "categories.yaml").write_text(MAPPING + "# comment\n", encoding="utf-8")
    v3 = load_kb(d).version
    assert len({v1, v2, v3}) == 3


def test_version_independent_of_config_location(tmp_path: Path) -> None:
    a = _kb_dir(tmp_path / "a", {"f.txt": GOOD}, MAPPING)
    b = _kb_dir(tmp_path / "elsewhere" / "b", {"f.txt": GOOD}, MAPPING)
    assert load_kb(a).version == load_kb(b).version


def test_bom_crlf_and_trailing_spaces_parse_the_same() -> None:
    plain = parse_kb_text(GOOD, "f.txt")
    messy = "\ufeff" + "\r\n".join(line + "  \t" for line in GOOD.split("\n"))
    assert parse_kb_text(messy, "f.txt") == plain


def test_links_may_wrap_and_use_whitespace() -> None:
    text = (
        "Question: Q?\nAnswer: A.\n"
        "Important links: https://a.example.com/x  https://b.example.com/y,\n  https://c.example.com\n"
    )
    _, [e] = parse_kb_text(text, "f.txt")
    assert e.links == ("https://a.example.com/x", "https://b.example.com/y", "https://c.example.com")


def test_labels_are_case_insensitive_and_note_inside_entry_is_text() -> None:
    text = "QUESTION: Q?\nanswer: A.\nNote: this is part of the answer\nSOLUTION: S.\n"
    note, [e] = parse_kb_text(text, "f.txt")
    assert note is None
    assert e.answer == "A.\nNote: this is part of the answer" and e.solution == "S."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Question: Q?\nSolution: S.\n", 1, "no Answer"),
        ("Answer: A.\nQuestion: Q?\n", 1, "before the first Question"),
        ("Question: Q?\nAnswer: A.\nAnswer: again\n", 3, "duplicate Answer"),
        ("Question:\nAnswer: A.\n", 1, "empty Question"),
        ("Question: Q?\nAnswer:\n\n", 2, "empty Answer"),
        ("Hello there\nQuestion: Q?\nAnswer: A.\n", 1, "text before the first Question"),
        ("Note: n\n\nstill note\n", 1, "no Question/Answer entries"),
        ("", 1, "no Question/Answer entries"),
        (
            "Question: Q?\nAnswer: A.\nImportant links: https://ok.example.com, ftp://bad.example.com\n",
            3,
            "invalid link",
        ),
        ("Question: Q?\nAnswer: A.\nImportant links: https://ok.example.com\n  notaurl\n", 4, "invalid link"),
        ("Question: Q?\nAnswer: A.\nImportant links: javascript:alert(1)\n", 3, "invalid link"),
        ("Question: Q?\nAnswer: A.\nImportant links: https://\n", 3, "invalid link"),
        ("Question: Q?\nAnswer: A.\nImportant links: x\nSolution: late\n", 4, "out of order"),
        ("Note: a\nNote: b\nQuestion: Q?\nAnswer: A.\n", 2, "duplicate Note"),
        ("Question: Q?\nAnswer: A.\nQuestion: Q2?\n", 3, "no Answer"),
    ],
)
def test_malformed_files_fail_with_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(KBError) as exc:
        parse_kb_text(text, "config/kb/x.txt")
    assert str(exc.value).startswith(f"config/kb/x.txt:{line}: "), str(exc.value)
    assert words in str(exc.value)


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ('entries:\n  "f#1": scam_suspicion\n  "f#9": off_platform_payment\n', "unknown entry id 'f#9'"),
        ('entries:\n  "f#1": scam_suspicion\n  "f#2": refunds\n', "unknown category 'refunds'"),
        ('entries:\n  "f#1": scam_suspicion\n', "no entry mapped to category 'off_platform_payment'"),
        ('entries:\n  "f#1": scam_suspicion\n  "f#2": scam_suspicion\n', "already mapped"),
        ("entries: [1, 2]\n", "expected a mapping"),
        ("entries: {\n", "invalid YAML"),
        ("", "no entry mapped"),
    ],
)
def test_bad_mapping_fails(tmp_path: Path, mapping: str, words: str) -> None:
    d = _kb_dir(tmp_path, {"f.txt": GOOD}, mapping)
    with pytest.raises(KBError) as exc:
        load_kb(d)
    assert "categories.yaml:" in str(exc.value) and words in str(exc.value)


def test_unknown_entry_id_error_names_the_mapping_line(tmp_path: Path) -> None:
    d = _kb_dir(
        tmp_path, {"f.txt": GOOD}, 'entries:\n  "f#1": scam_suspicion\n  "f#9": off_platform_payment\n'
    )
    with pytest.raises(KBError, match=r"categories\.yaml:3: "):
        load_kb(d)


def test_top_level_mapping_also_accepted(tmp_path: Path) -> None:
    d = _kb_dir(tmp_path, {"f.txt": GOOD}, '"f#1": scam_suspicion\n"f#2": off_platform_payment\n')
    assert load_kb(d).for_category("off_platform_payment").id == "f#2"  # type: ignore[union-attr]


def test_missing_mapping_or_files_fail(tmp_path: Path) -> None:
    with pytest.raises(KBError, match=r"categories\.yaml"):
        load_kb(_kb_dir(tmp_path / "x", {"f.txt": GOOD}, None))
    empty = tmp_path / "empty"
    (empty / "kb").mkdir(parents=True)
    with pytest.raises(KBError, match="no knowledge-base files"):
        load_kb(empty)


def test_malformed_file_in_load_kb_names_the_path(tmp_path: Path) -> None:
    d = _kb_dir(tmp_path, {"f.txt": GOOD, "g.txt": "Question: Q?\n"}, MAPPING)
    with pytest.raises(KBError) as exc:
        load_kb(d)
    assert str(exc.value).startswith(str(d / "kb" / "g.txt") + ":1: ")


def test_non_utf8_file_fails_with_line(tmp_path: Path) -> None:
    d = _kb_dir(tmp_path, {"f.txt": GOOD}, MAPPING)
    (d / "kb" / "f.txt").write_bytes(GOOD.encode() + b"Question: \xff\n")
    with pytest.raises(KBError, match=r"f\.txt:11: not valid UTF-8"):
        load_kb(d)


def test_several_files_load_sorted_with_unmapped_entries(tmp_path: Path) -> None:
    d = tmp_path
    (d / "kb").mkdir()
    shutil.copy(ARTICLE, d / "kb" / ARTICLE.name)
    (d / "kb" / "zzz_extra.txt").write_text("Question: Extra?\nAnswer: Extra answer.\n", encoding="utf-8")
    shutil.copy(CONFIG / "kb" / "categories.yaml", d / "kb" / "categories.yaml")
    kb = load_kb(d)
    assert [e.id for e in kb.entries] == [f"{STEM}#1", f"{STEM}#2", "zzz_extra#1"]
    assert kb.get("zzz_extra#1").category is None
    assert "zzz_extra" not in kb.preambles
