"""Misuse the bot must refuse politely, recording nothing but the refusal itself.

Privileged actions by someone without the role, from the wrong chat or for another program;
forged, expired, replayed and malformed buttons; hostile text, names and files; a flood; the
bot token kept out of logs, messages and the database.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import questions.importer as importer
from bot.clock import ManualClock
from bot.services import bank
from bot.words import BUTTONS
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness, User
from handlers.ops import Throttle, Verdict
from questions.model import LIMITS, QuestionDraft
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, HEAD, LEADER, OUTSIDER, STAFF, vn
from tests.e2e.helpers import SAMPLES, answered, sent, setup_program, templates, texts

GROUP_B = -1005678
GROUP_B_TITLE = "Giao ban Phòng Tổ chức cơ sở (thử nghiệm)"
UNBOUND = -1009999
ADMIN_A = User(1002, "Hoàng", "Quản Trị A")
ADMIN_B = User(1003, "Đỗ", "Quản Trị B")
HEAD_B = User(2002, "Vũ", "Trưởng Phòng B")
STAFF_B = User(4101, "Giang", "Đặng")
NEWCOMER = User(5001, "Khánh", "Mai")

# Tables a refusal must leave exactly as they were (the audit trail and replay guard aside).
UNTOUCHED_EXCEPT = {"events", "seen_updates"}


async def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    store = h.core.store
    tables = [
        r["name"]
        for r in await store._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: sorted((tuple(r) for r in await store._all(f'SELECT * FROM "{t}"')), key=repr)
        for t in tables
        if t not in UNTOUCHED_EXCEPT
    }


async def last_event_id(h: Harness) -> int:
    return await h.core.store._count("SELECT COALESCE(MAX(id), 0) FROM events")


async def events_after(h: Harness, event_id: int) -> list[dict[str, Any]]:
    rows = await h.core.store._all("SELECT * FROM events WHERE id > ? ORDER BY id", (event_id,))
    return [dict(r) for r in rows]


async def person_id(h: Harness, user: User) -> int:
    person = await h.core.store.person_by_tg(user.id)
    assert person is not None, user
    return person.id


def token(message: SentMessage, label: str) -> str:
    return dict(message.buttons())[label]


async def invite(h: Harness, admin: User, words: str) -> str:
    """/moi in private (for the admin's current program); returns the /start payload."""
    out = await h.send(admin, f"/moi {words} duyet")
    found = re.search(r"start=(inv_[\w-]+)", texts(out))
    assert found, texts(out)
    return found.group(1)


async def join(h: Harness, user: User, payload: str, name: str) -> None:
    out = await h.send(user, f"/start {payload}")
    assert "họ và tên" in texts(out), texts(out)
    out = await h.send(user, name)
    _, out = await h.press(user, out[-1], "Chuyên viên")
    assert "đã tham gia chương trình" in texts(out), texts(out)


async def choose(h: Harness, user: User, title: str) -> None:
    out = await h.send(user, "/chon")
    _, out = await h.press(user, out[-1], title)
    assert "Đã chọn chương trình" in texts(out), texts(out)


@dataclass
class World:
    """Two programs in the same week, both answered; A's answer graded by its head."""

    posts: dict[str, SentMessage]
    ids: dict[str, int]


async def two_programs(h: Harness) -> World:
    ids = await setup_program(h)  # program 1 (A): the conftest group, staff, head, leader
    await join(h, ADMIN_A, await invite(h, ADMIN, "quantri"), "Hoàng Văn Quản")

    h.server.group(GROUP_B, GROUP_B_TITLE)
    h.server.add_bot_to_group(ADMIN.id, GROUP_B)
    out = await h.send(ADMIN, "/lienket", chat_id=GROUP_B)
    assert "Đã gắn nhóm" in texts(out)
    await choose(h, ADMIN, GROUP_B_TITLE)
    out = await h.upload(ADMIN, "cau_hoi_mau.csv", (SAMPLES / "cau_hoi_mau.csv").read_bytes())
    assert "Đã nhập" in texts(out)
    await join(h, HEAD_B, await invite(h, ADMIN, "truongphong"), "Vũ Thị Bích")
    await join(h, ADMIN_B, await invite(h, ADMIN, "quantri"), "Đỗ Văn Đức")
    await join(h, STAFF_B, await invite(h, ADMIN, "chuyenvien"), "Đặng Thu Giang")

    # The week runs in both programs: the question, the draw, the answers.
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    for program_id, chat in ((1, GROUP), (2, GROUP_B)):
        session = (await h.core.store.open_sessions(program_id))[0]
        person = await h.core.store.person(session.drawn_person_id or 0)
        assert person is not None
        drawn = next(u for u in [*STAFF, STAFF_B] if u.id == person.tg_user_id)
        out = await h.send(drawn, f"Câu trả lời trong nhóm {chat}.")
        assert "Đã nhận câu trả lời" in texts(out)
    posts = {
        "a_draw": h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text),
        "b_draw": h.last_to(GROUP_B, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text),
        "a_answer": h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text),
        "b_answer": h.last_to(GROUP_B, lambda m: "Câu trả lời của đồng chí" in m.plain_text),
    }
    answer, _ = await h.press(HEAD, posts["a_answer"], "Đúng")  # the rightful head: recorded
    assert "Đã ghi nhận" in answer["text"]
    await h.send(HEAD, "/boqua")
    posts["conclude"] = h.last_to(LEADER.id, lambda m: "Viết kết luận" in str(m.buttons()))

    # A newcomer asks to join B; the head of A joins B as a plain staff member (and so his
    # private chat now acts on B).
    out = await h.send(NEWCOMER, "/start")
    _, out = await h.press(NEWCOMER, out[-1], GROUP_B_TITLE)
    await h.send(NEWCOMER, "Mai Văn Khánh")
    _, out = await h.press(NEWCOMER, h.last_to(NEWCOMER.id), "Chuyên viên")
    assert "Đã gửi yêu cầu" in texts(out)
    posts["b_request"] = h.last_to(ADMIN_B.id, lambda m: "Yêu cầu tham gia" in m.plain_text)
    await join(h, HEAD, await invite(h, ADMIN, "chuyenvien"), "Lê Thị Hằng")
    await h.send(OUTSIDER, "/help")  # every actor below is known to the bot
    ids |= {
        "a_staff": ids["Bình"],
        "b_staff": await person_id(h, STAFF_B),
        "b_head": await person_id(h, HEAD_B),
    }
    return World(posts, ids)


