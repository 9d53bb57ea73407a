"""Pacing of the bot's messages: each channel at its own limit, a person's reply first.

Every channel has one :class:`SlidingWindow` (Telegram: 30 messages in any 1.03 s; Zalo:
``HOIDAP_ZALO_RATE`` a second), and every message takes a turn from it before it starts. The
turns follow three rules:

- **The window.** At most ``limit`` messages start in any ``window`` seconds (by the times they
  really started). ``window`` is a little over the channel's own (1.03 s for Telegram's second)
  so that the jitter between a request's start and its arrival cannot put one too many into the
  server's window.
- **The grid.** Turns are spread evenly, ``window / limit`` apart. A turn taken late (the event
  loop woke up late) is made up on the next one, but only down to half a step: a stall of the
  loop is never made up in a burst, which the server's window would refuse (a stall of 40 ms
  used to let two or three messages start at once, a 429, and a burst again after each wait).
- **Replies first.** A turn goes to the oldest waiting *reply* (an answer to what a person just
  did) before any *bulk* message (what the outbox owes): a reply waits for at most one step of
  the grid, however long the outbox's queue.

- **When it reached the server.** A message counts in the window from its turn, or from when
  it may have reached the server, if later: its answer's time less the quickest round trip seen
  lately (:meth:`SlidingWindow.answered`). An event loop standing still right after a turn (a
  garbage collection of 50-80 ms was seen) holds that message up on its way, and 30 turns on
  the server would otherwise see 31 messages in its second.

After a flood answer (429, ``retry_after``) :meth:`SlidingWindow.pause` holds every turn until
the wait is over; then the grid starts again from there, one step at a time, never catching up
the pause.

Per chat, :class:`ChatWindows` keeps the limits of one chat (a Telegram group: 20 messages in any
minute; a private chat: 3 in any 3 s, about one a second) on top of the channel's.

The rules (:meth:`SlidingWindow.earliest`, :meth:`SlidingWindow.started`, :class:`ChatWindows`)
are pure arithmetic on the times given, tested with explicit times; the clock of the turns is
injected (:class:`PaceClock`), so a test can hold the turns and hand them out one by one.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import Protocol


class PaceClock(Protocol):
    """The pace's time (seconds, never going back) and a way to wait for a moment of it."""

    def now(self) -> float: ...

    async def sleep_until(self, at: float) -> None: ...


