"""The lexical model: a learned second opinion beside the rules.

The rules (``config/rules.yaml``) name behaviours; they are precise but only see what someone wrote a
pattern for. Fresh labelled sets kept showing the same gap: a scam told in words no signal knows
("a free 5-page translation test", "got my e-mail from my profile") scores nothing. The lexical model
covers that gap with what a few thousand labelled tickets say about word use, and the rules keep
deciding where they are sure.

Model: tf-idf of word unigrams and bigrams over the *normalised* text (:mod:`triage.textnorm`, the view
the signals match), sublinear term frequency, L2-normalised, and one logistic regression per target
(``scam_suspicion``, ``off_platform_payment``, ``money_lost``). Every digit reads as ``#``, so an amount
is its shape (``$#,###``), not a vocabulary item. It is trained by ``triage lexical train`` (scikit-learn,
the ``train`` extra) on the project's own labelled sets; inference here is plain Python.

Stack: a category's score is ``sigmoid(a * rules_logit + d + Σ_t b_t * model_logit_t)`` where
``rules_logit = scale * (bias + Σ weights)`` (see :func:`triage.classify.classify`) and a, d and b (one per
target) are the category's `stack` entry: a second logistic regression, fitted by ``triage lexical train``
on out-of-fold logits (each ticket judged by a model that never saw its file), so the combined score is
calibrated and may use one target's logit for another (money lost outside is off-platform money); half
of it is shipped, half the plain blend (see ``triage.lexical_train.STACK_SHRINK``). An
older file's ``blend`` ({category: w}) reads as a = 1, d = 0, b = w for the category's own target. The
model's own
probability for each target is kept in ``Classification.model_scores``, so the escalation policy can
use it (``model_scores`` in a flag's ``when``). Evidence: the terms that pushed a target up the most,
with their spans in the original text, as evidence of the signal ``lexical_model``.

File format (``config/lexical.json``, optional; without it the classifier is the rules alone)::

    {"format": 1, "targets": [...], "intercepts": [...],
     "stack": {category: {"rules": a, "intercept": d, "model": {target: b}}}   (or "blend": {category: w}),
     "features": {term: [idf, weight per target...]}, "training": {...provenance...}}
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from triage.schemas import CATEGORIES

# The optional C accelerator of `LexicalModel.judge_texts` (triage/_lexfast.c, compiled by `pip install` where
# a C compiler is present). Same figures bit for bit (tests/unit/test_lexfast.py); TRIAGE_PURE_PYTHON=1
# switches it off (to compare, or to rule it out).
# A build of another version of the C file (a stale .so beside newer Python code, e.g. after `git pull` without
# reinstalling) is ignored, with the reason kept in LEXFAST_UNUSED, rather than failing on every ticket.
LEXFAST_ABI = 5
LEXFAST_UNUSED = ""
_lexfast: Any
try:
    if os.environ.get("TRIAGE_PURE_PYTHON", "").strip().lower() not in ("", "0", "false", "no"):
        raise ImportError("TRIAGE_PURE_PYTHON is set")
    from triage import _lexfast  # type: ignore[attr-defined,no-redef,unused-ignore]

    if getattr(_lexfast, "ABI", None) != LEXFAST_ABI:
        raise ImportError(
            f"triage._lexfast was built from another version (ABI {getattr(_lexfast, 'ABI', None)}, this code "
            f"needs {LEXFAST_ABI}): reinstall (`pip install -e .` / `make install`) to rebuild it"
        )
    _c_source = Path(__file__).with_name("_lexfast.c")  # present in a checkout; a wheel ships the build only
    if _c_source.is_file():
        _built_from = getattr(_lexfast, "SOURCE", "")
        if _built_from != hashlib.sha256(_c_source.read_bytes()).hexdigest()[:16]:
            raise ImportError(
                f"triage._lexfast was built from another version of {_c_source.name} (a stale build): "
                "reinstall (`pip install -e .` / `make install`) to rebuild it"
            )
except ImportError as exc:
    _lexfast = None
    LEXFAST_UNUSED = str(exc)

MODEL_FILE = "lexical.json"
FORMAT = 1
TARGETS: tuple[str, ...] = (*CATEGORIES, "money_lost")
SIGNAL = "lexical_model"  # the evidence name of the model's spans
EXPLAIN_TOP = 3  # terms shown as evidence per target
EXPLAIN_MIN = 0.05  # a term must add at least this much to the logit to be shown
EXPLAIN_FROM = 0.5  # spans are found for a target the model leans towards (probability ≥ this, logit ≥ 0)
# The model speaks with full weight only about a ticket that has at least this many words or word pairs it
# knows and would show (not function words, not bare numbers); below, its logit moves towards the intercept
# in proportion. Without this a ticket of one known word ("123", "Telegram") carries the whole L2-normalised
# weight of that word. 10 is below all but ≈ 0.5 % of our labelled tickets (median 49).
MIN_TERMS = 10
# Nor may it argue *against* the rules about a ticket whose words it mostly does not know: its coverage is the share
# of the ticket's word tokens it could weigh (not function words, not bare numbers) that are in its vocabulary.
# A Greek or Czech ticket (median coverage ≈ 0.45 on our sets in those languages, against 0.85–1.00 for English,
# Spanish, Portuguese and French) reads to it as a handful of known names ("IRIS", "Viber") and its intercepts, a
# low score that says "I do not know these words", not "this is not a case". Below COVERAGE_FULL the share of its
# argument that lowers a category's score under the rules' own (`triage.classify`) shrinks in proportion, to none
# at COVERAGE_NONE; an argument that raises the score is kept whole (what it recognises still counts).
COVERAGE_FULL = 0.7
COVERAGE_NONE = 0.3

# A term is a word of the normalised text with every ASCII digit read as "#": an amount is its shape
# ("#,###"), not a vocabulary item. The translation keeps offsets, so spans need no map.
_DIGITS = str.maketrans("0123456789", "##########")
_TOKEN = re.compile(r"[\w#]+(?:'[\w#]+)*")
# Function words carry signal for the model ("they", "he" point at a counterparty) but explain nothing to
# an agent: a term made only of these (or of digits) is never shown as evidence.
_NOT_SHOWN = frozenset(
    """a about after again all also am an and any are as at be been before but by can could did didn't do
    does don't for from had has have he her here him his how i i'm if in into is it it's its just me more my
    no not now of on once only or other our out over she so some than that the their them then there these
    they this those to too up us very was we were what when where which who will with would you your
    de la el los las lo le les un una unos y o que en por para con se su sus es al del mi me te yo
    du des et ou est pas ne je il elle nous vous ils au aux ce cette qui sur mon ma mes
    em do da dos das no na nos nas um uma e com seu sua eu ele ela meu minha
    der die das und ist nicht ich er sie ein eine mit von zu den dem
    haven't hasn't hadn't wasn't weren't isn't aren't can't couldn't won't wouldn't shouldn't doesn't
    i've i'll i'd you're you've we're we've they're they've he's she's that's there's let's""".split()  # noqa: SIM905
)


# A ticket's known terms as `judge` gives them, (term, v, weights) each, or as the accelerator packs them.
Known = Sequence[tuple[str, float, tuple[float, ...]]] | bytes
_K = TypeVar("_K", bound=Known)


class LexicalError(Exception):
    """The model file is unreadable or invalid; the message names the file and the problem."""


def term_counts(texts: Sequence[str]) -> dict[str, int]:
    """Unigram and bigram counts over several fields (bigrams never cross a field boundary)."""
    counts: dict[str, int] = {}
    get = counts.get
    for text in texts:
        terms = _TOKEN.findall(text.translate(_DIGITS))
        for t in terms:
            counts[t] = get(t, 0) + 1
        for a, b in pairwise(terms):
            bg = a + " " + b
            counts[bg] = get(bg, 0) + 1
    return counts


class Features(Mapping[str, tuple[float, tuple[float, ...]]]):
    """term -> (idf, weight per target): the vocabulary held compactly — one float array (idf and weights, row
    after row) and a term -> row index — instead of a tuple of floats per term (≈ 7 MB per worker process for
    23,000 terms, against ≈ 3 MB here). Reads like the dict it replaces; the C accelerator reads the same
    array."""

    __slots__ = ("index", "k", "table", "terms")

    def __init__(self, terms: list[str], table: array[float], k: int) -> None:
        if len(table) != len(terms) * (k + 1):
            raise ValueError("the table must hold k + 1 numbers per term")
        self.terms = terms
        self.table = table
        self.k = k
        self.index = {t: r for r, t in enumerate(terms)}
        if len(self.index) != len(terms):
            raise ValueError("duplicate term")

    @classmethod
    def of(cls, mapping: Mapping[str, tuple[float, Sequence[float]]], k: int) -> Features:
        table = array("d")
        terms = []
        for term, (idf, w) in mapping.items():
            if len(w) != k:
                raise ValueError(f"features[{term!r}] has {len(w)} weights, not {k}")
            terms.append(term)
            table.append(idf)
            table.extend(w)
        return cls(terms, table, k)

    def __getitem__(self, term: str) -> tuple[float, tuple[float, ...]]:
        o = self.index[term] * (self.k + 1)
        t = self.table
        return t[o], tuple(t[o + 1 : o + 1 + self.k])

    def __contains__(self, term: object) -> bool:
        return term in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class LexicalModel:
    version: str  # first 12 hex of sha256(file bytes)
    targets: tuple[str, ...]
    intercepts: tuple[float, ...]
    # term -> (idf, weight per target); any mapping given is stored as `Features` (compact)
    features: Mapping[str, tuple[float, tuple[float, ...]]]
    training: Mapping[str, Any] = field(default_factory=dict)
    # category -> (rules coefficient a, intercept d, model coefficient per target b): the category's logit
    # is a * rules_logit + d + Σ b[i] * logit[i]. parse_model builds it from an older file's `blend`.
    stack: Mapping[str, tuple[float, float, tuple[float, ...]]] = field(default_factory=dict)
    # Vocabulary terms never shown as evidence and not counted towards MIN_TERMS (function words, numbers).
    hidden: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    # The C accelerator's view of the features (its vocabulary table; the idf/weight array is `features.table`),
    # built on first use; never copied by `dataclasses.replace` (a replaced model may have other features).
    _native: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.features, Features):
            object.__setattr__(self, "features", Features.of(self.features, len(self.intercepts)))
        elif self.features.k != len(self.intercepts):
            raise ValueError(f"features carry {self.features.k} weights per term for {len(self.intercepts)} targets")
        object.__setattr__(self, "hidden", frozenset(t for t in self.features if _function_words(t)))

    def combine(self, category: str, rules_logit: float, logits: Sequence[float]) -> float:
        """The category's logit from the rules' logit and the model's logits (`judge` order); the rules'
        logit unchanged for a category the model does not score."""
        entry = self.stack.get(category)
        if entry is None:
            return rules_logit
        a, d, b = entry
        x = a * rules_logit + d
        for w, z in zip(b, logits, strict=True):
            x += w * z
        return x

    def own_weight(self, category: str) -> float:
        """The stack's coefficient on the category's own target: how the model's spans for that target
        weigh in the category's evidence (0 when the model does not score it)."""
        entry = self.stack.get(category)
        if entry is None or category not in self.targets:
            return 0.0
        return entry[2][self.targets.index(category)]

    def _damping(self, shown: int) -> float:
        return 1.0 if shown >= MIN_TERMS else shown / MIN_TERMS

    def vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """The ticket's L2-normalised tf-idf vector over the model's vocabulary (unknown terms dropped)."""
        feats = self.features
        vec: dict[str, float] = {}
        sq = 0.0
        for term, n in counts.items():
            entry = feats.get(term)
            if entry is not None:
                v = (1.0 + math.log(n)) * entry[0]
                vec[term] = v
                sq += v * v
        if sq > 0.0:
            inv = 1.0 / math.sqrt(sq)
            for term in vec:
                vec[term] *= inv
        return vec

    def logits(self, vec: Mapping[str, float]) -> list[float]:
        """Decision value per target (log-odds), in `targets` order; damped below MIN_TERMS shown terms."""
        z = [0.0] * len(self.intercepts)
        feats = self.features
        k = len(z)
        for term, v in vec.items():
            w = feats[term][1]
            for i in range(k):
                z[i] += v * w[i]
        d = self._damping(sum(1 for t in vec if t not in self.hidden))
        return [b + d * x for b, x in zip(self.intercepts, z, strict=True)]

    def judge(
        self, counts: Mapping[str, int]
    ) -> tuple[list[float], list[tuple[str, float, tuple[float, ...]]], float, float]:
        """One pass for the classifier: (logit per target, [(term, tf-idf before normalising, weights)], scale,
        coverage), where `scale` (1/norm × the MIN_TERMS damping) turns a raw tf-idf × weight into its share of
        the logit and `coverage` is the share of the ticket's word tokens the model knows (see COVERAGE_FULL).

        Same figures as ``logits(vector(counts))`` (a unit test holds them equal), without building the vector;
        the shipped three targets take an unrolled loop (≈ 40 % cheaper than one sum per target).
        """
        feats = self.features
        assert isinstance(feats, Features)
        index = feats.index
        tab = feats.table
        hidden = self.hidden
        known: list[tuple[str, float, tuple[float, ...]]] = []
        sq = 0.0
        shown = 0
        log = math.log
        k = len(self.intercepts)
        covered, eligible = _coverage_counts(counts, index, hidden)
        if k == 3:
            a0 = a1 = a2 = 0.0
            for term, n in counts.items():
                r = index.get(term)
                if r is not None:
                    o = 4 * r
                    idf = tab[o]
                    v = idf if n == 1 else (1.0 + log(n)) * idf
                    sq += v * v
                    w = (tab[o + 1], tab[o + 2], tab[o + 3])
                    a0 += v * w[0]
                    a1 += v * w[1]
                    a2 += v * w[2]
                    known.append((term, v, w))
                    if term not in hidden:
                        shown += 1
            acc = [a0, a1, a2]
        else:
            acc = [0.0] * k
            for term, n in counts.items():
                r = index.get(term)
                if r is not None:
                    o = (k + 1) * r
                    idf = tab[o]
                    v = idf if n == 1 else (1.0 + log(n)) * idf
                    sq += v * v
                    wk: tuple[float, ...] = tuple(tab[o + 1 : o + 1 + k])
                    for i in range(k):  # a plain running sum, as the C accelerator adds (sum() compensates on 3.12+)
                        acc[i] += v * wk[i]
                    known.append((term, v, wk))
                    if term not in hidden:
                        shown += 1
        return self._logits(acc, sq, shown, known, covered, eligible)

    def judge_texts(self, texts: Sequence[str]) -> tuple[list[float], Known, float, float]:
        """``judge(term_counts(texts))``: by the C accelerator when it is built (the same figures bit for bit:
        same terms, visited in the same order, the same arithmetic), else in Python. The known terms come
        back in a form only `explain` reads (packed bytes from the accelerator, `judge`'s list otherwise)."""
        fast = _lexfast
        if fast is None:
            return self.judge(term_counts(texts))
        st = self._native
        if not st:
            feats = self.features
            assert isinstance(feats, Features)
            st.update(
                vocab=fast.vocab(feats.terms),
                table=feats.table,
                hidden=bytes(t in self.hidden for t in feats.terms),
                terms=feats.terms,
            )
        acc, sq, shown, known, covered, eligible = fast.judge(
            texts, st["vocab"], st["table"], len(self.intercepts), st["hidden"]
        )
        return self._logits(acc, sq, shown, known, covered, eligible)

    def _logits(
        self, acc: Sequence[float], sq: float, shown: int, known: _K, covered: int, eligible: int
    ) -> tuple[list[float], _K, float, float]:
        """(logit per target, known, scale, coverage) from the sums of one pass, `judge`'s or the accelerator's."""
        coverage = covered / eligible if eligible else 1.0
        if not known:
            return list(self.intercepts), known, 0.0, coverage
        scale = self._damping(shown) / math.sqrt(sq)
        return [b + scale * a for b, a in zip(self.intercepts, acc, strict=True)], known, scale, coverage

    def explain(self, known: Known, scale: float, i: int, n: int = EXPLAIN_TOP) -> list[tuple[str, float]]:
        """The `n` terms (of `judge`'s or `judge_texts`'s output) that raised target `i`'s logit the most,
        largest first, with their share of the logit: each adds ≥ EXPLAIN_MIN, and none is only function
        words or numbers (those weigh in the score but explain nothing to an agent)."""
        return [(t, c) for t, c, _ in self.explain_at(known, scale, i, n)]

    def explain_at(
        self, known: Known, scale: float, i: int, n: int = EXPLAIN_TOP, views: Sequence[str] | None = None
    ) -> list[tuple[str, float, tuple[int, int, int] | None]]:
        """`explain`, each term with where it first occurs as whole tokens: (field index, start, end) in the
        normalised fields. The accelerator's pass recorded it while tokenising; otherwise `term_span` finds it in
        `views` (the fields through `digits_as_hash`; None: not looked for)."""
        floor = EXPLAIN_MIN / scale if scale else math.inf
        if isinstance(known, bytes):  # the accelerator's packed terms: the same selection, in C
            st = self._native
            top = _lexfast.top(known, st["table"], len(self.intercepts), st["hidden"], st["terms"], i, floor, n)
            return [(t, c * scale, (f, a, b)) for t, c, f, a, b in top]
        hidden = self.hidden
        best = [(v * w[i], t) for t, v, w in known if v * w[i] >= floor and t not in hidden]
        best.sort(key=lambda c: (-c[0], c[1]))
        return [(t, c * scale, term_span(t, views) if views is not None else None) for c, t in best[:n]]


