"""HTTP intake and read API (`triage serve`): signed helpdesk webhooks in, triage results out.

    POST /webhooks/{zendesk,freshdesk,zammad,generic}   verify → adapt → de-duplicate → enqueue → 202
    GET  /tickets/{source}/{external_id}                the stored result, flags and draft (bearer token)
    GET  /healthz  /readyz  /openapi.json

The webhook path does no database work: it answers as soon as the message is on the queue. Every
error is JSON: `{"error": <code>, "detail": <message>}`.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from triage.intake import Adapted, IntakeError, dedupe, freshdesk, generic, signatures, zammad, zendesk
from triage.logging import get_logger
from triage.schemas import TicketIn, error_message, error_pairs
from triage.settings import Settings, get_settings

log = get_logger("triage.api")

ERROR_SCHEMA = {"type": "object", "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["error", "detail"]}
ACCEPTED_SCHEMA = {"type": "object", "properties": {
    "status": {"enum": ["accepted"]}, "source": {"type": "string"}, "external_id": {"type": "string"},
    "task_id": {"type": "string"}, "delivery_id": {"type": ["string", "null"]}}}
OTHER_SCHEMA = {"type": "object", "properties": {"status": {"enum": ["duplicate", "ignored"]},
                                                 "reason": {"type": "string"}}}


@dataclass(frozen=True)
class Endpoint:
    source: str
    secret_setting: str
    verify: Callable[[Settings, str, Mapping[str, str], bytes, datetime], None]
    adapt: Callable[[Any, Mapping[str, str]], Adapted]
    summary: str


def _verify_zendesk(s: Settings, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
    signatures.verify_zendesk(secret=secret, headers=headers, body=body, now=now, window_s=s.zendesk_timestamp_window_s)


def _verify_zammad(s: Settings, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
    signatures.verify_hub_sha1(secret=secret, headers=headers, body=body)


def _verify_token(s: Settings, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
    signatures.verify_token(expected=secret, headers=headers)


ENDPOINTS: dict[str, Endpoint] = {
    "zendesk": Endpoint("zendesk", "zendesk_webhook_secret", _verify_zendesk, zendesk.adapt,
                        "Zendesk webhook (trigger JSON or ticket.created event), signed with HMAC-SHA256"),
    "freshdesk": Endpoint("freshdesk", "freshdesk_webhook_token", _verify_token, freshdesk.adapt,
                          "Freshdesk automation webhook, authenticated with a shared token"),
    "zammad": Endpoint("zammad", "zammad_webhook_secret", _verify_zammad, zammad.adapt,
                       "Zammad trigger webhook, signed with X-Hub-Signature (HMAC-SHA1)"),
    "generic": Endpoint("generic", "generic_webhook_token", _verify_token, generic.adapt,
                        "A ticket in the message contract (TicketIn), authenticated with a bearer token"),
}


def _error(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": code, "detail": detail, **extra}, status_code=status, headers=headers)


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refusing (413) as soon as it is known to exceed `limit` — before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError as exc:
            raise IntakeError(400, "bad_request", "Content-Length is not a number") from exc
        if size > limit:
            raise IntakeError(413, "too_large",
                              f"body is {size} bytes; the limit is {limit} (TRIAGE_INTAKE_MAX_BODY_BYTES)")
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise IntakeError(413, "too_large",
                              f"body exceeds the limit of {limit} bytes (TRIAGE_INTAKE_MAX_BODY_BYTES)")
    return bytes(buf)


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"loc": loc, "msg": msg} for loc, msg in error_pairs(exc)]


def create_api(
    settings: Settings | None = None,
    *,
    celery_app: Any = None,
    dedupe_store: dedupe.Dedupe | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    """Build the ASGI app. Tests pass their own settings, Celery app, de-duplication store and clock."""
    settings = settings or get_settings()
    state: dict[str, Any] = {"celery": celery_app, "dedupe": dedupe_store}

    def celery() -> Any:
        if state["celery"] is None:
            from triage.worker import create_app

            state["celery"] = create_app(settings)
        return state["celery"]

    def deduper() -> dedupe.Dedupe:
        if state["dedupe"] is None:
            state["dedupe"] = dedupe.from_settings(settings)
        return state["dedupe"]

    app = FastAPI(
        title="triage",
        version="1",
        description="Helpdesk webhook intake and the triage read API. Webhooks answer 202 once the ticket is "
        "queued; results appear at GET /tickets/{source}/{external_id} when a worker has stored them.",
    )

    @app.exception_handler(IntakeError)
    async def _intake_error(_: Request, exc: IntakeError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _request_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", "; ".join(error_message(e) for e in exc.errors()))

    from triage.worker import INGEST  # imported now, not on the first request

    def enqueue(ticket: dict[str, Any], task_id: str) -> None:
        celery().send_task(INGEST, args=[ticket], task_id=task_id, queue=settings.queue, retry=True,
                           retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2,
                                         "interval_max": 0.5})

    async def intake(source: str, request: Request) -> JSONResponse:
        started = time.perf_counter()
        ep = ENDPOINTS[source]
        secret = getattr(settings, ep.secret_setting)
        if not secret:
            env = "TRIAGE_" + ep.secret_setting.upper()
            return _error(503, "not_configured", f"{source} webhooks are disabled: set {env} to accept them")
        body = await read_limited(request, settings.intake_max_body_bytes)
        ep.verify(settings, secret, request.headers, body, clock())
        if not body.strip():
            raise IntakeError(400, "empty_body", "the request body is empty")
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IntakeError(400, "malformed_json", f"body is not valid JSON: {exc}") from exc
        adapted = ep.adapt(payload, request.headers)
        if adapted.ignored is None and adapted.ticket is not None:
            tags = adapted.ticket.get("tags")
            tag_set = set(signatures_tags(tags))
            if settings.intake_ignore_tag and settings.intake_ignore_tag in tag_set:
                adapted.ignored = f"ticket carries {settings.intake_ignore_tag!r} (our own write-back)"
            elif settings.writeback_actor_id and adapted.actor_id == settings.writeback_actor_id:
                adapted.ignored = "event caused by our own write-back user"
        if adapted.ignored is not None or adapted.ticket is None:
            log.info("webhook_ignored", source=source, reason=adapted.ignored)
            return JSONResponse({"status": "ignored", "reason": adapted.ignored or "nothing to triage"},
                                status_code=200)
        try:
            ticket = TicketIn.model_validate(adapted.ticket)
        except ValidationError as exc:
            errors = _validation_errors(exc)
            return _error(422, "invalid_ticket", "; ".join(f"{e['loc']}: {e['msg']}" for e in errors), errors=errors)
        key = f"{source}:{adapted.delivery_id}" if adapted.delivery_id else None
        if key is not None:
            try:
                first_time = await run_in_threadpool(deduper().claim, key)
            except Exception as exc:
                log.warning("dedupe_unavailable", error=f"{type(exc).__name__}: {exc}"[:200])
                return _error(503, "unavailable", "delivery de-duplication store is unreachable; retry later")
            if not first_time:
                log.info("webhook_duplicate", source=source, delivery_id=adapted.delivery_id)
                return JSONResponse({"status": "duplicate", "source": ticket.source,
                                     "external_id": ticket.external_id, "delivery_id": adapted.delivery_id},
                                    status_code=200)
        task_id = str(uuid.uuid4())
        try:
            await run_in_threadpool(enqueue, ticket.model_dump(mode="json", exclude_none=True), task_id)
        except Exception as exc:
            if key is not None:
                with contextlib.suppress(Exception):
                    await run_in_threadpool(deduper().release, key)
            log.error("enqueue_failed", source=source, error=f"{type(exc).__name__}: {exc}"[:300])
            return _error(503, "unavailable", "the queue is unreachable; retry later")
        log.info("webhook_accepted", source=source, external_id=ticket.external_id, task_id=task_id,
                 ms=round((time.perf_counter() - started) * 1000, 2))
        return JSONResponse({"status": "accepted", "source": ticket.source, "external_id": ticket.external_id,
                             "task_id": task_id, "delivery_id": adapted.delivery_id}, status_code=202)

    def _register(ep: Endpoint) -> None:
        async def handler(request: Request) -> JSONResponse:
            return await intake(ep.source, request)

        handler.__name__ = f"webhook_{ep.source}"
        body_schema: dict[str, Any] = (
            {"$ref": "#/components/schemas/TicketIn"} if ep.source == "generic" else {"type": "object"}
        )
        app.post(
            f"/webhooks/{ep.source}", summary=ep.summary, tags=["webhooks"], status_code=202,
            responses={202: {"description": "queued", "content": {"application/json": {"schema": ACCEPTED_SCHEMA}}},
                       200: {"description": "duplicate delivery or ignored event",
                             "content": {"application/json": {"schema": OTHER_SCHEMA}}},
                       **{c: {"description": d, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                          for c, d in ((400, "malformed JSON"), (401, "bad or missing signature/token"),
                                       (413, "body too large"), (422, "not a ticket"),
                                       (503, "not configured, or queue unreachable"))}},
            openapi_extra={"requestBody": {"required": True,
                                           "content": {"application/json": {"schema": body_schema}}}},
        )(handler)

    for ep in ENDPOINTS.values():
        _register(ep)

    # --- read API -----------------------------------------------------------------------------

    def require_token(request: Request) -> None:
        if not settings.api_token:
            raise IntakeError(503, "not_configured", "the read API is disabled: set TRIAGE_API_TOKEN")
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise IntakeError(401, "missing_token", "send 'Authorization: Bearer <TRIAGE_API_TOKEN>'")
        import hmac

        if not hmac.compare_digest(token.strip().encode(), settings.api_token.encode()):
            raise IntakeError(401, "bad_token", "the token does not match")

    @app.get("/tickets/{source}/{external_id}", tags=["results"],
             summary="The stored triage of one ticket: categories, scores, flags, evidence, draft, write-back",
             responses={401: {"description": "bad token"}, 404: {"description": "no such ticket"}})
    def get_ticket(source: str, external_id: str, request: Request) -> dict[str, Any]:
        require_token(request)
        from triage import db
        from triage.models import Outbox
        from triage.store import get_ticket as load

        with db.session_scope() as s:
            t = load(session=s, ref=f"{source}:{external_id}")
            if t is None:
                raise IntakeError(404, "not_found", f"no ticket {source}:{external_id}")
            r = t.result
            from sqlalchemy import select

            wb = s.scalars(select(Outbox).where(Outbox.ticket_id == t.id).order_by(Outbox.id.desc()).limit(1)).first()
            return {
                "source": t.source, "external_id": t.external_id, "subject": t.subject,
                "received_at": t.received_at.isoformat(), "deliveries": t.deliveries,
                "status": "triaged" if r is not None else "received",
                "categories": r.categories if r else [], "scores": r.scores if r else {},
                "needs_review": r.needs_review if r else False, "priority": r.priority if r else None,
                "escalated": r.escalated if r else False,
                "flags": r.flags if r else [], "evidence": r.evidence if r else [],
                "kb_entries": r.kb_entries if r else [], "draft_reply": r.draft_reply if r else None,
                "draft_html": r.draft_html if r else None, "internal_note": r.internal_note if r else None,
                "versions": {"kb": r.kb_version, "rules": r.rules_version, "policy": r.policy_version,
                             "templates": r.template_version} if r else None,
                "triaged_at": r.updated_at.isoformat() if r else None,
                "writeback": {"status": wb.status, "attempts": wb.attempts, "last_error": wb.last_error,
                              "sent_at": wb.sent_at.isoformat() if wb.sent_at else None} if wb else None,
            }

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Broker and database reachable (503 otherwise)",
             responses={503: {"description": "a dependency is down"}})
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            from sqlalchemy import text as sql

            from triage import db

            with db.get_engine().connect() as conn:
                conn.execute(sql("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        try:
            with celery().connection_for_write(connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                            status_code=200 if ok else 503)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            ticket_schema = TicketIn.model_json_schema(ref_template="#/components/schemas/{model}")
            defs = ticket_schema.pop("$defs", {})
            schema.setdefault("components", {}).setdefault("schemas", {}).update({**defs, "TicketIn": ticket_schema})
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def signatures_tags(tags: Any) -> list[str]:
    """Tags of an adapted ticket as a list (adapters emit lists; generic senders may send a string)."""
    if isinstance(tags, str):
        import re

        return [t for t in re.split(r"[,\s]+", tags) if t]
    if isinstance(tags, list):
        return [str(t).strip() for t in tags]
    return []
