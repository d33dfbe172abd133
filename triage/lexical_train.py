"""Train the lexical model (`triage lexical train`) and measure it honestly (`triage lexical cv`).

Training needs scikit-learn (``pip install 'triage[train]'``; the dev extra has it); the trained model is
a JSON file that plain Python reads (:mod:`triage.lexical`), so the worker never imports scikit-learn.

Features are built here by the same code inference uses (:func:`triage.lexical.term_counts` and
:meth:`LexicalModel.vector`), so a trained model scores a ticket exactly as it did in training, up to
the rounding of stored weights (5 decimals).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from triage.lexical import FORMAT, TARGETS, LexicalError, LexicalModel, parse_model, term_counts
from triage.textnorm import normalize

DEFAULT_C = 4.0
DEFAULT_MIN_DF = 3
DEFAULT_BLEND = 1.0


class TrainingError(Exception):
    """Training cannot run (missing extra, too few examples of a target)."""


def _sklearn() -> tuple[Any, Any, Any]:
    try:
        import numpy as np
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise TrainingError(
            "training the lexical model needs scikit-learn: pip install 'triage[train]' "
            f"(inference does not) — {exc}"
        ) from exc
    return np, sp, LogisticRegression


def ticket_counts(row: Mapping[str, Any]) -> dict[str, int]:
    return term_counts([normalize(row.get("subject") or "").text, normalize(row.get("body") or "").text])


def _label(row: Mapping[str, Any], target: str) -> bool:
    return bool(row["money_lost"]) if target == "money_lost" else target in row["labels"]


def fit(
    rows: Sequence[Mapping[str, Any]],
    *,
    c: float = DEFAULT_C,
    min_df: int = DEFAULT_MIN_DF,
    blend: float = DEFAULT_BLEND,
    targets: Sequence[str] = TARGETS,
    provenance: Mapping[str, Any] | None = None,
) -> str:
    """Train on labelled rows (`load_labelled` format); returns the model file's text (deterministic)."""
    np, sp, LogisticRegression = _sklearn()
    if c <= 0 or min_df < 1:
        raise TrainingError("C must be positive and min_df at least 1")
    counts = [ticket_counts(r) for r in rows]
    n = len(counts)
    df: dict[str, int] = {}
    for cnt in counts:
        for t in cnt:
            df[t] = df.get(t, 0) + 1
    vocab = sorted(t for t, d in df.items() if d >= min_df)
    if not vocab:
        raise TrainingError(f"no term occurs in {min_df} or more of the {n} tickets")
    # Smooth idf, as scikit-learn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1, rounded as stored.
    idf = {t: round(math.log((1 + n) / (1 + df[t])) + 1.0, 5) for t in vocab}
    probe = LexicalModel("", tuple(targets), (0.0,) * len(targets), {},
                         {t: (idf[t], (0.0,) * len(targets)) for t in vocab})
    index = {t: i for i, t in enumerate(vocab)}
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for cnt in counts:
        vec = probe.vector(cnt)
        for t in sorted(vec, key=index.__getitem__):
            cols.append(index[t])
            data.append(vec[t])
        ptr.append(len(cols))
    x = sp.csr_matrix((np.array(data), np.array(cols), np.array(ptr)), shape=(n, len(vocab)))
    weights = np.zeros((len(vocab), len(targets)))
    intercepts: list[float] = []
    for k, target in enumerate(targets):
        y = np.array([_label(r, target) for r in rows])
        if y.sum() < 2 or (~y).sum() < 2:
            raise TrainingError(f"target {target!r} needs at least 2 positive and 2 negative tickets")
        model = LogisticRegression(C=c, max_iter=5000, tol=1e-6).fit(x, y)
        weights[:, k] = model.coef_[0]
        intercepts.append(round(float(model.intercept_[0]), 5))
    import sklearn

    doc: dict[str, Any] = {
        "format": FORMAT,
        "targets": list(targets),
        "intercepts": intercepts,
        "blend": {t: blend for t in targets if t != "money_lost"},
        "training": {
            **(provenance or {}),
            "tickets": n,
            "C": c,
            "min_df": min_df,
            "features": len(vocab),
            "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression(lbfgs, L2)",
        },
    }
    return _dump(doc, {t: [idf[t], *(round(float(w), 5) for w in weights[index[t]])] for t in vocab})


def _dump(doc: Mapping[str, Any], features: Mapping[str, list[float]]) -> str:
    """JSON with one feature per line, so a retrained model diffs readably."""
    head = json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True)
    lines = [f" {json.dumps(t, ensure_ascii=False)}: {json.dumps(v)}" for t, v in features.items()]
    return head[:-2] + ',\n "features": {\n' + ",\n".join(lines) + "\n }\n}\n"


