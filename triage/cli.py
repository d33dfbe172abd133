"""The `triage` command. Every subcommand has --help; errors print one line, never a traceback
(set TRIAGE_DEBUG=1 to see it)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from triage.settings import get_settings


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 1 (or `code`)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------------------------
# input helpers


def read_jsonl(path: str) -> Iterator[tuple[int, Any, str | None]]:
    """Yield (line number, parsed object or None, error) for each non-blank line; '-' is stdin."""
    stream: TextIO
    if path == "-":
        stream = sys.stdin
    else:
        p = Path(path)
        if not p.is_file():
            raise CLIError(f"no such file: {path}")
        stream = p.open(encoding="utf-8-sig")
    try:
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield n, None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    finally:
        if stream is not sys.stdin:
            stream.close()


def _ticket_from_loose(obj: dict[str, Any], n: int) -> Any:
    """classify/eval lines need only id/external_id, subject, body: fill in the rest."""
    from triage.schemas import TicketIn

    ext = obj.get("external_id", obj.get("id", f"line-{n}"))
    fields = {k: obj[k] for k in ("subject", "body", "requester", "created_at", "channel", "tags", "metadata")
              if k in obj}
    return TicketIn.model_validate({"source": obj.get("source", "cli"), "external_id": ext, **fields})


def _validation_message(exc: Exception) -> str:
    from pydantic import ValidationError

    from triage.schemas import error_pairs

    if isinstance(exc, ValidationError):
        return "; ".join(f"{loc}: {msg}" for loc, msg in error_pairs(exc))
    return str(exc)


def _load_pipeline() -> Any:
    from triage.pipeline import ConfigError, load_config

    try:
        return load_config(get_settings().config_dir)
    except ConfigError as exc:
        raise CLIError(f"configuration error: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# commands


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify JSON Lines without queue or database: one JSON line out per line in, same order."""
    from triage.pipeline import run

    cfg = _load_pipeline()
    out = sys.stdout
    bad = 0
    for n, obj, err in read_jsonl(args.file):
        if err is None and not isinstance(obj, dict):
            err = f"expected a JSON object, got {type(obj).__name__}"
        if err is not None:
            bad += 1
            out.write(json.dumps({"line": n, "error": err}) + "\n")
            continue
        in_id = obj.get("id", obj.get("external_id"))
        try:
            ticket = _ticket_from_loose(obj, n)
        except Exception as exc:
            bad += 1
            out.write(json.dumps({"id": in_id, "line": n, "error": _validation_message(exc)}) + "\n")
            continue
        o = run(ticket, cfg)
        record = {
            "id": in_id if in_id is not None else ticket.external_id,
            "categories": o.categories,
            "scores": o.scores,
            "needs_review": o.needs_review,
            "escalation_flags": o.flag_names,
            "priority": o.priority,
            "escalated": o.escalated,
            "evidence": [e.model_dump() for e in o.evidence],
            "flags": [f.model_dump() for f in o.flags],
            "kb_entries": o.kb_entries,
            "draft_reply": o.draft_reply,
            "internal_note": o.internal_note if args.internal_note else None,
        }
        if not args.internal_note:
            record.pop("internal_note")
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    if bad:
        print(f"triage: {bad} line(s) could not be classified (see their 'error' field)", file=sys.stderr)
    return 1 if bad else 0


def _queue_name(text: str) -> str:
    """A queue name as TRIAGE_QUEUE takes it: letters, digits and . _ : - (no spaces, no wildcards), ≤ 64."""
    from triage.settings import QUEUE_PATTERN

    if not re.fullmatch(QUEUE_PATTERN, text):
        raise argparse.ArgumentTypeError(
            f"invalid queue name {text!r}: use letters, digits and . _ : - (at most 64 characters)")
    return text


def cmd_submit(args: argparse.Namespace) -> int:
    """Enqueue tickets from a JSON Lines file."""
    from triage.producer import submit
    from triage.schemas import TicketIn
    from triage.worker import create_app

    limit = get_settings().max_batch
    if not args.single and args.batch > limit:  # the worker would dead-letter every such envelope
        raise CLIError(f"--batch {args.batch} exceeds TRIAGE_MAX_BATCH ({limit}), the most a worker accepts")
    good: list[Any] = []
    bad = 0
    for n, obj, err in read_jsonl(args.file):
        if err is None and not args.raw:
            try:
                TicketIn.model_validate(obj)
            except Exception as exc:
                err = _validation_message(exc)
        if err is not None:
            bad += 1
            print(f"{args.file}:{n}: {err} (not sent)", file=sys.stderr)
            continue
        good.append(obj)
    settings = get_settings()
    if args.queue is not None:  # the app declares (and routes to) the queue it is built for
        settings = settings.model_copy(update={"queue": args.queue})
    app = create_app(settings)
    try:
        sent = submit(good, app=app, batch_size=args.batch, single=args.single, queue=settings.queue)
    except Exception as exc:
        raise CLIError(f"could not enqueue to {_safe_url(settings.effective_broker_url)}: {exc}") from exc
    print(f"enqueued {len(good)} ticket(s) in {sent} message(s) to queue '{settings.queue}'"
          + (f"; {bad} invalid line(s) not sent" if bad else ""))
    return 1 if bad else 0


