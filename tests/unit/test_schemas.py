"""The ticket contract: limits, coercions and clear messages."""

from __future__ import annotations

from datetime import UTC

import pytest
from pydantic import ValidationError

from triage.schemas import MAX_BODY_BYTES, TicketIn


def t(**kw: object) -> TicketIn:
    base: dict[str, object] = {"source": "zendesk", "external_id": "1", "subject": "Hi", "body": "Hello"}
    base.update(kw)
    return TicketIn.model_validate(base)


def messages(exc: ValidationError) -> str:
    return " | ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def test_minimal_ticket_and_identity() -> None:
    ticket = t()
    assert ticket.key == ("zendesk", "1")
    assert ticket.tags == [] and ticket.metadata == {} and ticket.requester is None


def test_integer_ids_become_text_and_source_is_normalised() -> None:
    ticket = t(external_id=12345, source=" Zendesk ")
    assert ticket.external_id == "12345" and ticket.source == "zendesk"


@pytest.mark.parametrize("bad", [True, None, "", ["1"], {"id": 1}, 1.5])
def test_bad_external_id(bad: object) -> None:
    with pytest.raises(ValidationError) as e:
        t(external_id=bad)
    assert "external_id" in messages(e.value)


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(ValidationError) as e:
        TicketIn.model_validate({"subject": "x"})
    msg = messages(e.value)
    assert "source: Field required" in msg and "external_id: Field required" in msg


def test_body_limit_is_64_kib_in_utf8_bytes() -> None:
    t(body="a" * MAX_BODY_BYTES)
    with pytest.raises(ValidationError) as e:
        t(body="é" * (MAX_BODY_BYTES // 2 + 1))  # 2 bytes each
    assert "the limit is 65536 bytes (64 KiB)" in messages(e.value)


def test_subject_limit_is_1_kib() -> None:
    with pytest.raises(ValidationError) as e:
        t(subject="x" * 1025)
    assert "subject is 1025 bytes; the limit is 1024 bytes (1 KiB)" in messages(e.value)


def test_empty_ticket_rejected() -> None:
    with pytest.raises(ValidationError) as e:
        t(subject="  ", body="\n")
    assert "needs a subject or a body" in messages(e.value)


def test_wrong_types_are_rejected_not_coerced() -> None:
    with pytest.raises(ValidationError) as e:
        t(body=["a", "b"])
    assert "body" in messages(e.value)
    with pytest.raises(ValidationError):
        t(subject=5)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as e:
        t(bodyy="typo")
    assert "bodyy" in messages(e.value)


def test_tags_as_comma_string_and_deduplicated() -> None:
    assert t(tags="a, b c,a").tags == ["a", "b", "c"]
    with pytest.raises(ValidationError):
        t(tags=["x"] * 101)


def test_control_characters_replaced_keeping_offsets() -> None:
    ticket = t(body="pay\x00me\x07now")
    assert ticket.body == "pay\ufffdme\ufffdnow" and len(ticket.body) == len("pay\x00me\x07now")


def test_naive_created_at_is_utc_and_email_validated() -> None:
    ticket = t(created_at="2026-01-02T03:04:05", requester={"email": "A@B.org", "name": " Ana "})
    assert ticket.created_at is not None and ticket.created_at.tzinfo == UTC
    assert ticket.requester is not None and ticket.requester.email == "a@b.org" and ticket.requester.name == "Ana"
    with pytest.raises(ValidationError) as e:
        t(requester={"email": "not-an-email"})
    assert "e-mail" in messages(e.value)
    # Any whitespace inside (str.isspace: NBSP, em space, line separator...) is refused.
    for ws in (" ", "\t", "\u00a0", "\u2003", "\u2028", "\u3000", "\x1c"):
        with pytest.raises(ValidationError):
            t(requester={"email": f"a{ws}b@c.org"})
    assert t(requester={"email": "a\u200bb@c.org"}).requester.email == "a\u200bb@c.org"  # ZWSP is no space


def test_metadata_size_counts_utf8_bytes_of_unescaped_json() -> None:
    # ensure_ascii=False: "é" counts 2 bytes, not the 6 of "\\u00e9".
    assert t(metadata={"k": "é" * 8000}).metadata == {"k": "é" * 8000}
    with pytest.raises(ValidationError):
        t(metadata={"k": "é" * 8200})
    with pytest.raises(ValidationError, match="JSON-serialisable"):
        t(metadata={"k": {1, 2}})


def test_metadata_size_limit() -> None:
    with pytest.raises(ValidationError) as e:
        t(metadata={"blob": "x" * 20000})
    assert "metadata is" in messages(e.value)


def test_dead_letter_reason_reads_our_message_not_pydantics_prefix() -> None:
    """The reason stored with a dead letter (and shown by the CLI and the HTTP intake) is our validator's own
    text; pydantic would prefix it with "Value error, "."""
    from triage.worker import _describe_validation

    with pytest.raises(ValidationError) as info:
        TicketIn.model_validate({"source": "zendesk", "external_id": "1", "subject": "s" * 2000, "body": "b"})
    reason = _describe_validation(info.value)
    assert reason == "invalid ticket: subject: subject is 2000 bytes; the limit is 1024 bytes (1 KiB)"
    with pytest.raises(ValidationError) as info:
        TicketIn.model_validate({"source": "zendesk", "external_id": "1", "subject": 5, "body": "b", "x": 1})
    assert _describe_validation(info.value) == (
        "invalid ticket: subject: Input should be a valid string; x: Extra inputs are not permitted"
    )
