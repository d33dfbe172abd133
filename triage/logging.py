"""structlog setup: JSON in production, console in a terminal; task/ticket ids bound; PII redacted.

Standard-library records (Celery, kombu, SQLAlchemy, uvicorn with `log_config=None`) go through the same
processors via `structlog.stdlib.ProcessorFormatter`, so one line format covers the whole process.
Tracebacks and stacks are rendered to text before the redaction step, so they are redacted too.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import unquote

import structlog

from triage import contacts

# Values of these keys are never logged verbatim: they hold ticket text or personal data.
_SECRET_KEYS = frozenset(
    {"body", "subject", "email", "requester", "requester_email", "requester_name", "name", "password",
     "token", "secret", "draft", "draft_reply", "payload", "authorization"}
)
# The service's own identifiers (see the `log.*` calls in triage/): a value made only of digits (a helpdesk
# ticket number, an outbox row id) is an id here, not a phone or card number. Anything else in them is
# redacted like any other text: an e-mail used as an external id is still an e-mail.
_ID_KEYS = frozenset({"external_id", "outbox_id", "delivery_id", "dedupe_key", "task_id", "id", "ticket_id"})
# Keys set by the processors themselves, and ProcessorFormatter's bookkeeping (the LogRecord itself).
_OWN_KEYS = frozenset({"timestamp", "level", "logger", "_record", "_from_structlog"})

# What the helpdesk-facing scrubber in triage/contacts.py detects (e-mails, obfuscated e-mails, Skype ids,
# URLs with t.me/wa.me links, wallets, Telegram names) is reused as is. `contacts.scrub_identifiers` itself
# is not: it is built for customer-facing text and removes every "word.word" and "x:y", which would turn
# exception types ("psycopg.errors.UniqueViolation"), module paths and traceback file names into
# "[removed]". The patterns below are what logs need on top: looser e-mails (also %40-encoded, as in
# access-log paths), any @handle, IBANs, messenger URI schemes, card numbers and phones.
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d\s().\-]{7,}\d(?![\w])")
_CARD_RE = re.compile(r"(?<!\+)\b(?:\d[ \-]?){13,19}\b")  # "+4915112345678" is a phone
_URL_CRED_RE = re.compile(r"(\w+://)([^:/@\s]*):([^@/\s]+)@")
# Country code, check digits, 11..30 alphanumerics, optionally in groups of four ("DE89 3704 0044 ...").
# Upper case unless the text says "IBAN": a lower-case hex id ("ab12cdef...") has the same shape.
_IBAN = r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"
_IBAN_RE = re.compile(_IBAN)
_IBAN_ANYCASE_RE = re.compile(_IBAN, re.IGNORECASE)
# @handle (Telegram, Instagram, X...): not the "@host" of an e-mail or of "user:***@host" in a URL.
_HANDLE_RE = re.compile(r"(?<![\w@.*:/%+\-])@[A-Za-z0-9_]\w{1,63}(?:\.\w{1,63}){0,5}")
_MESSENGER_SCHEMES = ("tg", "viber", "whatsapp", "skype", "sgnl", "signal", "weixin", "wechat", "fb-messenger",
                      "threema", "callto", "tel", "sms", "mailto")
_MESSENGER_URI_RE = re.compile(rf"\b(?:{'|'.join(_MESSENGER_SCHEMES)}):(?://)?[^\s\"'<>]{{1,2000}}", re.IGNORECASE)
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Addresses that are the service's own (uvicorn's "running on http://127.0.0.1:8000"), never a person's.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "[::]"})
# Short values made of letters and "_" (event names, sources, categories, priorities) or a few digits
# cannot hold anything redacted below (every pattern needs a digit, "@", ".", ":", "-", a bracket or a
# blank, except a 34-character Tron address and "skype<name>"); the per-ticket INFO line is mostly such
# values.
_PLAIN_RE = re.compile(r"(?!(?i:skype))[A-Za-z_]{0,33}|[0-9]{1,8}")


def _link(m: re.Match[str]) -> str:
    host = m.group("host1") or m.group("host2") or m.group("host3") or ""
    tail = m.string[m.end() : m.end() + 2]
    if m.group("host3") is not None and m.end() == m.end("host3") and (
        tail[:1] == "(" or (tail[:1] == "." and tail[1:2].isalnum())
    ):
        return m.group(0)  # "self.app.send_task(": attribute access in a traceback, not a domain
    if host.lower() in _LOCAL_HOSTS and not re.search(r"/[^/]|[?#]", m.group(0).split("://", 1)[-1]):
        return m.group(0)
    # Sentence punctuation and a closing ")" are not part of the link (as contacts.extract_contacts reads it).
    end = contacts._strip_trailing(m.string, m.start(), m.end())
    return "[link]" + m.string[end : m.end()]


def _base58_wallet(m: re.Match[str]) -> str:
    s = m.group(0)
    # As in contacts: real addresses mix digits, upper and lower case ("1stplace..." is a word).
    if any(c.isdigit() for c in s[1:]) and any(c.isupper() for c in s) and any(c.islower() for c in s):
        return "[wallet]"
    return s


def _tron_wallet(m: re.Match[str]) -> str:
    s = m.group(0)
    # A 34-character CamelCase identifier starting with "T" has the shape too; addresses hold digits.
    return "[wallet]" if any(c.isdigit() for c in s) else s


def _bech32_wallet(m: re.Match[str]) -> str:
    s = m.group(0)
    return "[wallet]" if s in (s.lower(), s.upper()) else s  # bech32 is never mixed-case


def _group_sub(group: str, placeholder: str) -> Any:
    def repl(m: re.Match[str]) -> str:
        return m.group(0)[: m.start(group) - m.start()] + placeholder + m.group(0)[m.end(group) - m.start() :]

    return repl


def redact_text(text: str) -> str:
    """Mask personal data in a log string: e-mails (also "[at]"/"(at)" and %40 spellings), @handles,
    Telegram/Skype/messenger ids and links, URLs and bare domains, IBANs, card numbers, phones, wallets;
    and passwords in URLs. Module paths, exception type names, SQLSTATE codes, UUIDs, dates and small
    numbers stay readable."""
    if _PLAIN_RE.fullmatch(text):
        return text
    low = text.lower()
    text = _URL_CRED_RE.sub(r"\1\2:***@", text)
    # E-mails first: "bob@evil.com" must not become "bob@[link]".
    if "@" in text or "%40" in text:
        text = _EMAIL_RE.sub("[email]", text)
    if ("[" in text or "(" in text) and contacts._OBF_AT_HINT_RE.search(text):
        text = contacts._OBF_EMAIL_RE.sub("[email]", text)
    if ":" in text:
        text = contacts._SKYPE_LIVE_RE.sub("[handle]", text)
        if any(f"{scheme}:" in low for scheme in _MESSENGER_SCHEMES):
            text = _MESSENGER_URI_RE.sub("[link]", text)
    if "skype" in low:
        text = contacts._SKYPE_NAMED_RE.sub(_group_sub("id", "[handle]"), text)
    if "." in text or "://" in text:
        text = contacts._URL_RE.sub(_link, text)
    if "tg" in low or "telegram" in low or "телеграм" in low:
        text = contacts._TG_NAMED_RE.sub(_group_sub("h", "[handle]"), text)
    if "@" in text:
        text = _HANDLE_RE.sub("[handle]", text)
    digits = len(text) - len(text.translate(_NO_DIGITS))
    if not digits:
        return text
    text = (_IBAN_ANYCASE_RE if "iban" in low else _IBAN_RE).sub("[iban]", text)
    if "bc1" in low:
        text = contacts._BTC_BECH32_RE.sub(_bech32_wallet, text)
    if "0x" in text:
        text = contacts._ETH_RE.sub("[wallet]", text)
    text = contacts._TRON_RE.sub(_tron_wallet, text)
    text = contacts._BTC_BASE58_RE.sub(_base58_wallet, text)
    # Celery task ids: a UUID whose last group happens to be all digits is not a phone number.
    if digits < 9:  # a card has 13+ digits, a phone 9+ (see _phone_or_keep)
        return text
    uuids = _UUID_RE.findall(text) if "-" in text else []
    if uuids:
        parts = _UUID_RE.split(text)
        return "".join(_redact_numbers(p) + (uuids[i] if i < len(uuids) else "") for i, p in enumerate(parts))
    return _redact_numbers(text)


def _redact_numbers(text: str) -> str:
    text = _CARD_RE.sub("[number]", text)
    return _PHONE_RE.sub(_phone_or_keep, text)


_NO_DIGITS = str.maketrans("", "", "0123456789")


_DATEISH_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?|\d{2}:\d{2}:\d{2}|\d{1,3}(?:\.\d{1,3}){3}"
)


def _phone_or_keep(m: re.Match[str]) -> str:
    """Phone numbers have 9+ digits; dates and times (ISO 8601 in log lines) and IPv4 addresses (a server
    address, uvicorn's client) are not phones."""
    raw = m.group(0)
    if _DATEISH_RE.fullmatch(raw.strip()) or sum(c.isdigit() for c in raw) < 9:
        return raw
    return "[phone]"


def _redact_value(key: str, value: Any) -> Any:
    if key.lower() in _SECRET_KEYS and value is not None and not (isinstance(value, str) and not value):
        if isinstance(value, str):
            return f"[redacted {len(value)} chars]"
        return "[redacted]"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if key in _ID_KEYS and value.isdigit():
            return value
        return redact_text(value)
    if isinstance(value, Mapping):
        return {redact_text(str(k)): _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(key, v) for v in value]
    if isinstance(value, BaseException):
        # The type name is what an operator greps for; str() of an exception alone drops it.
        return redact_text(f"{type(value).__name__}: {value}")
    # Objects (dataclasses, models, bytes, datetimes...) would otherwise reach the renderer's repr() in clear.
    try:
        text = str(value)
    except Exception:
        return f"[unprintable {type(value).__name__}]"
    return redact_text(text)


def redact_processor(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: redact PII in every field, including the event message and the rendered
    `exception` and `stack` (so it must run after `_render_exc_and_stack`)."""
    for key in list(event_dict.keys()):
        if key in _OWN_KEYS:
            continue
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


_render_stack = structlog.processors.StackInfoRenderer(additional_ignores=[__name__])


def _render_exc_and_stack(logger: Any, name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Turn `exc_info` / `stack_info` into the `exception` / `stack` strings *before* redaction: a
    traceback quotes the exception's message (and the source lines), which routinely holds the ticket."""
    stack = event_dict.get("stack_info")
    if isinstance(stack, str):  # a stdlib record: logging already formatted its stack
        event_dict.pop("stack_info")
        event_dict["stack"] = stack
    event_dict = _render_stack(logger, name, event_dict)
    return structlog.processors.format_exc_info(logger, name, event_dict)


def _foreign_record(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """foreign_pre_chain, first: a stdlib record's positional args (ProcessorFormatter passes them so
    that this can read them) are dropped, and uvicorn's access line becomes structured fields with the
    path decoded and redacted and the query string withheld: "GET /tickets/zendesk/maria.g%40example.org
    ?tel=..." otherwise quotes an e-mail that no text pattern sees."""
    args = event_dict.pop("positional_args", None)
    record = event_dict.get("_record")
    if getattr(record, "name", None) == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        client, method, full_path, http_version, status = args
        path, _, query = str(full_path).partition("?")
        path = redact_text(unquote(path))
        event_dict["event"] = f"{method} {path} {status}"
        event_dict.update(method=str(method), path=path, status=status, http_version=str(http_version),
                          client=str(client))
        if query:
            event_dict["query"] = f"[redacted {len(query)} chars]"
    return event_dict


_configured = False


class _NoHostnameFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "No hostname was supplied" not in record.getMessage()


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Idempotent process-wide setup."""
    global _configured
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _render_exc_and_stack,
        redact_processor,  # last: nothing rendered after it may add text
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        # filter_by_level first: a record below the level is dropped before the processors run (redacting
        # and timestamping a per-ticket INFO line the handler then discards cost ~0.04 ms per ticket).
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[_foreign_record, *shared],
        pass_foreign_args=True,  # read (then dropped) by _foreign_record
        # No exception formatting here: it happened in `shared`, before redaction.
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_triage", False):
            root.removeHandler(h)
    handler._triage = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # kombu warns on every connection to a URL without a host, which the embedded filesystem broker
    # ("filesystem://") never has.
    kombu_conn = logging.getLogger("kombu.connection")
    if not any(isinstance(f, _NoHostnameFilter) for f in kombu_conn.filters):
        kombu_conn.addFilter(_NoHostnameFilter())
    # Third-party chatter that buries the signal at INFO.
    for noisy in ("sqlalchemy.engine", "alembic", "kombu", "amqp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    _configured = True


def get_logger(name: str = "triage") -> Any:
    return structlog.stdlib.get_logger(name)


def enabled_for(name: str, level: int) -> bool:
    """Would `get_logger(name)` emit a record at `level`? What `filter_by_level` decides, asked once: a loop
    logging per ticket skips building the calls (~5 µs each even when dropped). Before `configure_logging`
    structlog's defaults print everything, so: True."""
    return not _configured or logging.getLogger(name).isEnabledFor(level)
