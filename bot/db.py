"""SQLite connection and numbered migrations tracked with ``PRAGMA user_version``."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from importlib import resources
from pathlib import Path

import aiosqlite


class DatabaseError(Exception):
    """The database cannot be used; the message is one line for the operator."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file ``bot/migrations/NNNN_name.sql``, in order."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("bot").joinpath("migrations").iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise DatabaseError("migration files must be numbered 0001, 0002, ... without gaps")
    return found


def latest_version() -> int:
    return len(migrations())


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database at ``path``."""
    path = Path(path)
    if str(path) != ":memory:":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"không tạo được thư mục cơ sở dữ liệu {path.parent}: {exc}"
            ) from exc
        _check_writable(path)
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"không mở được cơ sở dữ liệu {path}: {exc}") from exc
    conn.row_factory = aiosqlite.Row
    try:
        await _check(conn, path)
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await migrate(conn)
    except sqlite3.DatabaseError as exc:
        await conn.close()
        raise DatabaseError(f"cơ sở dữ liệu {path} không dùng được: {exc}") from exc
    except DatabaseError:
        await conn.close()
        raise
    return conn


def _check_writable(path: Path) -> None:
    # SQLite would open a read-only file read-only and fail only at the first write; say it now.
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseError(f"tệp cơ sở dữ liệu {path} chỉ đọc: bot cần quyền ghi vào tệp này")
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(
            f"thư mục {path.parent} chỉ đọc: bot cần quyền ghi ở đó "
            "(cơ sở dữ liệu, tệp nhật ký WAL, tệp khóa)"
        )


class DatabaseLock:
    """An exclusive ``flock`` on ``<database>.lock``, held while a bot serves that database.

    A second bot on the same database refuses to start instead of racing the first one. The
    operating system drops the lock when the process ends, however it ends (even ``kill -9``),
    so a crash never leaves a stale lock behind; the file itself stays and is harmless.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_database(path: Path | str) -> DatabaseLock | None:
    """Take the lock of the database at ``path`` (None for ``:memory:``) or raise DatabaseError."""
    path = Path(path)
    if str(path) == ":memory:":
        return None
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseError(
            f"không tạo được tệp khóa {lock_path} ({exc.strerror}): bot cần quyền ghi vào "
            f"thư mục {path.parent}"
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise DatabaseError(
            f"cơ sở dữ liệu {path} đang được một bot hoidap khác dùng (tiến trình {holder}); "
            "mỗi cơ sở dữ liệu chỉ chạy một bot"
        ) from exc
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return DatabaseLock(lock_path, fd)


async def _check(conn: aiosqlite.Connection, path: Path) -> None:
    # A file that is not SQLite, or is damaged, must stop the bot before anything writes to it.
    try:
        async with conn.execute("PRAGMA quick_check") as cur:
            row = await cur.fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"tệp {path} không phải cơ sở dữ liệu SQLite hợp lệ ({exc})") from exc
    if row is None or row[0] != "ok":
        raise DatabaseError(f"cơ sở dữ liệu {path} bị hỏng: {row[0] if row else '?'}")
    async with conn.execute("PRAGMA user_version") as cur:
        version_row = await cur.fetchone()
    version = int(version_row[0]) if version_row else 0
    if version > latest_version():
        raise DatabaseError(
            f"cơ sở dữ liệu {path} thuộc phiên bản mới hơn ({version}) so với chương trình "
            f"({latest_version()}); hãy cập nhật hoidap"
        )


async def current_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction. Returns the versions applied."""
    applied: list[int] = []
    version = await current_version(conn)
    for number, _name, sql in migrations():
        if number <= version:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {number}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


def _statements(sql: str) -> list[str]:
    # executescript() would commit implicitly; split so each migration is one transaction.
    out: list[str] = []
    buf: list[str] = []
    for line in sql.splitlines():
        buf.append(line)
        joined = "\n".join(buf)
        if line.rstrip().endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined.strip())
            buf = []
    rest = "\n".join(buf).strip()
    if rest and not all(ln.strip().startswith("--") or not ln.strip() for ln in buf):
        out.append(rest)
    return out
