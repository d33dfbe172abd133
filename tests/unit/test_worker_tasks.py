"""The task shells, run in-process with Celery's `apply` against SQLite (no broker needed)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from triage import db
from triage.models import DeadLetter, Ticket
from triage.worker import INGEST, INGEST_MANY, backoff_seconds, create_app, is_transient


@pytest.fixture
def app(sqlite_db: str) -> Any:
    return create_app()


def _dead() -> list[DeadLetter]:
    with db.session_scope() as s:
        return list(s.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def test_app_is_json_only_late_ack_explicit_queue(app: Any) -> None:
    c = app.conf
    assert c.accept_content == ["json"] and c.task_serializer == "json"
    assert c.task_acks_late and c.task_reject_on_worker_lost and c.task_ignore_result
    assert c.task_create_missing_queues is False
    assert [q.name for q in c.task_queues] == ["triage"]


def test_ingest_many_one_bad_ticket_does_not_sink_the_batch(app: Any) -> None:
    res = app.tasks[INGEST_MANY].apply(args=[[
        {"source": "t", "external_id": "1", "subject": "hello", "body": "withdrawal pending"},
        {"source": "t", "external_id": "2", "subject": 7},
        {"source": "t", "external_id": "3", "subject": "hi", "body": "can I pay him on WhatsApp instead?"},
    ]], task_id="task-A").get()
    assert res == {"stored": 2, "dead": 1}
    with db.session_scope() as s:
        assert sorted(s.scalars(select(Ticket.external_id))) == ["1", "3"]
    [d] = _dead()
    assert d.external_id == "2" and d.error_type == "validation" and "subject" in d.reason
    assert d.dedupe_key == "task-A:1"


@pytest.mark.parametrize(
    ("task", "args", "kwargs", "needle"),
    [
        (INGEST, [], {}, "takes exactly one ticket object"),
        (INGEST, [{"a": 1}, {"b": 2}], {}, "takes exactly one ticket object"),
        (INGEST, [], {"tickets": []}, "takes exactly one ticket object"),
        (INGEST_MANY, [{"not": "a list"}], {}, "takes a list of tickets"),
        (INGEST_MANY, [[{}] * 1001], {}, "exceeds the limit of 1000"),
    ],
)
def test_wrong_arguments_become_one_dead_letter(app: Any, task: str, args: list[Any], kwargs: dict[str, Any],
                                                needle: str) -> None:
    res = app.tasks[task].apply(args=args, kwargs=kwargs).get()
    assert res == {"stored": 0, "dead": 1}
    [d] = _dead()
    assert needle in d.reason and d.error_type == "bad_envelope"


def test_redelivered_poison_message_is_one_dead_letter(app: Any) -> None:
    for _ in range(3):
        app.tasks[INGEST].apply(args=["nonsense"], task_id="same-task").get()
    assert len(_dead()) == 1


def test_transient_classification_and_backoff() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    assert is_transient(OperationalError("select 1", {}, Exception("connection refused")))
    assert not is_transient(IntegrityError("insert", {}, Exception("unique violation")))
    assert not is_transient(ValueError("bug"))
    for n in range(12):
        assert 0 <= backoff_seconds(n, cap=60) <= min(60, 2**n)


def test_the_drivers_own_errors_are_classified_by_sqlstate() -> None:
    # The store's fast path runs fixed statements on psycopg's connection: its errors arrive unwrapped.
    psycopg = pytest.importorskip("psycopg")
    for code in ("40P01", "40001", "25006", "57P01", "08006", "53300"):
        assert is_transient(psycopg.errors.lookup(code)("x")), code
    assert is_transient(psycopg.OperationalError("server closed the connection unexpectedly"))
    for code in ("23505", "23514", "42P01", "22P02"):
        assert not is_transient(psycopg.errors.lookup(code)("x")), code


def test_error_summary_never_quotes_the_ticket() -> None:
    from sqlalchemy.exc import IntegrityError

    from triage.worker import error_summary

    psycopg = pytest.importorskip("psycopg")
    orig = psycopg.errors.lookup("23514")('refused\nDETAIL: Failing row contains (Maria, maria@example.org)')
    exc = IntegrityError("INSERT INTO tickets ...", {"body": "call Maria on +44 7700 900123"}, orig)
    text = error_summary(exc)
    assert text.startswith("IntegrityError [23514]: ") and "Maria" not in text and "7700" not in text


def test_a_lone_surrogate_or_nul_anywhere_is_stored_as_u_fffd(app: Any) -> None:
    half = "pay \ud83d"  # JSON.stringify("pay 😀".slice(0, 5)) sends "pay \ud83d"
    res = app.tasks[INGEST_MANY].apply(args=[[
        {"source": "t", "external_id": "s\x00", "subject": half, "body": half, "tags": [half],
         "requester": {"name": "Zoe \ud83d", "email": "z\ud83d@example.org"}, "channel": "web\x00",
         "metadata": {"k\x00": ["v\x00", "\udc00", 1]}},
        {"source": "t", "external_id": "plain", "subject": "fine", "body": "fine"},
    ]]).get()
    assert res == {"stored": 2, "dead": 0}
    with db.session_scope() as s:
        t = s.scalars(select(Ticket).where(Ticket.external_id == "s\ufffd")).one()
        assert t.subject == "pay \ufffd" and t.meta == {"k\ufffd": ["v\ufffd", "\ufffd", 1]}
    assert _dead() == []


def test_a_dead_letter_of_an_unencodable_payload_is_kept(app: Any) -> None:
    from datetime import UTC, datetime

    from triage import store

    with db.session_scope() as s:
        assert store.record_dead_letter(session=s, dedupe_key="k\ud83d", payload={"subject": "x\ud83d\x00"},
                                        reason="bad \ud83d", error_type="validation", now=datetime.now(UTC))
    [d] = _dead()
    # JSON escapes both: the stored text is valid JSON of exactly what was sent
    assert d.payload == '{"subject": "x\\ud83d\\u0000"}' and d.reason == "bad \\ud83d"



def test_rabbitmq_queue_sits_on_a_topic_exchange_so_retries_wait_in_the_broker() -> None:
    """Celery's native delayed delivery (quorum queues) skips direct exchanges: a retry's countdown would
    then be held in the worker and take a slot of its static prefetch window."""
    from triage.settings import Settings
    from triage.worker import task_queues

    amqp = Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//", queue="tq", database_url="sqlite://")
    (q,) = task_queues(amqp)
    assert (q.exchange.name, q.exchange.type, q.routing_key) == ("tq.tasks", "topic", "tq")
    assert q.queue_arguments == {"x-queue-type": "quorum"}
    redis = Settings(broker_url="redis://127.0.0.1:6379/0", queue="tq", database_url="sqlite://")
    (rq,) = task_queues(redis)
    assert (rq.exchange.name, rq.exchange.type) == ("tq", "direct")


@pytest.mark.parametrize(("seconds", "amqp", "redis"), [(0.0, 1.0, 0.0), (0.3, 1.0, 0.3), (2.2, 3.0, 2.2),
                                                         (40.0, 40.0, 40.0)])
def test_retry_countdown_is_whole_seconds_of_at_least_one_on_rabbitmq(seconds: float, amqp: float,
                                                                      redis: float) -> None:
    """Native delayed delivery counts whole seconds; Celery fails the publish of a delay that rounds to 0."""
    from triage.settings import Settings
    from triage.worker import retry_countdown

    on_amqp = Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//", database_url="sqlite://")
    on_redis = Settings(broker_url="redis://127.0.0.1:6379/0", database_url="sqlite://")
    assert retry_countdown(seconds, on_amqp) == amqp
    assert retry_countdown(seconds, on_redis) == redis


def test_retry_delay_backs_off_then_stays_near_the_cap() -> None:
    from triage.settings import Settings
    from triage.worker import retry_delay

    redis = Settings(broker_url="redis://127.0.0.1:6379/0", database_url="sqlite://", task_max_retries=3,
                     retry_backoff_max_s=40)
    assert all(0 <= retry_delay(1, redis) <= 2 for _ in range(50))
    assert all(20 <= retry_delay(3, redis) <= 40 for _ in range(50))  # out of retries: at the cap
    amqp = Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//", database_url="sqlite://", task_max_retries=3,
                    retry_backoff_max_s=40)
    assert all((d := retry_delay(0, amqp)) == 1.0 for _ in range(20)), d
    assert all(float(int(d := retry_delay(5, amqp))) == d and 20 <= d <= 40 for _ in range(50))


def _stored_rows() -> dict[str, Any]:
    from triage.models import TriageResult

    with db.session_scope() as s:
        rows = s.execute(select(Ticket.external_id, Ticket.body, TriageResult.categories, TriageResult.flags,
                                TriageResult.priority, TriageResult.draft_reply, TriageResult.internal_note)
                         .join(TriageResult, TriageResult.ticket_id == Ticket.id)).all()
    return {r[0]: (r[1], r[2], sorted((f["name"], tuple(f.get("linked_tickets") or ())) for f in r[3]), *r[4:])
            for r in rows}


def test_a_batch_stored_in_chunks_is_stored_as_in_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """`ingest_payloads` stores STORE_CHUNK tickets per `save_outcomes` call and STORE_BATCH per transaction
    (bounded memory). An envelope of 250 bench tickets whose scammer handles repeat across chunk and part
    boundaries, with a key delivered twice, stores the same rows — flags, linked tickets, priorities, drafts — as
    one call; and so does its redelivery (the same message again: the envelope's own committed contact links
    are not earlier reports, so nothing changes)."""
    from tests.conftest import use_migrated_sqlite
    from triage import worker
    from triage.benchdata import generate, parse_mix

    tickets = [t for _, t in generate(250, parse_mix("scam=0.4,off=0.2,both=0.2"), prefix="c", seed=11, handles=12)]
    tickets.append({**tickets[3], "body": tickets[3]["body"] + " (second delivery, edited)"})
    got = []
    for n, (part, chunk) in enumerate(((1000, 1000), (1000, 100), (1000, 7), (40, 7), (100, 1000))):
        use_migrated_sqlite(monkeypatch, f"sqlite:///{tmp_path / f'chunk{n}.db'}")
        monkeypatch.setattr(worker, "STORE_CHUNK", chunk)
        monkeypatch.setattr(worker, "STORE_BATCH", part)
        task = create_app().tasks[INGEST_MANY]
        assert task.apply(args=[tickets], task_id="t-chunks").get() == {"stored": 250, "dead": 0}
        first = _stored_rows()
        assert task.apply(args=[tickets], task_id="t-chunks").get() == {"stored": 250, "dead": 0}
        got.append((first, _stored_rows()))
    one_call = got[0][0]
    assert one_call["c-3"][0].endswith("(second delivery, edited)")  # the last delivery wins
    assert sum("repeat_reported_contact" in dict(r[2]) for r in one_call.values()) >= 10  # repeats in play
    assert got[0][1] == one_call  # a redelivery changes nothing
    for n, (first, again) in enumerate(got[1:], 1):
        for label, rows in (("first", first), ("again", again)):
            diff = {k: (one_call[k][2:4], rows[k][2:4]) for k in one_call if rows[k] != one_call[k]}
            assert not diff, (n, label, diff)


def test_a_ticket_the_store_refuses_in_a_later_part_is_its_own_dead_letter(monkeypatch: pytest.MonkeyPatch,
                                                                           app: Any) -> None:
    """A permanent store error in a part of an envelope stores that part's tickets one by one: the refused one
    becomes a `store_error` dead letter with its own payload and key, the others (and the other parts) are
    stored, and the counts add up — a one-ticket part included."""
    from sqlalchemy import text

    from triage import worker

    monkeypatch.setattr(worker, "STORE_BATCH", 2)
    with db.session_scope() as s:
        s.execute(text("CREATE TRIGGER refuse_bad BEFORE INSERT ON tickets WHEN NEW.external_id = 'z-bad' "
                       "BEGIN SELECT RAISE(ABORT, 'refused by a check'); END"))
    batch = [{"source": "t", "external_id": e, "subject": "hello", "body": "withdrawal pending"}
             for e in ("a-1", "a-2", "z-bad")] + [{"source": "t", "external_id": "x", "subject": 7}]
    res = app.tasks[INGEST_MANY].apply(args=[batch], task_id="m1").get()
    assert res == {"stored": 2, "dead": 2}
    with db.session_scope() as s:
        assert sorted(s.scalars(select(Ticket.external_id))) == ["a-1", "a-2"]
    dead = {d.dedupe_key: (d.error_type, d.external_id) for d in _dead()}
    assert dead == {"m1:2:store_error": ("store_error", "z-bad"), "m1:3": ("validation", "x")}
