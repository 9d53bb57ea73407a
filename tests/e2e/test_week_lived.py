"""The week as people live it, through the real application and the fake Bot API: an answer
that comes after the deadline, the drawn person leaving mid-week, two heads grading at once,
and figures read before the scheduler has caught up.

The program of ``setup_program``: question on Friday 04/12/2026 08:00, draw on Monday 07/12 at
09:00, 60 minutes to answer (deadline 10:00).
"""

from __future__ import annotations

from bot.models import SessionState
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
)

LATE = (
    "Thưa các đồng chí, theo Điều lệ Đảng, đảng viên dự bị có các quyền như đảng viên chính"
    " thức, trừ quyền biểu quyết, ứng cử và bầu cử cơ quan lãnh đạo của Đảng."
)


async def drawn_week(h: Harness) -> tuple[dict[str, int], User, int]:
    """A program with the question out and the lot drawn (Monday 07/12 09:00)."""
    ids = await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == SessionState.DRAWN
    return ids, await drawn_user(h), session.id


async def state_of(h: Harness, session_id: int) -> str:
    s = await h.core.store.session(session_id)
    assert s is not None
    return s.state


# -- 1. an answer after the deadline -------------------------------------------------------------


async def test_a_late_answer_after_the_close_is_kept_and_the_head_accepts_it(
    harness: Harness,
) -> None:
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    await h.at(vn(2026, 12, 7, 10, 0))  # the scheduler closes the session
    assert await state_of(h, sid) == SessionState.UNANSWERED

    # A minute later the drawn person writes the answer: told it is late and what comes next.
    h.clock.set(vn(2026, 12, 7, 10, 1))
    out = await h.send(drawn, LATE)
    reply = sent(out, "answer_late", drawn.id, acceptable=True)
    assert "trả lời muộn" in reply.plain_text and "Trưởng phòng" in reply.plain_text
    not_sent(out, "fallback")
    not_sent(out, "answer_group", GROUP)
    # Kept as it arrived, and shown to the head with the choice.
    (late,) = await h.core.store.late_answers(sid)
    assert (late.text, late.status) == (LATE, "waiting")
    to_head = sent(out, "late_answer_head", HEAD.id, text=LATE, acceptable=True)
    assert LATE in to_head.plain_text

    # Staff may not decide; the head accepts: the session has its (late) answer.
    other = next(u for u in STAFF if u != drawn)
    pressed, _ = await h.press(other, to_head, BUTTONS["late_accept"])
    answered(pressed, "refused_role")
    assert (await h.core.store.late_answers(sid))[0].status == "waiting"
    pressed, out = await h.press(HEAD, to_head, BUTTONS["late_accept"])
    answered(pressed, "late_accept_done")
    session = await h.core.store.session(sid)
    assert session is not None and session.state == SessionState.ANSWERED
    assert session.answer_text == LATE and session.answered_at == vn(2026, 12, 7, 10, 1)
    post = sent(out, "answer_group", GROUP, late=True, text=LATE)
    assert "Trả lời muộn" in post.plain_text
    sent(out, "grade_prompt", HEAD.id, late=True)
    sent(out, "late_accepted", drawn.id)
    # A second press changes nothing and says what was decided.
    pressed, out = await h.press(HEAD, to_head, BUTTONS["late_leave"])
    answered(pressed, "late_decided", status="accepted")

    # Graded like any answer; the record counts it as late, not in time nor unanswered.
    pressed, _ = await h.press(HEAD, post, "Đúng một phần")
    answered(pressed, "grade_recorded", verdict="Đúng một phần")
    out = await h.send(drawn, "/hoso")
    record = context_of(sent(out, "record_person", drawn.id))
    assert record["outcomes"] == {
        "in_time": 0,
        "late": 1,
        "in_person": 0,
        "unanswered": 0,
        "waiting": 0,
    }
    assert record["verdicts"]["partial"] == 1
    out = await h.send(LEADER, "/thongke tháng 12")
    figures = context_of(sent(out, "figures", LEADER.id))["figures"]
    assert figures["outcomes"]["late"] == 1 and figures["outcomes"]["unanswered"] == 0


