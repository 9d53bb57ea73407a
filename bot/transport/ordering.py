"""Updates of different people are handled concurrently; one person's updates stay in order.

A slow step for one person (a file download, a Telegram call being retried) must not hold up
everyone else, but a person's own messages must be handled in the order they were sent: the
answers of a dialog, a button pressed right after a command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("hoidap")


def ordering_key(update: object) -> int | None:
    """Whose updates must not overtake each other: the sender's, else the chat's."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


# Updates in flight at once. Telegram takes about 30 messages a second from a bot and a Bot API
# call takes 100-300 ms, so 8 in flight already reach that limit; more only queue at the rate
# limiter while every extra task costs the event loop time (BENCHMARKS.md (a): on one machine,
# 32 in flight handle 0.4x the updates a second of 1 at a time, 8 about 0.65x). A slow update
# (a large file being read off the loop) holds one of the 8, never the others.
MAX_CONCURRENT_UPDATES = 8


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # Awaited when an update is through, however it ended (the store marks it seen).
        self.after_update: list[Callable[[], Awaitable[None]]] = []

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            for finish in self.after_update:
                try:
                    await finish()
                except Exception:  # the database is gone (logged once where found)
                    log.warning("could not finish an update", exc_info=True)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued behind: forget this sender
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
