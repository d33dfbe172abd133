"""Poison messages at the consumer, delivery counting (crash loops), dead-letter show and replay."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from kombu.exceptions import ContentDisallowed, DecodeError
from sqlalchemy import select

from triage import db, reliability
from triage.cli import main
from triage.models import DeadLetter, Ticket
from triage.reliability import DeliveryCounter, NotReplayable, TriageConsumer, replay_plan
from triage.worker import INGEST, INGEST_MANY, create_app


def _dead() -> list[DeadLetter]:
    with db.session_scope() as s:
        return list(s.scalars(select(DeadLetter).order_by(DeadLetter.id)))


class FakeMessage:
    def __init__(self, body: bytes, headers: dict[str, Any] | None, content_type: str = "application/json") -> None:
        self.body = body
        self.headers = headers
        self.content_type = content_type
        self.acked = False
        self.requeued: bool | None = None

    def ack_log_error(self, *_: Any) -> None:
        self.acked = True

    def reject_log_error(self, *_: Any, requeue: bool = False) -> None:
        self.requeued = requeue


def _consumer() -> TriageConsumer:
    c = object.__new__(TriageConsumer)  # the hooks need no broker connection
    c.connection_errors = ()
    return c


def test_consumer_hooks_dead_letter_then_ack(sqlite_db: str) -> None:
    c = _consumer()
    hdr = {"task": INGEST, "id": "t-1"}
    m1 = FakeMessage(b'[[{"source": ', hdr)
    c.on_decode_error(m1, DecodeError("Expecting value"))
    m2 = FakeMessage(b"\x80\x04.", {"task": INGEST, "id": "t-2"}, "application/x-python-serialize")
    c.on_invalid_task(None, m2, ContentDisallowed("Refusing to deserialize untrusted content of type pickle"))
    m3 = FakeMessage(b"[[], {}, {}]", {"task": "evil.task", "id": "t-3"})
    c.on_unknown_task(None, m3, KeyError("evil.task"))
    m4 = FakeMessage(b"[[], {}, {}]", {})
    c.on_unknown_message([[], {}, {}], m4)
    assert all(m.acked for m in (m1, m2, m3, m4))
    dead = {d.error_type: d for d in _dead()}
    assert set(dead) == {"decode_error", "content_disallowed", "unknown_task", "malformed_message"}
    assert dead["decode_error"].dedupe_key == "t-1:poison" and dead["decode_error"].payload == '[[{"source": '
    assert "pickle" in dead["content_disallowed"].reason
    assert "'evil.task'" in dead["unknown_task"].reason
    assert dead["malformed_message"].task_id is None and dead["malformed_message"].dedupe_key.startswith("poison:")
    # A redelivery of the same poison message is recorded once.
    c.on_decode_error(FakeMessage(b'[[{"source": ', hdr), DecodeError("again"))
    assert len(_dead()) == 4


def test_consumer_keeps_poison_when_the_database_is_down(sqlite_db: str, monkeypatch: Any) -> None:
    def down(*_: Any, **__: Any) -> bool:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(reliability, "record_poison", down)
    monkeypatch.setattr(reliability.time, "sleep", lambda _s: None)
    m = FakeMessage(b"{", {"task": INGEST, "id": "t-9"})
    _consumer().on_decode_error(m, DecodeError("x"))
    assert not m.acked and m.requeued is True


def test_poison_payload_is_capped() -> None:
    m = FakeMessage(b"x" * (reliability.MAX_POISON_PAYLOAD + 10), {"id": "big"})
    text = reliability._raw_body(m)
    assert len(text) < reliability.MAX_POISON_PAYLOAD + 100 and "truncated" in text


# --- delivery counting ----------------------------------------------------------------------


@pytest.fixture
def fake_counter(monkeypatch: Any) -> DeliveryCounter:
    import fakeredis

    server = fakeredis.FakeRedis()
    monkeypatch.setattr(reliability.delivery_counter, "_redis", lambda _url: server)
    return reliability.delivery_counter


def test_counter_counts_only_unfinished_starts(fake_counter: DeliveryCounter) -> None:
    req = SimpleNamespace(id="task-1", retries=0)
    assert fake_counter.start(req, "redis", "redis://x") == 1
    assert fake_counter.start(req, "redis", "redis://x") == 2  # the first start never finished: a crash
    fake_counter.finish(req, "redis", "redis://x")
    assert fake_counter.start(req, "redis", "redis://x") == 1
    # a retry is a new message, counted on its own
    assert fake_counter.start(SimpleNamespace(id="task-1", retries=1), "redis", "redis://x") == 1
    # RabbitMQ quorum queues count for us
    assert fake_counter.start(SimpleNamespace(id="q", retries=0, **{"x-delivery-count": 4}), "amqp", "") == 5
    assert fake_counter.start(SimpleNamespace(id="q", retries=0), "amqp", "") == 1
    assert fake_counter.start(req, "filesystem", "") == 1


def test_crash_loop_becomes_one_dead_letter(sqlite_db: str, fake_counter: DeliveryCounter, monkeypatch: Any) -> None:
    from triage.settings import get_settings

    monkeypatch.setenv("TRIAGE_BROKER_URL", "redis://127.0.0.1:1/0")  # never contacted: counter is faked
    monkeypatch.setenv("TRIAGE_MAX_DELIVERIES", "3")
    get_settings.cache_clear()
    app = create_app()
    ticket = {"source": "t", "external_id": "loop", "subject": "s", "body": "b"}
    req = SimpleNamespace(id="loop-1", retries=0)
    for _ in range(3):  # three deliveries that killed their process
        fake_counter.start(req, "redis", "")
    res = app.tasks[INGEST].apply(args=[ticket], task_id="loop-1").get()
    assert res == {"stored": 0, "dead": 1}
    [d] = _dead()
    assert d.error_type == "crash_loop" and d.external_id == "loop" and "limit is 3" in d.reason
    with db.session_scope() as s:
        assert s.scalar(select(Ticket.id)) is None
    # the counter was cleared: a fresh delivery of another message is processed normally
    assert app.tasks[INGEST].apply(args=[ticket], task_id="other").get() == {"stored": 1, "dead": 0}


# --- replay -----------------------------------------------------------------------------------


def test_replay_plans() -> None:
    t = {"source": "s", "external_id": "1"}
    assert replay_plan(error_type="validation", task_name=INGEST_MANY, payload_text=json.dumps(t),
                       max_batch=10)[0].args == [t]
    big = [t] * 25
    plan = replay_plan(error_type="bad_envelope", task_name=INGEST_MANY, payload_text=json.dumps(big), max_batch=10)
    assert [len(m.args[0]) for m in plan] == [10, 10, 5] and {m.task for m in plan} == {INGEST_MANY}
    env = {"args": [t, t], "kwargs": {}}
    [m] = replay_plan(error_type="bad_envelope", task_name=INGEST, payload_text=json.dumps(env), max_batch=10)
    assert (m.task, m.args) == (INGEST, [t, t])
    with pytest.raises(NotReplayable):
        replay_plan(error_type="decode_error", task_name=INGEST, payload_text="{", max_batch=10)
    # a plain string sent as the ticket is stored as text; the reason says what it was, not "not JSON"
    with pytest.raises(NotReplayable, match="plain string, not a ticket object"):
        replay_plan(error_type="validation", task_name=INGEST, payload_text="just a string", max_batch=10)


def test_dlq_show_and_replay_are_idempotent(sqlite_db: str, monkeypatch: Any, capsys: Any) -> None:
    from celery import Celery

    app = create_app()
    bad = {"source": "t", "external_id": "r1", "subject": "s" * 2000, "body": "b"}
    app.tasks[INGEST].apply(args=[bad], task_id="orig").get()
    [d] = _dead()
    sent: list[tuple[str, list[Any], str]] = []
    monkeypatch.setattr(Celery, "send_task", lambda self, name, args=None, kwargs=None, task_id=None, **_:
                        sent.append((name, args, task_id)))

    assert main(["dlq", "show", str(d.id)]) == 0
    out = capsys.readouterr().out
    assert "validation" in out and '"external_id": "r1"' in out and "subject is 2000 bytes" in out

    assert main(["dlq", "replay", str(d.id)]) == 0
    assert main(["dlq", "replay", str(d.id)]) == 0  # already replayed: nothing sent
    assert len(sent) == 1 and sent[0][0] == INGEST and sent[0][1] == [bad]
    assert "already replayed" in capsys.readouterr().out
    assert _dead()[0].replayed_at is not None

    # The replayed message fails again: a new dead letter whose key does not collide with the first.
    name, args, task_id = sent[0]
    app.tasks[name].apply(args=args, task_id=task_id).get()
    dead = _dead()
    assert len(dead) == 2 and dead[1].dedupe_key == f"{task_id}:0" and dead[1].replayed_at is None

    # A fixable one: replaying twice (with --force) yields one result.
    good = {"source": "t", "external_id": "r2", "subject": "hello", "body": "pending withdrawal"}
    assert main(["dlq", "replay", "--all", "--dry-run"]) == 0
    sent.clear()
    with db.session_scope() as s:
        from triage import store

        store.record_dead_letter(session=s, dedupe_key="crash:1", payload=good, reason="crash loop",
                                 error_type="crash_loop", now=dead[0].created_at, task_name=INGEST, task_id="c1")
    [crash] = [x for x in _dead() if x.error_type == "crash_loop"]
    assert main(["dlq", "replay", str(crash.id)]) == 0
    assert main(["dlq", "replay", str(crash.id), "--force"]) == 0
    assert len(sent) == 2 and sent[0][2] != sent[1][2]
    for name, args, task_id in sent:
        app.tasks[name].apply(args=args, task_id=task_id).get()
    with db.session_scope() as s:
        rows = list(s.scalars(select(Ticket).where(Ticket.external_id == "r2")))
    assert len(rows) == 1 and rows[0].deliveries == 2


def test_dlq_replay_refuses_poison_and_needs_a_target(sqlite_db: str, capsys: Any) -> None:
    c = _consumer()
    c.on_decode_error(FakeMessage(b"{", {"task": INGEST, "id": "p1"}), DecodeError("x"))
    [d] = _dead()
    assert main(["dlq", "replay", str(d.id)]) == 1
    assert "not replayable" in capsys.readouterr().err
    assert main(["dlq", "replay"]) == 1
    assert main(["dlq", "show", "999"]) == 1
