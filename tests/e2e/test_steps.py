"""Every step of the cycle writes the same messages (to the same chats, in the same order) and
the same events, whichever way it is written: a record of several weeks, step by step."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from bot import draw as drawing
from bot.words import BUTTONS
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import SAMPLES, bind, onboard, sent
from tests.e2e.test_grassroots import ASKER, UNIT, register_asker, say, submit, tap

Row = tuple[Any, ...]


async def _outbox(h: Harness, after: int) -> list[Row]:
    rows = await h.core.store._all(
        "SELECT id, chat_id, template, buttons, media_kind FROM outbox WHERE id > ? ORDER BY id",
        (after,),
    )
    out: list[Row] = []
    for r in rows:
        labels = [b["text"] for row in json.loads(r["buttons"] or "[]") for b in row]
        out.append((r["chat_id"], r["template"], tuple(labels), r["media_kind"]))
    return out


async def _events(h: Harness, after: int) -> list[Row]:
    rows = await h.core.store._all(
        "SELECT e.kind, e.session_id, e.detail, p.tg_user_id FROM events e "
        "LEFT JOIN people p ON p.id = e.actor_id WHERE e.id > ? ORDER BY e.id",
        (after,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def _marks(h: Harness) -> tuple[int, int]:
    o = await h.core.store._one("SELECT COALESCE(MAX(id), 0) FROM outbox")
    e = await h.core.store._one("SELECT COALESCE(MAX(id), 0) FROM events")
    assert o is not None and e is not None
    return int(o[0]), int(e[0])


@pytest.fixture
def seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeds that repeat from run to run, so the draws do."""
    counter = itertools.count(1)
    monkeypatch.setattr(drawing, "new_seed", lambda: f"{next(counter):064x}")


