"""Classifier behaviour on tickets we wrote ourselves (not the dev set): hard positives and negatives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.classify import Classification, classify, load_rules, parse_rules
from triage.schemas import CATEGORIES

CONFIG = Path(__file__).resolve().parents[2] / "config"
S, OFF = "scam_suspicion", "off_platform_payment"


@pytest.fixture(scope="module")
def rules():
    return load_rules(CONFIG)


# (subject, body, expected categories)
CASES: list[tuple[str, str, set[str]]] = [
    # --- ordinary support: must stay neither
    ("Withdrawal stuck", "My withdrawal to my bank has been pending for 6 days. When will it arrive?", set()),
    ("Fee question", "Why was a 10% service fee taken from my $200 payment? I thought it was 5%.", set()),
    (
        "ID verification",
        "Upwork asked me to verify my identity with a passport photo and a video call. "
        "Is this request really from you? I uploaded my ID already.",
        set(),
    ),
    (
        "Interview on Zoom",
        "A client with a verified payment method and 40 hires invited me to a Zoom video "
        "interview before sending the offer. Is that ok?",
        set(),
    ),
    (
        "Refund scam!!",
        "The client opened a dispute and got a refund through the platform after I delivered. "
        "This is a scam, I want mediation.",
        set(),
    ),
    (
        "PayPal withdrawal",
        "Can I add PayPal as my withdrawal method? Payoneer fees are high in my country.",
        set(),
    ),
    ("Hacked", "Someone hacked my account and changed my email. I can't log in, please help.", set()),
    ("Tax form", "Which tax form do I need, W-9 or W-8BEN? I live in Canada.", set()),
    (
        "Order cancelled",
        "Buyer cancelled the order after delivery and the money went back to him. Unfair!",
        set(),
    ),
    (
        "Connects",
        "I bought 80 connects for $12 and they disappeared from my balance. Where did they go?",
        set(),
    ),
    (
        "Late payment on contract",
        "My client has not released the milestone for two weeks. "
        "How do I request payment through the platform?",
        set(),
    ),
    (
        "Skype call",
        "My long-term client wants a weekly Skype call to discuss progress. All billing stays here.",
        set(),
    ),
    # --- scam suspicion only
    (
        "Client wants to chat on t e l e g r a m",
        "Before any contract he asked me to continue on t e l e g r a m. Is this normal?",
        {S},
    ),
    (
        "Job offer",
        "Recruiter sent me a wa.me/15550001111 link and wants my SSN and driver's license to start "
        "onboarding. I did NOT send anything.",
        {S},
    ),
    (
        "Training fee",
        "The company says I must pay a $150 training fee before I can start the data entry job. I refused.",
        {S},
    ),
    (
        "Buy a laptop",
        "They want me to purchase a MacBook from their approved vendor and will reimburse me later. "
        "I haven't bought anything.",
        {S},
    ),
    ("Gift cards", "My new 'manager' asked me to buy Steam gift cards for a client and send the codes.", {S}),
    (
        "Task job",
        "Got a message: earn commission per task by rating products, join our Telegram group. Legit?",
        {S},
    ),
    (
        "Free sample",
        "Client wants a free sample article of 1500 words before he even posts a contract. "
        "His account is brand new.",
        {S},
    ),
    (
        "Estafa?",
        "Un cliente me pidió mis datos bancarios y mi DNI antes de firmar nada. ¿Es una estafa?",
        {S},
    ),
    (
        "Arnaque ?",
        "Un client veut que je paye des frais d'inscription de 50 € pour accéder à la mission.",
        {S},
    ),
    ("Golpe", "Um recrutador pediu para falar pelo WhatsApp e quer o meu CPF e dados bancários.", {S}),
    ("Crypto", "The client asked me to buy USDT with my card and send it to his wallet address.", {S}),
    # --- off-platform payment only (legit-looking circumvention)
    (
        "Pay outside?",
        "My client of 3 years asked if he can pay me directly by bank transfer to save the fees.",
        {OFF},
    ),
    ("Venmo", "Buyer says he'd rather pay me through Venmo instead of the site. Is that allowed?", {OFF}),
    (
        "Fuera de la plataforma",
        "Mi cliente quiere pagarme fuera de la plataforma para ahorrar la comisión.",
        {OFF},
    ),
    ("Fora da plataforma", "O cliente quer me pagar por fora para economizar a taxa. Posso aceitar?", {OFF}),
    (
        "Hors plateforme",
        "Le client propose de me payer hors plateforme, par virement. Est-ce permis ?",
        {OFF},
    ),
    # --- both
    (
        "Check overpayment",
        "He mailed me a cashier's check for $3,200 instead of $400 and wants me to wire "
        "back the difference. I haven't deposited it.",
        {S, OFF},
    ),
    (
        "<b>Paid on W.A.</b>",
        "<p>They moved me to W.A. and I sent them <b>$300</b> via Zelle for "
        "&quot;registration&quot;. Now they're gone.</p>",
        {S, OFF},
    ),
    (
        "Perdí dinero",
        "Me pidieron un depósito para liberar mi pago por Telegram y pagué 200 dólares. Nunca me pagaron.",
        {S, OFF},
    ),
    # Off-platform invoicing by an ordinary client who then stopped paying: off-platform, not a scam.
    (
        "Cliente fixo não paga",
        "Trabalho com esse cliente há três anos e desde janeiro faturo direto por transferência. "
        "Agora ele me deve quatro faturas e parou de pagar.",
        {OFF},
    ),
    (
        "Refused offer",
        "Une personne veut louer mon compte pour 100 € par semaine. J'ai refusé.",
        {S},
    ),
    (
        "Fee by Cash App",
        "A 'mentor' said I had to pay a $75 activation fee by Cash App and I paid, then he blocked me.",
        {S, OFF},
    ),
    (
        "Freelancer vanished",
        "Client here. The freelancer asked me to pay the last $300 directly to his PayPal to avoid fees. "
        "I paid and he vanished.",
        {S, OFF},
    ),
    # Hard negatives: outside clients brought onto the platform, calls on an active contract, the site's own ID check.
    (
        "Moving my clients here",
        "I have two clients I've invoiced outside for years. I want to bring my clients onto the platform.",
        set(),
    ),
    (
        "Phone calls during contract",
        "Now that we have a contract, the client asked for my phone number for urgent calls. "
        "All hours are billed through the contract.",
        set(),
    ),
    (
        "Verificación de identidad",
        "La plataforma me pide una selfie y mi pasaporte en la página de verificación de la cuenta. ¿Es normal?",
        set(),
    ),
]


@pytest.mark.parametrize(("subject", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_cases(rules, subject: str, body: str, expected: set[str]) -> None:
    c = classify(subject, body, rules)
    assert set(c.categories) == expected, (c.scores, {k: [e.text for e in v] for k, v in c.signals.items()})


def test_shape_and_ranges(rules) -> None:
    c = classify("Client wants Telegram", "He asked me to pay a fee outside Upwork via PayPal.", rules)
    assert isinstance(c, Classification)
    assert list(c.scores) == list(CATEGORIES)
    assert all(0.0 <= v <= 1.0 for v in c.scores.values())
    assert c.categories == [k for k in CATEGORIES if k in c.categories]  # CATEGORIES order
    assert all(e.category in CATEGORIES for e in c.evidence)


def test_evidence_offsets_point_at_original_text(rules) -> None:
    body = "<div>Hi,<br>please contact me on <b>T E L E G R A M</b> &amp; pay me by cashier&#39;s check</div>"
    c = classify("", body, rules)
    assert c.evidence
    for e in c.evidence:
        assert body[e.start : e.end] == e.text
    texts = " | ".join(e.text for e in c.evidence)
    assert "T E L E G R A M" in texts
    assert "cashier&#39;s check" in texts


def test_empty_and_huge_inputs(rules) -> None:
    c = classify("", "", rules)
    assert c.categories == [] and not c.evidence
    long = ("I love working here and my clients are great. " * 2000) + "He wants to pay me outside Upwork."
    c = classify("", long, rules)
    assert OFF in c.categories
    assert all(long[e.start : e.end] == e.text for e in c.evidence)


def test_prefilter_matches_naive(rules) -> None:
    for subject, body, _ in CASES:
        assert classify(subject, body, rules) == classify(subject, body, rules, prefilter=False), subject


def _labelled_tickets() -> list[tuple[str, str, str]]:
    root = Path(__file__).resolve().parents[2]
    files = [
        *sorted((root / "tests" / "data").glob("*.jsonl")),  # every labelled set, new ones included
        *sorted((root / "tests" / "heldout").glob("*.jsonl")),
        *sorted((root / "tests" / "untrained").glob("*.jsonl")),
        root / "triage" / "data" / "samples.jsonl",
        root.parent / "shared" / "eval" / "dev.jsonl",
    ]
    assert len(files) >= 22
    out = []
    for f in files:
        if f.is_file():
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    x = json.loads(line)
                    out.append((str(x.get("id") or x.get("external_id")), x.get("subject", ""), x.get("body", "")))
    return out


_FORKED_RULES = None  # the parent's rules, inherited by the forked workers of the test below


# The unfiltered baseline (every regex on every ticket, ~50 tickets/s per core) runs on every BASELINE_EVERY-th
# ticket: on all of them it was half of this suite's slowest test (≈ 5 min of a 32-minute `make test` on a slow
# day). Hyperscan and the pure-re engine are still compared on every ticket.
BASELINE_EVERY = 3


def _engine_disagreements(tickets: list[tuple[int, tuple[str, str, str]]]) -> list[str]:
    """Ids of tickets where the pure-re engine, the unfiltered baseline and (when installed) Hyperscan differ."""
    from triage.classify import _hs

    rules = _FORKED_RULES
    bad = []
    for i, (tid, subject, body) in tickets:
        ref = classify(subject, body, rules, engine="re")
        if i % BASELINE_EVERY == 0 and ref != classify(subject, body, rules, prefilter=False):
            bad.append(f"{tid}: re != baseline")
        if _hs is not None and classify(subject, body, rules, engine="hyperscan") != ref:
            bad.append(f"{tid}: hyperscan != re")
    return bad


@pytest.mark.timeout(1200)  # ~15,000 tickets through two engines, a third of them through the unfiltered baseline
def test_engines_agree_on_every_labelled_ticket(rules) -> None:
    """Hyperscan gate, pure-re keyword windows and the unfiltered baseline give identical results.

    Every ticket through both engines and every third one (`BASELINE_EVERY`) through the baseline too; the tickets
    are dealt over one forked process per core (the unfiltered baseline makes this the suite's slowest test, and the
    rest of the machine is idle while it runs).
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED_RULES
    tickets = _labelled_tickets()
    assert len(tickets) > 300
    n = max(1, min(4, os.cpu_count() or 1))
    _FORKED_RULES = rules
    rules.hs_plan("warm", "up")  # build the Hyperscan database once, before the fork
    try:
        with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
            numbered = list(enumerate(tickets))
            bad = [b for part in pool.map(_engine_disagreements, [numbered[i::n] for i in range(n)]) for b in part]
    finally:
        _FORKED_RULES = None
    assert not bad, bad[:20]