def trust(coverage: float) -> float:
    """How much of the model's argument against the rules counts, from its coverage of the ticket: 1 at or above
    COVERAGE_FULL, 0 at or below COVERAGE_NONE, linear between."""
    if coverage >= COVERAGE_FULL:
        return 1.0
    if coverage <= COVERAGE_NONE:
        return 0.0
    return (coverage - COVERAGE_NONE) / (COVERAGE_FULL - COVERAGE_NONE)


def _coverage_counts(counts: Mapping[str, int], index: Mapping[str, int], hidden: frozenset[str]) -> tuple[int, int]:
    """(covered, eligible) word tokens of `term_counts` output, as the C accelerator counts them: a unigram (a term
    without a space) is eligible when known and not hidden, or unknown with a character other than '#' and "'";
    covered when eligible and known."""
    covered = eligible = 0
    for term, n in counts.items():
        if " " in term:
            continue
        if term in index:
            if term not in hidden:
                covered += n
                eligible += n
        elif term.strip("#'"):
            eligible += n
    return covered, eligible


def _function_words(term: str) -> bool:
    return all(w in _NOT_SHOWN or not w.strip("#'.,") for w in term.split(" "))


# A term occurs where its words stand as whole tokens (see _TOKEN): not glued to a word character, nor to
# an apostrophe joined to one, on either side; a word pair's words are separated by non-word characters.
_START = r"(?<![\w#])(?<![\w#]')"
_END = r"(?![\w#])(?!'[\w#])"
_SPAN_RE: dict[str, re.Pattern[str]] = {}
_SPAN_RE_MAX = 4096  # shown terms are the strongest few of each ticket: a few thousand cover a workload


