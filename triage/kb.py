"""Knowledge base: parse the `Question:/Answer:/Solution:/Important links:` article format, map entries
to categories (from `config/kb/categories.yaml`), and version the whole thing by content hash.

File format (see docs/kb.md)::

    Note:                      <- optional preamble, only before the first Question
    free text...
    Question: ...
    Answer: first line
    more lines, "- bullets" kept verbatim
    Solution: ...              <- optional
    Important links: https://a, https://b   <- optional, comma/whitespace separated, may wrap

Entry ids are `<file stem>#<n>`, n counting entries in the file from 1. They are stable as long as the
file is not renamed and entries are not reordered; appending an entry never changes existing ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from triage.schemas import CATEGORIES

MAPPING_FILE = "categories.yaml"

# Labels are matched case-insensitively at the start of a line so "ANSWER:" or "Important Links:" typed
# by a support lead still parse; anything else on a line is content.
_LABELS = {
    "note": "note",
    "question": "question",
    "answer": "answer",
    "solution": "solution",
    "important links": "links",
}
_LABEL_RE = re.compile(r"^(note|question|answer|solution|important links)\s*:(.*)$", re.IGNORECASE)
# Entry fields must come in this order; an out-of-order field is almost always a paste error.
_ORDER = ("question", "answer", "solution", "links")
_LINK_SPLIT_RE = re.compile(r"[,\s]+")
_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class KBError(Exception):
    """A knowledge-base file or the category mapping is invalid. The message starts `file:line: `."""


class UnknownKBEntry(KBError, KeyError):
    """`KnowledgeBase.get` was asked for an id the KB does not have."""

    def __str__(self) -> str:  # KeyError would repr() the message; keep it readable
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class KBEntry:
    id: str
    file: str
    line: int  # line of the entry's "Question:" (1-based)
    question: str
    answer: str
    solution: str
    links: tuple[str, ...]
    category: str | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[KBEntry, ...]
    preambles: dict[str, str] = field(hash=False)  # file stem -> "Note:" text
    version: str

    def for_category(self, category: str) -> KBEntry | None:
        """The entry mapped to `category` (at most one: the mapping is validated), else None."""
        for e in self.entries:
            if e.category == category:
                return e
        return None

    def get(self, entry_id: str) -> KBEntry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise UnknownKBEntry(f"unknown knowledge-base entry id {entry_id!r}")

    @property
    def links(self) -> frozenset[str]:
        """Every link of every entry: the allow-list for URLs in customer drafts."""
        return frozenset(link for e in self.entries for link in e.links)


def _normalise_text(text: str) -> list[str]:
    # Files come from editors on every OS: drop a UTF-8 BOM, accept CRLF/CR, ignore trailing blanks.
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _join(lines: list[str]) -> str:
    # Keep the KB's own line breaks (bullets, paragraphs); trim only blank lines at either end.
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _validate_link(url: str, where: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise KBError(f"{where}: invalid link {url!r}: {exc}") from None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not _HOST_RE.match(host):
        raise KBError(f"{where}: invalid link {url!r}: expected an http(s) URL with a host name")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url) or any(c in url for c in "<>\"'`"):
        raise KBError(f"{where}: invalid link {url!r}: contains characters not allowed in a URL")
    return url


def parse_kb_text(text: str, filename: str) -> tuple[str | None, list[KBEntry]]:
    """Parse one KB file: its `Note:` preamble (or None) and its entries, in file order."""
    stem = Path(filename).stem
    preamble: list[str] | None = None
    note_line = 0
    entries: list[KBEntry] = []
    # current entry: field -> (first line number, list of lines)
    cur: dict[str, tuple[int, list[str]]] | None = None
    cur_field: str | None = None

    def finish() -> None:
        nonlocal cur
        if cur is None:
            return
        q_line, q_lines = cur["question"]
        question = " ".join(x.strip() for x in q_lines if x.strip())
        if not question:
            raise KBError(f"{filename}:{q_line}: empty Question")
        if "answer" not in cur:
            raise KBError(f"{filename}:{q_line}: entry has no Answer")
        a_line, a_lines = cur["answer"]
        answer = _join(a_lines)
        if not answer:
            raise KBError(f"{filename}:{a_line}: empty Answer")
        solution = _join(cur["solution"][1]) if "solution" in cur else ""
        links: list[str] = []
        if "links" in cur:
            l_line, l_lines = cur["links"]
            for offset, raw in enumerate(l_lines):
                for token in _LINK_SPLIT_RE.split(raw.strip()):
                    if token:
                        url = _validate_link(token, f"{filename}:{l_line + offset}")
                        if url not in links:
                            links.append(url)
        entries.append(
            KBEntry(
                id=f"{stem}#{len(entries) + 1}",
                file=filename,
                line=q_line,
                question=question,
                answer=answer,
                solution=solution,
                links=tuple(links),
            )
        )
        cur = None

    for lineno, line in enumerate(_normalise_text(text), start=1):
        m = _LABEL_RE.match(line)
        label = _LABELS[m.group(1).lower()] if m else None
        label_text = m.group(1) if m else ""
        rest = m.group(2).strip() if m else ""
        if label == "note":
            if cur is not None or entries:
                # Inside an entry a line starting "Note:" is the KB's prose, not a new preamble.
                label = None
            elif preamble is not None:
                raise KBError(f"{filename}:{lineno}: duplicate Note (first at line {note_line})")
            else:
                preamble, note_line = ([rest] if rest else []), lineno
                continue
        if label == "question":
            finish()
            cur = {"question": (lineno, [rest])}
            cur_field = "question"
            continue
        if label is not None:
            if cur is None:
                raise KBError(f"{filename}:{lineno}: {label_text} before the first Question")
            if label in cur:
                raise KBError(
                    f"{filename}:{lineno}: duplicate {label_text} in entry (first at line {cur[label][0]})"
                )
            last = max(_ORDER.index(k) for k in cur)
            if _ORDER.index(label) < last:
                raise KBError(
                    f"{filename}:{lineno}: {label_text} out of order: fields go Question, Answer, "
                    "Solution, Important links"
                )
            cur[label] = (lineno, [rest] if rest else [])
            cur_field = label
            continue
        # A content line: it continues whatever field is open.
        if cur is not None and cur_field is not None:
            cur[cur_field][1].append(line)
        elif preamble is not None:
            preamble.append(line)
        elif line.strip():
            raise KBError(
                f"{filename}:{lineno}: text before the first Question (only a Note: may precede it)"
            )
    finish()
    if not entries:
        raise KBError(f"{filename}:1: no Question/Answer entries found")
    note = _join(preamble) if preamble is not None else None
    return (note or None), entries


def _mapping_lines(text: str, filename: str) -> dict[str, tuple[str, int]]:
    """entry id -> (category, line), keeping YAML line numbers for error messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise KBError(f"{filename}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None:
        return {}
    # Accept the mapping either at top level or under an `entries:` key (room for future settings).
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == "entries":
                node = v
                break
    if not isinstance(node, yaml.MappingNode):
        raise KBError(f"{filename}:{node.start_mark.line + 1}: expected a mapping of entry id -> category")
    out: dict[str, tuple[str, int]] = {}
    for k, v in node.value:
        line = k.start_mark.line + 1
        if not isinstance(k, yaml.ScalarNode) or not isinstance(v, yaml.ScalarNode):
            raise KBError(f"{filename}:{line}: expected `entry-id: category`")
        if k.value in out:
            raise KBError(f"{filename}:{line}: entry {k.value!r} mapped twice")
        out[k.value] = (v.value, line)
    return out


def _hash(parts: Iterable[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in parts:
        # Length-prefix so ("ab","c") and ("a","bc") cannot collide.
        h.update(f"{len(name)}:{name}:{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()[:12]


def build_kb(
    files: list[tuple[str, str]],
    mapping_text: str,
    mapping_name: str,
    *,
    categories: Sequence[str] = CATEGORIES,
) -> KnowledgeBase:
    """Pure core of `load_kb`: files are (display name, text) pairs in load order."""
    entries: list[KBEntry] = []
    preambles: dict[str, str] = {}
    for name, text in files:
        note, found = parse_kb_text(text, name)
        if note:
            preambles[Path(name).stem] = note
        entries.extend(found)
    by_id = {e.id: e for e in entries}
    mapping = _mapping_lines(mapping_text, mapping_name)
    seen: dict[str, tuple[str, int]] = {}
    for entry_id, (category, line) in mapping.items():
        if entry_id not in by_id:
            raise KBError(f"{mapping_name}:{line}: unknown entry id {entry_id!r} (known: {', '.join(by_id)})")
        if category not in categories:
            raise KBError(
                f"{mapping_name}:{line}: unknown category {category!r} (known: {', '.join(categories)})"
            )
        if category in seen:
            # One entry per category keeps drafts deterministic; a second article would be silently unused.
            raise KBError(
                f"{mapping_name}:{line}: category {category!r} already mapped to {seen[category][0]!r} "
                f"(line {seen[category][1]}); map one entry per category"
            )
        seen[category] = (entry_id, line)
        by_id[entry_id] = replace(by_id[entry_id], category=category)
    missing = [c for c in categories if c not in seen]
    if missing:
        raise KBError(f"{mapping_name}:1: no entry mapped to category {', '.join(repr(c) for c in missing)}")
    version = _hash(
        [(Path(n).name, t.encode("utf-8")) for n, t in files] + [(MAPPING_FILE, mapping_text.encode("utf-8"))]
    )
    return KnowledgeBase(entries=tuple(by_id[e.id] for e in entries), preambles=preambles, version=version)


def load_kb(config_dir: Path) -> KnowledgeBase:
    """Read every `config_dir/kb/*.txt` (sorted by name) and `config_dir/kb/categories.yaml`."""
    kb_dir = Path(config_dir) / "kb"
    paths = sorted(kb_dir.glob("*.txt"))
    if not paths:
        raise KBError(f"{kb_dir}:0: no knowledge-base files (*.txt)")
    files: list[tuple[str, str]] = []
    for p in paths:
        try:
            files.append((str(p), p.read_bytes().decode("utf-8")))
        except UnicodeDecodeError as exc:
            line = p.read_bytes()[: exc.start].count(b"\n") + 1
            raise KBError(f"{p}:{line}: not valid UTF-8 ({exc.reason})") from None
    mapping_path = kb_dir / MAPPING_FILE
    try:
        mapping_text = mapping_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KBError(f"{mapping_path}:0: missing category mapping (entry id -> category)") from None
    return build_kb(files, mapping_text, str(mapping_path))
