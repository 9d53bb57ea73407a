"""Redraws, reminders, deadlines, answers in person, by voice, by file and in the group."""

from __future__ import annotations

from bot.testing.harness import Harness, User
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import drawn_user, sent, setup_program, texts


async def published_and_drawn(h: Harness) -> User:
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    return await drawn_user(h)


async def test_redraw_needs_head_and_reason(harness: Harness) -> None:
    h = harness
    first = await published_and_drawn(h)
    out = await h.send(STAFF[0], "/rutlai vắng", chat_id=GROUP)
    assert "không có quyền" in texts(out)
    out = await h.send(HEAD, "/rutlai", chat_id=GROUP)
    assert "cần ghi lý do" in texts(out)
    out = await h.send(HEAD, "/rutlai đồng chí vắng họp đột xuất", chat_id=GROUP)
    redraw = next(m for m in out if "bốc lại lần 1" in m.plain_text)
    assert "vắng họp đột xuất" in redraw.plain_text
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
    assert "Bot chưa hiểu" in texts(out)
    out = await h.send(second, "Câu trả lời của người được bốc lại.")
    assert "Đã nhận câu trả lời" in texts(out)
    out = await h.send(ADMIN, "/kiemtra", chat_id=GROUP)
    assert texts(out).count("tính lại ra đúng kết quả") == 2


async def test_reminder_deadline_and_answer_in_person(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    await h.at(vn(2026, 12, 7, 9, 45))
    reminder = h.last_to(drawn.id)
    assert "Nhắc đồng chí" in reminder.plain_text and "10:00" in reminder.plain_text
    await h.at(vn(2026, 12, 7, 10, 0))
    late_post = h.last_to(GROUP, lambda m: "hết hạn trả lời" in m.plain_text)
    out = await h.send(drawn, "Trả lời muộn")
    assert "quá hạn" in texts(out) or "Bot chưa hiểu" in texts(out)
    answer, _ = await h.press(
        STAFF[0] if STAFF[0] != drawn else STAFF[1], late_post, "🗣 Ghi nhận trả lời trực tiếp"
    )
    assert "không có quyền" in answer["text"]
    answer, out = await h.press(HEAD, late_post, "🗣 Ghi nhận trả lời trực tiếp")
    assert "trực tiếp" in answer["text"]
    post = next(m for m in out if m.chat_id == GROUP and "trả lời trực tiếp" in m.plain_text)
    answer, _ = await h.press(HEAD, post, "Chưa đúng")
    await h.send(HEAD, "/boqua")
    out = await h.send(LEADER, "/ketluan Kết luận chính thức của lãnh đạo Ban.", chat_id=GROUP)
    summary = next(m for m in out if "KẾT LUẬN" in m.plain_text)
    assert "trực tiếp tại cuộc họp" in summary.plain_text and "Chưa đúng" in summary.plain_text


async def test_voice_and_document_answers_reach_the_group(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    out = await h.voice(drawn, b"OggS fake voice")
    assert "Đã nhận câu trả lời" in texts(out)
    kinds = [m.kind for m in out if m.chat_id == GROUP]
    assert "copy" in kinds, kinds
    header = next(m for m in out if m.chat_id == GROUP and m.kind == "text")
    assert "tin nhắn thoại" in header.plain_text
    session = (await h.core.store.open_sessions(1))[0]
    assert session.answer_kind == "voice" and session.answer_file_id


async def test_document_answer(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    out = await h.upload(drawn, "tra_loi.pdf", b"%PDF-1.4 fake")
    assert "Đã nhận câu trả lời" in texts(out)
    header = next(m for m in out if m.chat_id == GROUP and m.kind == "text")
    assert "tra_loi.pdf" in header.plain_text


async def test_answer_by_replying_in_the_group(harness: Harness) -> None:
    h = harness
    drawn = await published_and_drawn(h)
    draw_post = h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text)
    other = STAFF[0] if STAFF[0] != drawn else STAFF[1]
    out = await h.send(
        other, "Tôi trả lời hộ được không?", chat_id=GROUP, reply_to=draw_post.message_id
    )
    assert out == []  # not the drawn person: not an answer, nothing said
    out = await h.send(
        drawn, "Em xin trả lời:\u202e ...\x07", chat_id=GROUP, reply_to=draw_post.message_id
    )
    assert any("Câu trả lời của đồng chí" in m.plain_text for m in out)
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "answered" and session.answer_chat_id == GROUP
    assert session.answer_text == "Em xin trả lời: ..."  # control characters removed


async def test_admin_draw_now_publish_now_and_skip(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/bocthamngay", chat_id=GROUP)
    assert "không có quyền" in texts(out)
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    assert any("CÂU HỎI" in m.plain_text.upper() for m in out if m.chat_id == GROUP)
    assert any("KẾT QUẢ BỐC THĂM" in m.plain_text for m in out)
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn"
    assert session.deadline_at == vn(2026, 12, 1, 11, 0)  # now + 60 minutes
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)
    assert "đã bốc thăm rồi" in texts(out)
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
    assert any("nghỉ phiên" in m.plain_text for m in out)
    skipped = await h.core.store.session(session.id)
    assert skipped is not None and skipped.state == "skipped"
    queue = await h.core.store.queued_questions(1, limit=1)
    assert queue[0].id == session.question_id
    # Nothing happens on Monday; the next week plans normally.
    await h.at(vn(2026, 12, 7, 9, 0))
    assert await h.core.store.draws(session.id) == []
    assert not any("KẾT QUẢ BỐC THĂM" in m.plain_text for m in h.server.messages_to(GROUP))
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
    assert "không có quyền" in texts(out)
    for bad, message in [
        ("/datlich boc 25:00", "không hợp lệ"),
        ("/datlich thu 7", "thứ 2"),
        ("/datlich han 1", "từ 5 đến"),
        ("/datlich xyz 1", "Cách dùng"),
    ]:
        out = await h.send(ADMIN, bad)
        assert message in texts(out), (bad, texts(out))
    out = await h.send(ADMIN, "/datlich boc 10:30")
    assert "10:30" in texts(out)
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
    assert "đã bốc thăm" in texts(out)
    person = await h.core.store.person_by_tg(drawn.id)
    assert person is not None and person.display_name in texts(out)
    out = await h.send(STAFF[0], "/cauhoi")
    assert "Câu hỏi tuần này" in texts(out) and "Gợi ý trả lời" not in texts(out)
    out = await h.send(HEAD, "/cauhoi")
    assert "Gợi ý trả lời" in texts(out)
    out = await h.send(LEADER, "/ketluan", chat_id=GROUP)
    assert "không có câu hỏi nào chờ kết luận" in texts(out)
