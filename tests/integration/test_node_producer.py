"""Any-language producers: Node.js enqueues with the npm package celery-node; the Python worker stores them.

celery-node sends Celery protocol v2 messages (JSON body, base64 on Redis, only the lang/task/id
headers). npm and node are required: without them this test FAILS under TRIAGE_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, make_ticket, run_cli, services_required, wait_until
from tests.integration.test_worker_pipeline import _counts, _rows
from triage.models import Ticket, TriageResult

pytestmark = pytest.mark.integration

NODE_DIR = ROOT / "tests" / "node"


def _unavailable(msg: str) -> None:
    if services_required():
        pytest.fail(msg + " and TRIAGE_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node/npm not found on PATH")
    assert node and npm
    if not (NODE_DIR / "node_modules" / "celery-node" / "package.json").exists():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            _unavailable(f"`npm ci` in {NODE_DIR} failed: {(r.stderr or r.stdout)[-500:]}")
    return node


def test_celery_node_messages_are_triaged(node: str, tmp_path: Path, redis_url: str, postgres_db: str,
                                          service_env: Any, start_worker: Any) -> None:
    env = service_env(redis_url, postgres_db)
    r = run_cli(["db", "upgrade"], env)
    assert r.returncode == 0, r.stderr
    worker = start_worker(env)
    tickets: list[dict[str, Any]] = [
        make_ticket("node-1", "Client wants to move to Telegram",
                    "The client asked me to continue on Telegram and wants a copy of my passport.",
                    source="nodeapp", requester={"email": "Ana@Example.org", "name": "Ana Silva"}, tags="a,b"),
        make_ticket("node-2", source="nodeapp"),
        {**make_ticket("ignored", "Paid outside the platform",
                       "I paid the freelancer $400 by wire transfer outside the platform and he disappeared.",
                       source="nodeapp"), "external_id": 42},
        make_ticket("node-4", "Withdrawal", "My withdrawal is pending ✓ — ünïcödé", source="nodeapp",
                    created_at="2026-11-20T14:03:00Z", metadata={"from": "node"}),
    ]
    out = subprocess.run([node, str(NODE_DIR / "enqueue.js"), redis_url, env["TRIAGE_QUEUE"]],
                         input=json.dumps(tickets), capture_output=True, text=True, timeout=60, cwd=NODE_DIR)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["sent"]) == 2

    wait_until(lambda: _counts(postgres_db)["results"] >= 4, timeout=60, what="4 results from Node.js",
               on_timeout=worker.log)
    assert _counts(postgres_db) == {"tickets": 4, "results": 4, "dead": 0}
    rows = {t["external_id"]: t for t in _rows(postgres_db, Ticket)}
    assert set(rows) == {"node-1", "node-2", "42", "node-4"}
    assert rows["node-1"]["requester_email"] == "ana@example.org" and rows["node-1"]["tags"] == ["a", "b"]
    assert rows["node-4"]["body"].endswith("ünïcödé") and rows["node-4"]["metadata"] == {"from": "node"}
    results = {r["ticket_id"]: r for r in _rows(postgres_db, TriageResult)}
    assert "scam_suspicion" in results[rows["node-1"]["id"]]["categories"]
    assert "off_platform_payment" in results[rows["42"]["id"]]["categories"]
    assert worker.alive()
