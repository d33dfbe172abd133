"""The lexical model (triage.lexical): features, file format, the blend in classify, the policy condition,
training (triage.lexical_train) and the shipped model's provenance."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from triage import lexical
from triage.classify import RulesError, classify, load_rules, parse_rules
from triage.escalate import PolicyError, escalate, load_policy, parse_policy
from triage.lexical import (
    MODEL_FILE,
    SIGNAL,
    LexicalError,
    load_model,
    parse_model,
    term_counts,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
DATA = ROOT / "tests" / "data"
TARGETS = ["scam_suspicion", "off_platform_payment", "money_lost"]


def _model(features: dict[str, list[float]], intercepts=(0.0, 0.0, 0.0), blend=None) -> dict:
    return {
        "format": 1,
        "targets": TARGETS,
        "intercepts": list(intercepts),
        "blend": blend if blend is not None else {"scam_suspicion": 1.0, "off_platform_payment": 1.0},
        "features": features,
    }


def _raw(doc: dict) -> bytes:
    return json.dumps(doc).encode()


# --------------------------------------------------------------------------- features


def test_terms_are_words_and_bigrams_within_a_field() -> None:
    counts = term_counts(["pay me", "pay me outside"])
    assert counts == {"pay": 2, "me": 2, "pay me": 2, "outside": 1, "me outside": 1}
    assert "me pay" not in counts  # no bigram across the subject/body boundary


def test_digits_read_as_hash_and_apostrophes_stay_inside_words() -> None:
    counts = term_counts(["i didn't pay 450 or 1,200 'dollars' (2fa)"])
    assert counts["###"] == 2 and counts["#"] == 1  # 450, 200 and 1: an amount is its shape
    assert counts["#fa"] == 1 and counts["pay ###"] == 1
    assert counts["didn't"] == 1 and "didn" not in counts
    assert counts["dollars"] == 1 and "'dollars'" not in counts


def test_vector_is_l2_normalised_sublinear_tfidf_over_known_terms() -> None:
    m = parse_model(_raw(_model({"pay": [2.0, 1, 0, 0], "telegram": [1.5, 0, 1, 0]})))
    vec = m.vector({"pay": 3, "telegram": 1, "unknown": 5})
    a, b = (1 + math.log(3)) * 2.0, 1.5
    norm = math.hypot(a, b)
    assert vec == pytest.approx({"pay": a / norm, "telegram": b / norm})
    z = m.logits(vec)
    damping = 2 / 10  # two shown terms of MIN_TERMS
    assert z == pytest.approx([damping * a / norm, damping * b / norm, 0.0])
    assert m.vector({"unknown": 1}) == {} and m.logits({}) == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------- file format


def _stacked(stack: object) -> bytes:
    return _raw({**_model({"a": [1, 0, 0, 0]}, blend={}), "stack": stack})


BAD_MODELS = [
    (b"{not json", "not valid UTF-8 JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (_raw({**_model({"a": [1, 0, 0, 0]}), "format": 2}), "`format` must be 1"),
    (_raw({**_model({"a": [1, 0, 0, 0]}), "targets": ["scam_suspicion", "spam", "money_lost"]}), "`targets`"),
    (_raw({**_model({"a": [1, 0, 0, 0]}), "targets": ["money_lost", "money_lost", "money_lost"]}), "duplicate"),
    (_raw({**_model({"a": [1, 0, 0, 0]}), "intercepts": [0, 0]}), "`intercepts` must be a list of 3"),
    (_raw(_model({"a": [1, 0, 0]})), "features['a'] must be [idf, one weight per target] (4 numbers)"),
    (_raw(_model({"a": [0, 0, 0, 0]})), "idf must be positive"),
    (_raw(_model({"a": [1, "x", 0, 0]})), "must be a finite number"),
    (b'{"format": 1, "targets": ["money_lost"], "intercepts": [NaN], "features": {"a": [1, 0]}}', "finite number"),
    (_raw(_model({}, blend={})), "`features` must be a non-empty object"),
    (_raw(_model({"a": [1, 0, 0, 0]}, blend={"money_lost": 1.0})), "blend: 'money_lost' is not a category"),
    (_raw(_model({"a": [1, 0, 0, 0]}, blend={"scam_suspicion": 11})), "within [0, 10]"),
    (_raw({**_model({"a": [1, 0, 0, 0]}), "stack": {}}), "give `stack` or `blend`, not both"),
    (_stacked([]), "`stack` must be an object"),
    (_stacked({"spam": {}}), "stack: 'spam' is not a category"),
    (_stacked({"scam_suspicion": {"rules": 1, "model": {}}}), "exactly `rules`, `intercept` and `model`"),
    (_stacked({"scam_suspicion": {"rules": -1, "intercept": 0, "model": {}}}), "rules must be within [0, 10]"),
    (_stacked({"scam_suspicion": {"rules": 1, "intercept": 0, "model": {"spam": 1}}}), "model must be an object"),
    (_stacked({"scam_suspicion": {"rules": 1, "intercept": 99, "model": {}}}), "within [-50, 50]"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_MODELS, ids=[m for _, m in BAD_MODELS])
def test_a_bad_model_file_is_refused_with_file_and_reason(raw: bytes, message: str) -> None:
    with pytest.raises(LexicalError) as exc:
        parse_model(raw, Path("/cfg/lexical.json"))
    assert str(exc.value).startswith("/cfg/lexical.json: ")
    assert message in str(exc.value)


def _config_copy(tmp_path: Path, model: bytes | None) -> Path:
    cfg = tmp_path / "config"
    shutil.copytree(CONFIG, cfg)
    if model is None:
        (cfg / MODEL_FILE).unlink()
    else:
        (cfg / MODEL_FILE).write_bytes(model)
    return cfg


def test_without_a_model_file_the_classifier_is_the_rules_alone(tmp_path: Path) -> None:
    cfg = _config_copy(tmp_path, None)
    rules = load_rules(cfg)
    assert rules.lexical is None and load_model(cfg) is None
    text = (cfg / "rules.yaml").read_bytes()
    assert rules.version == hashlib.sha256(text).hexdigest()[:12]
    c = classify("Telegram", "The client asked me to continue on Telegram.", rules)
    assert c.model_scores == {} and c.model_evidence == {}
    assert all(e.signal != SIGNAL for e in c.evidence)


def test_a_broken_model_file_stops_the_config_from_loading(tmp_path: Path) -> None:
    cfg = _config_copy(tmp_path, b'{"format": 1}')
    with pytest.raises(RulesError, match=r"lexical\.json: `targets`"):
        load_rules(cfg)
    from triage.pipeline import ConfigError, load_config

    with pytest.raises(ConfigError, match=r"lexical\.json"):
        load_config(cfg)


# --------------------------------------------------------------------------- the blend

RULES_YAML = """
format: 1
categories:
  scam_suspicion: {bias: -2.0, scale: 1.2, threshold: 0.5, review_band: [0.4, 0.6]}
  off_platform_payment: {bias: -2.0, scale: 1.2, threshold: 0.5, review_band: [0.4, 0.6]}