def _safe_url(url: str) -> str:
    from triage.logging import redact_text

    return redact_text(url)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a Celery worker consuming the triage queue."""
    from triage.worker import create_app, pipeline_config

    try:
        pipeline_config()  # fail fast, before forking, on a broken config
    except Exception as exc:
        raise CLIError(f"configuration error: {exc}") from exc
    settings = get_settings()
    _check_worker_schema()
    app = create_app()
    _check_delayed_delivery(app, settings)
    argv = [
        "worker",
        f"--loglevel={args.loglevel or settings.log_level}",
        f"--concurrency={args.concurrency or settings.worker_concurrency}",
        f"--queues={settings.queue}",
        f"--pool={args.pool}",
    ]
    if settings.broker_kind in {"filesystem", "memory"}:
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)
    return 0


def _check_delayed_delivery(app: Any, settings: Any) -> None:
    """RabbitMQ with a quorum queue: a retry's countdown waits in the broker's `celery_delayed_*` queues and
    comes back through the `celery_delayed_delivery` exchange's binding to this queue. Celery's start-up step
    that declares them only logs when it fails (e.g. another application declared `celery_delayed_*` with
    other arguments) and the worker runs on: every retry would then be published, confirmed, and dropped at
    the end of its delay. Declared and bound here first (idempotent, what Celery does); a refusal stops the
    worker (exit 3). An unreachable broker is left to Celery's connection retries."""
    if settings.broker_kind != "amqp" or settings.amqp_queue_type != "quorum":
        return
    from kombu.exceptions import OperationalError
    from kombu.transport.native_delayed_delivery import (
        bind_queue_to_native_delayed_delivery_exchange,
        declare_native_delayed_delivery_exchanges_and_queues,
    )

    queue = app.amqp.queues[settings.queue]
    with app.connection_for_write() as conn:
        try:
            conn.ensure_connection(max_retries=1)
            queue(conn.default_channel).declare()
            declare_native_delayed_delivery_exchanges_and_queues(
                conn, app.conf.broker_native_delayed_delivery_queue_type)
            bind_queue_to_native_delayed_delivery_exchange(conn, queue)
        except conn.channel_errors as exc:  # the broker answered and refused (e.g. PRECONDITION_FAILED)
            raise CLIError(f"RabbitMQ refused the delayed-delivery topology retries need "
                           f"({_safe_url(settings.effective_broker_url)}): {exc}".splitlines()[0], code=3) from exc
        except (OperationalError, OSError, *conn.connection_errors) as exc:
            from triage.logging import get_logger

            get_logger("triage.cli").warning("delayed_delivery_not_checked",
                                             error=f"{type(exc).__name__}: {exc}"[:200])


