"""Write-back: deliver outbox rows (tags, priority, internal note) to the helpdesk's API.

The transactional outbox: the store writes a row with each result, in the same transaction; this relay
claims due rows under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers),
makes one HTTP call per row outside any transaction, then records the outcome. Transient failures
(timeouts, 5xx, 429, 409) are retried with full-jitter exponential backoff; a permanent 4xx marks the
row failed with its reason. Every call carries the row's idempotency key, so a relay that crashes
after the helpdesk applied an update but before recording it repeats an update the helpdesk can
recognise (and re-applying the same tags and priority is harmless).

Runs as the `triage.writeback` task (enqueued by the worker after a commit that wrote outbox rows) and
as `triage writeback run` (a polling relay: the safety net for a lost task message or a crash).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from triage import db
from triage.logging import get_logger
from triage.models import Outbox
from triage.settings import Settings, get_settings

if TYPE_CHECKING:
    import httpx

# httpx (≈ 4 MiB resident) is imported by the client when one is built, not here: every worker process imports
# this module for `notify`, and only a process that delivers write-backs makes HTTP calls.

log = get_logger("triage.writeback")

WRITEBACK = "triage.writeback"
LEASE_MARGIN_S = 30.0
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class DeliveryResult:
    """What one call to the helpdesk came to."""

    ok: bool
    retryable: bool = False
    status: int | None = None
    reason: str = ""
    retry_after_s: float | None = None


class HelpdeskClient(Protocol):
    """Applies one write-back to a ticket in a helpdesk. Implement this for another helpdesk."""

    def apply(self, *, external_id: str, payload: Mapping[str, Any], idempotency_key: str) -> DeliveryResult:
        """Tag the ticket, set its priority and add the note as an internal (never public) comment."""
        ...


def classify_response(status: int, text: str, headers: Mapping[str, str]) -> DeliveryResult:
    """2xx ok; 5xx, 408/409/425/429 retryable (honouring Retry-After); any other 4xx is permanent."""
    if 200 <= status < 300:
        return DeliveryResult(ok=True, status=status)
    retry_after: float | None = None
    try:
        retry_after = float(headers.get("retry-after", "")) if headers.get("retry-after") else None
    except ValueError:
        retry_after = None
    reason = f"HTTP {status}: {text[:300]}"
    if status >= 500 or status in RETRYABLE_STATUSES:
        return DeliveryResult(ok=False, retryable=True, status=status, reason=reason, retry_after_s=retry_after)
    return DeliveryResult(ok=False, retryable=False, status=status, reason=reason)


class ZendeskClient:
    """Zendesk Support REST API: `PUT /api/v2/tickets/{id}.json` with an internal comment."""

    def __init__(self, base_url: str, *, email: str = "", token: str = "", timeout: float = 10.0,
                 set_priority: bool = True, http: httpx.Client | None = None) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.set_priority = set_priority
        auth: httpx.Auth | None = None
        headers = {"User-Agent": "triage-writeback/1", "Accept": "application/json"}
        if email and token:
            auth = httpx.BasicAuth(f"{email}/token", token)  # Zendesk API-token authentication
        elif token:
            headers["Authorization"] = f"Bearer {token}"  # OAuth access token
        self.http = http or httpx.Client(timeout=timeout, auth=auth, headers=headers, follow_redirects=False)

    def request_body(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        ticket: dict[str, Any] = {
            "additional_tags": list(payload.get("tags", [])),
            "comment": {"body": payload.get("note") or "Automated triage", "public": False},
        }
        if self.set_priority and payload.get("priority_name"):
            ticket["priority"] = payload["priority_name"]
        return {"ticket": ticket}

    @staticmethod
    def marker(idempotency_key: str) -> str:
        """A line in our internal note that identifies this write-back (its idempotency key)."""
        return f"[triage write-back {idempotency_key[:24]}]"

    def already_applied(self, *, external_id: str, idempotency_key: str) -> DeliveryResult | None:
        """Read before write: is our note for this key already on the ticket?

        Zendesk honours `Idempotency-Key` only when creating tickets, not on the `PUT` we send, so a
        relay that died after Zendesk applied an update (but before the outbox row was marked sent)
        would add the note twice. Tags and priority are idempotent; the note is made so by this check.
        Returns a result to stop at (applied, or the look-up failed), or None to go ahead.
        """
        url = f"{self.base_url}/api/v2/tickets/{quote(external_id, safe='')}/comments.json"
        r = self._call("GET", url, "timeout reading comments", params={"sort_order": "desc", "per_page": 100})
        if isinstance(r, DeliveryResult):
            return r
        if not 200 <= r.status_code < 300:
            return classify_response(r.status_code, r.text, r.headers)
        try:
            comments = r.json().get("comments") or []
        except (ValueError, AttributeError):
            return DeliveryResult(ok=False, retryable=True, reason="unreadable comments response")
        mark = self.marker(idempotency_key)
        if any(mark in str(c.get("body", "")) for c in comments if isinstance(c, dict)):
            return DeliveryResult(ok=True, status=r.status_code, reason="already applied (note found)")
        return None

    def apply(self, *, external_id: str, payload: Mapping[str, Any], idempotency_key: str) -> DeliveryResult:
        url = f"{self.base_url}/api/v2/tickets/{quote(external_id, safe='')}.json"
        done = self.already_applied(external_id=external_id, idempotency_key=idempotency_key)
        if done is not None:
            return done
        body = self.request_body(payload)
        body["ticket"]["comment"]["body"] += "\n\n" + self.marker(idempotency_key)
        r = self._call("PUT", url, "timeout", json=body, headers={"Idempotency-Key": idempotency_key})
        if isinstance(r, DeliveryResult):
            return r
        return classify_response(r.status_code, r.text, r.headers)

    def _call(self, method: str, url: str, timeout_reason: str, **kwargs: Any) -> httpx.Response | DeliveryResult:
        """One HTTP call; a timeout or a transport error becomes a retryable result instead of an exception."""
        import httpx

        try:
            return self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            return DeliveryResult(ok=False, retryable=True, reason=f"{timeout_reason}: {exc}")
        except httpx.TransportError as exc:
            return DeliveryResult(ok=False, retryable=True, reason=f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.http.close()


def clients_from_settings(settings: Settings) -> dict[str, HelpdeskClient]:
    """One client per source with a configured write-back target."""
    clients: dict[str, HelpdeskClient] = {}
    if settings.writeback_zendesk_url:
        clients["zendesk"] = ZendeskClient(
            settings.writeback_zendesk_url, email=settings.writeback_zendesk_email,
            token=settings.writeback_zendesk_token, timeout=settings.writeback_timeout_s,
            set_priority=settings.writeback_set_priority,
        )
    return clients


def backoff_s(attempts: int, settings: Settings) -> float:
    """Full jitter: uniform in [base/2, min(cap, base·2^(attempts-1))]."""
    ceiling = min(settings.writeback_backoff_max_s, settings.writeback_backoff_base_s * 2 ** max(0, attempts - 1))
    return random.uniform(min(ceiling, settings.writeback_backoff_base_s / 2), ceiling)


@dataclass(frozen=True)
class Claimed:
    id: int
    source: str
    external_id: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    token: str


def claim_due(*, session: Session, now: datetime, limit: int, lease_s: float) -> list[Claimed]:
    """Lease up to `limit` due rows (pending and due, or sending with an expired lease) to this caller."""
    due = or_(and_(Outbox.status == "pending", Outbox.next_attempt_at <= now),
              and_(Outbox.status == "sending", Outbox.lease_until < now))
    q = select(Outbox.id).where(due).order_by(Outbox.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    ids = list(session.scalars(q))
    if not ids:
        return []
    token = uuid.uuid4().hex
    # The `due` condition again: on SQLite another relay may have claimed a row since our SELECT.
    rows = session.execute(
        update(Outbox).where(Outbox.id.in_(ids), due)
        .values(status="sending", lease_until=now + timedelta(seconds=lease_s), claim_token=token,
                attempts=Outbox.attempts + 1, updated_at=now)
        .returning(Outbox.id, Outbox.source, Outbox.external_id, Outbox.idempotency_key, Outbox.payload,
                   Outbox.attempts)
    ).all()
    return sorted((Claimed(r.id, r.source, r.external_id, r.idempotency_key, r.payload, r.attempts, token)
                   for r in rows), key=lambda c: c.id)


def record(*, session: Session, row: Claimed, result: DeliveryResult, now: datetime, settings: Settings) -> str:
    """Store a delivery's outcome (only if we still hold the lease). Returns the new status."""
    values: dict[str, Any] = {"updated_at": now, "response_status": result.status, "lease_until": None}
    if result.ok:
        values.update(status="sent", sent_at=now, last_error=None)
    elif result.retryable and row.attempts < settings.writeback_max_attempts:
        delay = max(backoff_s(row.attempts, settings), result.retry_after_s or 0.0)
        values.update(status="pending", next_attempt_at=now + timedelta(seconds=delay), last_error=result.reason)
    else:
        why = result.reason if not result.retryable else f"gave up after {row.attempts} attempts: {result.reason}"
        values.update(status="failed", last_error=why[:4000])
    session.execute(update(Outbox).where(Outbox.id == row.id, Outbox.claim_token == row.token,
                                         Outbox.status == "sending").values(**values))
    return str(values["status"])


