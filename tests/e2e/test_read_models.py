"""/trangthai is a read model: built once, served from memory until what it shows changes."""

from __future__ import annotations

from fakes.harness import Harness
from tests.conftest import GROUP, STAFF, vn
from tests.e2e.helpers import drawn_user, setup_program, texts


def update_statements(h: Harness) -> list[str]:
    trace = h.core.store.trace or []
    return [s.sql for s in trace if s.task and "process_concurrent_update" in s.task]


async def test_status_is_kept_until_the_session_changes(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    store = h.core.store

    first = texts(await h.send(STAFF[0], "/trangthai"))
    store.trace = []
    again = texts(await h.send(STAFF[1], "/trangthai"))
    served = update_statements(h)
    store.trace = None
    assert again == first
    # Neither the sessions, the grades nor the draws were read again.
    assert not [sql for sql in served if "FROM sessions" in sql or "FROM draws" in sql], served

    # The draw changes what it shows: the next /trangthai is built again and tells it.
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    after_draw = texts(await h.send(STAFF[0], "/trangthai"))
    assert after_draw != first
    person = await store.person_by_tg(drawn.id)
    assert person is not None and person.display_name in after_draw

    # So does a change made by a single statement of its own (a person's profile).
    await store.set_person_profile(person.id, "Tên Mới Hẳn", "Chuyên viên")
    renamed = texts(await h.send(STAFF[0], "/trangthai", chat_id=GROUP))
    assert "Tên Mới Hẳn" in renamed
