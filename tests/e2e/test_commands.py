"""Commands through the real stack: one PTB handler turns every update into an event, the
dispatcher looks a command up in the table (read as PTB's CommandHandler did), and refuses
private commands in groups from the table's row."""

from __future__ import annotations

from telegram.ext import CommandHandler, TypeHandler

from fakes.harness import Harness
from handlers.commands import COMMANDS, Command, Where, callables
from handlers.common import Turn
from tests.conftest import ADMIN, GROUP, OUTSIDER, STAFF
from tests.e2e.helpers import bind, setup_program, texts
from tests.test_commands import MAIN_GROUP, MAIN_PRIVATE, MAIN_ROLES, now

HELP_TITLE = "📖 Hướng dẫn"


async def test_one_handler_for_every_update(harness: Harness) -> None:
    assert harness.app is not None
    handlers = [h for group in harness.app.handlers.values() for h in group]
    assert not [h for h in handlers if isinstance(h, CommandHandler)]
    # Everything goes through one handler to the dispatcher, which looks commands up by name.
    assert len(handlers) == 1 and isinstance(handlers[0], TypeHandler)
    assert set(harness.dispatcher.commands) == {n for row in COMMANDS for n in row.names}


async def test_command_words_are_read_as_command_handler_did(harness: Harness) -> None:
    h = harness
    assert h.app is not None
    me = h.app.bot.username
    for text in ("/help", "/HELP", f"/Help@{me}", f"/help@{me.upper()}", "/huongdan"):
        out = await h.send(OUTSIDER, text)
        assert [m.plain_text[: len(HELP_TITLE)] for m in out] == [HELP_TITLE], text
    # Addressed to another bot in the same group, unknown, or not at the start: not for us.
    await bind(h)
    for text in ("/help@other_bot", "/khongcolenhnay", "/khongcolenhnay@" + me):
        assert await h.send(ADMIN, text, chat_id=GROUP) == [], text
        assert await h.send(ADMIN, text) == [], text
    # A caption is not a command (CommandHandler read text only): the file is handled as a file.
    mark = h.server.mark()
    h.server.send_document(OUTSIDER.id, "ghi_chu.txt", b"x", caption="/help")
    await h.settle()
    out = h.server.sent[mark:]
    assert out and not any(HELP_TITLE in m.plain_text for m in out), texts(out)


async def test_arguments_are_the_words_after_the_command(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    assert h.app is not None
    me = h.app.bot.username
    binh = ids[STAFF[1].first_name]
    out = await h.send(ADMIN, f"/vangmat@{me}   {binh}\tphep\n10/12/2026")
    assert "nghỉ phép" in texts(out), texts(out)
    member = await h.core.store.member(1, binh)
    assert member is not None and member.away_kind == "leave"


async def test_ngungthamgia_and_its_old_name_nghiviec(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    for command, who in (("/ngungthamgia", "An"), ("/nghiviec", "Bình")):
        out = await h.send(ADMIN, f"{command} {ids[who]}")
        assert "ngừng tham gia" in texts(out), texts(out)
        member = await h.core.store.member(1, ids[who])
        assert member is not None and member.status != "active", command
    out = await h.send(ADMIN, "/nghiviec")
    assert "/ngungthamgia <số hiệu>" in texts(out), texts(out)
    assert "/ngungthamgia" in texts(await h.send(ADMIN, "/help"))


async def test_private_command_in_a_group_is_refused_by_its_row(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(ADMIN, "/danhsach", chat_id=GROUP)
    assert "chỉ dùng trong cuộc trò chuyện riêng" in texts(out), texts(out)
    # Any row marked private is refused in a group before its handler runs, and runs in private.
    calls: list[str] = []

    async def probe(t: Turn) -> None:
        calls.append(" ".join(t.args))

    table = [Command("thuriengtu", probe, ("everyone",), Where.PRIVATE)]
    h.dispatcher.commands.update(callables(table))
    out = await h.send(ADMIN, "/thuriengtu a b", chat_id=GROUP)
    assert "chỉ dùng trong cuộc trò chuyện riêng" in texts(out) and calls == []
    assert await h.send(ADMIN, "/thuriengtu a  b") == [] and calls == ["a b"]


async def test_menus_set_at_start_come_from_the_table(harness: Harness) -> None:
    h = harness
    await setup_program(h)

    def menu(scope: dict[str, object]) -> list[tuple[str, str]]:
        return [(c["command"], c["description"]) for c in h.server.commands_for(scope)]

    assert menu({"type": "all_private_chats"}) == MAIN_PRIVATE
    assert menu({"type": "all_group_chats"}) == MAIN_GROUP
    everyone, tail = MAIN_PRIVATE[:-2], MAIN_PRIVATE[-2:]
    admin = menu({"type": "chat", "chat_id": ADMIN.id})
    assert admin == now(everyone + MAIN_ROLES["admin"] + tail)
    assert ("ngungthamgia", "Ngừng tham gia chương trình") in admin
    assert not {n for n, _ in admin} & {a for row in COMMANDS for a in row.aliases}


async def test_help_lists_what_the_person_can_use_where_they_ask(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    private = texts(await h.send(ADMIN, "/help"))
    group = texts(await h.send(ADMIN, "/huongdan", chat_id=GROUP))
    staff = texts(await h.send(STAFF[0], "/help"))
    for out in (private, group, staff):
        assert out.startswith(HELP_TITLE + " – chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời»")
    assert "/danhsach – Hàng đợi câu hỏi và các phiên tới" in private
    assert "/vaitro <#> <vai trò…> – Đặt vai trò" in private and "/vaitro" in group
    assert "/danhsach" not in group and "chỉ dùng trong cuộc trò chuyện riêng" in group
    assert "/cauhoi – Câu hỏi tuần này" in staff and "/vaitro" not in staff
