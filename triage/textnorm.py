"""Text normalisation for matching, with a map back to offsets in the original string.

Signals match a *normalised* view of a field: HTML tags removed and entities decoded, lower-cased,
accents folded (``depósito`` → ``deposito``), typographic quotes/dashes made ASCII, spaced-out words
collapsed (``t e l e g r a m`` → ``telegram``), leetspeak digits inside words read as letters
(``t3legram`` → ``telegram``) and a dot between digits read as a comma (``R$ 1.500`` → ``r$ 1,500``, ``60.000``
→ ``60,000``: a digit group, not the end of a sentence — patterns that stay in one clause stop at ``.``) and a dot
inside an e-mail address read as ``~`` (``jo.smith@proton.me`` → ``jo~smith@proton~me``, for the same reason). Evidence
must point at the text the customer wrote, so every
normalised character remembers the original span it came from.

Speed matters (the classifier's budget is ~50 µs per ticket), so the common case — plain text whose
lower-casing keeps its length — costs two C-level passes (``str.lower`` and ``str.translate``) and an
identity offset map that is never materialised. The slow path that builds explicit maps runs only
when HTML, length-changing case folding or spaced-out letters are present.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any


def _build_fold_table() -> dict[int, str]:
    # Only 1:1 replacements, so folding never changes the string length (offsets stay identical).
    table: dict[int, str] = {}
    for cp in range(0x00C0, 0x0250):
        ch = chr(cp)
        base = unicodedata.normalize("NFKD", ch)[:1]
        if base.isascii() and base.isalpha() and base != ch:
            table[cp] = base.lower()
    for src, dst in {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u3000": " ",
        "\u200b": " ",
        "\u200c": " ",
        "\u200d": " ",
        "\ufeff": " ",
        "\u00ad": "-",
        "\uff20": "@",
        "\u0131": "i",
        "\u00f8": "o",
        "\u0142": "l",
        "\u0111": "d",
    }.items():
        table[ord(src)] = dst
    return table


_FOLD = _build_fold_table()

# Tags: script/style blocks go entirely; inline tags vanish (they can split a word: te<b>le</b>gram);
# other tags become a space so words on both sides stay apart.
_HTML_RE = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<(/?)([a-zA-Z][a-zA-Z0-9]*)?[^>]*>|<!--.*?-->"
    r"|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});",
    re.S,
)
_LOOKS_HTML = re.compile(r"<[a-zA-Z/!][^>]*>|&(?:#\d|#[xX]|[a-zA-Z]{2,8};)")
_INLINE_TAGS = frozenset(
    {"a", "b", "i", "u", "em", "strong", "span", "font", "small", "big", "s", "sub", "sup"}
)

# Three or more single letters separated by spaces/dots/dashes/underscores/asterisks: "t e l e g r a m",
# "w-h-a-t-s-a-p-p". Two letters ("W.A.") are left to the patterns, since collapsing them would also glue
# ordinary words like "a b" together.
_SPACED_RE = re.compile(r"(?<![a-z0-9])[a-z](?:[ .\-_*]{1,2}[a-z](?![a-z0-9])){3,}")
_SPACED_SEP = re.compile(r"[ .\-_*]")
# A word that starts and ends with a letter and has a look-alike digit inside: t3legram, wh4tsapp, sk1pe.
_LEET_RE = re.compile(r"(?<![a-z0-9])[a-z][a-z013457]*[013457][a-z013457]*[a-z](?![a-z0-9])")
_LEET = str.maketrans("013457", "oieast")
# One cheap scan (no look-behind, so `re` can skip quickly) that rules out both obfuscations above.
_OBFUSCATED_QUICK = re.compile(r"[a-z][013457]|[a-z][ .\-_*]{1,2}[a-z][ .\-_*]{1,2}[a-z][ .\-_*]{1,2}[a-z]")

try:  # the same test with Hyperscan, ~4x cheaper than `re` on a typical ticket
    import hyperscan as _hs

    _QUICK_DB: Any = _hs.Database()
    _QUICK_DB.compile(
        expressions=[_OBFUSCATED_QUICK.pattern.encode("ascii")], ids=[0], flags=[_hs.HS_FLAG_SINGLEMATCH]
    )
except Exception:  # pragma: no cover - hyperscan is optional
    _QUICK_DB = None


def _note(_id: int, _from: int, _to: int, _flags: int, seen: list[int]) -> None:
    seen.append(1)


def _maybe_obfuscated(text: str) -> bool:
    """True unless `text` certainly holds no spaced-out letters and no letter followed by a digit."""
    if _QUICK_DB is None:
        return _OBFUSCATED_QUICK.search(text) is not None
    seen: list[int] = []
    _QUICK_DB.scan(text.encode("utf-8"), match_event_handler=_note, context=seen)
    return bool(seen)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised string and, unless the normalisation was length-preserving, its offset maps."""

    text: str
    starts: tuple[int, ...] | None = None  # starts[i]: original start of normalised char i
    ends: tuple[int, ...] | None = None  # ends[i]: original end (exclusive) of normalised char i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original string."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


