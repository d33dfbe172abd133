"""Reply drafts from knowledge-base entries, rendered by editable Jinja2 templates, plus an internal note.

Safety is enforced here, not left to the templates (which a support lead edits):

* the only ticket-derived input to the customer draft is the requester's *first name*, and only when it
  is plainly a name (letters of one script, hyphen, apostrophe; no identifier, markup, digits, look-alike
  punctuation or absurd length);
* the HTML variant is autoescaped; templates run in Jinja2's immutable sandbox;
* every rendered draft is checked before it is returned: no URL other than a KB link, no other
  identifier, no control or bidi characters, no refund promise. A draft that fails only because of the
  greeting is rendered again with the generic greeting (a ticket never fails because of its requester's
  name); any other failing check is a configuration error (someone edited a template or the KB) and
  raises `TemplateError`.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.sandbox import ImmutableSandboxedEnvironment

from triage.contacts import extract_contacts, normalise_url
from triage.kb import KBEntry, KnowledgeBase
from triage.lexical import COVERAGE_FULL
from triage.schemas import Evidence, Flag

REPLY_TXT = "reply.txt.j2"
REPLY_HTML = "reply.html.j2"
INTERNAL_NOTE = "internal_note.txt.j2"
REQUIRED_TEMPLATES = (REPLY_TXT, REPLY_HTML, INTERNAL_NOTE)

MAX_FIRST_NAME = 30
MAX_NAME = 100
MAX_SNIPPET = 160
MAX_NOTE_EVIDENCE = 20

# Invisible or direction-changing characters: bidi embeddings/overrides/isolates, LRM/RLM/ALM, zero-width
# space/joiners, word joiner, BOM. They let "moc.krowpu" display as "upwork.com" and hide text.
_INVISIBLE_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060-\u2064\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANKS_RE = re.compile(r"\s+")
# Names: tokens separated by spaces, each made of letters (categories Lu, Ll, Lt, Lo) of one script joined
# by hyphens or apostrophes; a trailing period is allowed for an initial ("Maria J."). Everything else
# (digits, @, :, /, <, [ ...) disqualifies: see `_name_token_ok`.
# Apostrophes: ASCII, U+2019, and the modifier letters U+02BB (Hawaiian ʻokina) and U+02BC (the apostrophe
# of Ukrainian and Belarusian names): all four look like an apostrophe and nothing else.
_NAME_JOINERS = frozenset("-'’\u02bb\u02bc")
_NAME_PART_SPLIT_RE = re.compile("[-'’\u02bb\u02bc]")
_NAME_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lo"})
# Modifier letters (Lm) are refused, except the Japanese iteration and length marks that ordinary names hold
# ("佐々木", "ジョージ"); none of them looks like punctuation.
_NAME_MODIFIERS_ALLOWED = frozenset("\u3005\u30fc\u309d\u309e\u30fd\u30fe")
# Letters that render as the punctuation of a URL, e-mail or handle ("httpsːᐟᐟevilꓸcom"): NFKC keeps them,
# so they would reach the greeting. Whole blocks where the look-alikes are many, single letters elsewhere.
_LOOKALIKE_RANGES = (
    (0x01BB, 0x01BB),  # LATIN LETTER TWO WITH STROKE (a digit)
    (0x01C0, 0x01C3),  # Latin click letters: | ‖ ǂ !
    (0x02B0, 0x02FF),  # Spacing Modifier Letters: ː (colon), ˸, ˗, ˙ ... (U+02BB/U+02BC are joiners above)
    (0x1400, 0x167F),  # Unified Canadian Aboriginal Syllabics: finals ᐟ (slash), ᐧ (middle dot), ᐨ, ᐩ ...
    (0x18B0, 0x18FF),  # Unified Canadian Aboriginal Syllabics Extended
    (0xA4D0, 0xA4FF),  # Lisu: ꓸ (dot), ꓹ (comma), ꓽ (colon), ꓫ (X) ...
    (0xA700, 0xA71F),  # Modifier Tone Letters
    (0xA78F, 0xA78F),  # LATIN LETTER SINOLOGICAL DOT
    (0x11AB0, 0x11ABF),  # Unified Canadian Aboriginal Syllabics Extended-A
)
# Scripts that one name may mix (Japanese: kanji and kana; Korean: hanja and hangul; Chinese: bopomofo).
_SCRIPT_MIXES = (
    frozenset({"HAN", "KANA"}),
    frozenset({"HAN", "HANGUL"}),
    frozenset({"HAN", "BOPOMOFO"}),
)
# Unicode character names that begin with a script's name ("LATIN SMALL LETTER A", "CYRILLIC ...", "LISU
# LETTER ..."): the first word is the script, except for these families and aliases.
_SCRIPT_TWO_WORDS = frozenset({"OLD", "TAI", "LINEAR", "INSCRIPTIONAL"})
_SCRIPT_ALIASES = {
    "CJK": "HAN", "IDEOGRAPHIC": "HAN", "MASU": "HAN",
    "HIRAGANA": "KANA", "KATAKANA": "KANA", "KATAKANA-HIRAGANA": "KANA", "HENTAIGANA": "KANA",
}  # fmt: skip
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "sr", "sra", "herr", "frau"}
)
# Requester names that are roles or placeholders, or that impersonate us: greet generically instead.
_NOT_A_NAME = frozenset(
    {
        "admin", "administrator", "support", "team", "upwork", "moderator", "staff", "security", "noreply",
        "customer", "user", "client", "freelancer", "unknown", "anonymous", "null", "none", "undefined",
        "test", "nan", "service", "helpdesk", "official", "trust", "safety",
    }
)  # fmt: skip

# Refund / recovery promises. The KB says off-platform payments cannot be recovered; a draft must never
# say otherwise, whatever a template or KB edit introduces. Negations ("we cannot assist with recovering")
# do not match because each pattern requires an affirmative verb right after the subject.
_REFUND_PROMISE_RES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bwe(?:'ll|’ll| will| shall| are going to| can| could| would)(?!\s*not\b|n['’]t\b)\s+"
        r"(?:\w+\s+){0,3}?(?:refund|reimburse|recover|return|get back|give back|restore)\w*",
        r"\byou(?:'ll|’ll| will| are going to| should| can)(?!\s*not\b)\s+(?:\w+\s+){0,3}?"
        r"(?:get|receive|be)\s+(?:\w+\s+){0,3}?(?:money|refund|funds|payment|reimburse)\w*(?:\s+back)?",
        r"\b(?:full|guaranteed|complete)\s+refund\b",
        r"\brefund\s+(?:will|has|is|shall)\s+(?:be\s+)?(?:issued|processed|sent|approved|on its way)",
        r"\b(?:money|funds|payment)s?\s+(?:will|shall)\s+be\s+(?:returned|refunded|recovered|credited)",
    )
)
_TAG_RE = re.compile(r"<[^>]*>")


class TemplateError(Exception):
    """A template is missing or invalid, fails to render, or renders an unsafe draft."""


@dataclass(frozen=True)
class Templates:
    """Compiled templates (sources are read once by `load_templates`; rendering does no I/O)."""

    env: jinja2.Environment
    version: str  # sha256 of template names + contents, 12 hex
    sources: Mapping[str, str]
    # The internal note is the shipped template, byte for byte (its sha256): `build_draft` renders it with
    # `_note_fast` (the same text, without Jinja's per-render machinery). An edited note takes Jinja.
    note_is_shipped: bool = False

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"templates/{name}: render failed: {exc}") from exc


@dataclass(frozen=True)
class Draft:
    text: str | None
    html: str | None
    internal_note: str | None
    kb_entries: tuple[str, ...]
    links: tuple[str, ...]


class _SandboxEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a fast path for `x.key` on a plain dict (every variable our templates get).

    Jinja resolves `x.key` as `getattr(x, "key")`, then `x["key"]` if that raises AttributeError; the
    sandbox checks only the getattr branch. For an exact `dict` whose class has no attribute of that name
    the getattr always raises, so looking the key up directly returns what the sandbox returns, minus the
    exception (a third of a note's render time). Anything else takes the sandbox's own path.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _autoescape(name: str | None) -> bool:
    # select_autoescape looks at the last extension only; "reply.html.j2" must count as HTML.
    return name is not None and (name.endswith(".html.j2") or name.endswith(".html"))


def templates_from_sources(sources: Mapping[str, str]) -> Templates:
    """Pure core of `load_templates`: compile `{name: source}` and check the required ones exist."""
    missing = [n for n in REQUIRED_TEMPLATES if n not in sources]
    if missing:
        raise TemplateError(f"templates/: missing {', '.join(missing)}")
    env = _SandboxEnvironment(
        loader=jinja2.DictLoader(dict(sources)),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,  # a typo in a variable name fails loudly, not as empty text
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    for name in sorted(sources):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"templates/{name}:{exc.lineno}: {exc.message}") from None
    h = hashlib.sha256()
    for name in sorted(sources):
        data = sources[name].encode("utf-8")
        h.update(f"{len(name)}:{name}:{len(data)}:".encode())
        h.update(data)
    return Templates(env=env, version=h.hexdigest()[:12], sources=dict(sources),
                     note_is_shipped=hashlib.sha256(sources[INTERNAL_NOTE].encode("utf-8")).hexdigest()
                     == SHIPPED_INTERNAL_NOTE_SHA256)


def load_templates(config_dir: Path) -> Templates:
    """Read every file in `config_dir/templates` (names starting with '.' are ignored)."""
    tdir = Path(config_dir) / "templates"
    if not tdir.is_dir():
        raise TemplateError(f"{tdir}: no templates directory")
    sources: dict[str, str] = {}
    for p in sorted(tdir.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            try:
                sources[p.name] = p.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise TemplateError(f"{p}: not valid UTF-8 ({exc.reason})") from None
    return templates_from_sources(sources)


# --- ticket-derived text ----------------------------------------------------------------------------


def strip_invisible(text: str) -> str:
    """Remove control, bidi-override and zero-width characters (tab/newline become spaces)."""
    text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return _INVISIBLE_RE.sub("", _CONTROL_RE.sub("", text))


def snippet(text: str, limit: int = MAX_SNIPPET) -> str:
    """One-line, invisible-free, truncated quote of ticket text for the internal note."""
    # Bound the work before regexes run: a 1 MiB evidence span only ever shows its first `limit` chars.
    head = text[: limit * 4]
    clean = _BLANKS_RE.sub(" ", strip_invisible(head)).strip()
    if len(clean) > limit or len(text) > len(head):
        return clean[: limit - 1].rstrip() + "…"
    return clean


# Pure functions of short strings that repeat across tickets (names, evidence quotes): memoised, bounded.
_SNIPPET_MEMO_MAX_CHARS = 1000


@functools.lru_cache(maxsize=8192)
def _snippet_memo(text: str, limit: int) -> str:
    return snippet(text, limit)


def _snippet(text: str, limit: int = MAX_SNIPPET) -> str:
    return _snippet_memo(text, limit) if len(text) <= _SNIPPET_MEMO_MAX_CHARS else snippet(text, limit)


@functools.lru_cache(maxsize=4096)
def _name_char_script(ch: str) -> str | None:
    """The script of a character a name may hold ("" for a joiner), or None if a name may not hold it.

    The script comes from the character's Unicode name ("LATIN SMALL LETTER A", "LISU LETTER BA"): the
    standard library has no script property."""
    if ch in _NAME_JOINERS:
        return ""
    if unicodedata.category(ch) not in _NAME_LETTER_CATEGORIES and ch not in _NAME_MODIFIERS_ALLOWED:
        return None
    code = ord(ch)
    if any(lo <= code <= hi for lo, hi in _LOOKALIKE_RANGES):
        return None
    words = unicodedata.name(ch, "?").split(" ")
    script = " ".join(words[:2]) if words[0] in _SCRIPT_TWO_WORDS else words[0]
    return _SCRIPT_ALIASES.get(script, script)


_ASCII_NAME_TOKEN_RE = re.compile(r"[A-Za-z'\-]+")


def _name_token_ok(token: str) -> bool:
    """One space-separated token of a name: letters of one script (or of one CJK mix) joined by hyphens
    or apostrophes, with an optional trailing period. No modifier letter, no letter that renders as
    punctuation, no Latin "evil" written with a Lisu dot or a Cyrillic "о"."""
    body = token[:-1] if token.endswith(".") else token
    if body.isascii():  # the common case: ASCII letters are all Latin
        return _ASCII_NAME_TOKEN_RE.fullmatch(body) is not None
    scripts: set[str] = set()
    for ch in body:
        script = _name_char_script(ch)
        if script is None:
            return False
        if script:
            scripts.add(script)
    return len(scripts) <= 1 or any(scripts <= mix for mix in _SCRIPT_MIXES)


@functools.lru_cache(maxsize=4096)
def first_name(requester_name: str | None) -> str | None:
    """The requester's first name if it is safe and plausible to greet them with, else None."""
    if not requester_name or len(requester_name) > MAX_NAME * 4:
        return None
    name = unicodedata.normalize("NFKC", requester_name)
    name = _BLANKS_RE.sub(" ", strip_invisible(name)).strip()
    if not name or len(name) > MAX_NAME:
        return None
    if "," in name:  # "Lopez, Maria" -> "Maria Lopez"
        last, _, rest = name.partition(",")
        name = f"{rest.strip()} {last.strip()}".strip()
    tokens = name.split(" ")
    # Every token must look like a name: one bad token ("Maria t.me/x", "Bob <script>") means the field
    # holds something other than a name, and greeting "Hi Maria," would still echo attacker-chosen text.
    if not all(_name_token_ok(t) for t in tokens):
        return None
    # "Upwork-Security", "Trust'Safety": each part of a hyphenated or apostrophed token counts.
    if any(part.casefold() in _NOT_A_NAME for t in tokens for part in _NAME_PART_SPLIT_RE.split(t.strip("."))):
        return None
    # A name the draft's safety check would refuse ("Telegram-Johnsmith" reads as a Telegram handle) is
    # not greeted (the same extraction as `draft_problems`; `build_draft` also falls back to the generic
    # greeting should a greeting still fail the check).
    if extract_contacts("", name):
        return None
    while tokens and tokens[0].rstrip(".").casefold() in _HONORIFICS and len(tokens) > 1:
        tokens = tokens[1:]
    first = tokens[0]
    letters = first.strip(".'’-")
    if len(letters) < 2 or len(first) > MAX_FIRST_NAME or first.endswith("."):
        return None  # an initial ("J.") or a lone honorific makes a strange greeting
    if first.islower() or first.isupper():
        first = first[:1].upper() + first[1:].lower()
    return first


