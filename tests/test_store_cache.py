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
