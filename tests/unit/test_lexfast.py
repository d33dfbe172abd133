"""The C accelerator of the lexical model's pass (triage/_lexfast.c) against the pure-Python path.

The accelerator must give the same figures bit for bit (logits, scale, the terms `explain` picks and their
shares), so classify's results never depend on whether a C compiler was present at install. Without the
built module these tests skip, unless TRIAGE_REQUIRE_NATIVE=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage import lexical
from triage.classify import classify, load_rules
from triage.lexical import parse_model, term_counts
from triage.textnorm import normalize

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"

if lexical._lexfast is None:
    if os.environ.get("TRIAGE_REQUIRE_NATIVE") == "1":
        raise RuntimeError("TRIAGE_REQUIRE_NATIVE=1 but triage._lexfast is not built (pip install with a C compiler)")
    pytest.skip("triage._lexfast is not built (no C compiler at install)", allow_module_level=True)


KNOWN_SIZE = 40  # one packed known term: int64 row, double v, int64 field, start, end


def _python(m: lexical.LexicalModel, texts: list[str]) -> tuple:
    return m.judge(term_counts(texts))


def _same(m: lexical.LexicalModel, texts: list[str], exact: bool = True) -> None:
    z_py, known_py, s_py, cov_py = _python(m, texts)
    z_c, known_c, s_c, cov_c = m.judge_texts(texts)
    assert isinstance(known_c, bytes)
    assert cov_c == cov_py, texts  # the same tokens counted: exact
    if exact:
        assert (z_c, s_c) == (z_py, s_py), texts
    else:
        assert z_c == pytest.approx(z_py, rel=1e-12, abs=1e-12) and s_c == pytest.approx(s_py, rel=1e-12)
    assert len(known_c) == KNOWN_SIZE * len(known_py)
    views = [lexical.digits_as_hash(t) for t in texts]
    for i in range(len(m.targets)):
        for n in (0, 1, 3, 6, 1000):
            got, want = m.explain(known_c, s_c, i, n), m.explain(known_py, s_py, i, n)
            if exact:
                assert got == want
            else:
                assert [t for t, _ in got] == [t for t, _ in want]
            # where each term first occurs: recorded by the C pass while tokenising = found by term_span
            at_c, at_py = m.explain_at(known_c, s_c, i, n), m.explain_at(known_py, s_py, i, n, views)
            assert [(t, where) for t, _, where in at_c] == [(t, where) for t, _, where in at_py], texts
            assert all(where is not None for _, _, where in at_c)


def _rows() -> list[dict]:
    rows = []
    for f in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        rows += [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
    if DEV.is_file():
        rows += [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()]
    return rows


def test_the_shipped_model_gives_the_python_figures_bit_for_bit_on_every_labelled_ticket() -> None:
    m = load_rules(ROOT / "config").lexical
    assert m is not None
    rows = _rows()
    assert len(rows) > 4000
    for r in rows:
        _same(m, [normalize(r.get("subject") or "").text, normalize(r.get("body") or "").text])


# Tokens at the edges of `[\w#]+(?:'[\w#]+)*`: apostrophes (inside, leading, trailing, doubled), digits read
# as '#' (ASCII only: other scripts' digits stay), '_' and '#', letters of other scripts, combining marks,
# characters outside the BMP, and separators that are not word characters.
EDGE_TEXTS = [
    "",
    "pay",
    "i didn't pay 450 or 1,200 'dollars' (2fa) -- don''t 'tis rock'n'roll o'",
    "٣٤٥ dollars ۱۲ and ४५ rupees; ＄５００ fullwidth; 1st 2nd 3rd #tag __init__ a_b",
    "naïve café cafe\u0301 Zürich ŁÓDŹ straße ǅ ﬁnance",  # precomposed, combining, ligature, titlecase
    "тelegram телеграм 电报 テレグラム 텔레그램 تلغرام טלגרם ट ेलीग्राम",
    "emoji 💸💸 money 😀 paid 𝐩𝐚𝐲 𝟒𝟓𝟎",  # astral: symbols (not words) and math alphanumerics (words)
    "tab\tnew\nline\r\nnbsp\u00a0zero\u200bwidth end.",
    "'''' ' '' a' 'b ' c ' d'e'f'g",
    "x" * 3000 + " pay " + "y'" * 500 + " me",
    "pay me pay me pay me outside outside the platform pay me",
]


def _edge_model(k: int) -> lexical.LexicalModel:
    # The vocabulary: every unigram and bigram of the edge texts (so each one is looked up and found), plus
    # terms no text has; weights vary per term and target, some repeat exactly (ties in `explain`).
    vocab = sorted(set(term_counts(EDGE_TEXTS)) | {"absent", "absent term", "pay outside"})
    feats = {}
    for j, t in enumerate(vocab):
        idf = 1.0 + (j % 7) / 3
        feats[t] = [idf, *[((j * (q + 3)) % 11 - 5) / 4 if j % 5 else 0.75 for q in range(k)]]
    targets = lexical.TARGETS[:k] if k <= 3 else lexical.TARGETS
    doc = {"format": 1, "targets": list(targets), "intercepts": [0.1 * (q - 1) for q in range(k)], "features": feats}
    return parse_model(json.dumps(doc).encode())


@pytest.mark.parametrize("k", [1, 2, 3])
def test_edge_tokens_and_ties_agree(k: int) -> None:
    m = _edge_model(k)
    exact = True  # the generic path adds as the C code does (no compensated sum())
    for t in EDGE_TEXTS:
        _same(m, [t], exact)
        _same(m, ["pay me", t], exact)
    _same(m, EDGE_TEXTS, exact)
    _same(m, [], exact)
    _same(m, ["", ""], exact)


def test_ties_in_explain_are_broken_by_the_term_as_in_python() -> None:
    words = ["delta", "alpha", "charlie", "bravo", "echo"]
    feats = {w: [1.0, 1.0, 0.5, 0.25] for w in words}  # every term adds exactly as much
    doc = {"format": 1, "targets": list(lexical.TARGETS), "intercepts": [0.0, 0.0, 0.0], "features": feats}
    m = parse_model(json.dumps(doc).encode())
    _, known, scale, _ = m.judge_texts([" ".join(words)])
    assert isinstance(known, bytes)
    assert [t for t, _ in m.explain(known, scale, 0, 3)] == ["alpha", "bravo", "charlie"]
    _same(m, [" ".join(words)])


def test_classify_is_the_same_with_and_without_the_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_rules(ROOT / "config")
    rows = _rows()[::7]
    fast = [classify(r.get("subject") or "", r.get("body") or "", rules) for r in rows]
    monkeypatch.setattr(lexical, "_lexfast", None)
    slow = [classify(r.get("subject") or "", r.get("body") or "", rules) for r in rows]
    assert fast == slow


def test_bad_arguments_raise_instead_of_crashing() -> None:
    fast = lexical._lexfast
    m = _edge_model(3)
    m.judge_texts(["warm"])  # builds the accelerator's tables
    st = m._native
    with pytest.raises(TypeError):
        fast.judge(["ok", 3], st["vocab"], st["table"], 3, st["hidden"])
    with pytest.raises(TypeError):
        fast.judge(None, st["vocab"], st["table"], 3, st["hidden"])
    with pytest.raises(ValueError):
        fast.judge(["ok"], st["vocab"], st["table"], 2, st["hidden"])  # k disagrees with the table
    with pytest.raises(ValueError):
        fast.judge(["ok"], st["vocab"], st["table"], 0, st["hidden"])
    with pytest.raises(ValueError):
        fast.judge(["ok"], fast.vocab(["ok"]), st["table"], 3, st["hidden"])  # a vocabulary of another size
    with pytest.raises((TypeError, ValueError)):
        fast.judge(["ok"], object(), st["table"], 3, st["hidden"])  # not a vocabulary
    with pytest.raises(TypeError):
        fast.vocab(["ok", 3])
    with pytest.raises(ValueError):
        fast.top(b"\0" * KNOWN_SIZE, st["table"], 3, st["hidden"], st["terms"], 3, 0.0, 3)  # no target 3
    # Sizes that would overflow an allocation or an offset are refused or clamped, never used.
    with pytest.raises(ValueError):
        fast.top(b"\0" * KNOWN_SIZE, st["table"], 2**61 + 3, st["hidden"], st["terms"], 0, 0.0, 3)
    with pytest.raises(ValueError):
        fast.judge(["ok"], st["vocab"], st["table"], 2**61 + 3, st["hidden"])
    _, known, _, _ = m.judge_texts(EDGE_TEXTS)
    assert fast.top(known, st["table"], 3, st["hidden"], st["terms"], 0, 0.0, 2**60) == fast.top(
        known, st["table"], 3, st["hidden"], st["terms"], 0, 0.0, 10**6
    )
    with pytest.raises(ValueError):
        bad_row = (10**9).to_bytes(8, sys.byteorder) + b"\0" * (KNOWN_SIZE - 8)
        fast.top(bad_row, st["table"], 3, st["hidden"], st["terms"], 0, 0.0, 3)


def test_hash_collisions_and_prefixes_do_not_confuse_the_lookup() -> None:
    # Terms that share prefixes, differ only in the last code point, or are a bigram's first word: each one is
    # counted as itself (a lookup compares the code points, not only the hash).
    words = ["pay", "pays", "payé", "pa", "p", "pay me", "pay m", "me", "mé", "#", "##", "# #", "_", "a'b", "a"]
    feats = {w: [1.0 + i / 7, 0.1 * i, -0.05 * i, 0.3] for i, w in enumerate(words)}
    doc = {"format": 1, "targets": list(lexical.TARGETS), "intercepts": [0.0, 0.0, 0.0], "features": feats}
    m = parse_model(json.dumps(doc).encode())
    for text in ["pay me", "pays mé", "payé payé pa p", "1 22 3 4", "_ a'b a b", "pay m e", "p a y"]:
        _same(m, [text])
        _same(m, [text, text])


def test_triage_pure_python_switches_the_accelerator_off() -> None:
    code = "from triage import lexical; print(lexical._lexfast is None)"
    env = {**os.environ, "TRIAGE_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    env["TRIAGE_PURE_PYTHON"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_build_of_other_source_is_ignored() -> None:
    # Same ABI, but built from another version of _lexfast.c (a rebuild that failed or was skipped).
    code = (
        "import sys, types; "
        f"sys.modules['triage._lexfast'] = types.SimpleNamespace(ABI={lexical.LEXFAST_ABI}, SOURCE='0' * 16);"
        "from triage import lexical as L; print(L._lexfast is None); print(L.LEXFAST_UNUSED)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "True"
    assert "stale build" in out[1]


def test_a_stale_build_is_ignored_not_used() -> None:
    # A .so built from another version of _lexfast.c (left beside newer Python code) must not be called: every
    # ticket would fail. It is ignored, with the reason kept for the worker's start-up warning.
    code = (
        "import sys, types; sys.modules['triage._lexfast'] = types.SimpleNamespace(ABI=1);"
        "from triage import lexical; print(lexical._lexfast is None); print(lexical.LEXFAST_UNUSED)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "True"
    assert "another version" in out[1] and "reinstall" in out[1]


def test_a_replaced_model_builds_its_own_tables() -> None:
    import dataclasses

    m = _edge_model(3)
    m.judge_texts(["pay me"])  # m's tables built
    other = {t: (idf, tuple(-w for w in ws)) for t, (idf, ws) in m.features.items()}
    m2 = dataclasses.replace(m, features=other)
    assert m2._native == {}
    z1, *_ = m.judge_texts(["pay me outside"])
    z2, *_ = m2.judge_texts(["pay me outside"])
    assert z2 == _python(m2, ["pay me outside"])[0] and z1 != z2
