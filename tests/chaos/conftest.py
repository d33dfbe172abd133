"""Chaos harness: ledgers, producers that survive outages, a cuttable TCP proxy, a test-owned Redis.

Every chaos test ends with a ledger check: each submitted `(source, external_id)` is exactly once in
`triage_results` or `dead_letters` (never both, never twice), each poison message is exactly one dead
letter, and nothing else appears. The figures are printed and appended to `var/chaos-ledger.jsonl`
(override with TRIAGE_CHAOS_SUMMARY) so the README can quote them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import ROOT, WorkerProcess, make_ticket, migrate_url
from triage.db import normalise_url
from triage.models import DeadLetter, Ticket, TriageResult

SUMMARY = Path(os.environ.get("TRIAGE_CHAOS_SUMMARY", ROOT / "var" / "chaos-ledger.jsonl"))

CHAOS_ENV = {
    # Redis: a SIGKILLed worker's unacked messages come back after this (the minimum we allow).
    "TRIAGE_VISIBILITY_TIMEOUT_S": "30",
    "TRIAGE_RETRY_BACKOFF_MAX_S": "4",
    "TRIAGE_WORKER_PREFETCH_MULTIPLIER": "2",
    "TRIAGE_LOG_LEVEL": "WARNING",
}

SUBJECTS = [
    ("Client wants to move to Telegram", "The client asked me to continue on Telegram and pay me directly."),
    ("Withdrawal pending", "My withdrawal is pending for three days, please check."),
    ("Paid outside the platform", "I paid the freelancer $400 by wire transfer outside the platform."),
    ("Question about fees", "How much is the service fee for a fixed-price contract?"),
]


def tickets(n: int, prefix: str, source: str = "chaos") -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        subj, body = SUBJECTS[i % len(SUBJECTS)]
        out.append(make_ticket(f"{prefix}-{i}", subj, f"{body} (#{i})", source=source))
    return out


# ---------------------------------------------------------------------------------------------
# producing


class Producer:
    """Publishes tickets with publisher-side retries: a message counts as sent once the broker took it."""

    def __init__(self, broker_url: str, queue: str) -> None:
        from triage.settings import Settings
        from triage.worker import create_app

        self.queue = queue
        self.app = create_app(Settings(broker_url=broker_url, queue=queue, database_url="sqlite://"))

    def send(self, task: str, args: list[Any], task_id: str | None = None, deadline_s: float = 120) -> str:
        task_id = task_id or uuid.uuid4().hex
        end = time.monotonic() + deadline_s
        while True:
            try:
                self.app.send_task(task, args=args, queue=self.queue, task_id=task_id,
                                   retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.2})
                return task_id
            except Exception:
                if time.monotonic() > end:
                    raise
                time.sleep(0.3)  # broker away: the same task id again, so a half-sent message dedupes

    def send_batches(self, items: Sequence[dict[str, Any]], batch: int, pause: float = 0.0) -> int:
        n = 0
        for i in range(0, len(items), batch):
            self.send("triage.ingest_many", [list(items[i:i + batch])])
            n += 1
            if pause:
                time.sleep(pause)
        return n

    def publish_raw(self, body: bytes | str, *, content_type: str = "application/json",
                    headers: dict[str, Any] | None = None) -> None:
        """A message as a non-Celery producer might send it: any body, any headers."""
        with self.app.connection_for_write() as conn:
            producer = conn.Producer()
            q = self.app.amqp.queues[self.queue]
            producer.publish(body, exchange=q.exchange, routing_key=q.routing_key, content_type=content_type,
                             content_encoding="utf-8" if content_type != "application/x-python-serialize"
                             else "binary", headers=headers or {}, retry=True)

    def close(self) -> None:
        self.app.close()


# ---------------------------------------------------------------------------------------------
# ledger


@dataclass
class LedgerReport:
    scenario: str
    broker: str
    sent: int
    poison_sent: int
    stored: int
    dead: int
    poison_dead: int
    lost: int
    duplicated: int
    unexpected: int
    redeliveries: int
    seconds: float
    notes: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.unexpected == 0 and \
            self.poison_dead == self.poison_sent


class Ledger:
    """What was sent, and what the database says became of it."""

    def __init__(self, db_url: str, scenario: str, broker: str) -> None:
        self.db_url = db_url
        self.scenario = scenario
        self.broker = broker
        self.expected: set[tuple[str, str]] = set()
        self.expected_dead: set[tuple[str, str]] = set()  # valid JSON tickets that must dead-letter
        self.poison_ids: set[str] = set()  # task ids of broker-level / envelope poison messages
        self.poison_anonymous = 0  # poison messages without a task id
        self.started = time.monotonic()
        self._engine = create_engine(normalise_url(db_url), pool_size=1, max_overflow=0)

    def add(self, items: Sequence[dict[str, Any]]) -> None:
        self.expected.update((t["source"], str(t["external_id"])) for t in items)

    def snapshot(self) -> dict[str, Any]:
        with self._engine.connect() as c:
            results = c.execute(select(Ticket.source, Ticket.external_id, Ticket.deliveries)
                                .join(TriageResult, TriageResult.ticket_id == Ticket.id)).all()
            tickets_total = c.scalar(select(func.count()).select_from(Ticket)) or 0
            dead = c.execute(select(DeadLetter.source, DeadLetter.external_id, DeadLetter.task_id,
                                    DeadLetter.error_type, DeadLetter.reason)).all()
        return {"results": results, "tickets": tickets_total, "dead": dead}

    def settled(self) -> bool:
        s = self.snapshot()
        done = {(r.source, r.external_id) for r in s["results"]}
        done |= {(d.source, d.external_id) for d in s["dead"] if d.external_id is not None}
        poison = {d.task_id for d in s["dead"] if d.task_id in self.poison_ids}
        anonymous = sum(1 for d in s["dead"] if d.task_id is None)
        return (self.expected | self.expected_dead) <= done and poison == self.poison_ids and \
            anonymous >= self.poison_anonymous

    def wait(self, timeout: float, worker: WorkerProcess | None = None, quiet_s: float = 3.0) -> None:
        """Until every ticket is accounted for."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.settled():
                time.sleep(quiet_s)  # let straggling redeliveries land before counting duplicates
                return
            time.sleep(0.5)
        report = self.report()
        raise AssertionError(f"ledger did not settle in {timeout}s: {report}\n" +
                             (worker.log()[-4000:] if worker else ""))

    def report(self, **notes: Any) -> LedgerReport:
        s = self.snapshot()
        stored = {}
        for r in s["results"]:
            stored[(r.source, r.external_id)] = r.deliveries
        dead_ident: dict[tuple[str, str], int] = {}
        poison_dead = 0
        unexpected = 0
        for d in s["dead"]:
            if d.task_id in self.poison_ids or (d.task_id is None and d.external_id is None):
                poison_dead += 1
                continue
            key = (d.source, d.external_id)
            if d.external_id is None:
                unexpected += 1
                continue
            dead_ident[key] = dead_ident.get(key, 0) + 1
        wanted = self.expected | self.expected_dead
        seen = set(stored) | set(dead_ident)
        lost = len(wanted - seen)
        duplicated = sum(1 for k in stored if k in dead_ident) + sum(n - 1 for n in dead_ident.values())
        duplicated += max(0, s["tickets"] - len(stored) - 0)  # ticket rows without a result
        unexpected += len(seen - wanted)
        unexpected += sum(1 for k in self.expected if k in dead_ident)  # a good ticket dead-lettered
        return LedgerReport(
            scenario=self.scenario, broker=self.broker, sent=len(self.expected) + len(self.expected_dead),
            poison_sent=len(self.poison_ids) + self.poison_anonymous,
            stored=len(stored), dead=sum(dead_ident.values()), poison_dead=poison_dead, lost=lost,
            duplicated=duplicated, unexpected=unexpected, redeliveries=sum(v - 1 for v in stored.values()),
            seconds=round(time.monotonic() - self.started, 1), notes=notes,
        )

    def check(self, **notes: Any) -> LedgerReport:
        rep = self.report(**notes)
        line = json.dumps(asdict(rep))
        print(f"\nLEDGER {line}")
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        with SUMMARY.open("a") as f:
            f.write(line + "\n")
        self._engine.dispose()
        assert rep.ok(), rep
        return rep


