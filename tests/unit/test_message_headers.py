"""Task messages carry no ticket content in their headers (`triage.worker.TriageAMQP`): Celery would put the
first KiB of `repr(args)` in `argsrepr`, and its worker logs that header at INFO."""

from __future__ import annotations

import json
from typing import Any

from kombu import Connection

from triage.settings import Settings
from triage.worker import INGEST, INGEST_MANY, args_summary, create_app

TICKET = {
    "source": "zendesk", "external_id": "77", "subject": "Client wants my bank login",
    "body": "Hi, I am Maria Lopez (maria.lopez@example.com, +34 612 345 678); he asked for my password.",
    "requester": {"email": "maria.lopez@example.com", "name": "Maria Lopez"},
}
SECRETS = ("Maria", "maria.lopez", "612 345", "password", "bank login")


def _sent(app: Any, name: str, **kw: Any) -> dict[str, Any]:
    with Connection("memory://") as conn:
        q = conn.SimpleQueue("hdr-test")
        q.clear()
        app.send_task(name, queue="hdr-test", connection=conn, **kw)
        msg = q.get(timeout=2)
        headers = dict(msg.headers)
        body = msg.decode()
        msg.ack()
        q.close()
    return {"headers": headers, "body": body}


def test_headers_name_the_shape_of_the_arguments_and_nothing_of_the_ticket() -> None:
    app = create_app(Settings(broker_url="memory://", queue="hdr-test"))
    one = _sent(app, INGEST, args=[TICKET])
    many = _sent(app, INGEST_MANY, args=[[TICKET, TICKET, TICKET]])
    kw = _sent(app, INGEST, kwargs={"ticket": TICKET})
    assert one["headers"]["argsrepr"] == "({…})"
    assert many["headers"]["argsrepr"] == "([3 items])"
    assert kw["headers"]["kwargsrepr"] == "{'ticket': {…}}"
    for m in (one, many, kw):
        text = json.dumps(m["headers"], ensure_ascii=False)
        for s in SECRETS:
            assert s not in text, (s, text)
    # the body itself is untouched: the worker still gets the whole ticket
    assert one["body"][0] == [TICKET] and many["body"][0] == [[TICKET] * 3] and kw["body"][1] == {"ticket": TICKET}


def test_an_explicit_repr_is_kept_and_the_summary_is_bounded() -> None:
    app = create_app(Settings(broker_url="memory://", queue="hdr-test"))
    m = _sent(app, INGEST, args=[TICKET], argsrepr="(custom)", kwargsrepr="{}")
    assert m["headers"]["argsrepr"] == "(custom)" and m["headers"]["kwargsrepr"] == "{}"
    a, k = args_summary(list(range(1000)), {f"k{i}" * 30: i for i in range(100)})
    assert len(a) <= 200 and len(k) <= 1000
    assert a.startswith("(<int>, <int>") and "k0k0" in k
    assert args_summary(None, None) == ("()", "{}")