def deliver_due(*, clients: Mapping[str, HelpdeskClient], settings: Settings | None = None, limit: int = 50,
                now: Any = None) -> dict[str, int]:
    """Claim and deliver one batch of due rows. Returns counts by resulting status."""
    settings = settings or get_settings()
    clock = now or (lambda: datetime.now(UTC))
    with db.session_scope() as s:
        claimed = claim_due(session=s, now=clock(), limit=limit, lease_s=settings.writeback_timeout_s + LEASE_MARGIN_S)
    stats: dict[str, int] = {}
    for row in claimed:
        client = clients.get(row.source)
        if client is None:
            result = DeliveryResult(ok=False, reason=f"no write-back client configured for source {row.source!r}")
        else:
            result = client.apply(external_id=row.external_id, payload=row.payload, idempotency_key=row.idempotency_key)
        with db.session_scope() as s:
            status = record(session=s, row=row, result=result, now=clock(), settings=settings)
        stats[status] = stats.get(status, 0) + 1
        log.info("writeback", outbox_id=row.id, source=row.source, external_id=row.external_id, status=status,
                 http_status=result.status, attempt=row.attempts, reason=result.reason[:200] or None)
    return stats


def next_due_in(*, now: datetime | None = None) -> float | None:
    """Seconds until the next pending row is due (None when nothing is pending)."""
    now = now or datetime.now(UTC)
    with db.session_scope() as s:
        nxt = s.scalar(select(func.min(Outbox.next_attempt_at)).where(Outbox.status == "pending"))
    if nxt is None:
        return None
    if nxt.tzinfo is None:
        nxt = nxt.replace(tzinfo=UTC)
    return max(0.0, (nxt - now).total_seconds())