def file_provenance(paths: Sequence[Path], rows_per_file: Sequence[int]) -> dict[str, Any]:
    return {
        "files": [
            {"name": Path(p).name, "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()[:12], "tickets": k}
            for p, k in zip(paths, rows_per_file, strict=True)
        ]
    }


def with_model(rules: Any, model_text: str) -> Any:
    """The rule set `rules` with the lexical model given as file text (what load_rules would build)."""
    model = parse_model(model_text.encode("utf-8"))
    return dataclasses.replace(rules, lexical=model, version=rules.version)


def _load(paths: Sequence[Path]) -> list[list[dict[str, Any]]]:
    from triage.evaluate import load_labelled

    return [load_labelled(Path(p)) for p in paths]


def train_files(paths: Sequence[Path], *, c: float = DEFAULT_C, min_df: int = DEFAULT_MIN_DF,
                blend: float = DEFAULT_BLEND) -> str:
    """Train on every ticket of the labelled files; the model text records which files (name, sha256)."""
    per_file = _load(paths)
    rows = [r for rows in per_file for r in rows]
    return fit(rows, c=c, min_df=min_df, blend=blend,
               provenance=file_provenance(paths, [len(rs) for rs in per_file]))


def _summary(report: Any) -> dict[str, float]:
    cats = report.categories
    return {
        "scam_f1": cats["scam_suspicion"].f1,
        "off_platform_f1": cats["off_platform_payment"].f1,
        "fpr": report.false_positive_rate,
        "money_lost_p": report.money_lost.precision,
        "money_lost_r": report.money_lost.recall,
    }


def cross_validate(
    paths: Sequence[Path],
    config_dir: Path,
    *,
    holdout: Sequence[Path] = (),
    c: float = DEFAULT_C,
    min_df: int = DEFAULT_MIN_DF,
    blend: float = DEFAULT_BLEND,
) -> list[dict[str, Any]]:
    """Leave one file out: train on the other files, measure on the one left out, rules alone vs blended.

    `holdout` files are never trained on: each is measured with a model trained on all of `paths`.
    The rules in `config_dir` are used as they are; where the rules were tuned on a file, the rules-alone
    column on it is optimistic, and so is the blend. The model's own column is honest.
    """
    from triage.classify import load_rules
    from triage.escalate import escalate, load_policy
    from triage.evaluate import evaluate

    rules = dataclasses.replace(load_rules(config_dir), lexical=None)
    policy = load_policy(config_dir)
    per_file = _load(paths)
    held = _load(holdout)

    def measure(rows: list[dict[str, Any]], model_text: str | None) -> dict[str, float]:
        rs = rules if model_text is None else with_model(rules, model_text)
        from triage.classify import classify

        def fn(subject: str, body: str) -> Any:
            cl = classify(subject, body, rs)
            return cl, escalate(cl, policy)

        return _summary(evaluate(rows, fn))

    out: list[dict[str, Any]] = []
    jobs = [(i, paths[i], per_file[i]) for i in range(len(paths))] + [(None, p, rs) for p, rs in zip(holdout, held,
                                                                                                    strict=True)]
    full_model: str | None = None
    for i, path, rows in jobs:
        if i is None:
            if full_model is None:
                full_model = fit([r for rs in per_file for r in rs], c=c, min_df=min_df, blend=blend)
            model_text = full_model
        else:
            model_text = fit([r for j, rs in enumerate(per_file) if j != i for r in rs], c=c, min_df=min_df,
                             blend=blend)
        out.append({
            "file": Path(path).name,
            "tickets": len(rows),
            "left_out": i is not None,
            "rules": measure(rows, None),
            "blended": measure(rows, model_text),
        })
    return out


def cv_to_text(results: Sequence[Mapping[str, Any]]) -> str:
    head = f"{'file':<16}{'n':>5}  {'':<8}{'scam F1':>8}{'off F1':>8}{'FPR':>7}{'ml P':>7}{'ml R':>7}"
    lines = [head]
    for r in results:
        for col in ("rules", "blended"):
            m = r[col]
            name = r["file"] + ("" if r["left_out"] else " (held)") if col == "rules" else ""
            n = str(r["tickets"]) if col == "rules" else ""
            lines.append(f"{name:<16}{n:>5}  {col:<8}{m['scam_f1']:>8.3f}{m['off_platform_f1']:>8.3f}"
                         f"{m['fpr']:>7.3f}{m['money_lost_p']:>7.3f}{m['money_lost_r']:>7.3f}")
    return "\n".join(lines)


def run_cli(args: Any) -> int:
    """`triage lexical train|cv` (see triage.cli)."""
    from triage.cli import CLIError
    from triage.evaluate import LabelledDataError
    from triage.settings import get_settings

    paths = [Path(p) for p in args.files]
    for p in [*paths, *[Path(h) for h in getattr(args, "holdout", None) or []]]:
        if not p.is_file():
            raise CLIError(f"no such file: {p}")
    if not 0.0 <= args.blend <= 10.0:
        raise CLIError(f"--blend must be within [0, 10], got {args.blend}")
    try:
        if args.lexical_command == "train":
            text = train_files(paths, c=args.c, min_df=args.min_df, blend=args.blend)
            out = Path(args.out) if args.out else get_settings().config_dir / "lexical.json"
            model = parse_model(text.encode("utf-8"), out)  # refuse to write what the loader would refuse
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, out)  # atomic: a running worker's config dir never holds half a model
            print(f"wrote {out}: {len(model.features)} features, targets {', '.join(model.targets)}, "
                  f"{model.training.get('tickets')} tickets from {len(paths)} file(s), version {model.version}")
            return 0
        if len(paths) < 2:
            raise CLIError("cv leaves one file out at a time: give at least two labelled files")
        results = cross_validate(paths, get_settings().config_dir, holdout=[Path(h) for h in args.holdout or []],
                                 c=args.c, min_df=args.min_df, blend=args.blend)
    except (LabelledDataError, TrainingError, LexicalError, OSError) as exc:
        raise CLIError(str(exc)) from exc
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(cv_to_text(results))
    return 0