def test_engines_agree_on_field_edges(rules) -> None:
    """Hyperscan scans subject + "\\n" + body at once: `^`/`$` at a field's edge must still be seen."""
    for subject, body in [
        ("I paid", "Hello, the withdrawal page shows an error."),
        ("hello", "I paid"),
        ("I paid", "I paid"),
    ]:
        ref = classify(subject, body, rules, prefilter=False)
        assert classify(subject, body, rules, engine="re") == ref
        assert classify(subject, body, rules) == ref


EDGE_TICKETS = [
    # Non-ASCII (byte offsets are not character offsets: whole-field scans), accents folded.
    ("Pagué 300 € por WhatsApp", "El cliente me pidió pagar la formación de 150 € por Telegram. Ya pagué."),
    # Many matches of the same signals far apart, and a long gap: windows from min to max end.
    ("telegram", "telegram " + "filler words here. " * 80 + "he asked me to pay via telegram and I paid $200."),
    # Lookaheads that read past the match, at the very end of a field.
    ("on wire", "we talked on wire"),
    ("x", "I paid him on wire (the encrypted app)"),
    # Matches that touch the newline joining the fields.
    ("I sent $300 via Zelle", "\nI sent $300 via Zelle\n"),
    ("", "I sent $300 via Zelle"),
    ("I sent $300 via Zelle", ""),
]


