"""Events of different people are handled concurrently; one person's events stay in order.

A slow step for one person (a file download, a channel call being retried) must not hold up
everyone else, but a person's own messages must be handled in the order they were sent: the
answers of a dialog, a button pressed right after a command.

:class:`KeyedLocks` is a lock per key (a sender), kept only while somebody holds or waits for
it. Whoever enters first, in the order the events came, goes first: ``asyncio.Lock`` wakes its
waiters in order, and a task takes a free lock without waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    def __len__(self) -> int:
        """How many keys are held or waited for now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else holds or waits: forget this key
                del self._users[key]
                del self._locks[key]