@pytest.fixture
def chaos_db(postgres_db: str) -> str:
    migrate_url(postgres_db)
    return postgres_db


# ---------------------------------------------------------------------------------------------
# processes


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_for_children(worker: WorkerProcess, n: int, timeout: float = 60) -> list[int]:
    assert worker.proc is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = children_of(worker.proc.pid)
        if len(kids) >= n:
            return kids
        time.sleep(0.2)
    raise AssertionError(f"worker has no {n} pool children:\n{worker.log()[-3000:]}")


def sigkill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TcpProxy:
    """A TCP forwarder the test can cut: `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._open = threading.Event()
        self._open.set()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(128)
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._stop = True
        self.cut()
        self._server.close()


class RedisServer:
    """A test-owned redis-server with AOF (appendfsync always) on its own port and data dir."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.dir = data_dir
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes",
             "--appendfsync", "always", "--save", "", "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("test-owned redis-server did not start")

    def stop(self) -> None:
        """SHUTDOWN (AOF flushed), as a restart by an operator or an orchestrator would."""
        if self.proc is None:
            return
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(b"SHUTDOWN\r\n")
                s.recv(64)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    srv = RedisServer(tmp_path / "redis-data", free_port())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def chaos_env(service_env: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
    def make(broker_url: str, database_url: str, **extra: str) -> dict[str, str]:
        return service_env(broker_url, database_url, **{**CHAOS_ENV, **extra})

    return make
