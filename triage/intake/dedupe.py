"""Delivery de-duplication: remember each delivery id for a while; a replay is answered, not enqueued.

Helpdesks retry and may deliver twice (Zendesk documents at-least-once, out-of-order delivery). The
store is idempotent on (source, external_id) anyway, so this is an optimisation that keeps replays
off the queue — it never has to be perfect:

- Redis (the broker when it is Redis, or TRIAGE_INTAKE_DEDUPE_URL): `SET key 1 NX EX ttl`, shared by
  every intake process;
- otherwise an in-process LRU with expiry (per process: several intake processes behind RabbitMQ may
  each let one copy through, which the store then absorbs).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

KEY_PREFIX = "triage:intake:delivery:"


class Dedupe(Protocol):
    def claim(self, key: str) -> bool:
        """True if this key was not seen within the TTL (and now is)."""
        ...

    def release(self, key: str) -> None:
        """Forget a key (the delivery could not be enqueued: let the helpdesk's retry through)."""
        ...


class MemoryDedupe:
    """Thread-safe LRU of keys with expiry."""

    def __init__(self, ttl_s: float, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self.clock = clock
        self._keys: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            expires = self._keys.get(key)
            if expires is not None and expires > now:
                return False
            self._keys[key] = now + self.ttl_s
            self._keys.move_to_end(key)
            while len(self._keys) > self.max_keys:
                self._keys.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)


class RedisDedupe:
    """`SET NX EX` in Redis: one answer for every intake process."""

    def __init__(self, url: str, ttl_s: int) -> None:
        import redis

        self.ttl_s = ttl_s
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def claim(self, key: str) -> bool:
        return bool(self.client.set(KEY_PREFIX + key, b"1", nx=True, ex=self.ttl_s))

    def release(self, key: str) -> None:
        self.client.delete(KEY_PREFIX + key)


def from_settings(settings: object) -> Dedupe:
    """Redis when one is configured (or is the broker), else the in-process LRU."""
    url = getattr(settings, "intake_dedupe_url", "") or (
        settings.effective_broker_url if getattr(settings, "broker_kind", "") == "redis" else ""  # type: ignore[attr-defined]
    )
    ttl = int(getattr(settings, "intake_dedupe_ttl_s", 7 * 24 * 3600))
    if url:
        return RedisDedupe(url, ttl)
    return MemoryDedupe(ttl)