@dataclass(frozen=True)
class Case:
    who: User
    do: str  # a command; "upload"; or "press <post> <button label>"
    where: str  # "A", "B" (that group), "unbound", "private", "forged" (a press from private)
    program: str | None  # the program the refusal is logged under
    refusal: str  # the action (role refusals) or the reason, as logged in events.detail


# The refusal each reason is answered with (any other: the role refusal).
REFUSALS = {
    "group_not_bound": "group_not_bound",
    "not_member": "not_member",
    "private_only": "private_only",
    "bind": "bind_refused",
}

CASES = [
    # Without the role, in the program's own group.
    Case(STAFF[0], "/rutlai đồng chí vắng", "A", "A", "redraw"),
    Case(STAFF[0], "/bocthamngay", "A", "A", "draw_now"),
    Case(STAFF[0], "/dangngay", "A", "A", "publish_now"),
    Case(STAFF[0], "/nghituan bận", "A", "A", "skip"),
    Case(STAFF[0], "/datlich boc 10:00", "A", "A", "schedule"),
    Case(STAFF[0], "/vaitro {a_staff} quantri", "A", "A", "roles"),
    Case(STAFF[0], "/vangmat {a_staff} phep 31/12", "A", "A", "away"),
    Case(STAFF[0], "/nghiviec {a_staff}", "A", "A", "deactivate"),
    Case(STAFF[0], "/ketluan Kết luận giả mạo", "A", "A", "conclude"),
    Case(HEAD, "/ketluan Trưởng phòng không kết luận", "A", "A", "conclude"),
    Case(HEAD, "/datlich boc 10:00", "A", "A", "schedule"),
    Case(HEAD, "/nghituan", "A", "A", "skip"),
    Case(LEADER, "/rutlai lý do", "A", "A", "redraw"),
    Case(LEADER, "/vaitro {a_staff} truongphong", "A", "A", "roles"),
    Case(OUTSIDER, "/rutlai lý do", "A", "A", "redraw"),
    Case(OUTSIDER, "/bocthamngay", "A", "A", "draw_now"),
    # In a private chat: the person's current program.
    Case(STAFF[0], "/moi quantri duyet", "private", "A", "invite"),
    Case(STAFF[0], "/themcauhoi", "private", "A", "add_question"),
    Case(STAFF[0], "upload", "private", "A", "import"),
    Case(STAFF[0], "/xuatcauhoi csv", "private", "A", "export"),
    Case(HEAD, "/xuatcauhoi", "private", "B", "export"),
    Case(LEADER, "/vaitro {a_staff} quantri", "private", "A", "roles"),
    Case(HEAD, "/rutlai vắng", "private", "B", "redraw"),  # head of A, current program B
    Case(HEAD, "/bocthamngay", "private", "B", "draw_now"),
    Case(HEAD, "/nghiviec {b_staff}", "private", "B", "deactivate"),
    Case(OUTSIDER, "/ketluan Kết luận", "private", None, "not_member"),
    Case(OUTSIDER, "/nghituan", "private", None, "not_member"),
    # Another program's group.
    Case(ADMIN_A, "/nghituan", "B", "B", "skip"),
    Case(ADMIN_A, "/bocthamngay", "B", "B", "draw_now"),
    Case(ADMIN_A, "/dangngay", "B", "B", "publish_now"),
    Case(ADMIN_A, "/datlich boc 10:00", "B", "B", "schedule"),
    Case(ADMIN_A, "/vaitro {b_staff} quantri", "B", "B", "roles"),
    Case(ADMIN_A, "/vangmat {b_staff} phep 31/12", "B", "B", "away"),
    Case(ADMIN_A, "/nghiviec {b_staff}", "B", "B", "deactivate"),
    Case(ADMIN_A, "/ketluan Kết luận hộ nhóm khác", "B", "B", "conclude"),
    Case(HEAD, "/rutlai vắng", "B", "B", "redraw"),
    Case(LEADER, "/ketluan Kết luận nhầm nhóm", "B", "B", "conclude"),
    Case(HEAD_B, "/rutlai vắng", "A", "A", "redraw"),
    Case(ADMIN_B, "/nghituan", "A", "A", "skip"),
    # A group that is no program's, and a private-only command in a group.
    Case(ADMIN_A, "/nghituan", "unbound", None, "group_not_bound"),
    Case(HEAD, "/rutlai vắng", "unbound", None, "group_not_bound"),
    Case(ADMIN_A, "/moi quantri duyet", "A", "A", "private_only"),
    Case(ADMIN_A, "/lienket", "unbound", None, "bind"),  # only HOIDAP_ADMINS bind groups
    Case(STAFF[0], "/nhansu", "A", "A", "roster"),
    Case(ADMIN_A, "/themcauhoi", "B", "B", "add_question"),
    # Buttons: in place, or another program's token forged into a press.
    Case(STAFF[0], "press a_answer Đúng", "A", "A", "grade"),
    Case(LEADER, "press a_answer Chưa đúng", "A", "A", "grade"),
    Case(ADMIN_A, "press a_answer Đúng một phần", "A", "A", "grade"),
    Case(HEAD_B, "press a_answer Chưa đúng", "forged", "A", "grade"),
    Case(HEAD, "press b_answer Đúng", "B", "B", "grade"),
    Case(STAFF[0], f"press a_draw {BUTTONS['in_person']}", "A", "A", "in_person"),
    Case(HEAD, f"press b_draw {BUTTONS['in_person']}", "B", "B", "in_person"),
    Case(ADMIN_A, f"press b_draw {BUTTONS['in_person']}", "forged", "B", "in_person"),
    Case(STAFF[0], f"press conclude {BUTTONS['conclude']}", "forged", "A", "conclude"),
    Case(HEAD, f"press conclude {BUTTONS['conclude']}", "forged", "A", "conclude"),
    Case(ADMIN_B, f"press conclude {BUTTONS['conclude']}", "forged", "A", "conclude"),
    Case(ADMIN_A, f"press b_request {BUTTONS['approve']}", "forged", "B", "approve"),
    Case(ADMIN_A, f"press b_request {BUTTONS['reject']}", "forged", "B", "approve"),
    Case(HEAD_B, f"press b_request {BUTTONS['approve']}", "forged", "B", "approve"),
    Case(STAFF_B, f"press b_request {BUTTONS['reject']}", "forged", "B", "approve"),
]


