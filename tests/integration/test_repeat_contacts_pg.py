"""repeat_reported_contact under concurrency: a real worker pool on PostgreSQL.

Many requesters report the same off-platform contacts at the same moment. Exactly one ticket per
contact (the first to commit) stays unflagged; every other one is flagged once, listing only
tickets that committed before it — no lost update, no double flag, no deadlock left unretried.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from tests.conftest import make_ticket, wait_until
from tests.integration.test_worker_pipeline import _counts
from triage.db import normalise_url
from triage.models import EscalationFlag, Ticket

pytestmark = pytest.mark.integration

HANDLES = ["scam_recruiter_one", "crypto_task_boss", "hr_dept_fast"]
PER_HANDLE = 12


def test_concurrent_reports_of_the_same_contact(tmp_path: Path, redis_url: str, postgres_db: str,
                                                service_env: Any, start_worker: Any) -> None:
    env = service_env(redis_url, postgres_db, TRIAGE_WORKER_PREFETCH_MULTIPLIER="1")
    from tests.conftest import run_cli

    assert run_cli(["db", "upgrade"], env).returncode == 0
    from triage.producer import submit
    from triage.settings import Settings
    from triage.worker import create_app

    tickets = [
        make_ticket(f"{h}-{i}", "Client asks me to move to Telegram",
                    f"The client wants me to continue on Telegram @{h} and pay a $30 onboarding fee first.",
                    requester={"email": f"user{i}-{h}@example.org"})
        for i in range(PER_HANDLE) for h in HANDLES
    ]
    app = create_app(Settings(broker_url=redis_url, queue=env["TRIAGE_QUEUE"]))
    # Enqueue first, then start two worker processes with 3 pool children each: the messages are
    # consumed in parallel, as under a real burst.
    submit(tickets, app=app, single=True, queue=env["TRIAGE_QUEUE"])
    w1 = start_worker(env, concurrency=3)
    w2 = start_worker(env, concurrency=3)
    wait_until(lambda: _counts(postgres_db)["results"] == len(tickets), timeout=120,
               what="all concurrent reports stored", on_timeout=lambda: w1.log()[-3000:] + w2.log()[-3000:])

    eng = create_engine(normalise_url(postgres_db))
    try:
        with eng.connect() as c:
            rows = c.execute(select(Ticket.id, Ticket.external_id)).all()
            ext_by_id = {tid: ext for tid, ext in rows}
            flags = c.execute(select(EscalationFlag.ticket_id, EscalationFlag.linked_tickets)
                              .where(EscalationFlag.name == "repeat_reported_contact")).all()
    finally:
        eng.dispose()
    assert _counts(postgres_db)["dead"] == 0
    flagged = {ext_by_id[tid]: linked for tid, linked in flags}
    assert len(flags) == len(flagged), "a ticket was flagged twice"
    for h in HANDLES:
        group = {f"{h}-{i}" for i in range(PER_HANDLE)}
        unflagged = group - set(flagged)
        assert len(unflagged) == 1, f"{h}: expected exactly one first report, got {sorted(unflagged)}"
        # Linked tickets form a chain of commits: the k-th ticket lists exactly k-1 earlier ones,
        # all from the same contact group.
        sizes = sorted(len(flagged[e]) for e in group & set(flagged))
        assert sizes == list(range(1, PER_HANDLE)), sizes
        for e in group & set(flagged):
            assert {ref.split(":", 1)[1] for ref in flagged[e]} <= group - {e}
