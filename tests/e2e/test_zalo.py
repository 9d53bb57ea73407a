"""People on Zalo, end to end: the real application and its Zalo transport against the fake Zalo
Bot API (fakes/fakezalo) beside the fake Telegram Bot API, real SQLite files.

Zalo has no buttons, no groups and no HTML: the tests read the plain texts the Zalo users got,
type numbers for choices, and check the state in the database.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chats import is_zalo_chat
from bot.clock import ManualClock
from bot.transport.plaintext import PLAIN_LIMIT
from bot.words import BUTTONS
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import (
    SAMPLES,
    answered,
    bind,
    conclude_week,
    context_of,
    onboard,
    sent,
    setup_program,
)
from tests.wording import for_experts

AN, BINH, HANG = "zalo-an-001", "zalo-binh-002", "zalo-hang-003"


@pytest.fixture
async def zh(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    zalo = FakeZalo()
    await zalo.start()
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), zalo=zalo)
    h.server.group(GROUP, GROUP_TITLE)
    for u in [ADMIN, HEAD, LEADER, *STAFF]:
        h.server.user(u.id, u.first_name, u.last_name, u.username)
    await h.start()
    try:
        yield h
    finally:
        await h.close()
        await zalo.stop()


def last(texts: list[dict[str, object]]) -> str:
    assert texts, "nothing was sent on Zalo"
    return str(texts[-1]["text"])


def joined(texts: list[dict[str, object]]) -> str:
    return "\n".join(str(t["text"]) for t in texts)


def number_of(text: str, label: str) -> str:
    """The number a choice is offered under («2. Đúng một phần»)."""
    found = re.search(rf"^(\d+)\. {re.escape(label)}$", text, re.MULTILINE)
    assert found, f"no choice {label!r} in {text!r}"
    return found.group(1)


async def zalo_onboard(h: Harness, user_id: str, name: str, first: str = "bắt đầu") -> int:
    """On Zalo: «bắt đầu» (or an invite) → name → title by number; returns the person id."""
    out = await h.zalo_send(user_id, first, display_name=name)
    assert "họ và tên" in last(out).lower() or "họ tên" in last(out).lower(), joined(out)
    out = await h.zalo_send(user_id, name)
    title_choice = number_of(last(out), "Chuyên viên")
    await h.zalo_send(user_id, title_choice)
    account = await h.core.store.zalo_account(user_id)
    assert account is not None
    return account.person_id


async def approve(h: Harness, name: str) -> None:
    request = h.last_to(
        ADMIN.id, lambda m: name in m.plain_text and BUTTONS["approve"] in str(m.buttons())
    )
    answer, _ = await h.press(ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_done", name=name, approved=True)


async def test_mixed_program_week_with_staff_and_head_on_zalo(zh: Harness) -> None:
    """A Telegram group and its leader; two staff and the head on Zalo: the whole week."""
    h = zh
    await bind(h)
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    sent(out, "bank_import_done", ADMIN.id)
    await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")

    # Two staff join from Zalo the way they would on Telegram; the admin approves on Telegram.
    an = await zalo_onboard(h, AN, "Nguyễn Văn An")
    await approve(h, "Nguyễn Văn An")
    assert "duyệt" in h.zalo_to(AN)[-1]
    binh = await zalo_onboard(h, BINH, "Trần Thị Bình")
    await approve(h, "Trần Thị Bình")

    # The head joins through the admin's invite link, sent as is on Zalo (no approval needed).
    out = await h.send(ADMIN, "/moi truongphong duyet")
    link = context_of(sent(out, "invite_done", ADMIN.id))["link"]
    hang = await zalo_onboard(h, HANG, "Lê Thị Hằng", first=f"Mời tham gia: {link}".split()[-1])
    assert (await h.core.roles(await person(h, hang), 1)) == frozenset({"head"})

    # Friday 08:00: the question reaches each Zalo member once: their own private message
    # (one message per event per person), not also a copy of the group's post.
    marks = {user: len(h.zalo_to(user)) for user in (AN, BINH, HANG)}
    await h.at(vn(2026, 12, 4, 8, 0))
    for user in (AN, BINH, HANG):
        new = h.zalo_to(user)[marks[user] :]
        assert len(new) == 1 and "Tin chung của chương trình" not in new[0], new
        assert "<b>" not in new[0] and "&lt;" not in new[0]
    # The suggested answer: the head reads it in private, never in a copy of the group's post.
    session = (await h.core.store.open_sessions(1))[0]
    question = await h.core.store.question(session.question_id or 0)
    assert question is not None and question.suggested_answer
    suggestion = question.suggested_answer.split("\n")[0][:40]
    assert any(suggestion in t for t in h.zalo_to(HANG))
    assert not any(suggestion in t for t in h.zalo_to(AN) + h.zalo_to(BINH))

    # Monday 09:00: the lot falls on one of the two Zalo staff, who answers on Zalo.
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn" and session.drawn_person_id in (an, binh)
    drawn, other = (AN, BINH) if session.drawn_person_id == an else (BINH, AN)
    answer = "Theo Điều lệ Đảng, cần có hai đảng viên chính thức giới thiệu."
    out = await h.zalo_send(drawn, answer)
    assert (await h.core.store.session(session.id)).state == "answered"  # type: ignore[union-attr]

    # The head got the answer with the verdicts as numbered choices; staff may not grade.
    to_head = next(t for t in reversed(h.zalo_to(HANG)) if answer in t)
    partial = number_of(to_head, "Đúng một phần")
    # A staff member's copy of the group's post offers no choice they may not use: no verdicts
    # (the press would be refused by role anyway); a number typed there chooses nothing.
    to_other = next(t for t in reversed(h.zalo_to(other)) if answer in t)
    assert not re.search(r"^\d+\. ", to_other, re.MULTILINE) and "gửi số" not in to_other
    out = await h.zalo_send(other, "1")  # their last list (the title when they joined) is old
    assert "Lựa chọn này đã hết hạn" in last(out)
    assert await h.core.store.grades(session.id) == []
    out = await h.zalo_send(HANG, partial)
    grades = await h.core.store.grades(session.id)
    assert [g.verdict for g in grades] == ["partial"]
    await h.zalo_send(HANG, "Cần nêu rõ thời hạn xem xét.")
    assert (await h.core.store.grades(session.id))[0].comment == "Cần nêu rõ thời hạn xem xét."

    # The leader concludes in the Telegram group; the Zalo members get the conclusion.
    conclusion = "Kết luận: thực hiện theo Điều lệ Đảng và Quy định số 24-QĐ/TW."
    out = await h.send(LEADER, f"/ketluan {conclusion}", chat_id=GROUP)
    sent(out, "concluded_group", GROUP, conclusion=conclusion)
    for user in (AN, BINH, HANG):
        assert any(conclusion in t for t in h.zalo_to(user))
    final = await h.core.store.session(session.id)
    assert final is not None and final.state == "concluded"

    # Every Zalo message is plain text within Zalo's limit, sent only to people who wrote first.
    assert h.zalo is not None
    for message in h.zalo.sent:
        assert 1 <= len(str(message["text"])) <= PLAIN_LIMIT
        assert not re.search(r"</?(b|i|u|a|code|blockquote)\b", str(message["text"]))


async def person(h: Harness, person_id: int):  # type: ignore[no-untyped-def]
    found = await h.core.store.person(person_id)
    assert found is not None
    return found


async def test_a_number_with_nothing_to_choose_and_a_message_twice(zh: Harness) -> None:
    h = zh
    out = await h.zalo_send(AN, "7")
    assert "không ứng với lựa chọn nào" in last(out)
    assert h.zalo is not None
    # The same Zalo message delivered twice (a webhook retry) is handled once.
    before = len(h.zalo.sent)
    message = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "dup-1",
            "from": {"id": AN, "display_name": "An"},
            "chat": {"id": AN, "chat_type": "PRIVATE"},
            "date": 1796000000000,
            "text": "trợ giúp",
        },
    }
    h.zalo.push_raw(message)
    h.zalo.push_raw(message)
    await h.settle()
    assert len(h.zalo.sent) == before + 1
    assert "/hoso" in h.zalo.sent[-1]["text"] or "/help" in h.zalo.sent[-1]["text"]


async def test_link_telegram_and_zalo_then_both_get_what_is_owed(zh: Harness) -> None:
    h = zh
    await bind(h)
    await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    staff = STAFF[0]
    await onboard(h, staff, "Nguyễn Văn An")
    out = await h.send(staff, "/zalo")
    code = context_of(sent(out, "zalo_link_code", staff.id))["code"]
    # A wrong code, then the right one typed in lower case without dashes.
    out = await h.zalo_send(AN, "LK-AAAA-BBBB")
    assert "không đúng" in last(out)
    out = await h.zalo_send(AN, code.lower().replace("-", " "))
    assert "Đã liên kết Zalo" in last(out)
    sent(h.server.sent, "zalo_linked_telegram", staff.id)
    # A second use of the code changes nothing.
    out = await h.zalo_send(BINH, code)
    assert "đã được dùng" in last(out)
    # Guessing codes is bounded per account.
    for _ in range(4):
        out = await h.zalo_send(BINH, "LK-AAAA-BBBB")
    assert "không đúng" in last(out)
    out = await h.zalo_send(BINH, "LK-AAAA-BBBB")
    assert "sai mã liên kết nhiều lần" in last(out)
    account = await h.core.store.zalo_account(AN)
    person = await h.core.store.person_by_tg(staff.id)
    assert account is not None and person is not None and account.person_id == person.id
    # On Zalo the person acts as themselves: /hoso answers with their own record.
    out = await h.zalo_send(AN, "hồ sơ")
    assert "Nguyễn Văn An" in last(out)
    # What is owed to them reaches both Telegram and Zalo.
    await h.at(vn(2026, 12, 4, 8, 0))
    sent(h.server.sent, "publish_private", staff.id)
    assert any("Câu hỏi" in t or "câu hỏi" in t for t in h.zalo_to(AN))
    assert not any(is_zalo_chat(m.chat_id) for m in h.server.sent)  # never sent to Telegram


async def test_files_on_zalo_are_a_sentence_without_a_public_address(zh: Harness) -> None:
    h = zh
    await bind(h)
    account_person = await zalo_onboard(h, AN, "Nguyễn Văn An")
    await approve(h, "Nguyễn Văn An")
    assert account_person
    out = await h.zalo_send(AN, "/lich ics")
    assert "Zalo không gửi được tệp" in last(out)


async def test_a_program_on_zalo_only_runs_its_week(tmp_path: Path, clock: ManualClock) -> None:
    """`hoidap program create` (no Telegram group), its admin named by Zalo id: everyone on Zalo."""
    from bot.services.roster import create_program_without_group

    zalo = FakeZalo()
    await zalo.start()
    h = Harness(tmp_path, clock, zalo=zalo)
    await h.start()
    try:
        reply = await create_program_without_group(h.core, "Ban Tổ chức Huyện ủy", ["zalo:adm-1"])
        assert reply.template == "program_created"
        program = (await h.core.store.programs())[0]
        assert program.chat_id < -(1 << 59)
        admin = await h.core.store.zalo_account("adm-1")
        assert admin is not None
        assert await h.core.roles(await person(h, admin.person_id), program.id) == {"admin"}
        # The admin writes first (Zalo lets the bot write only to those who wrote to it).
        out = await h.zalo_send("adm-1", "trợ giúp", display_name="Quản trị")
        assert "/moi" in last(out)
        # Questions come from a file through the CLI or Telegram; here straight from the sample.
        from bot.services.bank import import_file

        data = (SAMPLES / "cau_hoi_mau.xlsx").read_bytes()
        imported = await import_file(h.core, None, program, "cau_hoi_mau.xlsx", data)
        assert imported.template == "bank_import_done"
        # Staff, head and leader join on Zalo; the admin approves on Zalo by number.
        people = {}
        for zid, name in (
            ("z-an", "Nguyễn Văn An"),
            ("z-binh", "Trần Văn Bình"),
            ("z-hang", "Lê Thị Hằng"),
            ("z-minh", "Phạm Quang Minh"),
        ):
            people[zid] = await zalo_onboard(h, zid, name)
            request = next(t for t in reversed(h.zalo_to("adm-1")) if name in t)
            await h.zalo_send("adm-1", number_of(request, BUTTONS["approve"]))
        out = await h.zalo_send("adm-1", f"/vaitro {people['z-hang']} truongphong")
        out = await h.zalo_send("adm-1", f"/vaitro {people['z-minh']} lanhdao")
        assert await h.core.roles(await person(h, people["z-minh"]), program.id) == {"leader"}

        marks = {zid: len(h.zalo_to(zid)) for zid in people}
        await h.at(vn(2026, 12, 4, 8, 0))
        question = await h.core.store.question(
            (await h.core.store.open_sessions(program.id))[0].question_id or 0
        )
        assert question is not None
        for zid in people:  # each gets the question once (no group copy beside their own)
            new = h.zalo_to(zid)[marks[zid] :]
            assert [question.text[:60] in t for t in new] == [True], (zid, new)
        await h.at(vn(2026, 12, 7, 9, 0))
        session = (await h.core.store.open_sessions(program.id))[0]
        drawn = next(z for z, pid in people.items() if pid == session.drawn_person_id)
        assert drawn in ("z-an", "z-binh")
        await h.zalo_send(drawn, "Cần hai đảng viên chính thức giới thiệu.")
        to_head = next(t for t in reversed(h.zalo_to("z-hang")) if "hai đảng viên" in t)
        await h.zalo_send("z-hang", number_of(to_head, "Đúng"))
        await h.zalo_send("z-hang", "/boqua")
        out = await h.zalo_send("z-minh", "/ketluan Thực hiện theo Điều lệ Đảng.")
        final = await h.core.store.session(session.id)
        assert final is not None and final.state == "concluded", joined(out)
        assert any("Thực hiện theo Điều lệ Đảng." in t for t in h.zalo_to("z-an"))
        # Nothing was ever addressed to Telegram.
        assert h.server.sent == []
    finally:
        await h.close()
        await zalo.stop()


async def test_a_file_on_zalo_is_a_one_time_link(tmp_path: Path, clock: ManualClock) -> None:
    import aiohttp

    zalo = FakeZalo()
    await zalo.start()
    h = Harness(
        tmp_path, clock, admins=(ADMIN.id,), zalo=zalo, public_url="https://hoidap.example.org"
    )
    h.server.group(GROUP, GROUP_TITLE)
    h.server.user(ADMIN.id, ADMIN.first_name, ADMIN.last_name, ADMIN.username)
    await h.start()
    try:
        await bind(h)
        await zalo_onboard(h, AN, "Nguyễn Văn An")
        await approve(h, "Nguyễn Văn An")
        out = await h.zalo_send(AN, "/lich ics")
        found = re.search(r"https://hoidap\.example\.org(/\S+)", last(out))
        assert found, last(out)
        web = h.app.bot_data["web"]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{web.port}{found.group(1)}"
        async with aiohttp.ClientSession() as client:
            async with client.get(url) as first:
                assert first.status == 200
                assert (await first.read()).startswith(b"BEGIN:VCALENDAR")
            async with client.get(url) as again:  # a preview may have taken one download
                assert again.status == 200
            async with client.get(url) as third:
                assert third.status == 410
    finally:
        await h.close()
        await zalo.stop()


async def test_webhook_mode_checks_the_secret(tmp_path: Path, clock: ManualClock) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    zalo = FakeZalo(allow_http_webhook=True)
    await zalo.start()
    h = Harness(
        tmp_path,
        clock,
        zalo=zalo,
        public_url=f"http://127.0.0.1:{port}",
        zalo_webhook_secret="webhook-secret-123",
        http_port=port,
    )
    await h.start()
    try:
        assert zalo.webhook_url == f"http://127.0.0.1:{port}/zalo/webhook"
        zalo.push_text(AN, "trợ giúp")
        await zalo.wait_sent(1, timeout=10)
        assert "/help" in zalo.sent[0]["text"] or "/start" in zalo.sent[0]["text"]
        # A stranger posting without the secret is refused and nothing is handled.
        import aiohttp

        async with (
            aiohttp.ClientSession() as client,
            client.post(
                f"http://127.0.0.1:{port}/zalo/webhook",
                json={"event_name": "message.text.received", "message": {}},
            ) as response,
        ):
            assert response.status == 403
        assert h.zalo_transport.done == 1
    finally:
        await h.close()
        await zalo.stop()


async def test_zalo_faults_lose_nothing(zh: Harness) -> None:
    """5xx and 429 on sending, then a restart while Zalo is down: everything owed arrives."""
    h = zh
    assert h.zalo is not None
    await bind(h)
    await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    await zalo_onboard(h, AN, "Nguyễn Văn An")
    await approve(h, "Nguyễn Văn An")
    h.zalo.fail_next("sendMessage", 500, count=2)
    h.zalo.fail_next("sendMessage", 429, retry_after=1)
    await h.at(vn(2026, 12, 4, 8, 0))
    question = await h.core.store.question(
        (await h.core.store.open_sessions(1))[0].question_id or 0
    )
    assert question is not None
    published = [t for t in h.zalo_to(AN) if question.text[:60] in t]
    assert len(published) == 1  # delivered once through 500, 500 and 429
    # Zalo down over a restart: what is owed waits in the outbox and goes out afterwards.
    h.zalo.down()
    h.clock.set(vn(2026, 12, 7, 9, 0))
    await h.scheduler.run(1)  # the draw: to the group, and to An (drawn) privately, once
    owed = [i for i in await h.core.store.pending_outbox() if is_zalo_chat(i.chat_id)]
    assert [i.template for i in owed] == ["draw_private"]
    await h.stop()
    h.zalo.up()
    await h.start()
    await h.settle()
    assert not await h.core.store.pending_outbox()
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn"
    delivered = h.zalo_to(AN)
    assert sum(1 for t in delivered if "được bốc thăm trả lời" in t) == 1  # the draw, once


async def test_misuse_on_zalo_gets_clear_sentences(zh: Harness) -> None:
    h = zh
    assert h.zalo is not None
    # A picture or a sticker: the bot reads text only.
    h.zalo.push_event("message.image.received", AN, display_name="An")
    await h.settle()
    assert "chỉ đọc được tin nhắn chữ" in h.zalo_to(AN)[-1]
    # Something from a group chat is not for the bot (it cannot be in groups).
    before = len(h.zalo.sent)
    h.zalo.push_text(BINH, "trợ giúp", chat_type="GROUP", chat_id="some-group")
    await h.settle()
    assert len(h.zalo.sent) == before
    # A huge message is refused before anything reads it; /zalo is for Telegram.
    out = await h.zalo_send(AN, "x" * 5000)
    assert "4096" in last(out) or "4.096" in last(out)
    out = await h.zalo_send(AN, "/zalo")
    assert "lấy trên Telegram" in last(out)
    # Odd Unicode in a display name and in text is kept as text, never as markup.
    out = await h.zalo_send("z-odd", "<b>bắt đầu</b>", display_name="\u202e\u0000Tên  lạ\n")
    assert len(out) == 1 and "&lt;" not in last(out)
    account = await h.core.store.zalo_account("z-odd")
    assert account is not None and account.display_name == "Tên lạ"
    person = await h.core.store.person(account.person_id)
    assert person is not None and person.tg_name == "Tên lạ"


async def test_the_zalo_token_never_reaches_the_log(
    zh: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = zh
    assert h.zalo is not None
    caplog.set_level("DEBUG")
    h.zalo.fail_next("sendMessage", 500)
    await h.zalo_send(AN, "trợ giúp")
    await h.zalo_send(AN, "lịch")
    assert h.zalo.token not in caplog.text
    assert h.zalo.token.split(":")[1] not in caplog.text


async def test_zalo_only_deployment_runs_without_telegram(tmp_path: Path) -> None:
    """`hoidap run` with ZALO_BOT_TOKEN alone: no call to Telegram, Zalo answered."""
    import asyncio

    from bot.config import Settings
    from hoidap.app import serve

    zalo = FakeZalo()
    await zalo.start()
    stop = asyncio.Event()
    settings = Settings(
        db_path=tmp_path / "z.sqlite3",
        api_url="http://127.0.0.1:9/bot",  # nothing listens there: any call would fail
        zalo_token=zalo.token,
        zalo_api_url=zalo.url,
    )

    async def ready(app: object) -> None:
        zalo.push_text(AN, "trợ giúp")
        await zalo.wait_sent(1, timeout=10)
        stop.set()

    try:
        code = await asyncio.wait_for(serve(settings, stop=stop, ready=ready), 30)
    finally:
        await zalo.stop()
    assert code == 0
    assert "/start" in zalo.sent[0]["text"] or "/help" in zalo.sent[0]["text"]


async def test_a_message_taken_in_before_a_crash_is_handled_after_the_restart(
    zh: Harness,
) -> None:
    import json
    import sqlite3

    from bot.transport.zalo import update_id as _update_id

    h = zh
    assert h.zalo is not None
    await h.zalo_send(AN, "trợ giúp")  # An wrote before: the bot may write to An
    await h.stop()
    # Taken from Zalo and recorded, then the process was killed before handling it.
    message = {
        "event": "message.text.received",
        "message_id": "lost-1",
        "user_id": AN,
        "display_name": "An",
        "chat_id": AN,
        "chat_type": "PRIVATE",
        "date": h.clock.now().isoformat(),
        "text": "lịch",
    }
    with sqlite3.connect(h.db_path) as db:
        db.execute(
            "INSERT INTO zalo_seen (message_id, seen_at, update_id, message) VALUES (?,?,?,?)",
            ("lost-1", h.clock.now().isoformat(), _update_id("lost-1"), json.dumps(message)),
        )
    before = len(h.zalo_to(AN))
    await h.start()
    await h.settle()
    assert len(h.zalo_to(AN)) == before + 1
    # Handled once: another restart does not answer it again, nor does Zalo delivering it again.
    await h.restart()
    await h.settle()
    h.zalo.push_text(AN, "lịch")  # a new message is still answered
    await h.settle()
    assert len(h.zalo_to(AN)) == before + 2


async def test_toi_tells_a_zalo_user_their_zalo_id(zh: Harness) -> None:
    h = zh
    out = await h.zalo_send(AN, "/toi", display_name="An")
    assert f"zalo:{AN}" in last(out)
    assert "Chưa tham gia chương trình nào." in last(out)
    out = await h.send(ADMIN, "/toi")
    text = sent(out, "whoami", ADMIN.id).plain_text
    assert "Zalo: chưa liên kết" in text and "Telegram: có" in text


async def test_figures_on_zalo_come_without_the_chart(zh: Harness) -> None:
    """On Telegram a graded period's /thongke ends with the verdicts chart; on Zalo, where a file
    is only a download link, the figures come alone."""
    h = zh
    await setup_program(h)
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời của tôi", "Thống nhất.")
    out = await h.send(STAFF[0], "/zalo")
    code = context_of(sent(out, "zalo_link_code", STAFF[0].id))["code"]
    assert "Đã liên kết Zalo" in last(await h.zalo_send(AN, code))
    out = await h.zalo_send(AN, "thống kê")
    text = joined(out)
    assert "Số liệu hỏi – đáp năm 2026" in text
    assert "tệp" not in text and ".png" not in text
    # The same person on Telegram gets the picture.
    tg = await h.send(STAFF[0], "/thongke")
    assert [m.kind for m in tg].count("photo") == 1


async def test_a_taken_port_is_a_clear_setting_error(tmp_path: Path) -> None:
    """HOIDAP_HTTP_PORT already in use: one clear line, and the database is free again."""
    import asyncio
    import socket

    from bot.config import ConfigError, Settings
    from bot.db import lock_database
    from hoidap.app import serve

    zalo = FakeZalo()
    await zalo.start()
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            settings = Settings(
                db_path=tmp_path / "z.sqlite3",
                zalo_token=zalo.token,
                zalo_api_url=zalo.url,
                public_url="https://bot.example.org",
                http_port=taken.getsockname()[1],
            )
            with pytest.raises(ConfigError, match="HOIDAP_HTTP_PORT"):
                await serve(settings, stop=asyncio.Event())
    finally:
        await zalo.stop()
    lock = lock_database(tmp_path / "z.sqlite3")  # released: a fixed setting starts again
    assert lock is not None
    lock.release()


async def test_the_draw_and_kiemtra_read_plainly_on_zalo(zh: Harness) -> None:
    """A Zalo member gets the group's draw post in plain words, and /kiemtra on Zalo (a private
    chat) gives the full values as plain text."""
    h = zh
    await bind(h)
    await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    await zalo_onboard(h, AN, "Nguyễn Văn An")
    await approve(h, "Nguyễn Văn An")
    await zalo_onboard(h, BINH, "Trần Thị Bình")
    await approve(h, "Trần Thị Bình")
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    # The one not drawn reads the group's post; the drawn one gets their own notice instead.
    session = (await h.core.store.open_sessions(1))[0]
    an = await h.core.store.zalo_account(AN)
    assert an is not None
    reader = BINH if session.drawn_person_id == an.person_id else AN
    copy = next(t for t in reversed(h.zalo_to(reader)) if "KẾT QUẢ BỐC THĂM" in t)
    assert "Tin chung của chương trình" in copy
    assert "Bốc thăm trong số 2 đồng chí: Nguyễn Văn An, Trần Thị Bình." in copy, copy
    assert for_experts(html.escape(copy)) == [], copy
    assert "/kiemtra trong tin nhắn riêng với bot" in copy

    out = await h.zalo_send(reader, "/kiemtra")
    full = joined(out)
    session = (await h.core.store.open_sessions(1))[0]
    (draw,) = await h.core.store.draws(session.id)
    assert draw.seed in full and draw.commitment in full, full
    assert f"|0|0|{','.join(map(str, draw.pool))}" in full
    assert "Cách tự tính lại" in full and "<code>" not in full