# --- KB text as blocks ------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*[-*•]\s+")


def _blocks(text: str, seen: set[str]) -> list[dict[str, Any]]:
    """Split KB text into paragraphs and bullet lists, dropping lines already used in this draft."""
    blocks: list[dict[str, Any]] = []
    prev_bullet = False
    for raw in text.split("\n"):
        if not raw.strip():
            prev_bullet = False
            continue
        is_bullet = bool(_BULLET_RE.match(raw))
        if not is_bullet and prev_bullet and raw[:1].isspace() and blocks and blocks[-1]["items"]:
            # An indented line after a bullet continues that bullet (a wrapped list item).
            blocks[-1]["items"][-1] += " " + raw.strip()
            continue
        line = _BULLET_RE.sub("", raw).strip() if is_bullet else raw.strip()
        key = _BLANKS_RE.sub(" ", line).casefold()
        prev_bullet = is_bullet
        if key in seen:
            continue  # both categories in one reply: say each thing once
        seen.add(key)
        if is_bullet:
            if blocks and blocks[-1]["kind"] == "ul":
                blocks[-1]["items"].append(line)
            else:
                blocks.append({"kind": "ul", "text": "", "items": [line]})
        else:
            blocks.append({"kind": "p", "text": line, "items": []})
    return blocks


