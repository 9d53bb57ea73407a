"""Redraws, reminders, deadlines, answers in person, by voice, by file and in the group."""

from __future__ import annotations

from bot.words import BUTTONS
from fakes.harness import Harness, User
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import (
    answered,
    context_of,
    drawn_user,
    not_sent,
    sent,
    setup_program,
    templates,
    texts,
)


async def published_and_drawn(h: Harness) -> User:
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    return await drawn_user(h)


async def test_redraw_needs_head_and_reason(harness: Harness) -> None:
    h = harness
    first = await published_and_drawn(h)
    out = await h.send(STAFF[0], "/rutlai vắng", chat_id=GROUP)
    sent(out, "refused_role", GROUP)
    out = await h.send(HEAD, "/rutlai", chat_id=GROUP)
    sent(out, "redraw_needs_reason", GROUP)
    out = await h.send(HEAD, "/rutlai đồng chí vắng họp đột xuất", chat_id=GROUP)
    reason = "đồng chí vắng họp đột xuất"
    sent(out, "draw_group", GROUP, redraw=True, attempt=1, reason=reason)
    second = await drawn_user(h)
    assert second != first
    session = (await h.core.store.open_sessions(1))[0]
    draws = await h.core.store.draws(session.id)
    assert [d.attempt for d in draws] == [0, 1]
    assert draws[1].reason == "đồng chí vắng họp đột xuất"
    assert draws[1].actor_id is not None
    first_person = await h.core.store.person_by_tg(first.id)
    assert first_person is not None and first_person.id not in draws[1].pool
    # The first person's answer is no longer expected; the second one's is.
    out = await h.send(first, "Em xin trả lời ...")
    assert templates(out) == ["answer_redrawn_away"]  # told who answers now, not taken
    out = await h.send(second, "Câu trả lời của người được bốc lại.")
    sent(out, "answer_received", second.id)
    out = await h.send(ADMIN, "/kiemtra", chat_id=GROUP)
    checks = context_of(sent(out, "verify_group", GROUP))["checks"]
    assert [(c["attempt"], c["commitment_ok"], c["ok"]) for c in checks] == [
        (0, True, True),
        (1, True, True),
    ]