async def test_privileged_actions_without_the_right_role_chat_or_program_are_refused(
    harness: Harness,
) -> None:
    h = harness
    world = await two_programs(h)
    chats = {"A": GROUP, "B": GROUP_B, "unbound": UNBOUND, "private": None}
    programs = {"A": 1, "B": 2, None: None}
    h.server.group(UNBOUND, "Nhóm chưa gắn")
    assert len(CASES) >= 50
    for case in CASES:
        h.clock.advance(timedelta(seconds=30))  # one case every half minute: no flood
        before, mark = await snapshot(h), await last_event_id(h)
        who = case.who
        answer: dict[str, Any] | None = None
        if case.do.startswith("press "):
            _, post, label = case.do.split(" ", 2)
            message = world.posts[post]
            if case.where == "forged":
                answer, out = await h.press_data(who, h.last_to(who.id), token(message, label))
            else:
                answer, out = await h.press(who, message, label)
        elif case.do == "upload":
            data = (SAMPLES / "cau_hoi_mau.csv").read_bytes()
            out = await h.upload(who, "cau_hoi_mau.csv", data)
        else:
            out = await h.send(who, case.do.format(**world.ids), chat_id=chats[case.where])

        assert await snapshot(h) == before, f"{case}: something was recorded"
        events = await events_after(h, mark)
        assert [(e["kind"], e["actor_id"], e["program_id"]) for e in events] == [
            ("refused", await person_id(h, who), programs[case.program])
        ], f"{case}: {events}"
        assert events[0]["detail"].split(" ")[0] == case.refusal, f"{case}: {events}"
        template = REFUSALS.get(case.refusal, "refused_role")
        if answer is not None:
            assert answer["show_alert"], f"{case}: {answer}"
            answered(answer, template)
            assert out == [], f"{case}: {texts(out)}"
        else:
            (reply,) = out
            assert reply.chat_id == (chats[case.where] or who.id), f"{case}: {reply}"
            assert templates([reply]) == [template], f"{case}: {reply.plain_text}"

    # The same world, the rightful people: each of those actions goes through.
    answer, _ = await h.press(HEAD_B, world.posts["b_answer"], "Đúng")
    answered(answer, "grade_recorded", verdict="Đúng")
    answer, out = await h.press(ADMIN_B, world.posts["b_request"], BUTTONS["approve"])
    answered(answer, "decision_done", approved=True)
    _, out = await h.press(LEADER, world.posts["conclude"], BUTTONS["conclude"])
    sent(out, "conclude_ask", LEADER.id)
    out = await h.send(HEAD, "/rutlai vắng", chat_id=GROUP)
    assert "Chỉ bốc lại được khi" in texts(out)  # allowed; only the state says no


# -- buttons: forged, malformed, expired, replayed -----------------------------------------------


async def answered_week(h: Harness) -> tuple[User, SentMessage]:
    """Setup, the question, the draw and the answer: returns the drawn user and the group post."""
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    out = await h.send(drawn, "Câu trả lời của tuần.")
    assert "Đã nhận câu trả lời" in texts(out)
    return drawn, h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)


