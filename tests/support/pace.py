"""The channels' pace on a clock the test holds (test support only).

:class:`HeldClock` is a :class:`~bot.transport.pacing.PaceClock` whose time moves only when the
test moves it: a turn planned for later is given exactly when the test says the time has come,
so the order of the turns is seen without any wait on real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


class HeldClock:
    """``free``: the time jumps to whatever moment is waited for (setting a test up); held,
    it moves only with :meth:`advance` and :meth:`to_next`."""

    def __init__(self, start: float = 1000.0, free: bool = False) -> None:
        self.t = start
        self.free = free
        self._moved: asyncio.Event | None = None
        self.sleepers: list[float] = []  # the moments waited for now

    def hold(self) -> None:
        self.free = False

    def release(self) -> None:
        """Free running from now on (what waits goes at once, in the order of its moment)."""
        self.free = True
        self.advance(0.0)

    def now(self) -> float:
        return self.t

    def sleep_until(self, at: float) -> Coroutine[Any, Any, None]:
        self.sleepers.append(at)  # at once, when the sleep is asked for
        return self._sleep(at)

    async def _sleep(self, at: float) -> None:
        try:
            while self.t < at:
                if self.free and at <= min(self.sleepers):
                    self.advance(at - self.t)
                    break
                if self._moved is None:
                    self._moved = asyncio.Event()
                await self._moved.wait()
        finally:
            self.sleepers.remove(at)
            if self.free:  # the others look again (one of them may be the earliest now)
                self.advance(0.0)

    def advance(self, seconds: float) -> None:
        self.t += seconds
        moved, self._moved = self._moved, None
        if moved is not None:
            moved.set()

    def to_next(self) -> float:
        """Move to the earliest moment waited for (nothing waited for: stay); the new time."""
        if self.sleepers:
            self.advance(max(0.0, min(self.sleepers) - self.t))
        return self.t


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Until ``condition()`` holds, looked at each time the event loop comes round (a state of
    the bot, never a moment of time)."""
    async with asyncio.timeout(timeout):
        await asyncio.sleep(0)  # what was just set in motion runs first
        while not condition():  # noqa: ASYNC110 (a state of the bot, not an event it sets)
            await asyncio.sleep(0.001)