def _check_worker_schema() -> None:
    """A worker on a database without the schema (never migrated, a wrong search_path, an old revision) would
    fail every store; it refuses to start instead. An unreachable database is the outage the worker's retries
    are for: it starts and waits.

    Checked in a forked child: Alembic, its script directory and a database engine cost ≈ 17 MiB, which every
    pool process would otherwise inherit from the main process."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's exit status and pipe are what the parent tests read
        os.close(read_fd)
        try:
            from triage import migrate

            cur, head = migrate.current_revision(), migrate.head_revision()
            os.write(write_fd, json.dumps([cur, head]).encode())
            code = 0
        except BaseException as exc:  # reported to the parent, never raised in the child
            os.write(write_fd, json.dumps({"error": type(exc).__name__}).encode())
            code = 1
        os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as r:
        raw = r.read()
    os.waitpid(pid, 0)
    try:
        found = json.loads(raw or b"null")
    except ValueError:
        found = None
    if not isinstance(found, list):  # unreachable (or the check itself failed): the worker's retries handle it
        from triage.logging import get_logger

        get_logger("triage.cli").warning("schema_not_checked", error=str((found or {}).get("error", "unknown")))
        return
    cur, head = found
    if cur != head:
        raise CLIError(f"database schema is at {cur or '(empty)'}, not {head} "
                       f"({_safe_url(get_settings().effective_database_url)}): run `triage db upgrade` first", code=3)


def cmd_db(args: argparse.Namespace) -> int:
    from triage import migrate

    url = get_settings().effective_database_url
    try:
        if args.db_command == "upgrade":
            migrate.upgrade(revision=args.revision)
            print(f"database at revision {migrate.current_revision()} ({_safe_url(url)})")
        elif args.db_command == "current":
            from triage import db

            db.require_existing_database(True)  # say so without creating an empty SQLite file
            try:
                cur = migrate.current_revision()
            except db.MissingDatabase:
                print(f"current: (no database file)  head: {migrate.head_revision()}  ({_safe_url(url)})")
                return 3
            finally:
                db.require_existing_database(False)
            head = migrate.head_revision()
            print(f"current: {cur or '(empty)'}  head: {head}  ({_safe_url(url)})")
            return 0 if cur == head else 3
    except CLIError:
        raise
    except Exception as exc:
        raise CLIError(f"database error ({_safe_url(url)}): {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    return 0


def cmd_kb_show(args: argparse.Namespace) -> int:
    from triage.kb import load_kb

    try:
        kb = load_kb(get_settings().config_dir)
    except Exception as exc:
        raise CLIError(f"knowledge base error: {exc}") from exc
    if args.json:
        print(json.dumps({"version": kb.version, "entries": [
            {"id": e.id, "category": e.category, "file": e.file, "line": e.line, "question": e.question,
             "answer": e.answer, "solution": e.solution, "links": list(e.links)} for e in kb.entries
        ]}, indent=2, ensure_ascii=False))
        return 0
    print(f"knowledge base version {kb.version}: {len(kb.entries)} entr{'y' if len(kb.entries) == 1 else 'ies'}")
    for e in kb.entries:
        print(f"\n[{e.id}] category: {e.category or '(none)'}   ({e.file}:{e.line})")
        print(f"Question: {e.question}")
        print("Answer:\n  " + e.answer.replace("\n", "\n  "))
        print("Solution:\n  " + e.solution.replace("\n", "\n  "))
        print("Links:")
        for link in e.links:
            print(f"  - {link}")
    return 0


def _db_session() -> Any:
    from triage import db

    return db.session_scope()


def _int_in(lo: int, hi: int) -> Any:
    """An argparse type: an integer in [lo, hi]."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{n} is out of range ({lo} to {hi})")
        return n

    return parse


_DB_ID = _int_in(1, 2**31 - 1)  # the tables' integer keys


