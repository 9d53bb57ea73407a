"""A database left by an older version upgrades with its data; one the bot cannot write to, or
that another bot holds, stops the bot with one clear line and is never overwritten."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import (
    DatabaseError,
    _statements,
    connect,
    latest_version,
    lock_database,
    lock_path_of,
    migrations,
)
from bot.store import Store
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, vn

ROOT = Path(__file__).resolve().parents[1]
T0 = "2026-11-30T08:00:00+07:00"


def build(path: Path, version: int) -> None:
    """A database as the release with schema ``version`` left it (migrations 1..version)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for number, _name, sql in migrations()[:version]:
            conn.execute("BEGIN")
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")


def fill_version_1(path: Path) -> None:
    """A week in progress under schema 1: a concluded session, the next one published, a
    pending outbox message, a dialog, buttons, the audit trail."""
    rows: dict[str, list[tuple[object, ...]]] = {
        "programs": [(1, GROUP, GROUP_TITLE, 1001, T0)],
        "people": [
            (1, ADMIN.id, "quantri", "Quản Trị Viên", "Trần Quản Trị", "Chuyên viên", 1, 1, T0),
            (2, 2001, None, "Lê Trưởng Phòng", "Lê Thị Hằng", "Chuyên viên chính", 0, 1, T0),
            (3, 3001, None, "Phạm Lãnh Đạo", "Phạm Quang Minh", "Chuyên viên chính", 0, 1, T0),
            (4, 4001, None, "An Nguyễn", "Nguyễn Văn An", "Chuyên viên", 0, 1, T0),
            (5, 4002, None, "Bình Trần", "Trần Thị Bình", "Chuyên viên", 0, 1, T0),
        ],
    }
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO programs (id, chat_id, title, created_by, created_at) VALUES (?,?,?,?,?)",
            rows["programs"],
        )
        conn.executemany(
            "INSERT INTO people (id, tg_user_id, username, tg_name, full_name, title, "
            "is_superadmin, current_program_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            rows["people"],
        )
        for pid, role in [(1, "admin"), (2, "head"), (3, "leader"), (4, "staff"), (5, "staff")]:
            conn.execute(
                "INSERT INTO members (program_id, person_id, status, joined_at) VALUES (1,?,?,?)",
                (pid, "active", T0),
            )
            conn.execute(
                "INSERT INTO member_roles (program_id, person_id, role) VALUES (1,?,?)", (pid, role)
            )
        conn.execute(
            "INSERT INTO invites (token, program_id, role, preapproved, created_by, expires_at) "
            "VALUES ('inv1', 1, 'staff', 1, 1, '2026-12-07T08:00:00+07:00')"
        )
        for qid, status, position in [(1, "used", 1), (2, "used", 2), (3, "queued", 3)]:
            conn.execute(
                "INSERT INTO questions (id, program_id, text, topic, legal_refs, status, "
                "position, created_by, created_at) VALUES (?,1,?,?,?,?,?,1,?)",
                (
                    qid,
                    f"Câu hỏi số {qid}: chi bộ cơ sở xét kết nạp đảng viên theo thủ tục nào?",
                    "Đảng viên",
                    "Điều lệ Đảng",
                    status,
                    position,
                    T0,
                ),
            )
        conn.execute(
            "INSERT INTO sessions (id, program_id, week, nominal_date, session_date, state, "
            "question_id, publish_at, draw_at, deadline_at, seed, commitment, round_no, "
            "drawn_person_id, answer_kind, answer_text, answered_at, conclusion, concluded_by, "
            "concluded_at, created_at) VALUES (1, 1, '2026-W49', '2026-11-30', '2026-11-30', "
            "'concluded', 1, '2026-11-27T08:00:00+07:00', '2026-11-30T09:00:00+07:00', "
            "'2026-11-30T10:00:00+07:00', ?, ?, 1, 4, 'text', 'Cần hai đảng viên giới thiệu.', "
            "'2026-11-30T09:20:00+07:00', 'Thực hiện theo Điều lệ Đảng.', 3, "
            "'2026-11-30T09:50:00+07:00', ?)",
            ("ab" * 32, "cd" * 32, T0),
        )
        conn.execute(
            "INSERT INTO sessions (id, program_id, week, nominal_date, session_date, state, "
            "question_id, publish_at, draw_at, reminder_at, deadline_at, seed, commitment, "
            "created_at) VALUES (2, 1, '2026-W50', '2026-12-07', '2026-12-07', 'published', 2, "
            "'2026-12-04T08:00:00+07:00', '2026-12-07T09:00:00+07:00', "
            "'2026-12-07T09:45:00+07:00', '2026-12-07T10:00:00+07:00', ?, ?, ?)",
            ("ef" * 32, "01" * 32, T0),
        )
        conn.execute(
            "INSERT INTO draws (session_id, attempt, pool, chosen_id, created_at) "
            "VALUES (1, 0, '4,5', 4, '2026-11-30T09:00:00+07:00')"
        )
        conn.execute(
            "INSERT INTO grades (session_id, verdict, comment, head_id, created_at) "
            "VALUES (1, 'partial', 'Cần nêu rõ thời hạn.', 2, '2026-11-30T09:30:00+07:00')"
        )
        for kind in ("published", "drawn", "answered", "graded", "concluded"):
            conn.execute(
                "INSERT INTO events (program_id, session_id, kind, created_at) VALUES (1,1,?,?)",
                (kind, T0),
            )
        conn.execute(
            "INSERT INTO actions (token, kind, program_id, session_id, target, expires_at, "
            "created_at) VALUES ('tok1', 'grade', 1, 1, 'correct', '2026-12-14T08:00:00+07:00', ?)",
            (T0,),
        )
        conn.execute(
            "INSERT INTO outbox (chat_id, template, context, created_at, sent_at, attempts, "
            "sent_message_id) VALUES (?, 'reminder', ?, ?, ?, 1, 77)",
            (4001, json.dumps({"note": "sent long ago"}), T0, T0),
        )
        conn.execute(
            "INSERT INTO outbox (chat_id, template, context, created_at) VALUES (?, ?, ?, ?)",
            (GROUP, "added_to_group", json.dumps({}), T0),
        )
        conn.execute(
            "INSERT INTO dialogs (person_id, kind, program_id, session_id, data, updated_at) "
            "VALUES (3, 'conclude', 1, 2, '{}', ?)",
            (T0,),
        )
        conn.execute("INSERT INTO seen_updates (update_id, seen_at) VALUES (41, ?)", (T0,))
        conn.execute("COMMIT")