def test_engines_agree_on_edge_tickets(rules, monkeypatch) -> None:
    """The Hyperscan plan (branches + scan bounds) never changes a result, including its fallback."""
    import triage.classify as cl

    if cl._hs is None:
        pytest.skip("hyperscan not installed")
    for subject, body in EDGE_TICKETS:
        ref = classify(subject, body, rules, prefilter=False)
        assert classify(subject, body, rules, engine="hyperscan") == ref, (subject, body)
    # Too many candidate matches: the scan stops and the ticket takes the pure-re path, same result.
    monkeypatch.setattr(cl, "_HS_MAX_REPORTS", 1)
    assert rules.hs_plan("", "i sent $300 via zelle and paid via telegram") is None
    for subject, body in EDGE_TICKETS:
        assert classify(subject, body, rules, engine="hyperscan") == classify(subject, body, rules, prefilter=False)


def test_branch_bounds() -> None:
    """Longest match and lookahead reach, the two numbers that bound the `re` scan."""
    from triage.classify import _UNBOUNDED, _branch_bounds

    assert _branch_bounds(r"\bpaid\b") == (4, 0)
    assert _branch_bounds(r"pay(?:ment)?") == (7, 0)
    assert _branch_bounds(r"telegram\w*") == (_UNBOUNDED, 0)
    assert _branch_bounds(r"wire\b(?! (?:transfer|fee)\b)") == (4, 9)
    assert _branch_bounds(r"x(?=[^.]{0,40}\bapp)") == (1, 43)
    assert _branch_bounds(r"x(?=[^.]*app)")[1] == _UNBOUNDED
    assert _branch_bounds(r"(?<!not )paid") == (4, 0)


