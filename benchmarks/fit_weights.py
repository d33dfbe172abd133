"""Fit the signal weights of config/rules.yaml by L2-regularised logistic regression.

Run: .venv/bin/python benchmarks/fit_weights.py [--write] [--l2 1.0] FILE.jsonl ...

The classifier's score is already a logistic model over binary features — "signal X fired" —
``score = sigmoid(scale * (bias + Σ weight))``. This script keeps the signals (the regexes, the
evidence) exactly as they are and only learns the numbers: one weight per (signal, category) and one
bias per category, from labelled tickets (dev + holdout + tune; never the blind set). Flag-only signals
(no category) stay flag-only. Weights are rounded to 0.25 so the file stays readable; `--write` puts
them back into rules.yaml in place (``weights: {...}`` per signal, ``bias`` per category), and prints a
table either way. Pure Python: a few hundred tickets × a few dozen features need no numpy.
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from triage.classify import classify, load_rules
from triage.evaluate import load_labelled
from triage.schemas import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]


def fit(xs: list[list[int]], ys: list[int], n_feat: int, l2: float, iters: int = 3000) -> tuple[float, list[float]]:
    """Gradient descent on mean log-loss + l2/n * |w|^2 (bias unpenalised); xs are lists of active features."""
    n = len(xs)
    w = [0.0] * n_feat
    b = 0.0
    lr = 0.5
    for _ in range(iters):
        gw = [0.0] * n_feat
        gb = 0.0
        for x, y in zip(xs, ys, strict=True):
            z = b + sum(w[j] for j in x)
            p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
            d = p - y
            gb += d
            for j in x:
                gw[j] += d
        b -= lr * gb / n
        for j in range(n_feat):
            w[j] -= lr * (gw[j] / n + 2 * l2 * w[j] / n)
    return b, w


def _q(v: float) -> float:
    return round(v * 4) / 4


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--config", type=Path, default=ROOT / "config")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rules = load_rules(args.config)
    weighted = [s for s in rules.signals if s.weights]  # flag-only signals stay out of the scores
    index = {s.name: i for i, s in enumerate(weighted)}
    rows = [r for f in args.files for r in load_labelled(f)]
    feats = []
    for r in rows:
        c = classify(r["subject"], r["body"], rules)
        feats.append(sorted(index[n] for n in c.signals if n in index))
    learned: dict[str, tuple[float, list[float]]] = {}
    for cat in CATEGORIES:
        ys = [int(cat in r["labels"]) for r in rows]
        b, w = fit(feats, ys, len(weighted), args.l2)
        scale = rules.categories[cat].scale
        learned[cat] = (_q(b / scale), [_q(v / scale) for v in w])
    print(f"{len(rows)} tickets; weights in rules.yaml units (score = sigmoid(scale * (bias + sum)))")
    print(f"{'signal':<28}" + "".join(f"{c:>24}" for c in CATEGORIES))
    print(f"{'(bias)':<28}" + "".join(f"{learned[c][0]:>24.2f}" for c in CATEGORIES))
    for s in weighted:
        i = index[s.name]
        old = "".join(f"{s.weights.get(c, 0.0):>11.2f} -> {learned[c][1][i]:>6.2f}  " for c in CATEGORIES)
        print(f"{s.name:<28}{old}")
    if args.write:
        path = args.config / "rules.yaml"
        text = path.read_text(encoding="utf-8")
        for s in weighted:
            i = index[s.name]
            ws = {c: learned[c][1][i] for c in CATEGORIES if learned[c][1][i] != 0.0}
            body = ", ".join(f"{c}: {v:g}" for c, v in ws.items()) or f"{CATEGORIES[0]}: 0"
            text = _set_weights(text, s.name, "    weights: {" + body + "}\n")
        for c in CATEGORIES:
            text = re.sub(
                rf"(\n  {c}:\n    bias: )[-\d.]+", rf"\g<1>{learned[c][0]:g}", text, count=1
            )
        path.write_text(text, encoding="utf-8")
        load_rules(args.config)  # still valid
        print(f"written: {path}")


def _set_weights(text: str, name: str, line: str) -> str:
    start = text.index(f"  - name: {name}\n")
    end = text.find("\n  - name: ", start + 1)
    end = len(text) if end < 0 else end + 1
    block = text[start:end]
    block = re.sub(r"\n    (?:category|weight|weights): [^\n]*", "", block)
    head, _, rest = block.partition("\n")
    desc = re.match(r"    description: [^\n]*\n", rest)
    middle = desc.group(0) + line + rest[desc.end() :] if desc else line + rest
    block = head + "\n" + middle
    return text[:start] + block + text[end:]


if __name__ == "__main__":
    main()
