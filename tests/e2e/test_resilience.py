"""Restarts, missed steps, holidays and replayed updates: no step lost, none done twice."""

from __future__ import annotations

from pathlib import Path

from bot.clock import ManualClock
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, vn
from tests.e2e.helpers import contains, context_of, sent, sent_all, setup_program


async def test_restart_before_the_draw_catches_up_once(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.stop()  # the bot is down over the draw time
    h.clock.set(vn(2026, 12, 7, 9, 10))  # within the 30-minute grace period
    await h.start()  # start-up catches up
    await h.settle()
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn"
    await h.restart()
    await h.tick()
    assert len(await h.core.store.draws(session.id)) == 1
    assert len(sent_all(h.server.messages_to(GROUP), "draw_group")) == 1


async def test_draw_missed_beyond_grace_is_reported_not_run(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.stop()
    h.clock.set(vn(2026, 12, 7, 9, 45))  # 45 minutes late, grace is 30
    await h.start()
    await h.settle()
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "published" and session.missed_reported
    sent([h.last_to(ADMIN.id)], "missed_admin", ADMIN.id, step="draw")
    assert "/bocthamngay" in h.last_to(ADMIN.id).plain_text
    sent([h.last_to(GROUP)], "missed_group", GROUP, step="draw")
    await h.restart()
    await h.tick()
    reports = sent_all(h.server.messages_to(ADMIN.id), "missed_admin")
    assert len(reports) == 1  # reported once, not at every start
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    sent(out, "draw_group", GROUP)


async def test_messages_owed_by_a_committed_step_survive_a_crash(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    # Telegram unreachable while the question is published: the state change is committed,
    # the messages wait in the outbox.
    h.server.set_outage(True)
    h.clock.set(vn(2026, 12, 4, 8, 0))
    await h.scheduler.run(1)
    assert (await h.core.store.open_sessions(1))[0].state == "published"
    pending = await h.core.store.count_outbox()
    assert pending >= 6  # group + 5 members
    await h.deps.outbox.stop()  # the process "dies" with the messages unsent
    await h.stop()
    h.server.set_outage(False)
    await h.start()
    await h.settle()
    assert await h.core.store.count_outbox() == 0
    group_posts = [m for m in h.server.messages_to(GROUP) if "Mã kiểm tra bốc thăm" in m.plain_text]
    assert len(group_posts) == 1


async def test_replayed_update_changes_nothing(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    message = h.server.send_text(person.tg_user_id, "Câu trả lời lần đầu")
    await h.settle()
    update_id = h.server.injected_updates[-1]["update_id"]
    mark = h.server.mark()
    h.server.inject_raw({"update_id": update_id, "message": message})
    await h.settle()
    assert h.server.sent[mark:] == []
    answers = [m for m in h.server.messages_to(GROUP) if "Câu trả lời của" in m.plain_text]
    assert len(answers) == 1


async def test_holiday_monday_moves_the_session(tmp_path: Path) -> None:
    # Monday 3/5/2027 is the observed International Labour Day: the session moves to Tuesday.
    h = Harness(tmp_path, ManualClock(vn(2027, 4, 27, 10, 0)), admins=(ADMIN.id,))
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await setup_program(h)
        session = (await h.core.store.open_sessions(1))[0]
        assert session.week == "2027-W18"
        assert session.session_date is not None and session.session_date.isoformat() == "2027-05-04"
        # Three days before the moved date is Saturday 1/5 (Labour Day), and Friday 30/4 is a
        # holiday too: the question goes out on Thursday 29/4, the last working day before.
        assert session.publish_at == vn(2027, 4, 29, 8, 0)
        await h.at(vn(2027, 4, 29, 8, 0))
        post = h.last_to(GROUP, lambda m: "Mã kiểm tra bốc thăm" in m.plain_text)
        moved = {"session_date": "2027-05-04", "nominal_date": "2027-05-03"}
        assert contains(context_of(post, "publish_group")["session"], moved)
        assert "dời lịch" in post.plain_text
        await h.at(vn(2027, 5, 3, 9, 0))
        assert (await h.core.store.session(session.id)).state == "published"  # type: ignore[union-attr]
        await h.at(vn(2027, 5, 4, 9, 0))
        assert (await h.core.store.session(session.id)).state == "drawn"  # type: ignore[union-attr]
    finally:
        await h.close()
