"""Sends the messages that committed state changes owe, and only marks them sent afterwards.

**One send loop per channel** (a :class:`Lane`): Telegram's, Zalo's, and one for addresses no
channel owns. A lane reads what is owed to its channel as it is committed (woken by every commit
that owes something, reading on from where it stopped: no batch to finish first), keeps each
chat's messages in order, and sends to up to ``CONCURRENCY`` chats at once, each message in its
turn of the channel's pace (``bot/transport/pacing.py``). A channel that is slow, stalled or
down holds up only its own lane: a Telegram message owed while Zalo works through a
300-person publish goes at once.

- A chat that must wait by its own limits (a Telegram group's 20 a minute) is put aside until
  it may be written to; the lane's senders go on with other chats meanwhile.
- Several admin notices waiting for one chat together (``bot/services/delivery.py``) go as one
  digest message; while the scheduler runs programs' steps (many programs fall due at the same
  moment) a notice waits for the others of its moment, up to ``HOLD`` seconds.
- ``SlowDown`` (a flood answer) holds the whole lane for ``retry_after``; the channel's pace
  holds its replies too, and starts again one step at a time.

Every channel delivers through the same rules: the channel's failures come as the port's kinds
(``bot/transport/port.py``).

Delivery is at least once: a crash between a channel accepting a message and the ``sent`` mark
being committed repeats that message after the restart. At most ``CONCURRENCY`` messages are in
flight on each channel at any moment, so one crash can repeat at most that many per channel. A
long message goes out in parts, each part recorded once delivered, so a failure in the middle
never repeats the parts before it.

A message is owed until it is delivered, its channel refuses it for good (blocked bot, bad
request), or it no longer makes sense: a message with a time of its own (``expires_at``: a
reminder after its deadline). However long a channel is unreachable, nothing else is given up;
what is dropped is told once to the program's admins.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from bot import hooks
from bot.core import Core
from bot.db import DatabaseLost
from bot.models import OutboxItem
from bot.services.delivery import DIGEST_MAX, digest, digestible, owe_one
from bot.services.roster import follow_group_migration
from bot.transport.port import (
    ChannelError,
    ChatMoved,
    NotYet,
    PartSent,
    SlowDown,
    Undeliverable,
)

log = logging.getLogger("hoidap.outbox")

CONCURRENCY = 8  # messages in flight on one channel at most
MAX_BACKOFF = 30.0  # seconds between tries of a chat that cannot be reached
PAGE = 200  # owed messages looked at per read
HELD = 1000  # owed messages one lane keeps in hand at most
HOLD = 10.0  # seconds an admin notice waits at most for the scheduled steps of its moment
MAX_SLOWDOWN = 60.0  # a flood answer is waited out for this long at most

SendFn = Callable[[OutboxItem, PartSent | None], Awaitable[int | None]]


class Route(Protocol):
    """What a lane sends through (a channel of the port, or the composition root's fallback)."""

    def owns(self, chat_id: int) -> bool: ...

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None: ...


class _Outcome(Enum):
    SENT = "sent"  # delivered (or given up for good): the next one
    RETRY = "retry"  # not now: the chat is tried again later
    SLOW = "slow"  # a flood answer: the whole lane waits
    CLOSED = "closed"  # the chat waits until its person writes (Zalo)
    MOVED = "moved"  # the chat has a new address: its messages are read again there


@dataclass(frozen=True)
class _Result:
    outcome: _Outcome
    wait: float = 0.0  # SLOW: seconds
    chat: int | None = None  # MOVED: where the messages went


_BUSY = "busy"
_READY = "ready"
_RETRY, _WAIT, _NOTICE = "retry", "wait", "notice"


class Lane:
    """One channel's send loop (see the module's docstring)."""

    def __init__(self, worker: OutboxWorker, name: str, route: Route) -> None:
        self.worker = worker
        self.core = worker.core
        self.name = name
        self.route = route
        self.concurrency = CONCURRENCY
        self.queues: dict[int, deque[OutboxItem]] = {}  # chat -> what it is owed, in order
        self.held: set[int] = set()  # ids in hand (in a queue or being sent)
        self.done_ahead: set[int] = set()  # finished ids above the cursor (read out of turn)
        self.read_at: dict[int, float] = {}  # id -> loop time it was read (digests)
        # Where each chat with messages in hand is: ready, busy (a sender has it), or later.
        self.where: dict[int, object] = {}
        self.ready: deque[int] = deque()
        # Chats put aside: (loop time, seq, chat, why): RETRY after a failure (a commit brings
        # them back at once), WAIT for the chat's own limit, NOTICE for the other notices of
        # the moment (back after the next read, or when the steps are done).
        self.later: list[tuple[float, int, int, str]] = []
        self.closed: set[int] = set()  # chats that wait until they open (not read meanwhile)
        self.reread: set[int] = set()  # chats whose messages are read again (opened, moved)
        self.cursor = 0  # the last id looked at
        self.capped = False  # the last read stopped at HELD
        self.resume_at = 0.0  # loop time: a flood answer holds the lane until then
        self.backoff = 1.0
        self._seq = 0
        self._reading = 0
        self._read = asyncio.Event()  # something to read
        self._changed = asyncio.Event()  # something for the senders
        self._idle = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.lost = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._tasks:
            return
        self.wake()
        self._tasks.append(asyncio.create_task(self._reader(), name=f"hoidap-outbox-{self.name}"))
        for n in range(self.concurrency):
            name = f"hoidap-outbox-{self.name}-{n}"
            self._tasks.append(asyncio.create_task(self._sender(), name=name))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task

    def wake(self, retry: bool = True) -> None:
        """Something was committed: read on; ``retry``: chats waiting after a failure are
        tried again now."""
        self._idle.clear()
        self._read.set()
        if retry:
            self._bring_back(_RETRY)
        self._changed.set()

    def _bring_back(self, why: str) -> None:
        """The chats put aside for ``why``, ready now."""
        if not any(entry[3] == why for entry in self.later):
            return
        kept = []
        for entry in self.later:
            _, seq, chat, reason = entry
            if reason == why and self.where.get(chat) == ("later", seq):
                self._schedule(chat)
            else:
                kept.append(entry)
        heapq.heapify(kept)
        self.later = kept

    def open(self, chat_id: int) -> bool:
        """A chat that could not be written to can be now."""
        if chat_id not in self.closed:
            return False
        self.closed.discard(chat_id)
        self.reread.add(chat_id)
        self.wake(retry=False)
        return True

    async def idle(self) -> None:
        await self._idle.wait()

    def _check_idle(self) -> None:
        if self.lost or (
            not self.held and not self._read.is_set() and not self._reading and not self.reread
        ):
            self._idle.set()

    # -- reading what is owed ----------------------------------------------------------------

    async def _reader(self) -> None:
        while True:
            self._read.clear()
            try:
                await self.read()
            except DatabaseLost:  # said once where it was found; the bot is stopping
                self._gone()
                return
            except Exception:  # the loop must never die; the next wake reads again
                log.exception("outbox %s: reading what is owed failed", self.name)
                await asyncio.sleep(self.backoff)
                self._read.set()
            if not self._read.is_set():
                self._bring_back(_NOTICE)  # all of the moment's notices are in hand now
            self._check_idle()
            if not self._read.is_set():
                await self._read.wait()

    async def read(self) -> None:
        """Take in hand what was committed since the last read (and the chats to read again)."""
        store = self.core.store
        self._reading += 1
        try:
            while self.reread:
                chat = self.reread.pop()
                fresh = [i for i in await store.owed_to(chat) if i.id not in self.held]
                self._take(await self.worker.drop_expired(fresh))
            while len(self.held) < HELD:
                rows = await store.owed_after(self.cursor, PAGE)
                if not rows:
                    break
                route, closed, held, ahead = self.route, self.closed, self.held, self.done_ahead
                mine = [
                    i
                    for i, chat in rows
                    if i not in held and i not in ahead and chat not in closed and route.owns(chat)
                ]
                if mine:
                    items = await store.owed_items(mine)
                    self._take(await self.worker.drop_expired(items))
                self.cursor = max(self.cursor, rows[-1][0])
                if self.done_ahead:
                    self.done_ahead = {i for i in self.done_ahead if i > self.cursor}
                if len(rows) < PAGE:
                    break
            self.capped = len(self.held) >= HELD
        finally:
            self._reading -= 1

    def _take(self, items: Sequence[OutboxItem]) -> None:
        now = asyncio.get_running_loop().time()
        for item in items:
            if item.id in self.held:
                continue
            self.held.add(item.id)
            self.read_at[item.id] = now
            queue = self.queues.setdefault(item.chat_id, deque())
            if queue and queue[-1].id > item.id:  # read out of turn (a chat read again)
                queue.append(item)
                ordered = sorted(queue, key=lambda i: i.id)
                queue.clear()
                queue.extend(ordered)
            else:
                queue.append(item)
            if item.chat_id not in self.where:
                self._schedule(item.chat_id)

    def _finish(self, items: Sequence[OutboxItem]) -> None:
        """Items delivered or given up: out of hand."""
        for item in items:
            self.held.discard(item.id)
            self.read_at.pop(item.id, None)
            if item.id > self.cursor:
                self.done_ahead.add(item.id)
        if self.capped and len(self.held) < HELD // 2:
            self.capped = False
            self._read.set()

    def _drop_chat(self, chat: int) -> None:
        """Forget what a chat is owed (read again when it matters)."""
        queue = self.queues.pop(chat, deque())
        for item in queue:
            self.held.discard(item.id)
            self.read_at.pop(item.id, None)
        self.where.pop(chat, None)
        if self.capped and len(self.held) < HELD // 2:
            self.capped = False
            self._read.set()

    def _gone(self) -> None:
        self.lost = True
        self._idle.set()

    # -- which chat next ---------------------------------------------------------------------

    def _schedule(self, chat: int, front: bool = False) -> None:
        self.where[chat] = _READY
        if front:
            self.ready.appendleft(chat)
        else:
            self.ready.append(chat)
        self._changed.set()

    def _defer(self, chat: int, seconds: float, why: str) -> None:
        self._seq += 1
        due = asyncio.get_running_loop().time() + seconds
        self.where[chat] = ("later", self._seq)
        heapq.heappush(self.later, (due, self._seq, chat, why))
        self._changed.set()

    def _release(self, chat: int) -> None:
        """A sender is done with a chat (unless it put the chat aside already)."""
        if self.where.get(chat) != _BUSY:
            return
        if self.queues.get(chat):
            self._schedule(chat)
        else:
            self.queues.pop(chat, None)
            del self.where[chat]
        self._check_idle()

    def _due(self, now: float) -> None:
        while self.later and self.later[0][0] <= now:
            _, seq, chat, _ = heapq.heappop(self.later)
            if self.where.get(chat) == ("later", seq):
                self._schedule(chat)

    def _delay(self, chat: int) -> float:
        delay = getattr(self.route, "delay", None)
        return float(delay(chat)) if callable(delay) else 0.0

    async def _next_chat(self) -> int:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now < self.resume_at:  # a flood answer: nothing on this channel until then
                await asyncio.sleep(self.resume_at - now)
                continue
            self._due(now)
            while self.ready:
                chat = self.ready.popleft()
                if self.where.get(chat) != _READY:
                    continue
                if not self.queues.get(chat):
                    self.queues.pop(chat, None)
                    del self.where[chat]
                    continue
                wait = self._delay(chat)
                if wait > 0:  # the chat's own limit: others go meanwhile
                    self._defer(chat, wait, _WAIT)
                    continue
                self.where[chat] = _BUSY
                return chat
            self._check_idle()
            self._changed.clear()
            timeout = max(0.0, self.later[0][0] - now) if self.later else None
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)

    # -- sending -----------------------------------------------------------------------------

    async def _sender(self) -> None:
        while True:
            chat = await self._next_chat()
            try:
                await self.drain(chat)
            except DatabaseLost:
                self._gone()
                return
            except Exception:  # the loop must never die; the chat is tried again later
                log.exception("outbox %s: sending to chat %s failed", self.name, chat)
                if self.where.get(chat) == _BUSY:
                    self._defer(chat, self._backoff(), _RETRY)
            finally:
                self._release(chat)

    def _backoff(self) -> float:
        wait, self.backoff = self.backoff, min(self.backoff * 2, MAX_BACKOFF)
        return wait

    def _batch(self, queue: deque[OutboxItem], sweep: bool) -> list[OutboxItem] | float:
        """What goes next to this chat: one message, or a digest of admin notices; or how long
        to wait for the notices of the same moment."""
        head = queue[0]
        if not digestible(head):
            return [head]
        batch = [head]
        for item in list(queue)[1:DIGEST_MAX]:
            if not digestible(item):
                break
            batch.append(item)
        reading = self._read.is_set() or self._reading > 0
        if not sweep and (self.core.steps_running or reading) and len(batch) < DIGEST_MAX:
            wait = self.read_at.get(head.id, 0.0) + HOLD - asyncio.get_running_loop().time()
            if wait > 0:
                return wait  # back once the steps are done and what they owe is read
        return batch

    async def drain(self, chat: int, sweep: bool = False) -> bool:
        """Send a chat's messages in order until it must wait; True if any went."""
        queue = self.queues.get(chat)
        progressed = False
        while queue:
            now = self.core.now()
            expired = [i for i in queue if i.expires_at is not None and i.expires_at <= now]
            if expired:
                await self.worker.drop_expired(expired)
                gone = {i.id for i in expired}
                kept = [i for i in queue if i.id not in gone]
                queue.clear()
                queue.extend(kept)
                self._finish(expired)
                progressed = True
                continue
            batch = self._batch(queue, sweep)
            if isinstance(batch, float):
                self._defer(chat, batch, _NOTICE)
                return progressed
            result = await self._send(chat, batch)
            if result.outcome is _Outcome.SENT:
                for _ in batch:
                    queue.popleft()
                self._finish(batch)
                self.backoff = 1.0
                progressed = True
                if queue and not sweep and (wait := self._delay(chat)) > 0:
                    self._defer(chat, wait, _WAIT)
                    return progressed
                continue
            if result.outcome is _Outcome.RETRY:
                self._defer(chat, self._backoff(), _RETRY)
            elif result.outcome is _Outcome.SLOW:
                loop = asyncio.get_running_loop()
                self.resume_at = max(self.resume_at, loop.time() + min(result.wait, MAX_SLOWDOWN))
                self._schedule(chat, front=True)
            elif result.outcome is _Outcome.CLOSED:
                self._drop_chat(chat)
                self.closed.add(chat)
                self._check_idle()
            elif result.outcome is _Outcome.MOVED:
                self._drop_chat(chat)
                self.reread.update({chat, result.chat or chat})
                self._read.set()
            return progressed
        return progressed

    async def _send(self, chat: int, batch: list[OutboxItem]) -> _Result:
        store = self.core.store
        worker = self.worker
        single = len(batch) == 1
        item = batch[0] if single else digest(batch)
        ids = [i.id for i in batch]

        async def part_sent(parts: int) -> None:
            async with store.transaction():
                await store.mark_part_sent(item.id, parts)
            queue = self.queues.get(chat)
            if queue and queue[0].id == item.id:  # a retry starts after the parts delivered
                queue[0] = replace(queue[0], parts_sent=parts)

        try:
            message_id = await self.route.send(item, part_sent if single else None)
        except SlowDown as exc:
            log.warning("outbox %s: flood limit, retry after %ss", self.name, exc.retry_after)
            return _Result(_Outcome.SLOW, wait=exc.retry_after)
        except NotYet as exc:
            # Kept owed, not tried again until the channel says the chat opened (or a restart).
            log.info("outbox: chat %s waits: %s", chat, exc.message)
            return _Result(_Outcome.CLOSED)
        except ChatMoved as exc:
            # The group became a supergroup: the program and every message it is owed move to
            # the new chat, and this one is sent there.
            log.warning("outbox: chat %s is now %s", chat, exc.new_chat_id)
            if await follow_group_migration(self.core, chat, exc.new_chat_id):
                return _Result(_Outcome.MOVED, chat=exc.new_chat_id)
            now_at = {i.chat_id for i in await store.owed_items(ids)}
            if now_at and chat not in now_at:  # moved meanwhile (the group's service message)
                return _Result(_Outcome.MOVED, chat=next(iter(now_at)))
            async with store.transaction():  # no program moved there (told to admins)
                for i in ids:
                    await store.mark_failed(i, f"ChatMigrated: now {exc.new_chat_id}")
            worker.failed_count += len(ids)
            return _Result(_Outcome.SENT)
        except Undeliverable as exc:
            # Permanent for this message (blocked bot, unknown chat, bad content): give up on it.
            async with store.transaction():
                for i in ids:
                    await store.mark_failed(i, exc.message[:300])
            worker.failed_count += len(ids)
            log.warning(
                "outbox: message %s to chat %s not delivered: %s", item.id, chat, exc.message
            )
            return _Result(_Outcome.SENT)
        except ChannelError as exc:
            log.warning(
                "outbox: message %s to chat %s: %s (will retry)",
                item.id,
                chat,
                type(exc).__name__,
            )
            async with store.transaction():
                for i in ids:
                    await store.mark_failed(i, None)  # counted; owed until it expires
            return _Result(_Outcome.RETRY)
        hooks.fire("after_send")  # inert unless test support armed it
        async with store.transaction():
            await store.mark_sent_many(ids, message_id, self.core.now())
        worker.sent_count += len(ids)
        if not single:
            worker.digests += 1
        return _Result(_Outcome.SENT)

    async def sweep(self) -> tuple[bool, bool]:
        """Read what is owed and try every chat not in a sender's hands once, now (what a pass
        of the old single loop did; tests drive it by hand). (progressed, still owed)."""
        await self.read()
        progressed = False
        for chat in list(self.queues):
            if self.where.get(chat) == _BUSY or chat in self.closed:
                continue
            self.where[chat] = _BUSY
            try:
                progressed = await self.drain(chat, sweep=True) or progressed
            finally:
                self._release(chat)
        return progressed, bool(self.held)