class MonotonicClock:
    """Real time: ``time.monotonic`` and the event loop's sleep."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep_until(self, at: float) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class SlidingWindow:
    """The turns of one channel (see the module's docstring): ``await window.turn(urgent)``
    before each message, or ``async with window:`` (a reply's turn). Turns of the same kind go
    in the order they were asked for.

    :meth:`earliest` and :meth:`started` are the rules as pure arithmetic on times (the tests
    use them directly). ``catch_up``: how much of a step a late turn may be made up on the next
    one (0.5: the next turn comes at least half a step after the late one).
    """

    def __init__(
        self,
        limit: int = 30,
        window: float = 1.03,
        catch_up: float = 0.5,
        clock: PaceClock | None = None,
    ) -> None:
        if limit < 1 or window <= 0 or not 0 <= catch_up <= 1:
            raise ValueError("a window needs limit >= 1, window > 0 and 0 <= catch_up <= 1")
        self.limit = limit
        self.window = window
        self.spacing = window / limit
        self.min_gap = self.spacing * (1 - catch_up)
        self.clock: PaceClock = clock if clock is not None else MonotonicClock()
        self._starts: deque[float] = deque(maxlen=limit)
        self._given = 0  # turns given so far (a turn's number: :meth:`answered`)
        self._trips: deque[float] = deque(maxlen=64)  # the latest round trips
        self._next = -math.inf  # the grid: when the next turn may start at the earliest
        self.paused_until = -math.inf
        self._waiting: tuple[deque[asyncio.Future[int]], deque[asyncio.Future[int]]] = (
            deque(),  # replies
            deque(),  # bulk
        )
        self._runner: asyncio.Task[None] | None = None
        self._changed: asyncio.Event | None = None
        self.granted: deque[tuple[float, bool]] = deque(maxlen=512)  # (start, urgent): tests
        self.sleeping: float | None = None  # the next turn's moment, while waiting for it (tests)

    # -- the rules ---------------------------------------------------------------------------

    def earliest(self, now: float) -> float:
        """When a turn asked for at ``now`` may start."""
        at = max(now, self._next, self.paused_until)
        if len(self._starts) == self.limit:
            at = max(at, min(self._starts) + self.window)
        return at

    def started(self, planned: float, at: float) -> int:
        """Record a turn that was planned for ``planned`` and started at ``at``; its number."""
        self._starts.append(at)
        self._next = max(planned + self.spacing, at + self.min_gap)
        self._given += 1
        return self._given - 1

    def answered(self, turn: int, at: float, answered_at: float) -> None:
        """The message of turn number ``turn`` (given at ``at``) was answered at ``answered_at``.

        It reached the server by ``answered_at`` less the way back, which takes at least its
        part of the quickest round trip seen lately; measured from that quickest trip, the
        message counts in the window from ``answered_at - quickest`` if that is after its turn
        (a message held up on its way by as much). A message answered as quickly as the
        quickest counts from its turn: a steady network costs nothing.
        """
        self._trips.append(answered_at - at)
        index = turn - (self._given - len(self._starts))
        if 0 <= index < len(self._starts):
            arrived = answered_at - min(self._trips)
            self._starts[index] = max(self._starts[index], arrived)

    def pause_at(self, until: float) -> None:
        """Nothing starts before ``until`` (a flood answer); then one step at a time again."""
        self.paused_until = max(self.paused_until, until)
        self._next = max(self._next, self.paused_until)

    # -- the turns ---------------------------------------------------------------------------

    def pause(self, seconds: float) -> None:
        """After a flood answer: no turn for ``seconds`` from now, then the grid from there."""
        self.pause_at(self.clock.now() + max(0.0, seconds))
        if self._changed is not None:
            self._changed.set()

    def waiting(self, urgent: bool | None = None) -> int:
        """How many turns are asked for and not given yet (of one kind, or both)."""
        queues = self._waiting if urgent is None else (self._waiting[0 if urgent else 1],)
        return sum(1 for q in queues for f in q if not f.done())

    async def acquire(self, amount: float = 1) -> None:
        """A reply's turn."""
        await self.turn(urgent=True)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def turn(self, urgent: bool = False) -> int:
        """A turn (urgent: a reply's); its number, for :meth:`answered`."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._waiting[0 if urgent else 1].append(future)
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run(), name="hoidap-pace")
        return await future  # cancelled: the runner skips it

    def _head(self) -> tuple[asyncio.Future[int], bool] | None:
        for urgent, queue in zip((True, False), self._waiting, strict=True):
            while queue and queue[0].done():
                queue.popleft()
            if queue:
                return queue[0], urgent
        return None

    async def _run(self) -> None:
        self._changed = asyncio.Event()
        window, clock = self, self.clock
        while self._head() is not None:
            now = clock.now()
            planned = window.earliest(now)
            while planned > now:
                await self._sleep_until(planned)  # back early when a pause is asked
                now = clock.now()
                later = window.earliest(now)
                if later <= now:
                    break  # its time has come (maybe late: made up on the next turn)
                planned = later
            head = self._head()  # a reply asked for meanwhile goes first
            if head is None:
                break
            future, urgent = head
            self._waiting[0 if urgent else 1].popleft()
            at = clock.now()
            number = window.started(planned, at)
            self.granted.append((at, urgent))
            future.set_result(number)
            await asyncio.sleep(0)  # the turn's owner starts before the next turn is given
        self._runner = None

    async def _sleep_until(self, at: float) -> None:
        assert self._changed is not None
        self._changed.clear()
        sleeper = asyncio.ensure_future(self.clock.sleep_until(at))
        changed = asyncio.ensure_future(self._changed.wait())
        self.sleeping = at
        try:
            await asyncio.wait((sleeper, changed), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.sleeping = None
            sleeper.cancel()
            changed.cancel()


class ChatWindows:
    """Per chat, at most ``limit`` messages in any ``span`` seconds (no grid: a chat may get a
    few at once, then waits). Chats not written to for ``span`` are forgotten."""

    def __init__(self, limit: int, span: float) -> None:
        if limit < 1 or span <= 0:
            raise ValueError("a chat window needs limit >= 1 and span > 0")
        self.limit = limit
        self.span = span
        self._starts: dict[int, deque[float]] = {}

    def earliest(self, chat: int, now: float) -> float:
        starts = self._starts.get(chat)
        if starts is None or len(starts) < self.limit:
            return now
        return max(now, starts[0] + self.span)

    def started(self, chat: int, at: float) -> None:
        starts = self._starts.get(chat)
        if starts is None:
            if len(self._starts) >= 4096:
                self._forget(at)
            starts = self._starts[chat] = deque(maxlen=self.limit)
        starts.append(at)

    def _forget(self, now: float) -> None:
        for chat in [c for c, s in self._starts.items() if s[-1] <= now - self.span]:
            del self._starts[chat]

    def __len__(self) -> int:
        return len(self._starts)