def test_hs_translate_widens_only() -> None:
    """The Hyperscan translation drops what it cannot express in a way that only widens the match set."""
    from triage.classify import _hs, hs_translate

    assert hs_translate(r"[^.!?\n]{0,40}?x") == rb"[^.!?\n]*x"
    assert hs_translate(r"(?<!not )paid\b") == b"paid"
    assert hs_translate("€\\s?\\d") .startswith(rb"(?:\xe2\x82\xac)")
    if _hs is None:
        pytest.skip("hyperscan not installed")


def test_hs_translate_negated_class_keeps_only_ascii_out() -> None:
    """`[^\\w…]` excludes the ASCII word characters only: a non-ASCII letter's bytes stay accepted (a superset)."""
    from triage.classify import hs_translate

    assert hs_translate(r"x[^\w.!?]{0,2}y") == rb"x[^A-Za-z0-9_.!?]*y"


def test_every_shipped_branch_is_gated_by_hyperscan(rules) -> None:
    """A branch Hyperscan cannot take (untranslatable, or "Pattern is too large" once a long define sits inside a gap)
    is run by `re` on every ticket: correct but slow — one such branch cost ≈ 350 µs per ticket. Keep none."""
    from triage.classify import _hs, _hs_build, _hs_flat

    if _hs is None:
        pytest.skip("hyperscan not installed")
    _db, ungated = _hs_build(rules.signals)
    flat = _hs_flat(rules.signals)
    assert not ungated, [(rules.signals[flat[g][0]].name, flat[g][1]) for g in sorted(ungated)]


def test_pure_and_deterministic(rules) -> None:
    a = classify("x", "He asked me to pay a training fee", rules)
    b = classify("x", "He asked me to pay a training fee", rules)
    assert a == b


def test_version_is_content_hash(rules) -> None:
    """The classifier's version covers the rules file and the lexical model file: either changing is a new one."""
    import hashlib

    text = (CONFIG / "rules.yaml").read_bytes()
    model = (CONFIG / "lexical.json").read_bytes()
    assert rules.lexical is not None and rules.lexical.version == hashlib.sha256(model).hexdigest()[:12]
    model_version = hashlib.sha256(model).hexdigest()[:12].encode()
    assert rules.version == hashlib.sha256(text + b"\0" + model_version).hexdigest()[:12]
    assert parse_rules(text.decode()).version == hashlib.sha256(text).hexdigest()[:12]  # the rules alone


