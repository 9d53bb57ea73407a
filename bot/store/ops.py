"""Queries for operating the bot: what went wrong lately, and whole-database files (restore)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.db import describe_problems, latest_version, schema_problems
from bot.store.base import StoreBase, _iso

SQLITE_MAGIC = b"SQLite format 3\x00"


class OpsQueries(StoreBase):
    async def problem_events(
        self, program_id: int | None, kinds: tuple[str, ...], since: datetime, limit: int = 10
    ) -> list[dict[str, Any]]:
        """Recent events of ``kinds`` (newest first); ``program_id`` None: events of no program."""
        marks = ",".join("?" for _ in kinds)
        rows = await self._all(
            f"SELECT id, program_id, session_id, kind, actor_id, detail, created_at FROM events "
            f"WHERE kind IN ({marks}) AND program_id IS ? AND created_at >= ? "
            "ORDER BY id DESC LIMIT ?",
            (*kinds, program_id, _iso(since), limit),
        )
        return [dict(r) for r in rows]

    async def count_problem_events(
        self, program_id: int | None, kinds: tuple[str, ...], since: datetime
    ) -> int:
        marks = ",".join("?" for _ in kinds)
        return await self._count(
            f"SELECT COUNT(*) FROM events WHERE kind IN ({marks}) AND program_id IS ? "
            "AND created_at >= ?",
            (*kinds, program_id, _iso(since)),
        )

    async def outbox_failures(self, limit: int = 10) -> list[dict[str, Any]]:
        """Messages given up for good (newest first)."""
        rows = await self._all(
            "SELECT id, chat_id, template, attempts, failed, created_at FROM outbox "
            "WHERE failed IS NOT NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    async def outbox_retrying(self) -> int:
        """Messages still owed that failed at least once (Telegram unreachable, flood limits)."""
        return await self._count(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND attempts > 0"
        )


# -- whole database files (backup and restore) -------------------------------------------------


@dataclass(frozen=True)
class DatabaseFile:
    """What a restore needs to know about a file that should be a hoidap database."""

    problem: str | None  # None: usable; else not_found, not_sqlite, corrupt, too_new, schema
    detail: str = ""
    version: int = 0
    programs: int = 0
    sessions: int = 0


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open without writing anything, not even WAL side files next to a backup.

    A file without a ``-wal`` file beside it is opened immutable (nothing is created next to
    it); with one, as a read-only reader of that WAL, so committed data in it is seen.
    """
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)


def inspect_database_file(path: Path) -> DatabaseFile:
    """Open ``path`` read-only and check it is a sound hoidap database (never writes to it).

    Sound: a SQLite file that passes ``PRAGMA integrity_check``, of a version 1..latest, whose
    schema is exactly what the migrations create for that version (no trigger, view or other
    object of its own: those would run inside the bot).
    """
    if not path.is_file():
        return DatabaseFile("not_found")
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            return DatabaseFile("not_sqlite")
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        return DatabaseFile("not_sqlite", str(exc))
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            return DatabaseFile("corrupt", "; ".join(str(r[0]) for r in rows[:3]))
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > latest_version():
            return DatabaseFile("too_new", version=version)
        problems = schema_problems(conn)
        if problems:
            return DatabaseFile("schema", describe_problems(problems), version=version)
        programs = int(conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0])
        sessions = int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
        return DatabaseFile(None, version=version, programs=programs, sessions=sessions)
    except sqlite3.DatabaseError as exc:
        return DatabaseFile("corrupt", str(exc))
    finally:
        conn.close()


def copy_database(source: Path, target: Path) -> None:
    """Copy a whole database with SQLite's backup API (consistent, and safe with WAL files)."""
    src = _open_read_only(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


async def connect_query_only(path: Path) -> aiosqlite.Connection:
    """A connection that cannot write (for reports while the bot runs): no migration, no lock."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA query_only = ON")
    await conn.execute("PRAGMA busy_timeout = 5000")
    return conn
