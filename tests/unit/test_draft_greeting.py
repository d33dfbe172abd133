"""The greeting: look-alike punctuation, mixed scripts, role names and messenger handles never reach it,
a name never makes a ticket fail, and ordinary names in any script are greeted as before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from triage import draft as draft_module
from triage.contacts import extract_contacts
from triage.draft import TemplateError, build_draft, first_name, templates_from_sources
from triage.kb import KnowledgeBase
from triage.pipeline import run
from triage.schemas import TicketIn

# Letters that render as URL punctuation: U+A4F8 LISU LETTER TONE MYA TI (.), U+02D0 MODIFIER LETTER
# TRIANGULAR COLON (:), U+141F CANADIAN SYLLABICS FINAL ACUTE (/), U+1427 CANADIAN SYLLABICS FINAL MIDDLE
# DOT, U+A4EB LISU LETTER SHA (X, here standing in for @). NFKC leaves every one of them as it is.
LOOKALIKE_NAMES = [
    "https\u02d0\u141f\u141fevil\ua4f8com",
    "www\ua4f8upwork-verify\ua4f8com",
    "telegram\ua4f8me\u141fscammer",
    "john\ua4ebgmail\ua4f8com",
    "paypal\u1427com",
    "Maria https\u02d0\u141f\u141fevil\ua4f8com",  # one bad token disqualifies the whole name
    "evil\ua78fcom",  # LATIN LETTER SINOLOGICAL DOT
    "evil\u01c3com",  # LATIN LETTER RETROFLEX CLICK (!)
    "evil\u02d1com",  # MODIFIER LETTER HALF TRIANGULAR COLON
]
# One token, two scripts: a Latin word with a Cyrillic, Greek or Lisu letter in it.
MIXED_SCRIPT_NAMES = [
    "M\u0430ria",  # Cyrillic а
    "J\u043ehn Smith",  # Cyrillic о
    "\u0391lice",  # Greek Α
    "Jo\ua4f2n",  # Lisu letter
    "Mari\u0430-Luisa",
    "ジョージSmith",  # Katakana with Latin
]
ROLE_NAMES = ["Upwork-Security", "upwork-support", "Trust-Safety", "Maria Upwork-Support", "Security'Team"]
MESSENGER_NAMES = ["Telegram-Johnsmith", "Skype-Johnsmith", "Tg-Scammerbot"]

# (requester name, greeted first name, as HTML-escaped in the HTML draft)
ORDINARY = [
    ("María José", "María", "María"),
    ("Jean-Luc", "Jean-Luc", "Jean-Luc"),
    ("Jean-Luc Picard", "Jean-Luc", "Jean-Luc"),
    ("O'Brien", "O'Brien", "O&#39;Brien"),
    ("Sinéad O’Connor", "Sinéad", "Sinéad"),
    ("Zoë", "Zoë", "Zoë"),
    ("Nguyễn Văn An", "Nguyễn", "Nguyễn"),
    ("Владимир", "Владимир", "Владимир"),
    ("Анна Петрова", "Анна", "Анна"),
    ("Γιώργος Παπαδόπουλος", "Γιώργος", "Γιώργος"),
    ("محمد", "محمد", "محمد"),
    ("李雷", "李雷", "李雷"),
    ("佐々木 花子", "佐々木", "佐々木"),  # 々 is a modifier letter, ordinary in Japanese names
    ("ジョージ", "ジョージ", "ジョージ"),  # so is ー
    ("김민준", "김민준", "김민준"),
    ("יוסי כהן", "יוסי", "יוסי"),
    ("Łukasz Żmuda", "Łukasz", "Łukasz"),
    ("Çağlar Şahin", "Çağlar", "Çağlar"),
    ("Kaʻiulani Kawānanakoa", "Kaʻiulani", "Kaʻiulani"),  # U+02BB ʻokina: an apostrophe
    ("Марʼяна Шевченко", "Марʼяна", "Марʼяна"),  # U+02BC: the Ukrainian apostrophe
    ("Dr. Maria Lopez", "Maria", "Maria"),
    ("Lopez, Maria", "Maria", "Maria"),
    ("MARIA", "Maria", "Maria"),
    ("Line Hansen", "Line", "Line"),
    ("Skype", "Skype", "Skype"),  # a word, not a handle
]

SCAM_REPORT = (
    "The client asked me to pay a registration fee before starting and to move our chat off the platform. "
    "I think this is a scam."
)


def _draft(kb: KnowledgeBase, templates: Any, name: str | None, categories: tuple[str, ...] = ("scam_suspicion",)):  # type: ignore[no-untyped-def]
    return build_draft(categories=list(categories), kb=kb, templates=templates, requester_name=name)


def _assert_generic(d: Any) -> None:
    assert d.text is not None and d.html is not None
    assert d.text.splitlines()[0] == "Hello,"
    assert d.html.startswith("<p>Hello,</p>")
    assert "Hi " not in d.text and "Hi " not in d.html


@pytest.mark.parametrize("name", LOOKALIKE_NAMES)
def test_lookalike_punctuation_gets_the_generic_greeting(kb, templates, name: str) -> None:  # type: ignore[no-untyped-def]
    assert first_name(name) is None
    d = _draft(kb, templates, name)
    _assert_generic(d)
    for ch in "\u02d0\u02d1\u141f\u1427\ua4f8\ua4eb\ua78f\u01c3":
        assert ch not in d.text and ch not in d.html  # type: ignore[operator]


@pytest.mark.parametrize("name", MIXED_SCRIPT_NAMES)
def test_a_token_mixing_scripts_is_not_a_name(kb, templates, name: str) -> None:  # type: ignore[no-untyped-def]
    assert first_name(name) is None
    _assert_generic(_draft(kb, templates, name))


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_role_word_inside_a_hyphenated_name_is_not_a_name(kb, templates, name: str) -> None:  # type: ignore[no-untyped-def]
    assert first_name(name) is None
    _assert_generic(_draft(kb, templates, name))


@pytest.mark.parametrize("name", MESSENGER_NAMES)
def test_messenger_handle_in_the_name_is_not_a_name(kb, templates, name: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_contacts("", name), "the test relies on the name reading as a handle"
    assert first_name(name) is None
    for cats in (("scam_suspicion",), ("off_platform_payment",), ("scam_suspicion", "off_platform_payment")):
        _assert_generic(_draft(kb, templates, name, cats))


@pytest.mark.parametrize("name", MESSENGER_NAMES)
def test_scam_report_from_a_messenger_named_requester_is_drafted(pipeline_cfg, name: str) -> None:  # type: ignore[no-untyped-def]
    ticket = TicketIn.model_validate(
        {
            "source": "zendesk",
            "external_id": f"greet-{name}",
            "subject": "Suspicious job offer",
            "body": SCAM_REPORT,
            "requester": {"name": name, "email": "requester@example.org"},
        }
    )
    o = run(ticket, pipeline_cfg)  # used to raise TemplateError (the worker dead-lettered the ticket)
    assert "scam_suspicion" in o.categories
    assert o.draft_reply is not None and o.draft_html is not None
    assert o.draft_reply.splitlines()[0] == "Hello,"
    assert o.draft_html.startswith("<p>Hello,</p>")
    handle = name.split("-", 1)[1]
    assert handle not in o.draft_reply and handle not in o.draft_html
    assert o.internal_note is not None


@pytest.mark.parametrize(("name", "greeted", "greeted_html"), ORDINARY)
def test_ordinary_names_are_greeted_as_before(kb, templates, name: str, greeted: str, greeted_html: str) -> None:  # type: ignore[no-untyped-def]
    assert first_name(name) == greeted
    d = _draft(kb, templates, name)
    assert d.text is not None and d.html is not None
    assert d.text.splitlines()[0] == f"Hi {greeted},"
    assert d.html.startswith(f"<p>Hi {greeted_html},</p>")


def test_greeting_that_fails_the_check_degrades_to_generic(kb, templates, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Defence in depth: a name `first_name` lets through that the safety check refuses costs the greeting,
    not the ticket; and it leaves nothing of its own in the memo (a later plain name is still greeted)."""
    monkeypatch.setattr(draft_module, "first_name", lambda name: name)
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    generic = build_draft(categories=["scam_suspicion"], kb=kb, templates=templates, requester_name=None)
    draft_module._REPLY_CACHE.clear()
    for _ in range(2):  # rendered, then memoised
        d = build_draft(
            categories=["scam_suspicion"], kb=kb, templates=templates, requester_name="Telegram-Johnsmith"
        )
        _assert_generic(d)
        assert (d.text, d.html, d.links) == (generic.text, generic.html, generic.links)
    assert not any("Telegram-Johnsmith" in repr(k) or "Telegram-Johnsmith" in repr(v)
                   for k, v in draft_module._REPLY_CACHE.items())
    d = build_draft(categories=["scam_suspicion"], kb=kb, templates=templates, requester_name="Maria")
    assert d.text is not None and d.text.startswith("Hi Maria,")