# --- money_lost-bearing signals: negation, reported speech, hypotheticals
MONEY_CASES: list[tuple[str, bool]] = [
    ("I sent $450 to the 'recruiter' through Cash App for the equipment.", True),
    ("I already paid him 300 EUR via Wise and he disappeared.", True),
    ("I did NOT pay anything, I just want to report him.", False),
    ("He asked me to pay outside but I refused.", False),
    ("They told me to send $200 for training. Should I send it?", False),
    ("If I pay the deposit, will I get the job?", False),
    ("I never sent them money.", False),
    ("I'm out $1,200 after the check bounced.", True),
    ("I paid $20 for connects and they vanished.", False),
    ("Fiz o pagamento de R$ 300 pelo Pix e o cliente sumiu.", True),
    ("J'ai payé 150 € par virement et il ne répond plus.", True),
    ("Pagué 200 dólares por transferencia y nunca más supe de él.", True),
    ("I haven't deposited it and I won't send anything back.", False),
]


@pytest.mark.parametrize(("body", "lost"), MONEY_CASES, ids=[b[:40] for b, _ in MONEY_CASES])
def test_money_signals(rules, body: str, lost: bool) -> None:
    c = classify("", body, rules)
    fired = bool({"money_sent", "money_loss"} & set(c.signals))
    assert fired == lost, {k: [e.text for e in v] for k, v in c.signals.items()}


BASE = """format: 1
categories:
  scam_suspicion: {bias: -2}
  off_platform_payment: {bias: -2}
signals:
  - name: s1
    category: scam_suspicion
    weight: 3
    keywords: [telegram]
    patterns: ['telegram']
"""

BAD_RULES = [
    (
        BASE.replace("patterns: ['telegram']", "patterns: ['tele(gram']"),
        r"rules.yaml:10: signals\[0\].patterns",
    ),
    (BASE.replace("category: scam_suspicion", "category: spam"), r"rules.yaml:7: signals\[0\].category"),
    (BASE.replace("patterns: ['telegram']", "patterns: ['Telegram']"), "upper-case"),
    (BASE.replace("keywords: [telegram]", "keywords: [off]"), "quote it"),
    (BASE.replace("    weight: 3\n", ""), "needs a weight"),
    (BASE.replace("  - name: s1", "  - name: s1\n    colour: red"), "unknown key 'colour'"),
    (BASE.replace("patterns: ['telegram']", "patterns: ['{NOPE}']"), "unknown define"),
    (BASE + BASE[BASE.index("  - name") :], "duplicate signal name"),
    (BASE.replace("format: 1", "format: 9"), "unsupported format"),
    ("signals: [", r"rules\.yaml:1:\d+: invalid YAML: [^\n]+$"),
]


@pytest.mark.parametrize(("text", "msg"), BAD_RULES)
def test_bad_rules_are_reported_with_context(text: str, msg: str) -> None:
    from triage.classify import RulesError, parse_rules

    with pytest.raises(RulesError, match=msg):
        parse_rules(text, Path("rules.yaml"))


def test_load_rules_missing_file(tmp_path: Path) -> None:
    from triage.classify import RulesError

    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path)


# Format and categories shared by the small rule sets below.
_RULES_HEAD = """
format: 1
categories:
  scam_suspicion: {bias: -2.0, scale: 1.0, threshold: 0.5}
  off_platform_payment: {bias: -2.0, scale: 1.0, threshold: 0.5}
signals:
"""

_COMBO_RULES = _RULES_HEAD + """  - {name: paid, keywords: [paid], patterns: ['\\bi paid\\b']}
  - {name: gone, keywords: [vanished], patterns: ['\\bvanished\\b']}
  - {name: known, keywords: [old client], patterns: ['\\bold client\\b']}
combinations:
  - {name: paid_gone, all: [paid, gone], none: [known], category: scam_suspicion, weight: 3.0}
"""