def snapshot(path: Path, schema_of: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of ``schema_of``'s schema, in its columns (later versions may
    add columns; what was there must stay the same)."""
    with closing(sqlite3.connect(schema_of)) as old, closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in old.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            columns = [r[1] for r in old.execute(f"PRAGMA table_info({table})")]
            select = ", ".join(columns)
            out[table] = conn.execute(f"SELECT {select} FROM {table} ORDER BY 1").fetchall()
        return out


@pytest.fixture
def version_1(tmp_path: Path) -> Path:
    path = tmp_path / "hoidap.sqlite3"
    build(path, 1)
    fill_version_1(path)
    shutil.copy(path, tmp_path / "as_left.sqlite3")
    return path


async def test_a_version_1_database_upgrades_with_its_data_intact(version_1: Path) -> None:
    before = snapshot(version_1, version_1)
    assert sum(map(len, before.values())) > 30
    conn = await connect(version_1)
    try:
        async with conn.execute("PRAGMA user_version") as cur:
            assert (await cur.fetchone())[0] == latest_version()  # type: ignore[index]
        async with conn.execute("PRAGMA foreign_key_check") as cur:
            assert await cur.fetchall() == []
        store = Store(conn)
        program = await store.program(1)
        assert program is not None and program.title == GROUP_TITLE
        concluded = await store.session(1)
        assert concluded is not None and concluded.conclusion == "Thực hiện theo Điều lệ Đảng."
        assert [g.verdict for g in await store.grades(1)] == ["partial"]
        assert [i.template for i in await store.pending_outbox()] == ["added_to_group"]
    finally:
        await conn.close()
    assert snapshot(version_1, version_1.with_name("as_left.sqlite3")) == before
    conn = await connect(version_1)  # opening again applies nothing
    await conn.close()
    assert snapshot(version_1, version_1.with_name("as_left.sqlite3")) == before


async def test_the_bot_runs_on_an_upgraded_database(version_1: Path) -> None:
    """The real application starts on it: the message still owed goes out, the week goes on."""
    h = Harness(version_1.parent, ManualClock(vn(2026, 12, 7, 8, 30)), admins=(ADMIN.id,))
    assert h.db_path == version_1
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await h.settle()
        assert len(h.server.messages_to(GROUP)) == 1  # the pending outbox row of version 1
        steps = await h.at(vn(2026, 12, 7, 9, 0))
        assert steps == ["2026-W50:draw"]
        session = await h.core.store.session(2)
        assert session is not None and session.drawn_person_id in (4, 5)
    finally:
        await h.close()


@pytest.mark.parametrize("version", range(1, len(migrations())))
async def test_every_older_version_upgrades(tmp_path: Path, version: int) -> None:
    path = tmp_path / "db.sqlite3"
    build(path, version)
    conn = await connect(path)
    async with conn.execute("PRAGMA user_version") as cur:
        assert (await cur.fetchone())[0] == latest_version()  # type: ignore[index]
    await conn.close()


async def test_a_number_set_before_becomes_the_issuers_symbol(tmp_path: Path) -> None:
    """Migration 0011: the setting «number» («Số 05-BC/BTCTU» as typed) becomes «symbol»; the
    documents read its symbol and never print the number a program once set."""
    from bot.documents.settings import from_stored

    path = tmp_path / "db.sqlite3"
    build(path, 10)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(
            "INSERT INTO programs (id, chat_id, title, created_by, created_at) VALUES (?,?,?,?,?)",
            (1, GROUP, GROUP_TITLE, None, T0),
        )
        conn.execute(
            "INSERT INTO document_settings (program_id, key, value) VALUES (1, 'number', ?), "
            "(1, 'place', 'Đồng Nai')",
            ("Số 05-BC/BTCTU",),
        )
    store = Store(await connect(path))
    try:
        stored = await store.document_settings(1)
        assert stored == {"symbol": "Số 05-BC/BTCTU", "place": "Đồng Nai"}
        settings = from_stored(GROUP_TITLE, stored)
        assert settings.symbol == "BTCTU" and settings.place == "Đồng Nai"
    finally:
        await store.close()


# -- a database the bot must not use ----------------------------------------------------------


@pytest.fixture
def unprivileged() -> Iterator[list[str]]:
    """The command prefix that runs a process without root's right to ignore file modes."""
    if os.geteuid() != 0:
        yield []
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    yield [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"]


def run_cli(prefix: list[str], db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "hoidap", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOIDAP_DB": str(db)},
        cwd=db.parent,
        timeout=60,
    )


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "hoidap.sqlite3"
    build(db, latest_version())
    fill_version_1(db)
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_unwritable_database_stops_the_bot_and_stays_untouched(
    migrated: Path, unprivileged: list[str], what: str
) -> None:
    before = migrated.read_bytes()
    if what == "file":
        migrated.chmod(0o444)
        needle = f"tệp cơ sở dữ liệu {migrated} chỉ đọc"
    else:
        migrated.parent.chmod(0o555)
        needle = f"thư mục {migrated.parent} chỉ đọc"
    result = run_cli(unprivileged, migrated, "db", "migrate")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert needle in lines[0], lines[0]
    assert migrated.read_bytes() == before


def test_the_lock_of_a_database_in_a_read_only_folder_is_a_clear_error(
    migrated: Path, unprivileged: list[str]
) -> None:
    migrated.parent.chmod(0o555)
    code = (
        "from bot.db import DatabaseError, lock_database\n"
        "try:\n"
        f"    lock_database({str(migrated)!r})\n"
        "except DatabaseError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [*unprivileged, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert f"không tạo được tệp khóa {migrated}.lock" in result.stdout, result
    assert not migrated.with_name(migrated.name + ".lock").exists()


def test_every_path_to_one_database_names_one_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "hoidap.sqlite3"
    real.parent.mkdir()
    link = tmp_path / "lien_ket.sqlite3"
    link.symlink_to(real)  # the database need not exist yet
    folder = tmp_path / "thu_muc"
    folder.symlink_to(real.parent, target_is_directory=True)
    others = [link, folder / real.name, tmp_path / "data" / ".." / "data" / real.name]
    assert {lock_path_of(p) for p in [real, *others]} == {real.with_name(real.name + ".lock")}
    for first_path in (real, link):
        first = lock_database(first_path)
        assert first is not None
        for other in {real, *others} - {first_path}:
            with pytest.raises(DatabaseError, match="đang được một bot hoidap khác dùng"):
                lock_database(other)
        first.release()
    assert sorted(p.name for p in tmp_path.rglob("*.lock")) == ["hoidap.sqlite3.lock"]


def test_one_database_one_lock(tmp_path: Path) -> None:
    db = tmp_path / "hoidap.sqlite3"
    first = lock_database(db)
    assert first is not None
    with pytest.raises(DatabaseError, match=f"tiến trình {os.getpid()}"):
        lock_database(db)
    first.release()
    first.release()  # idempotent
    again = lock_database(db)
    assert again is not None
    again.release()
    assert lock_database(":memory:") is None
