"""A database left by the previous release (schema 9: Zalo links, members, messages still owed)
upgrades with every link, member and owed message intact, and the bot then runs on it through
its Zalo channel."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.chats import zalo_chat_id
from bot.clock import ManualClock
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE
from tests.test_db_upgrade import build

T0 = "2026-11-30T08:00:00+07:00"
TG_PERSON = 4001  # Nguyễn Văn An on Telegram, linked to the Zalo account «zalo-an»


def previous_release(path: Path) -> None:
    """What schema 9 holds after a while: a program, An on Telegram with a linked Zalo account,
    Bình only on Zalo, both members, and messages owed to both Zalo chats."""
    build(path, 9)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO programs (id, chat_id, title, created_at) VALUES (1, ?, ?, ?)",
            (GROUP, GROUP_TITLE, T0),
        )
        conn.execute(
            "INSERT INTO people (id, tg_user_id, tg_name, full_name, created_at) "
            "VALUES (1, ?, 'An', 'Nguyễn Văn An', ?)",
            (TG_PERSON, T0),
        )
        for account, person, name, linked in ((1, 2, "An Zalo", T0), (2, 3, "Bình", None)):
            conn.execute(
                "INSERT INTO people (id, tg_user_id, tg_name, full_name, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (person, zalo_chat_id(account), name, None if linked else "Trần Thị Bình", T0),
            )
            conn.execute(
                "INSERT INTO zalo_users (id, zalo_id, zalo_chat, person_id, display_name, "
                "created_at, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    account,
                    f"zalo-{account}",
                    f"zalo-{account}",
                    1 if linked else person,
                    name,
                    T0,
                    linked,
                ),
            )
        for person in (1, 3):
            conn.execute(
                "INSERT INTO members (program_id, person_id, status, joined_at) "
                "VALUES (1, ?, 'active', ?)",
                (person, T0),
            )
            conn.execute(
                "INSERT INTO member_roles (program_id, person_id, role) VALUES (1, ?, 'staff')",
                (person,),
            )
        for chat in (zalo_chat_id(1), zalo_chat_id(2)):
            conn.execute(
                "INSERT INTO outbox (chat_id, template, context, created_at, program_id) "
                "VALUES (?, 'help', ?, ?, 1)",
                (chat, '{"sections": [], "in_group": false}', T0),
            )
        conn.execute("COMMIT")


async def test_links_members_and_owed_messages_survive_the_upgrade(
    tmp_path: Path, clock: ManualClock
) -> None:
    zalo = FakeZalo()
    await zalo.start()
    for account in ("zalo-1", "zalo-2"):
        zalo.known.add(account)  # they wrote to the bot under the previous release
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), zalo=zalo)
    previous_release(h.db_path)
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await h.settle()
        # The messages owed went out, each once, to the right Zalo chats.
        assert sorted(m["chat_id"] for m in zalo.sent) == ["zalo-1", "zalo-2"]
        store = h.core.store
        an = await store.zalo_account("zalo-1")
        binh = await store.zalo_account("zalo-2")
        assert an is not None and an.linked and an.person_id == 1 and an.wrote
        assert binh is not None and not binh.linked and binh.person_id == 3 and binh.wrote
        assert {m.person.id for m in await store.members(1, "active")} == {1, 3}
        # The linked account still acts as An: /toi says who the bot takes them for.
        out = await h.zalo_send("zalo-1", "/toi", display_name="An Zalo")
        assert "Nguyễn Văn An" in out[-1]["text"]
        out = await h.zalo_send("zalo-2", "/toi", display_name="Bình")
        assert "Trần Thị Bình" in out[-1]["text"]
    finally:
        await h.close()
        await zalo.stop()