# --- safety ---------------------------------------------------------------------------------------


def refund_promises(text: str) -> list[str]:
    """Phrases in `text` that promise a refund or the recovery of money."""
    return [m.group(0) for rx in _REFUND_PROMISE_RES for m in rx.finditer(text)]


def draft_problems(text: str, allowed_links: Iterable[str]) -> list[str]:
    """Why `text` (a customer draft, plain or HTML) must not be sent; empty when it is safe."""
    problems: list[str] = []
    plain = html.unescape(_TAG_RE.sub(" ", text)) if "<" in text else text
    allowed = {normalise_url(u) for u in allowed_links}
    if _INVISIBLE_RE.search(plain) or _CONTROL_RE.search(plain.replace("\n", "").replace("\t", "")):
        problems.append("contains control or bidi/zero-width characters")
    for c in extract_contacts("", plain):
        if c.kind == "url" and c.value in allowed:
            continue
        problems.append(f"contains a {c.kind} that is not a knowledge-base link: {c.raw[:80]!r}")
    if "<" in text:  # every href must be an allowed link too (the visible text could differ)
        for href in re.findall(r"""href\s*=\s*["']([^"']*)["']""", text, re.IGNORECASE):
            if normalise_url(html.unescape(href)) not in allowed:
                problems.append(f"link target is not a knowledge-base link: {href[:80]!r}")
    problems.extend(f"promises a refund: {p!r}" for p in refund_promises(plain))
    return problems


