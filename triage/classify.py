"""Signals from config → category scores, decisions and evidence spans.

The rule set (``config/rules.yaml``, format in ``docs/rules.md``) is a list of *signals*: named
behaviours such as "asks to move the chat to Telegram" or "the writer already sent money". Each signal
has regex patterns over the normalised text (see :mod:`triage.textnorm`), prefilter keywords, optional
negation cues and a weight per category. A category's score is ``sigmoid(scale * (bias + Σ weights))``
over the signals that fired, so the score is a calibrated-ish probability and the evidence for it is
exactly the spans of those signals.

Speed: every keyword of every signal goes into one Aho-Corasick automaton; a ticket is scanned once and
only the signals whose keywords occur run their regexes. A signal's keywords must therefore cover every
match of its patterns (each match contains at least one keyword); signals without keywords always run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

try:
    import re._parser as _sre_parser  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parser

from triage.lexical import (
    EXPLAIN_FROM,
    EXPLAIN_TOP,
    Known,
    LexicalError,
    LexicalModel,
    digits_as_hash,
    load_model,
)
from triage.lexical import SIGNAL as LEXICAL_SIGNAL
from triage.lexical import trust as lexical_trust
from triage.schemas import CATEGORIES, Evidence
from triage.textnorm import Normalized, normalize, normalize_keyword

_hs: Any
try:  # optional multi-pattern engine; the pure-`re` path gives identical results without it
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None

FIELDS: tuple[str, ...] = ("subject", "body")
RULES_FILE = "rules.yaml"
SUPPORTED_FORMATS = (1,)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_DEFINE_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
try:  # `re`'s own compiler, which (unlike re.compile) keeps no reference in the module cache
    from re._compiler import compile as _re_compile_raw

    def _compile_uncached(pattern: str) -> re.Pattern[str]:
        return _re_compile_raw(pattern, 0)
except ImportError:  # pragma: no cover - a Python whose `re` is laid out differently
    _compile_uncached = re.compile

# Negation windows stop at the start of the clause: "he asked me to pay, but I refused. Then I paid"
# must judge "I paid" on its own clause.
_CLAUSE_BREAK = re.compile(r"[.!?;\n]|\b(?:but|pero|mas|mais|however)\b")


class RulesError(Exception):
    """The rules file is unreadable or invalid; the message names the file, line and field."""


@dataclass(frozen=True)
class CategoryConfig:
    name: str
    bias: float
    scale: float
    threshold: float
    review_band: tuple[float, float]


_new = object.__new__
_setattr = object.__setattr__
_EVIDENCE_FIELDS = frozenset(Evidence.model_fields)
_EVIDENCE_FIELDS_SET = set(_EVIDENCE_FIELDS)


def _evidence(
    signal: str, field_name: str, start: int, end: int, text: str, category: str | None, weight: float
) -> Evidence:
    """`Evidence.model_construct(...)` with every field given, at a third of the cost (hot path).

    Trusted values, so no validation; the instance is indistinguishable from model_construct's (same
    __dict__, fields-set, no extra/private), which the engines-agree test checks via equality.
    """
    ev = _new(Evidence)
    _setattr(
        ev,
        "__dict__",
        {
            "signal": signal,
            "field": field_name,
            "start": start,
            "end": end,
            "text": text,
            "category": category,
            "weight": weight,
        },
    )
    # One set shared by every instance: Evidence is frozen, so nothing adds to it (copies copy it), and a
    # set per span was a third of a span's memory (≈ 0.7 of ≈ 2 KB with its __dict__).
    _setattr(ev, "__pydantic_fields_set__", _EVIDENCE_FIELDS_SET)
    _setattr(ev, "__pydantic_extra__", None)
    _setattr(ev, "__pydantic_private__", None)
    return ev


@dataclass(frozen=True)
class Signal:
    name: str
    weights: Mapping[str, float]  # category -> weight; empty for flag-only signals
    keywords: tuple[str, ...]
    fields: tuple[str, ...]
    negation_before: re.Pattern[str] | None
    negation_window: int
    negation_after: re.Pattern[str] | None
    negation_after_window: int
    max_spans: int
    description: str = ""
    window: int = 60  # chars searched either side of a keyword hit (see classify: windowed search)
    patterns: tuple[str, ...] = ()  # the expanded patterns (the Hyperscan prefilter compiles them one by one)
    # Top-level alternatives of all patterns, in order: `regex` is exactly their alternation, so dropping
    # a branch that cannot match anywhere in a text leaves every `finditer` result on that text unchanged.
    branches: tuple[str, ...] = ()
    _sub: dict[tuple[int, ...], re.Pattern[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def regex(self) -> re.Pattern[str]:
        """The alternation of all the signal's patterns, compiled on first use.

        The Hyperscan path compiles only the sub-alternations it needs (`sub_regex`), so a worker never
        holds the full one unless it takes the pure-`re` path (≈ 5 MiB per process for the current rules;
        `load_rules` has validated every pattern already).
        """
        return self.sub_regex(tuple(range(len(self.branches))))

    def sub_regex(self, keep: tuple[int, ...]) -> re.Pattern[str]:
        """The alternation of only the branches `keep` (sorted indices); compiled once per subset."""
        rx = self._sub.get(keep)
        if rx is None:
            if len(keep) == len(self.branches):
                rx = re.compile("|".join(f"(?:{p})" for p in self.patterns))
            else:
                rx = re.compile("|".join(f"(?:{self.branches[k]})" for k in keep))
            self._sub[keep] = rx
        return rx

    @property
    def primary_category(self) -> str | None:
        return next(iter(self.weights), None)

    def negated(self, text: str, start: int, end: int) -> bool:
        """True when a negation cue sits in the same clause just before (or after) the match."""
        if self.negation_before is not None:
            w0 = max(0, start - self.negation_window)
            # Never start inside a word: a cut "pha|se" would read as the cue word "se".
            while 0 < w0 < start and text[w0 - 1].isalnum() and text[w0].isalnum():
                w0 += 1
            window = text[w0:start]
            last = None
            for last in _CLAUSE_BREAK.finditer(window):  # noqa: B007 - we want the last break
                pass
            if last is not None:
                window = window[last.end() :]
            if self.negation_before.search(window):
                return True
        if self.negation_after is not None:
            w1 = min(len(text), end + self.negation_after_window)
            # Nor end inside one: a cut "not|hing" would read as the cue word "not".
            while end < w1 < len(text) and text[w1 - 1].isalnum() and text[w1].isalnum():
                w1 -= 1
            window = text[end:w1]
            brk = _CLAUSE_BREAK.search(window)
            if brk is not None:
                window = window[: brk.start()]
            if self.negation_after.search(window):
                return True
        return False

    def find(
        self,
        norm: Normalized,
        original: str,
        field_name: str,
        hits: Sequence[tuple[int, int]] | None = None,
        regex: re.Pattern[str] | None = None,
        bounds: tuple[int, int] | None = None,
    ) -> list[Evidence]:
        """Matches in the whole text, or only in windows around keyword `hits` ((start, end) pairs).

        `regex` replaces the signal's own (a sub-alternation of the branches that can match this text);
        `bounds` (pos, endpos) limits the scan to where Hyperscan proved every match lies.
        """
        out: list[Evidence] = []
        cat = self.primary_category
        weight = self.weights.get(cat, 0.0) if cat else 0.0
        text = norm.text
        check = self.negation_before is not None or self.negation_after is not None
        name = self.name
        span = norm.span
        most = self.max_spans
        rx = self.regex if regex is None else regex
        search = rx.search
        if bounds is not None:
            ranges: Iterable[tuple[int, int]] = (bounds,)
        elif hits is None:
            ranges = ((0, len(text)),)
        else:
            ranges = self._windows(len(text), hits)
        for lo, hi in ranges:
            pos = lo
            while pos < hi:
                m = search(text, pos, hi)
                if m is None:
                    break
                s, e = m.span()
                if e == s or (check and self.negated(text, s, e)):
                    # A denied match ("I never paid") may hide another one that starts inside it
                    # ("… paid with Apple Pay to a personal name"): search again one character on.
                    pos = s + 1
                    continue
                pos = e
                s, e = span(s, e)
                out.append(_evidence(name, field_name, s, e, original[s:e], cat, weight))
                if len(out) >= most:
                    return out
        return out

    def _windows(self, n: int, hits: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        # Python's re costs ~25 ns per character scanned for patterns without a literal prefix, so
        # scanning only `window` characters around each keyword (every match contains one) is what
        # makes the pure-`re` engine fast on long tickets and cheap on short ones.
        w = self.window
        lo_prev = hi_prev = -1
        spans: list[tuple[int, int]] = []
        for start, end in sorted(hits):
            lo, hi = max(0, start - w), min(n, end + w)
            if lo <= hi_prev:
                hi_prev = max(hi_prev, hi)
                continue
            if hi_prev >= 0:
                spans.append((lo_prev, hi_prev))
            lo_prev, hi_prev = lo, hi
        if hi_prev >= 0:
            spans.append((lo_prev, hi_prev))
        return spans


@dataclass(frozen=True)
class Combination:
    """A behaviour made of other signals: fires when all of `all_of`, (if given) one of `any_of` and none
    of `none_of` fired.

    Its evidence is the union of the parts' evidence (renamed to the combination); it adds its own weights.
    Decided after matching, from the fired signals only, so every engine gives the same result.
    """

    name: str
    all_of: tuple[str, ...]
    any_of: tuple[str, ...]
    weights: Mapping[str, float]
    description: str = ""
    none_of: tuple[str, ...] = ()
    # The same names as sets, for the per-ticket test in `classify` (built once, not per ticket).
    _all: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _any: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _none: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_all", frozenset(self.all_of))
        object.__setattr__(self, "_any", frozenset(self.any_of))
        object.__setattr__(self, "_none", frozenset(self.none_of))

    def fires(self, fired: Mapping[str, object]) -> bool:
        """All of `all_of`, one of `any_of` (when given) and none of `none_of` are in `fired`."""
        names = fired.keys()
        return (
            names >= self._all
            and (not self._any or not self._any.isdisjoint(names))
            and self._none.isdisjoint(names)
        )


@dataclass(frozen=True)
class RuleSet:
    """A loaded, compiled, immutable rule set. `version` is the first 12 hex of sha256(file bytes)."""

    version: str
    categories: Mapping[str, CategoryConfig]
    signals: tuple[Signal, ...]
    source: str = ""
    combinations: tuple[Combination, ...] = ()
    _always: frozenset[int] = field(default=frozenset(), repr=False)
    # Lazily built Hyperscan database (see `hs_plan`); a mutable holder inside a frozen dataclass.
    _hs_state: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The learned second opinion (config/lexical.json, see triage.lexical); None: the rules alone.
    lexical: LexicalModel | None = field(default=None, repr=False, compare=False)

    def weights_of(self) -> Mapping[str, Mapping[str, float]]:
        """Category weights of every signal and combination by name (built once): what a fired name adds to
        each category's rules logit `scale * (bias + Σ weights)` — classify and the stack's training read it."""
        w = self._hs_state.get("weights_of")
        if w is None:
            w = self._hs_state["weights_of"] = {
                **{s.name: s.weights for s in self.signals}, **{c.name: c.weights for c in self.combinations}
            }
        return w

    def _hs_ready(self, cache_dir: Path | None = None) -> Any:
        """The Hyperscan database (None without Hyperscan), built on first use."""
        st = self._hs_state
        if "flat" not in st:
            st["db"], st["ungated"] = _hs_build(self.signals, cache_dir)
            st["flat"] = _hs_flat(self.signals)
            st["bounds"] = [_branch_bounds(self.signals[i].branches[b]) for i, b in st["flat"]]
        return st["db"]

    def hs_plan(self, t0: str, t1: str) -> list[dict[int, tuple[tuple[int, ...], int, int]]] | None:
        """Per field (subject, body): signal index -> (branches that can match, lo, hi); None without
        Hyperscan or when the ticket produced too many candidate matches (the caller then takes the
        pure-`re` path).

        The database holds every signal's branches (top-level alternatives) translated to a *superset*
        (see `hs_translate`), one id per branch, and reports every end offset of every match. A branch
        with no report cannot match; a signal with none cannot fire in that field. On ASCII text (byte
        offsets are character offsets) the reports also bound where `re` must look: every `re` match
        of a branch ends at a reported end E and starts at or after E - (the branch's longest match),
        and its assertions read at most `reach` characters past its end, so `finditer(text, lo, hi)`
        with lo = min E - longest and hi = max E + reach + 2 finds exactly the matches of a scan of
        the whole field (see `_branch_bounds`).
        """
        db = self._hs_ready()
        if db is None:
            return None
        st = self._hs_state
        joint = f"{t0}\n{t1}" if t0 and t1 else t0 or t1
        plans: list[dict[int, tuple[tuple[int, ...], int, int]]] = [{}, {}]
        if not joint:
            return plans
        data = joint.encode("utf-8")
        hits: list[tuple[int, int]] = []
        try:
            db.scan(data, match_event_handler=_hs_record, context=hits)
        except _hs.ScanTerminated:
            return None
        exact = len(data) == len(joint)
        texts = (t0, t1)
        n0 = len(t0)
        body_at = n0 + 1 if t0 else 0  # where the body starts in the joint buffer
        flat = st["flat"]
        bounds = st["bounds"]
        # per field: signal -> [branches, min end, max end, longest, reach]
        acc: list[dict[int, list[Any]]] = [{}, {}]
        # Kept in every non-empty field and scanned whole: the branches Hyperscan cannot judge and, when
        # offsets are bytes (non-ASCII text), every reported branch.
        whole = list(st["ungated"])
        if not exact:
            whole.extend(g for g, _ in hits)
            hits = []
        for g in whole:
            i, b = flat[g]
            for k, t in enumerate(texts):
                if t:
                    a = acc[k].setdefault(i, [set(), 0, 0, _UNBOUNDED, _UNBOUNDED])
                    a[0].add(b)
                    a[3] = a[4] = _UNBOUNDED
        acc0, acc1 = acc
        sub_last = n0 + 1 if t0 else -1
        body_first = body_at if t1 else 1 << 62
        for g, end in hits:
            i, b = flat[g]
            longest, reach = bounds[g]
            # A translated `$` may consume the newline that joins the fields: an end just past it can
            # belong to either field.
            for side, e in ((acc0, end if end < n0 else n0), (acc1, end - body_at)):
                if (side is acc0 and end > sub_last) or (side is acc1 and end < body_first):
                    continue
                cur = side.get(i)
                if cur is None:
                    side[i] = [{b}, e, e, longest, reach]
                    continue
                cur[0].add(b)
                if e < cur[1]:
                    cur[1] = e
                elif e > cur[2]:
                    cur[2] = e
                if longest > cur[3]:
                    cur[3] = longest
                if reach > cur[4]:
                    cur[4] = reach
        for k, t in enumerate(texts):
            n = len(t)
            plan = plans[k]
            for i, (keep, e_min, e_max, longest, reach) in acc[k].items():
                # -1: a translated `^`/`$` may match one newline more than the `re` branch.
                lo = e_min - longest - 1 if longest < _UNBOUNDED else 0
                hi = e_max + reach + 2 if reach < _UNBOUNDED else n
                plan[i] = (tuple(sorted(keep)) if len(keep) > 1 else (*keep,), lo if lo > 0 else 0, hi if hi < n else n)
        return plans

    def signal(self, name: str) -> Signal:
        for s in self.signals:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def signal_names(self) -> tuple[str, ...]:
        """Names of the pattern signals and of the combinations (both appear in evidence)."""
        return tuple(s.name for s in self.signals) + tuple(c.name for c in self.combinations)

    @property
    def _automaton(self) -> Any:
        """The Aho-Corasick automaton of every signal's keywords (None: no keywords), built on first use: only
        the pure-`re` engine needs it, so a worker on the Hyperscan path never holds it."""
        st = self._hs_state
        if "automaton" not in st:
            kw_map: dict[str, set[int]] = {}
            for idx, sig in enumerate(self.signals):
                for k in sig.keywords:
                    kw_map.setdefault(k, set()).add(idx)
            auto = None
            if kw_map:
                auto = ahocorasick.Automaton()
                for k, ids in kw_map.items():
                    auto.add_word(k, (len(k), tuple(sorted(ids))))
                auto.make_automaton()
            st["automaton"] = auto
        return st["automaton"]

    def keyword_hits(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Signal index -> (start, end) of each of its keywords found in the normalised text."""
        out: dict[int, list[tuple[int, int]]] = {}
        auto = self._automaton
        if auto is not None and text:
            for end, (klen, ids) in auto.iter(text):
                span = (end + 1 - klen, end + 1)
                for i in ids:
                    lst = out.get(i)
                    if lst is None:
                        out[i] = [span]
                    else:
                        lst.append(span)
        return out

    def candidates(self, texts: Sequence[str]) -> set[int]:
        """Indices of the signals whose keywords occur in any of the (normalised) texts."""
        found: set[int] = set(self._always)
        auto = self._automaton
        if auto is not None:
            for text in texts:
                for _, (_, ids) in auto.iter(text):
                    found.update(ids)
        return found


@dataclass(frozen=True)
class Classification:
    categories: list[str]
    scores: dict[str, float]
    needs_review: bool
    evidence: list[Evidence]
    signals: dict[str, list[Evidence]]
    # The lexical model's own probability per target (incl. money_lost) and, for a target it leans towards
    # (p >= EXPLAIN_FROM = 0.5), the spans behind it; empty without a model.
    # The category scores above already include the model's share (its `stack`, see triage.lexical).
    model_scores: dict[str, float] = field(default_factory=dict)
    model_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    # The rules' own score per category, before the model's share (= scores without a model); policy
    # conditions about "several fraud patterns at once" read it (`rule_scores` in escalation.yaml).
    rule_scores: dict[str, float] = field(default_factory=dict)
    # The share of the ticket's word tokens the lexical model knows (None without a model); below
    # triage.lexical.COVERAGE_FULL the model could not argue a score below the rules' own.
    model_coverage: float | None = None


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


ENGINES = ("auto", "hyperscan", "re")


def classify(
    subject: str, body: str, rules: RuleSet, *, prefilter: bool = True, engine: str = "auto"
) -> Classification:
    """Classify one ticket. Pure: no I/O, no clock, nothing outside the return value is changed.

    `prefilter=False` runs every signal's regex (the naive baseline; results must be identical).
    `engine`: "hyperscan" skips, before any `re` work, the signals Hyperscan proves cannot match;
    "re" uses the Aho-Corasick keyword prefilter alone; "auto" (default) takes Hyperscan when installed.
    All three give identical results; only the speed differs.
    """
    originals = (subject or "", body or "")
    norms = [normalize(t) for t in originals]
    fired: dict[str, list[Evidence]] = {}
    if prefilter:
        plans = None
        if engine != "re" and _hs is not None:
            plans = rules.hs_plan(norms[0].text, norms[1].text)
        elif engine == "hyperscan":
            raise RuntimeError("engine='hyperscan' requested but the hyperscan package is not installed")
        if plans is not None:
            # Hyperscan path: each signal Hyperscan kept runs the alternation of its kept branches over
            # the part of the field where Hyperscan proved its matches lie (see `RuleSet.hs_plan`).
            signals = rules.signals
            p0, p1 = plans
            for idx in sorted(p0.keys() | p1.keys()):
                sig = signals[idx]
                spans: list[Evidence] = []
                for k, plan in enumerate((p0.get(idx), p1.get(idx))):
                    if plan is not None and FIELDS[k] in sig.fields:
                        keep, lo, hi = plan
                        spans.extend(
                            sig.find(norms[k], originals[k], FIELDS[k], None, sig.sub_regex(keep), (lo, hi))
                        )
                if spans:
                    fired[sig.name] = spans
            order: list[int] = []
        else:
            always_all = rules._always
            per_field: list[dict[int, list[tuple[int, int]]]] = [rules.keyword_hits(n.text) for n in norms]
            order = sorted(set(per_field[0]) | set(per_field[1]) | always_all)
    else:
        order = list(range(len(rules.signals)))
    for idx in order:
        sig = rules.signals[idx]
        spans = []
        for k, (fname, orig, norm) in enumerate(zip(FIELDS, originals, norms, strict=True)):
            if fname not in sig.fields or not norm.text:
                continue
            if not prefilter or idx in always_all:
                spans.extend(sig.find(norm, orig, fname))
            elif idx in per_field[k]:
                spans.extend(sig.find(norm, orig, fname, per_field[k][idx]))
        if spans:
            fired[sig.name] = spans

    weights_of = rules.weights_of()
    for combo in rules.combinations:  # in file order: a combination may use an earlier one
        if combo.fires(fired):
            seen: set[tuple[str, int, int]] = set()
            parts: list[Evidence] = []
            cat = next(iter(combo.weights), None)
            cw = combo.weights.get(cat, 0.0) if cat else 0.0
            for n in (*combo.all_of, *combo.any_of):
                for e in fired.get(n, ()):
                    if (e.field, e.start, e.end) not in seen:
                        seen.add((e.field, e.start, e.end))
                        parts.append(_evidence(combo.name, e.field, e.start, e.end, e.text, cat, cw))
            fired[combo.name] = parts
    totals = {c: 0.0 for c in rules.categories}
    evidence: list[Evidence] = []
    for name, spans in fired.items():
        for cat, w in weights_of[name].items():
            totals[cat] += w  # a signal counts once however often it matches: repetition is not evidence
            evidence.extend(
                e if e.category == cat else _evidence(e.signal, e.field, e.start, e.end, e.text, cat, w)
                for e in spans
            )
    lex = rules.lexical
    model_z: dict[str, float] = {}
    model_scores: dict[str, float] = {}
    model_evidence: dict[str, list[Evidence]] = {}
    model_coverage: float | None = None
    if lex is not None:
        zs, known, lex_scale, coverage = lex.judge_texts([n.text for n in norms])
        model_coverage = round(coverage, 4)
        lex_trust = lexical_trust(coverage)
        model_z = dict(zip(lex.targets, zs, strict=True))
        model_scores = {t: round(_sigmoid(z), 4) for t, z in model_z.items()}
    scores: dict[str, float] = {}
    rule_scores: dict[str, float] = {}
    decided: list[str] = []
    review = False
    for cat in CATEGORIES:
        cfg = rules.categories[cat]
        x = cfg.scale * (cfg.bias + totals[cat])
        rule_scores[cat] = round(_sigmoid(x), 4)
        if lex is not None:
            xr = x
            x = lex.combine(cat, x, zs)
            if x < xr and lex_trust < 1.0:
                # A model that does not know most of the ticket's words cannot argue it below the rules' own
                # score (see triage.lexical.COVERAGE_FULL); it can still raise it.
                x += (1.0 - lex_trust) * (xr - x)
        score = round(_sigmoid(x), 4)
        scores[cat] = score
        if score >= cfg.threshold:
            decided.append(cat)
        band_lo, band_hi = cfg.review_band
        if band_lo <= score < band_hi:
            review = True
    if lex is not None:
        # The model's spans, for each target it leans towards (a category it argued against gets none).
        wanted = [i for i, t in enumerate(lex.targets) if model_scores[t] >= EXPLAIN_FROM]
        if wanted:
            model_evidence = _lexical_evidence(lex, known, lex_scale, wanted, norms, originals)
            for cat, evs in model_evidence.items():
                own = lex.own_weight(cat)
                if own > 0:
                    evidence.extend(
                        _evidence(e.signal, e.field, e.start, e.end, e.text, cat, round(e.weight * own, 4))
                        for e in evs
                    )
        # Every decided category carries the spans that caused it: one without a positive span (the model
        # leaning on function words and numbers alone) is not decided but left for review.
        for cat in list(decided):
            if not any(e.category == cat and e.weight > 0 for e in evidence):
                decided.remove(cat)
                review = True
    evidence.sort(key=lambda e: (e.field != "subject", e.start, e.end, e.signal))
    return Classification(
        categories=decided, scores=scores, needs_review=review, evidence=evidence, signals=fired,
        model_scores=model_scores, model_evidence=model_evidence, rule_scores=rule_scores,
        model_coverage=model_coverage,
    )


def _lexical_evidence(
    lex: LexicalModel,
    known: Known,
    scale: float,
    wanted: Sequence[int],
    norms: Sequence[Normalized],
    originals: Sequence[str],
) -> dict[str, list[Evidence]]:
    """The terms that raised each wanted target most (`LexicalModel.explain`), as original-text spans.

    A term whose span overlaps one already shown for the target is passed over for the next best (so "I
    paid" and "paid" are not both shown), and so is a word pair whose original span is far longer than its
    normalised one (a pair read across a removed HTML block: the span would cover the block).
    """
    # the accelerator's pass located every term already; the Python pass's are found in these views
    views = None if isinstance(known, bytes) else [digits_as_hash(n.text) for n in norms]
    model_evidence: dict[str, list[Evidence]] = {}
    for i in wanted:
        target = lex.targets[i]
        evs: list[Evidence] = []
        taken: list[tuple[int, int, int]] = []
        for _term, contrib, span in lex.explain_at(known, scale, i, 2 * EXPLAIN_TOP, views):
            if span is None:  # pragma: no cover - every vector term came from these tokens
                continue
            k, s, e = span
            o0, o1 = norms[k].span(s, e)
            if o1 - o0 > (e - s) + _SPAN_SLACK or any(k == tk and s < te and ts < e for tk, ts, te in taken):
                continue
            taken.append((k, s, e))
            evs.append(_evidence(LEXICAL_SIGNAL, FIELDS[k], o0, o1, originals[k][o0:o1], target, round(contrib, 4)))
            if len(evs) == EXPLAIN_TOP:
                break
        model_evidence[target] = evs
    return model_evidence


_SPAN_SLACK = 40  # original characters a shown term may span beyond its normalised length (tags, entities)


# --------------------------------------------------------------------------- Hyperscan prefilter

_ASCII_ESC = {"w": "A-Za-z0-9_", "d": "0-9", "s": "\\t-\\r \\x1c-\\x1f"}
_QUANT_RE = re.compile(r"\*\??|\+\??|\?\??|\{(\d+)(?:,(\d*))?\}\??")


class _Untranslatable(ValueError):
    pass


def _class_end(p: str, j: int) -> int:
    """Index of the ']' that closes the character class opening at p[j] ('['); len(p) if unclosed."""
    j += 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":  # a leading ']' is a literal
        j += 1
    while j < len(p) and p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j


def _structure(p: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, char, nesting depth after it) of each `(`, `)` and `|` outside escapes and classes."""
    depth = 0
    j = start
    n = len(p)
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _class_end(p, j)
        elif c in "()":
            depth += 1 if c == "(" else -1
            yield j, c, depth
        elif c == "|":
            yield j, c, depth
        j += 1


def _skip_group(p: str, i: int) -> int:
    """Index just past the group that opens at p[i] ('(')."""
    for j, c, depth in _structure(p, i):
        if c == ")" and depth == 0:
            return j + 1
    raise _Untranslatable("unbalanced group")


def _quantifier(p: str, i: int, wide: bool) -> tuple[str, int]:
    """The quantifier at p[i] (if any) made unbounded and greedy; a wide atom without one gets '+'.

    A wide atom (one that can match a non-ASCII character) is a byte class; one character may be
    several bytes, so "exactly one" becomes "one or more" and "at most one" becomes "any number".
    """
    m = _QUANT_RE.match(p, i)
    if m is None:
        return ("+" if wide else ""), i
    tok = m.group(0).rstrip("?") if not m.group(0).startswith("?") else "?"
    if tok.startswith("{"):
        lo = m.group(1)
        tok = f"{{{lo},}}" if m.group(2) is not None or wide else f"{{{lo}}}"
        if wide and lo == "0":
            tok = "*"
    elif tok == "?" and wide:
        tok = "*"
    return tok, m.end()


def hs_translate(p: str) -> bytes:
    r"""A Python `re` pattern → a Hyperscan pattern (byte mode) matching a superset of its matches.

    Text is scanned as UTF-8 bytes. Every atom that could match a non-ASCII character (`\w`, negated
    classes, `.`) becomes a byte class that also accepts the bytes of non-ASCII characters, repeated as
    needed; bounded repeats become unbounded; word boundaries and lookarounds are dropped. Each step
    only widens the language, so a signal Hyperscan does not report cannot match under `re` either —
    the `re` pass then finds the exact spans.
    """
    out: list[str] = []
    i = 0
    n = len(p)
    if p.startswith("\\b") and _starts_with_word_char(p, 2):
        # A leading word boundary before a word character: the character before the match is not an
        # ASCII word character (or there is none). Kept as that superset, not dropped: without it the
        # bundled Hyperscan misses some matches that start late in the buffer (a library false negative
        # found on a labelled ticket; see tests/unit/test_classify.py).
        out.append("(?:^|[^A-Za-z0-9_])")
        i = 2
    while i < n:
        c = p[i]
        atom: str | None = None
        wide = False
        if c == "\\":
            e = p[i + 1]
            i += 2
            if e in "wds":
                atom, wide = f"[{_ASCII_ESC[e]}\\x80-\\xff]", True
            elif e in "WDS":
                atom, wide = f"[^{_ASCII_ESC[e.lower()]}]", True
            elif e in "bB":
                continue
            elif e in "AZzGpPN" or e.isdigit():
                raise _Untranslatable(f"\\{e}")
            else:
                atom = "\\" + e
        elif c == "[":
            j = i + 1
            neg = j < n and p[j] == "^"
            if neg:
                j += 1
            body: list[str] = []
            first = True
            while j < n and (p[j] != "]" or first):
                first = False
                if p[j] == "\\":
                    e = p[j + 1]
                    if e in "wds":
                        # In a negated class only the ASCII members are excluded: the bytes of a non-ASCII
                        # word/digit/space character stay accepted, a superset of what `re` matches.
                        body.append(_ASCII_ESC[e])
                        wide = True
                    elif e in "WDSbB":
                        raise _Untranslatable(f"\\{e} in a class")
                    else:
                        body.append(p[j : j + 2])
                    j += 2
                elif ord(p[j]) > 127:
                    wide = True  # the class below accepts every non-ASCII byte (negated: stays excluded-free)
                    j += 1
                else:
                    body.append(p[j])
                    j += 1
            if j >= n:
                raise _Untranslatable("unterminated class")
            inner = "".join(body)
            if neg:
                atom, wide = f"[^{inner}]", True  # non-ASCII bytes are never in `inner`: accepted
            else:
                atom = f"[{inner}\\x80-\\xff]" if wide else f"[{inner}]"
            i = j + 1
        elif c == "." :
            atom, wide = "[^\\n]", True
            i += 1
        elif c in "^$":
            # Subject and body are scanned as one buffer joined by "\n", so a field's start/end is also
            # a newline: accept one there (only widens the match set).
            out.append("(?:^|\\n)" if c == "^" else "(?:\\n|$)")
            i += 1
            continue
        elif ord(c) > 127:
            atom = "(?:" + "".join(f"\\x{b:02x}" for b in c.encode("utf-8")) + ")"
            i += 1
        elif c == "(":
            if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                i = _skip_group(p, i)
                qm = _QUANT_RE.match(p, i)  # a quantified lookaround: drop the quantifier with it
                if qm is not None:
                    i = qm.end()
                continue
            if p.startswith(("(?P<", "(?P="), i):
                raise _Untranslatable("named group")
            out.append(c)
            i += 1
            continue
        elif c in "*+?{":
            q, i2 = _quantifier(p, i, False)
            if q:
                out.append(q)
                i = i2
                continue
            out.append("\\{" if c == "{" else c)
            i += 1
            continue
        else:
            out.append(c)
            i += 1
            continue
        q, i = _quantifier(p, i, wide)
        out.append(atom + q)
    return "".join(out).encode("ascii")


def _starts_with_word_char(p: str, i: int) -> bool:
    """True when every match of p[i:] provably starts with an ASCII letter or digit: a literal one, or a
    non-capturing group whose top-level alternatives each start with one (conservative: False if unsure)."""
    if i >= len(p):
        return False
    if p[i].isascii() and p[i].isalnum():
        return True
    if not p.startswith("(?:", i):
        return False
    try:
        end = _skip_group(p, i)
    except _Untranslatable:
        return False
    if end < len(p) and p[end] in "?*{":  # an optional group may match nothing: unsure
        return False
    return all(alt[:1].isascii() and alt[:1].isalnum() for alt in split_branches(p[i + 3 : end - 1]))


_HS_CACHE: dict[bytes, Any] = {}  # per process: rule sets that differ only in weights share a database


def split_branches(p: str) -> list[str]:
    """The top-level alternatives of a regex (`a|(?:b|c)|d` → `a`, `(?:b|c)`, `d`)."""
    out: list[str] = []
    start = 0
    for j, c, depth in _structure(p):
        if c == "|" and depth == 0:
            out.append(p[start:j])
            start = j + 1
    out.append(p[start:])
    return out


_HS_MAX_REPORTS = 4096  # a ticket with more candidate matches than this takes the pure-`re` path
_UNBOUNDED = 1 << 30


def _hs_record(idx: int, _from: int, to: int, _flags: int, hits: list[tuple[int, int]]) -> bool:
    hits.append((idx, to))
    return len(hits) > _HS_MAX_REPORTS  # True stops the scan (hyperscan raises ScanTerminated)


def _branch_bounds(p: str) -> tuple[int, int]:
    """(longest match, lookahead reach) of a `re` branch in characters; `_UNBOUNDED` when unbounded.

    The reach is how far past a match's end its assertions may read: the widest lookahead (``\\b``
    and ``$`` read one character, covered by the caller's margin).
    """
    try:
        tree = _sre_parser.parse(p)
    except Exception:  # pragma: no cover - every branch compiled once already
        return _UNBOUNDED, _UNBOUNDED
    longest = tree.getwidth()[1]
    return (longest if longest < _UNBOUNDED else _UNBOUNDED), _lookahead_reach(tree.data)


def _lookahead_reach(items: Any) -> int:
    reach = 0
    for op, av in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT"):
            direction, sub = av
            if direction == 1:
                w = sub.getwidth()[1]
                reach = max(reach, w if w < _UNBOUNDED else _UNBOUNDED)
            reach = max(reach, _lookahead_reach(sub.data))
        elif name in ("GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE"):
            return _UNBOUNDED
        else:
            for part in av if isinstance(av, (tuple, list)) else (av,):
                if isinstance(part, _sre_parser.SubPattern):
                    reach = max(reach, _lookahead_reach(part.data))
                elif isinstance(part, list):
                    for q in part:
                        if isinstance(q, _sre_parser.SubPattern):
                            reach = max(reach, _lookahead_reach(q.data))
    return reach


def _hs_flat(signals: Sequence[Signal]) -> list[tuple[int, int]]:
    """Hyperscan id -> (signal index, branch index): every branch of every signal, in order."""
    return [(i, b) for i, sig in enumerate(signals) for b in range(len(sig.branches))]


def _hs_build(signals: Sequence[Signal], cache_dir: Path | None = None) -> tuple[Any, frozenset[int]]:
    """Compile one database of every translatable branch (id = position in `_hs_flat`).

    Returns the database and the ids Hyperscan cannot judge (always kept). Compiling takes seconds for
    the full rule set, so databases are kept per process by content hash and, when `cache_dir` is
    given (only `load_rules` does: the classifier itself does no I/O), on disk.
    """
    if _hs is None:
        return None, frozenset()
    exprs: list[bytes] = []
    ids: list[int] = []
    ungated: set[int] = set()
    for g, (i, b) in enumerate(_hs_flat(signals)):
        try:
            exprs.append(hs_translate(signals[i].branches[b]))
            ids.append(g)
        except _Untranslatable:
            ungated.add(g)
    key = hashlib.sha256(b"ends\0" + b"\0".join(exprs) + repr(ids).encode() + repr(sorted(ungated)).encode()).digest()
    cached = _HS_CACHE.get(key)
    if cached is not None:
        return cached
    if not exprs:
        return None, frozenset(ungated)
    version = getattr(_hs, "__version__", "x")
    disk = cache_dir / f"hs-{version}-{key.hex()[:24]}.bin" if cache_dir else None
    if disk is not None and disk.is_file():
        try:
            raw = disk.read_bytes()
            n_ung = int.from_bytes(raw[:4], "big")
            ung = frozenset(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(n_ung))
            loaded_db = _hs.loadb(raw[4 + 4 * n_ung :], _hs.HS_MODE_BLOCK)
            loaded_db.scratch = _hs.Scratch(loaded_db)  # a deserialised database has no scratch yet
            loaded = (loaded_db, ung)
            _HS_CACHE[key] = loaded
            return loaded
        except Exception:
            pass
    flags = _hs.HS_FLAG_ALLOWEMPTY  # every end offset is reported: `hs_plan` bounds the `re` pass with them
    db = _hs.Database()
    try:
        db.compile(expressions=exprs, ids=ids, flags=[flags] * len(exprs))
    except Exception:
        for e, i in zip(exprs, ids, strict=True):
            try:
                _hs.Database().compile(expressions=[e], ids=[i], flags=[flags])
            except Exception:
                ungated.add(i)  # e.g. "Pattern is too large": `re` runs it on every ticket (a test keeps none)
        keep = [(e, i) for e, i in zip(exprs, ids, strict=True) if i not in ungated]
        db = _hs.Database()
        db.compile(expressions=[e for e, _ in keep], ids=[i for _, i in keep], flags=[flags] * len(keep))
    _HS_CACHE[key] = (db, frozenset(ungated))
    if disk is not None:
        try:
            disk.parent.mkdir(parents=True, exist_ok=True)
            head = len(ungated).to_bytes(4, "big") + b"".join(i.to_bytes(4, "big") for i in sorted(ungated))
            tmp = disk.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(head + _hs.dumpb(db))
            tmp.replace(disk)  # atomic: concurrent workers never read a half-written file
        except OSError:
            pass  # a read-only home: keep the in-memory database
    return db, frozenset(ungated)


def hs_cache_dir() -> Path:
    """Where compiled Hyperscan databases are kept: $TRIAGE_HS_CACHE, else $XDG_CACHE_HOME/triage."""
    env = os.environ.get("TRIAGE_HS_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "triage"


# --------------------------------------------------------------------------- loading


def _locate(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """1-based line of the YAML node at `path` (keys and list indices), or the nearest ancestor."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    nxt = v
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            nxt = node.value[key]
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


class _Ctx:
    """Where a rules file's errors point. The YAML node tree that locates them is composed only when an
    error is raised: holding it through a successful load is what fragmented a worker's heap."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    @property
    def root(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=yaml.SafeLoader)

    def error(self, where: Sequence[str | int], msg: str) -> RulesError:
        line = _locate(self.root, where)
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in where).replace(".[", "[")
        loc = f"{self.path}:{line}" if line else str(self.path)
        return RulesError(f"{loc}: {dotted or '<top>'}: {msg}")


def _num(
    ctx: _Ctx, where: list[str | int], v: Any, lo: float | None = None, hi: float | None = None
) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ctx.error(where, f"must be a number, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ctx.error(where, f"must be between {lo} and {hi}, got {v!r}")
    return float(v)


def _str_list(ctx: _Ctx, where: list[str | int], v: Any, *, allow_empty: bool = True) -> list[str]:
    if not isinstance(v, list):
        raise ctx.error(where, f"must be a list of non-empty strings, got {type(v).__name__}")
    for i, x in enumerate(v):
        if not isinstance(x, str) or not x:
            # YAML 1.1 reads bare on/off/yes/no as booleans: the usual cause of this error.
            hint = " (quote it: YAML reads bare on/off/yes/no as booleans)" if isinstance(x, bool) else ""
            raise ctx.error([*where, i], f"must be a non-empty string, got {x!r}{hint}")
    if not v and not allow_empty:
        raise ctx.error(where, "must not be empty")
    return v


def _expand(ctx: _Ctx, where: list[str | int], pattern: str, defines: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in defines:
            raise ctx.error(where, f"unknown define {{{m.group(1)}}} (known: {', '.join(sorted(defines))})")
        return defines[m.group(1)]

    return _DEFINE_REF.sub(sub, pattern)


def _compile(ctx: _Ctx, where: list[str | int], pattern: str, *, check_only: bool = False) -> re.Pattern[str]:
    """Compile `pattern` (errors name the file, line and field). `check_only`: the caller only validates and
    drops the result, so it is compiled past `re`'s module cache, which would otherwise keep every one of
    them alive (≈ 2 MiB of compiled patterns per worker process for the current rules)."""
    # Text is lower-cased before matching, so an upper-case literal can never match: catch the typo.
    literal = re.sub(r"\\.|\(\?P?<[^>]*>|\(\?P=[^)]*\)", "", pattern)
    if any(c.isupper() for c in literal):
        raise ctx.error(where, f"pattern has upper-case letters but text is matched lower-cased: {pattern!r}")
    try:
        return _compile_uncached(pattern) if check_only else re.compile(pattern)
    except re.error as exc:
        raise ctx.error(where, f"bad regular expression ({exc}): {pattern!r}") from exc


_SIGNAL_KEYS = {
    "window",
    "name",
    "description",
    "category",
    "weight",
    "weights",
    "keywords",
    "patterns",
    "fields",
    "negation",
    "max_spans",
}
_CATEGORY_KEYS = {"bias", "scale", "threshold", "review_band"}
_NEGATION_KEYS = {"cues", "use", "window", "after", "after_window"}


def _negation(
    ctx: _Ctx, where: list[str | int], neg: Any, defines: Mapping[str, str], cue_sets: Mapping[str, list[str]]
) -> tuple[re.Pattern[str] | None, int, re.Pattern[str] | None, int]:
    if neg is None:
        return None, 0, None, 0
    if not isinstance(neg, dict):
        raise ctx.error(where, "negation must be a mapping")
    unknown = set(neg) - _NEGATION_KEYS
    if unknown:
        raise ctx.error(
            [*where, sorted(unknown)[0]], f"unknown key (allowed: {', '.join(sorted(_NEGATION_KEYS))})"
        )
    cues: list[str] = []
    for i, name in enumerate(_str_list(ctx, [*where, "use"], neg.get("use", []))):
        if name not in cue_sets:
            raise ctx.error(
                [*where, "use", i], f"unknown cue set {name!r} (known: {', '.join(sorted(cue_sets))})"
            )
        cues.extend(cue_sets[name])
    cues.extend(_str_list(ctx, [*where, "cues"], neg.get("cues", [])))
    after = _str_list(ctx, [*where, "after"], neg.get("after", []))
    if not cues and not after:
        raise ctx.error(where, "negation needs `cues`/`use` (before the match) or `after`")
    window = int(_num(ctx, [*where, "window"], neg.get("window", 40), 1, 400))
    after_window = int(_num(ctx, [*where, "after_window"], neg.get("after_window", 30), 1, 400))
    before_re = (
        _compile(
            ctx, [*where, "cues"], "|".join(f"(?:{_expand(ctx, [*where, 'cues'], c, defines)})" for c in cues)
        )
        if cues
        else None
    )
    after_re = (
        _compile(
            ctx,
            [*where, "after"],
            "|".join(f"(?:{_expand(ctx, [*where, 'after'], c, defines)})" for c in after),
        )
        if after
        else None
    )
    return before_re, window, after_re, after_window


# libyaml's loader when PyYAML has it (a third of the time, and less heap left behind in every worker); its
# error messages are terser, so a file it rejects is read again by the pure-Python loader to report why.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_problem(path: Path | str, exc: yaml.YAMLError) -> str:
    """A YAML syntax error as one line, `file:line:column: invalid YAML: problem` (as the KB loader says it)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "1"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{path}:{where}: invalid YAML: {problem}"


def parse_rules(text: str, path: Path = Path(RULES_FILE)) -> RuleSet:
    """Parse and compile rules from YAML text (`path` only labels error messages)."""
    try:
        try:
            data = yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError:
            data = yaml.load(text, Loader=yaml.SafeLoader)  # its message; libyaml was stricter if this passes
    except yaml.YAMLError as exc:
        raise RulesError(yaml_problem(path, exc)) from exc
    ctx = _Ctx(path, text)
    if not isinstance(data, dict):
        raise ctx.error([], "the rules file must be a mapping with `format`, `categories`, `signals`")
    unknown_top = set(data) - {"format", "defines", "cue_sets", "categories", "signals", "combinations"}
    if unknown_top:
        raise ctx.error([sorted(unknown_top)[0]], "unknown top-level key")
    if data.get("format") not in SUPPORTED_FORMATS:
        raise ctx.error(
            ["format"], f"unsupported format {data.get('format')!r}; supported: {SUPPORTED_FORMATS}"
        )

    defines: dict[str, str] = {}
    raw_defines = data.get("defines") or {}
    if not isinstance(raw_defines, dict):
        raise ctx.error(["defines"], "must be a mapping NAME: regex")
    for k, v in raw_defines.items():
        if not isinstance(k, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", k) or not isinstance(v, str):
            raise ctx.error(["defines", str(k)], "define names are UPPER_CASE and values are regex strings")
        defines[k] = f"(?:{_expand(ctx, ['defines', k], v, defines)})"  # may use earlier defines
        _compile(ctx, ["defines", k], defines[k], check_only=True)

    cue_sets: dict[str, list[str]] = {}
    raw_cues = data.get("cue_sets") or {}
    if not isinstance(raw_cues, dict):
        raise ctx.error(["cue_sets"], "must be a mapping name: [regex, ...]")
    for k, v in raw_cues.items():
        cue_sets[str(k)] = _str_list(ctx, ["cue_sets", str(k)], v, allow_empty=False)

    raw_cats = data.get("categories")
    if not isinstance(raw_cats, dict):
        raise ctx.error(["categories"], "must be a mapping with one entry per category")
    cats: dict[str, CategoryConfig] = {}
    for name in CATEGORIES:
        if name not in raw_cats:
            raise ctx.error(["categories"], f"missing category {name!r}")
    for name, cfg in raw_cats.items():
        w: list[str | int] = ["categories", str(name)]
        if name not in CATEGORIES:
            raise ctx.error(w, f"unknown category {name!r} (known: {', '.join(CATEGORIES)})")
        if not isinstance(cfg, dict):
            raise ctx.error(w, "must be a mapping")
        if set(cfg) - _CATEGORY_KEYS:
            raise ctx.error([*w, sorted(set(cfg) - _CATEGORY_KEYS)[0]], "unknown key")
        band = cfg.get("review_band", [0.5, 0.5])
        if not (isinstance(band, list) and len(band) == 2):
            raise ctx.error([*w, "review_band"], "must be [low, high]")
        lo = _num(ctx, [*w, "review_band", 0], band[0], 0, 1)
        hi = _num(ctx, [*w, "review_band", 1], band[1], 0, 1)
        if lo > hi:
            raise ctx.error([*w, "review_band"], "low must not exceed high")
        cats[name] = CategoryConfig(
            name=name,
            bias=_num(ctx, [*w, "bias"], cfg.get("bias", 0.0), -50, 50),
            scale=_num(ctx, [*w, "scale"], cfg.get("scale", 1.0), 0.01, 50),
            threshold=_num(ctx, [*w, "threshold"], cfg.get("threshold", 0.5), 0, 1),
            review_band=(lo, hi),
        )

    raw_signals = data.get("signals")
    if not isinstance(raw_signals, list) or not raw_signals:
        raise ctx.error(["signals"], "must be a non-empty list")
    signals: list[Signal] = []
    seen: set[str] = set()
    always: set[int] = set()
    for i, raw in enumerate(raw_signals):
        w = ["signals", i]
        if not isinstance(raw, dict):
            raise ctx.error(w, "each signal must be a mapping")
        if set(raw) - _SIGNAL_KEYS:
            bad = sorted(set(raw) - _SIGNAL_KEYS)[0]
            raise ctx.error([*w, bad], f"unknown key {bad!r} (allowed: {', '.join(sorted(_SIGNAL_KEYS))})")
        name = raw.get("name")  # type: ignore[assignment]  # checked on the next line
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ctx.error([*w, "name"], f"name must match {_NAME_RE.pattern}, got {name!r}")
        if name in seen:
            raise ctx.error([*w, "name"], f"duplicate signal name {name!r}")
        seen.add(name)
        weights: dict[str, float] = {}
        if "weights" in raw:
            if "category" in raw or "weight" in raw:
                raise ctx.error([*w, "weights"], "use either `weights` or `category`+`weight`, not both")
            if not isinstance(raw["weights"], dict):
                raise ctx.error([*w, "weights"], "must be a mapping category: weight")
            for cat, val in raw["weights"].items():
                if cat not in CATEGORIES:
                    raise ctx.error([*w, "weights", str(cat)], f"unknown category {cat!r}")
                weights[cat] = _num(ctx, [*w, "weights", cat], val, -20, 20)
        elif raw.get("category") is not None:
            cat = raw["category"]
            if cat not in CATEGORIES:
                raise ctx.error(
                    [*w, "category"],
                    f"unknown category {cat!r} (known: {', '.join(CATEGORIES)}, "
                    "or null for a flag-only signal)",
                )
            if "weight" not in raw:
                raise ctx.error([*w, "weight"], "a signal with a category needs a weight")
            weights[cat] = _num(ctx, [*w, "weight"], raw["weight"], -20, 20)
        patterns = _str_list(ctx, [*w, "patterns"], raw.get("patterns"), allow_empty=False)
        expanded = [_expand(ctx, [*w, "patterns", j], p, defines) for j, p in enumerate(patterns)]
        for j, p in enumerate(expanded):
            _compile(ctx, [*w, "patterns", j], p, check_only=True)
        if any("(?P" in p or re.search(r"\\[1-9]", p) for p in expanded):
            # named groups and back-references are what can clash across patterns: check the alternation
            # (compiled for use only on first need, see `Signal.regex`)
            _compile(ctx, [*w, "patterns"], "|".join(f"(?:{p})" for p in expanded), check_only=True)
        keywords = tuple(
            normalize_keyword(k) for k in _str_list(ctx, [*w, "keywords"], raw.get("keywords", []))
        )
        if any(not k.strip() for k in keywords):
            raise ctx.error([*w, "keywords"], "keywords must not be blank after normalisation")
        fields = tuple(_str_list(ctx, [*w, "fields"], raw.get("fields", list(FIELDS)), allow_empty=False))
        for f in fields:
            if f not in FIELDS:
                raise ctx.error([*w, "fields"], f"unknown field {f!r} (known: {', '.join(FIELDS)})")
        nb, nw, na, naw = _negation(ctx, [*w, "negation"], raw.get("negation"), defines, cue_sets)
        max_spans = int(_num(ctx, [*w, "max_spans"], raw.get("max_spans", 5), 1, 100))
        window = int(_num(ctx, [*w, "window"], raw.get("window", 60), 10, 5000))
        idx = len(signals)
        signals.append(
            Signal(
                patterns=tuple(expanded),
                branches=tuple(br for p in expanded for br in split_branches(p)),
                name=name,
                weights=weights,
                keywords=keywords,
                fields=fields,
                negation_before=nb,
                negation_window=nw,
                negation_after=na,
                negation_after_window=naw,
                max_spans=max_spans,
                window=window,
                description=str(raw.get("description", "")),
            )
        )
        if not keywords:
            always.add(idx)
    combos: list[Combination] = []
    raw_combos = data.get("combinations") or []
    if not isinstance(raw_combos, list):
        raise ctx.error(["combinations"], "must be a list")
    known = {s.name for s in signals}
    for i, raw in enumerate(raw_combos):
        w = ["combinations", i]
        if not isinstance(raw, dict):
            raise ctx.error(w, "each combination must be a mapping")
        bad = sorted(set(raw) - {"name", "description", "all", "any", "none", "category", "weight", "weights"})
        if bad:
            raise ctx.error([*w, bad[0]], f"unknown key {bad[0]!r}")
        name = raw.get("name")  # type: ignore[assignment]  # checked on the next line
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or name in known:
            raise ctx.error([*w, "name"], f"bad or duplicate name {name!r}")
        all_of = tuple(_str_list(ctx, [*w, "all"], raw.get("all", []), allow_empty=True))
        any_of = tuple(_str_list(ctx, [*w, "any"], raw.get("any", []), allow_empty=True))
        none_of = tuple(_str_list(ctx, [*w, "none"], raw.get("none", []), allow_empty=True))
        for n in none_of:
            if n not in known:
                raise ctx.error([*w, "none"], f"unknown signal {n!r} (define it first)")
        if not all_of and not any_of:
            raise ctx.error(w, "a combination needs `all` and/or `any`")
        for j, n in enumerate((*all_of, *any_of)):
            if n not in known:
                raise ctx.error([*w, "all" if j < len(all_of) else "any"], f"unknown signal {n!r} (define it first)")
        cw: dict[str, float] = {}
        if isinstance(raw.get("weights"), dict):
            for cat, val in raw["weights"].items():
                if cat not in CATEGORIES:
                    raise ctx.error([*w, "weights", str(cat)], f"unknown category {cat!r}")
                cw[cat] = _num(ctx, [*w, "weights", cat], val, -20, 20)
        elif raw.get("category") is not None:
            if raw["category"] not in CATEGORIES:
                raise ctx.error([*w, "category"], f"unknown category {raw['category']!r}")
            cw[raw["category"]] = _num(ctx, [*w, "weight"], raw.get("weight"), -20, 20)
        combos.append(Combination(name, all_of, any_of, cw, str(raw.get("description", "")), none_of))
        known.add(name)
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return RuleSet(
        version=version,
        categories=cats,
        signals=tuple(signals),
        source=str(path),
        combinations=tuple(combos),
        _always=frozenset(always),
    )


def load_rules(config_dir: Path) -> RuleSet:
    """Load `config_dir/rules.yaml`; raises RulesError with file/line/field context on bad config."""
    path = Path(config_dir) / RULES_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: rules file is not UTF-8: {exc}") from exc
    rs = parse_rules(text, path)
    try:
        model = load_model(Path(config_dir))
    except LexicalError as exc:
        raise RulesError(str(exc)) from exc
    if model is not None:
        # The classifier's version covers both files: a retrained model is a new classifier.
        both = hashlib.sha256(raw + b"\0" + model.version.encode("ascii")).hexdigest()[:12]
        rs = dataclasses.replace(rs, lexical=model, version=both)
    if _hs is not None:  # build (or load) the Hyperscan database now, with its on-disk cache
        rs._hs_ready(hs_cache_dir())
    # The version hashes rules.yaml's bytes exactly (parse_rules hashed the decoded text, same for UTF-8),
    # with the lexical model's own version when there is one.
    return rs