# Every name the tests know, and the shapes the memo's name slot must survive: HTML-escaped characters,
# accents, scripts, one-letter-short names, messenger and role words, names that equal KB words.
SLOT_NAMES = [
    None, "Maria", "O'Brien", "Zoë", "Al", "Ng", "Skype", "Telegram", "Whatsapp", "Signal", "Link", "Http",
    "Com", "Refund", "Paypal", "Hi", "Amp", "Lt", "Quot", "D'Angelo-Smith", "Anne-Marie", "Renée",
    *(n for n, _, _ in ORDINARY), *LOOKALIKE_NAMES, *MIXED_SCRIPT_NAMES, *ROLE_NAMES, *MESSENGER_NAMES,
]
CATEGORY_SETS = [("scam_suspicion",), ("off_platform_payment",), ("scam_suspicion", "off_platform_payment"),
                 ("off_platform_payment", "scam_suspicion")]


@pytest.mark.parametrize("cats", CATEGORY_SETS)
def test_the_memoised_reply_is_the_rendered_and_checked_one(kb, templates, monkeypatch, cats) -> None:  # type: ignore[no-untyped-def]
    """The memo renders once with a placeholder and puts each name in its place; for every name (and with
    `first_name` out of the way, for names it would refuse) the draft equals rendering that name and checking
    the whole reply (`_render_checked`, the path before the memo)."""
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    for greet in (first_name, lambda n: n):
        monkeypatch.setattr(draft_module, "first_name", greet)
        for name in SLOT_NAMES:
            d = build_draft(categories=list(cats), kb=kb, templates=templates, requester_name=name)
            _, entries, _ = draft_module.answered_entries(list(cats), kb)
            ref = draft_module._render_checked(entries, templates, kb, greet(name))
            assert (d.text, d.html, d.links) == (ref.text, ref.html, ref.links), name


