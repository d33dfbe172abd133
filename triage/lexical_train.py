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
from triage.schemas import CATEGORIES
from triage.textnorm import normalize

DEFAULT_C = 4.0
DEFAULT_MIN_DF = 3
DEFAULT_BLEND = 1.0
STACK_FOLDS = 5  # out-of-fold logits for the stack: labelled files dealt into this many folds
STACK_C = 1.0  # inverse L2 strength of the stack's logistic regression (5 inputs, thousands of tickets)
# The shipped stack is this share of the learned one plus the rest of the plain blend (rules logit + the
# own target's logit): a = 1 - s + s·a*, d = s·d*, b = s·b* + (1 - s)·[own target]. Chosen by leaving one
# labelled file out (20 files): s = 1 (the learned stack alone) gained ≈ 0.015 F1 on both categories over the
# blend and doubled the false-positive rate on neither-tickets (0.011 → 0.024); s = 0.5 kept the scam gain,
# most of the off-platform one (0.957 → 0.968) and the blend's false-positive rate (0.012).
STACK_SHRINK = 0.5


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


def _fit_core(
    rows: Sequence[Mapping[str, Any]], counts: Sequence[Mapping[str, int]], *, c: float, min_df: int,
    targets: Sequence[str],
) -> tuple[list[str], dict[str, float], Any, list[float]]:
    """(vocabulary, idf, weights [term x target], intercepts) of one logistic regression per target."""
    np, sp, LogisticRegression = _sklearn()
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
    probe = LexicalModel("", tuple(targets), (0.0,) * len(targets),
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
        weights[:, k] = np.round(model.coef_[0], 5)
        intercepts.append(round(float(model.intercept_[0]), 5))
    return vocab, idf, weights, intercepts


def rules_logits(rules: Any, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
    """Per ticket, each category's rules logit `scale * (bias + Σ weights)` (the rules alone, no model)."""
    from triage.classify import classify

    bare = dataclasses.replace(rules, lexical=None)
    weights_of = bare.weights_of()
    out: list[dict[str, float]] = []
    for r in rows:
        cl = classify(r.get("subject") or "", r.get("body") or "", bare)
        totals = dict.fromkeys(bare.categories, 0.0)
        for name in cl.signals:
            for cat, w in weights_of[name].items():
                if cat in totals:
                    totals[cat] += w
        out.append({cat: cfg.scale * (cfg.bias + totals[cat]) for cat, cfg in bare.categories.items()})
    return out


def _folds(groups: Sequence[int], k: int) -> list[int]:
    """Fold of each row: whole groups (labelled files) dealt round-robin into min(k, groups) folds; with a
    single group, rows dealt round-robin into k folds."""
    distinct = sorted(set(groups))
    if len(distinct) >= 2:
        fold_of = {g: i % min(k, len(distinct)) for i, g in enumerate(distinct)}
        return [fold_of[g] for g in groups]
    return [i % k for i in range(len(groups))]


def fit_stack(
    rows: Sequence[Mapping[str, Any]],
    counts: Sequence[Mapping[str, int]],
    rules: Any,
    groups: Sequence[int],
    *,
    c: float,
    min_df: int,
    targets: Sequence[str],
    folds: int = STACK_FOLDS,
    stack_c: float = STACK_C,
    shrink: float = STACK_SHRINK,
) -> dict[str, dict[str, Any]]:
    """The `stack` entry per category: a logistic regression of the label on the rules' logit and the
    model's logits, where each ticket's model logits come from a model trained without its fold (whole
    files), so the stack learns how far to trust a model on tickets it has not seen — then `shrink` of it
    taken, the rest from the plain blend (see STACK_SHRINK)."""
    np, _sp, LogisticRegression = _sklearn()
    fold_of = _folds(groups, folds)
    oof: list[list[float]] = [[] for _ in rows]
    for f in sorted(set(fold_of)):
        train = [i for i, g in enumerate(fold_of) if g != f]
        vocab, idf, weights, intercepts = _fit_core([rows[i] for i in train], [counts[i] for i in train],
                                                    c=c, min_df=min_df, targets=targets)
        model = LexicalModel("", tuple(targets), tuple(intercepts),
                             {t: (idf[t], tuple(float(w) for w in weights[j])) for j, t in enumerate(vocab)})
        for i, g in enumerate(fold_of):
            if g == f:
                oof[i] = model.judge(counts[i])[0]
    rx = rules_logits(rules, rows)
    stack: dict[str, dict[str, Any]] = {}
    for cat in CATEGORIES:
        if cat not in targets:
            continue
        x = np.array([[rx[i][cat], *oof[i]] for i in range(len(rows))])
        y = np.array([_label(r, cat) for r in rows])
        lr = LogisticRegression(C=stack_c, max_iter=1000, tol=1e-8).fit(x, y)
        coef = [float(v) for v in lr.coef_[0]]
        stack[cat] = {
            "rules": round(max(0.0, 1.0 - shrink + shrink * coef[0]), 5),
            "intercept": round(shrink * float(lr.intercept_[0]), 5),
            "model": {t: round(shrink * w + (1.0 - shrink) * (t == cat), 5)
                      for t, w in zip(targets, coef[1:], strict=True)},
        }
    return stack


def fit(
    rows: Sequence[Mapping[str, Any]],
    *,
    c: float = DEFAULT_C,
    min_df: int = DEFAULT_MIN_DF,
    blend: float | None = None,
    targets: Sequence[str] = TARGETS,
    provenance: Mapping[str, Any] | None = None,
    rules: Any = None,
    groups: Sequence[int] | None = None,
) -> str:
    """Train on labelled rows (`load_labelled` format); returns the model file's text (deterministic).

    With `rules` (a RuleSet) and no `blend`, the categories' `stack` is learned too (`fit_stack`; `groups`
    — the labelled file of each row — makes its folds whole files). Otherwise the file gets a fixed
    `blend` (default 1.0): category logit = rules logit + blend × the model's logit.
    """
    if c <= 0 or min_df < 1:
        raise TrainingError("C must be positive and min_df at least 1")
    counts = [ticket_counts(r) for r in rows]
    n = len(counts)
    vocab, idf, weights, intercepts = _fit_core(rows, counts, c=c, min_df=min_df, targets=targets)
    import sklearn

    doc: dict[str, Any] = {
        "format": FORMAT,
        "targets": list(targets),
        "intercepts": intercepts,
        "training": {
            **(provenance or {}),
            "tickets": n,
            "C": c,
            "min_df": min_df,
            "features": len(vocab),
            "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression(lbfgs, L2)",
        },
    }
    if rules is not None and blend is None:
        doc["stack"] = fit_stack(rows, counts, rules, groups or [0] * n, c=c, min_df=min_df, targets=targets)
        doc["training"]["stack"] = {"folds": len(set(_folds(groups or [0] * n, STACK_FOLDS))), "C": STACK_C,
                                    "shrink": STACK_SHRINK}
    else:
        w = DEFAULT_BLEND if blend is None else blend
        doc["blend"] = {t: w for t in targets if t != "money_lost"}
    return _dump(doc, {t: [idf[t], *(float(w) for w in weights[j])] for j, t in enumerate(vocab)})


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
                blend: float | None = None, config_dir: Path | None = None) -> str:
    """Train on every ticket of the labelled files; the model text records which files (name, sha256).

    With `config_dir` (its rules.yaml) and no `blend`, the stack is learned, its folds made of whole files.
    Files are taken in name order (their folds follow it), so any argument order trains the same model; the
    model file already in `config_dir` is not read (training is what replaces it)."""
    paths = sorted(paths, key=lambda p: (Path(p).name, str(p)))
    per_file = _load(paths)
    rows = [r for rows in per_file for r in rows]
    rules = None
    provenance = file_provenance(paths, [len(rs) for rs in per_file])
    if config_dir is not None and blend is None:
        from triage.classify import RULES_FILE, RulesError, parse_rules

        path = Path(config_dir) / RULES_FILE
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{path}: cannot read the rules: {exc}") from exc
        rules = parse_rules(text, path)
        # The stack weighs the rules' logits: retrain when rules.yaml changes (a test compares this hash).
        provenance["rules_sha256"] = hashlib.sha256(raw).hexdigest()[:12]
    return fit(rows, c=c, min_df=min_df, blend=blend, rules=rules,
               groups=[i for i, rs in enumerate(per_file) for _ in rs], provenance=provenance)


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
    blend: float | None = None,
) -> list[dict[str, Any]]:
    """Leave one file out: train on the other files, measure on the one left out, rules alone vs blended.

    Each model is trained as `train` would (its stack learned on the other files alone, unless `blend`).

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

    def train(keep: Sequence[int]) -> str:
        return fit([r for j in keep for r in per_file[j]], c=c, min_df=min_df, blend=blend, rules=rules,
                   groups=[j for j in keep for _ in per_file[j]])

    for i, path, rows in jobs:
        if i is None:
            if full_model is None:
                full_model = train(range(len(per_file)))
            model_text = full_model
        else:
            model_text = train([j for j in range(len(per_file)) if j != i])
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
    from triage.classify import RulesError
    from triage.cli import CLIError
    from triage.escalate import PolicyError
    from triage.evaluate import LabelledDataError
    from triage.settings import get_settings

    paths = [Path(p) for p in args.files]
    for p in [*paths, *[Path(h) for h in getattr(args, "holdout", None) or []]]:
        if not p.is_file():
            raise CLIError(f"no such file: {p}")
    if args.blend is not None and not 0.0 <= args.blend <= 10.0:
        raise CLIError(f"--blend must be within [0, 10], got {args.blend}")
    rules_dir = Path(args.rules) if args.rules else get_settings().config_dir
    try:
        if args.lexical_command == "train":
            text = train_files(paths, c=args.c, min_df=args.min_df, blend=args.blend, config_dir=rules_dir)
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
        results = cross_validate(paths, rules_dir, holdout=[Path(h) for h in args.holdout or []],
                                 c=args.c, min_df=args.min_df, blend=args.blend)
    except (LabelledDataError, TrainingError, LexicalError, RulesError, PolicyError, OSError) as exc:
        raise CLIError(str(exc)) from exc
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(cv_to_text(results))
    return 0