async def test_reminder_deadline_and_answer_in_person(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    await h.at(vn(2026, 12, 7, 9, 45))
    reminder = h.last_to(drawn.id)
    deadline = "2026-12-07T10:00:00+07:00"
    sent([reminder], "reminder", drawn.id, session={"deadline_at": deadline})
    mark = h.server.mark()
    await h.at(vn(2026, 12, 7, 10, 0))
    late_post = sent(h.server.sent[mark:], "unanswered", GROUP)
    out = await h.send(drawn, "Trả lời muộn")
    # Kept as a late answer and shown to the head (tests/e2e/test_week_lived.py has the rest).
    assert templates(out, drawn.id) == ["answer_late"]
    assert templates(out, HEAD.id) == ["late_answer_head"]
    answer, _ = await h.press(
        STAFF[0] if STAFF[0] != drawn else STAFF[1], late_post, BUTTONS["in_person"]
    )
    answered(answer, "refused_role")
    answer, out = await h.press(HEAD, late_post, BUTTONS["in_person"])
    answered(answer, "in_person_done")
    post = sent(out, "answer_group", GROUP, kind="in_person")
    answer, _ = await h.press(HEAD, post, "Chưa đúng")
    await h.send(HEAD, "/boqua")
    out = await h.send(LEADER, "/ketluan Kết luận chính thức của Lãnh đạo Ban.", chat_id=GROUP)
    summary = sent(out, "concluded_group", GROUP, answer_kind="in_person", verdict="Chưa đúng")
    assert "Trả lời: trực tiếp tại cuộc họp." in summary.plain_text


async def test_voice_and_document_answers_reach_the_group(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    out = await h.voice(drawn, b"OggS fake voice")
    sent(out, "answer_received", drawn.id)
    kinds = [m.kind for m in out if m.chat_id == GROUP]
    assert "copy" in kinds, kinds
    sent(out, "answer_group", GROUP, kind="voice")
    session = (await h.core.store.open_sessions(1))[0]
    assert session.answer_kind == "voice" and session.answer_file_id


async def test_document_answer(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    out = await h.upload(drawn, "tra_loi.pdf", b"%PDF-1.4 fake")
    sent(out, "answer_received", drawn.id)
    sent(out, "answer_group", GROUP, kind="document", file_name="tra_loi.pdf")


async def test_answer_by_replying_in_the_group(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    draw_post = sent(h.server.sent, "draw_group", GROUP)
    other = STAFF[0] if STAFF[0] != drawn else STAFF[1]
    out = await h.send(
        other, "Tôi trả lời hộ được không?", chat_id=GROUP, reply_to=draw_post.message_id
    )
    assert out == []  # not the drawn person: not an answer, nothing said
    out = await h.send(
        drawn, "Em xin trả lời:\u202e ...\x07", chat_id=GROUP, reply_to=draw_post.message_id
    )
    sent(out, "answer_group", GROUP, kind="text", text="Em xin trả lời: ...")
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "answered" and session.answer_chat_id == GROUP
    assert session.answer_text == "Em xin trả lời: ..."  # control characters removed


async def test_admin_draw_now_publish_now_and_skip(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/bocthamngay", chat_id=GROUP)
    sent(out, "refused_role", GROUP)
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    sent(out, "publish_group", GROUP)
    sent(out, "draw_group", GROUP, redraw=False)
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn"
    assert session.deadline_at == vn(2026, 12, 1, 11, 0)  # now + 60 minutes
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    sent(out, "draw_already", GROUP)
    # The scheduled draw on Monday does not draw again.
    await h.at(vn(2026, 12, 7, 9, 0))
    draws = await h.core.store.draws(session.id)
    assert len(draws) == 1


async def test_skip_week_requeues_the_question(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    session = (await h.core.store.open_sessions(1))[0]
    out = await h.send(ADMIN, "/nghituan đi học tập kinh nghiệm", chat_id=GROUP)
    sent(out, "week_skipped", GROUP, reason="đi học tập kinh nghiệm")
    skipped = await h.core.store.session(session.id)
    assert skipped is not None and skipped.state == "skipped"
    queue = await h.core.store.queued_questions(1, limit=1)
    assert queue[0].id == session.question_id
    # Nothing happens on Monday; the next week plans normally.
    await h.at(vn(2026, 12, 7, 9, 0))
    assert await h.core.store.draws(session.id) == []
    not_sent(h.server.messages_to(GROUP), "draw_group")
    await h.at(vn(2026, 12, 11, 8, 0))
    next_week = await h.core.store.session_by_week(1, "2026-W51")
    assert next_week is not None and next_week.state == "published"
    assert next_week.question_id == session.question_id


async def test_schedule_view_and_change(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/lich")
    sent(out, "schedule", is_admin=False, schedule={"weekday": 0, "draw_time": "09:00"})
    assert "Đổi lịch" not in texts(out)
    out = await h.send(STAFF[0], "/datlich boc 10:30")
    sent(out, "refused_role", STAFF[0].id)
    for bad, message in [
        ("/datlich boc 25:00", "không hợp lệ"),
        ("/datlich thu 7", "thứ 2"),
        ("/datlich han 1", "từ 5 đến"),
        ("/datlich xyz 1", "Cách dùng"),
    ]:
        out = await h.send(ADMIN, bad)
        assert message in texts(out), (bad, texts(out))
    out = await h.send(ADMIN, "/datlich boc 10:30")
    sent(out, "schedule", is_admin=True, schedule={"weekday": 0, "draw_time": "10:30"})
    out = await h.send(ADMIN, "/datlich thu 3")
    sent(out, "schedule", is_admin=True, schedule={"weekday": 1, "draw_time": "10:30"})
    session = (await h.core.store.open_sessions(1))[0]
    assert session.session_date is not None and session.session_date.isoformat() == "2026-12-08"
    assert session.draw_at == vn(2026, 12, 8, 10, 30)
    await h.at(vn(2026, 12, 8, 10, 30))
    drawn = await h.core.store.session(session.id)
    assert drawn is not None and drawn.state == "drawn" and drawn.draw_at == vn(2026, 12, 8, 10, 30)


async def test_status_and_question_views(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    out = await h.send(STAFF[0], "/trangthai", chat_id=GROUP)
    sent(out, "status", GROUP, session={"state": "drawn"})
    person = await h.core.store.person_by_tg(drawn.id)
    assert person is not None and person.display_name in texts(out)
    out = await h.send(STAFF[0], "/cauhoi")
    shown = context_of(sent(out, "question_show", STAFF[0].id))
    assert shown["question"]["suggested_answer"] is None
    assert "Gợi ý trả lời" not in texts(out)
    out = await h.send(HEAD, "/cauhoi")
    assert context_of(sent(out, "question_show", HEAD.id))["question"]["suggested_answer"]
    assert "Gợi ý trả lời" in texts(out)
    out = await h.send(LEADER, "/ketluan", chat_id=GROUP)
    sent(out, "conclude_not_now", GROUP)