def test_a_template_that_transforms_the_name_is_rendered_per_name(kb, templates, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`first_name|upper` cannot be reproduced by putting the name in a slot: the probes catch it and each
    name is rendered (and checked) as it is."""
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    src = dict(templates.sources)
    assert "first_name ~" in src["reply.txt.j2"]
    edited = templates_from_sources({**src, "reply.txt.j2": src["reply.txt.j2"].replace(
        '"Hi " ~ first_name ~', '"Hi " ~ first_name|upper ~')})
    for name in ("Maria", "Zoë", "O'Brien"):
        d = build_draft(categories=["scam_suspicion"], kb=kb, templates=edited, requester_name=name)
        assert d.text is not None and d.text.splitlines()[0] == f"Hi {first_name(name).upper()},"
    assert any(v is None for v in draft_module._REPLY_CACHE.values())  # the template was marked per-name


# Template edits a placeholder check must not be fooled by (review helper-82): text near the greeting that a
# detector reads together with a name (a bare @handle with "Telegram" within 80 characters, a digit run after
# "Ring"/"Signal"/"Text"), and templates that truncate the name or test its length.
_NEAR_GREETING = [
    ('{% set intro = "Thank you', '{% set intro = "Status updates: @UpworkHelp. Thank you'),
    ('{% set intro = "Thank you', '{% set intro = "Over 1 500 000 freelancers were helped last year. Thank you'),
]
_NAME_USES = [
    ('"Hi " ~ first_name ~', '"Hi " ~ first_name|truncate(16) ~'),
    ('"Hi " ~ first_name ~ "," if first_name else',
     '"Hi " ~ first_name ~ "," if first_name and first_name|length <= 20 else'),
]
_EDIT_NAMES = ["Telegram", "Tg Smith", "Signal", "Text", "Ring", "Call", "Maria", "Wolfeschlegelsteinhausen", "Ng"]


@pytest.mark.parametrize("edit", range(len(_NEAR_GREETING) + len(_NAME_USES)))
def test_edited_templates_greet_as_the_whole_reply_check_does(kb, templates, monkeypatch, edit) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    src = dict(templates.sources)
    if edit < len(_NEAR_GREETING):
        old, new = _NEAR_GREETING[edit]
        assert old in src["_common.j2"]
        edited = templates_from_sources({**src, "_common.j2": src["_common.j2"].replace(old, new)})
    else:
        old, new = _NAME_USES[edit - len(_NEAR_GREETING)]
        assert old in src["reply.txt.j2"]
        edited = templates_from_sources({**src, "reply.txt.j2": src["reply.txt.j2"].replace(old, new)})
    for cats in CATEGORY_SETS[:3]:
        _, entries, _ = draft_module.answered_entries(list(cats), kb)
        for name in _EDIT_NAMES:
            d = build_draft(categories=list(cats), kb=kb, templates=edited, requester_name=name)
            ref = draft_module._render_checked(entries, edited, kb, first_name(name))
            assert (d.text, d.html, d.links) == (ref.text, ref.html, ref.links), (edit, name)


def test_the_memo_does_not_grow_with_names(kb, templates, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Real traffic greets a new name on nearly every ticket: the memo holds one generic and one placeholder
    reply per answered-entries combination, however many names it has greeted."""
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "an"]
    names = [f"{a}{b}{c}".title() for a in syllables for b in syllables for c in syllables[:5]]
    for i, name in enumerate(names):
        d = build_draft(categories=[CATEGORY_SETS[i % 3][0]] if i % 3 < 2 else list(CATEGORY_SETS[2]), kb=kb,
                        templates=templates, requester_name=name)
        assert d.text is not None and d.text.startswith(f"Hi {name},")
    assert len(names) == 500 and len(draft_module._REPLY_CACHE) <= 2 * 3
    # and the shipped templates take the slot (None would mean every name is rendered and checked whole)
    assert all(isinstance(v, draft_module._NamedReply) for v in draft_module._REPLY_CACHE.values())


def test_fallback_does_not_hide_an_unsafe_template(kb, templates, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An edited template that fails the check is still a configuration error, name or no name."""
    monkeypatch.setattr(draft_module, "_REPLY_CACHE", {})
    src = dict(templates.sources)
    bad = templates_from_sources({**src, "reply.txt.j2": src["reply.txt.j2"] + "\nWrite to help@upw0rk.com."})
    for name in ("Maria", "Telegram-Johnsmith", None):
        with pytest.raises(TemplateError, match=re.escape("text draft failed the safety check")):
            _draft(kb, bad, name)
