"""The store's caches and its statement counter: people looked up by dict, in both directions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import db
from bot.store import Store

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = Store(await db.connect(tmp_path / "c.sqlite3"))
    yield s
    await s.close()


async def test_people_are_cached_by_telegram_id_and_by_their_own_id(store: Store) -> None:
    people = [
        await store.upsert_person(1000 + i, None, f"Người {i}", False, NOW) for i in range(500)
    ]
    before = store.statements
    for p in people:
        assert await store.person(p.id) == p
        assert await store.person_by_tg(p.tg_user_id) == p
    assert store.statements == before  # every lookup answered from the cache
    assert len(store._people_by_id) == 500

    # A change drops the person from both indexes; the next lookup reads the row again.
    target = people[250]
    await store.set_person_profile(target.id, "Nguyễn Văn Mới", "Chuyên viên")
    assert target.id not in store._people_by_id and target.tg_user_id not in store._people
    fresh = await store.person(target.id)
    assert fresh is not None and fresh.full_name == "Nguyễn Văn Mới"
    assert await store.person_by_tg(target.tg_user_id) == fresh


async def test_statements_and_transactions_are_counted(store: Store) -> None:
    s0, t0 = store.statements, store.transactions
    store.trace = []
    async with store.transaction():
        await store.log_event("x", NOW)
        await store.events()
    await store.mark_update_seen(7, NOW)  # the ids seen are read once, then kept in memory
    assert not await store.mark_update_seen(7, NOW)
    assert store.statements - s0 == 3 and store.transactions - t0 == 1
    assert [s.sql.split()[0] for s in store.trace] == ["BEGIN", "INSERT", "SELECT", "SELECT"]


async def test_take_action_is_one_statement_and_single_use_once(store: Store) -> None:
    from datetime import timedelta

    later = NOW + timedelta(days=1)
    await store.add_actions(
        [
            ("once", "gr_accept", None, None, None, later, True),
            ("many", "grade", None, None, "correct", later, False),
            ("old", "grade", None, None, "correct", NOW - timedelta(seconds=1), False),
        ],
        NOW,
    )
    before = store.statements
    taken = await store.take_action("once", NOW)
    assert taken is not None and taken.used_at is None and store.statements == before + 1
    again = await store.take_action("once", NOW)  # used up: read as it is
    assert again is not None and again.single_use and again.used_at is not None
    for _ in range(2):
        many = await store.take_action("many", NOW)
        assert many is not None and many.used_at is None
    old = await store.take_action("old", NOW)
    assert old is not None and old.expires_at < NOW
    assert await store.take_action("nope", NOW) is None


async def _seen_rows(store: Store) -> set[int]:
    return {int(r[0]) for r in await store._all("SELECT update_id FROM seen_updates")}


async def test_updates_that_change_nothing_are_marked_seen_by_the_next_write(
    tmp_path: Path,
) -> None:
    """One statement per read-only update is saved: its mark rides on the next transaction,
    a batch of SEEN_BATCH, or the close; a replay is dropped from memory meanwhile."""
    path = tmp_path / "s.sqlite3"
    store = Store(await db.connect(path))
    assert await store.mark_update_seen(1, NOW)
    await store.flush_seen()  # update 1 changed nothing
    assert await _seen_rows(store) == set()
    assert not await store.mark_update_seen(1, NOW)  # a replay is still recognised
    await store.flush_seen()

    # The next update's transaction writes both marks in one statement, with its change.
    assert await store.mark_update_seen(2, NOW)
    store.trace = []
    async with store.transaction():
        await store.upsert_person(5000, None, "Người mới", False, NOW)
    marks = [s for s in store.trace if "seen_updates" in s.sql]
    store.trace = None
    assert len(marks) == 1 and marks[0].in_tx  # both marks, one statement, with the change
    assert await _seen_rows(store) == {1, 2}
    await store.flush_seen()

    # A transaction that rolls back keeps the pending marks for the next one.
    assert await store.mark_update_seen(3, NOW)
    await store.flush_seen()
    with pytest.raises(RuntimeError):
        async with store.transaction():
            raise RuntimeError("refused")
    assert 3 not in await _seen_rows(store)

    # A full batch is written at once; what is left is written at close.
    from bot.store.base import SEEN_BATCH

    for update_id in range(10, 10 + SEEN_BATCH + 5):
        assert await store.mark_update_seen(update_id, NOW)
        await store.flush_seen()
    rows = await _seen_rows(store)
    assert {3, *range(10, 10 + SEEN_BATCH - 1)} <= rows and 10 + SEEN_BATCH + 4 not in rows
    await store.close()
    store = Store(await db.connect(path))
    assert await _seen_rows(store) >= set(range(10, 10 + SEEN_BATCH + 5))
    assert not await store.mark_update_seen(10 + SEEN_BATCH + 4, NOW)  # seen across a restart
    await store.close()