signals:
  - name: training_fee
    category: scam_suspicion
    weight: 2.5
    keywords: [training fee]
    patterns: ['training fee']
"""


def _rules_with(model: dict):
    rules = parse_rules(RULES_YAML)
    return dataclasses.replace(rules, lexical=parse_model(_raw(model)))


# Twelve known words, each with tf 1 and idf 1: at MIN_TERMS or more, so the model speaks with full weight.
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"]


def _sig(x: float) -> float:
    return round(1 / (1 + math.exp(-x)), 4)


def test_category_score_is_sigmoid_of_rules_logit_plus_blended_model_logit() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats["recruiter"] = [1.0, 2.0, 0.0, 1.0]
    feats["fee"] = [1.0, 1.0, 0.0, 0.0]
    model = _model(feats, intercepts=(-0.5, -1.0, -2.0), blend={"scam_suspicion": 0.5, "off_platform_payment": 1.0})
    rules = _rules_with(model)
    c = classify("", "The recruiter wants a training fee: " + " ".join(WORDS), rules)
    x = 1 / math.sqrt(14)  # fourteen known terms, tf 1, idf 1
    z_scam, z_off, z_ml = -0.5 + 2 * x + 1 * x, -1.0, -2.0 + x
    # scale multiplies the rules' sum only, not the model's logit
    assert c.scores["scam_suspicion"] == _sig(1.2 * (-2.0 + 2.5) + 0.5 * z_scam)
    assert c.scores["off_platform_payment"] == _sig(1.2 * -2.0 + z_off)
    assert c.model_scores == {"scam_suspicion": _sig(z_scam), "off_platform_payment": _sig(z_off),
                              "money_lost": _sig(z_ml)}
    assert c.categories == ["scam_suspicion"]


def test_a_stacked_category_logit_combines_the_rules_and_every_target_logit() -> None:
    """`stack`: category logit = a × rules logit + d + Σ b_t × model logit_t — here off-platform reads the
    money_lost logit too, and a category the stack leaves out keeps the rules' logit."""
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats["recruiter"] = [1.0, 2.0, 0.0, 1.0]
    feats["fee"] = [1.0, 1.0, 0.0, 0.0]
    model = _model(feats, intercepts=(-0.5, -1.0, -2.0), blend={})
    model["stack"] = {"scam_suspicion": {"rules": 0.5, "intercept": 0.25,
                                         "model": {"scam_suspicion": 2.0, "money_lost": 0.5}}}
    rules = _rules_with(model)
    c = classify("", "The recruiter wants a training fee: " + " ".join(WORDS), rules)
    x = 1 / math.sqrt(14)
    z_scam, z_ml = -0.5 + 3 * x, -2.0 + x
    assert c.scores["scam_suspicion"] == _sig(0.5 * 1.2 * (-2.0 + 2.5) + 0.25 + 2.0 * z_scam + 0.5 * z_ml)
    assert c.scores["off_platform_payment"] == _sig(1.2 * -2.0)  # not in the stack: the rules alone
    assert c.rule_scores["scam_suspicion"] == _sig(1.2 * 0.5)
    # The model's spans weigh in the category's evidence by the stack's coefficient on the own target.
    ev = {e.start: e.weight for e in c.model_evidence["scam_suspicion"]}
    cat_ev = {e.start: e.weight for e in c.evidence if e.signal == SIGNAL and e.category == "scam_suspicion"}
    assert cat_ev == {k: pytest.approx(2.0 * w, abs=1e-4) for k, w in ev.items()} and cat_ev


