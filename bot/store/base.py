"""Every SQL statement of the application lives in this package.

The queries are grouped by concern in mixins over :class:`StoreBase`; :class:`Store` combines
them.

Services own transactions: ``async with store.transaction():`` serializes writers on the one
connection (aiosqlite runs statements on a single thread, so interleaved coroutines would otherwise
share a transaction) and commits or rolls back as a unit. Outbox rows written inside a transaction
become visible to the sender only after the commit, which then wakes it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from typing import Any

import aiosqlite

from bot.models import (
    Button,
    Buttons,
)
from bot.testing import crash


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
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
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
                if crash.ARMED:  # test support (bot/testing/crash.py), inert in production
                    crash.after_commit()
            finally:
                self._in_tx, self._owner = False, None
            if self._outbox_dirty:
                self._outbox_dirty = False
                for notify in self.on_outbox:
                    notify()

    # -- helpers ---------------------------------------------------------------------------

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self.conn.execute(sql, params) as cur:
            return cur.lastrowid or cur.rowcount

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        row = await self._one(sql, params)
        return int(row[0]) if row else 0
