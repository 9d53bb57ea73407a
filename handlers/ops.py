"""The flood throttle of the chat layer (used by the dispatcher, ``handlers/dispatch.py``).

The throttle is a token bucket per sender, on every channel: ``capacity`` events, refilled
evenly over ``window`` (20 per 30 s by default). Beyond that the person's events are dropped
before they reach any handler, with at most one polite notice per window, and logged.
Time comes from the injected clock (``core.now()``). Its state is kept in memory; each throttling
is an audit event (``throttled``), from which a restart empties again the buckets of those
throttled within the window (``Dispatcher.restore``): a restart is no way round the gate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

log = logging.getLogger("hoidap.throttle")

CAPACITY = 20
WINDOW = timedelta(seconds=30)


class Verdict(Enum):
    PASS = "pass"
    NOTICE = "notice"  # dropped; tell the person once in this window
    DROP = "drop"  # dropped silently


@dataclass
class _Bucket:
    tokens: float
    stamp: datetime
    noticed_at: datetime | None = None
    dropped: int = 0


class Throttle:
    """A token bucket per user id; :meth:`check` says what to do with one update."""

    def __init__(
        self, capacity: int = CAPACITY, window: timedelta = WINDOW, max_users: int = 10_000
    ) -> None:
        if capacity < 1 or window <= timedelta(0):
            raise ValueError("a throttle needs a positive capacity and window")
        self.capacity = capacity
        self.window = window
        self.max_users = max_users
        self._rate = capacity / window.total_seconds()  # tokens per second
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int, now: datetime) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:
                self._prune(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.capacity), now)
        elapsed = (now - bucket.stamp).total_seconds()
        # A clock set back (tests, a restored clock) refills nothing and restarts the count.
        bucket.tokens = min(self.capacity, bucket.tokens + max(elapsed, 0.0) * self._rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.PASS
        bucket.dropped += 1
        if bucket.noticed_at is None or not timedelta(0) <= now - bucket.noticed_at < self.window:
            bucket.noticed_at = now
            return Verdict.NOTICE
        return Verdict.DROP

    def exhaust(self, user_id: int, now: datetime) -> None:
        """The bucket of someone throttled before a restart: empty, their notice given."""
        self._buckets[user_id] = _Bucket(0.0, now, noticed_at=now)

    def dropped(self, user_id: int) -> int:
        """How many updates of ``user_id`` were dropped so far (for logs and tests)."""
        bucket = self._buckets.get(user_id)
        return bucket.dropped if bucket else 0

    def _prune(self, now: datetime) -> None:
        # Forget people whose bucket has refilled completely: they are not flooding.
        full = self.window.total_seconds()
        for user_id in [
            uid for uid, b in self._buckets.items() if (now - b.stamp).total_seconds() >= full
        ]:
            del self._buckets[user_id]
