"""Holidays in chat: a week skipped because moving it would crowd the next is told ahead to the
group and the admins, /lich lists the holidays ahead, and a draw by hand never reminds on a day off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, HEAD, STAFF, vn
from tests.e2e.helpers import context_of, not_sent, sent, setup_program, texts


@pytest.fixture
async def tet(tmp_path: Path) -> AsyncIterator[Harness]:
    """A program set up on Monday 18/1/2027, three weeks before Tết (4/2 to 10/2/2027)."""
    h = Harness(tmp_path, ManualClock(vn(2027, 1, 18, 10, 0)), admins=(ADMIN.id,))
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await setup_program(h)
        yield h
    finally:
        await h.close()


async def _session_times(h: Harness, week: str) -> tuple[str, datetime | None, datetime | None]:
    s = await h.core.store.session_by_week(1, week)
    assert s is not None, week
    return s.state, s.publish_at, s.draw_at


async def test_a_friday_program_is_told_ahead_that_tet_skips_a_week(tet: Harness) -> None:
    h = tet
    out = await h.send(ADMIN, "/datlich thu 6", chat_id=GROUP)
    assert "Lịch của chương trình" in texts(out), texts(out)
    # /lich shows the holidays ahead: the Friday of giao thừa is skipped, and the next
    # question goes out on Thursday 11/2 instead of Tuesday 9/2 (mùng bốn).
    out = await h.send(STAFF[0], "/lich", chat_id=GROUP)
    shown = texts(out)
    assert "Ngày lễ trong 8 tuần tới" in shown, shown
    assert "Tuần có thứ Sáu, 05/02/2027: nghỉ phiên (Giao thừa Tết Nguyên Đán;" in shown, shown
    assert "dồn vào cùng một tuần" in shown
    assert "gửi câu hỏi 08:00 thứ Năm, 11/02/2027 (thay cho thứ Ba, 09/02/2027" in shown, shown

    # The week of Friday 29/1 runs as usual; once it is over the week of giao thừa is planned.
    await h.at(vn(2027, 1, 26, 8, 0))
    await h.at(vn(2027, 1, 29, 9, 0))
    mark = h.server.mark()
    await h.at(vn(2027, 1, 29, 10, 0))
    state, publish_at, draw_at = await _session_times(h, "2027-W05")
    assert (state, publish_at, draw_at) == ("skipped", None, None)
    told = h.server.sent[mark:]
    post = sent(told, "week_skipped", GROUP, reason="holiday", crowded=True)
    assert "Giao thừa Tết Nguyên Đán" in post.plain_text
    assert "dời sang tuần sau thì hai phiên dồn vào cùng một tuần" in post.plain_text
    assert "Phiên tiếp theo: thứ Sáu, 12/02/2027" in post.plain_text
    admin = sent(told, "week_skipped_admin", ADMIN.id, crowded=True)
    assert context_of(admin)["next"]["session_date"] == "2027-02-12"
    assert "nghỉ phiên" in admin.plain_text and "dồn vào cùng một tuần" in admin.plain_text
    assert "gửi câu hỏi 08:00 thứ Năm, 11/02/2027" in admin.plain_text, admin.plain_text

    # Nothing goes out during Tết; the question of Friday 12/2 goes out on Thursday 11/2.
    await h.at(vn(2027, 2, 6, 0, 30))
    state, publish_at, draw_at = await _session_times(h, "2027-W06")
    assert (state, publish_at, draw_at) == ("scheduled", vn(2027, 2, 11, 8), vn(2027, 2, 12, 9))
    mark = h.server.mark()
    for day in (8, 9, 10):
        await h.at(vn(2027, 2, day, 12, 0))
    assert h.server.sent[mark:] == []
    await h.at(vn(2027, 2, 11, 8, 0))
    assert (await _session_times(h, "2027-W06"))[0] == "published"


async def test_a_schedule_change_that_skips_the_coming_week_is_told(tet: Harness) -> None:
    h = tet
    await h.at(vn(2027, 1, 22, 8, 0))
    await h.at(vn(2027, 1, 25, 9, 0))
    await h.at(vn(2027, 1, 25, 10, 0))  # the Monday session of 25/1 is over
    assert (await _session_times(h, "2027-W05"))[0] == "scheduled"  # Monday 1/2
    mark = h.server.mark()
    out = await h.send(ADMIN, "/datlich thu 6", chat_id=GROUP)
    assert "Tuần có thứ Sáu, 05/02/2027: nghỉ phiên" in texts(out), texts(out)
    assert (await _session_times(h, "2027-W05"))[0] == "skipped"
    told = h.server.sent[mark:]
    sent(told, "week_skipped", GROUP, reason="holiday", crowded=True)
    sent(told, "week_skipped_admin", ADMIN.id, crowded=True)
    # A change that keeps a session tells nobody about skipping.
    mark = h.server.mark()
    await h.send(ADMIN, "/datlich boc 09:30", chat_id=GROUP)
    not_sent(h.server.sent[mark:], "week_skipped")


async def test_a_monday_program_publishes_before_tet(tet: Harness) -> None:
    h = tet
    await h.at(vn(2027, 2, 1, 10, 0))  # the session of Monday 1/2 is over: 8/2 is planned
    state, publish_at, draw_at = await _session_times(h, "2027-W06")
    # Monday 8/2 is mùng ba: the session moves to Thursday 11/2; its question goes out on
    # Wednesday 3/2, the last working day before Tết, not on mùng ba.
    assert (state, publish_at, draw_at) == ("scheduled", vn(2027, 2, 3, 8), vn(2027, 2, 11, 9))
    await h.at(vn(2027, 2, 3, 8, 0))
    assert (await _session_times(h, "2027-W06"))[0] == "published"


async def test_a_draw_by_hand_never_reminds_on_a_day_off(tet: Harness) -> None:
    h = tet
    for command in ("/datlich han 4320", "/datlich nhac 1380"):  # three days, 23 hours before
        out = await h.send(ADMIN, command, chat_id=GROUP)
        assert "Chưa đổi lịch" not in texts(out), texts(out)
    await h.at(vn(2027, 1, 22, 8, 0))  # the question of Monday 25/1 goes out on Friday
    # Drawn by hand on Friday 22/1 at 10:00: the deadline is Monday 10:00; 23 hours before is
    # Sunday 11:00, a day off: the reminder is on Friday at 11:00 instead.
    h.clock.set(vn(2027, 1, 22, 10, 0))
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    sent(out, "draw_group", GROUP)
    (s,) = await h.core.store.open_sessions(1)
    assert s.deadline_at == vn(2027, 1, 25, 10, 0)
    assert s.reminder_at == vn(2027, 1, 22, 11, 0)
    # A redraw at 10:30 with a reminder a day before the deadline: Sunday 10:30 would be
    # Friday 10:30, the redraw itself: no reminder.
    await h.send(ADMIN, "/datlich nhac 1440", chat_id=GROUP)
    h.clock.set(vn(2027, 1, 22, 10, 30))
    out = await h.send(HEAD, "/rutlai vắng mặt", chat_id=GROUP)
    sent(out, "draw_group", GROUP, redraw=True)
    redrawn = await h.core.store.session(s.id)
    assert redrawn is not None
    assert redrawn.deadline_at == vn(2027, 1, 25, 10, 30) and redrawn.reminder_at is None
