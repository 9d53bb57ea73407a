"""Sends the messages that committed state changes owe, and only marks them sent afterwards.

Every channel delivers through the same rules: ``send`` hands an item to the channel its chat
belongs to, and the channel's failures come as the port's kinds (``bot/transport/port.py``).

Delivery is at least once: a crash between a channel accepting a message and the ``sent`` mark
being committed repeats that message after the restart. At most ``CONCURRENCY`` messages are in
flight at any moment, so one crash can cause at most that many duplicates. A long message goes
out in parts, each part recorded once delivered, so a failure in the middle never repeats the
parts before it.

A message is owed until it is delivered, its channel refuses it for good (blocked bot, bad
request), or it no longer makes sense: a message with a time of its own (``expires_at``: a
reminder after its deadline). However long a channel is unreachable, nothing else is given up;
what is dropped is told once to the program's admins.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import suppress

from bot import hooks
from bot.core import Core
from bot.db import DatabaseLost
from bot.models import OutboxItem
from bot.services.delivery import owe_one
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

CONCURRENCY = 8
MAX_BACKOFF = 30.0  # seconds between passes while nothing can be sent

SendFn = Callable[[OutboxItem, PartSent], Awaitable[int | None]]


class OutboxWorker:
    def __init__(self, core: Core, send: SendFn) -> None:
        self.core = core
        self._send = send
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._closed: set[int] = set()  # chats that cannot be written to until they open
        self.sent_count = 0
        self.failed_count = 0
        self.expired_count = 0
        core.store.on_outbox.append(self.wake)

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def chat_open(self, chat_id: int) -> None:
        """A chat that could not be written to can be now (its person wrote first)."""
        if chat_id in self._closed:
            self._closed.discard(chat_id)
            self.wake()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="hoidap-outbox")
            self.wake()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def idle(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until everything owed so far has been sent or given up (tests, the demo)."""
        self.wake()
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def _run(self) -> None:
        backoff = 1.0
        while not self._stopping:
            self._wake.clear()
            try:
                progressed, pending = await self._pass()
            except DatabaseLost:  # said once where it was found; the bot is stopping
                self._idle.set()
                return
            except Exception:  # the worker must never die; the next pass retries
                log.exception("outbox pass failed")
                progressed, pending = False, True
            if not pending:
                backoff = 1.0
                self._idle.set()
                await self._wake.wait()
                continue
            if progressed:
                backoff = 1.0
                continue
            # Nothing could be sent (the channel unreachable): wait, then try again.
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _pass(self) -> tuple[bool, bool]:
        pending = await self.core.store.pending_outbox(skip_chats=self._closed)
        items = await self._drop_expired(pending)
        if not items:
            return False, False
        by_chat: OrderedDict[int, list[OutboxItem]] = OrderedDict()
        for item in items:
            by_chat.setdefault(item.chat_id, []).append(item)
        sem = asyncio.Semaphore(CONCURRENCY)
        results = await asyncio.gather(*(self._chat(chat, sem) for chat in by_chat.values()))
        return any(results), True

    async def _drop_expired(self, items: list[OutboxItem]) -> list[OutboxItem]:
        """Drop what no longer makes sense; tell each program's admins once what was dropped."""
        now = self.core.now()
        expired = [i for i in items if i.expires_at is not None and i.expires_at <= now]
        if not expired:
            return items
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

    async def _chat(self, items: list[OutboxItem], sem: asyncio.Semaphore) -> bool:
        """Send one chat's messages in order; stop at the first temporary failure."""
        progressed = False
        for item in items:
            async with sem:
                outcome = await self._one(item)
            if outcome is None:
                return progressed
            progressed = True
        return progressed

    async def _one(self, item: OutboxItem) -> bool | None:
        store = self.core.store

        async def part_sent(parts: int) -> None:
            async with store.transaction():
                await store.mark_part_sent(item.id, parts)

        try:
            message_id = await self._send(item, part_sent)
        except SlowDown as exc:
            log.warning("outbox: flood limit, retry after %ss", exc.retry_after)
            await asyncio.sleep(min(exc.retry_after, 60.0))
            return None
        except NotYet as exc:
            # Kept owed, not tried again until the channel says the chat opened (or a restart).
            log.info("outbox: chat %s waits: %s", item.chat_id, exc.message)
            self._closed.add(item.chat_id)
            return None
        except ChatMoved as exc:
            # The group became a supergroup: the program and every message it is owed move to
            # the new chat, and this one is sent there on the next pass.
            log.warning("outbox: chat %s is now %s", item.chat_id, exc.new_chat_id)
            if await follow_group_migration(self.core, item.chat_id, exc.new_chat_id):
                return None
            async with store.transaction():  # no program moved there (told to admins)
                await store.mark_failed(item.id, f"ChatMigrated: now {exc.new_chat_id}")
            self.failed_count += 1
            return False
        except Undeliverable as exc:
            # Permanent for this message (blocked bot, unknown chat, bad content): give up on it.
            async with store.transaction():
                await store.mark_failed(item.id, exc.message[:300])
            self.failed_count += 1
            log.warning(
                "outbox: message %s to chat %s not delivered: %s",
                item.id,
                item.chat_id,
                exc.message,
            )
            return False
        except ChannelError as exc:
            log.warning(
                "outbox: message %s to chat %s: %s (will retry)",
                item.id,
                item.chat_id,
                type(exc).__name__,
            )
            async with store.transaction():
                await store.mark_failed(item.id, None)  # counted; owed until it expires
            return None
        hooks.fire("after_send")  # inert unless test support armed it
        async with store.transaction():
            await store.mark_sent(item.id, message_id, self.core.now())
        self.sent_count += 1
        return True


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