def _raise_problems(kind: str, problems: Sequence[str]) -> None:
    if problems:
        raise TemplateError(f"{kind} draft failed the safety check: {'; '.join(problems)}")


def _tidy(text: str) -> str:
    # Templates are edited by hand: normalise blank-line runs and trailing spaces so output is stable.
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    out = "\n".join([line.rstrip() for line in text.split("\n")])
    if "\n\n\n" in out:  # the regex only ever changes runs of three or more newlines
        out = _BLANK_LINES_RE.sub("\n\n", out)
    return out.strip()


_BLANK_LINES_RE = re.compile(r"\n{3,}")


# --- the draft ------------------------------------------------------------------------------------


def _evidence_ctx(ev: Evidence) -> dict[str, Any]:
    # Signal and category names come from our config (identifiers), not from the ticket: only the
    # quoted text needs cleaning and truncating.
    return {
        "signal": ev.signal if len(ev.signal) <= 60 and ev.signal.isprintable() else _snippet(ev.signal, 60),
        "field": ev.field,
        "start": ev.start,
        "end": ev.end,
        "category": ev.category,
        "weight": ev.weight,
        "text": _snippet(ev.text),
    }


# The customer reply is a function of the KB and template contents (their hashes), the answered entries and
# the greeted first name. It is memoised per (kb version, template version, answered entries) — not per name:
# with real traffic nearly every requester's name is new, and a memo per name grew by ≈ 13 KB per name and
# missed (render and full safety check, ≈ 1.4 ms) on nearly every ticket. The named reply is rendered once
# with a placeholder name and the name put in its place; that is exact when the template outputs the name
# only as `{{ … first_name … }}` (checked per template version by rendering probe names both ways). The safety
# check ran on the whole placeholder render; per ticket it runs on the text around the name: the lines within
# _SLOT_CONTEXT characters of it, wider than any detector's context window (a bare @handle reads as Telegram
# with "telegram" up to 80 characters away, a digit run as a phone after "call" up to 40). The name is the only
# ticket-derived text in the reply, and `first_name` already refused names holding a contact.
_NAME_SLOT = "Qxzjvwnameslot"  # letters only, like every greeted name; in no template or KB text
# An accent, HTML-escaped characters, the shortest and the longest first name `first_name` greets (a template
# that truncates the name or tests its length differs from substitution on one of them).
_SLOT_PROBES = ("Zoë", "O'Neil-Ann", "Ng", "Wolfeschlegelsteinhausenbergerdorff"[:MAX_FIRST_NAME])
_SLOT_CONTEXT = 300
_MISSING = object()