def test_an_old_blend_reads_as_a_stack_of_the_own_target() -> None:
    m = parse_model(_raw(_model({"a": [1, 0, 0, 0]}, blend={"scam_suspicion": 0.7})))
    assert m.stack == {"scam_suspicion": (1.0, 0.0, (0.7, 0.0, 0.0))}
    assert m.combine("scam_suspicion", 2.0, [1.0, 5.0, 5.0]) == pytest.approx(2.7)
    assert m.combine("off_platform_payment", 2.0, [1.0, 5.0, 5.0]) == 2.0
    assert m.own_weight("scam_suspicion") == 0.7 and m.own_weight("off_platform_payment") == 0.0


def test_a_ticket_of_few_known_words_moves_the_model_towards_its_intercept() -> None:
    """One known word would otherwise carry the whole normalised weight ("123" escalated P1 in review)."""
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats["telegram"] = [1.0, 4.0, 0.0, 0.0]
    feats["###"] = [1.0, 9.0, 0.0, 9.0]
    rules = _rules_with(_model(feats, intercepts=(-1.0, -1.0, -1.0)))
    c = classify("", "123", rules)  # only a number: nothing shown, so nothing said
    assert c.model_scores == dict.fromkeys(("scam_suspicion", "off_platform_payment", "money_lost"), _sig(-1.0))
    assert c.categories == [] and c.model_evidence == {}
    c = classify("", "telegram", rules)  # one shown word of MIN_TERMS (10): a tenth of its weight
    assert c.model_scores["scam_suspicion"] == _sig(-1.0 + 4.0 / 10)
    c = classify("", "telegram " + " ".join(WORDS), rules)  # 13 shown: full weight
    assert c.model_scores["scam_suspicion"] == _sig(-1.0 + 4.0 / math.sqrt(13))


def test_coverage_is_the_share_of_weighable_word_tokens_the_model_knows() -> None:
    m = parse_model(_raw(_model({w: [1.0, 0.0, 0.0, 0.0] for w in WORDS} | {"the": [1.0, 0.0, 0.0, 0.0]})))
    assert "the" in m.hidden
    # Known words count; function words ("the"), numbers ("###") and word pairs do not; unknown words do,
    # each occurrence.
    assert m.judge(term_counts(["alpha the bravo 123 alpha"]))[3] == 1.0
    assert m.judge(term_counts(["alpha zulu zulu yankee"]))[3] == 0.25
    assert m.judge(term_counts(["42 the ''"]))[3] == 1.0  # nothing to weigh: nothing held against the model
    assert m.judge(term_counts(["καλησπέρα alpha"]))[3] == 0.5


def test_trust_is_full_above_coverage_full_none_below_coverage_none_and_linear_between() -> None:
    assert lexical.trust(1.0) == lexical.trust(lexical.COVERAGE_FULL) == 1.0
    assert lexical.trust(0.0) == lexical.trust(lexical.COVERAGE_NONE) == 0.0
    mid = (lexical.COVERAGE_FULL + lexical.COVERAGE_NONE) / 2
    assert lexical.trust(mid) == pytest.approx(0.5)


