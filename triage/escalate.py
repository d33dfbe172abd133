"""Escalation policy: classification → flags (reason + evidence) → priority P1..P4 and `escalated`.

The policy lives in ``config/escalation.yaml`` (format in ``docs/rules.md``). Flags are decided from the
classifier's output only (signals that fired, decided categories, category scores), so this module is
pure like the classifier. Flags that need state — ``repeat_reported_contact`` comes from the contacts
table — are decided elsewhere and passed in as ``extra_flags``; they take part in priority like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from triage.classify import Classification, RuleSet, yaml_problem
from triage.lexical import SIGNAL as LEXICAL_SIGNAL
from triage.lexical import TARGETS as LEXICAL_TARGETS
from triage.schemas import CATEGORIES, Evidence, Flag

POLICY_FILE = "escalation.yaml"
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
KNOWN_FLAGS: tuple[str, ...] = (
    "money_lost",
    "personal_data_shared",
    "account_access_shared",
    "high_risk",
    "policy_violation_risk",
    "repeat_reported_contact",
)


class PolicyError(Exception):
    """The escalation policy file is unreadable or invalid; the message names file, line and field."""


@dataclass(frozen=True)
class FlagRule:
    name: str
    reason: str
    any_signals: tuple[str, ...] = ()
    any_categories: tuple[str, ...] = ()
    all_categories: tuple[str, ...] = ()
    min_scores: Mapping[str, float] | None = None
    # The rules' own scores (Classification.rule_scores, before the lexical model's share).
    min_rule_scores: Mapping[str, float] | None = None
    # The lexical model's own probabilities (Classification.model_scores), e.g. {money_lost: 0.5};
    # never holds without a model.
    min_model_scores: Mapping[str, float] | None = None
    external: bool = False  # decided outside the pure pipeline, arrives via extra_flags
    all_signals: tuple[str, ...] = ()
    # None of these fired (a veto: "I paid nothing" keeps a loss the other conditions read from being flagged).
    none_signals: tuple[str, ...] = ()
    # `when` given as a list: further condition sets, any of which also decides the flag (an OR).
    alternatives: tuple[FlagRule, ...] = ()

    def decide(self, c: Classification) -> list[Evidence] | None:
        """Evidence when every condition holds, else None. Conditions: AND across keys, ANY within a list.

        With `alternatives` (a list under `when`), the first condition set that holds decides.
        """
        if self.external:
            return None
        ev = self._decide_one(c)
        if ev is not None:
            return ev
        for alt in self.alternatives:
            ev = alt._decide_one(c)
            if ev is not None:
                return ev
        return None

    def _decide_one(self, c: Classification) -> list[Evidence] | None:
        evidence: list[Evidence] = []
        if self.none_signals and any(s in c.signals for s in self.none_signals):
            return None
        if self.all_signals:
            if not all(s in c.signals for s in self.all_signals):
                return None
            for s in self.all_signals:
                evidence.extend(c.signals[s])
        if self.any_signals:
            hit = [s for s in self.any_signals if s in c.signals]
            if not hit:
                return None
            for s in hit:
                if s not in self.all_signals:
                    evidence.extend(c.signals[s])
        if self.any_categories and not any(cat in c.categories for cat in self.any_categories):
            return None
        if self.all_categories and not all(cat in c.categories for cat in self.all_categories):
            return None
        if self.min_scores:
            if not all(c.scores.get(cat, 0.0) >= v for cat, v in self.min_scores.items()):
                return None
            if not self.any_signals:  # the scores are the reason: show the spans that made them
                evidence.extend(e for e in c.evidence if e.category in self.min_scores and e.weight > 0)
        if self.min_rule_scores:
            if not all(c.rule_scores.get(cat, c.scores.get(cat, 0.0)) >= v for cat, v in self.min_rule_scores.items()):
                return None
            if not self.any_signals:  # the rules' spans that made those scores (not the model's)
                evidence.extend(e for e in c.evidence
                                if e.category in self.min_rule_scores and e.weight > 0 and e.signal != LEXICAL_SIGNAL)
        if self.min_model_scores:
            if not all(c.model_scores.get(t, -1.0) >= v for t, v in self.min_model_scores.items()):
                return None
            spans = [e for t in self.min_model_scores for e in c.model_evidence.get(t, ())]
            if not spans:  # the model leaned on function words and numbers alone: nothing to show, no flag
                return None
            evidence.extend(spans)
        return evidence


@dataclass(frozen=True)
class PriorityRule:
    priority: str
    any_flags: tuple[str, ...] = ()
    any_categories: tuple[str, ...] = ()

    def matches(self, flags: set[str], categories: Sequence[str]) -> bool:
        if not self.any_flags and not self.any_categories:
            return True  # the catch-all
        return bool(flags.intersection(self.any_flags)) or any(c in categories for c in self.any_categories)


@dataclass(frozen=True)
class EscalationPolicy:
    version: str
    flags: tuple[FlagRule, ...]
    priorities: tuple[PriorityRule, ...]
    escalate_priorities: frozenset[str]
    default_priority: str = "P4"

    def flag_rule(self, name: str) -> FlagRule | None:
        return next((f for f in self.flags if f.name == name), None)

    def unknown_signals(self, rules: RuleSet) -> list[str]:
        """Signals the policy refers to that the rule set does not define (a cross-config typo check)."""
        known = set(rules.signal_names)
        rules_ = [r for f in self.flags for r in (f, *f.alternatives)]
        return sorted({s for r in rules_ for s in (*r.any_signals, *r.all_signals, *r.none_signals) if s not in known})


@dataclass(frozen=True)
class Escalation:
    flags: list[Flag]
    priority: str
    escalated: bool

    @property
    def flag_names(self) -> list[str]:
        return [f.name for f in self.flags]


def escalate(c: Classification, policy: EscalationPolicy, *, extra_flags: Sequence[Flag] = ()) -> Escalation:
    """Decide flags, priority and escalation for one classification. Pure."""
    flags: list[Flag] = []
    for rule in policy.flags:
        ev = rule.decide(c)
        if ev is not None:
            flags.append(Flag(name=rule.name, reason=rule.reason, evidence=ev))
    names = {f.name for f in flags}
    for extra in extra_flags:
        if extra.name in names:  # merge: the caller knows more (e.g. linked tickets) — keep both sides
            i = next(i for i, f in enumerate(flags) if f.name == extra.name)
            cur = flags[i]
            flags[i] = Flag(
                name=cur.name,
                reason=cur.reason,
                evidence=[*cur.evidence, *(e for e in extra.evidence if e not in cur.evidence)],
                linked_tickets=[
                    *cur.linked_tickets,
                    *(t for t in extra.linked_tickets if t not in cur.linked_tickets),
                ],
            )
            continue
        known = policy.flag_rule(extra.name)
        reason = extra.reason or (known.reason if known else extra.name)
        flags.append(
            Flag(
                name=extra.name,
                reason=reason,
                evidence=list(extra.evidence),
                linked_tickets=list(extra.linked_tickets),
            )
        )
        names.add(extra.name)
    # Stable, config-defined order so outputs diff cleanly.
    order = {f.name: i for i, f in enumerate(policy.flags)}
    flags.sort(key=lambda f: (order.get(f.name, len(order)), f.name))
    priority = policy.default_priority
    for prule in policy.priorities:
        if prule.matches(names, c.categories):
            priority = prule.priority
            break
    return Escalation(flags=flags, priority=priority, escalated=priority in policy.escalate_priorities)


# --------------------------------------------------------------------------- loading


def _line(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    from triage.classify import _locate

    return _locate(root, path)


def parse_policy(text: str, path: Path = Path(POLICY_FILE)) -> EscalationPolicy:
    """Parse an escalation policy from YAML text (`path` only labels error messages)."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(yaml_problem(path, exc)) from exc

    def err(where: Sequence[str | int], msg: str) -> PolicyError:
        line = _line(root, where)
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in where).replace(".[", "[")
        return PolicyError(f"{path}:{line or '?'}: {dotted or '<top>'}: {msg}")

    def score_map(wk: list[str | int], key: str, raw: Any, shape: str, known: Sequence[str],
                  unknown: Callable[[Any], str], lo: float, expected: str) -> dict[str, float] | None:
        """`{name: threshold}` condition (min_scores, model_scores): names from `known`, values in [lo, 1]."""
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            raise err([*wk, key], f"must be a mapping {shape}")
        for name, v in raw.items():
            if name not in known:
                raise err([*wk, key, str(name)], unknown(name))
            if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= 1:
                raise err([*wk, key, str(name)], f"must be {expected}, got {v!r}")
        return {str(k): float(v) for k, v in raw.items()}

    def str_list(where: list[str | int], v: Any) -> tuple[str, ...]:
        if v is None:
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise err(where, "must be a list of non-empty strings")
        return tuple(v)

    if not isinstance(data, dict):
        raise err([], "the policy must be a mapping with `format`, `flags`, `priorities`")
    if set(data) - {"format", "flags", "priorities", "escalate", "default_priority"}:
        raise err(
            [sorted(set(data) - {"format", "flags", "priorities", "escalate", "default_priority"})[0]],
            "unknown top-level key",
        )
    if data.get("format") != 1:
        raise err(["format"], f"unsupported format {data.get('format')!r}; supported: 1")
    raw_flags = data.get("flags")
    if not isinstance(raw_flags, dict) or not raw_flags:
        raise err(["flags"], "must be a non-empty mapping flag_name: {reason, when}")
    flags: list[FlagRule] = []
    for name, spec in raw_flags.items():
        w: list[str | int] = ["flags", str(name)]
        if name not in KNOWN_FLAGS:
            raise err(w, f"unknown flag {name!r} (known: {', '.join(KNOWN_FLAGS)})")
        if not isinstance(spec, dict):
            raise err(w, "must be a mapping with `reason` and `when` (or `external: true`)")
        if set(spec) - {"reason", "when", "external"}:
            raise err([*w, sorted(set(spec) - {"reason", "when", "external"})[0]], "unknown key")
        reason = spec.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise err([*w, "reason"], "every flag needs a non-empty reason (analysts read it)")
        external = spec.get("external", False)
        if not isinstance(external, bool):
            raise err([*w, "external"], "must be true or false")
        when = spec.get("when")
        if external:
            if when is not None:
                raise err([*w, "when"], "an external flag is decided outside the pipeline; drop `when`")
            flags.append(FlagRule(name=name, reason=reason.strip(), external=True))
            continue
        whens = when if isinstance(when, list) else [when]
        if not whens:
            raise err([*w, "when"], "must be a mapping of conditions (or a non-empty list of them)")
        rules_: list[FlagRule] = []
        for k, cond in enumerate(whens):
            wk: list[str | int] = [*w, "when", k] if isinstance(when, list) else [*w, "when"]
            if not isinstance(cond, dict) or not cond:
                raise err(wk, "must be a mapping of conditions")
            allowed = {"any_signals", "all_signals", "none_signals", "any_categories", "all_categories", "min_scores",
                       "rule_scores", "model_scores"}
            if set(cond) - allowed:
                raise err(
                    [*wk, sorted(set(cond) - allowed)[0]],
                    f"unknown condition (allowed: {sorted(allowed)})",
                )
            cats = str_list([*wk, "any_categories"], cond.get("any_categories"))
            all_cats = str_list([*wk, "all_categories"], cond.get("all_categories"))
            for key, lst in (("any_categories", cats), ("all_categories", all_cats)):
                for cat in lst:
                    if cat not in CATEGORIES:
                        raise err([*wk, key], f"unknown category {cat!r}")
            min_scores = score_map(wk, "min_scores", cond.get("min_scores"), "category: score", CATEGORIES,
                                   lambda c: f"unknown category {c!r}", 0.0, "a score in [0, 1]")
            rule_scores = score_map(wk, "rule_scores", cond.get("rule_scores"), "category: score", CATEGORIES,
                                    lambda c: f"unknown category {c!r}", 0.0, "a score in [0, 1]")
            model_scores = score_map(
                wk, "model_scores", cond.get("model_scores"), "target: probability", LEXICAL_TARGETS,
                lambda t: f"unknown model target {t!r} (known: {', '.join(LEXICAL_TARGETS)})", 0.5,
                "a probability in [0.5, 1] (the model shows its spans only for a target it leans towards)",
            )
            rule = FlagRule(
                name=name,
                reason=reason.strip(),
                any_signals=str_list([*wk, "any_signals"], cond.get("any_signals")),
                all_signals=str_list([*wk, "all_signals"], cond.get("all_signals")),
                none_signals=str_list([*wk, "none_signals"], cond.get("none_signals")),
                any_categories=cats,
                all_categories=all_cats,
                min_scores=min_scores,
                min_rule_scores=rule_scores,
                min_model_scores=model_scores,
            )
            if not (rule.any_signals or rule.all_signals or rule.any_categories or rule.all_categories
                    or rule.min_scores or rule.min_rule_scores or rule.min_model_scores):
                raise err(wk, "no condition that must hold (empty lists, or a veto alone): it would flag every ticket")
            rules_.append(rule)
        first, *rest = rules_
        flags.append(replace(first, alternatives=tuple(rest)))
    names = {f.name for f in flags}

    raw_prio = data.get("priorities")
    if not isinstance(raw_prio, list) or not raw_prio:
        raise err(["priorities"], "must be a non-empty list of {priority, any_flags, any_categories}")
    prios: list[PriorityRule] = []
    for i, p in enumerate(raw_prio):
        w = ["priorities", i]
        if not isinstance(p, dict) or p.get("priority") not in PRIORITIES:
            raise err(w, f"each entry needs `priority` in {PRIORITIES}")
        if set(p) - {"priority", "any_flags", "any_categories"}:
            raise err([*w, sorted(set(p) - {"priority", "any_flags", "any_categories"})[0]], "unknown key")
        fl = str_list([*w, "any_flags"], p.get("any_flags"))
        for f in fl:
            if f not in names:
                raise err([*w, "any_flags"], f"flag {f!r} is not defined under `flags`")
        cats = str_list([*w, "any_categories"], p.get("any_categories"))
        for cat in cats:
            if cat not in CATEGORIES:
                raise err([*w, "any_categories"], f"unknown category {cat!r}")
        prios.append(PriorityRule(priority=p["priority"], any_flags=fl, any_categories=cats))
    default = data.get("default_priority", "P4")
    if default not in PRIORITIES:
        raise err(["default_priority"], f"must be one of {PRIORITIES}")
    esc = str_list(["escalate"], data.get("escalate", ["P1", "P2"]))
    for e in esc:
        if e not in PRIORITIES:
            raise err(["escalate"], f"unknown priority {e!r}")
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return EscalationPolicy(
        version=version,
        flags=tuple(flags),
        priorities=tuple(prios),
        escalate_priorities=frozenset(esc),
        default_priority=default,
    )


def load_policy(config_dir: Path) -> EscalationPolicy:
    """Load `config_dir/escalation.yaml`; raises PolicyError with file/line/field context on bad config."""
    path = Path(config_dir) / POLICY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read escalation policy: {exc}") from exc
    return parse_policy(text, path)