Edit = tuple[int, int, str]  # replace text[start:end] with the string


def _apply(
    text: str, edits: list[Edit], starts: list[int] | None, ends: list[int] | None
) -> tuple[str, list[int], list[int]]:
    """Apply sorted, non-overlapping edits and compose the offset maps with the existing ones."""
    out: list[str] = []
    ns: list[int] = []
    ne: list[int] = []
    pos = 0
    for s, e, rep in edits:
        if pos < s:
            out.append(text[pos:s])
            ns.extend(starts[pos:s] if starts is not None else range(pos, s))
            ne.extend(ends[pos:s] if ends is not None else range(pos + 1, s + 1))
        if rep:
            o_s = starts[s] if starts is not None else s
            o_e = (ends[e - 1] if ends is not None else e) if e > s else o_s
            out.append(rep)
            ns.extend([o_s] * len(rep))
            ne.extend([o_e] * len(rep))
        pos = e
    if pos < len(text):
        out.append(text[pos:])
        ns.extend(starts[pos:] if starts is not None else range(pos, len(text)))
        ne.extend(ends[pos:] if ends is not None else range(pos + 1, len(text) + 1))
    return "".join(out), ns, ne


def _html_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for m in _HTML_RE.finditer(text):
        tok = m.group(0)
        if tok.startswith("&"):
            rep = html.unescape(tok)
            if rep == tok:
                continue
        elif m.group(1):  # script/style block
            rep = " "
        else:
            name = (m.group(3) or "").lower()
            rep = "" if name in _INLINE_TAGS else " "
        edits.append((m.start(), m.end(), rep))
    return edits


# A dot between two digits (thousands groups in es/pt/fr/de/id amounts, decimals): one character for one.
_DIGIT_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_DOT_DIGIT = re.compile(r"\.(?=\d)")  # a necessary pre-check: a literal first, ~10x cheaper than the lookbehind scan
# An e-mail address: its dots are not sentence ends ("I paid it to jo.smith@proton.me by PayPal" is one clause).
_EMAIL = re.compile(r"[\w+-][\w.+-]*@[\w-]+(?:\.[\w-]+)+")
EMAIL_DOT = "~"  # what a dot inside an e-mail address reads as (patterns that match addresses accept both)


def normalize(text: str) -> Normalized:
    """Return the matching view of `text` (see module docstring) with offsets back into `text`."""
    starts: list[int] | None = None
    ends: list[int] | None = None
    cur = text
    if ("<" in cur or "&" in cur) and _LOOKS_HTML.search(cur):  # the `in` tests skip a regex scan
        cur, starts, ends = _apply(cur, _html_edits(cur), None, None)
    low = cur.lower()
    if len(low) != len(cur):  # e.g. "İ" lower-cases to two characters: map per character
        edits = [(i, i + 1, c.lower()) for i, c in enumerate(cur) if len(c.lower()) != 1]
        low, starts, ends = _apply(cur, edits, starts, ends)
        low = low.lower()
    cur = low if low.isascii() else low.translate(_FOLD)  # translate costs ~25 ns/char: skip for ASCII
    if "." in cur and _DOT_DIGIT.search(cur):
        cur = _DIGIT_DOT.sub(",", cur)  # length-preserving: offsets unchanged
    if "@" in cur:
        cur = _EMAIL.sub(lambda m: m.group(0).replace(".", EMAIL_DOT), cur)  # length-preserving too
    if not _maybe_obfuscated(cur):
        if starts is None:
            return Normalized(cur)
        return Normalized(cur, tuple(starts), tuple(ends) if ends is not None else None)
    if _SPACED_RE.search(cur):
        edits = [(m.start(), m.end(), _SPACED_SEP.sub("", m.group(0))) for m in _SPACED_RE.finditer(cur)]
        # Collapsing keeps each letter's own offsets: rebuild per letter rather than per run.
        fine: list[Edit] = []
        for s, e, _ in edits:
            fine.extend((i, i + 1, "") for i in range(s, e) if _SPACED_SEP.match(cur[i]))
        cur, starts, ends = _apply(cur, fine, starts, ends)
    if _LEET_RE.search(cur):
        # Length-preserving: offsets unchanged.
        cur = _LEET_RE.sub(lambda m: m.group(0).translate(_LEET), cur)
    if starts is None:
        return Normalized(cur)
    return Normalized(cur, tuple(starts), tuple(ends) if ends is not None else None)


def normalize_keyword(word: str) -> str:
    """Normalise a prefilter keyword exactly like ticket text, so both sides compare equal."""
    return normalize(word).text