async def test_every_step_writes_what_it_wrote(harness: Harness, seeds: None) -> None:
    h = harness
    await bind(h)
    sample = (SAMPLES / "cau_hoi_mau.csv").read_text(encoding="utf-8-sig").splitlines()
    await h.upload(ADMIN, "hai_cau.csv", "\n".join(sample[:3]).encode())
    await onboard(h, STAFF[0], "Nguyễn Văn An")
    await onboard(h, STAFF[1], "Trần Văn Bình")
    await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")
    await register_asker(h, ASKER, "Đinh Thị Hoa", UNIT, by_admin=False)
    card = await submit(h, ASKER, "Giấy chứng nhận bồi dưỡng nhận thức về Đảng có thời hạn không?")
    await tap(h, ADMIN, card, BUTTONS["merge"])
    await say(h, ADMIN, "#1")
    store = h.core.store
    record: dict[str, tuple[list[Row], list[Row]]] = {}

    async def step(name: str, mark: tuple[int, int]) -> None:
        record[name] = (await _outbox(h, mark[0]), await _events(h, mark[1]))

    # The week's session is planned, then re-planned by a schedule change.
    mark = await _marks(h)
    await h.tick()
    await step("plan", mark)
    mark = await _marks(h)
    await say(h, ADMIN, "/datlich boc 10:30")
    await step("replan", mark)
    # Week 1: published, drawn, redrawn, answered, graded with a comment, concluded.
    mark = await _marks(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await step("publish", mark)
    mark = await _marks(h)
    await h.at(vn(2026, 12, 7, 10, 30))
    await step("draw", mark)
    mark = await _marks(h)
    await h.send(HEAD, "/rutlai đồng chí vắng họp đột xuất", chat_id=GROUP)
    await step("redraw", mark)
    s1 = (await store.open_sessions(1))[0]
    person = await store.person(s1.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    mark = await _marks(h)
    out = await h.send(drawn, "Theo Quy định số 24-QĐ/TW, giấy chứng nhận có giá trị 12 tháng.")
    await step("answer", mark)
    post = sent(out, "answer_group", GROUP)
    mark = await _marks(h)
    await h.press(HEAD, post, "Đúng")
    await step("grade", mark)
    mark = await _marks(h)
    await h.send(HEAD, "Cần nêu rõ thời hạn.")
    await step("comment", mark)
    mark = await _marks(h)
    await h.send(LEADER, "/ketluan Giấy chứng nhận quá 12 tháng thì học lại.", chat_id=GROUP)
    await step("conclude", mark)
    # Week 2: skipped by the admin before its question goes out.
    mark = await _marks(h)
    await h.at(vn(2026, 12, 8, 9, 0))
    await say(h, ADMIN, "/nghituan họp chuyên đề")
    await step("skip", mark)
    # Week 3: the last question goes out (the queue runs low), nobody answers, the head records
    # the answer given in the meeting.
    mark = await _marks(h)
    await h.at(vn(2026, 12, 18, 8, 0))
    await step("publish-last", mark)
    mark = await _marks(h)
    await h.at(vn(2026, 12, 21, 10, 30))
    await step("draw-2", mark)
    s3 = (await store.open_sessions(1))[0]
    assert s3.reminder_at is not None
    mark = await _marks(h)
    await h.at(s3.reminder_at)
    await step("remind", mark)
    mark = await _marks(h)
    await h.at(vn(2026, 12, 21, 11, 30))
    await step("close", mark)
    unanswered = h.last_to(GROUP, lambda m: BUTTONS["in_person"] in str(m.buttons()))
    mark = await _marks(h)
    await h.press(HEAD, unanswered, BUTTONS["in_person"])
    await step("in-person", mark)
    # Week 4: no question left; the draw is missed.
    mark = await _marks(h)
    await h.at(vn(2026, 12, 25, 8, 0))
    await step("no-question", mark)
    mark = await _marks(h)
    await h.at(vn(2026, 12, 28, 12, 0))
    await step("missed", mark)
    # The next week is planned; the week that never got a question is closed as skipped.
    mark = await _marks(h)
    await h.at(vn(2027, 1, 1, 8, 0))
    await step("next-week", mark)
    states = await store._all("SELECT state FROM sessions ORDER BY id")
    assert [r[0] for r in states][-2:] == ["skipped", "scheduled"]
    assert record == EXPECTED


# Recorded from the steps as each service wrote them by hand: (chat, template, button labels,
# media) per outbox row, (kind, session, detail, actor's Telegram id) per event.
EXPECTED: dict[str, tuple[list[Row], list[Row]]] = {
    "plan": ([], []),
    "replan": ([], [("schedule", None, "draw_time=10:30:00", 1001)]),
    "publish": (
        [
            (6001, "grassroots_scheduled", (), None),
            (-1001234, "publish_group", (), None),
            (4001, "publish_private", (), None),
            (4002, "publish_private", (), None),
            (2001, "publish_private", (), None),
            (3001, "publish_private", (), None),
            (1001, "queue_low", (), None),
        ],
        [("published", 1, "1", None)],
    ),
    "draw": (
        [
            (-1001234, "draw_group", ("🗣 Ghi nhận trả lời trực tiếp",), None),
            (4001, "draw_private", (), None),
        ],
        [("drawn", 1, "chosen=2 attempt=0 reason=", None)],
    ),
    "redraw": (
        [
            (-1001234, "draw_group", ("🗣 Ghi nhận trả lời trực tiếp",), None),
            (4002, "draw_private", (), None),
        ],
        [("redrawn", 1, "chosen=3 attempt=1 reason=đồng chí vắng họp đột xuất", 2001)],
    ),
    "answer": (
        [
            (-1001234, "answer_group", ("Đúng", "Đúng một phần", "Chưa đúng"), None),
            (2001, "grade_prompt", ("Đúng", "Đúng một phần", "Chưa đúng"), None),
        ],
        [("answered", 1, "text", 4002)],
    ),
    "grade": (
        [
            (-1001234, "graded_group", (), None),
            (2001, "grade_comment_prompt", (), None),
            (3001, "conclude_prompt", ("✍️ Viết kết luận",), None),
        ],
        [("graded", 1, "correct", 2001)],
    ),
    "comment": ([(-1001234, "grade_comment_group", (), None)], [("grade_comment", 1, None, 2001)]),
    "conclude": (
        [(6001, "grassroots_answer", (), None), (-1001234, "concluded_group", (), None)],
        [("concluded", 1, None, 3001)],
    ),
    "skip": ([(-1001234, "week_skipped", (), None)], [("skipped", 2, "họp chuyên đề", 1001)]),
    "publish-last": (
        [
            (-1001234, "publish_group", (), None),
            (4001, "publish_private", (), None),
            (4002, "publish_private", (), None),
            (2001, "publish_private", (), None),
            (3001, "publish_private", (), None),
            (1001, "queue_low", (), None),
        ],
        [("published", 3, "2", None)],
    ),
    "draw-2": (
        [
            (-1001234, "draw_group", ("🗣 Ghi nhận trả lời trực tiếp",), None),
            (4001, "draw_private", (), None),
        ],
        [("drawn", 3, "chosen=2 attempt=0 reason=", None)],
    ),
    "remind": ([(4001, "reminder", (), None)], []),
    "close": (
        [(-1001234, "unanswered", ("🗣 Ghi nhận trả lời trực tiếp",), None)],
        [("unanswered", 3, None, None)],
    ),
    "in-person": (
        [(-1001234, "answer_group", ("Đúng", "Đúng một phần", "Chưa đúng"), None)],
        [("answered", 3, "in_person", 2001)],
    ),
    "no-question": ([(1001, "no_question_admin", (), None)], []),
    "missed": ([], []),
    "next-week": ([(1001, "no_question_admin", (), None)], []),
}


async def test_nobody_to_draw_is_told_once(harness: Harness, seeds: None) -> None:
    """The draw finds nobody to draw: the admins are told once (not at every wake-up), nothing
    else is written, the session waits; drawing by hand is refused with the reason."""
    h = harness
    await bind(h)
    sample = (SAMPLES / "cau_hoi_mau.csv").read_text(encoding="utf-8-sig").splitlines()
    await h.upload(ADMIN, "cau.csv", "\n".join(sample[:3]).encode())
    await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    await h.at(vn(2026, 12, 4, 8, 0))
    mark = await _marks(h)
    await h.at(vn(2026, 12, 7, 9, 0))
    assert await _outbox(h, mark[0]) == [(ADMIN.id, "draw_empty_pool", (), None)]
    assert await _events(h, mark[1]) == []
    (s,) = await h.core.store.open_sessions(1)
    assert (s.state, s.missed_reported) == ("published", 1)
    mark = await _marks(h)
    await h.at(vn(2026, 12, 7, 11, 0))
    assert await _outbox(h, mark[0]) == []
    out = await h.send(HEAD, "/bocthamngay", chat_id=GROUP)
    sent(out, "draw_empty_pool", GROUP)
    assert await _outbox(h, mark[0]) == []


async def test_publish_and_draw_by_hand(harness: Harness, seeds: None) -> None:
    """/dangngay and /bocthamngay write what the scheduled steps write, with the actor."""
    h = harness
    await bind(h)
    sample = (SAMPLES / "cau_hoi_mau.csv").read_text(encoding="utf-8-sig").splitlines()
    await h.upload(ADMIN, "cau.csv", "\n".join(sample[:3]).encode())
    await onboard(h, STAFF[0], "Nguyễn Văn An")
    await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    await h.tick()
    mark = await _marks(h)
    await h.send(ADMIN, "/dangngay", chat_id=GROUP)
    assert await _outbox(h, mark[0]) == [
        (GROUP, "publish_group", (), None),
        (STAFF[0].id, "publish_private", (), None),
        (HEAD.id, "publish_private", (), None),
        (ADMIN.id, "queue_low", (), None),
    ]
    assert await _events(h, mark[1]) == [("published", 1, "1", ADMIN.id)]
    mark = await _marks(h)
    await h.send(HEAD, "/bocthamngay", chat_id=GROUP)
    assert await _outbox(h, mark[0]) == [
        (GROUP, "draw_group", (BUTTONS["in_person"],), None),
        (STAFF[0].id, "draw_private", (), None),
    ]
    assert await _events(h, mark[1]) == [("drawn", 1, "chosen=2 attempt=0 reason=", HEAD.id)]