def test_a_model_that_does_not_know_the_words_cannot_argue_the_rules_down_but_can_argue_them_up() -> None:
    """A Greek ticket the rules read as a scam is a handful of unknown words to a model trained mostly on English:
    its low score is ignorance, not evidence against. Its argument below the rules' own logit shrinks with its
    coverage (none at COVERAGE_NONE); above it, it counts whole."""
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats["training"] = [1.0, -3.0, 0.0, 0.0]
    feats["fee"] = [1.0, -3.0, 0.0, 0.0]
    model = _model(feats, intercepts=(-4.0, -1.0, -1.0), blend={"scam_suspicion": 1.0})
    rules = _rules_with(model)
    rules_logit = 1.2 * (-2.0 + 2.5)
    unknown = " ".join(f"λέξη{i}" for i in range(18))  # 18 unknown words, 2 known: coverage 0.1
    c = classify("", f"training fee {unknown}", rules)
    assert c.signals.keys() == {"training_fee"} and c.model_scores["scam_suspicion"] < 0.01
    assert c.scores["scam_suspicion"] == c.rule_scores["scam_suspicion"] == _sig(rules_logit)
    assert c.categories == ["scam_suspicion"]
    # The same argument from a model that knows every word counts in full.
    c = classify("", "training fee " + " ".join(WORDS), rules)
    z = -4.0 + (-6.0 / math.sqrt(14)) * 1.0
    assert c.scores["scam_suspicion"] == _sig(rules_logit + z) and c.categories == []
    # Half-way (coverage 0.5: trust 0.5 with the shipped bounds): half of the argument against.
    half = " ".join(f"λέξη{i}" for i in range(14))  # 14 known (12 + training + fee), 14 unknown
    c = classify("", "training fee " + " ".join(WORDS) + " " + half, rules)
    t = lexical.trust(0.5)
    assert c.scores["scam_suspicion"] == pytest.approx(_sig(rules_logit + t * z), abs=1e-4)
    # An argument *for* the category is kept whole whatever the coverage.
    feats_up = {**feats, "training": [1.0, 3.0, 0.0, 0.0], "fee": [1.0, 3.0, 0.0, 0.0]}
    up = _rules_with(_model(feats_up, intercepts=(0.0, -1.0, -1.0), blend={"scam_suspicion": 1.0}))
    c = classify("", f"training fee {unknown}", up)
    z_up = (6.0 / math.sqrt(2)) * (2 / lexical.MIN_TERMS)  # two shown terms of MIN_TERMS: damped
    assert c.scores["scam_suspicion"] == _sig(rules_logit + z_up)


def test_judge_and_explain_give_the_reference_vector_logits_and_top_terms() -> None:
    """`judge`/`explain` (the classifier's one-pass path) against `vector`/`logits` and a brute-force top list."""
    shipped = load_model(CONFIG)
    assert shipped is not None
    rows = [json.loads(line) for line in (DATA / "check8.jsonl").read_text().splitlines()[:60]]
    from triage.textnorm import normalize

    for r in [*rows, {"subject": "", "body": "telegram 123"}, {"subject": "", "body": ""}]:
        counts = term_counts([normalize(r["subject"]).text, normalize(r["body"]).text])
        z, known, scale, _ = shipped.judge(counts)
        assert z == pytest.approx(shipped.logits(shipped.vector(counts)), abs=1e-9)
        vec = shipped.vector(counts)
        for i in range(len(shipped.targets)):
            ref = sorted(
                ((vec[t] * shipped.features[t][1][i] * (scale * math.sqrt(sum(v * v for _, v, _ in known))
                  if known else 0.0), t) for t in vec if t not in shipped.hidden),
                key=lambda c: (-c[0], c[1]),
            )
            ref = [(t, c) for c, t in ref if c >= 0.05][:3]
            got = shipped.explain(known, scale, i)
            assert [t for t, _ in got] == [t for t, _ in ref]
            assert [c for _, c in got] == pytest.approx([c for _, c in ref])


def test_model_evidence_points_at_the_original_text_and_skips_function_words_and_overlaps() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats.update({"deposito": [1.0, 3.0, 0.0, 2.0], "the": [1.0, 5.0, 0, 0], "link": [1.0, 1.0, 0, 0],
                  "deposito via": [1.0, 2.0, 0, 0]})
    rules = _rules_with(_model(feats))
    body = "<p>Hice el <b>DEPÓSITO</b> via the link</p> " + " ".join(WORDS)
    c = classify("hola", body, rules)
    ev = c.model_evidence["scam_suspicion"]
    # "the" weighs 5 but is a function word; the pair "deposito via" overlaps "deposito", shown first.
    assert [(e.start, e.end, e.text) for e in ev] == [(14, 22, "DEPÓSITO"), (35, 39, "link")]
    for e in ev:
        assert e.signal == SIGNAL and e.field == "body" and e.category == "scam_suspicion"
    assert ev[0].weight > ev[1].weight > 0
    assert [e.text for e in c.model_evidence["money_lost"]] == ["DEPÓSITO"]
    # The category's evidence carries the model's spans weighted by the blend.
    cat_ev = [e for e in c.evidence if e.signal == SIGNAL and e.category == "scam_suspicion"]
    assert sorted((e.start, e.weight) for e in cat_ev) == sorted((e.start, e.weight) for e in ev)  # blend 1.0


