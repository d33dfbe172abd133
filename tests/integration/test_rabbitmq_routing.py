"""RabbitMQ routing with native delayed delivery: each pool's retries come back to its own queue only.

Celery (quorum queues) binds every queue to the shared `celery_delayed_delivery` exchange with
`#.<routing key>`; a delayed message's key is `<28 bits>.<routing key>`. A routing key with dots would
make one pool's retries match another pool's binding (review helper-63: a retry of "eu.triage" was copied
into "triage"). Each pool's key is one topic word, so it matches only its own queue.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from kombu.transport.native_delayed_delivery import (
    bind_queue_to_native_delayed_delivery_exchange,
    declare_native_delayed_delivery_exchanges_and_queues,
)

from triage.settings import Settings
from triage.worker import create_app, task_routing_key

pytestmark = pytest.mark.integration


def test_routing_keys_are_one_topic_word() -> None:
    amqp = Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//", queue="eu.triage", database_url="sqlite://")
    assert task_routing_key(amqp) == "eu%2Etriage"
    redis = Settings(broker_url="redis://127.0.0.1:6379/0", queue="eu.triage", database_url="sqlite://")
    assert task_routing_key(redis) == "eu.triage"


def test_a_delayed_retry_reaches_only_its_own_pool(amqp_url: str) -> None:
    h = uuid.uuid4().hex[:6]
    names = [f"rt{h}", f"eu.rt{h}", f"x.eu.rt{h}"]  # three pools; each name ends with the one before it
    apps = {}
    try:
        for n in names:
            app = create_app(Settings(broker_url=amqp_url, queue=n, database_url="sqlite://"))
            apps[n] = app
            with app.connection_for_write() as c:  # what each pool's worker does at start (DelayedDelivery)
                app.amqp.queues[n](c.default_channel).declare()
                declare_native_delayed_delivery_exchanges_and_queues(c, "quorum")
                bind_queue_to_native_delayed_delivery_exchange(c, app.amqp.queues[n])
        # a retry in pool "eu.rt…", as TriageTask.retry publishes it (a countdown: native delayed delivery)
        apps[names[1]].send_task("triage.ingest", args=[{"x": 1}], queue=names[1], countdown=1)
        apps[names[1]].send_task("triage.ingest", args=[{"x": 2}], queue=names[1])  # and one without delay
        counts: dict[str, int] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with apps[names[0]].connection_for_write() as c:
                ch = c.channel()
                counts = {n: ch.queue_declare(n, passive=True).message_count for n in names}
            if counts[names[1]] >= 2:
                break
            time.sleep(0.5)
        time.sleep(1.0)  # anything copied elsewhere would have arrived with it
        with apps[names[0]].connection_for_write() as c:
            ch = c.channel()
            counts = {n: ch.queue_declare(n, passive=True).message_count for n in names}
        assert counts == {names[0]: 0, names[1]: 2, names[2]: 0}
    finally:
        if apps:
            with next(iter(apps.values())).connection_for_write() as c:
                ch = c.channel()
                for n in names:
                    ch.queue_delete(n)
                    ch.exchange_delete(f"{n}.tasks")


def _rabbitmqctl(*args: str) -> None:
    import subprocess

    r = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_worker_refuses_to_start_when_retries_could_not_come_back(amqp_url: str, tmp_path: Any,
                                                                   service_env: Any) -> None:
    """Review helper-63: when Celery's delayed-delivery start-up step fails (here `celery_delayed_27` was
    declared by someone else with other arguments: PRECONDITION_FAILED), Celery only logs and the worker
    runs on; every retry would be confirmed by the broker and dropped at the end of its delay. `triage
    worker` declares and binds that topology itself first and refuses to start (exit 3, one line)."""
    import shutil
    import subprocess
    import sys
    from urllib.parse import urlparse

    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not on this machine")
    from kombu import Connection

    vhost = f"triage-test-{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        u = urlparse(amqp_url)
        _rabbitmqctl("set_permissions", "-p", vhost, u.username or "guest", ".*", ".*", ".*")
        url = u._replace(path=f"/{vhost}").geturl()
        with Connection(url) as conn:
            conn.default_channel.queue_declare("celery_delayed_27", durable=True,
                                               arguments={"x-queue-type": "classic"})
        env = service_env(url, f"sqlite:///{tmp_path / 'w.db'}")
        assert subprocess.run([sys.executable, "-m", "triage", "db", "upgrade"], env=env, capture_output=True,
                              timeout=120).returncode == 0
        r = subprocess.run([sys.executable, "-m", "triage", "worker", "--concurrency", "1"], env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 3, r.stdout[-2000:] + r.stderr[-2000:]
        assert "RabbitMQ refused the delayed-delivery topology retries need" in r.stderr
        assert "PRECONDITION_FAILED" in r.stderr or "inequivalent arg" in r.stderr
    finally:
        _rabbitmqctl("delete_vhost", vhost)
