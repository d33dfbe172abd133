"""docker-compose.yml: valid against the Compose Specification, and its services' commands work.

No Docker engine runs here, so the compose services' own `command`s are run as local processes
against the machine's Redis and PostgreSQL, with the compose environment's container host names
swapped for the local services.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SHARED, make_ticket, wait_until
from tests.integration.test_worker_pipeline import _counts

COMPOSE = ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_matches_the_specification() -> None:
    schema_path = SHARED / "schemas" / "compose-spec.json"
    if not schema_path.exists():
        pytest.skip(f"Compose Specification schema not found at {schema_path}")
    import jsonschema

    schema = json.loads(schema_path.read_text())
    jsonschema.validate(_compose(), schema)


def test_compose_has_the_expected_services() -> None:
    c = _compose()
    services = c["services"]
    assert {"redis", "postgres", "migrate", "worker", "flower", "intake"} <= set(services)
    assert services["intake"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["intake"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["intake"]["healthcheck"]["test"])
    assert "healthcheck" in services["redis"] and "healthcheck" in services["postgres"]
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    # .env's TRIAGE_* settings reach the triage containers (config/.env.example lists them), optional file.
    for name in ("migrate", "worker", "intake", "writeback", "flower"):
        assert services[name]["env_file"] == [{"path": ".env", "required": False}], name
    # No secret is written into the file: the password is interpolated from the environment.
    assert "${POSTGRES_PASSWORD" in COMPOSE.read_text()
    assert (ROOT / "Dockerfile").exists() and (ROOT / "config" / ".env.example").exists()


def _exe(cmd: list[str]) -> list[str]:
    """Resolve the compose command's program in this virtualenv (the image puts it on PATH)."""
    prog = Path(sys.executable).parent / cmd[0]
    return [str(prog) if prog.exists() else (shutil.which(cmd[0]) or cmd[0]), *cmd[1:]]


@pytest.mark.integration
def test_compose_commands_against_local_services(tmp_path: Path, redis_url: str, postgres_db: str,
                                                 service_env: Any) -> None:
    c = _compose()
    services = c["services"]
    compose_env = {k: str(v) for k, v in services["worker"]["environment"].items()}
    assert compose_env["TRIAGE_BROKER_URL"].startswith("redis://redis:")
    assert compose_env["TRIAGE_DATABASE_URL"].startswith("postgresql://")
    env = service_env(redis_url, postgres_db)
    # Keep the compose environment's other settings as written; only the service addresses change.
    for k, v in compose_env.items():
        if k not in {"TRIAGE_BROKER_URL", "TRIAGE_DATABASE_URL"} and "${" not in v:
            env[k] = v

    mig = subprocess.run(_exe(services["migrate"]["command"]), env=env, capture_output=True, text=True,
                         timeout=120)
    assert mig.returncode == 0, mig.stderr

    procs: list[subprocess.Popen[bytes]] = []
    logs = tmp_path / "compose-services.log"
    try:
        with open(logs, "wb") as log:
            procs.append(subprocess.Popen(_exe(services["worker"]["command"]), env=env, stdout=log,
                                          stderr=subprocess.STDOUT))
            flower_cmd = [a for a in services["flower"]["command"] if not a.startswith("--port")]
            procs.append(subprocess.Popen(_exe([*flower_cmd, "--port=15555"]), env=env, stdout=log,
                                          stderr=subprocess.STDOUT))
        from triage.producer import submit
        from triage.settings import Settings
        from triage.worker import create_app

        settings = Settings(broker_url=env["TRIAGE_BROKER_URL"], queue=env["TRIAGE_QUEUE"])
        app = create_app(settings)
        submit([make_ticket("compose-1", "Client asked me to pay for training",
                            "A client wants me to pay $50 for a training certificate before starting.")],
               app=app, single=True)
        wait_until(lambda: _counts(postgres_db)["results"] == 1, timeout=60, what="the ticket through compose",
                   on_timeout=lambda: logs.read_text(errors="replace"))

        # The intake service's command, on a free port, with a webhook secret set: a signed Zendesk
        # webhook goes through the worker into the database.
        from tests.helpdesk import ZENDESK_SECRET, ServeProcess, dumps, free_port, zendesk_headers

        port = str(free_port())
        intake_cmd = [port if a == "8000" else a for a in services["intake"]["command"]]
        intake_env = {**env, "TRIAGE_ZENDESK_WEBHOOK_SECRET": ZENDESK_SECRET}
        intake = ServeProcess(intake_env, tmp_path / "intake.log", cmd=_exe(intake_cmd))
        intake.url = f"http://127.0.0.1:{port}"
        intake.start()
        try:
            body = dumps({"ticket": {"id": "compose-2", "subject": "Client wants to pay me on Telegram",
                                     "description": "He asked me to continue on Telegram and pay outside."}})
            r = urllib.request.urlopen(urllib.request.Request(
                intake.url + "/webhooks/zendesk", data=body, method="POST",
                headers=zendesk_headers(body, invocation=f"compose-{port}-{time.time_ns()}")),
                timeout=10)
            assert r.status == 202
            wait_until(lambda: _counts(postgres_db)["results"] == 2, timeout=60, what="the webhook through compose",
                       on_timeout=lambda: logs.read_text(errors="replace") + intake.log())
            hc = [a.replace("8000", port)
                  for a in services["intake"]["healthcheck"]["test"][1:]]
            r2 = subprocess.run(_exe(hc), env=env, capture_output=True, text=True, timeout=30)
            assert r2.returncode == 0, r2.stdout + r2.stderr
        finally:
            intake.stop()

        def flower_up() -> bool:
            try:
                with urllib.request.urlopen("http://127.0.0.1:15555/healthcheck", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_until(flower_up, timeout=60, what="flower /healthcheck",
                   on_timeout=lambda: logs.read_text(errors="replace"))
        # The worker's compose healthcheck command, run as written (by a shell, as CMD-SHELL is; compose
        # turns `$$` into `$`). It asks this host's node only: with the node name of another replica it fails.
        kind, line = services["worker"]["healthcheck"]["test"]
        assert kind == "CMD-SHELL" and "$$(hostname)" in line
        shell_env = {**env, "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"}
        deadline = time.monotonic() + 30
        while True:
            r = subprocess.run(["sh", "-c", line.replace("$$", "$")], env=shell_env, capture_output=True,
                               text=True, timeout=60)
            if r.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert r.returncode == 0, r.stdout + r.stderr
        other = subprocess.run(["sh", "-c", line.replace("$$(hostname)", "another-replica")], env=shell_env,
                               capture_output=True, text=True, timeout=60)
        assert other.returncode != 0, other.stdout + other.stderr
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