@pytest.mark.parametrize("targets", [["money_lost"], ["scam_suspicion", "off_platform_payment"], TARGETS])
def test_judge_equals_the_reference_for_any_number_of_targets(targets: list[str]) -> None:
    k = len(targets)
    feats = {w: [1.0 + i / 10, *[(i * (j + 1)) % 5 - 2.0 for j in range(k)]] for i, w in enumerate(WORDS)}
    doc = {"format": 1, "targets": targets, "intercepts": [0.1 * (j + 1) for j in range(k)], "features": feats}
    m = parse_model(_raw(doc))
    for words in (WORDS[:3], WORDS, WORDS + WORDS[:4], ["zzz"]):
        counts = term_counts([" ".join(words)])
        z, *_ = m.judge(counts)
        assert z == pytest.approx(m.logits(m.vector(counts)), abs=1e-12)


def _first_token_run(term: str, fields: list[list[tuple[str, int, int]]]) -> tuple[int, int, int] | None:
    parts = term.split(" ")
    n = len(parts)
    for k, ft in enumerate(fields):
        for j in range(len(ft) - n + 1):
            if [t for t, _, _ in ft[j:j + n]] == parts:
                return k, ft[j][1], ft[j + n - 1][2]
    return None


def test_term_span_finds_the_first_run_of_whole_tokens() -> None:
    """The compiled per-term search equals scanning the tokenised fields, for every term of real tickets."""
    from triage.lexical import _TOKEN, digits_as_hash, term_span
    from triage.textnorm import normalize

    def tokens(text: str) -> list[tuple[str, int, int]]:  # the reference: every token with its span
        return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(digits_as_hash(text))]

    tricky = [("", "don't pay 1,200$ 'now' o'clock ok"), ("x'y", "''pay me'' pay-me #1 ab_cd"), ("", "pay  me\npay me")]
    rows = [(r["subject"], r["body"]) for r in map(json.loads, (DATA / "check12.jsonl").read_text().splitlines()[:60])]
    n = 0
    for subject, body in [*tricky, *rows]:
        texts = [normalize(subject).text, normalize(body).text]
        fields = [tokens(t) for t in texts]
        views = [digits_as_hash(t) for t in texts]
        for term in term_counts(texts):
            assert term_span(term, views) == _first_token_run(term, fields), (term, subject)
            n += 1
        for absent in ("zzz", "pay zzz", "o", "don"):
            assert term_span(absent, views) == _first_token_run(absent, fields)
    assert n > 5_000


def test_a_word_pair_read_across_a_removed_html_block_is_not_shown() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats.update({"on telegram": [1.0, 5.0, 0, 0], "telegram": [1.0, 1.0, 0, 0]})
    rules = _rules_with(_model(feats))
    body = "continue on <style>" + "x{color:red}" * 400 + "</style> telegram " + " ".join(WORDS)
    c = classify("", body, rules)
    ev = c.model_evidence["scam_suspicion"]
    assert [e.text for e in ev] == ["telegram"]  # not 'on <style>…</style> telegram' (4,800 characters)
    assert c.model_scores["scam_suspicion"] > 0.5  # the pair still counts in the score


def test_a_category_the_model_argued_against_gets_no_model_spans() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats.update({"training": [1.0, 0.3, 0, 0], "refund": [1.0, -8.0, 0, 0]})
    rules = _rules_with(_model(feats))
    c = classify("", "They asked a training fee for a refund " + " ".join(WORDS), rules)
    assert c.model_scores["scam_suspicion"] < 0.5 and "scam_suspicion" not in c.model_evidence
    assert all(e.signal != SIGNAL for e in c.evidence)  # 'training' raised it a little: not shown as a cause


def test_engines_give_the_same_blended_result() -> None:
    rules = load_rules(CONFIG)
    assert rules.lexical is not None
    for subject, body in [("pago", "Le pagué 300 € por fuera, por WhatsApp."), ("x", "hello")]:
        ref = classify(subject, body, rules, engine="re")
        assert classify(subject, body, rules, prefilter=False) == ref
        assert classify(subject, body, rules) == ref


# --------------------------------------------------------------------------- the policy condition

POLICY = """
format: 1
flags:
  money_lost:
    reason: lost
    when:
      - any_signals: [training_fee]
        any_categories: [off_platform_payment]
      - model_scores: {money_lost: 0.6}
        any_categories: [scam_suspicion]
priorities:
  - priority: P1
    any_flags: [money_lost]
  - priority: P4
escalate: [P1]
"""