def test_combination_fires_only_when_its_parts_did() -> None:
    from triage.classify import parse_rules

    rules = parse_rules(_COMBO_RULES, Path("rules.yaml"))
    assert "paid_gone" in rules.signal_names
    c = classify("", "I paid. Then he vanished.", rules)
    assert "paid_gone" in c.signals and "scam_suspicion" in c.categories
    # its evidence is the parts' evidence, renamed, with offsets into the original text
    assert sorted(e.text for e in c.signals["paid_gone"]) == ["I paid", "vanished"]
    assert c == classify("", "I paid. Then he vanished.", rules, prefilter=False)
    assert c == classify("", "I paid. Then he vanished.", rules, engine="re")
    assert "paid_gone" not in classify("", "I paid.", rules).signals
    assert "paid_gone" not in classify("", "My old client: I paid, he vanished.", rules).signals  # none:


_CUT_RULES = _RULES_HEAD + """  - name: paid
    category: off_platform_payment
    weight: 3.0
    keywords: [paid]
    patterns: ['\\bpaid\\b']
    negation: {cues: ['\\bse\\b'], window: 3, after: ['^\\W*not\\b'], after_window: 4}
"""


def test_a_negation_window_never_cuts_a_word_into_a_cue() -> None:
    """The window before a match may start, and the one after it end, inside a word: "pha|se paid" must not
    read as the cue word "se", nor "paid not|hing" as "not" (money_sent missed "... phase 2 outside the
    platform and I paid an $800 deposit", check5 c5-021, when its 30-character window began inside "phase")."""
    from triage.classify import parse_rules

    rules = parse_rules(_CUT_RULES, Path("rules.yaml"))
    assert "paid" in classify("", "phase paid", rules).signals
    assert "paid" in classify("", "paid nothing", rules).signals
    assert "paid" not in classify("", "se paid", rules).signals  # the whole cue word still denies
    assert "paid" not in classify("", "paid not", rules).signals


def test_validation_compiles_are_not_kept_in_re_cache() -> None:
    """Each pattern is compiled once on its own only to name a bad one; `re`'s module cache must not keep those
    copies alive (≈ 2 MiB per worker process with the shipped rules). The signal's own alternation is kept."""
    import re

    cache = getattr(re, "_cache", None)
    if not isinstance(cache, dict):  # pragma: no cover - a Python whose `re` keeps no such cache
        pytest.skip("re has no module cache to inspect")
    re.purge()
    rules = parse_rules(_COMBO_RULES, Path("rules.yaml"))
    cached = {key[1] for key in cache}
    assert "\\bi paid\\b" not in cached and "\\bvanished\\b" not in cached
    assert rules.signal("paid").regex.search("so i paid")  # the kept regex still works


@pytest.mark.parametrize(
    ("extra", "msg"),
    [
        ("  - {name: c1, all: [nope], weight: 1}", "unknown signal 'nope'"),
        ("  - {name: c1}", "needs `all` and/or `any`"),
        ("  - {name: paid, all: [gone]}", "bad or duplicate name"),
        ("  - {name: c1, all: [paid], colour: red}", "unknown key 'colour'"),
        ("  - {name: c1, all: [paid], none: [zzz]}", "unknown signal 'zzz'"),
    ],
)
def test_combination_errors(extra: str, msg: str) -> None:
    from triage.classify import RulesError, parse_rules

    text = _COMBO_RULES.split("combinations:")[0] + "combinations:\n" + extra + "\n"
    with pytest.raises(RulesError, match=msg):
        parse_rules(text, Path("rules.yaml"))


_RETRY_RULES = _RULES_HEAD + """  - name: paid
    category: off_platform_payment
    weight: 3.0
    keywords: [paid]
    patterns: ['\\b(?:i )?paid\\b']
    negation: {cues: ['\\bnot\\b'], window: 4}
"""


def test_a_denied_match_is_retried_one_character_on() -> None:
    """A negated match must not hide a match that starts inside it (finditer would skip past it)."""
    from triage.classify import parse_rules

    rules = parse_rules(_RETRY_RULES, Path("rules.yaml"))
    # "i paid" is denied ("not " is the 4 characters before it); "paid" alone is not (the window
    # before it is "t i ", no "not").
    c = classify("", "not i paid", rules)
    assert [e.text for e in c.signals["paid"]] == ["paid"]
    for kw in ({"prefilter": False}, {"engine": "re"}, {"engine": "auto"}):
        assert classify("", "not i paid", rules, **kw) == c  # type: ignore[arg-type]
    assert "paid" not in classify("", "not paid", rules).signals


