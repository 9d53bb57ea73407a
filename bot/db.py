"""SQLite connection and numbered migrations tracked with ``PRAGMA user_version``."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger("hoidap")


class DatabaseError(Exception):
    """The database cannot be used; the message is one line for the operator."""


class DatabaseLost(DatabaseError):
    """The database file the bot opened was deleted or replaced while it ran."""


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


async def connect(path: Path | str, *, create: bool = False) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    The schema is checked against what the migrations create before and after migrating
    (:func:`schema_problems`): a database with objects of its own (a trigger added by hand)
    is refused before anything runs on it. A missing database is created only on a fresh
    installation: when its lock file says a bot has used it, it was lost, and only
    ``create=True`` (``hoidap db migrate``: deliberately) makes a new empty one.
    """
    path = Path(path)
    if str(path) != ":memory:":
        if not create and not path.exists() and lock_path_of(path).exists():
            raise DatabaseError(lost_at_start(path))
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
        await check_schema(conn, path)  # before migrating: nothing foreign runs meanwhile
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        if await migrate(conn):
            await check_schema(conn, path)
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
    folder = Path(os.path.realpath(path)).parent  # where SQLite and the lock write beside it
    if not os.access(folder, os.W_OK):
        raise DatabaseError(
            f"thư mục {folder} chỉ đọc: bot cần quyền ghi ở đó "
            "(cơ sở dữ liệu, tệp nhật ký WAL, tệp khóa)"
        )


