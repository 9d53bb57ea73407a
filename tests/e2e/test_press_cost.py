"""What a grade press costs the database: at most 8 statements, all in one transaction.

The statements are counted through the store's execute path (``Store.trace``) while the head
presses a grade button over HTTP; the outbox sending the messages afterwards is not the press.
"""

from __future__ import annotations

from bot.store.base import Statement
from fakes.harness import Harness
from tests.conftest import GROUP, HEAD, vn
from tests.e2e.helpers import drawn_user, setup_program

MAX_STATEMENTS = 8


def press_statements(trace: list[Statement]) -> list[Statement]:
    """The statements of the task that handled the update (PTB names it after the update)."""
    return [s for s in trace if s.task and "process_concurrent_update" in s.task]


async def test_a_grade_press_is_one_transaction_of_at_most_8_statements(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    await h.send(await drawn_user(h), "Trả lời của tôi")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    store = h.core.store

    for label, reply in (("Đúng một phần", "Đã ghi nhận"), ("Đúng", "đánh giá lại")):
        store.trace = []
        answer, _ = await h.press(HEAD, post, label)
        trace, store.trace = store.trace, None
        assert reply in answer["text"], answer
        mine = press_statements(trace)
        begins = [s for s in mine if s.sql == "BEGIN IMMEDIATE"]
        statements = [s for s in mine if s.sql != "BEGIN IMMEDIATE"]
        assert len(begins) == 1, [s.sql for s in mine]
        assert all(s.in_tx for s in statements), [s.sql for s in statements if not s.in_tx]
        assert len(statements) <= MAX_STATEMENTS, [s.sql for s in statements]
        # The press's own checks are among them: the update marked seen, the action looked up.
        assert any("seen_updates" in s.sql for s in statements)
        assert any("FROM actions" in s.sql for s in statements)

    session = (await store.open_sessions(1))[0]
    assert [g.verdict for g in await store.grades(session.id)] == ["partial", "correct"]
    # The first grade told the leader, with a button of their own.
    prompt = h.last_to(
        next(iter(await store.members_with_role(1, "leader"))).person.tg_user_id,
        lambda m: "Viết kết luận" in str(m.buttons()),
    )
    assert prompt is not None


async def test_a_refused_press_is_still_seen_and_its_refusal_logged(harness: Harness) -> None:
    """The refusal rolls the press's transaction back; the update stays seen (a replay changes
    nothing) and the refusal stays in the audit trail."""
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    await h.send(drawn, "Trả lời của tôi")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    store = h.core.store
    answer, _ = await h.press(drawn, post, "Đúng")
    assert answer["show_alert"] and "không có quyền" in answer["text"]
    update_id = h.server.injected_updates[-1]["update_id"]
    assert not await store.mark_update_seen(update_id, h.core.now())  # a replay is dropped
    # It changed nothing, so it is written with the next change of any update (a crash
    # before that loses nothing: handled again, it is refused again).
    async with store.transaction():
        pass
    seen = await store._all("SELECT update_id FROM seen_updates WHERE update_id = ?", (update_id,))
    assert len(seen) == 1
    refused = [e for e in await store.events(1, "refused") if e["detail"] == "grade"]
    assert len(refused) == 1
    session = (await store.open_sessions(1))[0]
    assert session.state == "answered" and await store.grades(session.id) == []