# A Hyperscan (vectorscan, as bundled by the `hyperscan` 0.9.1 wheel) false negative found on check8's
# first reading (c8-072): money_loss's branch "\b(?:he|she|they|the …)(?: still)? (?:has|…) … my (?:AMOUNT|…)",
# translated with its leading \b dropped, was not reported once the match started past byte ~19 of the
# buffer, so the Hyperscan gate dropped a signal the `re` engines find. `hs_translate` now keeps a leading
# word boundary before a word character as `(?:^|[^A-Za-z0-9_])` (a superset of it), which avoids the miss
# (+5 % scan time). This pins both: the ticket, and the library's miss on the bare translation.
_HS_MISS = (
    "Buyer overpaid custom offer and wants the difference by PayPal",
    "He asked me to send back $450 through my PayPal and he'd cancel. I sent it. "
    "Now the order is cancelled and refunded to him AND he has my $450. I got scammed by a buyer.",
)


def test_a_late_match_the_bare_translation_misses_is_found(rules) -> None:
    from triage import classify as cl

    if cl._hs is None:
        pytest.skip("hyperscan not installed")
    base = classify(*_HS_MISS, rules, prefilter=False)
    assert "money_loss" in base.signals  # the rule does match this ticket
    fast = classify(*_HS_MISS, rules, engine="hyperscan")
    assert fast.signals.keys() == base.signals.keys()
    assert fast.evidence == base.evidence

    branch = rules.signal("money_loss").branches
    branch = next(b for b in branch if b.startswith(r"\b(?:he|she|they|the "))
    guarded = cl.hs_translate(branch)
    assert guarded.startswith(b"(?:^|[^A-Za-z0-9_])")
    bare = guarded[len(b"(?:^|[^A-Za-z0-9_])"):]
    text = ("x" * 40 + " he has my $450.").encode()

    def reported(expr: bytes) -> bool:
        db = cl._hs.Database()
        db.compile(expressions=[expr], ids=[0], flags=[cl._hs.HS_FLAG_ALLOWEMPTY])
        hits: list[int] = []
        db.scan(text, match_event_handler=lambda *a: hits.append(a[2]) or False)
        return bool(hits)

    assert reported(guarded)
    # The library's own miss; if a future hyperscan reports it, the guard may be dropped (not required).
    if reported(bare):
        pytest.skip("this hyperscan build no longer misses the bare translation")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [(r"\bhe has", True), (r"\b(?:he|she) has", True), (r"\b(?:ab|c(?:d))x", True), (r"\b(?:ab|\$)x", False),
     (r"\b(?:ab)?x", False), (r"\b[a-z]", False), (r"\b\$5", False), (r"\b", False)],
)
def test_leading_boundary_kept_only_before_a_word_character(pattern: str, expected: bool) -> None:
    from triage import classify as cl

    assert cl._starts_with_word_char(pattern, 2) is expected
    if cl._hs is not None and pattern != r"\b":
        assert cl.hs_translate(pattern).startswith(b"(?:^|[^A-Za-z0-9_])") is expected


def test_keyword_windows_cover_every_bounded_branch(rules) -> None:
    """The pure-`re` engine searches `window` characters either side of a keyword hit; a branch whose longest match
    is longer than the window can fall outside it and be missed where Hyperscan and the unfiltered scan find it (four
    signals had this in the thirteenth session: c66-118, c42-200, c45-143, c56-090). Branches of unbounded length
    are covered by the engines-agree test on every labelled ticket."""
    from triage.classify import _UNBOUNDED, _branch_bounds

    short = []
    for sig in rules.signals:
        if not sig.keywords:
            continue
        for branch in sig.branches:
            longest, _ = _branch_bounds(branch)
            if longest < _UNBOUNDED and longest > sig.window:
                short.append(f"{sig.name}: window {sig.window} < {longest} ({branch[:60]}…)")
    assert not short, "\n".join(short)
