"""The database file deleted or replaced under the running bot: found before the next write
(nothing is written to the lost file), said in one line, and the bot stops; after a restart
the bot does not start on a new empty database in its place."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import DatabaseError, DatabaseLost, FileWatch, connect, lock_database, rescue
from bot.store import Store
from bot.store.ops import inspect_database_file
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, STAFF, vn
from tests.e2e.helpers import bind

LOST = "đã bị xóa hoặc thay bằng tệp khác khi bot đang chạy"
NOW = vn(2026, 12, 1, 10, 0)


async def open_watched(db: Path) -> tuple[Store, list[str]]:
    conn = await connect(db)
    store = Store(conn, FileWatch(db))
    found: list[str] = []
    assert store.watch is not None
    store.watch.on_lost.append(found.append)
    return store, found


def remove_all(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()


def rescued_copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("hoidap.sqlite3.rescued-*"))


async def seen(store: Store) -> list[int]:
    return [r["update_id"] for r in await store._all("SELECT update_id FROM seen_updates")]


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_write_transaction_checks_the_file_is_still_the_one_opened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    caplog.set_level(logging.INFO)
    db = tmp_path / "hoidap.sqlite3"
    store, found = await open_watched(db)
    try:
        async with store.transaction():
            await store._exec("INSERT INTO seen_updates (update_id, seen_at) VALUES (1, 'x')")
        moved = tmp_path / "elsewhere.sqlite3"
        if how == "deleted":
            db.unlink()
        else:  # `mv` it away and put another database in its place
            db.rename(moved)
            shutil.copy(moved, db)
        ran = False
        with pytest.raises(DatabaseLost) as lost:
            async with store.transaction():
                ran = True
                await store._exec("INSERT INTO seen_updates (update_id, seen_at) VALUES (2, 'x')")
        assert not ran  # refused before BEGIN: nothing half-done
        line = str(lost.value)
        assert line == f"cơ sở dữ liệu {db} {LOST}: bot dừng để không ghi vào tệp đã mất; " + (
            "khôi phục bằng «hoidap restore TỆP»"
        )
        with pytest.raises(DatabaseLost):  # a write on its own too, and every later one
            await store._exec("INSERT INTO seen_updates (update_id, seen_at) VALUES (3, 'x')")
        assert found == [line]  # the bot is told once
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in errors] == [line]
        assert await seen(store) == [1]  # reading goes on: what the bot holds open
    finally:
        await store.close()


async def test_what_the_bot_still_holds_is_rescued_into_a_file_restore_accepts(
    tmp_path: Path,
) -> None:
    db = tmp_path / "hoidap.sqlite3"
    store, _ = await open_watched(db)
    try:
        await store._exec("INSERT INTO seen_updates (update_id, seen_at) VALUES (7, 'x')")
        remove_all(tmp_path)  # `rm hoidap.sqlite3*`: the WAL file too
        copy = await rescue(store.conn, db, NOW)
    finally:
        await store.close()
    assert copy == tmp_path / "hoidap.sqlite3.rescued-20261201-100000"
    assert inspect_database_file(copy).problem is None
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT update_id FROM seen_updates").fetchall() == [(7,)]


async def test_a_lost_database_is_not_replaced_by_an_empty_one(tmp_path: Path) -> None:
    db = tmp_path / "data" / "hoidap.sqlite3"
    conn = await connect(db)  # a fresh installation: created
    await conn.close()
    lock = lock_database(db)  # what every run of the bot leaves behind
    assert lock is not None and not lock.existed
    lock.release()
    db.unlink()
    with pytest.raises(DatabaseError) as refused:
        await connect(db)
    line = str(refused.value)
    assert line.startswith(f"không thấy cơ sở dữ liệu {db} dù tệp khóa {db}.lock")
    assert "«hoidap restore TỆP_SAO_LƯU»" in line and "«hoidap db migrate»" in line
    assert not db.exists()
    rescued = db.with_name(db.name + ".rescued-20261201-100000")
    rescued.write_bytes(b"")
    with pytest.raises(DatabaseError, match=f"«hoidap restore {rescued}»"):
        await connect(db)
    conn = await connect(db, create=True)  # `hoidap db migrate`: deliberately
    await conn.close()
    assert db.exists()


async def test_a_database_behind_a_symbolic_link_has_its_lock_beside_the_real_file(
    tmp_path: Path,
) -> None:
    real = tmp_path / "data" / "hoidap.sqlite3"
    real.parent.mkdir()
    link = tmp_path / "hoidap.sqlite3"
    link.symlink_to(real)
    conn = await connect(link)  # a fresh installation, through the link
    await conn.close()
    assert real.exists()
    lock = lock_database(link)
    assert lock is not None and not lock.existed
    lock.release()
    lock = lock_database(real)  # the same lock by either path
    assert lock is not None and lock.existed
    lock.release()
    real.unlink()  # lost: the link is left pointing at nothing
    with pytest.raises(DatabaseError) as refused:
        await connect(link)
    assert str(refused.value).startswith(f"không thấy cơ sở dữ liệu {link} dù tệp khóa {real}.lock")
    assert not real.exists()


async def test_the_harness_sees_the_bot_stop_for_a_deleted_database(
    tmp_path: Path, clock: ManualClock
) -> None:
    h = Harness(tmp_path, clock, admins=(ADMIN.id,))
    h.server.group(GROUP, "Giao ban")
    await h.start()
    try:
        await bind(h)
        assert h.fatal == []
        h.db_path.unlink()
        # The next update that writes is refused (its sender hears of a problem) ...
        out = await h.send(STAFF[0], "/start")
        assert [m.plain_text for m in out] == [
            "Xin lỗi, bot gặp sự cố khi xử lý yêu cầu này. Sự cố đã được ghi lại; đề nghị đồng "
            "chí thử lại sau ít phút."
        ]
        (line,) = h.fatal  # ... and the bot is told to stop, once
        assert LOST in line
    finally:
        await h.close()
    assert rescued_copies(tmp_path)
    with pytest.raises(DatabaseError, match="không thấy cơ sở dữ liệu"):
        await h.start()  # after the restart: no new empty database
    await h.close()
    assert not h.db_path.exists()


async def test_the_watchdog_finds_it_without_any_write(tmp_path: Path, clock: ManualClock) -> None:
    h = Harness(tmp_path, clock, db_watch_seconds=0.05)
    await h.start()
    try:
        assert h.app is not None
        watchdog = h.app.bot_data["db_watchdog"]
        found = asyncio.Event()
        assert h.core.store.watch is not None
        h.core.store.watch.on_lost.append(lambda _line: found.set())
        os.replace(tmp_path / "hoidap.sqlite3", tmp_path / "moved.sqlite3")
        await asyncio.wait_for(found.wait(), 10)
        assert len(h.fatal) == 1 and LOST in h.fatal[0]
        assert await asyncio.wait_for(watchdog, 10) is None  # its work is done
    finally:
        await h.close()


async def test_the_watchdog_stops_with_the_bot(harness: Harness) -> None:
    assert harness.app is not None
    watchdog = harness.app.bot_data["db_watchdog"]
    assert not watchdog.done()
    await harness.stop()
    assert watchdog.cancelled()
    assert harness.fatal == []
