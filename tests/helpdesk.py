"""Test helpers for the helpdesk integration: published payloads, signed requests, a recording HTTP server."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import SHARED
from triage.intake.signatures import sign_hub_sha1, sign_zendesk

WEBHOOKS = SHARED / "webhooks"

ZENDESK_SECRET = "zd-test-signing-secret"
ZAMMAD_SECRET = "zammad-test-token"
FRESHDESK_TOKEN = "fd-test-token"
GENERIC_TOKEN = "generic-test-token"
API_TOKEN = "api-test-token"


def published(name: str) -> bytes:
    """A real payload from shared/webhooks (bytes as published); skip when the folder is absent."""
    path = WEBHOOKS / name
    if not path.exists():
        pytest.skip(f"published webhook payloads not found at {WEBHOOKS} (set TRIAGE_SHARED_DIR)")
    return path.read_bytes()


def zendesk_headers(body: bytes, *, secret: str = ZENDESK_SECRET, ts: str | None = None,
                    invocation: str | None = "inv-1") -> dict[str, str]:
    ts = ts or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    h = {"Content-Type": "application/json", "X-Zendesk-Webhook-Signature": sign_zendesk(secret, ts, body),
         "X-Zendesk-Webhook-Signature-Timestamp": ts, "User-Agent": "Zendesk Webhook"}
    if invocation:
        h["X-Zendesk-Webhook-Invocation-Id"] = invocation
    return h


def zammad_headers(body: bytes, *, secret: str = ZAMMAD_SECRET, delivery: str | None = "d-1") -> dict[str, str]:
    h = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Zammad User Agent",
         "X-Zammad-Trigger": "triage", "X-Hub-Signature": sign_hub_sha1(secret, body)}
    if delivery:
        h["X-Zammad-Delivery"] = delivery
    return h


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


class FakeCelery:
    """Records send_task calls; can be told to fail (broker down)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail = False

    def send_task(self, name: str, **kw: Any) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append((name, kw))

    @property
    def tickets(self) -> list[dict[str, Any]]:
        return [kw["args"][0] for _, kw in self.sent]


# --- a recording helpdesk API --------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class RecordingServer:
    """Threaded HTTP server on 127.0.0.1 (random port) recording requests; `script` holds the statuses
    to answer next (then 200). A status of 0 means: hang longer than the client's timeout."""

    requests: list[Recorded] = field(default_factory=list)  # writes (PUT/POST)
    reads: list[str] = field(default_factory=list)  # GET paths (read-before-write look-ups)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # ticket id -> applied comments
    script: list[int] = field(default_factory=list)
    by_path: dict[str, list[int]] = field(default_factory=dict)  # per-path scripts, consulted first
    hang_s: float = 3.0
    delay_s: float = 0.0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # Zendesk's list-comments endpoint: /api/v2/tickets/{id}/comments.json
                path = self.path.split("?", 1)[0]
                parts = path.strip("/").split("/")
                with rec._lock:
                    rec.reads.append(self.path)
                    found = len(parts) == 5 and parts[:3] == ["api", "v2", "tickets"] and parts[4] == "comments.json"
                    comments = list(rec.comments.get(parts[3], [])) if found else []
                status = 200 if found else 404
                payload = json.dumps({"comments": comments[::-1]} if found else {"error": "RecordNotFound"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_PUT(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                with rec._lock:
                    rec.requests.append(Recorded(self.command, self.path, {k.lower(): v for k, v in
                                                                           self.headers.items()}, body))
                    script = rec.by_path.get(self.path) or rec.script
                    status = script.pop(0) if script else 200
                if rec.delay_s:
                    time.sleep(rec.delay_s)
                if status == 0:
                    time.sleep(rec.hang_s)
                    status = 200
                if status < 300 and isinstance(body, dict) and isinstance(body.get("ticket"), dict):
                    comment = body["ticket"].get("comment")
                    ticket_id = self.path.split("?", 1)[0].rstrip("/").split("/")[-1].removesuffix(".json")
                    if isinstance(comment, dict):
                        with rec._lock:
                            rec.comments.setdefault(ticket_id, []).append(comment)
                payload = json.dumps({"ticket": {"id": 1}} if status < 300 else
                                     {"error": "RecordInvalid" if status < 500 else "Internal"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def for_path(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def intake_client(clock: Any = None, **overrides: Any) -> tuple[Any, FakeCelery]:
    """A TestClient on the intake app with every secret set, a fake Celery and an in-memory de-dup."""
    from fastapi.testclient import TestClient

    from triage.api import create_api
    from triage.intake.dedupe import MemoryDedupe
    from triage.settings import Settings

    values: dict[str, Any] = {"zendesk_webhook_secret": ZENDESK_SECRET, "zammad_webhook_secret": ZAMMAD_SECRET,
                              "freshdesk_webhook_token": FRESHDESK_TOKEN, "generic_webhook_token": GENERIC_TOKEN,
                              "api_token": API_TOKEN, **overrides}
    fc = FakeCelery()
    kwargs: dict[str, Any] = {"celery_app": fc, "dedupe_store": MemoryDedupe(3600)}
    if clock is not None:
        kwargs["clock"] = clock
    return TestClient(create_api(Settings(**values), **kwargs)), fc


class ServeProcess:
    """A real `python -m triage serve` (uvicorn) child process on a free loopback port."""

    def __init__(self, env: dict[str, str], log_path: Any, cmd: list[str] | None = None) -> None:
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = cmd or [sys.executable, "-m", "triage", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.env = env
        self.log_path = log_path
        self.proc: Any = None

    def start(self, timeout: float = 30) -> ServeProcess:
        import subprocess
        import urllib.request

        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"triage serve exited {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"triage serve did not answer /healthz in {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        from pathlib import Path

        p = Path(self.log_path)
        return p.read_text(errors="replace") if p.exists() else ""
