"""Pacing of the bot's messages to Telegram's overall limit (30 messages in any second).

PTB's ``AIORateLimiter`` paces with a leaky bucket (``aiolimiter``). A bucket of 30 lets 30
messages go at once and 30 more within the same second, which a strict sliding window refuses
(429, and every request then waits ``retry_after``). A bucket of one message draining at
28/s never bursts, but every wake-up of the event loop that comes late is lost for good: on a
busy machine 301 messages took 11.4 s instead of 10.8.

:class:`SlidingWindow` keeps the rule itself: at most ``limit`` messages start in any
``window`` seconds (by the times they really started), spread evenly on a grid of
``window / limit`` seconds; a late wake-up is made up on the next message (the grid does not
slip), never beyond the window rule. ``window`` is a little over one second so that jitter
between a request's start and its arrival at Telegram cannot put 31 into one second there.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from aiolimiter import AsyncLimiter


class SlidingWindow(AsyncLimiter):
    """``async with limiter:`` before each message (used as AIORateLimiter's overall limiter)."""

    def __init__(self, limit: int = 30, window: float = 1.03) -> None:
        super().__init__(limit, window)
        self.limit = limit
        self.window = window
        self.spacing = window / limit
        self._starts: deque[float] = deque(maxlen=limit)
        self._next = 0.0  # the grid: when the next message may start at the earliest
        self._turn = asyncio.Lock()

    def earliest(self, now: float) -> float:
        """When a message asked for at ``now`` may start (pure: used by the tests)."""
        at = max(now, self._next)
        if len(self._starts) == self.limit:
            at = max(at, self._starts[0] + self.window)
        return at

    def started(self, planned: float, at: float) -> None:
        """Record a message that was planned for ``planned`` and started at ``at``."""
        self._starts.append(at)
        self._next = planned + self.spacing

    async def acquire(self, amount: float = 1) -> None:
        async with self._turn:  # one at a time, in the order asked
            now = time.monotonic()
            planned = self.earliest(now)
            if planned > now:
                await asyncio.sleep(planned - now)
            at = time.monotonic()
            # A late wake-up never lets more than ``limit`` start in ``window``.
            while len(self._starts) == self.limit and at < self._starts[0] + self.window:
                await asyncio.sleep(self._starts[0] + self.window - at)
                at = time.monotonic()
            self.started(planned, at)