async def test_a_late_answer_before_the_scheduler_ran_and_the_head_leaves_it(
    harness: Harness,
) -> None:
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    # 10:05, the scheduler has not run yet: the session is still «drawn».
    h.clock.set(vn(2026, 12, 7, 10, 5))
    out = await h.send(drawn, f"/traloi {LATE}")
    sent(out, "answer_late", drawn.id, acceptable=True)
    assert await state_of(h, sid) == SessionState.DRAWN
    to_head = sent(out, "late_answer_head", HEAD.id)
    # /thongke already counts it as not answered (the week as it stands now).
    out = await h.send(HEAD, "/thongke tháng 12")
    figures = context_of(sent(out, "figures", HEAD.id))["figures"]
    assert figures["outcomes"]["unanswered"] == 1 and figures["outcomes"]["waiting"] == 0
    assert figures["verdicts"]["ungraded"] == 0  # no answer is waiting for a grade

    pressed, out = await h.press(HEAD, to_head, BUTTONS["late_leave"])
    answered(pressed, "late_leave_done")
    left = sent(out, "late_left", drawn.id)
    assert "không trả lời" in left.plain_text
    (late,) = await h.core.store.late_answers(sid)
    assert late.status == "left" and late.text == LATE
    await h.tick()
    assert await state_of(h, sid) == SessionState.UNANSWERED
    out = await h.send(drawn, "/hoso")
    turn = context_of(sent(out, "record_person", drawn.id))["turns"][0]
    assert (turn["outcome"], turn["late_kept"]) == ("unanswered", 1)


async def test_after_an_answer_in_person_and_the_conclusion_a_late_text_is_kept_for_the_head(
    harness: Harness,
) -> None:
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    await h.at(vn(2026, 12, 7, 10, 0))
    unanswered = h.last_to(GROUP)
    await h.press(HEAD, unanswered, BUTTONS["in_person"])
    post = h.last_to(GROUP)
    await h.press(HEAD, post, "Đúng")
    await h.send(HEAD, "/boqua")
    await h.send(LEADER, "/ketluan Kết luận của Lãnh đạo Ban.", chat_id=GROUP)
    assert await state_of(h, sid) == SessionState.CONCLUDED

    out = await h.send(drawn, "Em xin gửi bổ sung câu trả lời bằng văn bản.")
    reply = sent(out, "answer_late", drawn.id, acceptable=False)
    assert "kết luận" in reply.plain_text
    to_head = sent(out, "late_answer_head", HEAD.id, acceptable=False)
    assert to_head.buttons() == []  # nothing to decide: kept for information
    (late,) = await h.core.store.late_answers(sid)
    assert late.status == "kept"
    session = await h.core.store.session(sid)
    assert session is not None and session.answer_kind == "in_person"


async def test_a_follow_up_before_the_deadline_is_kept_not_dropped(harness: Harness) -> None:
    """The drawn person answered in time, then writes again before the deadline: not an answer
    any more, not late either — kept in the record and shown to the head."""
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    out = await h.send(drawn, "Câu trả lời đúng hạn.")
    sent(out, "answer_received", drawn.id)
    h.clock.set(vn(2026, 12, 7, 9, 30))
    out = await h.send(drawn, "Em xin bổ sung: căn cứ là Điều lệ Đảng.")
    reply = sent(out, "answer_late", drawn.id, acceptable=False, after_deadline=False)
    assert "sau hạn" not in reply.plain_text and "đã có câu trả lời" in reply.plain_text
    to_head = sent(out, "late_answer_head", HEAD.id, after_deadline=False)
    assert "gửi thêm" in to_head.plain_text and to_head.buttons() == []
    (kept,) = await h.core.store.late_answers(sid)
    assert kept.status == "kept"
    session = await h.core.store.session(sid)
    assert session is not None and session.answer_text == "Câu trả lời đúng hạn."


async def test_a_late_voice_note_reaches_the_head_as_it_was_sent(harness: Harness) -> None:
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    await h.at(vn(2026, 12, 7, 10, 0))
    out = await h.voice(drawn, b"OggS-late-voice")
    sent(out, "answer_late", drawn.id, acceptable=True)
    to_head = sent(out, "late_answer_head", HEAD.id, kind="voice")
    assert [m.kind for m in out if m.chat_id == HEAD.id].count("copy") == 1
    _, out = await h.press(HEAD, to_head, BUTTONS["late_accept"])
    session = await h.core.store.session(sid)
    assert session is not None and session.answer_kind == "voice"
    assert "copy" in [m.kind for m in out if m.chat_id == GROUP]  # the group hears it


