"""Every SQL statement of the application lives in this package.

The queries are grouped by concern in mixins over :class:`StoreBase`; :class:`Store` combines
them.

Services own transactions: ``async with store.transaction():`` serializes writers on the one
connection (aiosqlite runs statements on a single thread, so interleaved coroutines would otherwise
share a transaction) and commits or rolls back as a unit. Outbox rows written inside a transaction
become visible to the sender only after the commit, which then wakes it.

Every write transaction (and every write on its own) first checks that the database file is
still the one that was opened (``bot.db.FileWatch``, one ``os.stat``): after the file was
deleted or replaced it raises ``DatabaseLost`` before anything is written.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from typing import Any

import aiosqlite

from bot import hooks
from bot.db import FileWatch
from bot.models import (
    Button,
    Buttons,
)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _hm(value: str) -> time:
    return time.fromisoformat(value)


def buttons_to_json(buttons: Buttons) -> str | None:
    if not buttons:
        return None
    return json.dumps(
        [[{"text": b.text, "token": b.token, "url": b.url} for b in row] for row in buttons],
        ensure_ascii=False,
    )


def buttons_from_json(raw: str | None) -> Buttons:
    if not raw:
        return ()
    return tuple(
        tuple(Button(text=b["text"], token=b.get("token"), url=b.get("url")) for b in row)
        for row in json.loads(raw)
    )


class StoreBase:
    def __init__(self, conn: aiosqlite.Connection, watch: FileWatch | None = None) -> None:
        self.conn = conn
        self.watch = watch  # the identity of the database file (None: not watched)
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        # Write-through cache of people by Telegram id: every update starts by looking up who
        # sent it. This process is the only writer (the database lock file), and every write to
        # `people` drops the entry, so a rolled-back change is simply read again.
        self._people: dict[int, Any] = {}
        # The active programs, read on every update; dropped by every write to `programs`.
        self._programs: list[Any] | None = None
        self._in_tx = False
        self._outbox_dirty = False
        self.on_outbox: list[Callable[[], None]] = []

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._in_tx and self._owner is task:
            # Nested use inside the same task joins the outer transaction.
            yield
            return
        async with self._lock:
            if self.watch is not None:
                self.watch.check()  # DatabaseLost: the file is gone; write nothing
            await self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx, self._owner = True, task
            try:
                yield
            except BaseException:
                self._outbox_dirty = False
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
                hooks.fire("after_commit")  # inert unless test support armed it
            finally:
                self._in_tx, self._owner = False, None
            if self._outbox_dirty:
                self._outbox_dirty = False
                for notify in self.on_outbox:
                    notify()

    def _forget_person(self, person_id: int) -> None:
        for tg_user_id, person in list(self._people.items()):
            if person.id == person_id:
                del self._people[tg_user_id]

    # -- helpers ---------------------------------------------------------------------------
    # Each helper is one round trip to aiosqlite's worker thread: on the hot path of every update
    # these round trips, not SQLite itself, are what costs time.

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = list(await self.conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement that changes data, inside the caller's transaction or on its own.

        On its own it commits by itself (autocommit) and takes the lock, so it can never become
        part of a transaction another task has open on the shared connection.
        """
        if self._in_tx and self._owner is asyncio.current_task():
            return await self.conn.execute(sql, params)
        async with self._lock:
            if self.watch is not None:
                self.watch.check()
            return await self.conn.execute(sql, params)

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A write; returns the new row id of an INSERT, else the number of rows changed."""
        cur = await self._write(sql, params)
        return cur.lastrowid or cur.rowcount

    async def _changed(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A write; returns the number of rows it changed (0 for an ignored INSERT)."""
        return (await self._write(sql, params)).rowcount

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        row = await self._one(sql, params)
        return int(row[0]) if row else 0
