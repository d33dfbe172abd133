"""Realistic generated tickets for `triage bench`: a configurable mix of categories, reproducible by seed.

Texts are built from phrase banks written like real marketplace support tickets (typos, lower case,
amounts, messenger handles), so the classifier does the work it does in production: keyword
prefilter hits, regex windows, contact extraction, and repeat reports of the same handle by different
people (which takes the row-locked repeat-contact path in the store).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

KINDS = ("scam", "off", "both", "none")

_NAMES = ["Maria Lopez", "Ahmed Khan", "Li Wei", "John Carter", "Ana Silva", "Olga Petrova", "Kwame Mensah",
          "Priya Nair", "Tom Becker", "Sofia Rossi", "Diego Torres", "Yuki Sato", "Fatima Zahra", "Emma Brown"]
# Requesters: a helpdesk greets a new name on nearly every ticket, and the reply's cost and the worker's memory
# depend on it (the reply is memoised per answered entries, with the name put in a slot). One ticket in ten
# comes from a common name above; the others from 13,824 generated first names (24³ syllable triples).
_SYLLABLES = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "an", "el", "or", "is", "ju", "pa", "be",
              "ha", "ri", "mo", "za", "li", "na", "to", "se"]
_SURNAMES = ["Lopez", "Khan", "Wei", "Carter", "Silva", "Petrova", "Mensah", "Nair", "Becker", "Rossi", "Torres",
             "Sato", "Zahra", "Brown", "Okafor", "Novak", "Haddad", "Kowalski", "Nguyen", "Garcia"]


def _requester_name(rnd: random.Random) -> str:
    if rnd.random() < 0.1:
        return rnd.choice(_NAMES)
    first = "".join(rnd.choice(_SYLLABLES) for _ in range(3)).title()
    return f"{first} {rnd.choice(_SURNAMES)}"


_WORK = ["logo design", "WordPress site", "mobile app", "translation job", "voice-over", "data entry project",
         "SEO audit", "video edit", "Shopify store", "research paper", "illustration", "Python script"]
_PLATFORM_MSG = ["Telegram", "WhatsApp", "Signal", "Skype", "Discord", "WeChat"]
_PAY = ["PayPal", "a wire transfer", "Western Union", "crypto (USDT)", "Payoneer", "Zelle", "Wise", "a bank transfer"]

_SCAM = [
    ("Client wants to move to {msg} before the contract",
     "Hi, a client invited me to a {work} but before any contract he asked me to continue on {msg} ({handle}). "
     "He also wants a copy of my passport and my bank details to 'register me as a vendor'. Is this legit?"),
    ("weird check from a buyer",
     "The buyer mailed me a cashier's check for ${big} instead of ${amount} for the {work} and now wants me to "
     "wire back the difference urgently. He keeps messaging me on {msg} {handle}. something feels off"),
    ("Someone asking to rent my account",
     "getting {msg} messages from {handle} asking me to 'lend' them my account for ${amount} a month. "
     "they say they will do the work and share the money. is this allowed?? sounds shady"),
    ("Interview on {msg} asks for equipment payment",
     "I had an interview for a {work} on {msg} with {handle}. They hired me right away and sent a check to buy "
     "equipment from their vendor, I have to send ${amount} first. Is this a scam?"),
    ("Fake support message",
     "I got a message from '{handle}' claiming to be the platform support team on {msg}. They say my account "
     "will be suspended unless I verify my identity with my card number and the code they sent me."),
]
_OFF = [
    ("Client wants to pay me directly",
     "My client of two years asked if he can pay me directly by {pay} for the next {work} to save the fees. "
     "I'd rather keep it on the platform but I don't want to lose him. What should I answer?"),
    ("Paid outside the platform",
     "I paid the freelancer ${amount} by {pay} outside the platform for a {work} and now he doesn't answer. "
     "Can I get my money back?"),
    ("Buyer offers extra if we skip the site",
     "A buyer offered me ${amount} extra if we do the {work} outside the site and he pays via {pay}. "
     "Is that against the rules?"),
    ("Can I invoice my client outside",
     "hello, for the {work} my client wants me to send an invoice to his company and pay by {pay} "
     "instead of through the contract here. is that ok"),
]
_BOTH = [
    ("Paid on {msg} and he disappeared",
     "The client moved the chat to {msg} ({handle}), said the platform fees were too high and asked me to "
     "pay a ${amount} 'registration fee' by {pay} before starting the {work}. I paid and now he blocked me."),
    ("Sent money outside, now blocked",
     "I paid ${amount} via {pay} outside the platform to {handle} on {msg} who promised a {work}. He asked for "
     "my ID scan too. Now he is gone. Please help me get the money back"),
]
_NONE = [
    ("Withdrawal pending",
     "My withdrawal of ${amount} to my bank has been pending for {days} days. When will it arrive? Thanks, {name}"),
    ("Why is my service fee {pct}%?",
     "Hi there, the service fee on my last {work} was {pct}%. My balance is more than ${amount} so I think "
     "it should be lower. Please let me know the reason."),
    ("Cannot upload files to the contract",
     "When I try to upload the final files for the {work} I get an error. I tried Chrome and Firefox. "
     "The deadline is in {days} days, please help."),
    ("Change my tax information",
     "I moved to a new country and need to update my tax information and address. Where do I do that? {name}"),
    ("Dispute about milestone",
     "The client approved milestone {days} of the {work} but the ${amount} is still not released. "
     "Can you check the contract please?"),
]
_BANKS = {"scam": _SCAM, "off": _OFF, "both": _BOTH, "none": _NONE}


def parse_mix(text: str) -> dict[str, float]:
    """`scam=0.3,off=0.2,both=0.1` → shares per kind; the rest are tickets of neither category."""
    mix = {"scam": 0.0, "off": 0.0, "both": 0.0}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in mix:
            raise ValueError(f"--mix takes scam=F,off=F,both=F (shares in [0, 1]), not {part!r}")
        try:
            mix[key] = float(value)
        except ValueError as exc:
            raise ValueError(f"--mix: {key} share {value!r} is not a number") from exc
        if not 0.0 <= mix[key] <= 1.0:
            raise ValueError(f"--mix: {key} share must be within [0, 1]")
    total = sum(mix.values())
    if total > 1.0 + 1e-9:
        raise ValueError(f"--mix shares add up to {total:.2f}; at most 1 (the rest are neither category)")
    mix["none"] = max(0.0, 1.0 - total)
    return mix


def generate(n: int, mix: dict[str, float], *, prefix: str, seed: int = 7, source: str = "bench",
             handles: int = 300, handle_tag: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, ticket) pairs; external ids are `{prefix}-{i}`. Scammer handles repeat across tickets;
    `handle_tag` makes them unique to a run, so rows left by other runs never count as earlier reports."""
    rnd = random.Random(seed)
    kinds = list(mix)
    weights = [mix[k] for k in kinds]
    pool = [f"@{rnd.choice(['hr', 'job', 'pay', 'support', 'recruit'])}_{handle_tag}{rnd.randrange(10**6):06d}"
            for _ in range(handles)]
    for i in range(n):
        kind = rnd.choices(kinds, weights)[0]
        subject, body = rnd.choice(_BANKS[kind])
        name = _requester_name(rnd)
        slots = {
            "msg": rnd.choice(_PLATFORM_MSG), "pay": rnd.choice(_PAY), "work": rnd.choice(_WORK),
            "handle": rnd.choice(pool), "amount": rnd.randrange(20, 3000), "big": rnd.randrange(3000, 9000),
            "days": rnd.randrange(2, 15), "pct": rnd.choice([5, 10, 15, 20]), "name": name.split()[0],
        }
        email = f"{name.split()[0].lower()}.{rnd.randrange(10**5)}@example.org"
        yield kind, {
            "source": source,
            "external_id": f"{prefix}-{i}",
            "subject": subject.format(**slots),
            "body": body.format(**slots),
            "requester": {"email": email, "name": name},
            "channel": rnd.choice(["email", "web", "chat"]),
            "tags": [kind] if kind != "none" else [],
            "metadata": {},
        }