def term_span(term: str, texts: Sequence[str]) -> tuple[int, int, int] | None:
    """(field index, start, end) of a unigram/bigram term's first occurrence as whole tokens, searching
    `texts` — normalised fields with digits read as "#" (`digits_as_hash`) — in order; None if absent.

    Equal to tokenising each field (`_TOKEN` over `digits_as_hash`) and finding the first run of tokens that
    spells the term (a unit test compares both); a compiled search per term is several times cheaper.
    """
    rx = _SPAN_RE.get(term)
    if rx is None:
        if len(_SPAN_RE) >= _SPAN_RE_MAX:  # bounded memory (a compiled search is ≈ 1–2 KB)
            _SPAN_RE.clear()
        rx = _SPAN_RE[term] = re.compile(
            "[^\\w#]+".join(_START + re.escape(w) + _END for w in term.split(" "))
        )
    for k, text in enumerate(texts):
        m = rx.search(text)
        if m is not None:
            return k, m.start(), m.end()
    return None


def digits_as_hash(text: str) -> str:
    """The view terms are read from (every ASCII digit as "#"); offsets are those of `text`."""
    return text.translate(_DIGITS)


def parse_model(raw: bytes, path: Path = Path(MODEL_FILE)) -> LexicalModel:
    """Parse and check a model file; raises LexicalError naming the file and the field."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LexicalError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LexicalError(f"{path}: the model file must be a JSON object")
    if data.get("format") != FORMAT:
        raise LexicalError(f"{path}: `format` must be {FORMAT}, got {data.get('format')!r}")
    targets = data.get("targets")
    if not isinstance(targets, list) or not targets or any(t not in TARGETS for t in targets):
        raise LexicalError(f"{path}: `targets` must be a non-empty list drawn from {list(TARGETS)}")
    if len(set(targets)) != len(targets):
        raise LexicalError(f"{path}: `targets` has a duplicate")
    k = len(targets)

    def num(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise LexicalError(f"{path}: {where} must be a finite number, got {v!r}")
        return float(v)

    icpt = data.get("intercepts")
    if not isinstance(icpt, list) or len(icpt) != k:
        raise LexicalError(f"{path}: `intercepts` must be a list of {k} numbers (one per target)")
    intercepts = tuple(num(v, f"intercepts[{i}]") for i, v in enumerate(icpt))
    blend_raw = data.get("blend", {})
    if not isinstance(blend_raw, dict):
        raise LexicalError(f"{path}: `blend` must be an object {{category: weight}}")
    if blend_raw and "stack" in data:
        raise LexicalError(f"{path}: give `stack` or `blend`, not both")
    stack: dict[str, tuple[float, float, tuple[float, ...]]] = {}
    for cat, v in blend_raw.items():
        if cat not in CATEGORIES or cat not in targets:
            raise LexicalError(f"{path}: blend: {cat!r} is not a category the model predicts")
        w = num(v, f"blend.{cat}")
        if not 0.0 <= w <= 10.0:
            raise LexicalError(f"{path}: blend.{cat} must be within [0, 10], got {w}")
        stack[cat] = (1.0, 0.0, tuple(w if t == cat else 0.0 for t in targets))
    stack_raw = data.get("stack", {})
    if not isinstance(stack_raw, dict):
        raise LexicalError(f"{path}: `stack` must be an object {{category: {{rules, intercept, model}}}}")
    for cat, entry in stack_raw.items():
        where = f"stack.{cat}"
        if cat not in CATEGORIES:
            raise LexicalError(f"{path}: stack: {cat!r} is not a category")
        if not isinstance(entry, dict) or set(entry) != {"rules", "intercept", "model"}:
            raise LexicalError(f"{path}: {where} must be an object with exactly `rules`, `intercept` and `model`")
        a = num(entry["rules"], f"{where}.rules")
        if not 0.0 <= a <= 10.0:
            raise LexicalError(f"{path}: {where}.rules must be within [0, 10], got {a}")
        d = num(entry["intercept"], f"{where}.intercept")
        model_raw = entry["model"]
        if not isinstance(model_raw, dict) or any(t not in targets for t in model_raw):
            raise LexicalError(f"{path}: {where}.model must be an object {{target: weight}} over `targets`")
        b = tuple(num(model_raw.get(t, 0.0), f"{where}.model.{t}") for t in targets)
        if max(abs(d), *map(abs, b)) > 50.0:
            raise LexicalError(f"{path}: {where}: intercept and model weights must be within [-50, 50]")
        stack[cat] = (a, d, b)
    feats_raw = data.get("features")
    if not isinstance(feats_raw, dict) or not feats_raw:
        raise LexicalError(f"{path}: `features` must be a non-empty object {{term: [idf, weights...]}}")
    terms: list[str] = []
    table = array("d")
    for term, row in feats_raw.items():
        if not isinstance(row, list) or len(row) != k + 1:
            raise LexicalError(f"{path}: features[{term!r}] must be [idf, one weight per target] ({k + 1} numbers)")
        vals = [num(v, f"features[{term!r}]") for v in row]
        if vals[0] <= 0:
            raise LexicalError(f"{path}: features[{term!r}]: idf must be positive")
        if "\0" in term:
            raise LexicalError(f"{path}: features[{term!r}]: a term holds no NUL (no token can)")
        terms.append(term)
        table.extend(vals)
    # The parsed rows go; the terms are copied out of the parser's memory first, so the freed rows do not
    # stay pinned between them (≈ 3.5 MB less resident per worker process).
    blob = "\0".join(terms)
    del feats_raw, terms
    data.pop("features", None)
    features = Features(blob.split("\0"), table, k)
    del blob
    training = data.get("training", {})
    return LexicalModel(
        version=hashlib.sha256(raw).hexdigest()[:12],
        targets=tuple(targets),
        intercepts=intercepts,
        features=features,
        training=training if isinstance(training, dict) else {},
        stack=stack,
    )


def load_model(config_dir: Path) -> LexicalModel | None:
    """`config_dir/lexical.json`, or None when the file is absent (the classifier is then the rules alone)."""
    path = Path(config_dir) / MODEL_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LexicalError(f"{path}: cannot read the model file: {exc.strerror or exc}") from exc
    return parse_model(raw, path)
