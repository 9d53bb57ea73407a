"""Zalo as a channel of its own: what Zalo users write is read the way they mean it, nothing is
handled twice, a link can be undone, the command line's changes reach the running bot, and
Zalo's rule on who may be written to holds — through the real application, its Zalo adapter
and the fake Zalo Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.models import SessionState
from bot.transport.zalo import update_id
from fakes.harness import Harness
from handlers.ops import Throttle
from hoidap.cli import main as cli_main
from tests.conftest import ADMIN, STAFF
from tests.e2e.helpers import context_of, onboard, sent
from tests.e2e.test_zalo import (  # noqa: F401  (zh: the harness with a fake Zalo)
    AN,
    BINH,
    HANG,
    joined,
    last,
    number_of,
    zh,
)
from tests.e2e.test_zalo_week import zalo_week

# -- 1. answers are never taken for commands -----------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Tôi xin trả lời: theo Điều lệ Đảng, cần hai đảng viên chính thức giới thiệu.",
        "Hướng dẫn số 01-HD/TW quy định hồ sơ gồm đơn xin vào Đảng và lý lịch.",
        "Hồ sơ đề nghị kết nạp phải có nghị quyết giới thiệu của đoàn thể.",
        "Mọi trường hợp",
        "12",
    ],
)
async def test_while_the_session_waits_the_drawn_persons_text_is_the_answer(
    zh: Harness,  # noqa: F811
    answer: str,
) -> None:
    h = zh
    _ids, drawn, sid = await zalo_week(h)
    out = await h.zalo_send(drawn, answer)
    session = await h.core.store.session(sid)
    assert session is not None and session.state == SessionState.ANSWERED, joined(out)
    assert session.answer_text == answer
    assert "Đã nhận câu trả lời" in joined(out)


async def test_a_command_word_with_a_few_more_words_is_asked_not_guessed(
    zh: Harness,  # noqa: F811
) -> None:
    h = zh
    _ids, drawn, _sid = await zalo_week(h)
    other = BINH if drawn == AN else AN
    out = await h.zalo_send(other, "lịch tuần này")
    asked = last(out)
    assert "hay đây là nội dung" in asked, asked
    yes = number_of(asked, "Có, lịch của chương trình")
    out = await h.zalo_send(other, yes)
    assert "Lịch" in joined(out) or "lịch" in joined(out)
    # «No»: the words were text after all (not understood here, and said so plainly).
    out = await h.zalo_send(other, "lịch tuần này")
    no = number_of(last(out), "Không, đó là nội dung tôi gửi")
    out = await h.zalo_send(other, no)
    assert "chưa hiểu" in last(out)
    # Ordinary sentences starting with a command word are text, never a command.
    for text in ("Hướng dẫn số 01-HD/TW có hiệu lực từ khi ký.", "Hồ sơ của chi bộ đã đủ."):
        out = await h.zalo_send(other, text)
        assert "chưa hiểu" in last(out), joined(out)


async def test_a_bare_number_with_nothing_offered_says_so(zh: Harness) -> None:  # noqa: F811
    h = zh
    out = await h.zalo_send(AN, "12")
    assert "không ứng với lựa chọn nào" in last(out)


# -- 2. nothing is handled twice ----------------------------------------------------------------


async def test_a_message_dropped_by_the_gate_is_never_handled_after_a_restart(
    zh: Harness,  # noqa: F811
) -> None:
    """The repro: the head's «/rutlai …», dropped by the flood gate, must not redraw after a
    clean restart."""
    h = zh
    _ids, _drawn, sid = await zalo_week(h)
    h.dispatcher.throttle = Throttle(capacity=1, window=timedelta(hours=1))
    await h.zalo_send(HANG, "/trangthai")  # the one allowed
    out = await h.zalo_send(HANG, "/rutlai đồng chí ốm")  # dropped (told once)
    assert "gửi quá nhanh" in last(out)
    await h.restart()
    await h.settle()
    session = await h.core.store.session(sid)
    assert session is not None and session.draw_attempt == 0
    assert await h.core.store.zalo_unhandled(h.clock.now() - timedelta(hours=6)) == []


async def test_the_record_is_pruned_by_age_never_by_id(zh: Harness) -> None:  # noqa: F811
    h = zh
    await h.zalo_send(AN, "trợ giúp")
    store = h.core.store
    async with store.transaction():  # the message's mark is written with the next change
        await store.log_event("probe", h.clock.now())
    seen = [r[0] for r in await store._all("SELECT update_id FROM seen_updates")]
    zalo = [u for u in seen if u < 0]
    assert zalo, seen
    # Many Telegram updates with higher ids came later: a prune by age keeps the recent Zalo one.
    async with store.transaction():
        for n in range(1, 50):
            await store._exec(
                "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?)",
                (10**9 + n, h.clock.now().isoformat()),
            )
    await store.prune_seen_updates(h.clock.now() - timedelta(days=7))
    left = {r[0] for r in await store._all("SELECT update_id FROM seen_updates")}
    assert set(zalo) <= left
    await store.prune_seen_updates(h.clock.now() + timedelta(seconds=1))
    assert not await store._all("SELECT update_id FROM seen_updates")
    assert update_id("m-1") < 0  # Zalo ids are never a Telegram update's


# -- 3. one gate for every message -----------------------------------------------------------------


async def test_a_sticker_flood_costs_a_reply_or_two_and_holds_up_no_one(
    zh: Harness,  # noqa: F811
) -> None:
    h = zh
    assert h.zalo is not None
    mark = len(h.zalo.sent)
    for _ in range(60):
        h.zalo.push_event("message.sticker.received", "z-stranger", display_name="Lạ")
    h.zalo.push_text(AN, "trợ giúp", display_name="An")
    await h.settle()
    to_stranger = [m["text"] for m in h.zalo.sent[mark:] if m["chat_id"] == "z-stranger"]
    # One «text only» notice, then the gate's one «too fast» notice: nothing more.
    assert len(to_stranger) == 2, to_stranger
    assert "chỉ đọc được tin nhắn chữ" in to_stranger[0] and "quá nhanh" in to_stranger[1]
    assert [m for m in h.zalo.sent[mark:] if m["chat_id"] == AN]  # the member is answered
    # Every one of the 61 messages has its one recorded outcome: none comes back later. (One
    # that changed nothing is written with the next change: make one.)
    async with h.core.store.transaction():
        await h.core.store.log_event("probe", h.clock.now())
    assert await h.core.store.zalo_unhandled(h.clock.now() - timedelta(hours=6)) == []


async def test_the_gate_holds_across_a_restart(zh: Harness) -> None:  # noqa: F811
    h = zh
    assert h.zalo is not None
    for _ in range(25):
        h.zalo.push_text("z-flood", "trợ giúp", display_name="Lạ")
    await h.settle()
    assert sum(1 for m in h.zalo.sent if m["chat_id"] == "z-flood") == 21  # 20 and one notice
    await h.restart()
    mark = len(h.zalo.sent)
    await h.zalo_send("z-flood", "trợ giúp", display_name="Lạ")
    await h.zalo_send(AN, "trợ giúp", display_name="An")
    after = [m["chat_id"] for m in h.zalo.sent[mark:]]
    assert "z-flood" not in after and AN in after  # still held back; others are not
    h.clock.set(h.clock.now() + timedelta(seconds=31))  # the window has passed
    out = await h.zalo_send("z-flood", "trợ giúp", display_name="Lạ")
    assert "/help" in joined(out)  # answered again


# -- 4. a link can be undone ----------------------------------------------------------------------


async def _linked(h: Harness) -> int:
    await onboard(h, STAFF[0], "Nguyễn Văn An")
    out = await h.send(STAFF[0], "/zalo")
    code = context_of(sent(out, "zalo_link_code", STAFF[0].id))["code"]
    out = await h.zalo_send(AN, code)
    assert "Đã liên kết Zalo" in last(out)
    person = await h.core.store.person_by_tg(STAFF[0].id)
    assert person is not None
    return person.id


async def test_a_link_is_undone_from_zalo_and_both_sides_and_admins_hear(
    zh: Harness,  # noqa: F811
) -> None:
    from tests.e2e.helpers import bind

    h = zh
    await bind(h)
    person_id = await _linked(h)
    assert any(
        "liên kết tài khoản với Zalo" in m.plain_text
        for m in h.server.sent
        if m.chat_id == ADMIN.id
    )
    mark = h.server.mark()
    out = await h.zalo_send(AN, "hủy liên kết")
    assert "Đã hủy liên kết Zalo" in joined(out)
    account = await h.core.store.zalo_account(AN)
    assert account is not None and not account.linked and account.person_id != person_id
    told = [m.plain_text for m in h.server.sent[mark:]]
    assert any("không còn liên kết" in t for t in told if t)  # the person, on Telegram
    assert any("đã được hủy" in t for t in told)  # the admins
    # From now on, what the person is owed no longer reaches that Zalo account.
    out = await h.zalo_send(AN, "hồ sơ")
    assert "Nguyễn Văn An" not in joined(out)


async def test_an_admin_undoes_anyones_link_and_others_may_not(
    zh: Harness,  # noqa: F811
) -> None:
    from tests.e2e.helpers import bind

    h = zh
    await bind(h)
    person_id = await _linked(h)
    await onboard(h, STAFF[1], "Trần Thị Bình")
    out = await h.send(STAFF[1], f"/huylienket {person_id}")
    assert "Chỉ chính người đó hoặc quản trị viên" in out[-1].plain_text
    account = await h.core.store.zalo_account(AN)
    assert account is not None and account.linked
    out = await h.send(ADMIN, f"/huylienket #{person_id}")
    assert any("Đã hủy liên kết Zalo" in m.plain_text for m in out if m.chat_id == ADMIN.id)
    account = await h.core.store.zalo_account(AN)
    assert account is not None and not account.linked
    assert any("không còn liên kết" in t for t in h.zalo_to(AN))
    out = await h.send(ADMIN, f"/huylienket #{person_id}")
    assert any("chưa liên kết với Zalo nào" in m.plain_text for m in out)


async def test_wrong_codes_stay_bounded_across_a_restart(zh: Harness) -> None:  # noqa: F811
    h = zh
    for _ in range(5):
        out = await h.zalo_send(BINH, "LK-AAAA-BBBB")
        assert "không đúng" in last(out)
    await h.restart()
    out = await h.zalo_send(BINH, "LK-AAAA-BBBB")
    assert "sai mã liên kết nhiều lần" in last(out)


# -- 5. the command line's changes reach the running bot ------------------------------------------


async def test_a_program_made_on_the_command_line_works_in_the_running_bot(
    zh: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    h = zh
    await h.zalo_send("z-admin", "trợ giúp", display_name="Quản trị")  # writes first
    monkeypatch.setenv("HOIDAP_DB", str(h.db_path))
    code = await asyncio.to_thread(
        cli_main, ["program", "create", "Ban Tổ chức Huyện ủy", "--admin", "zalo:z-admin"]
    )
    assert code == 0
    assert await h.outside_changes()  # what the bot does every few seconds
    out = await h.zalo_send("z-admin", "/moi")
    assert "Ban Tổ chức Huyện ủy" in joined(out) and "inv_" in joined(out), joined(out)
    assert "t.me/" not in joined(out)  # a program without a Telegram group: a code to send
    invite = joined(out).split("inv_")[1].split()[0].rstrip(".)")
    out = await h.zalo_send("z-new", f"inv_{invite}", display_name="Người mới")
    assert "họ và tên" in joined(out).lower() or "họ tên" in joined(out).lower()


async def test_a_zalo_admin_who_never_wrote_is_written_to_only_after_writing(
    zh: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    h = zh
    assert h.zalo is not None
    monkeypatch.setenv("HOIDAP_DB", str(h.db_path))
    code = await asyncio.to_thread(
        cli_main, ["program", "create", "Ban Tổ chức", "--admin", "zalo:z-silent"]
    )
    assert code == 0
    said = capsys.readouterr().out
    assert "zalo:z-silent chưa nhắn cho bot" in said
    await h.outside_changes()
    # Something owed to the admin (a member asks to join) waits: Zalo would refuse it.
    await h.zalo_send(BINH, "bắt đầu", display_name="Trần Thị Bình")
    out = await h.zalo_send(BINH, "Trần Thị Bình")
    await h.zalo_send(BINH, number_of(last(out), "Chuyên viên"))
    assert not [m for m in h.zalo.sent if m["chat_id"] == "z-silent"]
    owed = await h.core.store.pending_outbox()
    assert [i.template for i in owed] == ["approve_request"]
    # Once the admin writes, it goes out.
    await h.zalo_send("z-silent", "trợ giúp", display_name="Quản trị")
    await h.deps.outbox.idle(10)
    assert any("Trần Thị Bình" in m["text"] for m in h.zalo.sent if m["chat_id"] == "z-silent")
