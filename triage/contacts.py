"""Off-platform identifiers in ticket text: extract and normalise them, or scrub them out.

Scam reports are full of the scammer's Telegram handle, WhatsApp number, wallet address or look-alike
site. `extract_contacts` finds them so repeat offenders can be matched across tickets;
`scrub_identifiers` / `contains_identifier` keep them out of anything sent to a customer.

Normalised values (what two tickets must share to "match"):

=========  ===================================================================
telegram   ``telegram:<username>`` lowercased (from @handle near Telegram wording, t.me/x, telegram.me/x)
whatsapp   E.164 ``+<digits>`` (wa.me/<number>, numbers next to WhatsApp wording);
           ``phone:<digits>`` when only a national number is known
phone      E.164 ``+<digits>`` for ``+..``/``00..`` numbers, else ``phone:<digits>`` (country unknown)
email      the address, lowercased
skype      ``skype:<id>`` lowercased (``live:...`` ids keep their ``live:`` prefix)
wallet     ``btc:<addr>`` (bech32 lowercased), ``eth:0x<40 hex lowercased>``, ``tron:<addr>``
url        lowercase scheme and host, no fragment, no trailing punctuation, ``http://`` when no scheme
=========  ===================================================================

Every pattern starts only at a token boundary (a look-behind) and has bounded repetition, so the work is
linear in the text length even for megabyte-long adversarial input.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from triage.schemas import Contact

Field = Literal["subject", "body"]
PLACEHOLDER = "[removed]"

# Common and abused TLDs. A bare "name.tld" without scheme or "www." only counts as a URL with one of
# these, which keeps "e.g.", "file.txt" or "Node.js" out while catching "upw0rk.com" or "pay-now.xyz".
_TLDS = (
    "com|net|org|info|biz|io|co|me|ru|ua|uk|us|ca|de|fr|es|it|nl|pl|in|pk|ng|ph|br|cn|tk|ml|ga|cf|gq|xyz|"
    "top|site|online|app|dev|live|shop|store|club|work|jobs|pro|link|click|today|space|website|tech|cc|ly|"
    "gg|to|tv|ws|vip|icu|buzz|cyou|sbs|page|au|eu|ai|id|su"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_URL_TAIL = r"(?:[/?#][^\s<>\"'`\]\[{}|\\^]{0,2000})?"
# Scheme or www.: anything host-like. Bare: only with a known TLD. Userinfo ("user@host") is excluded on
# purpose so that e-mail addresses are not read as URLs.
_URL_RE = re.compile(
    rf"(?<![\w@./-])(?:(?P<scheme>https?)://(?P<host1>(?:{_LABEL}\.){{0,10}}{_LABEL}|\[[0-9a-f:.]+\])(?::\d{{1,5}})?"
    rf"|(?P<host2>(?:www\.)(?:{_LABEL}\.){{1,10}}[a-z]{{2,63}})(?::\d{{1,5}})?"
    rf"|(?P<host3>(?:{_LABEL}\.){{1,10}}(?:{_TLDS}))(?![\w-]))"
    rf"{_URL_TAIL}",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])[a-z0-9][a-z0-9._%+-]{{0,63}}@(?:{_LABEL}\.){{1,10}}[a-z]{{2,63}}(?![\w-])",
    re.IGNORECASE,
)
# "john [at] gmail [dot] com" and friends: scammers obfuscate to dodge filters.
_OBF_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])(?P<user>[a-z0-9][a-z0-9._%+-]{{0,63}})\s{{0,3}}[\[(]\s{{0,3}}at\s{{0,3}}[\])]\s{{0,3}}"
    rf"(?P<dom>{_LABEL}(?:\s{{0,3}}(?:[\[(]\s{{0,3}}dot\s{{0,3}}[\])]|\.)\s{{0,3}}{_LABEL}){{1,5}})(?![\w-])",
    re.IGNORECASE,
)
_SKYPE_LIVE_RE = re.compile(r"(?<![\w:])live:(?:\.cid\.)?[a-z0-9][a-z0-9._-]{1,63}", re.IGNORECASE)
_SKYPE_NAMED_RE = re.compile(
    r"\bskype(?:\s{0,3}(?:id|name|username|handle|account|is|me|on|at)){0,2}\s{0,3}[:=\-]?\s{0,3}"
    r"(?P<id>live:(?:\.cid\.)?[a-z0-9][a-z0-9._-]{1,63}|[a-z][a-z0-9._,-]{5,31})(?![\w.-])",
    re.IGNORECASE,
)
_TG_HANDLE_RE = re.compile(r"(?<![\w@.])@(?P<h>[a-z][a-z0-9_]{3,31})(?![\w@])", re.IGNORECASE)
# "telegram: john_doe", "tg - john_doe", "telegram username is john_doe" (explicit separator or "is").
_TG_NAMED_RE = re.compile(
    r"\b(?:telegram|tg|телеграм\w*)(?:\s{0,3}(?:id|name|username|handle|account|user|nick)){0,2}"
    r"(?:\s{0,3}[:=\-]\s{0,3}|\s{1,3}is\s{1,3})@?(?P<h>[a-z][a-z0-9_]{4,31})(?![\w@.])",
    re.IGNORECASE,
)
_TG_CONTEXT_RE = re.compile(r"telegram|телеграм|\btg\b|\btelegramm?\b", re.IGNORECASE)
_WA_CONTEXT_RE = re.compile(r"whats\s?app|\bwa\b|ватсап|вотсап", re.IGNORECASE)
_PHONE_CONTEXT_RE = re.compile(
    r"\b(?:call|phone|tel|mobile|cell|sms|text|number|viber|signal|contact|whats\s?app|wa|ring)\b",
    re.IGNORECASE,
)
_NOT_PHONE_CONTEXT_RE = re.compile(
    r"(?:order|invoice|ticket|transaction|txn?|id|ref(?:erence)?|contract|case|account|acct|iban|"
    r"card|tracking|payment|receipt|job|offer|project|zip|postal|code|pin|otp)\W{0,3}(?:no\.?|number|#)?\W{0,3}$",
    re.IGNORECASE,
)
# Digits with separators; a phone has 7..15 digits (E.164 max is 15).
_PHONE_RE = re.compile(
    r"(?<![\w+/$€£¥#.,:-])(?P<p>(?:\+|00)\s?)?\(?[0-9][0-9 ().\-]{5,24}[0-9](?![\w/%$€£¥]|[.,][0-9])"
)
_CURRENCY_AFTER_RE = re.compile(
    r"^\s{0,2}(?:usd|eur|gbp|inr|pkr|ngn|uah|rub|uzs|php|\$|€|£|dollars?|euros?|rs\.?|rupees?|naira|k\b)",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_IP_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:[ .,]\d{3})+$")
_BTC_BECH32_RE = re.compile(r"(?<![\w])(?:bc1|BC1)[ac-hj-np-zAC-HJ-NP-Z02-9]{11,71}(?![\w])")
_BTC_BASE58_RE = re.compile(r"(?<![\w])[13][a-km-zA-HJ-NP-Z1-9]{25,34}(?![\w])")
_ETH_RE = re.compile(r"(?<![\w])0x[0-9a-fA-F]{40}(?![\w])")
_TRON_RE = re.compile(r"(?<![\w])T[1-9A-HJ-NP-Za-km-z]{33}(?![\w])")

# Loose patterns used only for scrubbing (never for extraction): any @handle, any "word.word" domain, any
# run of 7+ digits. Over-scrubbing a customer-facing string is cheap; leaking an identifier is not.
_LOOSE_HANDLE_RE = re.compile(r"@[\w.]{2,64}")
# A dot between labels may be written "[.]", "(dot)" or " . " to dodge filters; a dot followed by a single
# space is a sentence end ("I paid. Then"), not a domain.
_LOOSE_DOMAIN_RE = re.compile(
    r"(?<![\w.-])(?:[\w-]{1,63}(?:\.|\s?[\[(](?:\.|dot)[\])]\s?|\s\.\s)){1,10}[a-z]{2,24}(?![\w-])"
    r"(?:/\S{0,2000})?",
    re.IGNORECASE,
)
_LOOSE_DIGITS_RE = re.compile(r"\+?[0-9](?:[0-9 ().\-]{0,3}[0-9]){6,}")
_LOOSE_SCHEME_RE = re.compile(r"\b(?:[a-z][a-z0-9+.-]{1,20}):(?://)?\S{1,2000}", re.I)
_SAFE_SCHEME_WORDS = frozenset({"re", "fwd", "fw", "note", "ps", "subject", "question", "answer"})

_TRAILING_PUNCT = ".,;:!?'\"»›”’)]}>*_"


# Marketplaces, payment providers and big sites that tickets name as *places* ("I found it on Guru.com").
# They are still extracted (they are URLs), but must not count as a reported scammer contact: two
# different freelancers mentioning paypal.com is not a repeat offender.
WELL_KNOWN_DOMAINS = frozenset(
    {
        "upwork.com", "odesk.com", "fiverr.com", "freelancer.com", "guru.com", "peopleperhour.com",
        "toptal.com", "airgigs.com", "paypal.com", "payoneer.com", "wise.com", "venmo.com", "cash.app",
        "google.com", "gmail.com", "youtube.com", "linkedin.com", "facebook.com", "instagram.com",
        "zoom.us", "skype.com", "whatsapp.com", "telegram.org", "microsoft.com", "apple.com", "amazon.com",
    }
)  # fmt: skip


def is_well_known(contact: Contact) -> bool:
    """True for a URL on a well-known platform domain (or a subdomain of one): not a reportable contact."""
    if contact.kind != "url":
        return False
    host = (urlsplit(contact.value).hostname or "").removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in WELL_KNOWN_DOMAINS)


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str
    value: str
    start: int
    end: int


class _Spans:
    """Claimed character intervals; a later (lower-priority) match overlapping one is ignored."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return False
        return not (i < len(self._starts) and self._starts[i] < end)

    def claim(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def _strip_trailing(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation after a URL, keeping a ')' that closes a '(' inside it (Wikipedia-style)."""
    while end > start and text[end - 1] in _TRAILING_PUNCT:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def normalise_url(raw: str) -> str:
    """Lowercase scheme and host, drop the fragment, default ports and a bare trailing '/'."""
    url = html.unescape(raw)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url.lower()
    scheme = parts.scheme.lower()
    netloc = host
    if port is not None and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = "" if parts.path == "/" and not parts.query else parts.path
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _digits(s: str) -> str:
    return "".join(c for c in s if "0" <= c <= "9")


def _phone_value(raw: str, *, assume_international: bool = False) -> str | None:
    digits = _digits(raw)
    s = raw.lstrip()
    if s.startswith("+"):
        return f"+{digits}" if 7 <= len(digits) <= 15 else None
    if s.startswith("00") and not s.startswith("000"):
        digits = digits[2:]
        return f"+{digits}" if 7 <= len(digits) <= 15 else None
    if not 7 <= len(digits) <= 15:
        return None
    # wa.me numbers and "WhatsApp 4915..." are international without the '+'; a leading 0 is a trunk prefix.
    if assume_international and not digits.startswith("0") and len(digits) >= 10:
        return f"+{digits}"
    return f"phone:{digits}"


def _phone_hits(text: str, spans: _Spans) -> Iterator[_Hit]:
    for m in _PHONE_RE.finditer(text):
        start, end = m.start(), m.end()
        raw = m.group(0)
        # The regex may have swallowed a trailing ")" or "(" from prose; trim unbalanced parentheses.
        while raw.endswith("(") or (raw.endswith(")") and raw.count("(") < raw.count(")")):
            raw, end = raw[:-1], end - 1
        if raw.startswith("(") and raw.count("(") > raw.count(")"):
            raw, start = raw[1:], start + 1
        raw_stripped = raw.rstrip(" .-")
        end -= len(raw) - len(raw_stripped)
        raw = raw_stripped
        digits = _digits(raw)
        if not 7 <= len(digits) <= 15 or not spans.free(start, end):
            continue
        plain = raw.strip()
        if _DATE_RE.match(plain) or _IP_RE.match(plain):
            continue
        groups = re.findall(r"[0-9]+", plain)
        if sum(len(g) == 1 for g in groups[1:]) > 1:
            continue  # "1 2 3 4 5 6 7" is a list of steps, not a number anyone dials
        before = text[max(0, start - 40) : start]
        after = text[end : end + 12]
        if _CURRENCY_AFTER_RE.match(after) or re.search(r"[$€£¥]\s?$", before):
            continue
        international = plain.startswith("+") or (plain.startswith("00") and not plain.startswith("000"))
        if not international:
            if _NOT_PHONE_CONTEXT_RE.search(before):
                continue
            if _THOUSANDS_RE.match(plain) and not _PHONE_CONTEXT_RE.search(before):
                continue  # "1 500 000" is an amount unless someone says "call"
            # A bare run of digits is an order number, an amount, a timestamp... unless it is long enough
            # to be a full number or somebody says phone/call/WhatsApp nearby.
            has_sep = any(c in plain for c in " ().-")
            if not has_sep and len(digits) < 10 and not _PHONE_CONTEXT_RE.search(before):
                continue
            if len(re.findall(r"[.]", plain)) and not _PHONE_CONTEXT_RE.search(before):
                continue  # dotted digit groups are versions or amounts far more often than phones
        wa = bool(_WA_CONTEXT_RE.search(text[max(0, start - 40) : start]) or _WA_CONTEXT_RE.search(after))
        value = _phone_value(plain, assume_international=wa)
        if value is None:
            continue
        spans.claim(start, end)
        yield _Hit("whatsapp" if wa else "phone", value, start, end)


def _url_hit(text: str, m: re.Match[str]) -> _Hit | None:
    start = m.start()
    end = _strip_trailing(text, start, m.end())
    raw = text[start:end]
    value = normalise_url(raw)
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return _Hit("url", value, start, end)
    path = parts.path.strip("/")
    if host in ("t.me", "telegram.me", "telegram.dog", "www.t.me", "www.telegram.me"):
        user = path.split("/")[0] if path else ""
        # Invite links (t.me/+abc, t.me/joinchat/abc) are case-sensitive group links, not a username.
        if re.fullmatch(r"[a-z][a-z0-9_]{3,31}", user, re.IGNORECASE) and user.lower() not in (
            "joinchat",
            "s",
        ):
            return _Hit("telegram", f"telegram:{user.lower()}", start, end)
    if host in ("wa.me", "www.wa.me"):
        number = _digits(path.split("/")[0]) if path else ""
        if 7 <= len(number) <= 15:
            return _Hit("whatsapp", f"+{number}", start, end)
    if host in ("api.whatsapp.com", "wa.whatsapp.com", "web.whatsapp.com"):
        q = re.search(r"(?:^|&)phone=\+?([0-9]{7,15})", parts.query)
        if q:
            return _Hit("whatsapp", f"+{q.group(1)}", start, end)
    return _Hit("url", value, start, end)


# Cheap necessary conditions for the detectors below: every match of a detector contains a match of its
# pre-check (same flags, so the same case folding), so skipping a detector whose pre-check fails changes
# nothing. Most tickets hold no e-mail, URL or wallet; a scan with a leading look-behind tries every
# position, a literal or a leading character class is found by a fast search. tests/unit/test_contacts.py
# compares the results with and without them.
# Scheme, or label "." TLD / www. host: `://` or `[a-z0-9]\.[a-z]` (IGNORECASE), the dot found first (a
# literal: a fast search, where a leading character class made the engine try every position).
_DOT_HINT_RE = re.compile(r"\.(?<=[a-z0-9]\.)[a-z]", re.IGNORECASE)
# An e-mail holds "@", a domain label and a dot; a Tron address a "T" and 33 base58 characters; an
# obfuscated e-mail "(at)" or "[ at ]".
_EMAIL_HINT_RE = re.compile(rf"@{_LABEL}\.", re.IGNORECASE)
_TRON_HINT_RE = re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}")
_OBF_AT_HINT_RE = re.compile(r"[\[(]\s{0,3}at\s{0,3}[\])]", re.IGNORECASE)
_BTC_BASE58_HINT_RE = re.compile(r"[13][a-km-zA-HJ-NP-Z1-9]{25}")
_SKYPE_HINT_RE = re.compile(r"skype", re.IGNORECASE)
_TG_NAMED_HINT_RE = re.compile(r"telegram|tg|телеграм", re.IGNORECASE)
_PHONE_HINT_RE = re.compile(r"[0-9][0-9 ().\-]{5,24}[0-9]")
_PRECHECKS = True  # tests turn them off to compare


def _hits(text: str) -> list[_Hit]:
    """All contacts in one text, highest-priority detector first; overlaps resolved by priority."""
    spans = _Spans()
    out: list[_Hit] = []

    def take(hit: _Hit | None) -> None:
        if hit is not None and hit.end > hit.start and spans.free(hit.start, hit.end):
            spans.claim(hit.start, hit.end)
            out.append(hit)

    check = _PRECHECKS
    at = not check or "@" in text
    if not check:
        skype = tg_named = True
    elif text.isascii():  # IGNORECASE on ASCII text is exactly lower-casing: substring tests suffice
        low = text.lower()
        skype, tg_named = "skype" in low, "tg" in low or "telegram" in low
    else:
        skype, tg_named = bool(_SKYPE_HINT_RE.search(text)), bool(_TG_NAMED_HINT_RE.search(text))
    # E-mails before URLs: "bob@evil.com" must not become the URL "evil.com".
    for m in _EMAIL_RE.finditer(text) if at and (not check or _EMAIL_HINT_RE.search(text)) else ():
        end = _strip_trailing(text, m.start(), m.end())
        take(_Hit("email", text[m.start() : end].lower(), m.start(), end))
    obf = not check or (("(" in text or "[" in text) and _OBF_AT_HINT_RE.search(text))
    for m in _OBF_EMAIL_RE.finditer(text) if obf else ():
        dom = re.sub(r"\s*(?:[\[(]\s*dot\s*[\])]|\.)\s*", ".", m.group("dom"), flags=re.IGNORECASE)
        take(_Hit("email", f"{m.group('user')}@{dom}".lower(), m.start(), m.end()))
    for m in _SKYPE_LIVE_RE.finditer(text) if not check or ":" in text else ():
        end = _strip_trailing(text, m.start(), m.end())
        take(_Hit("skype", f"skype:{text[m.start() : end].lower()}", m.start(), end))
    for m in _URL_RE.finditer(text) if not check or "://" in text or _DOT_HINT_RE.search(text) else ():
        take(_url_hit(text, m))
    for m in _BTC_BECH32_RE.finditer(text) if not check or "bc1" in text or "BC1" in text else ():
        if m.group(0) in (m.group(0).lower(), m.group(0).upper()):  # bech32 is never mixed-case
            take(_Hit("wallet", f"btc:{m.group(0).lower()}", m.start(), m.end()))
    for m in _ETH_RE.finditer(text) if not check or "0x" in text else ():
        take(_Hit("wallet", f"eth:{m.group(0).lower()}", m.start(), m.end()))
    for m in _TRON_RE.finditer(text) if not check or ("T" in text and _TRON_HINT_RE.search(text)) else ():
        take(_Hit("wallet", f"tron:{m.group(0)}", m.start(), m.end()))
    for m in _BTC_BASE58_RE.finditer(text) if not check or _BTC_BASE58_HINT_RE.search(text) else ():
        s = m.group(0)
        # Real addresses mix digits, upper and lower case; this keeps words like "1stplace..." out.
        if any(c.isdigit() for c in s[1:]) and any(c.isupper() for c in s) and any(c.islower() for c in s):
            take(_Hit("wallet", f"btc:{s}", m.start(), m.end()))
    for m in _SKYPE_NAMED_RE.finditer(text) if skype else ():
        ident = m.group("id").rstrip(".,-")
        value = ident.lower()
        take(_Hit("skype", f"skype:{value}", m.start("id"), m.start("id") + len(ident)))
    for m in _TG_NAMED_RE.finditer(text) if tg_named else ():
        take(
            _Hit(
                "telegram",
                f"telegram:{m.group('h').lower()}",
                m.start("h") - (text[m.start("h") - 1] == "@"),
                m.end("h"),
            )
        )
    # `tg_named` is necessary for the context too (every _TG_CONTEXT_RE match holds "telegram", "tg" or
    # "телеграм", same flags): without it no @handle can be Telegram.
    for m in _TG_HANDLE_RE.finditer(text) if at and tg_named else ():
        # A bare @handle is Telegram only when Telegram is mentioned close by (same sentence or so);
        # otherwise it could be Instagram, Twitter or an e-mail fragment.
        window = text[max(0, m.start() - 80) : m.end() + 80]
        if _TG_CONTEXT_RE.search(window):
            take(_Hit("telegram", f"telegram:{m.group('h').lower()}", m.start(), m.end()))
    if not check or _PHONE_HINT_RE.search(text):
        out.extend(_phone_hits(text, spans))
    return out


def extract_contacts(subject: str, body: str) -> list[Contact]:
    """Off-platform identifiers in subject then body, in text order, de-duplicated by (kind, value)."""
    seen: set[tuple[str, str]] = set()
    result: list[Contact] = []
    fields: tuple[tuple[Field, str], ...] = (("subject", subject or ""), ("body", body or ""))
    for field_name, text in fields:
        for h in sorted(_hits(text), key=lambda h: h.start):
            if (h.kind, h.value) in seen:
                continue
            seen.add((h.kind, h.value))
            result.append(
                Contact(
                    kind=h.kind,  # type: ignore[arg-type]
                    value=h.value,
                    raw=text[h.start : h.end],
                    field=field_name,
                    start=h.start,
                    end=h.end,
                )
            )
    return result


def _loose_spans(text: str) -> list[tuple[int, int]]:
    spans = [(h.start, h.end) for h in _hits(text)]
    for rx in (_LOOSE_HANDLE_RE, _LOOSE_DOMAIN_RE, _LOOSE_DIGITS_RE):
        spans.extend((m.start(), m.end()) for m in rx.finditer(text))
    for m in _LOOSE_SCHEME_RE.finditer(text):
        scheme = m.group(0).split(":", 1)[0].lower()
        rest = m.group(0).split(":", 1)[1]
        # "mailto:x", "tg://resolve?domain=x", "skype:x?call", "javascript:..." — but not "Re: hello".
        if scheme not in _SAFE_SCHEME_WORDS and rest[:1] not in (" ", "") and not rest[:1].isdigit():
            spans.append((m.start(), m.end()))
    return spans


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # Overlapping spans, or ones separated only by blanks, become one placeholder.
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def scrub_identifiers(text: str) -> str:
    """`text` with every URL, e-mail, phone, handle, wallet (and anything that looks like one) replaced by
    "[removed]". Deliberately over-eager: meant for strings shown to customers or written to logs.

    The text is NFKC-folded first so fullwidth or stylised look-alikes ("ｔ．ｍｅ/x") are caught too."""
    text = unicodedata.normalize("NFKC", text)
    spans = _merge(_loose_spans(text), text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(PLACEHOLDER)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def contains_identifier(text: str) -> bool:
    """True if `scrub_identifiers` would remove something from `text`."""
    return bool(_loose_spans(unicodedata.normalize("NFKC", text)))