def _wrap_db_errors(fn: Any) -> Any:
    def inner(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from triage import db

        db.require_existing_database(True)  # a read or an update of stored rows never creates an empty SQLite file
        try:
            return int(fn(args))
        except db.MissingDatabase as exc:
            raise CLIError(f"no database at {exc}: run `triage db upgrade` first (or set TRIAGE_DATABASE_URL)",
                           code=3) from exc
        except (OperationalError, ProgrammingError) as exc:
            msg = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            if msg.startswith("database ") or ('database "' in msg and "does not exist" in msg):
                hint = " (create the database first, e.g. `createdb`; then `triage db upgrade`)"
            elif "no such table" in msg or ("relation" in msg and "does not exist" in msg):
                hint = " (run `triage db upgrade` first?)"
            else:
                hint = ""
            raise CLIError(f"database error: {msg}{hint}") from exc
        finally:
            db.require_existing_database(False)

    inner.__doc__ = fn.__doc__
    return inner


def _result_row(t: Any) -> dict[str, Any]:
    r = t.result
    return {
        "ref": t.ref,
        "subject": t.subject,
        "categories": r.categories if r else [],
        "scores": r.scores if r else {},
        "priority": r.priority if r else None,
        "escalated": r.escalated if r else False,
        "needs_review": r.needs_review if r else False,
        "flags": [f.name for f in t.flags],
        "updated_at": r.updated_at.isoformat() if r else None,
    }


def print_results_table(rows: Sequence[dict[str, Any]], out: TextIO | None = None) -> None:
    """A fixed-width table an agent can scan."""
    out = out or sys.stdout  # resolved per call: sys.stdout may be swapped (pipes, tests)
    header = f"{'TICKET':<22} {'PRI':<4} {'CATEGORIES':<46} {'FLAGS':<40} SUBJECT"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for r in rows:
        short = {"scam_suspicion": "scam", "off_platform_payment": "off_platform"}
        cats = ", ".join(f"{short.get(c, c)} {r['scores'].get(c, 0):.2f}" for c in r["categories"]) or "-"
        if r.get("needs_review"):
            cats += " ?"
        flags = ", ".join(r["flags"]) or "-"
        subj = r["subject"].replace("\n", " ")
        out.write(f"{r['ref'][:22]:<22} {r['priority'] or '-':<4} {cats[:46]:<46} {flags[:40]:<40} "
                  f"{subj[:50]}\n")


@_wrap_db_errors
def cmd_results(args: argparse.Namespace) -> int:
    """Recent results, newest first."""
    from triage import store

    with _db_session() as s:
        tickets = store.recent_results(session=s, category=args.category,
                                       escalated=True if args.escalated else None, limit=args.limit)
        rows = [_result_row(t) for t in tickets]
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    elif not rows:
        print("no results yet")
    else:
        print_results_table(rows)
    return 0


@_wrap_db_errors
def cmd_show(args: argparse.Namespace) -> int:
    """One ticket's triage in full."""
    from triage import store

    with _db_session() as s:
        t = store.get_ticket(session=s, ref=args.id)
        if t is None:
            raise CLIError(f"no ticket {args.id!r} (use SOURCE:EXTERNAL_ID or the numeric id)")
        data = {**_result_row(t), "body": t.body, "requester_name": t.requester_name}
        r = t.result
        if r is not None:
            data.update(
                evidence=r.evidence, kb_entries=r.kb_entries, draft_reply=r.draft_reply,
                internal_note=r.internal_note, flag_details=r.flags,
                versions={"kb": r.kb_version, "rules": r.rules_version, "policy": r.policy_version,
                          "templates": r.template_version},
                pipeline_ms=r.pipeline_ms, deliveries=t.deliveries,
                draft_history=[
                    {"replaced_at": h.replaced_at.isoformat(), "replaced_by": h.replaced_by,
                     "kb_version": h.kb_version, "template_version": h.template_version,
                     "draft_reply": h.draft_reply}
                    for h in store.draft_history(session=s, ticket_id=t.id)
                ],
            )
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    print_full(data)
    return 0


def print_full(d: dict[str, Any], out: TextIO | None = None) -> None:
    w = (out or sys.stdout).write
    w(f"Ticket    {d['ref']}\nSubject   {d['subject']}\n")
    w(f"Priority  {d['priority']}{'  ESCALATED' if d['escalated'] else ''}"
      f"{'  needs review' if d['needs_review'] else ''}\n")
    w("Categories " + (", ".join(f"{c} ({d['scores'].get(c, 0):.2f})" for c in d["categories"]) or "none")
      + "\n")
    w("Scores    " + ", ".join(f"{k}={v:.2f}" for k, v in d["scores"].items()) + "\n")
    for f in d.get("flag_details") or []:
        w(f"Flag      {f['name']}: {f['reason']}\n")
        for e in f.get("evidence", [])[:3]:
            w(f"            «{e['text']}» ({e['field']} {e['start']}-{e['end']})\n")
        if f.get("linked_tickets"):
            w(f"            linked: {', '.join(f['linked_tickets'])}\n")
    if d.get("evidence"):
        w("Evidence\n")
        for e in d["evidence"][:12]:
            w(f"  - {e['signal']} [{e.get('category') or '-'}]: «{e['text']}» ({e['field']} {e['start']}-{e['end']})\n")
    if d.get("versions"):
        v = d["versions"]
        w(f"Versions  kb={v['kb']} rules={v['rules']} policy={v['policy']} templates={v['templates']}\n")
    if d.get("draft_reply"):
        w("\n--- draft reply (for the customer) ---\n" + d["draft_reply"].rstrip() + "\n")
    if d.get("internal_note"):
        w("\n--- internal note (agents only) ---\n" + d["internal_note"].rstrip() + "\n")
    for h in d.get("draft_history") or []:
        w(f"\n(earlier draft, KB {h['kb_version']}, templates {h['template_version']}, replaced {h['replaced_at']} "
          f"by {h['replaced_by']})\n")


@_wrap_db_errors
def cmd_dlq_list(args: argparse.Namespace) -> int:
    """Dead letters, newest first."""
    from triage import store

    with _db_session() as s:
        rows: list[dict[str, Any]] = [
            {"id": d.id, "source": d.source, "external_id": d.external_id, "error_type": d.error_type,
             "reason": d.reason, "task": d.task_name, "created_at": d.created_at.isoformat(),
             "replayed_at": d.replayed_at.isoformat() if d.replayed_at else None}
            for d in store.list_dead_letters(session=s, limit=args.limit)
        ]
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    elif not rows:
        print("no dead letters")
    else:
        for r in rows:
            ident = f"{r['source']}:{r['external_id']}" if r["external_id"] else "(no identity)"
            mark = " (replayed)" if r["replayed_at"] else ""
            print(f"#{r['id']:<6} {r['error_type']:<18} {ident:<24} {r['reason'][:120]}{mark}")
    return 0


@_wrap_db_errors
def cmd_dlq_show(args: argparse.Namespace) -> int:
    """One dead letter in full: reason, identity, task, stored payload."""
    from triage import store

    with _db_session() as s:
        d = store.get_dead_letter(session=s, dead_letter_id=args.id)
        if d is None:
            raise CLIError(f"no dead letter #{args.id}")
        data = {"id": d.id, "error_type": d.error_type, "reason": d.reason, "source": d.source,
                "external_id": d.external_id, "task": d.task_name, "task_id": d.task_id,
                "dedupe_key": d.dedupe_key, "created_at": d.created_at.isoformat(),
                "replayed_at": d.replayed_at.isoformat() if d.replayed_at else None, "payload": d.payload}
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for key in ("id", "error_type", "reason", "source", "external_id", "task", "task_id", "dedupe_key",
                "created_at", "replayed_at"):
        print(f"{key + ':':<13} {data[key] if data[key] is not None else '-'}")
    payload = str(data["payload"])
    with contextlib.suppress(ValueError):
        payload = json.dumps(json.loads(payload), ensure_ascii=False, indent=2)
    if len(payload) > args.max_chars:
        payload = payload[:args.max_chars] + f"\n… ({len(str(data['payload']))} characters; --json shows all)"
    print("payload:\n" + payload)
    return 0


@_wrap_db_errors
def cmd_dlq_replay(args: argparse.Namespace) -> int:
    """Re-enqueue dead letters' stored payloads; each is marked replayed, and skipped next time."""
    import uuid
    from datetime import UTC, datetime

    from triage import store
    from triage.reliability import NotReplayable, replay_plan
    from triage.worker import create_app

    if args.id is not None and args.all:
        raise CLIError("give a dead-letter ID or --all, not both")
    if args.id is None and not args.all:
        raise CLIError("give a dead-letter ID or --all")
    settings = get_settings()
    with _db_session() as s:
        if args.all:
            rows = store.dead_letters_to_replay(session=s, include_replayed=args.force)
        else:
            one = store.get_dead_letter(session=s, dead_letter_id=args.id)
            if one is None:
                raise CLIError(f"no dead letter #{args.id}")
            rows = [one]
        todo = [(d.id, d.error_type, d.task_name, d.payload, d.replayed_at) for d in rows]
    app = create_app()
    replayed = skipped = failed = 0
    for dl_id, error_type, task_name, payload, replayed_at in todo:
        if replayed_at is not None and not args.force:
            print(f"#{dl_id}: already replayed at {replayed_at.isoformat()} (--force replays again)")
            skipped += 1
            continue
        try:
            plan = replay_plan(error_type=error_type, task_name=task_name, payload_text=payload,
                               max_batch=settings.max_batch)
        except NotReplayable as exc:
            print(f"#{dl_id}: not replayable: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.dry_run:
            print(f"#{dl_id}: would send {len(plan)} message(s): {', '.join(m.task for m in plan)}")
            continue
        try:
            # A fresh task id per replay: if it fails again its new dead letter does not collide.
            run = uuid.uuid4().hex[:12]
            for k, m in enumerate(plan):
                app.send_task(m.task, args=m.args, kwargs=m.kwargs, queue=settings.queue,
                              task_id=f"replay-{dl_id}-{run}-{k}")
        except Exception as exc:
            raise CLIError(f"could not enqueue to {_safe_url(settings.effective_broker_url)}: {exc}") from exc
        with _db_session() as s:
            store.mark_replayed(session=s, dead_letter_id=dl_id, now=datetime.now(UTC))
        replayed += 1
        print(f"#{dl_id}: replayed as {len(plan)} message(s) (task id replay-{dl_id}-{run}-*)")
    if args.all:
        print(f"replayed {replayed}, skipped {skipped}, not replayable {failed}")
    return 1 if failed else 0


def parse_since(value: str) -> Any:
    """ISO 8601 date/time (naive = UTC) or a relative age like 30m, 12h, 7d."""
    import re
    from datetime import UTC, datetime, timedelta

    m = re.fullmatch(r"(\d+)([mhd])", value.strip())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        delta = {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[unit]
        return datetime.now(UTC) - delta
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CLIError(f"--since takes an ISO 8601 date/time or an age like 12h or 7d, not {value!r}") from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@_wrap_db_errors
def cmd_redraft(args: argparse.Namespace) -> int:
    """Re-draft stored results with the current knowledge base and templates; old drafts go to history."""
    from datetime import UTC, datetime

    from triage import store
    from triage.draft import build_draft
    from triage.schemas import Evidence, Flag

    since = parse_since(args.since)
    cfg = _load_pipeline()

    def build(ticket: Any, result: Any) -> store.NewDraft:
        d = build_draft(
            categories=list(result.categories), kb=cfg.kb, templates=cfg.templates,
            requester_name=ticket.requester_name,
            flags=[Flag.model_validate(f) for f in result.flags],
            evidence=[Evidence.model_validate(e) for e in result.evidence],
            needs_review=result.needs_review,
        )
        return store.NewDraft(d.text, d.html, d.internal_note, list(d.kb_entries), cfg.kb.version,
                              cfg.templates.version)

    stale = (cfg.kb.version, cfg.templates.version) if args.stale else None
    with _db_session() as s:
        n = store.redraft(session=s, since=since, build=build, now=datetime.now(UTC), only_stale=stale)
        if args.dry_run:
            s.rollback()
    verb = "would re-draft" if args.dry_run else "re-drafted"
    print(f"{verb} {n} result(s) updated since {since.isoformat()} (KB {cfg.kb.version}, templates "
          f"{cfg.templates.version}); replaced drafts are kept in history")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from triage.demo import run_demo

    return run_demo(timeout=args.timeout, concurrency=args.concurrency)


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmark (see triage/bench.py): starts its own workers on a fresh queue."""
    from triage.bench import BenchError, run

    try:
        return run(args)
    except BenchError as exc:
        raise CLIError(str(exc)) from exc


def cmd_eval(args: argparse.Namespace) -> int:
    from triage.evalcli import run_eval

    return run_eval(args)


def cmd_lexical(args: argparse.Namespace) -> int:
    from triage.lexical_train import run_cli

    return run_cli(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """HTTP intake and read API (uvicorn)."""
    import uvicorn

    from triage.api import create_api

    settings = get_settings()
    app = create_api(settings)
    # The socket is bound here, so a port in use or an address not on this host is one clear line and
    # exit 1 (uvicorn would log it among its start-up lines and exit 3).
    sock = _listen_socket(args.host, args.port)
    # log_config=None: uvicorn's loggers propagate to the root handler set up by triage.logging (JSON,
    # redacted; the access line's path decoded and redacted, its query string withheld) instead of
    # uvicorn's own plain-text handlers.
    config = uvicorn.Config(app, host=args.host, port=args.port,
                            log_level=(args.loglevel or settings.log_level).lower(), access_log=args.access_log,
                            timeout_graceful_shutdown=10, server_header=False, log_config=None)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _listen_socket(host: str, port: int) -> Any:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    family, socktype, proto, _, addr = infos[0]
    sock = socket.socket(family, socktype, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the message contract as JSON Schema."""
    from triage.contract import message_schema, ticket_schema

    print(json.dumps(ticket_schema() if args.ticket_only else message_schema(), indent=2, ensure_ascii=False))
    return 0


@_wrap_db_errors
def cmd_writeback(args: argparse.Namespace) -> int:
    """Deliver outbox rows to the helpdesk, or show their status."""
    from triage import writeback

    if args.wb_command == "status":
        with _db_session() as s:
            counts = writeback.status_counts(session=s)
        print(json.dumps(counts) if args.json else
              (", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "outbox is empty"))
        return 0
    if not get_settings().writeback_sources:
        raise CLIError("no write-back target configured: set TRIAGE_WRITEBACK_ZENDESK_URL (and the token)")
    stats = writeback.run_relay(interval=args.interval, once=args.once, limit=args.limit)
    print(json.dumps(stats))
    return 0


# ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="triage",
        description="Support-ticket triage: scam suspicion and off-platform payment, with knowledge-base "
        "drafts and escalation flags. Configuration comes from TRIAGE_* environment variables.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("demo", help="run the bundled sample tickets through a real worker and print results")
    s.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the worker (default 120)")
    s.add_argument("--concurrency", type=_int_in(1, 64), default=2, help="worker processes (default 2)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("worker", help="run a Celery worker on the triage queue")
    s.add_argument("--concurrency", "-c", type=_int_in(1, 256), default=None,
                   help="processes (TRIAGE_WORKER_CONCURRENCY)")
    s.add_argument("--loglevel", "-l", default=None, help="log level (TRIAGE_LOG_LEVEL)")
    s.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"], help="worker pool")
    s.add_argument("--hostname", "-n", default=None, help="worker node name")
    s.set_defaults(func=cmd_worker)

    s = sub.add_parser("submit", help="enqueue tickets from a JSON Lines file ('-' for stdin)")
    s.add_argument("file")
    s.add_argument("--batch", type=_int_in(1, 1_000_000), default=100,
                   help="tickets per triage.ingest_many message (default 100; at most TRIAGE_MAX_BATCH)")
    s.add_argument("--single", action="store_true", help="one triage.ingest message per ticket")
    s.add_argument("--queue", type=_queue_name, default=None,
                   help="the queue to send to (default TRIAGE_QUEUE); a worker pool consumes one queue")
    s.add_argument("--raw", action="store_true",
                   help="send lines as they are, without local validation (bad ones become dead letters)")
    s.set_defaults(func=cmd_submit)

    s = sub.add_parser("classify", help="classify JSON Lines without queue or database (JSON Lines out)")
    s.add_argument("file", help="input lines need id or external_id, subject, body ('-' for stdin)")
    s.add_argument("--internal-note", action="store_true", help="include the agent-only internal note")
    s.set_defaults(func=cmd_classify)

    s = sub.add_parser("eval", help="measure the classifier on labelled tickets (precision, recall, F1)")
    s.add_argument("file", help="labelled JSON Lines: id, subject, body, labels, money_lost")
    s.add_argument("--json", action="store_true", help="machine-readable report")
    s.add_argument("--min-f1", type=float, default=None, help="exit 1 if any category F1 is below this")
    s.add_argument("--max-fpr", type=float, default=None, help="exit 1 if the false-positive rate exceeds this")
    s.add_argument("--compare", metavar="OLD_CONFIG", default=None,
                   help="also run the rules in OLD_CONFIG (a config directory) and list tickets that flip")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("lexical", help="train the lexical model (config/lexical.json) or cross-validate it")
    lsub = s.add_subparsers(dest="lexical_command", metavar="ACTION", required=True)
    for action, text in (("train", "train on labelled files and write the model (needs the train extra)"),
                         ("cv", "leave one file out: train on the rest, measure rules alone vs blended")):
        a = lsub.add_parser(action, help=text)
        a.add_argument("files", nargs="+", help="labelled JSON Lines (the `triage eval` format)")
        a.add_argument("--c", type=float, default=4.0, help="inverse L2 strength (default 4)")
        a.add_argument("--min-df", type=int, default=3, help="keep terms in at least this many tickets (default 3)")
        a.add_argument("--blend", type=float, default=None,
                       help="a fixed model logit weight in category scores instead of learning the stack")
        a.add_argument("--rules", default=None, metavar="CONFIG_DIR",
                       help="config directory whose rules.yaml the stack learns from; cv also reads its "
                            "escalation.yaml (default: TRIAGE_CONFIG_DIR)")
        if action == "train":
            a.add_argument("--out", default=None, help="model file (default: TRIAGE_CONFIG_DIR/lexical.json)")
        else:
            a.add_argument("--holdout", nargs="*", default=[], help="files only measured, never trained on")
            a.add_argument("--json", action="store_true", help="machine-readable results")
        a.set_defaults(func=cmd_lexical)

    s = sub.add_parser("serve", help="HTTP intake (helpdesk webhooks) and read API")
    s.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=_int_in(1, 65535), default=8000, help="port (default 8000)")
    s.add_argument("--loglevel", "-l", default=None, help="log level (TRIAGE_LOG_LEVEL)")
    s.add_argument("--access-log", action="store_true", help="log every request")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("schema", help="print the message contract as JSON Schema (for producers in any language)")
    s.add_argument("--ticket-only", action="store_true", help="only the ticket object's schema")
    s.set_defaults(func=cmd_schema)

    s = sub.add_parser("writeback", help="write results back to the helpdesk (outbox relay)")
    wsub = s.add_subparsers(dest="wb_command", metavar="WRITEBACK_COMMAND", required=True)
    w = wsub.add_parser("run", help="deliver due outbox rows; keeps polling unless --once")
    w.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    w.add_argument("--interval", type=float, default=5.0, help="seconds between polls (default 5)")
    w.add_argument("--limit", type=_int_in(1, 100_000), default=50, help="rows claimed per batch (default 50)")
    w.set_defaults(func=cmd_writeback)
    w = wsub.add_parser("status", help="outbox rows by status")
    w.add_argument("--json", action="store_true")
    w.set_defaults(func=cmd_writeback)

    s = sub.add_parser("results", help="recent results, newest first")
    s.add_argument("--category", choices=["scam_suspicion", "off_platform_payment"], default=None)
    s.add_argument("--escalated", action="store_true", help="only escalated tickets")
    s.add_argument("--limit", type=_int_in(1, 1_000_000), default=20)
    s.add_argument("--json", action="store_true", help="JSON Lines")
    s.set_defaults(func=cmd_results)

    s = sub.add_parser("show", help="one ticket in full: scores, evidence, flags, draft")
    s.add_argument("id", help="SOURCE:EXTERNAL_ID or the numeric database id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("redraft", help="re-draft stored results after a KB or template change (history kept)")
    s.add_argument("--since", required=True, help="results updated since: ISO 8601 date/time or an age (12h, 7d)")
    s.add_argument("--stale", action="store_true",
                   help="only results drafted with another KB or template version than the current one")
    s.add_argument("--dry-run", action="store_true", help="count, change nothing")
    s.set_defaults(func=cmd_redraft)

    s = sub.add_parser("db", help="database schema (Alembic migrations)")
    dsub = s.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    u = dsub.add_parser("upgrade", help="migrate the database to the newest schema (creates it if empty)")
    u.add_argument("--revision", default="head", help="target revision (default head)")
    u.set_defaults(func=cmd_db)
    c = dsub.add_parser("current", help="show the schema revision (exit 3 if not at head)")
    c.set_defaults(func=cmd_db)

    s = sub.add_parser("kb", help="knowledge base")
    ksub = s.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    k = ksub.add_parser("show", help="print the parsed knowledge-base entries")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_kb_show)

    from triage.bench import add_arguments as bench_arguments

    s = sub.add_parser("bench", help="end-to-end throughput and latency: naive vs batched singles vs bulk "
                       "(against the configured Redis/RabbitMQ and PostgreSQL)")
    bench_arguments(s)
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("dlq", help="dead letters: messages that could not become results")
    dq = s.add_subparsers(dest="dlq_command", metavar="DLQ_COMMAND", required=True)
    d = dq.add_parser("list", help="newest dead letters first")
    d.add_argument("--limit", type=_int_in(1, 1_000_000), default=50)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_dlq_list)
    d = dq.add_parser("show", help="one dead letter in full, with its stored payload")
    d.add_argument("id", type=_DB_ID)
    d.add_argument("--json", action="store_true", help="everything, payload untruncated")
    d.add_argument("--max-chars", type=_int_in(0, 2**31 - 1), default=4000,
                   help="truncate the payload shown (default 4000)")
    d.set_defaults(func=cmd_dlq_show)
    d = dq.add_parser("replay", help="re-enqueue stored payloads (idempotent: replayed ones are skipped)")
    d.add_argument("id", type=_DB_ID, nargs="?", default=None, help="dead-letter id")
    d.add_argument("--all", action="store_true", help="every dead letter not replayed yet")
    d.add_argument("--force", action="store_true", help="replay even if already replayed")
    d.add_argument("--dry-run", action="store_true", help="say what would be sent")
    d.set_defaults(func=cmd_dlq_replay)
    return p


def _settings_problem(exc: BaseException) -> str | None:
    """An invalid TRIAGE_* setting, named with its value and what is wrong; None for other errors."""
    from pydantic import ValidationError

    from triage.schemas import error_message

    if not isinstance(exc, ValidationError) or exc.title != "Settings":
        return None
    parts = []
    for err in exc.errors():
        name = "TRIAGE_" + "_".join(str(x) for x in err.get("loc", ())).upper()
        value = err.get("input")
        shown = f"={value!r}" if isinstance(value, str | int | float) and "URL" not in name else ""
        parts.append(f"invalid {name}{shown}: {error_message(err)}")
    return "; ".join(parts) or None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from triage.logging import configure_logging

        settings = get_settings()
        configure_logging(settings.log_level if args.command in {"worker", "serve", "writeback"} else "WARNING",
                          settings.log_format)
        return int(args.func(args))
    except CLIError as exc:
        print(f"triage: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("triage: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        bad = _settings_problem(exc)
        if bad:
            print(f"triage: error: {bad}", file=sys.stderr)
            return 2
        first = (str(exc).splitlines() or [""])[0]
        print(f"triage: error: {type(exc).__name__}: {first} (TRIAGE_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1
