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
import contextvars
import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot import hooks
from bot.db import FileWatch
from bot.models import (
    Button,
    Buttons,
)

if TYPE_CHECKING:
    from bot.models import Person
    from bot.store.zalo import ZaloAccount


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
        [
            [{"text": b.text, "token": b.token, "url": b.url, "kind": b.kind} for b in row]
            for row in buttons
        ],
        ensure_ascii=False,
    )


def buttons_from_json(raw: str | None) -> Buttons:
    if not raw:
        return ()
    return tuple(
        tuple(
            Button(text=b["text"], token=b.get("token"), url=b.get("url"), kind=b.get("kind"))
            for b in row
        )
        for row in json.loads(raw)
    )


@dataclass
class SeenUpdate:
    """The update being handled, to be marked seen in its first transaction (or at its end)."""

    update_id: int
    seen_at: str
    written: bool = False


# The update the current task is handling (set by ``PeopleQueries.mark_update_seen``).
_SEEN: contextvars.ContextVar[SeenUpdate | None] = contextvars.ContextVar(
    "hoidap_seen_update", default=None
)
log = logging.getLogger("hoidap.store")
SEEN_SQL = "INSERT OR IGNORE INTO seen_updates (update_id, seen_at) VALUES (?, ?)"
SEEN_BATCH = 100
# Writes to these tables change what the read models (StoreBase.memo) are built from (a dialog
# too: whether the bot waits for a person's words); writes to the plumbing (seen updates, Zalo
# messages taken in, outbox, events, actions) do not.
_MODEL_TABLES = re.compile(
    r"\b(programs|people|members|member_roles|sessions|questions|grades|draws|archive|askers"
    r"|dialogs|documents|citations|supplements)\b",
    re.IGNORECASE,
)
_MEMO_LIMIT = 10_000


@dataclass(frozen=True)
class Statement:
    """One statement the store ran (recorded while :attr:`StoreBase.trace` is a list)."""

    sql: str
    params: tuple[Any, ...]
    task: str | None  # the asyncio task that ran it (the outbox worker is "hoidap-outbox")
    in_tx: bool


def _task_name() -> str | None:
    task = asyncio.current_task()
    return task.get_name() if task else None