class _Elsewhere:
    """The lane of addresses no channel owns: a program without a group, a channel that is not
    configured (the composition root says what becomes of them)."""

    def __init__(self, worker: OutboxWorker, send: SendFn) -> None:
        self.worker = worker
        self._send = send

    def owns(self, chat_id: int) -> bool:
        return not any(channel.owns(chat_id) for channel in self.worker.channels)

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None:
        for channel in self.worker.channels:  # a channel added since the message was read
            if channel.owns(item.chat_id):
                return await channel.send(item, part_sent)
        return await self._send(item, part_sent)


class OutboxWorker:
    """The send loops of every channel (``channels``: the composition root's list, which may
    grow while the bot runs); ``elsewhere`` sends what no channel owns."""

    def __init__(self, core: Core, channels: Sequence[Route], elsewhere: SendFn) -> None:
        self.core = core
        self.channels = channels
        self._elsewhere = _Elsewhere(self, elsewhere)
        self.lanes: dict[int, Lane] = {}  # id(route) -> its lane
        self._running = False
        self.sent_count = 0
        self.failed_count = 0
        self.expired_count = 0
        self.digests = 0  # digest messages sent (each of several notices)
        core.store.on_outbox.append(self.wake)
        core.on_steps_done.append(self._steps_done)

    def _lanes(self) -> list[Lane]:
        """The lanes, one per channel of the list as it is now (and the one for the rest)."""
        routes: list[tuple[str, Route]] = [
            (str(getattr(c, "name", type(c).__name__)), c) for c in self.channels
        ]
        routes.append(("elsewhere", self._elsewhere))
        for name, route in routes:
            if id(route) not in self.lanes:
                lane = self.lanes[id(route)] = Lane(self, name, route)
                if self._running:
                    lane.start()
        return list(self.lanes.values())

    def lane(self, name: str) -> Lane:
        """The lane of a channel by its name (tests, the benchmarks)."""
        return next(lane for lane in self._lanes() if lane.name == name)

    def wake(self) -> None:
        for lane in self._lanes():
            lane.wake()

    def _steps_done(self) -> None:
        """The scheduled steps of a moment are done: once what they owe is read, the notices
        held for them go (as one digest per admin)."""
        for lane in self._lanes():
            lane.wake(retry=False)

    def chat_open(self, chat_id: int) -> None:
        """A chat that could not be written to can be now (its person wrote first)."""
        for lane in self._lanes():
            lane.open(chat_id)

    def start(self) -> None:
        self._running = True
        for lane in self._lanes():
            lane.start()

    async def stop(self) -> None:
        self._running = False
        for lane in list(self.lanes.values()):
            await lane.stop()

    async def idle(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until everything owed so far has been sent or given up (tests, the demo)."""
        lanes = self._lanes()
        for lane in lanes:
            lane.wake()
        async with asyncio.timeout(timeout):
            for lane in lanes:
                await lane.idle()

    async def _pass(self) -> tuple[bool, bool]:
        """One look at everything owed on every channel, each chat tried once now (the fault
        tests drive it by hand while a channel is down). (progressed, still owed)."""
        progressed = pending = False
        for lane in self._lanes():
            p, q = await lane.sweep()
            progressed, pending = progressed or p, pending or q
        return progressed, pending

    async def drop_expired(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """Drop what no longer makes sense; tell each program's admins once what was dropped.
        The rest, in order."""
        now = self.core.now()
        expired = [i for i in items if i.expires_at is not None and i.expires_at <= now]
        if not expired:
            return list(items)
        store = self.core.store
        dropped: dict[int | None, list[OutboxItem]] = {}
        async with store.transaction():
            for item in expired:
                if await store.mark_expired(item.id):
                    dropped.setdefault(item.program_id, []).append(item)
            for program_id, lost in dropped.items():
                log.warning(
                    "outbox: %d message(s) of program %s dropped: no longer meaningful (%s)",
                    len(lost),
                    program_id,
                    ", ".join(sorted({i.template for i in lost})),
                )
                await notify_dropped(self.core, program_id, lost)
        self.expired_count += sum(len(v) for v in dropped.values())
        gone = {i.id for i in expired}
        return [i for i in items if i.id not in gone]


async def notify_dropped(core: Core, program_id: int | None, lost: list[OutboxItem]) -> None:
    """Tell the admins (of the program, else the bot's) which owed messages were dropped."""
    store = core.store
    program = await store.program(program_id) if program_id is not None else None
    admins = await core.admins(program) if program is not None else await store.superadmins()
    ctx = {
        "program": {"id": program.id, "title": program.title} if program else None,
        "lost": [
            {
                "template": i.template,
                "to_group": i.chat_id < 0,
                "person": (i.context.get("person") or {}).get("name"),
                "created_at": i.created_at.isoformat() if i.created_at else None,
            }
            for i in lost
        ],
    }
    for admin in admins:
        # Never itself dropped for a deadline: it says what was lost.
        await owe_one(core, admin.tg_user_id, "outbox_dropped_admin", ctx)