def drain(*, clients: Mapping[str, HelpdeskClient], settings: Settings | None = None, limit: int = 50,
          max_batches: int = 20) -> dict[str, int]:
    """Deliver due rows until none is due (bounded by `max_batches`)."""
    total: dict[str, int] = {}
    for _ in range(max_batches):
        stats = deliver_due(clients=clients, settings=settings, limit=limit)
        for k, v in stats.items():
            total[k] = total.get(k, 0) + v
        if sum(stats.values()) < limit:
            break
    return total


def run_relay(*, interval: float, once: bool = False, limit: int = 50, settings: Settings | None = None,
              stop: Any = None) -> dict[str, int]:
    """The polling relay behind `triage writeback run`."""
    settings = settings or get_settings()
    clients = clients_from_settings(settings)
    total: dict[str, int] = {}
    while True:
        stats = drain(clients=clients, settings=settings, limit=limit)
        for k, v in stats.items():
            total[k] = total.get(k, 0) + v
        if once or (stop is not None and stop()):
            return total
        time.sleep(interval)


def status_counts(*, session: Session) -> dict[str, int]:
    return {s: n for s, n in session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))}


# --- Celery glue ------------------------------------------------------------------------------


def writeback_task(self: Any) -> dict[str, int]:
    """triage.writeback(): deliver due outbox rows; schedule itself again while retries are pending."""
    settings = get_settings()
    clients = clients_from_settings(settings)
    stats = drain(clients=clients, settings=settings)
    if stats.get("pending"):  # this run scheduled a retry: come back when it is due
        delay = next_due_in()
        if delay is not None:
            from triage.worker import retry_countdown  # RabbitMQ's native delays: whole seconds, at least 1

            self.app.send_task(WRITEBACK, queue=settings.queue,
                               countdown=retry_countdown(min(delay + 0.05, 300.0), settings))
    return stats


def notify(app: Any, sources: Any) -> None:
    """After a commit: enqueue a delivery run if any stored ticket has a write-back target."""
    settings = get_settings()
    if not settings.writeback_sources.intersection(sources):
        return
    try:
        app.send_task(WRITEBACK, queue=settings.queue)
    except Exception as exc:  # the relay (`triage writeback run`) delivers it later
        log.warning("writeback_enqueue_failed", error=f"{type(exc).__name__}: {exc}"[:300])