@dataclass(frozen=True)
class _Reply:
    text: str
    html: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class _NamedReply:
    """A reply rendered with `_NAME_SLOT` as the name, and the text (and HTML) around the slot."""

    text: str
    html: str
    links: tuple[str, ...]
    text_around: str  # the placeholder render's lines within _SLOT_CONTEXT characters of the slot
    html_around: str
    # True when nothing around the slot can combine with a letters-only name into a contact: no digit, "@",
    # "(" or "[" in the text a detector reads, and the slot not joined to a letter or digit. Then only a name
    # holding a messenger word (`_NAME_CONTACT_WORD_RE`) needs the context check (see `for_name`).
    light: bool = False
    html_plain: str = ""  # html_around as the detectors read it (tags stripped, entities decoded)
    # the latest names greeted: name → (text, HTML), or None when its lines fail the check. Bounded; it keeps
    # a common name's reply one shared string and spares its check.
    by_name: dict[str, tuple[str, str] | None] = field(default_factory=dict, compare=False, repr=False)

    def for_name(self, name: str, allowed_links: Iterable[str]) -> tuple[str, str] | None:
        """(text, HTML) greeting `name`, or None when the text around it fails the safety check."""
        got = self.by_name.get(name, _MISSING)  # .get: another thread may clear the dict between two look-ups
        if got is not _MISSING:
            return got  # type: ignore[return-value]
        if self.light and not _NAME_CONTACT_WORD_RE.search(name):
            # A greeted name is letters, "'" and "-" (first_name), so around this slot it can make no contact:
            # only a refund promise could still read across it.
            bad = any(refund_promises(t.replace(_NAME_SLOT, name)) for t in (self.text_around, self.html_plain))
        else:
            bad = bool(_named_reply_problems(self, name, allowed_links))
        out = None if bad else _with_name(self, name)
        if len(self.by_name) >= _BY_NAME_MAX:
            self.by_name.clear()
        self.by_name[name] = out
        return out


_BY_NAME_MAX = 64
# the words that make a nearby @handle or word a messenger contact (contacts._hits: "skype", "tg", "telegram")
_NAME_CONTACT_WORD_RE = re.compile(r"skype|tg|telegram|телеграм", re.IGNORECASE)
_LIGHT_BLOCKERS_RE = re.compile(r"[0-9@(\[]")


def _slot_is_light(text: str, html_plain: str) -> bool:
    """See `_NamedReply.light`: the text around the slot and the HTML's as the detectors read it (tags stripped)."""
    for t in (text, html_plain):
        if _LIGHT_BLOCKERS_RE.search(t.replace(_NAME_SLOT, "")):
            return False
        for m in re.finditer(_NAME_SLOT, t):
            if (m.start() > 0 and t[m.start() - 1].isalnum()) or (m.end() < len(t) and t[m.end()].isalnum()):
                return False
    return True


# (kb version, template version, answered entries) → the generic reply, and the placeholder-named one (None:
# the template uses the name in a way substitution cannot reproduce, so each name is rendered). Few keys
# (one per combination of answered entries and config version); cleared at the cap all the same.
_REPLY_CACHE: dict[tuple[Any, ...], _Reply | _NamedReply | None] = {}
_REPLY_CACHE_MAX = 1_000