def test_model_scores_condition_decides_a_flag_with_the_model_spans() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS}
    feats["lost"] = [1.0, 3.0, 0.0, 9.0]
    policy = parse_policy(POLICY)
    text = "I lost it all on the training fee " + " ".join(WORDS)
    c = classify("", text, _rules_with(_model(feats, intercepts=(0.0, -5.0, -1.0))))
    assert c.model_scores["money_lost"] >= 0.6 and "scam_suspicion" in c.categories
    flag = next(f for f in escalate(c, policy).flags if f.name == "money_lost")
    assert [e.text for e in flag.evidence] == ["lost"]
    # Below the threshold, or without a model, the condition does not hold, on a ticket the rules call a scam.
    feats["lost"] = [1.0, 3.0, 0.0, 0.1]
    weak = classify("", text, _rules_with(_model(feats, intercepts=(0.0, -5.0, -1.0))))
    assert "scam_suspicion" in weak.categories and escalate(weak, policy).flag_names == []
    alone = classify("", text, parse_rules(RULES_YAML))
    assert "scam_suspicion" in alone.categories and escalate(alone, policy).flag_names == []
    # A probability reached on numbers alone shows no span, so it raises no flag.
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS} | {"###": [1.0, 3.0, 0.0, 60.0]}
    numbers = classify("", "training fee 123 " + " ".join(WORDS), _rules_with(_model(feats)))
    assert numbers.model_scores["money_lost"] >= 0.6 and numbers.model_evidence["money_lost"] == []
    assert escalate(numbers, policy).flag_names == []


RULE_POLICY = POLICY.replace("""      - model_scores: {money_lost: 0.6}
        any_categories: [scam_suspicion]""", """      - rule_scores: {scam_suspicion: 0.6}""")


def test_rule_scores_reads_the_rules_before_the_models_share() -> None:
    feats = {w: [1.0, 0.0, 0.0, 0.0] for w in WORDS} | {"recruiter": [1.0, 40.0, 0.0, 0.0]}
    policy = parse_policy(RULE_POLICY)
    blended = classify("", "the recruiter " + " ".join(WORDS), _rules_with(_model(feats)))
    assert blended.scores["scam_suspicion"] > 0.99 and blended.rule_scores["scam_suspicion"] < 0.2
    assert escalate(blended, policy).flag_names == []  # the model alone does not make "several patterns"
    rules_say = classify("", "a training fee and a training fee", _rules_with(_model(feats)))
    assert rules_say.rule_scores["scam_suspicion"] == round(1 / (1 + math.exp(-1.2 * 0.5)), 4) >= 0.6
    flag = next(f for f in escalate(rules_say, policy).flags if f.name == "money_lost")
    assert flag.evidence and all(e.signal == "training_fee" for e in flag.evidence)
    alone = classify("", "a training fee", parse_rules(RULES_YAML))
    assert alone.rule_scores == alone.scores


@pytest.mark.parametrize(
    ("cond", "message"),
    [("{spam: 0.5}", "unknown model target 'spam'"), ("{money_lost: 2}", "probability in [0.5, 1]"),
     ("{money_lost: 0.3}", "probability in [0.5, 1]"),
     ("{}", "must be a mapping target: probability")],
)
def test_a_bad_model_scores_condition_is_refused(cond: str, message: str) -> None:
    bad = POLICY.replace("model_scores: {money_lost: 0.6}", f"model_scores: {cond}")
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_policy(bad)


def test_the_shipped_policy_uses_the_model_for_money_lost() -> None:
    policy = load_policy(CONFIG)
    rule = policy.flag_rule("money_lost")
    assert rule is not None
    assert any(alt.min_model_scores == {"money_lost": 0.5} for alt in rule.alternatives)


# --------------------------------------------------------------------------- training

sklearn = pytest.importorskip("sklearn", reason="training needs the train extra (installed by make test)")

from triage.lexical_train import TrainingError, fit  # noqa: E402

TOY = [
    {"subject": "", "body": f"the recruiter asked a training fee by telegram {i}", "labels": ["scam_suspicion"],
     "money_lost": i % 2 == 0} for i in range(6)
] + [
    {"subject": "", "body": f"my withdrawal is late again {i}", "labels": [], "money_lost": False} for i in range(6)
] + [
    {"subject": "", "body": f"he paid me by zelle outside {i}", "labels": ["off_platform_payment"],
     "money_lost": True} for i in range(4)
]


