"""`triage eval`: the same pipeline as the worker, measured against labelled tickets."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from triage.cli import CLIError
from triage.settings import get_settings


def _judge_fn(config_dir: Path) -> Any:
    from triage.pipeline import ConfigError, judge, load_config

    try:
        cfg = load_config(config_dir)
    except ConfigError as exc:
        raise CLIError(f"configuration error in {config_dir}: {exc}") from exc
    return lambda subject, body: judge(subject, body, cfg)


def run_eval(args: argparse.Namespace) -> int:
    from triage.evaluate import LabelledDataError, compare, evaluate, flips_to_text, load_labelled

    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"no such file: {args.file}")
    try:
        rows = load_labelled(path)
    except LabelledDataError as exc:
        raise CLIError(str(exc)) from exc
    new_fn = _judge_fn(get_settings().config_dir)
    report = evaluate(rows, new_fn)
    flips = None
    if args.compare:
        old_dir = Path(args.compare)
        if not old_dir.is_dir():
            raise CLIError(f"--compare takes a config directory; not found: {old_dir}")
        flips = compare(rows, _judge_fn(old_dir), new_fn)

    thresholds: dict[str, float] = {}
    if args.min_f1 is not None:
        thresholds["min_f1"] = args.min_f1
    if args.max_fpr is not None:
        thresholds["max_fpr"] = args.max_fpr
    failed: list[str] = []
    if thresholds:
        # Only the thresholds asked for gate the exit status.
        failed = report.passes(min_f1=thresholds.get("min_f1", 0.0), max_fpr=thresholds.get("max_fpr", 1.0),
                               min_money_recall=0.0, min_money_precision=0.0)
    if args.json:
        data = report.to_dict()
        if flips is not None:
            data["flips"] = [{**f.__dict__, "verdict": f.verdict} for f in flips]
        data["failed_thresholds"] = failed
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(report.to_text())
        if flips is not None:
            print("\n" + flips_to_text(flips))
        if failed:
            print("\nFAILED: " + "; ".join(failed))
    return 1 if failed else 0