def _around_slot(text: str) -> str:
    """The whole lines of `text` within _SLOT_CONTEXT characters of each placeholder, joined by newlines."""
    spans: list[list[int]] = []
    pos = text.find(_NAME_SLOT)
    while pos >= 0:
        lo = text.rfind("\n", 0, max(0, pos - _SLOT_CONTEXT)) + 1
        hi = text.find("\n", min(len(text), pos + len(_NAME_SLOT) + _SLOT_CONTEXT))
        hi = len(text) if hi < 0 else hi
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
        pos = text.find(_NAME_SLOT, pos + len(_NAME_SLOT))
    return "\n".join(text[lo:hi] for lo, hi in spans)


def _with_name(reply: _NamedReply, name: str) -> tuple[str, str]:
    return reply.text.replace(_NAME_SLOT, name), reply.html.replace(_NAME_SLOT, str(markupsafe.escape(name)))


def _named_reply_problems(reply: _NamedReply, name: str, allowed_links: Iterable[str]) -> list[str]:
    """The safety check of the text around the name (`_around_slot`), with the name in it."""
    return [
        *draft_problems(reply.text_around.replace(_NAME_SLOT, name), allowed_links),
        *draft_problems(reply.html_around.replace(_NAME_SLOT, str(markupsafe.escape(name))), allowed_links),
    ]


def _render_reply(
    templates: Templates, ctx: Mapping[str, Any], allowed_links: Iterable[str]
) -> tuple[str, str, list[str], list[str]]:
    """(text, HTML, text's safety problems, HTML's safety problems) of the customer reply for `ctx`."""
    text = _tidy(templates.render(REPLY_TXT, ctx))
    html_out = _tidy(templates.render(REPLY_HTML, ctx))
    return text, html_out, draft_problems(text, allowed_links), draft_problems(html_out, allowed_links)


def answered_entries(
    categories: Sequence[str], kb: KnowledgeBase
) -> tuple[list[str], list[tuple[str, KBEntry]], list[str]]:
    """(categories de-duplicated in the caller's order, (category, KB entry) answered — one section per
    entry —, categories with no entry)."""
    wanted = list(dict.fromkeys(categories))
    entries: list[tuple[str, KBEntry]] = []
    unanswered: list[str] = []
    for cat in wanted:
        entry = kb.for_category(cat)
        if entry is None:
            unanswered.append(cat)
        elif all(entry.id != e.id for _, e in entries):
            entries.append((cat, entry))
    return wanted, entries, unanswered


def build_draft(
    *,
    categories: Sequence[str],
    kb: KnowledgeBase,
    templates: Templates,
    requester_name: str | None,
    flags: Sequence[Flag] = (),
    evidence: Sequence[Evidence] = (),
    needs_review: bool = False,
    model_coverage: float | None = None,
) -> Draft:
    """Customer reply (text + HTML) for `categories`, in the given order, and an internal note.

    `model_coverage` (Classification.model_coverage): below COVERAGE_FULL the note tells the agent the lexical model
    knew too few of the ticket's words to weigh fully against the rules' score."""
    wanted, entries, unanswered = answered_entries(categories, kb)
    model_known = (None if model_coverage is None or model_coverage >= COVERAGE_FULL
                   else int(model_coverage * 100))

    text = html_out = None
    links: list[str] = []
    if entries:
        name = first_name(requester_name)
        key = (kb.version, templates.version, tuple(f"{c}\x00{e.id}" for c, e in entries))
        reply: _Reply | None = None
        if name is not None:
            named = _named_reply(key, entries, templates, kb)
            if named is None:  # a template substitution cannot reproduce: render this name
                reply = _render_checked(entries, templates, kb, name)
            else:
                greeted = named.for_name(name, kb.links)
                if greeted is not None:
                    text, html_out = greeted
                    links = list(named.links)
                # else: the name is the draft's only ticket-derived text: greet generically rather than fail
                # the ticket (if the generic draft fails too, a template or the KB is at fault: that raises)
        if text is None:
            if reply is None:
                reply = _generic_reply(key, entries, templates, kb)
            text, html_out, links = reply.text, reply.html, list(reply.links)

    note = None
    if entries or flags or evidence or needs_review or unanswered:
        if templates.note_is_shipped and _NOTE_FAST:
            note = _tidy(_note_fast(wanted, entries, kb.version, templates.version, needs_review, unanswered,
                                    flags, evidence, model_known))
        else:
            note = _tidy(templates.render(INTERNAL_NOTE, _note_context(
                wanted, entries, kb.version, templates.version, needs_review, unanswered, flags, evidence,
                model_known)))

    return Draft(
        text=text,
        html=html_out,
        internal_note=note,
        kb_entries=tuple(e.id for _, e in entries),
        links=tuple(links),
    )