def test_training_is_deterministic_and_inference_matches_the_trainer() -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    text = fit(TOY, c=4.0, min_df=2)
    assert fit(TOY, c=4.0, min_df=2) == text
    model = parse_model(text.encode())
    assert model.training["tickets"] == len(TOY) and model.training["min_df"] == 2
    assert "recruiter" in model.features and "zelle" in model.features
    assert model.features["#"][0] == 1.0  # a digit in every ticket: smooth idf ln(17/17) + 1
    # The stored model scores a ticket as the trainer's own LogisticRegression does (up to 5-decimal rounding).
    from triage.lexical_train import ticket_counts

    vocab = sorted(model.features)
    x = np.array([[model.vector(ticket_counts(r)).get(t, 0.0) for t in vocab] for r in TOY])
    y = np.array(["scam_suspicion" in r["labels"] for r in TOY])
    ref = LogisticRegression(C=4.0, max_iter=5000, tol=1e-6).fit(x, y).decision_function(x)
    vecs = [model.vector(ticket_counts(r)) for r in TOY]  # undamped dot products: what sklearn fitted
    ours = [model.intercepts[0] + sum(v * model.features[t][1][0] for t, v in vec.items()) for vec in vecs]
    assert ours == pytest.approx(list(ref), abs=1e-3)
    assert all((z >= 0) == bool(lab) for z, lab in zip(ours, y, strict=True))


def test_the_stack_is_learned_on_out_of_fold_logits_of_whole_files() -> None:
    """With rules, training learns each category's stack from logits of models that never saw the row's
    fold; folds are whole groups (labelled files), and the result is deterministic."""
    from triage.lexical_train import _folds, fit_stack, rules_logits, ticket_counts

    assert _folds([0, 0, 1, 1, 2, 3, 4, 5, 5], 5) == [0, 0, 1, 1, 2, 3, 4, 0, 0]  # files dealt into 5 folds
    assert _folds([7, 7, 7, 7], 3) == [0, 1, 2, 0]  # one file: rows dealt round-robin
    rules = parse_rules(RULES_YAML)
    rows = TOY * 3
    groups = [i // len(TOY) for i in range(len(rows))]
    text = fit(rows, c=4.0, min_df=2, rules=rules, groups=groups)
    assert fit(rows, c=4.0, min_df=2, rules=rules, groups=groups) == text
    model = parse_model(text.encode())
    assert "blend" not in json.loads(text) and set(model.stack) == {"scam_suspicion", "off_platform_payment"}
    assert model.training["stack"] == {"folds": 3, "C": 1.0, "shrink": 0.5}
    # The stack is what a logistic regression makes of (rules logit, out-of-fold logits) by hand.
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    counts = [ticket_counts(r) for r in rows]
    oof = []
    for f in range(3):
        m = parse_model(fit([r for r, g in zip(rows, groups, strict=True) if g != f], c=4.0, min_df=2).encode())
        oof += [m.judge(counts[i])[0] for i, g in enumerate(groups) if g == f]
    rx = rules_logits(rules, rows)
    x = np.array([[rx[i]["scam_suspicion"], *oof[i]] for i in range(len(rows))])
    y = np.array(["scam_suspicion" in r["labels"] for r in rows])
    ref = LogisticRegression(C=1.0, max_iter=1000, tol=1e-8).fit(x, y)
    a, d, b = model.stack["scam_suspicion"]
    # Half the learned stack, half the plain blend (rules logit + the own target's logit).
    assert a == pytest.approx(0.5 + 0.5 * ref.coef_[0][0], abs=1e-4)
    assert d == pytest.approx(0.5 * ref.intercept_[0], abs=1e-4)
    assert list(b) == pytest.approx([0.5 * w + 0.5 * (i == 0) for i, w in enumerate(ref.coef_[0][1:])], abs=1e-4)
    direct = fit_stack(rows, counts, rules, groups, c=4.0, min_df=2, targets=TARGETS, shrink=1.0)
    assert direct["scam_suspicion"]["rules"] == pytest.approx(max(0.0, ref.coef_[0][0]), abs=1e-4)
    # A fixed blend instead of a stack, when asked.
    assert json.loads(fit(rows, c=4.0, min_df=2, rules=rules, blend=0.5))["blend"] == {
        "scam_suspicion": 0.5, "off_platform_payment": 0.5}


def test_train_files_ignores_argument_order_and_the_model_it_replaces(tmp_path: Path) -> None:
    """`make lexical` globs in the shell's order; folds follow file names, so any order trains the same model.
    The config's own lexical.json is what training replaces: a broken one must not stop it."""
    from triage.lexical_train import train_files

    files = []
    for i in range(3):
        f = tmp_path / f"set{i}.jsonl"
        f.write_text("".join(json.dumps({**r, "id": f"{i}-{k}"}) + "\n" for k, r in enumerate(TOY)))
        files.append(f)
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "rules.yaml").write_text(RULES_YAML)
    (cfg / MODEL_FILE).write_text('{"format": 1, "blend": {"x": 1}, "stack": {}}')  # unreadable on purpose
    a = train_files(files, c=4.0, min_df=2, config_dir=cfg)
    b = train_files(files[::-1], c=4.0, min_df=2, config_dir=cfg)
    assert a == b and "stack" in json.loads(a)
    assert json.loads(a)["training"]["rules_sha256"] == hashlib.sha256(RULES_YAML.encode()).hexdigest()[:12]


