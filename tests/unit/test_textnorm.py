"""Normalisation: what signals match against, with offsets back into the customer's text."""

from __future__ import annotations

import pytest

from triage import textnorm
from triage.textnorm import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Add me on T E L E G R A M", "add me on telegram"),
        ("w-h-a-t-s-a-p-p me", "whatsapp me"),
        ("t3legram or wh4tsapp", "telegram or whatsapp"),
        ("Depósito de 300 €", "deposito de 300 €"),
        ("<p>te<b>le</b>gram</p>", " telegram "),
        ("I paid $300 in 2024", "i paid $300 in 2024"),
        # a dot between digits is a digit group or a decimal, not a sentence end (clause-bound patterns stop at ".")
        ("Mandarle los 60.000 por Nequi. Listo.", "mandarle los 60,000 por nequi. listo."),
        ("Paguei R$ 1.500,00 por Pix", "paguei r$ 1,500,00 por pix"),
        ("<p>Rp5.500.000 ke rekening</p>", " rp5,500,000 ke rekening "),
        ("Version 2. 3 days", "version 2. 3 days"),
        # a dot inside an e-mail address is not a sentence end either: it reads as "~"; the sentence's own dot stays
        ("I paid it to Jo.Smith@proton.me by PayPal.", "i paid it to jo~smith@proton~me by paypal."),
        ("mail pay.verify-team@gmail.com. Then", "mail pay~verify-team@gmail~com. then"),
        ("<a href=\"mailto:a.b@x.co.uk\">a.b@x.co.uk</a> now", "a~b@x~co~uk now"),
        ("t.me/jo and paypal.me/jo and @jo.smith", "t.me/jo and paypal.me/jo and @jo.smith"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "normalised", "original"),
    [
        ("Contact <b>me</b> on t e l e g r a m now", "telegram", "t e l e g r a m"),
        # an e-mail address's dots read as "~" keep their offsets (the sentence's own dot stays a dot)
        ("Sent it to <b>Jo.Smith@Proton.me</b> via Wise.", "jo~smith@proton~me", "Jo.Smith@Proton.me"),
    ],
)
def test_offsets_point_at_the_original(raw: str, normalised: str, original: str) -> None:
    norm = normalize(raw)
    i = norm.text.index(normalised)
    s, e = norm.span(i, i + len(normalised))
    assert raw[s:e] == original


@pytest.mark.parametrize(
    "text",
    [
        "plain words only",
        "abc1",
        "a b c d",
        "a.b.c.d",
        "a  b  c  d",
        "i a m",
        "covid19 and b2b",
        "$300 100%",
        "é1 ü 2",
        "x-y_z*w",
        "",
    ],
)
def test_quick_obfuscation_check_agrees_with_the_regex(text: str) -> None:
    """The Hyperscan pre-check (when installed) answers exactly like the `re` one it replaces."""
    assert textnorm._maybe_obfuscated(text) == (textnorm._OBFUSCATED_QUICK.search(text) is not None)
