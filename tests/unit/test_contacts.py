"""Contact extraction, normalisation and scrubbing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from triage.contacts import (
    PLACEHOLDER,
    contains_identifier,
    extract_contacts,
    is_well_known,
    normalise_url,
    scrub_identifiers,
)

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev.jsonl"


def kv(body: str, subject: str = "") -> list[tuple[str, str]]:
    return [(c.kind, c.value) for c in extract_contacts(subject, body)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Add me on Telegram @John_Doe99 please", [("telegram", "telegram:john_doe99")]),
        ("he wrote: contact @FastPay_Manager (tg)", [("telegram", "telegram:fastpay_manager")]),
        ("link: t.me/ScamBoss.", [("telegram", "telegram:scamboss")]),
        ("https://telegram.me/Some_User?start=1", [("telegram", "telegram:some_user")]),
        ("my telegram: fast_pay", [("telegram", "telegram:fast_pay")]),
        ("telegram username is hr_dana_2024", [("telegram", "telegram:hr_dana_2024")]),
        ("whatsapp +1 (415) 555-0123", [("whatsapp", "+14155550123")]),
        ("wa.me/447911123456", [("whatsapp", "+447911123456")]),
        ("https://api.whatsapp.com/send?phone=447911123456&text=hi", [("whatsapp", "+447911123456")]),
        ("message him on WhatsApp 4915112345678", [("whatsapp", "+4915112345678")]),
        ("call 00 44 20 7946 0958", [("phone", "+442079460958")]),
        ("phone: +91 90000 00000", [("phone", "+919000000000")]),
        ("call me at 0612345678", [("phone", "phone:0612345678")]),
        ("my number is (415) 555-0123", [("phone", "phone:4155550123")]),
        ("Email Bob.Smith@Example.COM.", [("email", "bob.smith@example.com")]),
        ("write to bob [at] gmail [dot] com", [("email", "bob@gmail.com")]),
        ("skype live:.cid.abc123", [("skype", "skype:live:.cid.abc123")]),
        ("Skype id: John.Smith_88", [("skype", "skype:john.smith_88")]),
        (
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            [("wallet", "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")],
        ),
        (
            "send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa now",
            [("wallet", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")],
        ),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            [("wallet", "eth:0x52908400098527886e0f7030069857d2e4169ee7")],
        ),
        (
            "USDT TRC20: TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC",
            [("wallet", "tron:TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC")],
        ),
        ("see https://UPW0RK.com/Login?x=1#frag.", [("url", "https://upw0rk.com/Login?x=1")]),
        ("go to upw0rk.com, then paypa1.com!", [("url", "http://upw0rk.com"), ("url", "http://paypa1.com")]),
        ("[click here](http://evil.example.com/a)", [("url", "http://evil.example.com/a")]),
        ("(see www.Evil.com/path)", [("url", "http://www.evil.com/path")]),
        (
            "https://en.wikipedia.org/wiki/Scam_(fraud).",
            [("url", "https://en.wikipedia.org/wiki/Scam_(fraud)")],
        ),
        ('<a href="https://evil.example.net/x">here</a>', [("url", "https://evil.example.net/x")]),
    ],
)
def test_extracts_and_normalises(body: str, expected: list[tuple[str, str]]) -> None:
    assert kv(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "The price was $1,500 and then $12,000,000 more",
        "I paid 1 500 000 UZS and 250000 rupees",
        "On 2024-01-15 and 15.01.2024 and 01/15/2024",
        "Order #1234567 and order 12345678, invoice no. 99887766554",
        "my job ID is 123456789",
        "version 1.2.3.4, server 192.168.1.10",
        "steps 1 2 3 4 5 6 7 8",
        "e.g. open file.txt with Node.js",
        "follow @someone on instagram",  # a handle with no Telegram wording is not a Telegram contact
        "I earned 8,88,500 rupees",
        "Total 5.500.000",
        "he said telegram because it is faster",
    ],
)
def test_no_false_positives(body: str) -> None:
    assert kv(body) == []


def test_offsets_fields_raw_and_dedup() -> None:
    subject = "Telegram @scam_boss again"
    body = "He is t.me/scam_boss and @Scam_Boss on telegram; mail x@y.com or X@Y.com"
    cs = extract_contacts(subject, body)
    assert [(c.kind, c.value, c.field) for c in cs] == [
        ("telegram", "telegram:scam_boss", "subject"),
        ("email", "x@y.com", "body"),
    ]
    for c in cs:
        text = subject if c.field == "subject" else body
        assert text[c.start : c.end] == c.raw


def test_email_domain_is_not_also_a_url() -> None:
    assert kv("contact hr@evil-corp.com") == [("email", "hr@evil-corp.com")]


def test_whatsapp_number_matches_phone_value_across_kinds() -> None:
    # The same number reported as a WhatsApp link and as a phone shares its E.164 value.
    assert kv("wa.me/14155550123")[0][1] == kv("call +1 415 555 0123")[0][1] == "+14155550123"


def test_telegram_invite_link_stays_a_url() -> None:
    assert kv("join t.me/+AbCdEf123") == [("url", "http://t.me/+AbCdEf123")]
    assert kv("join https://t.me/joinchat/AbCdEf") == [("url", "https://t.me/joinchat/AbCdEf")]


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://Example.COM:443/A?b=1#frag") == "https://example.com/A?b=1"
    assert normalise_url("example.com/") == "http://example.com"
    assert normalise_url("http://example.com:8080/x&amp;y") == "http://example.com:8080/x&y"


def test_well_known_domains_are_not_reportable() -> None:
    cs = extract_contacts(
        "", "found it on Freelancer.com and https://www.upwork.com/jobs/~01; scam at upw0rk.com"
    )
    assert [is_well_known(c) for c in cs] == [True, True, False]


@pytest.mark.parametrize(
    "text",
    [
        "ping @handle",
        "visit upw0rk.com",
        "ｔ．ｍｅ／scam",  # fullwidth look-alike, folded by NFKC
        "mail me a@b.co",
        "+1 415 555 0123",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "javascript:alert(1)",
        "tg://resolve?domain=scam",
        "live:.cid.123abc",
        "paypa1 . com",
    ],
)
def test_scrub_removes_identifiers(text: str) -> None:
    assert contains_identifier(text)
    scrubbed = scrub_identifiers(text)
    assert PLACEHOLDER in scrubbed
    assert not contains_identifier(scrubbed)


@pytest.mark.parametrize(
    "text", ["Maria Lopez", "Re: my payment", "Jean-Luc O'Neil", "The price is $500", ""]
)
def test_scrub_leaves_plain_text(text: str) -> None:
    assert not contains_identifier(text)
    assert scrub_identifiers(text) == text


def test_scrub_keeps_surrounding_text() -> None:
    assert (
        scrub_identifiers("Add me @scam_boss or t.me/x1234 thanks") == "Add me [removed] or [removed] thanks"
    )


@pytest.mark.parametrize(
    "text",
    [
        "a" * (1 << 20),
        "a." * (1 << 19),
        "1 " * (1 << 19),
        "@" * (1 << 20),
        "x@y.com " * (1 << 17),
        "1(" * (1 << 19),
    ],
)
def test_megabyte_inputs_are_linear(text: str) -> None:
    t0 = time.perf_counter()
    extract_contacts(text[:1024], text)
    scrub_identifiers(text)
    assert time.perf_counter() - t0 < 20  # seconds; quadratic behaviour would take hours


def test_dev_set_contacts_are_plausible() -> None:
    if not DEV.exists():
        pytest.skip("../shared/eval/dev.jsonl not available")
    found = {}
    for line in DEV.read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        found[t["id"]] = kv(t.get("body", ""), t.get("subject", ""))
    assert ("telegram", "telegram:example_pm_dana") in found["h132"]
    assert ("phone", "+15550142298") in found["h069"]
    # Amounts like $2,500, 8,88,500 or 1.48 lakh are never phones.
    assert not any(k == "phone" and v.startswith("phone:") for cs in found.values() for k, v in cs)


def _corpus() -> list[str]:
    """Every text the suites know: the cases above, the labelled sets, generated bench tickets, tricky bits."""
    import triage.contacts as contacts_mod
    from triage.benchdata import generate, parse_mix

    texts = [str(p[0]) for p in test_extracts_and_normalises.pytestmark[0].args[1]]  # type: ignore[attr-defined]
    texts += list(test_no_false_positives.pytestmark[0].args[1])  # type: ignore[attr-defined]
    texts += list(test_scrub_removes_identifiers.pytestmark[0].args[1])  # type: ignore[attr-defined]
    for path in [*sorted((Path(__file__).resolve().parents[1] / "data").glob("*.jsonl")), DEV]:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                t = json.loads(line)
                texts += [t.get("subject") or "", t.get("body") or ""]
    for _, t in generate(400, parse_mix("scam=0.3,off=0.2,both=0.2"), prefix="c"):
        texts += [t["subject"], t["body"]]
    # Case-folding look-alikes the IGNORECASE detectors accept (long s, Kelvin sign), odd separators.
    texts += ["ſkype: john_smith_1", "SKYPE live:abc.def", "\u212aelegram? telegram: \u212aing_pin",
              "TG - boss_man", "ТЕЛЕГРАМ: vasya_pupkin", "WWW.123.COM/x", "HTTP://localhost/a", "bc1" + "q" * 30,
              "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "call (0) 612-345-678", "+ 44 20 7946 0958",
              "ｔ．ｍｅ／scam", "x@y.z", "bob (at) gmail (dot) com", "live:.cid.1", "T" + "J" * 33,
              # Edges of the e-mail, Tron, obfuscated-e-mail, dotted-host and Telegram-context pre-checks.
              "mail me: Bob@Example.COM.", "a@b", "@handle.com", "me@x-y.io", "me@-x.io", "q@ſkype.com",
              "x (AT) y (DOT) com", "x [ at ]y.com", "x( at)y", "(at)", "TJ" + "k" * 32 + " T" + "l" * 33,
              "tT" + "J" * 33, "a.B", "1.x", "x .com", "ab.Kom", "..ab", "@john_doe on tg",
              "@john_doe on TeLeGrAm", "TELEGRAMM @john_doe", "@john_doe телеграм", "@john_doe Kg?",
              "ask @john_doe there (telegram later on, far away) " + "x" * 100 + " tg"]
    assert contacts_mod._PRECHECKS
    return texts


def test_prechecks_change_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detectors' cheap pre-checks are necessary conditions: with or without them, the same contacts."""
    import triage.contacts as contacts_mod

    texts = _corpus()
    assert len(texts) > 1000
    fast = [contacts_mod._hits(t) for t in texts]
    monkeypatch.setattr(contacts_mod, "_PRECHECKS", False)
    slow = [contacts_mod._hits(t) for t in texts]
    assert sum(map(len, slow)) > 150  # the corpus does find contacts of every kind
    assert {h.kind for hs in slow for h in hs} >= {"telegram", "whatsapp", "phone", "email", "skype", "wallet", "url"}
    for text, a, b in zip(texts, fast, slow, strict=True):
        assert a == b, text
