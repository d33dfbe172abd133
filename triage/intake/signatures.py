"""Sender verification: Zendesk's timestamped HMAC-SHA256, Zammad's X-Hub-Signature, shared tokens.

Every comparison is constant-time. `sign_*` exist so tests, docs and other producers compute exactly
what the verifiers check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from triage.intake import IntakeError


def sign_zendesk(secret: str, timestamp: str, body: bytes) -> str:
    """base64(HMAC-SHA256(key=signing secret, msg=timestamp + body)), as Zendesk sends it."""
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def sign_hub_sha1(secret: str, body: bytes) -> str:
    """`sha1=` + hex HMAC-SHA1 of the body (Zammad's X-Hub-Signature)."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def _parse_timestamp(value: str) -> datetime:
    v = value.strip()
    if v.isdigit():  # epoch seconds, accepted for producers that send those
        return datetime.fromtimestamp(int(v), UTC)
    try:
        ts = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError as exc:
        raise IntakeError(401, "bad_timestamp", f"signature timestamp {value[:40]!r} is not ISO 8601") from exc
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def verify_zendesk(*, secret: str, headers: Mapping[str, str], body: bytes, now: datetime, window_s: float) -> None:
    """Check X-Zendesk-Webhook-Signature against timestamp + body, and the timestamp's freshness."""
    sig = headers.get("x-zendesk-webhook-signature")
    ts = headers.get("x-zendesk-webhook-signature-timestamp")
    if not sig or not ts:
        raise IntakeError(401, "missing_signature", "X-Zendesk-Webhook-Signature and "
                          "X-Zendesk-Webhook-Signature-Timestamp headers are required")
    expected = sign_zendesk(secret, ts, body)
    if not hmac.compare_digest(expected.encode(), sig.strip().encode()):
        raise IntakeError(401, "bad_signature", "X-Zendesk-Webhook-Signature does not match the body")
    # Checked after the signature, so an attacker learns nothing about the window from unsigned input.
    skew = abs((now - _parse_timestamp(ts)).total_seconds())
    if skew > window_s:
        raise IntakeError(401, "stale_timestamp",
                          f"signature timestamp is {int(skew)} s away from now; the window is {int(window_s)} s")


def verify_hub_sha1(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Check X-Hub-Signature: sha1=<hex HMAC-SHA1(body)>."""
    sig = headers.get("x-hub-signature")
    if not sig:
        raise IntakeError(401, "missing_signature", "X-Hub-Signature header is required")
    if not hmac.compare_digest(sign_hub_sha1(secret, body).encode(), sig.strip().lower().encode()):
        raise IntakeError(401, "bad_signature", "X-Hub-Signature does not match the body")


def presented_tokens(headers: Mapping[str, str]) -> list[str]:
    """Tokens a sender can present: `Authorization: Bearer T`, `X-Triage-Token: T`, or Basic auth with T
    as the password or as the user name (Freshdesk's rule editor offers Basic auth and custom headers)."""
    out: list[str] = []
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        out.append(value.strip())
    elif scheme.lower() == "basic" and value.strip():
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        out += [t for t in (password, user) if t]
    if headers.get("x-triage-token"):
        out.append(headers["x-triage-token"].strip())
    return out


def verify_token(*, expected: str, headers: Mapping[str, str]) -> None:
    """Accept the request only if one presented token equals the shared secret (constant time)."""
    tokens = presented_tokens(headers)
    if not tokens:
        raise IntakeError(401, "missing_token", "send the shared token as 'Authorization: Bearer <token>', "
                          "Basic auth, or an X-Triage-Token header")
    ok = False
    for t in tokens:  # no early exit: the time taken does not depend on which token matched
        ok |= hmac.compare_digest(t.encode(), expected.encode())
    if not ok:
        raise IntakeError(401, "bad_token", "the token does not match")
