"""Measure the classifier on labelled tickets (`triage eval`) and compare two rule sets (`--compare`).

Labelled tickets follow ``../shared/eval/dev.jsonl``: one JSON object per line with ``id``, ``subject``,
``body``, ``labels`` (subset of the categories; empty = neither) and ``money_lost`` (bool).
`classify_fn(subject, body)` returns ``(Classification, Escalation)`` — the same code path the worker
runs — so the figures describe production behaviour, not a test double.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from triage.classify import Classification
from triage.escalate import Escalation
from triage.lexical import COVERAGE_FULL
from triage.schemas import CATEGORIES

ClassifyFn = Callable[[str, str], tuple[Classification, Escalation]]
MONEY_LOST = "money_lost"


class LabelledDataError(ValueError):
    """A labelled file has a bad line; the message names the file and line number."""


def load_labelled(path: Path) -> list[dict[str, Any]]:
    """Read a dev.jsonl-style file; blank lines and `#` comments are skipped."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledDataError(f"{path}: cannot read: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelledDataError(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise LabelledDataError(f"{path}:{n}: each line must be a JSON object")
        rid = obj.get("id")
        if not isinstance(rid, str | int) or isinstance(rid, bool) or str(rid) == "":
            raise LabelledDataError(f"{path}:{n}: `id` must be a non-empty string or integer")
        rid = str(rid)
        if rid in seen:
            raise LabelledDataError(f"{path}:{n}: duplicate id {rid!r}")
        seen.add(rid)
        for key in ("subject", "body"):
            if not isinstance(obj.get(key, ""), str):
                raise LabelledDataError(f"{path}:{n}: `{key}` must be a string")
        labels = obj.get("labels", [])
        if not isinstance(labels, list) or any(lab not in CATEGORIES for lab in labels):
            raise LabelledDataError(
                f"{path}:{n}: `labels` must be a list drawn from {list(CATEGORIES)}, got {labels!r}"
            )
        ml = obj.get("money_lost", False)
        if not isinstance(ml, bool):
            raise LabelledDataError(f"{path}:{n}: `money_lost` must be true or false, got {ml!r}")
        if not obj.get("subject", "").strip() and not obj.get("body", "").strip():
            raise LabelledDataError(f"{path}:{n}: ticket {rid!r} has neither subject nor body")
        rows.append(
            {
                "id": rid,
                "subject": obj.get("subject", ""),
                "body": obj.get("body", ""),
                "labels": [c for c in CATEGORIES if c in labels],
                "money_lost": ml,
                "line": n,
            }
        )
    return rows


@dataclass
class Metric:
    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int


def _metric(tp: int, fp: int, fn: int) -> Metric:
    # Empty denominators score 1.0: nothing predicted and nothing to find is not a failure.
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Metric(round(p, 4), round(r, 4), round(f1, 4), tp + fn, tp, fp, fn)


@dataclass
class Miss:
    id: str
    expected: list[str]
    got: list[str]
    expected_money_lost: bool
    got_money_lost: bool
    scores: dict[str, float]
    evidence: list[dict[str, Any]]
    subject: str = ""
    model_coverage: float | None = None  # Classification.model_coverage


@dataclass
class EvalReport:
    n: int
    categories: dict[str, Metric]
    neither_support: int
    false_positive_rate: float  # share of neither-tickets given any category
    exact_match: float
    money_lost: Metric
    needs_review: int
    misses: list[Miss] = field(default_factory=list)

    def passes(
        self,
        *,
        min_f1: float = 0.92,
        max_fpr: float = 0.05,
        min_money_recall: float = 0.90,
        min_money_precision: float = 0.85,
    ) -> list[str]:
        """Names of the targets missed (empty list: all met)."""
        failed = [f"{c} F1 {m.f1:.3f} < {min_f1}" for c, m in self.categories.items() if m.f1 < min_f1]
        if self.false_positive_rate > max_fpr:
            failed.append(f"false-positive rate {self.false_positive_rate:.3f} > {max_fpr}")
        if self.money_lost.recall < min_money_recall:
            failed.append(f"money_lost recall {self.money_lost.recall:.3f} < {min_money_recall}")
        if self.money_lost.precision < min_money_precision:
            failed.append(f"money_lost precision {self.money_lost.precision:.3f} < {min_money_precision}")
        return failed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        lines = [f"tickets: {self.n}", "", f"{'category':<24}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}"]
        for c, m in self.categories.items():
            lines.append(f"{c:<24}{m.precision:>7.3f}{m.recall:>7.3f}{m.f1:>7.3f}{m.support:>9}")
        m = self.money_lost
        lines.append(
            f"{'money_lost (flag)':<24}{m.precision:>7.3f}{m.recall:>7.3f}{m.f1:>7.3f}{m.support:>9}"
        )
        lines += [
            "",
            f"false-positive rate on neither-tickets: {self.false_positive_rate:.3f} "
            f"({round(self.false_positive_rate * self.neither_support)}/{self.neither_support})",
            f"exact-match accuracy: {self.exact_match:.3f}",
            f"marked needs_review: {self.needs_review}",
            "",
            f"misses: {len(self.misses)}",
        ]
        for miss in self.misses:
            ml = ""
            if miss.expected_money_lost != miss.got_money_lost:
                ml = f"  money_lost expected={miss.expected_money_lost} got={miss.got_money_lost}"
            lines.append(
                f"- {miss.id}: expected {miss.expected or ['neither']} got {miss.got or ['neither']}{ml}"
                f"  scores={miss.scores}"
            )
            if miss.subject:
                lines.append(f"    subject: {miss.subject[:100]}")
            if miss.model_coverage is not None and miss.model_coverage < COVERAGE_FULL:
                lines.append(f"    lexical model knows {miss.model_coverage:.0%} of its words (below "
                             f"{COVERAGE_FULL:.0%}: its say against the rules' score was cut)")
            for ev in miss.evidence:
                lines.append(
                    f"    {ev['signal']:<26} {ev['field']}[{ev['start']}:{ev['end']}] {ev['text'][:80]!r}"
                )
        return "\n".join(lines)


def evaluate(rows: Iterable[dict[str, Any]], classify_fn: ClassifyFn) -> EvalReport:
    """Score `classify_fn` against labelled rows (see module docstring)."""
    counts = {c: [0, 0, 0] for c in CATEGORIES}  # tp, fp, fn
    ml = [0, 0, 0]
    n = neither = neither_fp = exact = review = 0
    misses: list[Miss] = []
    for row in rows:
        n += 1
        c, e = classify_fn(row["subject"], row["body"])
        expected = set(row["labels"])
        got = set(c.categories)
        for cat in CATEGORIES:
            if cat in got and cat in expected:
                counts[cat][0] += 1
            elif cat in got:
                counts[cat][1] += 1
            elif cat in expected:
                counts[cat][2] += 1
        if not expected:
            neither += 1
            neither_fp += bool(got)
        got_ml = MONEY_LOST in {f.name for f in e.flags}
        exp_ml = bool(row.get("money_lost"))
        ml[0] += got_ml and exp_ml
        ml[1] += got_ml and not exp_ml
        ml[2] += exp_ml and not got_ml
        review += c.needs_review
        ok = got == expected and got_ml == exp_ml
        exact += got == expected
        if not ok:
            ev = [
                {
                    "signal": x.signal,
                    "field": x.field,
                    "start": x.start,
                    "end": x.end,
                    "text": x.text,
                    "category": x.category,
                    "weight": x.weight,
                }
                for spans in c.signals.values()
                for x in spans
            ]
            misses.append(
                Miss(
                    id=str(row["id"]),
                    expected=sorted(expected, key=CATEGORIES.index),
                    got=list(c.categories),
                    expected_money_lost=exp_ml,
                    got_money_lost=got_ml,
                    scores=c.scores,
                    evidence=ev,
                    subject=row.get("subject", ""),
                    model_coverage=c.model_coverage,
                )
            )
    return EvalReport(
        n=n,
        categories={cat: _metric(*counts[cat]) for cat in CATEGORIES},
        neither_support=neither,
        false_positive_rate=round(neither_fp / neither, 4) if neither else 0.0,
        exact_match=round(exact / n, 4) if n else 0.0,
        money_lost=_metric(*ml),
        needs_review=review,
        misses=misses,
    )


@dataclass
class Flip:
    id: str
    expected: list[str]
    old: list[str]
    new: list[str]
    old_money_lost: bool
    new_money_lost: bool
    old_priority: str
    new_priority: str

    @property
    def verdict(self) -> str:
        """`fixed`, `broken` or `changed` with respect to the labels (categories only)."""
        exp = set(self.expected)
        was, now = set(self.old) == exp, set(self.new) == exp
        return "fixed" if now and not was else "broken" if was and not now else "changed"


def compare(rows: Sequence[dict[str, Any]], old_fn: ClassifyFn, new_fn: ClassifyFn) -> list[Flip]:
    """Tickets whose categories, money_lost flag or priority differ between two rule sets."""
    flips: list[Flip] = []
    for row in rows:
        oc, oe = old_fn(row["subject"], row["body"])
        nc, ne = new_fn(row["subject"], row["body"])
        oml = MONEY_LOST in oe.flag_names
        nml = MONEY_LOST in ne.flag_names
        if oc.categories != nc.categories or oml != nml or oe.priority != ne.priority:
            flips.append(
                Flip(
                    id=str(row["id"]),
                    expected=list(row.get("labels", [])),
                    old=list(oc.categories),
                    new=list(nc.categories),
                    old_money_lost=oml,
                    new_money_lost=nml,
                    old_priority=oe.priority,
                    new_priority=ne.priority,
                )
            )
    return flips


def flips_to_text(flips: Sequence[Flip]) -> str:
    if not flips:
        return "no tickets flip between the two rule sets"
    out = [f"{len(flips)} ticket(s) flip:"]
    for f in flips:
        ml = (
            f"  money_lost {f.old_money_lost}->{f.new_money_lost}"
            if f.old_money_lost != f.new_money_lost
            else ""
        )
        out.append(
            f"- {f.id} [{f.verdict}] expected {f.expected or ['neither']}: "
            f"{f.old or ['neither']} -> {f.new or ['neither']}  {f.old_priority}->{f.new_priority}{ml}"
        )
    return "\n".join(out)