class DatabaseLock:
    """An exclusive ``flock`` on ``<database>.lock`` (:func:`lock_path_of`), held while a bot
    serves that database.

    A second bot on the same database refuses to start instead of racing the first one. The
    operating system drops the lock when the process ends, however it ends (even ``kill -9``),
    so a crash never leaves a stale lock behind; the file itself stays and is harmless.
    """

    def __init__(self, path: Path, fd: int, existed: bool = True) -> None:
        self.path = path
        self._fd: int | None = fd
        self.existed = existed  # False: the lock file was made now (a fresh installation)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_path_of(path: Path) -> Path:
    """``<database>.lock`` next to the real file (symbolic links followed, the file need not
    exist yet), so every path to one database names one lock; written by every run, so it
    also tells a database has been used."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


def lock_database(path: Path | str) -> DatabaseLock | None:
    """Take the lock of the database at ``path`` (None for ``:memory:``) or raise DatabaseError."""
    path = Path(path)
    if str(path) == ":memory:":
        return None
    lock_path = lock_path_of(path)
    existed = lock_path.exists()
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseError(
            f"không tạo được tệp khóa {lock_path} ({exc.strerror}): bot cần quyền ghi vào "
            f"thư mục {lock_path.parent}"
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
    return DatabaseLock(lock_path, fd, existed)


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
            f"({latest_version()}); đề nghị cập nhật hoidap"
        )


async def current_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction. Returns the versions applied."""
    applied: list[int] = []
    version = await current_version(conn)
    for number, name, sql in migrations():
        if number <= version:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await _data_step(conn, name)
            await conn.execute(f"PRAGMA user_version = {number}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


async def _data_step(conn: aiosqlite.Connection, name: str) -> None:
    """What a migration derives in Python beyond its SQL (``bot/store/backfill.py``): the
    citations of what was written before the register of documents, for ``refs``."""
    from bot.store.backfill import DATA_STEPS

    step = DATA_STEPS.get(name)
    if step is not None:
        await step(conn)


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


# -- the schema: exactly what the migrations create ---------------------------------------------

# Tables SQLite itself makes when someone runs ANALYZE or ``PRAGMA optimize`` (as SQLite's
# documentation recommends): statistics the query planner reads to choose an index. They hold
# data only, can run nothing and cannot change what a query returns, so they are allowed, with
# exactly the definition SQLite gives them. (``sqlite_sequence`` exists only beside an
# AUTOINCREMENT table; the migrations decide whether there is one, like any other object.)
PLANNER_STATISTICS = {
    "sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
    "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
}
SCHEMA_QUERY = "SELECT type, name, tbl_name, sql FROM sqlite_master"
_SHOWN_PROBLEMS = 3

_SQL_TOKEN = re.compile(
    r"""(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
      | (?P<token>'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]
          | (?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[\w$]+
          | <=|>=|<>|!=|==|\|\||<<|>>|->>|->)
      | (?P<space>\s+)
      | (?P<char>.)""",
    re.DOTALL | re.VERBOSE,
)


def _tokens(sql: str) -> list[str]:
    return [m.group(0) for m in _SQL_TOKEN.finditer(sql) if m.lastgroup in ("token", "char")]


def normalize_sql(sql: str | None) -> str | None:
    """The SQL text of a schema object with comments dropped and whitespace made uniform.

    Words, numbers, quoted names and strings are kept exactly; one space separates every
    token, so ``x(a)`` and ``x ( a )`` compare equal, while any change of a word does not.
    """
    return None if sql is None else " ".join(_tokens(sql))


@dataclass(frozen=True)
class SchemaObject:
    type: str  # table, index, trigger, view
    name: str
    table: str
    sql: str | None  # normalized (normalize_sql); None for automatic indexes
    raw: str | None  # as stored


def _objects(rows: Iterable[Sequence[Any]]) -> dict[str, SchemaObject]:
    out: dict[str, SchemaObject] = {}
    for kind, name, table, sql in rows:
        text = None if sql is None else str(sql)
        out[str(name)] = SchemaObject(str(kind), str(name), str(table), normalize_sql(text), text)
    return out


@lru_cache(maxsize=8)
def reference_schema(version: int) -> dict[str, SchemaObject]:
    """What migrations 1..``version`` create, built in an in-memory database (once per run)."""
    with sqlite3.connect(":memory:", isolation_level=None) as conn:
        for number, _name, sql in migrations()[:version]:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        objects = _objects(conn.execute(SCHEMA_QUERY))
    conn.close()
    return objects


def _shown(name: str) -> str:
    """A name from an untrusted file, safe to put in one log line."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= 60 else clean[:59] + "…"


def _columns(sql: str | None) -> list[str] | None:
    """The column names a ``CREATE TABLE name (...)`` statement defines (None otherwise).

    The statement (perhaps from an untrusted file) is run in a throw-away in-memory database:
    only the plain form that defines columns (never ``AS SELECT``), and stopped after a few
    thousand steps whatever it is.
    """
    tokens = _tokens(sql or "")
    head = [t.upper() for t in tokens[:5]]
    skip = 5 if head[2:5] == ["IF", "NOT", "EXISTS"] else 2
    rest = [*tokens[skip:], "", "", "", ""]
    plain_name = rest[1] == "("
    schema_name = rest[1] == "." and rest[3] == "("
    if head[:2] != ["CREATE", "TABLE"] or not (plain_name or schema_name):
        return None
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.set_progress_handler(lambda: 1, 10_000)
        scratch.execute(str(sql))
        row = scratch.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchone()
        quoted = '"' + str(row[0]).replace('"', '""') + '"'
        return [str(r[1]) for r in scratch.execute(f"PRAGMA table_info({quoted})")]
    except (sqlite3.Error, TypeError, IndexError):
        return None
    finally:
        scratch.close()


def _say(template: str, **context: Any) -> str:
    """One line for the operator from ``template`` (imported here: the CLI stays light)."""
    from bot.render import plain, render

    return plain(render(template, context))


def _problem(kind: str, **context: Any) -> str:
    return _say("db_schema", kind=kind, **context)


def compare_schema(
    version: int, rows: Iterable[Sequence[Any]], *, empty_ok: bool = False
) -> list[str]:
    """What differs between a database's ``sqlite_master`` ``rows`` and what the migrations
    create for its ``version``; one Vietnamese phrase per difference, [] when it is exactly
    the project's schema. Version 0 (nothing migrated yet) is valid with ``empty_ok`` only,
    and then nothing may be in the database."""
    latest = latest_version()
    if not (0 if empty_ok else 1) <= version <= latest:
        return [_problem("bad_version", version=version, latest=latest)]
    actual = _objects(rows)
    expected = reference_schema(version)
    problems: list[str] = []
    faulty: set[str] = set()  # tables already reported: their automatic indexes go unsaid
    for name, obj in actual.items():
        want = expected.get(name)
        if want is None:
            if obj.type == "table" and normalize_sql(PLANNER_STATISTICS.get(name)) == obj.sql:
                continue
            problems.append(_problem("extra", type=_shown(obj.type), name=_shown(name)))
        elif (obj.type, obj.table, obj.sql) != (want.type, want.table, want.sql):
            if want.type == "index" and name.startswith("sqlite_autoindex_"):
                continue  # follows from its table, which is reported
            faulty.add(name)
            problems.append(_changed(obj, want))
    for name, want in expected.items():
        if name not in actual and not (
            name.startswith("sqlite_autoindex_")
            and (want.table in faulty or want.table not in actual)
        ):
            problems.append(_problem("missing", type=want.type, name=name))
    return problems


def _changed(obj: SchemaObject, want: SchemaObject) -> str:
    """How an object of the project's schema differs from its definition (columns if known)."""
    have_cols, want_cols = _columns(obj.raw), _columns(want.raw)
    if obj.type == want.type == "table" and have_cols is not None and want_cols is not None:
        missing = [c for c in want_cols if c not in have_cols]
        extra = [_shown(c) for c in have_cols if c not in want_cols]
        if missing or extra:
            return _problem("columns", name=want.name, missing=_few(missing), extra=_few(extra))
    return _problem("changed", type=want.type, name=want.name)


def _few(names: list[str], limit: int = 6) -> list[str]:
    return names if len(names) <= limit else [*names[: limit - 1], f"… ({len(names)} cột)"]


def describe_problems(problems: Sequence[str]) -> str:
    """Schema problems as one line: the first few, and how many more."""
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return shown if more <= 0 else _problem("more", shown=shown, more=more)


def schema_problems(conn: sqlite3.Connection, *, empty_ok: bool = False) -> list[str]:
    """:func:`compare_schema` for an open database (its version and ``sqlite_master``)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return compare_schema(version, conn.execute(SCHEMA_QUERY).fetchall(), empty_ok=empty_ok)


async def check_schema(conn: aiosqlite.Connection, path: Path) -> None:
    version = await current_version(conn)
    rows = await conn.execute_fetchall(SCHEMA_QUERY)
    problems = compare_schema(version, rows, empty_ok=True)
    if problems:
        raise DatabaseError(
            _problem("refused", path=str(path), problems=describe_problems(problems))
        )


# -- the file under the bot: deleted or replaced while it runs --------------------------------


def lost_at_start(path: Path) -> str:
    """Why a bot does not start when its database is missing but was used before."""
    rescued = sorted(path.parent.glob(f"{path.name}.rescued-*")) if path.parent.is_dir() else []
    return _say(
        "db_lost",
        kind="at_start",
        path=str(path),
        lock=str(lock_path_of(path)),
        rescued=str(rescued[-1]) if rescued else None,
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class FileWatch:
    """The identity (``st_dev``, ``st_ino``) of the database file as it was opened.

    SQLite keeps writing to the file it opened: once that file is deleted, or moved away and
    another put in its place, everything written goes to a file nobody will read again, and
    a restart begins on an empty or a foreign database. :meth:`check` (one ``os.stat``) runs
    before every write transaction and from a watchdog task; the first time it fails it logs
    one ERROR line and calls ``on_lost`` (the bot stops); it raises :class:`DatabaseLost`
    then and ever after, so nothing more is written.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        identity = _identity(path)
        if identity is None:
            raise DatabaseError(lost_at_start(path))
        self.identity = identity
        self.lost: str | None = None
        self.on_lost: list[Callable[[str], None]] = []

    def check(self) -> None:
        if self.lost is None:
            if _identity(self.path) == self.identity:
                return
            self.lost = _say("db_lost", kind="running", path=str(self.path))
            log.error(self.lost)
            for notify in self.on_lost:
                notify(self.lost)
        raise DatabaseLost(self.lost)

    async def watchdog(self, interval: float) -> None:
        """Check every ``interval`` seconds until the file is lost (or the task is cancelled)."""
        while True:
            await asyncio.sleep(interval)
            try:
                self.check()
            except DatabaseLost:
                return


async def rescue(conn: aiosqlite.Connection, path: Path, now: datetime) -> Path | None:
    """Copy what the bot still holds open of a lost database to ``<db>.rescued-<time>``.

    After ``rm`` the open connection is the last way to the data: once it is closed the file
    is gone for good. The copy is a consistent SQLite backup that ``hoidap restore`` accepts.
    """
    target = path.with_name(f"{path.name}.rescued-{now:%Y%m%d-%H%M%S}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.rescued-{now:%Y%m%d-%H%M%S}-{n}")
        n += 1
    try:
        dest = sqlite3.connect(target, check_same_thread=False)  # used on aiosqlite's thread
        try:
            await conn.backup(dest)
        finally:
            dest.close()
    except (OSError, sqlite3.Error) as exc:
        log.error(_say("db_lost", kind="rescue_failed", error=str(exc)))
        target.unlink(missing_ok=True)
        return None
    log.warning(_say("db_lost", kind="rescued", target=str(target)))
    return target
