"""Questions from the grassroots (cơ sở hỏi) and the loop back to the asker, over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.words import BUTTONS
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness, User
from tests.conftest import ADMIN, HEAD, LEADER, OUTSIDER, STAFF, vn
from tests.e2e.helpers import SAMPLES, answered, bind, context_of, onboard, texts
from tests.e2e.helpers import sent as assert_sent

ASKER = User(6001, "Hoa", "Đinh")
ASKER2 = User(6002, "Dũng", "Võ")

UNIT = "Chi bộ Thôn 2, xã Hòa An"
UNIT2 = "Chi bộ Trường Tiểu học xã Hòa Bình"
QUESTION = (
    "Đảng viên dự bị chuyển sinh hoạt đảng tạm thời về chi bộ thôn nơi cư trú. "
    "Khi hết thời gian dự bị, chi bộ nào xét công nhận đảng viên chính thức <b>cho đồng chí đó</b>?"
)
EDITED = (
    "Đảng viên dự bị sinh hoạt tạm thời ở chi bộ nơi cư trú: khi hết thời gian dự bị, "
    "chi bộ nào xét công nhận đảng viên chính thức?"
)
DECLINE_REASON = (
    "Nội dung thuộc thẩm quyền giải đáp của Đảng ủy xã, đề nghị đồng chí hỏi Đảng ủy xã."
)


# Every step moves the clock a little, as real people take a moment between two messages.
STEP = timedelta(seconds=3)


async def say(h: Harness, user: User, text: str) -> list[SentMessage]:
    h.clock.advance(STEP)
    return await h.send(user, text)


async def tap(
    h: Harness, user: User, message: SentMessage, label: str
) -> tuple[dict[str, Any], list[SentMessage]]:
    h.clock.advance(STEP)
    return await h.press(user, message, label)


def to(out: list[SentMessage], user: User) -> str:
    return texts([m for m in out if m.chat_id == user.id])


async def invite_link(h: Harness, words: str = "coso") -> str:
    out = await say(h, ADMIN, f"/moi {words}")
    link = assert_sent(out, "grassroots_invite_done", ADMIN.id)
    token = str(context_of(link)["link"]).split("start=")[1]
    assert token.startswith("cs_")
    return token


async def register_asker(h: Harness, user: User, name: str, unit: str, by_admin: bool) -> int:
    """An asker joins with an invite link: name, unit, then (without «duyet») an admin approves."""
    token = await invite_link(h, "coso" if by_admin else "coso duyet")
    out = await say(h, user, f"/start {token}")
    assert_sent(out, "grassroots_onboard_name", user.id)
    out = await say(h, user, name)
    assert_sent(out, "grassroots_onboard_unit", user.id, name=name)
    out = await say(h, user, unit)
    if by_admin:
        assert_sent(out, "grassroots_onboard_submitted", user.id, name=name, unit=unit)
        request = assert_sent(out, "grassroots_approve_request", ADMIN.id)
        answer, out = await tap(h, ADMIN, request, BUTTONS["approve"])
        answered(answer, "decision_done", name=name, approved=True)
        assert_sent(out, "grassroots_onboard_decided", user.id, approved=True, unit=unit)
    else:
        assert_sent(out, "grassroots_onboard_active", user.id, name=name, unit=unit)
    person = await h.core.store.person_by_tg(user.id)
    assert person is not None and person.full_name == name
    return person.id


async def submit(h: Harness, user: User, text: str) -> SentMessage:
    """``/hoi <nội dung>`` then «Gửi»; returns the moderation card the admin received."""
    out = await say(h, user, f"/hoi {text}")
    confirm = assert_sent(out, "grassroots_ask_confirm", user.id)
    _, out = await tap(h, user, confirm, BUTTONS["send"])
    done = context_of(assert_sent(out, "grassroots_submitted", user.id))
    number = done["submission"]["id"]
    return assert_sent(out, "grassroots_review", ADMIN.id, submission={"id": number})


async def test_asker_joins_by_invite_and_is_not_staff(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await say(h, ASKER, "/start cs_khong-ton-tai")
    assert_sent(out, "invite_invalid", ASKER.id, reason="unknown")

    token = await invite_link(h)
    out = await say(h, ASKER, f"/start {token}")
    assert_sent(out, "grassroots_onboard_name", ASKER.id)
    await say(h, ASKER, "Đinh Thị Hoa")
    out = await say(h, ASKER, "x")
    assert_sent(out, "grassroots_bad_unit", ASKER.id, min=3)
    out = await say(h, ASKER, UNIT)
    assert_sent(out, "grassroots_onboard_submitted", ASKER.id, name="Đinh Thị Hoa", unit=UNIT)

    # Not yet approved: no questions, and /start says so.
    out = await say(h, ASKER, "/hoi Một câu hỏi đủ dài để gửi đi thử.")
    assert_sent(out, "grassroots_not_asker", ASKER.id)
    out = await say(h, ASKER, "/start")
    assert_sent(out, "grassroots_onboard_pending", ASKER.id)

    # Only an admin approves; an outsider's press is refused and changes nothing.
    request = assert_sent(h.server.messages_to(ADMIN.id), "grassroots_approve_request")
    assert [label for label, _ in request.buttons()] == [BUTTONS["approve"], BUTTONS["reject"]]
    answer, _ = await tap(h, OUTSIDER, request, BUTTONS["approve"])
    assert answer["show_alert"]
    answered(answer, "refused_role")
    person = await h.core.store.person_by_tg(ASKER.id)
    assert person is not None
    asker = await h.core.store.asker(1, person.id)
    assert asker is not None and asker.status == "pending"
    answer, out = await tap(h, ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_done", name="Đinh Thị Hoa", approved=True)
    assert_sent(out, "grassroots_onboard_decided", ASKER.id, approved=True, unit=UNIT)
    answer, _ = await tap(h, ADMIN, request, BUTTONS["reject"])  # a second press: nothing
    answered(answer, "decision_already")

    # An asker is not a member: no roles, never in the roster or the draw.
    asker = await h.core.store.asker(1, person.id)
    assert asker is not None and asker.status == "active" and asker.unit == UNIT
    assert await h.core.store.member(1, person.id) is None
    assert await h.core.store.roles(1, person.id) == frozenset()
    menu = h.server.commands_for({"type": "chat", "chat_id": ASKER.id})
    assert [c["command"] for c in menu] == ["hoi", "cuatoi", "huy", "help"]
    out = await say(h, ASKER, "/start")
    assert "/hoi" in texts(out) and "Đinh Thị Hoa" in texts(out)
    out = await say(h, ASKER, "/help")
    assert "Cơ sở" in texts(out) and "/cuatoi" in texts(out)
    out = await say(h, ASKER, "/cuatoi")
    assert "chưa gửi câu hỏi nào" in texts(out)

    # A staff member is not an asker; an asker cannot use the admins' commands.
    staff_id = await onboard(h, STAFF[0], "Nguyễn Văn An")
    out = await say(h, STAFF[0], "/hoi Một câu hỏi đủ dài để gửi đi thử.")
    assert_sent(out, "grassroots_not_asker")
    out = await say(h, ASKER, "/hoicho")
    assert "chưa tham gia chương trình" in texts(out)

    # The admin sees the askers and can stop one; the menu follows.
    out = await say(h, ADMIN, "/coso")
    assert f"#{person.id} Đinh Thị Hoa" in texts(out) and UNIT in texts(out)
    assert "Nguyễn Văn An" not in texts(out)
    out = await say(h, ADMIN, f"/coso {staff_id} ngung")
    assert "Không có cơ sở nào" in texts(out)
    out = await say(h, ADMIN, f"/coso {person.id} ngung")
    assert "Đã ngừng nhận câu hỏi" in texts(out)
    out = await say(h, ASKER, "/hoi Một câu hỏi đủ dài để gửi đi thử.")
    assert_sent(out, "grassroots_not_asker")
    menu = h.server.commands_for({"type": "chat", "chat_id": ASKER.id})
    assert "hoi" not in [c["command"] for c in menu]


async def test_moderation_and_the_loop_back_to_the_asker(harness: Harness) -> None:
    h = harness
    await bind(h)
    # One question in the bank (a sample with its legal references) takes the first week.
    sample = (SAMPLES / "cau_hoi_mau.csv").read_text(encoding="utf-8-sig").splitlines()
    out = await h.upload(ADMIN, "mot_cau.csv", "\n".join(sample[:2]).encode())
    assert "Đã nhập" in texts(out), texts(out)
    staff_id = await onboard(h, STAFF[0], "Nguyễn Văn An")
    await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")
    hoa = await register_asker(h, ASKER, "Đinh Thị Hoa", UNIT, by_admin=True)
    dung = await register_asker(h, ASKER2, "Võ Văn Dũng", UNIT2, by_admin=False)
    store = h.core.store

    # The dialog: text, then the unit (prefilled; a typed line changes it), then «Gửi».
    out = await say(h, ASKER, "/hoi")
    assert "Gửi câu hỏi cho chương trình" in texts(out) and "còn gửi được 3 câu" in texts(out)
    out = await say(h, ASKER, QUESTION)
    assert UNIT in out[-1].plain_text and "&lt;b&gt;cho đồng chí đó&lt;/b&gt;" in out[-1].text
    out = await say(h, ASKER, "Chi bộ Thôn 5, xã Hòa An")
    confirm = out[-1]
    assert "Đơn vị: Chi bộ Thôn 5, xã Hòa An" in confirm.plain_text
    assert [label for label, _ in confirm.buttons()] == [BUTTONS["send"], BUTTONS["cancel"]]
    _, out = await tap(h, ASKER, confirm, BUTTONS["send"])
    assert "Đã gửi câu hỏi số #1" in to(out, ASKER) and "còn gửi được 2/3" in to(out, ASKER)
    answer, _ = await tap(h, ASKER, confirm, BUTTONS["send"])  # a double tap sends nothing more
    assert "đã được dùng" in answer["text"]
    card = h.last_to(ADMIN.id, lambda m: "Câu hỏi từ cơ sở #1" in m.plain_text)
    assert "Đinh Thị Hoa" in card.plain_text and "Chi bộ Thôn 5, xã Hòa An" in card.plain_text
    assert "&lt;b&gt;" in (card.text or "")
    assert [label for label, _ in card.buttons()] == [
        BUTTONS["accept"],
        BUTTONS["edit_accept"],
        BUTTONS["merge"],
        BUTTONS["reject"],
    ]

    # Neither a staff member nor the asker may moderate; nothing is recorded.
    answer, _ = await tap(h, STAFF[0], card, BUTTONS["accept"])
    assert answer["show_alert"] and "không có quyền" in answer["text"]
    answer, _ = await tap(h, ASKER, card, BUTTONS["reject"])
    assert answer["show_alert"] and "không có quyền" in answer["text"]
    sub = await store.submission(1)
    assert sub is not None and sub.status == "pending" and sub.question_id is None
    assert sub.person_id == hoa
    assert await store.count_queued(1) == 1
    refused = [e["detail"] for e in await store.events(1, "refused")]
    assert refused.count("moderate") == 2

    # The admin rewords it and sets the topic.
    _, out = await tap(h, ADMIN, card, BUTTONS["edit_accept"])
    assert "Biên tập câu hỏi #1" in texts(out) and BUTTONS["keep_text"] in str(out[-1].buttons())
    out = await say(h, ADMIN, "ngắn")
    assert "ít nhất 10 ký tự" in texts(out)
    out = await say(h, ADMIN, EDITED)
    assert "chủ đề" in texts(out)
    _, out = await tap(h, ADMIN, out[-1], "Đảng viên")
    assert "Đã nhận câu hỏi #1" in to(out, ADMIN) and "số hiệu #2" in to(out, ADMIN)
    told = to(out, ASKER)
    assert "đã được tiếp nhận" in told and "biên tập lại" in told and "1 câu hỏi xếp trước" in told
    sub = await store.submission(1)
    assert sub is not None and sub.status == "accepted" and sub.question_id == 2
    question = await store.question(2)
    assert question is not None and question.status == "queued"
    assert (question.text, question.topic) == (EDITED, "Đảng viên")
    assert question.source_unit == "Chi bộ Thôn 5, xã Hòa An"
    # The staff member's refused press did not use up «Nhận»: the admin's press is told why not.
    answer, _ = await tap(h, ADMIN, card, BUTTONS["accept"])
    assert "đã được xử lý" in answer["text"] and "Quản Trị Viên" in answer["text"]
    assert await store.count_queued(1) == 2

    # A second asker's question is merged with the question already in the bank.
    card2 = await submit(
        h, ASKER2, "Quần chúng học lớp bồi dưỡng nhận thức về Đảng đã lâu, có phải học lại không?"
    )
    _, out = await tap(h, ADMIN, card2, BUTTONS["merge"])
    assert "#1 [Đảng viên]" in texts(out) and "#2 [Đảng viên]" in texts(out)
    out = await say(h, ADMIN, "abc")
    assert "không phải số hiệu" in texts(out)
    out = await say(h, ADMIN, "999")
    assert "không có câu hỏi số hiệu #999" in texts(out)
    out = await say(h, ADMIN, "#1")
    assert "Đã gộp câu hỏi #2" in to(out, ADMIN)
    assert "được gộp vào câu hỏi đó" in to(out, ASKER2) and "giấy chứng nhận" in to(out, ASKER2)
    sub = await store.submission(2)
    assert sub is not None and (sub.status, sub.question_id) == ("merged", 1)
    assert sub.person_id == dung

    # A third question is declined with a reason the asker reads.
    card3 = await submit(h, ASKER, "Chi ủy có được tự quyết định mức đảng phí của đảng viên không?")
    _, out = await tap(h, ADMIN, card3, BUTTONS["reject"])
    assert "lý do" in texts(out)
    out = await say(h, ADMIN, "ok")
    assert "Lý do cần từ 3" in texts(out)
    out = await say(h, ADMIN, DECLINE_REASON)
    assert "Đã từ chối câu hỏi #3" in to(out, ADMIN)
    assert "chưa được tiếp nhận" in to(out, ASKER) and DECLINE_REASON in to(out, ASKER)
    sub = await store.submission(3)
    assert sub is not None and (sub.status, sub.reason) == ("declined", DECLINE_REASON)

    out = await say(h, ASKER, "/cuatoi")
    assert "#1" in texts(out) and "đã được tiếp nhận" in texts(out)
    assert "#3" in texts(out) and DECLINE_REASON in texts(out)

    # Week 1: the bank's first question; the merged asker hears which session, nobody else.
    mark = h.server.mark()
    await h.at(vn(2026, 12, 4, 8, 0))
    sent = h.server.sent[mark:]
    scheduled_for = {"session_date": "2026-12-07", "week": "2026-W50"}
    assert_sent(sent, "grassroots_scheduled", ASKER2.id, session=scheduled_for)
    assert to(sent, ASKER) == ""
    assert "câu hỏi tuần này" in to(sent, STAFF[0])
    await h.at(vn(2026, 12, 7, 9, 0))
    week1 = (await store.open_sessions(1))[0]
    assert week1.drawn_person_id == staff_id
    assert [d.pool for d in await store.draws(week1.id)] == [(staff_id,)]  # askers never drawn
    await h.send(STAFF[0], "Phải học lại lớp bồi dưỡng nhận thức về Đảng.")
    mark = h.server.mark()
    await say(h, LEADER, "/ketluan Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại.")
    sent = h.server.sent[mark:]
    official = to(sent, ASKER2)
    assert "Câu trả lời chính thức" in official and "phải học lại" in official
    assert "Căn cứ: Quy định số 294-QĐ/TW ngày 26/5/2025" in official
    assert to(sent, ASKER) == ""

    # Week 2: the accepted question is published; its asker is told the date and the week.
    mark = h.server.mark()
    await h.at(vn(2026, 12, 11, 8, 0))
    scheduled_for = {"session_date": "2026-12-14", "week": "2026-W51"}
    assert_sent(h.server.sent[mark:], "grassroots_scheduled", ASKER.id, session=scheduled_for)
    scheduled = to(h.server.sent[mark:], ASKER)
    assert "thứ Hai, 14/12/2026 (tuần 51/2026)" in scheduled and EDITED in scheduled
    assert "W51" not in scheduled  # no ISO week shown to people
    assert "câu hỏi tuần này" not in scheduled  # the asker is not sent the weekly question
    out = await say(h, ASKER, "/cuatoi")
    assert "đưa vào phiên hỏi – đáp ngày thứ Hai, 14/12/2026" in texts(out)
    await h.at(vn(2026, 12, 14, 9, 0))
    await h.at(vn(2026, 12, 14, 10, 1))  # nobody answered in time; the leader still concludes
    mark = h.server.mark()
    await say(h, LEADER, "/ketluan Chi bộ nơi đảng viên sinh hoạt chính thức xét công nhận.")
    official = to(h.server.sent[mark:], ASKER)
    assert "Câu trả lời chính thức" in official and "sinh hoạt chính thức xét" in official
    assert "Phạm Quang Minh" in official and "Đảng viên" in official
    sub = await store.submission(1)
    assert sub is not None and sub.answered_at is not None
    out = await say(h, ASKER, "/cuatoi")
    assert "đã có câu trả lời chính thức" in texts(out)

    # Merging into a question already concluded sends the official answer at once.
    card4 = await submit(
        h, ASKER2, "Giấy chứng nhận bồi dưỡng nhận thức về Đảng quá hạn thì xử lý thế nào?"
    )
    _, out = await tap(h, ADMIN, card4, BUTTONS["merge"])
    assert "đưa ra gần đây" in texts(out) and "#1 [Đảng viên]" in texts(out)
    out = await say(h, ADMIN, "1")
    told = to(out, ASKER2)
    assert "đã có kết luận" in told and "Câu trả lời chính thức" in told and "phải học lại" in told


async def test_daily_limit_resets_the_next_day(harness: Harness) -> None:
    h = harness
    await bind(h)
    asker_id = await register_asker(h, ASKER, "Đinh Thị Hoa", UNIT, by_admin=False)
    store = h.core.store

    # Validation before anything is stored; «Hủy» stores nothing either.
    out = await say(h, ASKER, "/hoi ngắn quá")
    assert "ít nhất 10 ký tự" in texts(out)
    out = await say(h, ASKER, "/hoi Câu hỏi có ký tự \x07 lạ ở giữa nội dung")
    assert "ký tự điều khiển" in texts(out)
    out = await say(h, ASKER, "/hoi " + "Dài quá. " * 400)
    assert "vượt giới hạn 3000 ký tự" in texts(out)
    out = await say(h, ASKER, "/hoi Một câu hỏi đồng chí đổi ý không gửi nữa.")
    _, out = await tap(h, ASKER, out[-1], BUTTONS["cancel"])
    assert "Đã hủy" in texts(out)
    assert await store.submission_times(1, asker_id) == []

    # Three a day, counted in the program's local day; the limit is checked again at «Gửi».
    for hour in (10, 15):
        h.clock.set(vn(2026, 12, 1, hour, 0))
        await submit(h, ASKER, f"Câu hỏi thực tiễn lúc {hour} giờ của chi bộ thôn về sinh hoạt.")
    h.clock.set(vn(2026, 12, 1, 23, 0))
    out = await h.send(ASKER, "/hoi Câu hỏi thứ ba trong ngày của chi bộ thôn.")
    confirm = out[-1]
    out = await say(h, ADMIN, "/gioihanhoi 2")
    assert "tối đa 2 câu" in texts(out)
    answer, _ = await tap(h, ASKER, confirm, BUTTONS["send"])
    assert answer["show_alert"] and "đủ giới hạn 2 câu mỗi ngày" in answer["text"]
    assert len(await store.submission_times(1, asker_id)) == 2
    out = await say(h, ADMIN, "/gioihanhoi 3")
    assert "tối đa 3 câu" in texts(out)
    _, out = await tap(
        h, ASKER, confirm, BUTTONS["send"]
    )  # the refused press did not use the button
    assert "Đã gửi câu hỏi số #3" in texts(out)
    h.clock.set(vn(2026, 12, 1, 23, 59))
    out = await h.send(ASKER, "/hoi Câu hỏi thứ tư trong cùng một ngày của chi bộ.")
    assert "đủ giới hạn 3 câu mỗi ngày" in texts(out)
    limit = context_of(assert_sent(out, "grassroots_limit", ASKER.id, limit=3, used=3))
    assert datetime.fromisoformat(limit["reset_at"]) == vn(2026, 12, 2, 0, 0)
    assert len(await store.submission_times(1, asker_id)) == 3

    # Midnight in the program's time zone: a new day.
    h.clock.set(vn(2026, 12, 2, 0, 0))
    card = await submit(h, ASKER, "Câu hỏi thứ tư, gửi sang ngày hôm sau của chi bộ.")
    assert "#4" in card.plain_text
    out = await say(h, ADMIN, "/gioihanhoi 0")
    assert "«0» không phải số câu hỏi mỗi ngày hợp lệ: cần một số nguyên từ 1 đến 20" in texts(out)
    out = await say(h, ADMIN, "/gioihanhoi 1")
    out = await say(h, ASKER, "/hoi Câu hỏi thứ năm trong ngày mới của chi bộ.")
    assert "đủ giới hạn 1 câu mỗi ngày" in texts(out)

    # The pending list opens each card with its buttons; «Nhận» files it under «Chung».
    out = await say(h, ADMIN, "/hoicho")
    assert "(4 câu)" in texts(out)
    assert [label for label, _ in out[-1].buttons()][:2] == [
        BUTTONS["review"].format(id=i) for i in (1, 2)
    ]
    _, out = await tap(h, ADMIN, out[-1], BUTTONS["review"].format(id=2))
    review = out[-1]
    assert "Câu hỏi từ cơ sở #2" in review.plain_text
    _, out = await tap(h, ADMIN, review, BUTTONS["accept"])
    assert "Đã nhận câu hỏi #2" in to(out, ADMIN) and "chủ đề Chung" in to(out, ADMIN)
    assert "đã được tiếp nhận" in to(out, ASKER) and "đứng đầu hàng đợi" in to(out, ASKER)
    out = await say(h, ADMIN, "/hoicho")
    assert "(3 câu)" in texts(out) and BUTTONS["review"].format(id=2) not in str(out[-1].buttons())

    # «Sửa rồi nhận» keeping the asker's wording, with a topic typed by the admin.
    card1 = h.last_to(ADMIN.id, lambda m: "Câu hỏi từ cơ sở #1" in m.plain_text)
    _, out = await tap(h, ADMIN, card1, BUTTONS["edit_accept"])
    _, out = await tap(h, ADMIN, out[-1], BUTTONS["keep_text"])
    assert "Câu hỏi thực tiễn lúc 10 giờ" in texts(out) and "chủ đề" in texts(out)
    out = await say(h, ADMIN, "Sinh hoạt chi bộ")
    assert "Đã nhận câu hỏi #1" in to(out, ADMIN) and "chủ đề Sinh hoạt chi bộ" in to(out, ADMIN)
    sub = await store.submission(1)
    assert sub is not None and sub.question_id is not None
    question = await store.question(sub.question_id)
    assert question is not None and question.topic == "Sinh hoạt chi bộ"
    assert question.text == sub.text and question.source_unit == UNIT


async def test_a_question_already_in_the_bank_is_merged_not_doubled(harness: Harness) -> None:
    h = harness
    await bind(h)
    await register_asker(h, ASKER, "Đinh Thị Hoa", UNIT, by_admin=False)
    await say(h, ADMIN, "/themcauhoi")
    await say(h, ADMIN, "Chi bộ có được kết nạp quần chúng đang tạm trú ở địa phương không?")
    for _ in range(4):
        h.clock.advance(STEP)
        await h.send(ADMIN, "/boqua")
    queued = await h.core.store.queued_questions(1)
    assert len(queued) == 1
    # The same question, typed with other spacing, case and punctuation.
    card = await submit(
        h, ASKER, "chi bộ có được  kết nạp quần chúng đang tạm trú ở địa phương KHÔNG"
    )
    answer, _ = await tap(h, ADMIN, card, BUTTONS["accept"])
    assert answer["show_alert"] and f"trùng với câu hỏi #{queued[0].id}" in answer["text"]
    assert len(await h.core.store.queued_questions(1)) == 1
    sub = await h.core.store.submission(1)
    assert sub is not None and sub.status == "pending"
    _, out = await tap(h, ADMIN, card, BUTTONS["merge"])
    out = await say(h, ADMIN, str(queued[0].id))
    sub = await h.core.store.submission(1)
    assert sub is not None and sub.status == "merged" and sub.question_id == queued[0].id
    assert "được gộp vào câu hỏi đó" in to(out, ASKER)