async def refused_press(
    h: Harness, user: User, message: SentMessage, data: str, phrase: str, reason: str
) -> None:
    """Press with ``data``: a polite pop-up, nothing recorded but the refusal."""
    h.clock.advance(timedelta(seconds=30))
    before, mark = await snapshot(h), await last_event_id(h)
    answer, out = await h.press_data(user, message, data)
    assert answer["show_alert"] and phrase in answer["text"], (data[:80], answer)
    assert out == [], texts(out)
    assert await snapshot(h) == before, data[:80]
    events = await events_after(h, mark)
    assert [(e["kind"], e["detail"].split(" ")[0]) for e in events] == [("refused", reason)]


MALFORMED = [
    "",
    "x",
    "A" * 64,
    "B" * 65,
    "C" * 5000,
    "' OR 1=1 --",
    "<b>đậm</b>&amp;",
    "../../etc/passwd",
    "\x00\x07\u202e\ufeff",
    "🙂" * 16,
    "grade:1:correct",
    '{"kind": "grade", "session": 1}',
]


async def test_forged_and_malformed_callback_data_is_refused(harness: Harness) -> None:
    h = harness
    _, post = await answered_week(h)
    for data in MALFORMED:
        # The head may grade: the refusal is about the data, not the person.
        await refused_press(h, HEAD, post, data, "không hợp lệ", "button_invalid")
    real = token(post, "Đúng")
    for data in (real[:-1], real + "x", real.upper(), real[::-1]):
        await refused_press(h, HEAD, post, data, "không hợp lệ", "button_invalid")
    assert await h.core.store.grades((await h.core.store.open_sessions(1))[0].id) == []


async def test_expired_buttons_are_refused(harness: Harness) -> None:
    h = harness
    _, post = await answered_week(h)
    h.clock.advance(timedelta(days=15))  # grade buttons live 14 days (the clock only: no steps)
    await refused_press(h, HEAD, post, token(post, "Đúng"), "hết hạn", "button_expired")
    out = await h.send(ADMIN, "/chon")
    h.clock.advance(timedelta(days=2))  # a program chooser lives one day
    button = out[-1]
    await refused_press(h, ADMIN, button, button.buttons()[0][1], "hết hạn", "button_expired")


async def test_replayed_presses_change_nothing(harness: Harness) -> None:
    h = harness
    _, post = await answered_week(h)
    session_id = (await h.core.store.open_sessions(1))[0].id
    answer, _ = await h.press(HEAD, post, "Đúng")
    assert "Đã ghi nhận" in answer["text"]
    await h.send(HEAD, "/boqua")

    # The same button again: said politely, nothing new.
    before = await snapshot(h)
    answer, out = await h.press(HEAD, post, "Đúng")
    assert "đã được ghi nhận trước đó" in answer["text"] and out == []
    assert await snapshot(h) == before

    # The same update delivered twice (same update_id): the second is ignored entirely.
    query_id = h.server.press(HEAD.id, post.message_id, post.chat_id, token(post, "Chưa đúng"))
    await h.server.wait_for_callback_answer(query_id)
    await h.settle()
    update = h.server.injected_updates[-1]
    assert len(await h.core.store.grades(session_id)) == 2
    before, mark, sent = await snapshot(h), await last_event_id(h), h.server.mark()
    h.server.inject_raw(update)
    await h.settle()
    assert await snapshot(h) == before and await events_after(h, mark) == []
    assert h.server.sent[sent:] == []
    assert len(await h.core.store.grades(session_id)) == 2

    # A join request decided twice: the second press says so and changes nothing.
    out = await h.send(OUTSIDER, "/start")
    await h.send(OUTSIDER, "Người Ngoài Cuộc")
    await h.press(OUTSIDER, h.last_to(OUTSIDER.id), "Chuyên viên")
    request = h.last_to(ADMIN.id, lambda m: "Yêu cầu tham gia" in m.plain_text)
    answer, _ = await h.press(ADMIN, request, BUTTONS["reject"])
    assert "Đã từ chối" in answer["text"]
    before = await snapshot(h)
    for label in (BUTTONS["reject"], BUTTONS["approve"]):
        answer, out = await h.press(ADMIN, request, label)
        assert "đã được xử lý trước đó" in answer["text"] and out == []
    assert await snapshot(h) == before


