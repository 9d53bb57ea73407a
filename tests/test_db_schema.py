"""The database holds exactly the schema the migrations create: a backup file or a database
with anything of its own (a trigger, a view, a column) is refused before anything of it runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import (
    DatabaseError,
    compare_schema,
    connect,
    describe_problems,
    latest_version,
    migrations,
    normalize_sql,
    schema_problems,
)
from fakes.fakebotapi import FakeBotAPI
from fakes.harness import Harness
from tests.conftest import ADMIN, vn
from tests.e2e.test_faults import cli_env, run_cli
from tests.test_db_upgrade import build, fill_version_1
from tests.test_db_upgrade import run_cli as run_cli_sync


def problems_of(path: Path, *, empty_ok: bool = False) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return schema_problems(conn, empty_ok=empty_ok)


@pytest.mark.parametrize("version", range(1, len(migrations()) + 1))
def test_every_version_as_its_migrations_left_it_is_the_schema_of_hoidap(
    tmp_path: Path, version: int
) -> None:
    db = tmp_path / "db.sqlite3"
    build(db, version)
    fill_version_1(db)
    assert problems_of(db) == []
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("ANALYZE")  # planner statistics, as `PRAGMA optimize` leaves them
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} >= {"sqlite_stat1"}
    assert problems_of(db) == []


def _exec(*statements: str) -> Callable[[sqlite3.Connection], None]:
    def change(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return change


FOREIGN: dict[str, tuple[Callable[[sqlite3.Connection], None], str]] = {
    "trigger": (
        _exec(
            "CREATE TRIGGER make_admin AFTER INSERT ON people BEGIN "
            "UPDATE people SET is_superadmin = 1 WHERE id = NEW.id; END"
        ),
        "có trigger «make_admin» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "trigger-on-fts-shadow": (
        _exec(
            "CREATE TRIGGER t AFTER INSERT ON archive_fts_data BEGIN "
            "UPDATE programs SET title = 'x'; END"
        ),
        "có trigger «t» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "view": (
        _exec("CREATE VIEW everyone AS SELECT * FROM people"),
        "có view «everyone» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "table": (
        _exec("CREATE TABLE notes (x)"),
        "có bảng «notes» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "index": (
        _exec("CREATE INDEX people_by_name ON people (full_name)"),
        "có chỉ mục «people_by_name» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "fts-table": (
        _exec("CREATE VIRTUAL TABLE other_fts USING fts5 (x)"),
        "có bảng «other_fts» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "autoincrement": (
        _exec("CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT)"),
        "có bảng «log» không thuộc cơ sở dữ liệu của hoidap",
    ),
    "column": (
        _exec("ALTER TABLE programs ADD COLUMN note TEXT"),
        "bảng programs thừa cột note",
    ),
    "column-renamed": (
        _exec("ALTER TABLE programs RENAME COLUMN title TO name"),
        "bảng programs thiếu cột title; thừa cột name",
    ),
    "default-changed": (
        _exec(
            "DROP TABLE seen_updates",
            "CREATE TABLE seen_updates (update_id INTEGER PRIMARY KEY, seen_at TEXT)",
        ),
        "bảng seen_updates khác với định nghĩa của hoidap",
    ),
    "index-changed": (
        _exec(
            "DROP INDEX questions_queue",
            "CREATE INDEX questions_queue ON questions (program_id)",
        ),
        "chỉ mục questions_queue khác với định nghĩa của hoidap",
    ),
    "own-trigger-changed": (
        _exec(
            "DROP TRIGGER archive_ai",
            "CREATE TRIGGER archive_ai AFTER INSERT ON archive BEGIN "
            "UPDATE people SET is_superadmin = 1; END",
        ),
        "trigger archive_ai khác với định nghĩa của hoidap",
    ),
    "own-trigger-missing": (
        _exec("DROP TRIGGER archive_ad"),
        "thiếu trigger archive_ad",
    ),
    "table-missing": (
        _exec("DROP TABLE seen_updates"),
        "thiếu bảng seen_updates",
    ),
    "stat-table-of-its-own": (
        _exec("CREATE TABLE sqlite_stat1 (tbl, idx, stat, extra)"),
        "có bảng «sqlite_stat1» không thuộc cơ sở dữ liệu của hoidap",
    ),
}


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_anything_not_made_by_the_migrations_is_named(tmp_path: Path, case: str) -> None:
    change, line = FOREIGN[case]
    db = tmp_path / "db.sqlite3"
    build(db, latest_version())
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("PRAGMA writable_schema = ON")  # lets a test make a sqlite_stat1 of its own
        change(conn)
    problems = problems_of(db)
    assert problems[0] == line, problems  # then those it brings along (shadow tables ...)


@pytest.mark.parametrize(
    ("version", "empty_ok", "line"),
    [
        (-1, True, "phiên bản dữ liệu -1 không hợp lệ (hoidap dùng phiên bản 1 đến"),
        (0, False, "phiên bản dữ liệu 0 không hợp lệ"),
        (latest_version() + 1, True, f"phiên bản dữ liệu {latest_version() + 1} không hợp lệ"),
    ],
)
def test_a_version_outside_one_to_latest_is_refused(
    version: int, empty_ok: bool, line: str
) -> None:
    (problem,) = compare_schema(version, [], empty_ok=empty_ok)
    assert problem.startswith(line)


def test_an_empty_new_database_is_version_0_and_nothing_else(tmp_path: Path) -> None:
    assert compare_schema(0, [], empty_ok=True) == []
    other = [("table", "filler", "filler", "CREATE TABLE filler (x)")]
    assert compare_schema(0, other, empty_ok=True) == [
        "có bảng «filler» không thuộc cơ sở dữ liệu của hoidap"
    ]


def test_a_database_is_compared_with_the_schema_of_its_own_version(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    build(db, 1)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version()}")  # a version 1 file, relabelled
    problems = problems_of(db)
    assert "thiếu bảng archive" in problems
    assert "bảng questions thiếu cột tags, pinned_week" in problems


def test_names_from_the_file_are_one_line_and_short() -> None:
    rows = [("view", "a\nb" + "x" * 200, "a", "CREATE VIEW x AS SELECT 1")]
    (problem,) = compare_schema(0, rows, empty_ok=True)
    assert "\n" not in problem and "a?b" in problem and len(problem) < 150
    many = describe_problems([f"vấn đề {i}" for i in range(10)])
    assert many == "vấn đề 0; vấn đề 1; vấn đề 2; và 7 điểm khác nữa"


def test_the_sql_text_is_compared_without_comments_and_spacing() -> None:
    same = normalize_sql("CREATE TABLE x(\n  a TEXT, -- note\n  b /* c */ INT\n)")
    assert same == normalize_sql("CREATE TABLE x ( a TEXT , b INT )")
    assert (
        normalize_sql("CHECK (a <= 1)")
        == normalize_sql("CHECK(a<=1)")
        != normalize_sql("CHECK (a < 1)")
    )
    assert normalize_sql("DEFAULT 'a  -- b'") != normalize_sql("DEFAULT 'a -- b'")
    assert normalize_sql("create table x (a)") != normalize_sql("CREATE TABLE x (a)")


# -- the bot opens only its own schema -------------------------------------------------------------


@pytest.fixture
def with_trigger(tmp_path: Path) -> Path:
    """A database of the bot to which someone added a trigger by hand."""
    db = tmp_path / "hoidap.sqlite3"
    build(db, latest_version())
    fill_version_1(db)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "CREATE TRIGGER leak_seed AFTER INSERT ON seen_updates BEGIN "
            "UPDATE programs SET title = (SELECT seed FROM sessions LIMIT 1); END"
        )
        conn.commit()
    return db


def contents(path: Path) -> bytes:
    return path.read_bytes()


LINE = "có trigger «leak_seed» không thuộc cơ sở dữ liệu của hoidap"


async def test_opening_a_database_with_a_trigger_of_its_own_is_refused(with_trigger: Path) -> None:
    before = contents(with_trigger)
    with pytest.raises(DatabaseError) as refused:
        await connect(with_trigger)
    assert LINE in str(refused.value) and "\n" not in str(refused.value)
    assert f"cơ sở dữ liệu {with_trigger} không đúng cấu trúc của hoidap" in str(refused.value)
    assert contents(with_trigger) == before  # not even switched to WAL


async def test_an_older_database_with_a_trigger_is_refused_before_migrating(tmp_path: Path) -> None:
    db = tmp_path / "hoidap.sqlite3"
    build(db, 1)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE VIEW v AS SELECT 1")
        conn.commit()
    with pytest.raises(DatabaseError, match="có view «v» không thuộc"):
        await connect(db)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)  # nothing migrated


async def test_a_database_of_another_program_is_not_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "hoidap.sqlite3"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE customers (x)")
        conn.commit()
    with pytest.raises(DatabaseError, match="có bảng «customers» không thuộc"):
        await connect(db)
    with closing(sqlite3.connect(db)) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]


async def test_the_bot_does_not_start_on_a_database_with_a_trigger(with_trigger: Path) -> None:
    """`hoidap run`: exit code 2 and the one line; the trigger never ran."""
    before = contents(with_trigger)
    async with FakeBotAPI() as server:
        code, err = await run_cli(cli_env(server, with_trigger), with_trigger.parent)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("hoidap: cơ sở dữ liệu") and LINE in lines[0]
    assert contents(with_trigger) == before


async def test_the_harness_does_not_start_on_it_either(with_trigger: Path) -> None:
    h = Harness(with_trigger.parent, ManualClock(vn(2026, 12, 1, 10, 0)), admins=(ADMIN.id,))
    try:
        with pytest.raises(DatabaseError, match="leak_seed"):
            await h.start()
    finally:
        await h.close()


def test_db_migrate_and_status_refuse_it_in_one_line(with_trigger: Path) -> None:
    for command in (["db", "migrate"], ["status"]):
        result = run_cli_sync([], with_trigger, *command)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and LINE in lines[0], result.stderr
