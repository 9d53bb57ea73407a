"""Numbered choices: buttons as numbered lines, and a typed number pressed like the button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.actions import ActionKind, Ref, mint
from bot.choices import Choices, longest_ttl, numbered, press_number, typed_number
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core, Refused
from bot.db import connect
from bot.models import Button, Person, Program, Reply
from bot.services import answers, cycle, interact
from bot.store import Store
from tests.conftest import vn

NOW = vn(2026, 12, 7, 9, 30)
CHAT = 555


def reply_with(*rows: tuple[Button, ...]) -> Reply:
    return Reply("fallback", buttons=rows)


def test_buttons_become_numbered_lines_and_links_a_line_with_the_link() -> None:
    choices = Choices()
    reply = reply_with(
        (Button("Đúng", token="t1"), Button("Đúng một phần", token="t2")),
        (Button("Chưa đúng", token="t3"),),
        (Button("Mở trang", url="https://example.org/a?b=1&c=2"),),
    )
    text = numbered(reply, choices, 7, CHAT, NOW)
    lines = text.splitlines()
    assert lines[0] == "Bot chưa hiểu tin nhắn này. Gõ /help để xem các lệnh."
    assert lines[2:6] == [
        "1. Đúng",
        "2. Đúng một phần",
        "3. Chưa đúng",
        "🔗 Mở trang: https://example.org/a?b=1&amp;c=2",
    ]
    assert "số thứ tự" in lines[-1]
    assert [choices.token(7, CHAT, n, NOW) for n in (1, 2, 3, 4)] == ["t1", "t2", "t3", None]


def test_a_reply_without_buttons_is_its_text_alone() -> None:
    choices = Choices()
    assert numbered(Reply("fallback"), choices, 7, CHAT, NOW) == (
        "Bot chưa hiểu tin nhắn này. Gõ /help để xem các lệnh."
    )
    assert len(choices) == 0


def test_numbers_belong_to_a_person_and_chat_and_the_latest_offer() -> None:
    choices = Choices()
    numbered(reply_with((Button("A", token="a"),)), choices, 7, CHAT, NOW)
    numbered(reply_with((Button("B", token="b"),)), choices, 8, CHAT, NOW)
    numbered(reply_with((Button("G", token="g"), Button("H", token="h"))), choices, None, -1, NOW)
    assert choices.token(7, CHAT, 1, NOW) == "a"
    assert choices.token(8, CHAT, 1, NOW) == "b"
    assert choices.token(9, CHAT, 1, NOW) is None  # someone else's choices
    assert choices.token(7, CHAT + 1, 1, NOW) is None  # another chat
    # A group post's choices are anyone's there.
    assert choices.token(7, -1, 2, NOW) == choices.token(8, -1, 2, NOW) == "h"
    # A newer offer replaces the older one.
    numbered(reply_with((Button("C", token="c"),)), choices, 7, CHAT, NOW)
    assert choices.token(7, CHAT, 1, NOW) == "c"


def test_memory_is_bounded_and_expires() -> None:
    choices = Choices(limit=3)
    for person in range(5):
        choices.remember(person, CHAT, {1: f"t{person}"}, NOW)
    assert len(choices) == 3
    assert choices.token(0, CHAT, 1, NOW) is None and choices.token(4, CHAT, 1, NOW) == "t4"
    later = NOW + longest_ttl() + timedelta(seconds=1)
    assert choices.token(4, CHAT, 1, later) is None and len(choices) == 2


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), (" 2 ", 2), ("3.", 3), ("12", 12), ("", None), ("1 2", None), ("một", None)],
)
def test_typed_number(text: str, number: int | None) -> None:
    assert typed_number(text) == number
    assert typed_number("1234") is None and typed_number("-1") is None


# -- through the press path ----------------------------------------------------------------------


@dataclass
class World:
    core: Core
    clock: ManualClock
    program: Program
    head: Person
    staff: Person
    session_id: int


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    path = tmp_path / "hoidap.sqlite3"
    clock = ManualClock(NOW)
    core = Core(
        store=Store(await connect(path)), clock=clock, settings=Settings(token="1:x", db_path=path)
    )
    store = core.store
    async with store.transaction():
        admin = await store.upsert_person(100, None, "Quản trị", False, NOW)
        head = await store.upsert_person(101, None, "Trưởng phòng", False, NOW)
        staff = await store.upsert_person(102, None, "Chuyên viên", False, NOW)
        await store.create_program(-1001, "Nhóm", "Asia/Ho_Chi_Minh", admin.id, NOW)
        for person, roles in ((admin, {"admin"}), (head, {"head"}), (staff, {"staff"})):
            await store.upsert_member(1, person.id, "active", NOW)
            await store.set_roles(1, person.id, roles)
        program = await store.program(1)
        assert program is not None
        session = await cycle.ensure_session(core, program)
        assert session is not None
        await store.update_session(
            session.id,
            session.state,
            state="answered",
            drawn_person_id=staff.id,
            answer_kind="text",
            answer_text="Câu trả lời.",
        )
    try:
        yield World(core, clock, program, head, staff, session.id)
    finally:
        await store.close()


async def refusal(coro: object) -> str:
    try:
        await coro  # type: ignore[misc]
    except Refused as refused:
        return refused.reply.template
    raise AssertionError("not refused")


async def grade_choices(w: World, choices: Choices) -> Reply:
    session = await w.core.store.session(w.session_id)
    assert session is not None
    reply = Reply("fallback", buttons=await answers.grade_buttons(w.core, w.program, session))
    numbered(reply, choices, None, -1001, w.core.now())  # the group post: anyone there
    return reply


async def test_a_number_is_checked_and_carried_out_like_its_button(world: World) -> None:
    w, choices = world, Choices()
    reply = await grade_choices(w, choices)
    token = reply.buttons[0][2].token
    assert token is not None
    # The wrong role: the same refusal, by number and by button.
    assert await refusal(press_number(w.core, choices, w.staff, -1001, "3")) == "refused_role"
    assert await refusal(interact.press(w.core, w.staff, token)) == "refused_role"
    # The head's number grades, as the button does.
    outcome = await press_number(w.core, choices, w.head, -1001, "3")
    assert outcome is not None and outcome.reply.template == "grade_recorded"
    grades = await w.core.store.grades(w.session_id)
    assert [g.verdict for g in grades] == ["wrong"]
    # Not a number: left for the transport to treat as text.
    assert await press_number(w.core, choices, w.head, -1001, "Đúng") is None
    # Past the button's lifetime: refused as expired, by number and by button.
    w.clock.advance(timedelta(days=14, hours=1))
    assert await refusal(press_number(w.core, choices, w.head, -1001, "1")) == "button_expired"
    assert await refusal(interact.press(w.core, w.head, token)) == "button_expired"


async def test_a_used_single_use_number_is_refused_like_its_button(world: World) -> None:
    w, choices = world, Choices()
    button = await mint(w.core, ActionKind.GR_ACCEPT, "✅ Nhận", w.program.id, Ref(1))
    assert button.token is not None
    numbered(reply_with((button,)), choices, w.head.id, w.head.tg_user_id, w.core.now())
    assert await w.core.store.use_action(button.token, w.core.now())
    assert (
        await refusal(press_number(w.core, choices, w.head, w.head.tg_user_id, "1"))
        == "button_used"
    )
    assert await refusal(interact.press(w.core, w.head, button.token)) == "button_used"


async def test_after_a_restart_a_number_is_refused_with_a_clear_request(world: World) -> None:
    w = world
    await grade_choices(w, Choices())
    restarted = Choices()  # the memory is gone
    assert await refusal(press_number(w.core, restarted, w.head, -1001, "1")) == "choice_unknown"
    assert await w.core.store.grades(w.session_id) == []


def test_the_refusal_asks_to_send_the_command_again() -> None:
    from bot.render import render

    text = render("choice_unknown", {"number": 4})
    assert "Số 4" in text and "gửi lại lệnh" in text