async def test_an_old_turn_is_not_answered_late_for_ever(harness: Harness) -> None:
    h = harness
    _ids, drawn, _sid = await drawn_week(h)
    await h.at(vn(2026, 12, 7, 10, 0))
    h.clock.set(vn(2026, 12, 14, 10, 1))  # more than a week after the deadline
    out = await h.send(drawn, "Một tin nhắn bình thường, không phải câu trả lời.")
    sent(out, "fallback", drawn.id)
    not_sent(out, "late_answer_head", HEAD.id)


# -- 2. the drawn person leaves mid-week ---------------------------------------------------------


async def test_when_the_drawn_person_leaves_the_head_and_admins_are_offered_a_redraw(
    harness: Harness,
) -> None:
    h = harness
    ids, drawn, sid = await drawn_week(h)
    person = await h.core.store.person_by_tg(drawn.id)
    assert person is not None
    out = await h.send(ADMIN, f"/ngungthamgia {person.id}")
    sent(out, "deactivate_done", ADMIN.id)
    to_head = sent(out, "drawn_left", HEAD.id, person={"id": person.id})
    to_admin = sent(out, "drawn_left", ADMIN.id)
    assert BUTTONS["redraw_left"] in str(to_head.buttons())

    # Their later message is not an answer, and nothing reaches the group.
    out = await h.send(drawn, "Câu trả lời của tôi.")
    sent(out, "answer_not_member", drawn.id)
    not_sent(out, "answer_group", GROUP)
    assert await state_of(h, sid) == SessionState.DRAWN

    # The head redraws with one press; the reason is recorded; a second press does nothing.
    pressed, out = await h.press(HEAD, to_head, BUTTONS["redraw_left"])
    answered(pressed, "redraw_left_started")
    post = sent(out, "draw_group", GROUP, redraw=True)
    assert "ngừng tham gia" in context_of(post)["reason"]
    session = await h.core.store.session(sid)
    assert session is not None and session.drawn_person_id not in (person.id, None)
    assert session.draw_attempt == 1
    pressed, _ = await h.press(ADMIN, to_admin, BUTTONS["redraw_left"])
    answered(pressed, "redraw_left_done")
    assert (await h.core.store.session(sid)).draw_attempt == 1  # type: ignore[union-attr]
    assert ids  # the others are untouched


async def test_someone_redrawn_away_is_told_their_message_is_not_the_answer(
    harness: Harness,
) -> None:
    h = harness
    _ids, drawn, sid = await drawn_week(h)
    out = await h.send(HEAD, "/rutlai đồng chí đi công tác", chat_id=GROUP)
    sent(out, "draw_group", GROUP, redraw=True)
    session = await h.core.store.session(sid)
    assert session is not None
    newly = await h.core.store.person(session.drawn_person_id or 0)
    assert newly is not None and newly.tg_user_id != drawn.id

    # The one redrawn away writes what would have been their answer: told plainly, nothing
    # reaches the group or the head, the session still waits for the one drawn now.
    out = await h.send(drawn, LATE)
    told = sent(out, "answer_redrawn_away", drawn.id)
    assert context_of(told)["person"]["id"] == newly.id
    assert "công tác" in context_of(told)["reason"]
    not_sent(out, "answer_group", GROUP)
    not_sent(out, "late_answer_head", HEAD.id)
    not_sent(out, "fallback", drawn.id)
    assert await state_of(h, sid) == SessionState.DRAWN

    # Someone never drawn still gets the general reply.
    other = next(u for u in STAFF if u.id not in (drawn.id, newly.tg_user_id))
    out = await h.send(other, "Một tin nhắn bình thường.")
    sent(out, "fallback", other.id)


async def test_no_reminder_for_someone_who_left(harness: Harness) -> None:
    h = harness
    _ids, drawn, _sid = await drawn_week(h)
    person = await h.core.store.person_by_tg(drawn.id)
    assert person is not None
    await h.send(ADMIN, f"/ngungthamgia {person.id}")
    mark = h.server.mark()
    await h.at(vn(2026, 12, 7, 9, 45))  # the reminder's time
    not_sent(h.server.sent[mark:], "reminder", drawn.id)


# -- 3. two heads grade at once ------------------------------------------------------------------


