"""Python producer API: enqueue tickets as single messages or as envelopes of many."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from celery import Celery

from triage.settings import get_settings
from triage.worker import INGEST, INGEST_MANY


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def submit(
    tickets: Iterable[dict[str, Any]],
    *,
    app: Celery,
    batch_size: int = 100,
    single: bool = False,
    queue: str | None = None,
) -> int:
    """Enqueue tickets; `single` sends one `triage.ingest` per ticket. Returns messages sent."""
    queue = queue or app.conf.task_default_queue or get_settings().queue
    sent = 0
    with app.producer_or_acquire() as producer:
        if single:
            for t in tickets:
                app.send_task(INGEST, args=[t], queue=queue, producer=producer)
                sent += 1
        else:
            for chunk in _chunks(tickets, max(1, batch_size)):
                app.send_task(INGEST_MANY, args=[chunk], queue=queue, producer=producer)
                sent += 1
    return sent
