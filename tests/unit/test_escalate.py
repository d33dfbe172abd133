"""Escalation policy: each flag positive/negative, priorities, extra flags, config errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.classify import classify, load_rules
from triage.escalate import PolicyError, escalate, load_policy, parse_policy
from triage.schemas import Evidence, Flag

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def rules():
    return load_rules(CONFIG)


@pytest.fixture(scope="module")
def policy():
    return load_policy(CONFIG)


def run(rules, policy, body: str, subject: str = "", extra=()):
    c = classify(subject, body, rules)
    return c, escalate(c, policy, extra_flags=extra)


FLAG_CASES = [
    (
        "money_lost",
        "The recruiter moved me to Telegram and I sent $400 via Zelle for the starter kit. Gone.",
        True,
    ),
    ("money_lost", "He asked me to pay $400 outside Upwork for a starter kit but I refused.", False),
    ("money_lost", "I worked for him outside the site for two months and he never paid me.", True),
    ("money_lost", "My client on the platform never paid me, I opened a dispute.", False),
    # Delivered, paid outside the platform, then the counterparty owes or took the money back.
    ("money_lost", "A client from here pays me by Zelle now; he owes me $700 for the last two weeks.", True),
    ("money_lost", "He paid by PayPal outside the contract, then charged back after I sent the files.", True),
    ("money_lost", "My client on the platform owes me for the last milestone, I opened a dispute.", False),
    ("money_lost", "He offered to pay by PayPal outside the site. I don't think he owes me anything yet.", False),
    # A fake overpayment's "nothing arrived" is the bait, not money owed; the difference sent back is the loss.
    (
        "money_lost",
        "Before any contract the client said he sent 850 USD to my account via Wise by mistake and wants me to send "
        "back the difference to his cousin. Nothing arrived, I checked. I have not sent any money.",
        False,
    ),
    (
        "money_lost",
        "Before any contract the client said he overpaid me by Zelle and asked me to refund the difference, so I sent "
        "him $700 back. Nothing ever arrived from him.",
        True,
    ),
    (
        "personal_data_shared",
        "They wanted my SSN to onboard me and I sent them a copy of my passport too.",
        True,
    ),
    ("personal_data_shared", "They asked for my passport. I did not send my passport.", False),
    (
        "account_access_shared",
        "He said he was Upwork support and I gave him my password and the 2FA code.",
        True,
    ),
    ("account_access_shared", "Someone asked for my 2FA code, I never shared it.", False),
    (
        "high_risk",
        "Recruiter on Telegram, interview by text only, wants my SSN and a $90 training fee, "
        "will mail a cashier's check for equipment from their vendor.",
        True,
    ),
    ("high_risk", "A client asked me to continue on WhatsApp.", False),
    ("policy_violation_risk", "I've invoiced him directly since 2020 and now he stopped paying.", True),
    ("policy_violation_risk", "A client asked to pay me outside but I said no.", False),
    # The veto (none_signals: [payment_denied]): a fee described, then denied outright, is not money lost ...
    (
        "money_lost",
        "The agent wants 35 USDT sent to his personal Binance wallet, outside the site, for a premium badge. "
        "I paid nothing.",
        False,
    ),
    # ... but a partial denial is no veto: the first payment is gone ...
    (
        "money_lost",
        "I sent $80 via Cash App outside the site for the 'activation'. They wanted $150 more. I paid nothing more.",
        True,
    ),
    (
        "money_lost",
        "I sent $300 via Zelle outside the site for the kit. He now claims I never paid anything.",
        True,
    ),
    (
        "money_lost",
        "I paid nothing upfront, but after the call I sent $200 via Zelle outside the platform. He vanished.",
        True,
    ),
    # ... and unpaid work outside the platform is lost whatever the writer did not pay.
    (
        "money_lost",
        "I worked for him outside the site for two months and he never paid me. I haven't sent him anything either.",
        True,
    ),
    # What the renter of the writer's account stopped paying is rent, not the writer's work (check89) ...
    (
        "money_lost",
        "A guy on Facebook offered $150 a month to rent my Upwork account. He paid through Payoneer for four months, "
        "then stopped paying. I never did the work myself.",
        False,
    ),
    # ... and a promised payment that never came, to a writer who paid and did nothing, is no loss.
    (
        "money_lost",
        "A 'talent manager' on Telegram promised a $200 welcome bonus to PayPal. The bonus never came. "
        "I'm not paying anything.",
        False,
    ),
]


@pytest.mark.parametrize(("flag", "body", "expected"), FLAG_CASES, ids=[f"{f}:{e}" for f, _, e in FLAG_CASES])
def test_flags(rules, policy, flag: str, body: str, expected: bool) -> None:
    c, e = run(rules, policy, body)
    names = e.flag_names
    assert (flag in names) == expected, (names, c.scores, sorted(c.signals))
    for f in e.flags:
        assert f.reason
        assert f.evidence, f"flag {f.name} has no evidence"
        for ev in f.evidence:
            assert body[ev.start : ev.end] == ev.text


def test_priorities(rules, policy) -> None:
    assert (
        run(rules, policy, "I sent $300 via Zelle to the recruiter outside the platform.")[1].priority == "P1"
    )
    _, e = run(
        rules,
        policy,
        "Recruiter on Telegram, text-only interview, wants my SSN and a $90 training fee, "
        "and will mail a cashier's check for equipment from their vendor.",
    )
    assert e.priority == "P2" and e.escalated
    _, e = run(rules, policy, "My client wants to pay me directly by PayPal to save fees.")
    assert e.priority == "P3" and not e.escalated
    _, e = run(rules, policy, "When will my withdrawal arrive?")
    assert (e.priority, e.escalated, e.flags) == ("P4", False, [])


def test_extra_flag_repeat_contact(rules, policy) -> None:
    ev = Evidence(signal="contact", field="body", start=0, end=4, text="x")
    extra = [Flag(name="repeat_reported_contact", reason="", evidence=[ev], linked_tickets=["zendesk:1"])]
    _, e = run(rules, policy, "When will my withdrawal arrive?", extra=extra)
    assert e.priority == "P2" and e.escalated
    (flag,) = e.flags
    assert flag.name == "repeat_reported_contact"
    assert flag.reason  # filled from config when the caller sends none
    assert flag.linked_tickets == ["zendesk:1"]


def test_extra_flag_merges_with_same_name(rules, policy) -> None:
    body = "I sent $300 via Zelle to the recruiter outside the platform."
    extra = [Flag(name="money_lost", reason="r", linked_tickets=["t1"])]
    _, e = run(rules, policy, body, extra=extra)
    assert e.flag_names.count("money_lost") == 1
    assert e.flags[0].linked_tickets == ["t1"] and e.flags[0].evidence


def test_veto_signal(rules) -> None:
    """`none_signals`: the condition set fails when any listed signal fired, and an unknown name is reported."""
    text = (
        "format: 1\nflags:\n  money_lost:\n    reason: x\n    when:\n"
        "      - {any_signals: [money_sent], none_signals: [payment_denied]}\n"
        "      - {any_signals: [unpaid_work], none_signals: [no_such_signal]}\n"
        "priorities: [{priority: P4}]\n"
    )
    policy = parse_policy(text, Path("escalation.yaml"))
    assert policy.unknown_signals(rules) == ["no_such_signal"]
    _, paid = run(rules, policy, "I sent $300 via Zelle to the recruiter.")
    assert paid.flag_names == ["money_lost"]
    c, denied = run(rules, policy, "I sent $300 via Zelle to the recruiter. No wait: I haven't sent him anything.")
    assert "money_sent" in c.signals and "payment_denied" in c.signals
    assert denied.flag_names == []


def test_policy_cross_check(rules, policy) -> None:
    assert policy.unknown_signals(rules) == []
    assert len(policy.version) == 12


BAD = [
    ("format: 2\nflags: {}\npriorities: []\n", "unsupported format"),
    (
        "format: 1\nflags:\n  nope: {reason: x, when: {any_signals: [a]}}\npriorities: [{priority: P4}]\n",
        "unknown flag",
    ),
    (
        "format: 1\nflags:\n  money_lost: {when: {any_signals: [a]}}\npriorities: [{priority: P4}]\n",
        "needs a non-empty reason",
    ),
    (
        "format: 1\nflags:\n  money_lost: {reason: x, when: {any_signals: [a]}}\n"
        "priorities:\n  - {priority: P1, any_flags: [high_risk]}\n",
        "not defined under `flags`",
    ),
    (
        "format: 1\nflags:\n  high_risk: {reason: x, when: {min_scores: {scam_suspicion: 2}}}\n"
        "priorities: [{priority: P4}]\n",
        "score in [0, 1]",
    ),
    (
        "format: 1\nflags:\n  money_lost: {reason: x, when: {any_signals: [a]}}\npriorities: [{priority: P9}]\n",
        "priority",
    ),
    ("format: 1\nflags: [\n", "escalation.yaml:3:1: invalid YAML: "),
    (
        "format: 1\nflags:\n  money_lost: {reason: x, when: {none_signals: [a]}}\npriorities: [{priority: P4}]\n",
        "it would flag every ticket",
    ),
    (
        "format: 1\nflags:\n  money_lost: {reason: x, when: {any_signals: [], none_signals: [a]}}\n"
        "priorities: [{priority: P4}]\n",
        "no condition that must hold",
    ),
]


@pytest.mark.parametrize(("text", "msg"), BAD)
def test_bad_policy(text: str, msg: str) -> None:
    with pytest.raises(PolicyError, match=r"escalation\.yaml") as exc:
        parse_policy(text, Path("escalation.yaml"))
    assert msg in str(exc.value)


def test_bad_policy_names_line() -> None:
    text = (
        "format: 1\nflags:\n  money_lost:\n    reason: x\n    when: {any_signalz: [a]}\n"
        "priorities: [{priority: P4}]\n"
    )
    with pytest.raises(PolicyError, match=r"escalation.yaml:5: flags.money_lost.when.any_signalz"):
        parse_policy(text, Path("escalation.yaml"))