async def test_two_heads_grade_at_once_and_no_comment_is_lost(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    # Chi is a second head (and no longer staff, so never drawn).
    await h.send(ADMIN, f"/vaitro {ids['Chi']} truongphong")
    second = STAFF[2]
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    out = await h.send(drawn, "Câu trả lời đúng hạn.")
    post = sent(out, "answer_group", GROUP)

    pressed, _ = await h.press(HEAD, post, "Đúng")  # head A
    answered(pressed, "grade_recorded", verdict="Đúng")
    pressed, out = await h.press(second, post, "Chưa đúng")  # head B, a moment later
    answered(pressed, "grade_recorded", verdict="Chưa đúng", previous_head={"id": ids["head"]})
    told = sent(out, "grade_superseded", HEAD.id, verdict="Chưa đúng", previous="Đúng")
    assert "thay cho đánh giá" in told.plain_text

    # A's comment, written after B's grade, is kept with A's own grade and posted as such.
    comment_a = "Câu trả lời nêu đúng nguyên tắc nhưng thiếu căn cứ."
    out = await h.send(HEAD, comment_a)
    saved = sent(out, "comment_saved", HEAD.id)
    assert "Chưa đúng" in saved.plain_text
    group = sent(out, "grade_comment_group", GROUP, comment=comment_a)
    assert context_of(group)["standing"]["verdict"] == "Chưa đúng"
    not_sent(out, "fallback")
    session = (await h.core.store.open_sessions(1))[0]
    grades = await h.core.store.grades(session.id)
    assert [(g.verdict, g.comment) for g in grades] == [("correct", comment_a), ("wrong", None)]

    # B comments too; the conclusion shows the standing verdict with B's comment, not A's.
    comment_b = "Chưa nêu được trường hợp ngoại lệ."
    out = await h.send(second, comment_b)
    sent(out, "grade_comment_group", GROUP, comment=comment_b, standing=None)
    out = await h.send(LEADER, "/ketluan Kết luận.", chat_id=GROUP)
    summary = context_of(sent(out, "concluded_group", GROUP))
    assert (summary["verdict"], summary["comment"]) == ("Chưa đúng", comment_b)


async def test_a_comment_left_open_never_takes_the_heads_own_answer_later(
    harness: Harness,
) -> None:
    """An (staff and head) grades, another head regrades: An's comment stays open (it would
    be kept with An's own grade). Next week An is drawn: An's text is the answer."""
    h = harness
    ids = await setup_program(h)
    await h.send(ADMIN, f"/vaitro {ids['An']} truongphong chuyenvien")
    await h.send(ADMIN, f"/vangmat {ids['An']} phep 07/12/2026")
    await h.send(ADMIN, f"/vangmat {ids['Bình']} phep 31/12/2026")
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    assert await drawn_user(h) == STAFF[2]
    out = await h.send(STAFF[2], "Câu trả lời của đồng chí Chi.")
    post = sent(out, "answer_group", GROUP)
    await h.press(STAFF[0], post, "Đúng")  # An grades and leaves the comment open
    await h.press(HEAD, post, "Đúng một phần")  # the other head regrades
    assert (await h.core.store.dialog(ids["An"])) is not None
    # Next week (the first session not concluded yet) An is the only one left to draw.
    await h.at(vn(2026, 12, 11, 8, 0))
    await h.at(vn(2026, 12, 14, 9, 0))
    drawing = await h.core.store.sessions_drawing(ids["An"])
    assert len(drawing) == 1
    out = await h.send(STAFF[0], "Câu trả lời tuần sau của đồng chí An.")
    sent(out, "answer_received", STAFF[0].id)
    not_sent(out, "comment_saved")
    answered_now = await h.core.store.session(drawing[0].id)
    assert answered_now is not None
    assert answered_now.answer_text == "Câu trả lời tuần sau của đồng chí An."


# -- 4 and 5. figures on an up-to-date week, with one set of names --------------------------------


async def test_figures_read_the_week_as_it_stands_and_name_what_happened(
    harness: Harness,
) -> None:
    h = harness
    _ids, drawn, _sid = await drawn_week(h)
    h.clock.set(vn(2026, 12, 7, 11, 0))  # past the deadline; the scheduler has not run
    out = await h.send(LEADER, "/thongke tháng 12")
    message = sent(out, "figures", LEADER.id)
    figures = context_of(message)["figures"]
    assert figures["outcomes"]["unanswered"] == 1 and figures["outcomes"]["waiting"] == 0
    text = message.plain_text
    assert "Không trả lời: 1" in text
    assert "Chưa đánh giá: 0" in text  # the unanswered turn is not «chưa đánh giá»
    out = await h.send(drawn, "/hoso")
    lines = sent(out, "record_person", drawn.id).plain_text.splitlines()
    assert "Kết quả: không trả lời" in lines  # no verdict, and not «chưa đánh giá»