def test_the_stack_learns_from_the_rules_logit_classify_uses() -> None:
    """Training's rules logits are the ones classify scores with (its `rule_scores` are their sigmoid)."""
    from triage.lexical_train import rules_logits

    rules = load_rules(CONFIG)
    rows = [json.loads(line) for line in (DATA / "check20.jsonl").read_text().splitlines()[:80]]
    for r, logits in zip(rows, rules_logits(rules, rows), strict=True):
        c = classify(r["subject"], r["body"], rules)
        assert {k: _sig(x) for k, x in logits.items()} == c.rule_scores, r["id"]


def test_training_refuses_a_target_without_examples() -> None:
    rows = [{**r, "money_lost": False} for r in TOY]
    with pytest.raises(TrainingError, match="'money_lost' needs at least 2 positive"):
        fit(rows)
    with pytest.raises(TrainingError, match="no term occurs in 50"):
        fit(TOY, min_df=50)


def test_the_shipped_model_was_trained_on_the_labelled_sets_as_they_are() -> None:
    """config/lexical.json records the files it was trained on; a changed or added set means: retrain
    (`make lexical`)."""
    model = load_model(CONFIG)
    assert model is not None
    files = {f["name"]: f for f in model.training["files"]}
    on_disk = {p.name: p for p in DATA.glob("*.jsonl")}
    assert set(files) == set(on_disk), "retrain: make lexical"
    for name, p in on_disk.items():
        assert files[name]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()[:12], f"{name} changed: make lexical"
    assert "dev.jsonl" not in files  # ../shared/eval/dev.jsonl is only ever measured, never trained on
    # The stack weighs the rules' logits: it was learned against today's rules.yaml.
    rules_sha = hashlib.sha256((CONFIG / "rules.yaml").read_bytes()).hexdigest()[:12]
    assert model.training["rules_sha256"] == rules_sha, "rules.yaml changed since the stack was learned: make lexical"


def test_retraining_reproduces_the_shipped_model() -> None:
    from triage.lexical_train import train_files

    shipped = load_model(CONFIG)
    assert shipped is not None
    again = parse_model(train_files(sorted(DATA.glob("*.jsonl")), c=shipped.training["C"],
                                    min_df=shipped.training["min_df"], config_dir=CONFIG).encode())
    assert set(again.features) == set(shipped.features)
    # The solver's floating-point sums depend on the CPU's BLAS kernels: a model trained on one machine and
    # retrained on another (an AMD EPYC CI runner) differed by 1.1e-3 in a weight; a stale model differs by far more.
    tol = 5e-3
    assert again.intercepts == pytest.approx(shipped.intercepts, abs=tol)
    for term in list(shipped.features)[::50]:
        assert again.features[term][1] == pytest.approx(shipped.features[term][1], abs=tol), term
    for cat, (a, d, b) in shipped.stack.items():
        assert again.stack[cat][0] == pytest.approx(a, abs=tol) and again.stack[cat][1] == pytest.approx(d, abs=tol)
        assert again.stack[cat][2] == pytest.approx(b, abs=tol)


def test_features_are_held_compactly_and_read_like_a_dict() -> None:
    from triage.lexical import Features

    rows = {"pay": [1.5, 0.25, -0.5, 2.0], "pay me": [2.0, 1.0, 0.0, -1.0], "#": [1.0, 0.0, 0.0, 0.0]}
    m = parse_model(_raw(_model(rows)))
    assert isinstance(m.features, Features)
    assert len(m.features) == 3 and list(m.features) == ["pay", "pay me", "#"]
    assert m.features["pay me"] == (2.0, (1.0, 0.0, -1.0))
    assert m.features.get("absent") is None and "pay" in m.features and "absent" not in m.features
    assert dict(m.features) == {t: (r[0], tuple(r[1:])) for t, r in rows.items()}
    # A model built from a plain mapping (training does) is stored the same way and compares equal.
    again = dataclasses.replace(m, features=dict(m.features))
    assert isinstance(again.features, Features) and again.features == m.features
    with pytest.raises(KeyError):
        m.features["absent"]


def test_a_term_with_a_nul_is_refused() -> None:
    with pytest.raises(LexicalError, match="NUL"):
        parse_model(_raw(_model({"pa\0y": [1.0, 0.0, 0.0, 0.0]})))