async def test_an_edited_command_is_not_run_again(harness: Harness) -> None:
    """Editing a sent command makes a new update (a new update_id): it must not act twice."""
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session_id = (await h.core.store.open_sessions(1))[0].id
    message = h.server.send_text(HEAD.id, "/rutlai đồng chí vắng", chat_id=GROUP)
    await h.settle()
    assert len(await h.core.store.draws(session_id)) == 2
    before, mark, sent = await snapshot(h), await last_event_id(h), h.server.mark()
    for text in ("/rutlai đồng chí vắng họp", "/nghituan", "/ketluan Kết luận qua sửa tin"):
        edited = {**message, "text": text, "edit_date": message["date"] + 60}
        edited["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        h.server.inject_raw({"edited_message": edited})
    await h.settle()
    assert await snapshot(h) == before and await events_after(h, mark) == []
    assert h.server.sent[sent:] == []
    assert len(await h.core.store.draws(session_id)) == 2


async def test_a_used_single_use_button_is_refused(harness: Harness) -> None:
    h = harness
    _, post = await answered_week(h)
    session_id = (await h.core.store.open_sessions(1))[0].id
    core = h.core
    async with core.store.transaction():
        # A grade button made single use by hand (the registry makes grades reusable).
        token, now = "single-use-grade", core.now()
        row = (token, "grade", 1, session_id, "correct", now + timedelta(days=1), True)
        await core.store.add_actions([row], now)
        assert await core.store.use_action(token, core.now())
        assert not await core.store.use_action(token, core.now())  # once only
    await refused_press(h, HEAD, post, token, "đã được dùng", "button_used")
    assert await core.store.grades(session_id) == []


# -- hostile text ----------------------------------------------------------------------------------


async def test_messages_longer_than_telegram_allows_are_refused_cleanly(
    harness: Harness,
) -> None:
    """Telegram delivers at most 4096 characters; a forged update may carry 100,000."""
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    huge = "Trả lời rất dài. " * 6250  # 106,250 characters
    attempts = [
        (drawn, huge, None),  # a private answer
        (drawn, "/traloi " + huge, GROUP),  # the answer command in the group
        (drawn, "x" * 4097, None),
        (LEADER, "/ketluan " + huge, GROUP),
        (ADMIN, "/nghituan " + huge, GROUP),
    ]
    for user, text, chat in attempts:
        h.clock.advance(timedelta(seconds=30))
        before, mark = await snapshot(h), await last_event_id(h)
        out = await h.send(user, text, chat_id=chat)
        (reply,) = out
        assert reply.chat_id == (chat or user.id)
        assert f"dài {len(text)} ký tự, vượt giới hạn 4096 ký tự" in reply.plain_text
        assert await snapshot(h) == before
        events = await events_after(h, mark)
        assert [(e["kind"], e["detail"].split(" ")[0]) for e in events] == [
            ("refused", f"too_long:{len(text)}")
        ]
    # A document whose caption is too long, likewise.
    h.clock.advance(timedelta(seconds=30))
    before = await snapshot(h)
    mark = h.server.mark()
    h.server.send_document(drawn.id, "tra_loi.pdf", b"%PDF-1.4", caption=huge)
    await h.settle()
    (reply,) = h.server.sent[mark:]
    assert "vượt giới hạn 4096 ký tự" in reply.plain_text
    assert await snapshot(h) == before
    # Within Telegram's limit the answer's own limit speaks; then a normal answer is taken.
    out = await h.send(drawn, "y" * 4001)
    assert "vượt giới hạn 4000 ký tự của một tin nhắn" in texts(out)
    out = await h.send(drawn, "z" * 4000)
    assert "Đã nhận câu trả lời" in texts(out)
    assert (await h.core.store.session(session.id)).answer_text == "z" * 4000  # type: ignore[union-attr]


HOSTILE_REFUSED = [
    # (user, command, where, what the reply says) — each refused, nothing recorded.
    (ADMIN, "/vaitro " + "9" * 3000 + " quantri", GROUP, "không phải số hiệu hợp lệ"),
    (ADMIN, "/vaitro <b>5</b> quantri", GROUP, "«<b>5</b>» không phải số hiệu"),
    (ADMIN, "/vaitro 2 <script>alert(1)</script>", GROUP, "<script>alert(1)</scrip"),
    (ADMIN, "/datlich boc <i>9:00</i>", GROUP, "Giờ «<i>9:00</i>» không hợp lệ"),
    (ADMIN, "/datlich thu *hai*", GROUP, "Thứ «*hai*» không hợp lệ"),
    (ADMIN, "/datlich han 99999999999999999999", GROUP, "99999999999999999999"),
    (ADMIN, "/vangmat 2 phep 31/02", GROUP, "Ngày «31/02» không hợp lệ"),
    (ADMIN, "/vangmat 2 phep &lt;b&gt;", GROUP, "Ngày «&lt;b&gt;» không hợp lệ"),
    (ADMIN, "/moi *quantri* _duyet_", None, "Cách dùng: /moi"),
    (ADMIN, "/vaitro", GROUP, "Cách dùng: /vaitro"),
    (ADMIN, "/vaitro 2", GROUP, "Cách dùng: /vaitro"),
    (ADMIN, "/nghiviec", GROUP, "Cách dùng"),
    (HEAD, "/rutlai      ", GROUP, "cần ghi lý do"),
    (ADMIN, "/vaitro 2\x00\x07 quantri", GROUP, "không phải số hiệu hợp lệ"),
    (ADMIN, "/datlich boc 09:\x1b00", GROUP, "không hợp lệ"),
    (ADMIN, "/moi \u202equantri", None, "Cách dùng: /moi"),
    (LEADER, "/ketluan " + "x" * 3501, GROUP, "dài 3501 ký tự, vượt giới hạn 3500"),
]


async def test_hostile_command_arguments_are_refused_and_shown_escaped(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    for user, command, chat, phrase in HOSTILE_REFUSED:
        h.clock.advance(timedelta(seconds=30))
        before = await snapshot(h)
        out = await h.send(user, command, chat_id=chat)
        (reply,) = out
        assert phrase in reply.plain_text, (command[:60], reply.plain_text)
        assert await snapshot(h) == before, command[:60]


async def test_html_and_markdown_in_accepted_text_are_shown_literally(harness: Harness) -> None:
    h = harness
    drawn, _ = await answered_week_with(h, "<b>in đậm?</b> *sao* _gạch_ `mã` & [x](http://x)")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    assert "<b>in đậm?</b> *sao* _gạch_ `mã` & [x](http://x)" in post.plain_text
    assert "&lt;b&gt;in đậm?&lt;/b&gt;" in (post.text or "")
    await h.press(HEAD, post, "Đúng")
    await h.send(HEAD, "Nhận xét <i>nghiêng</i> &amp; <a href='http://x'>liên kết</a>")
    conclusion = "<u>Kết luận</u> &lt;b&gt; **chính thức** <tg-spoiler>ẩn</tg-spoiler>"
    await h.send(LEADER, f"/ketluan {conclusion}", chat_id=GROUP)
    summary = h.last_to(GROUP, lambda m: "KẾT LUẬN" in m.plain_text)
    assert conclusion in summary.plain_text
    assert "Nhận xét <i>nghiêng</i> &amp; <a href='http://x'>liên kết</a>" in summary.plain_text
    session = await h.core.store.latest_session(1)
    assert session is not None and session.conclusion == conclusion
    assert drawn


async def answered_week_with(h: Harness, answer: str) -> tuple[User, SentMessage]:
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    out = await h.send(drawn, answer)
    assert "Đã nhận câu trả lời" in texts(out)
    return drawn, h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)


async def test_names_with_html_are_shown_escaped_everywhere(harness: Harness) -> None:
    """Telegram names and usernames are the user's to choose (a forged update can carry any);
    names typed at onboarding may hold entities. Every message shows them as written."""
    h = harness
    admin = User(ADMIN.id, "<i>Quản</i> & <b>Co</b>", "Trị Viên", "quan<b>tri")
    admin_name = "<i>Quản</i> & <b>Co</b> Trị Viên"
    staff = User(4009, "<b>Bình</b>", "Trần", "binh<script>")
    staff_name = 'Trần &lt;b&gt;Bình & "Tí"'
    h.server.add_bot_to_group(admin.id, GROUP)
    await h.send(admin, "/lienket", chat_id=GROUP)
    await h.upload(admin, "cau_hoi_mau.csv", (SAMPLES / "cau_hoi_mau.csv").read_bytes())

    async def onboard(user: User, name: str) -> None:
        await h.send(user, "/start")
        out = await h.send(user, name)
        await h.press(user, out[-1], "Chuyên viên")
        request = h.last_to(admin.id, lambda m: "Yêu cầu tham gia" in m.plain_text)
        assert name in request.plain_text
        await h.press(admin, request, BUTTONS["approve"])

    await onboard(staff, staff_name)
    request = h.last_to(admin.id, lambda m: "Yêu cầu tham gia" in m.plain_text)
    assert "(@binh<script>)" in request.plain_text
    await onboard(HEAD, "Lê Thị Hằng")
    head_id = await person_id(h, HEAD)
    await h.send(admin, f"/vaitro {head_id} truongphong")

    roster = (await h.send(admin, "/nhansu", chat_id=GROUP))[0]
    assert staff_name in roster.plain_text and admin_name in roster.plain_text
    assert "Trần &amp;lt;b&amp;gt;Bình &amp; &#34;Tí&#34;" in (roster.text or "")

    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    draw = h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text)
    assert f"Người trả lời: {staff_name}" in draw.plain_text
    (pool,) = [line for line in draw.plain_text.splitlines() if line.startswith("Bốc thăm trong")]
    assert staff_name in pool
    await h.send(staff, "Câu trả lời.")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    assert staff_name in post.plain_text
    await h.press(HEAD, post, "Đúng")
    await h.send(HEAD, "/boqua")
    await h.send(admin, "/ketluan Kết luận của quản trị thay lãnh đạo.", chat_id=GROUP)
    summary = h.last_to(GROUP, lambda m: "KẾT LUẬN" in m.plain_text)
    assert staff_name in summary.plain_text and admin_name in summary.plain_text
    status = (await h.send(staff, "/trangthai"))[0]
    assert staff_name in status.plain_text
    # Every message reached Telegram: none was rejected for broken HTML.
    assert not [r for r in h.server.requests if r.status == 400]