def _sections(entries: Sequence[tuple[str, KBEntry]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The reply template's `sections` (one per answered entry, KB lines not repeated) and `links`."""
    seen_lines: set[str] = set()
    sections: list[dict[str, Any]] = []
    links: list[str] = []
    for cat, entry in entries:
        section_links = [u for u in entry.links if u not in links]
        links.extend(section_links)
        sections.append(
            {
                "category": cat,
                "entry_id": entry.id,
                "answer_blocks": _blocks(entry.answer, seen_lines),
                "solution_blocks": _blocks(entry.solution, seen_lines),
                "links": section_links,
            }
        )
    return sections, links


def _render_checked(
    entries: Sequence[tuple[str, KBEntry]], templates: Templates, kb: KnowledgeBase, name: str | None
) -> _Reply:
    """The reply greeting `name`, whole and safety-checked (no memo): greets generically should the named
    one fail the check; raises TemplateError when the generic one fails too (a template or the KB is at
    fault). The reference the memoised path must equal (tests/unit/test_draft_greeting.py)."""
    sections, links = _sections(entries)
    ctx = {"first_name": name, "sections": sections, "links": links}
    text, html_out, text_problems, html_problems = _render_reply(templates, ctx, kb.links)
    if (text_problems or html_problems) and name is not None:
        ctx["first_name"] = None
        text, html_out, text_problems, html_problems = _render_reply(templates, ctx, kb.links)
    _raise_problems("text", text_problems)
    _raise_problems("HTML", html_problems)
    return _Reply(text, html_out, tuple(links))


def _memo_put(key: tuple[Any, ...], value: _Reply | _NamedReply | None) -> None:
    if len(_REPLY_CACHE) >= _REPLY_CACHE_MAX:
        _REPLY_CACHE.clear()  # bounded memory; refilling is cheap
    _REPLY_CACHE[key] = value


def _generic_reply(
    key: tuple[Any, ...], entries: Sequence[tuple[str, KBEntry]], templates: Templates, kb: KnowledgeBase
) -> _Reply:
    reply = _REPLY_CACHE.get((*key, None))
    if not isinstance(reply, _Reply):
        reply = _render_checked(entries, templates, kb, None)
        _memo_put((*key, None), reply)
    return reply


def _named_reply(
    key: tuple[Any, ...], entries: Sequence[tuple[str, KBEntry]], templates: Templates, kb: KnowledgeBase
) -> _NamedReply | None:
    """The reply with `_NAME_SLOT` for the name (memoised), or None when putting a name in the slot would not
    give what rendering that name gives (tried with `_SLOT_PROBES`)."""
    nkey = (*key, _NAME_SLOT)
    got = _REPLY_CACHE.get(nkey, _MISSING)  # .get: another thread may clear the memo between two look-ups
    if got is not _MISSING:
        return got  # type: ignore[return-value]
    sections, links = _sections(entries)
    ctx = {"first_name": _NAME_SLOT, "sections": sections, "links": links}
    text, html_out, text_problems, html_problems = _render_reply(templates, ctx, kb.links)
    named: _NamedReply | None = None
    if not (text_problems or html_problems):
        text_around, html_around = _around_slot(text), _around_slot(html_out)
        html_plain = html.unescape(_TAG_RE.sub(" ", html_around))
        named = _NamedReply(text, html_out, tuple(links), text_around, html_around,
                            light=_slot_is_light(text_around, html_plain), html_plain=html_plain)
        # Kept only if the cut-out text reads as the whole did (no problem) and every probe name renders as
        # it substitutes; else each name is rendered and checked whole.
        ok = not _named_reply_problems(named, _NAME_SLOT, kb.links)
        for probe in _SLOT_PROBES if ok else ():
            ctx["first_name"] = probe
            direct = (_tidy(templates.render(REPLY_TXT, ctx)), _tidy(templates.render(REPLY_HTML, ctx)))
            if direct != _with_name(named, probe):
                ok = False
                break
        named = named if ok else None
    # A placeholder render that fails the check is left to `_render_checked` per name (it raises when the
    # generic reply fails too, and greets generically otherwise).
    _memo_put(nkey, named)
    return named


def _note_context(
    wanted: Sequence[str], entries: Sequence[tuple[str, KBEntry]], kb_version: str, template_version: str,
    needs_review: bool, unanswered: Sequence[str], flags: Sequence[Flag], evidence: Sequence[Evidence],
    model_known: int | None = None,
) -> dict[str, Any]:
    """The internal note template's variables (ticket-derived strings cleaned and truncated)."""
    return {
        "categories": [_snippet(c, 40) for c in wanted],
        "kb_entries": [e.id for _, e in entries],
        "kb_version": kb_version,
        "template_version": template_version,
        "needs_review": needs_review,
        "model_known": model_known,
        "unanswered": [_snippet(c, 40) for c in unanswered],
        "flags": [
            {
                "name": _snippet(f.name, 60),
                "reason": _snippet(f.reason, 300),
                "evidence": [_evidence_ctx(e) for e in f.evidence[:MAX_NOTE_EVIDENCE]],
                "more_evidence": max(0, len(f.evidence) - MAX_NOTE_EVIDENCE),
                "linked_tickets": [_snippet(t, 80) for t in f.linked_tickets[:MAX_NOTE_EVIDENCE]],
                "more_linked": max(0, len(f.linked_tickets) - MAX_NOTE_EVIDENCE),
            }
            for f in flags
        ],
        "evidence": [_evidence_ctx(e) for e in evidence[:MAX_NOTE_EVIDENCE]],
        "more_evidence": max(0, len(evidence) - MAX_NOTE_EVIDENCE),
    }


# --- the shipped internal note without Jinja ---------------------------------------------------------
#
# Rendering the note through Jinja cost ~45 µs per ticket (a fresh context, loop objects, sandboxed
# attribute look-ups) for a template that only formats lines: a third of the pipeline outside the
# classifier. `_note_fast` writes what config/templates/internal_note.txt.j2 renders (trim_blocks,
# lstrip_blocks, no trailing newline), from the same cleaned values as `_note_context`; it is used only
# while the configured note is this exact source (`Templates.note_is_shipped`), so an edited template is
# rendered by Jinja as before. tests/unit/test_draft_note_fast.py compares both renders, before and after
# `_tidy`, over generated and labelled tickets and edge cases. Change the two together.

# sha256 of config/templates/internal_note.txt.j2 as shipped (UTF-8): the template `_note_fast` reproduces.
SHIPPED_INTERNAL_NOTE_SHA256 = "127a997a10d79d86efdab8afbe8166b5e8a7d85df3244349932b39490980ea81"
_NOTE_FAST = True  # tests turn it off to compare with Jinja's render


def _evidence_line(ev: Evidence) -> str:
    """`{{ e.field }}[{{ e.start }}:{{ e.end }}] {{ e.signal }}{% if e.category %} ({{ e.category }}){% endif %}:
    "{{ e.text }}"` for `_evidence_ctx(ev)`."""
    sig = ev.signal if len(ev.signal) <= 60 and ev.signal.isprintable() else _snippet(ev.signal, 60)
    cat = f" ({ev.category})" if ev.category else ""
    return f'{ev.field}[{ev.start}:{ev.end}] {sig}{cat}: "{_snippet(ev.text)}"'


def _note_fast(
    wanted: Sequence[str], entries: Sequence[tuple[str, KBEntry]], kb_version: str, template_version: str,
    needs_review: bool, unanswered: Sequence[str], flags: Sequence[Flag], evidence: Sequence[Evidence],
    model_known: int | None = None,
) -> str:
    """What Jinja renders from the shipped internal note with `_note_context(...)`, before `_tidy`."""
    cats = [_snippet(c, 40) for c in wanted]
    out = ["INTERNAL NOTE - not for the customer\nCategories: ", ", ".join(cats) if cats else "none", "\n"]
    if entries:
        out.append(f"Drafted from KB entries: {', '.join([e.id for _, e in entries])} (KB {kb_version}, "
                   f"templates {template_version})\n")
    if needs_review:
        out.append("NEEDS REVIEW: the classification is uncertain; check the draft before sending.\n")
    if model_known is not None:
        out.append(f"Lexical model: knows only {model_known} % of this ticket's words (its language?), so its say "
                   "against the rules' score was cut; read the rules' evidence.\n")
    for cat in unanswered:
        out.append(f"No knowledge-base entry for category {_snippet(cat, 40)}: write this part by hand.\n")
    if flags:
        out.append("\nEscalation flags:\n")
        for f in flags:
            out.append(f"- {_snippet(f.name, 60)}: {_snippet(f.reason, 300)}\n")
            for ev in f.evidence[:MAX_NOTE_EVIDENCE]:
                out.append(f"    evidence {_evidence_line(ev)}\n")
            more = len(f.evidence) - MAX_NOTE_EVIDENCE
            if more > 0:
                out.append(f"    (+{more} more evidence spans)\n")
            if f.linked_tickets:
                linked = ", ".join([_snippet(t, 80) for t in f.linked_tickets[:MAX_NOTE_EVIDENCE]])
                more = len(f.linked_tickets) - MAX_NOTE_EVIDENCE
                out.append(f"    linked tickets: {linked}{f' (+{more} more)' if more > 0 else ''}\n")
    if evidence:
        out.append("\nEvidence:\n")
        for ev in evidence[:MAX_NOTE_EVIDENCE]:
            out.append(f"- {_evidence_line(ev)}\n")
        more = len(evidence) - MAX_NOTE_EVIDENCE
        if more > 0:
            out.append(f"- (+{more} more)\n")
    return "".join(out)