class StoreBase:
    def __init__(self, conn: aiosqlite.Connection, watch: FileWatch | None = None) -> None:
        self.conn = conn
        self.watch = watch  # the identity of the database file (None: not watched)
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        # Write-through cache of people by Telegram id: every update starts by looking up who
        # sent it. This process is the only writer (the database lock file), and every write to
        # `people` drops the entry, so a rolled-back change is simply read again.
        self._people: dict[int, Person] = {}
        self._people_by_id: dict[int, Person] = {}  # the same people, by their own id
        # Update ids already seen (loaded once, then kept in step with ``seen_updates``).
        self._seen: set[int] | None = None
        # Updates that changed nothing, marked seen by the next write (or every
        # SEEN_BATCH of them, or at close): one lost in a crash is harmless to handle again.
        self._seen_pending: list[tuple[int, str]] = []
        # Zalo messages taken in whose record waits for the next write, like the updates above
        # (bot/store/zalo.py zalo_taken), and the ids taken in lately.
        self._intake: list[tuple[str, str, int, str]] = []
        self._taken: OrderedDict[str, None] = OrderedDict()
        # Zalo accounts as committed, by row id, and the row ids of Zalo ids (bot/store/zalo.py).
        self._zalo_accounts: dict[int, ZaloAccount] = {}
        self._zalo_ids: dict[str, int] = {}
        # Writes that stand even when their transaction rolls back: a refusal's audit event.
        self._kept: list[tuple[str, tuple[Any, ...]]] = []
        # The active programs, read on every update; dropped by every write to `programs`.
        self._programs: list[Any] | None = None
        self._in_tx = False
        self._outbox_dirty = False
        self.on_outbox: list[Callable[[], None]] = []
        # What ran through the store: statements (BEGIN/COMMIT/ROLLBACK not counted) and
        # transactions (BEGIN ... COMMIT blocks, and writes made on their own). Tests and the
        # benchmarks read them; ``trace`` (None: off) also keeps every statement, and each
        # BEGIN (as a Statement "BEGIN IMMEDIATE", not counted in ``statements``).
        self.statements = 0
        self.transactions = 0
        self.trace: list[Statement] | None = None
        # Read models: values computed from the database, valid while ``version`` is unchanged.
        # It moves at the end of every transaction (commit or rollback) and with every write of
        # its own to a table they are built from.
        self.version = 0
        self._memo: dict[Any, tuple[int, Any]] = {}
        self._data_version: int | None = None  # PRAGMA data_version at the last look

    async def close(self) -> None:
        if self._intake:
            try:
                await self._write_intake(self._intake)
            except Exception:  # closing after the file was lost: nothing more to keep
                log.warning("could not record %d messages taken in at close", len(self._intake))
            self._intake = []
        if self._seen_pending:
            try:
                await self._write_seen(self._seen_pending)
            except Exception:  # closing after the file was lost: nothing more to keep
                log.warning("could not mark %d updates seen at close", len(self._seen_pending))
            self._seen_pending = []
        await self.conn.close()

    async def _write_intake(self, rows: list[tuple[str, str, int, str]]) -> None:
        """Write the records of Zalo messages taken in (bot/store/zalo.py)."""
        raise NotImplementedError

    async def _write_seen(self, rows: Sequence[tuple[int, str]]) -> None:
        """Mark updates seen, in one statement (in the caller's transaction, or on its own)."""
        sql = SEEN_SQL + ", (?, ?)" * (len(rows) - 1)
        params = [value for row in rows for value in row]
        if self._in_tx and self._owner is asyncio.current_task():
            self._count_statement(sql, params)
            await self.conn.execute(sql, params)
        else:
            await self._write(sql, params)

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
            self.transactions += 1
            if self.trace is not None:
                self.trace.append(Statement("BEGIN IMMEDIATE", (), _task_name(), False))
            self._in_tx, self._owner = True, task
            seen = _SEEN.get()
            pending, self._seen_pending = self._seen_pending, []
            intake, self._intake = self._intake, []
            try:
                if intake:  # Zalo messages taken in: recorded with the first write after them
                    await self._write_intake(intake)
                rows = list(pending)
                if seen is not None and not seen.written:
                    # The update is marked seen with what it changes, in the same transaction.
                    rows.append((seen.update_id, seen.seen_at))
                    seen.written = True
                if rows:
                    await self._write_seen(rows)
                yield
            except BaseException:
                self._outbox_dirty = False
                await self.conn.execute("ROLLBACK")
                self.version += 1
                if seen is not None:
                    seen.written = False
                self._seen_pending = pending + self._seen_pending
                self._intake = intake + self._intake
                kept, self._kept = self._kept, []
                for sql, params in kept:  # each on its own (autocommit)
                    self._count_statement(sql, params)
                    await self.conn.execute(sql, params)
                raise
            else:
                self._kept = []
                await self.conn.execute("COMMIT")
                self.version += 1
                hooks.fire("after_commit")  # inert unless test support armed it
            finally:
                self._in_tx, self._owner = False, None
            if self._outbox_dirty:
                self._outbox_dirty = False
                for notify in self.on_outbox:
                    notify()

    async def seen_before(self, update_id: int) -> bool:
        """Whether the update was handled (or its outcome recorded) before: no statement once
        the ids are in memory."""
        if self._seen is None:
            rows = await self._all("SELECT update_id FROM seen_updates")
            self._seen = {int(r[0]) for r in rows} | {u for u, _ in self._seen_pending}
        return update_id in self._seen

    async def flush_seen(self) -> None:
        """At the end of an update: mark it seen if no transaction of its own did."""
        seen = _SEEN.get()
        _SEEN.set(None)
        if seen is not None and not seen.written:
            seen.written = True
            self._seen_pending.append((seen.update_id, seen.seen_at))
            if len(self._seen_pending) >= SEEN_BATCH:
                pending, self._seen_pending = self._seen_pending, []
                intake, self._intake = self._intake, []
                try:
                    if intake:
                        await self._write_intake(intake)
                    await self._write_seen(pending)
                except BaseException:
                    self._seen_pending = pending + self._seen_pending
                    self._intake = intake + self._intake
                    raise

    async def _keep_on_rollback(self, sql: str, params: Sequence[Any]) -> None:
        """A write that stands even if the transaction around it rolls back (an audit event
        of a refusal: the refusal itself rolls the transaction back)."""
        await self._write(sql, params)
        if self._in_tx and self._owner is asyncio.current_task():
            self._kept.append((sql, tuple(params)))

    async def changed_elsewhere(self) -> bool:
        """Whether another process (the ``hoidap`` command line) committed a change since the
        last look; if so, everything this store keeps in memory is dropped and read again.

        ``PRAGMA data_version`` moves only with other connections' commits: the bot's own
        writes never set it off.
        """
        row = await self._one("PRAGMA data_version")
        assert row is not None
        version = int(row[0])
        seen, self._data_version = self._data_version, version
        if seen is None or seen == version:
            return False
        self._people.clear()
        self._people_by_id.clear()
        self._programs = None
        self._memo.clear()
        self.version += 1
        self._forget_elsewhere()
        return True

    def _forget_elsewhere(self) -> None:
        """What a mixin keeps in memory besides the store's own caches (see
        :meth:`changed_elsewhere`)."""

    def memo(self, key: Any) -> Any | None:
        """A read model computed since the last change of what it is built from (else None)."""
        entry = self._memo.get(key)
        return entry[1] if entry is not None and entry[0] == self.version else None

    def remember(self, key: Any, version: int, value: Any) -> None:
        """Keep ``value``, computed from what the database held at ``version`` (read
        ``store.version`` before reading the rows: a change meanwhile makes it stale at once)."""
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = (version, value)

    def _remember_person(self, person: Person) -> None:
        self._people[person.tg_user_id] = person
        self._people_by_id[person.id] = person

    def _forget_person(self, person_id: int) -> None:
        person = self._people_by_id.pop(person_id, None)
        if person is not None:
            self._people.pop(person.tg_user_id, None)

    def _forget_tg_user(self, tg_user_id: int) -> None:
        person = self._people.pop(tg_user_id, None)
        if person is not None:
            self._people_by_id.pop(person.id, None)

    # -- helpers ---------------------------------------------------------------------------
    # Each helper is one round trip to aiosqlite's worker thread: on the hot path of every update
    # these round trips, not SQLite itself, are what costs time.

    def _count_statement(self, sql: str, params: Iterable[Any]) -> None:
        self.statements += 1
        if self.trace is not None:
            self.trace.append(Statement(sql, tuple(params), _task_name(), self._in_tx))

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        self._count_statement(sql, params)
        rows = list(await self.conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        self._count_statement(sql, params)
        return list(await self.conn.execute_fetchall(sql, params))

    async def _committed(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """A read of committed rows only: between transactions (the connection is shared, and
        a read in the middle of another task's transaction would see what it has not committed
        and may still roll back)."""
        if self._in_tx and self._owner is asyncio.current_task():
            return await self._all(sql, params)
        async with self._lock:
            return await self._all(sql, params)

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement that changes data, inside the caller's transaction or on its own.

        On its own it commits by itself (autocommit) and takes the lock, so it can never become
        part of a transaction another task has open on the shared connection.
        """
        model = _MODEL_TABLES.search(sql) is not None
        self.version += model  # before and after: a read meanwhile is stale either way
        try:
            if self._in_tx and self._owner is asyncio.current_task():
                self._count_statement(sql, params)
                return await self.conn.execute(sql, params)
            async with self._lock:
                if self.watch is not None:
                    self.watch.check()
                self.transactions += 1
                self._count_statement(sql, params)
                return await self.conn.execute(sql, params)
        finally:
            self.version += model

    async def _write_one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """A write with ``RETURNING``: its first row (None if it changed nothing). One round
        trip to aiosqlite's thread (execute and fetch together)."""
        model = _MODEL_TABLES.search(sql) is not None
        self.version += model
        try:
            if self._in_tx and self._owner is asyncio.current_task():
                self._count_statement(sql, params)
                rows = list(await self.conn.execute_fetchall(sql, params))
            else:
                async with self._lock:
                    if self.watch is not None:
                        self.watch.check()
                    self.transactions += 1
                    self._count_statement(sql, params)
                    rows = list(await self.conn.execute_fetchall(sql, params))
        finally:
            self.version += model
        return rows[0] if rows else None

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