# -- hostile files ---------------------------------------------------------------------------------


def zip_bomb(total: int) -> bytes:
    """A small .xlsx-looking archive whose one member expands to ``total`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * total)
    return buffer.getvalue()


def downloads(h: Harness) -> list[str]:
    return [r.method for r in h.server.requests if r.method in ("getFile", "downloadFile")]


async def test_an_upload_over_the_size_limit_is_refused_before_it_is_downloaded(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    queued = await h.core.store.count_queued(1)
    before = downloads(h)
    out = await h.upload(ADMIN, "lon.xlsx", b"PK\x03\x04" + b"\0" * LIMITS.max_file_bytes)
    assert "vượt giới hạn 2 MB" in texts(out)
    assert downloads(h) == before  # refused on the declared size: never fetched
    out = await h.upload(ADMIN, "nho.xlsx", b"PK\x03\x04 chang phai excel")
    assert "Không đọc được tệp Excel" in texts(out)
    assert downloads(h) == [*before, "getFile", "downloadFile"]  # a small one is fetched
    assert await h.core.store.count_queued(1) == queued


async def test_zip_bombs_are_refused_without_being_opened(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await setup_program(h)
    queued = await h.core.store.count_queued(1)
    opened: list[int] = []
    # A file is opened by a reader in a process of its own (bot/services/bank.py): the spy
    # sees every reader started.
    real = bank.in_child_now

    def spy(*args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(bank, "in_child_now", spy)
    bomb = zip_bomb(LIMITS.max_unzipped_bytes + 1)
    assert len(bomb) < LIMITS.max_file_bytes
    out = await h.upload(ADMIN, "bom.xlsx", bomb)
    assert "sau khi giải nén vượt 50 MB" in texts(out)
    out = await h.upload(ADMIN, "ti_le.xlsx", zip_bomb(4 * 1024 * 1024))
    assert "lớn bất thường (hơn 200 lần" in texts(out)
    assert opened == [] and await h.core.store.count_queued(1) == queued
    h.clock.advance(timedelta(minutes=1))
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    assert opened == [1]  # a real workbook is opened: the spy sees it


FORMULAS = [
    QuestionDraft('=HYPERLINK("http://x";"bấm vào đây") có phải câu hỏi?', "Cán bộ"),
    QuestionDraft("+84 là mã vùng, câu hỏi về đảng viên?", "Đảng viên", "=1+1"),
    QuestionDraft("-1 điểm thi đua có đúng quy định không?", "Chung", None, "@SUM(A1:A9)"),
    QuestionDraft("@ký hiệu mở đầu câu hỏi có làm hỏng tệp?", "Chung", None, None, "=cmd|' /c'"),
    QuestionDraft("\tTab mở đầu câu hỏi về chi bộ?", "Chung"),
]


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_exported_question_files_never_hold_a_formula(ext: str) -> None:
    data = importer.export_questions(f"ngan_hang.{ext}", FORMULAS)
    if ext == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
        assert cells and all(c.data_type != "f" for c in cells)
        values = [str(c.value) for c in cells]
    else:
        import csv

        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:]
        values = [v for row in rows for v in row if v]
    assert len(values) >= 9
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    fields = ("text", "topic", "source_unit", "legal_refs", "suggested_answer")
    parsed = importer.parse_questions(f"ngan_hang.{ext}", data)
    assert [tuple(getattr(d, f) for f in fields) for d in parsed] == [
        (d.text.strip(), *(getattr(d, f) for f in fields[1:])) for d in FORMULAS
    ]  # nothing lost: the neutralizing quote is taken off again on import


async def test_a_bank_exported_in_chat_holds_no_formula(harness: Harness) -> None:
    """Cells typed as formulas come back from /xuatcauhoi as text that Excel will not run."""
    import csv

    h = harness
    await setup_program(h)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Câu hỏi", "Chủ đề", "Đơn vị hỏi", "Căn cứ", "Gợi ý trả lời"])
    for d in FORMULAS:
        writer.writerow([d.text, d.topic, d.source_unit or "", d.legal_refs or "", ""])
    out = await h.upload(ADMIN, "cong_thuc.csv", buffer.getvalue().encode())
    assert "Đã nhập 5 câu hỏi" in texts(out), texts(out)
    for ext in ("xlsx", "csv"):
        out = await h.send(ADMIN, f"/xuatcauhoi {ext}")
        (doc,) = [m for m in out if m.kind == "document"]
        assert doc.file_id is not None
        data = h.server.file_bytes(doc.file_id)
        if ext == "xlsx":
            book = load_workbook(io.BytesIO(data))
            cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value]
            assert cells and all(c.data_type != "f" for c in cells)
            values = [str(c.value) for c in cells]
        else:
            values = [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in row]
        assert any(v.startswith("'=HYPERLINK") for v in values)
        assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]


# -- a flood -------------------------------------------------------------------------------------


async def test_a_flooding_user_is_throttled_without_holding_up_anyone_else(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    h.clock.advance(timedelta(minutes=1))  # everyone's bucket is full again
    flooder, other = STAFF[0], STAFF[1]
    caplog.set_level(logging.INFO, logger="hoidap")
    mark, events = h.server.mark(), await last_event_id(h)
    start = len(h.server.injected_updates)
    for i in range(200):
        h.server.send_text(flooder.id, "/cauhoi")
        if i == 99:
            h.server.send_text(other.id, "/cauhoi")
    flood = h.server.injected_updates[start:]
    other_update = flood.pop(100)["update_id"]
    await h.settle()
    sent = h.server.sent[mark:]
    to_flooder = [m for m in sent if m.chat_id == flooder.id]
    answers = [m for m in to_flooder if "gửi quá nhanh" not in m.plain_text]
    notices = [m for m in to_flooder if "gửi quá nhanh" in m.plain_text]
    assert len(answers) == 20 and len(notices) == 1
    assert all("câu hỏi tuần này" in m.plain_text.lower() for m in answers)
    # The other person is answered before the flood is through (people are handled
    # concurrently, each one's updates in order), not after the flooder's 100 updates.
    (answer,) = [m for m in sent if m.chat_id == other.id]
    assert "câu hỏi tuần này" in answer.plain_text.lower()
    assert sent.index(answer) <= 21
    # Every update ends in one recorded outcome: the 180 dropped are recorded as seen too, so no
    # restart ever handles them later; the throttling is logged once. (Updates that changed
    # nothing are written seen with the next change: make one.)
    async with h.core.store.transaction():
        pass
    seen = {r["update_id"] for r in await h.core.store._all("SELECT update_id FROM seen_updates")}
    assert [u["update_id"] in seen for u in flood] == [True] * 200
    assert other_update in seen
    logged = await events_after(h, events)
    assert [(e["kind"], e["actor_id"]) for e in logged] == [
        ("throttled", await person_id(h, flooder))
    ]
    warnings = [r for r in caplog.records if "sends too fast" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert h.dispatcher.throttle.dropped(flooder.id) == 180  # type: ignore[arg-type]

    # Half a minute later the flooder is served again; a new flood gets one new notice.
    h.clock.advance(timedelta(seconds=30))
    out = await h.send(flooder, "/cauhoi")
    assert "câu hỏi tuần này" in texts(out).lower()
    mark = h.server.mark()
    for _ in range(40):
        h.server.send_text(flooder.id, "/cauhoi")
    await h.settle()
    again = [m.plain_text for m in h.server.sent[mark:]]
    assert len(again) == 20 and sum("gửi quá nhanh" in t for t in again) == 1


def test_the_throttle_bucket() -> None:
    t0 = vn(2026, 12, 1, 10, 0)
    gate = Throttle(capacity=3, window=timedelta(seconds=30))
    assert [gate.check(1, t0) for _ in range(5)] == [
        Verdict.PASS,
        Verdict.PASS,
        Verdict.PASS,
        Verdict.NOTICE,
        Verdict.DROP,
    ]
    assert gate.check(2, t0) is Verdict.PASS  # everyone has their own bucket
    assert gate.check(1, t0 + timedelta(seconds=10)) is Verdict.PASS  # 3 per 30 s: one back
    assert gate.check(1, t0 + timedelta(seconds=10)) is Verdict.DROP  # notice given already
    assert gate.check(1, t0 + timedelta(seconds=20)) is Verdict.PASS
    assert gate.check(1, t0 + timedelta(seconds=20)) is Verdict.DROP
    assert gate.check(1, t0 + timedelta(seconds=31)) is Verdict.PASS
    assert gate.check(1, t0 + timedelta(seconds=31)) is Verdict.NOTICE  # a new window
    assert gate.check(1, t0 - timedelta(hours=1)) is not Verdict.PASS  # set back: no refill
    assert gate.dropped(1) == 6 and gate.dropped(2) == 0
    assert gate.check(1, t0 + timedelta(minutes=5)) is Verdict.PASS  # full again
    small = Throttle(capacity=1, window=timedelta(seconds=30), max_users=2)
    small.check(1, t0)
    small.check(2, t0 + timedelta(seconds=40))
    small.check(3, t0 + timedelta(seconds=40))  # 1 had refilled: forgotten, 2 kept
    assert small.dropped(1) == 0 and len(small._buckets) == 2
    with pytest.raises(ValueError):
        Throttle(capacity=0)


# -- the token -----------------------------------------------------------------------------------


async def test_the_bot_token_appears_in_no_log_message_or_record(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "hoidap"):
        caplog.set_level(logging.DEBUG, logger=name)
    h = Harness(tmp_path, clock, admins=(ADMIN.id,))
    secret = h.server.token
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await setup_program(h)
        await h.at(vn(2026, 12, 4, 8, 0))
        await h.at(vn(2026, 12, 7, 9, 0))
        session = (await h.core.store.open_sessions(1))[0]
        person = await h.core.store.person(session.drawn_person_id or 0)
        assert person is not None
        drawn = next(u for u in STAFF if u.id == person.tg_user_id)
        await h.send(drawn, "Câu trả lời của tuần.")
        post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
        await h.press(STAFF[0] if drawn != STAFF[0] else STAFF[1], post, "Đúng")  # refused
        await h.press_data(HEAD, post, "gia-mao")  # forged
        await h.press(HEAD, post, "Đúng một phần")
        await h.send(HEAD, "Cần nêu rõ căn cứ.")
        await h.send(LEADER, "/ketluan Kết luận của tuần.", chat_id=GROUP)
        await h.send(STAFF[0], "/kiemtra", chat_id=GROUP)
        await h.send(STAFF[0], "/trangthai")
        await h.restart()
        await h.send(ADMIN, "/datlich")
        dump = [
            str(value)
            for table in await snapshot(h)
            for row in await h.core.store._all(f'SELECT * FROM "{table}"')
            for value in tuple(row)
        ]
    finally:
        await h.close()

    library = [r for r in caplog.records if r.name.startswith(("httpx", "telegram"))]
    assert any("<token>" in r.getMessage() for r in library)  # request URLs were logged, masked
    for record in caplog.records:
        assert secret not in record.getMessage(), record.name
        assert secret not in (record.exc_text or ""), record.name
    assert secret not in caplog.text
    for message in h.server.sent:
        assert secret not in (message.text or "") and secret not in repr(message.params)
    assert len(dump) > 1000 and not [v for v in dump if secret in v]
