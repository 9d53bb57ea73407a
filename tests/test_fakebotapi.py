"""The fake Bot API server, exercised through the real PTB client."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from fakes.fakebotapi import (
    EntityParseError,
    FakeBotAPI,
    FaultPlan,
    FloodLimits,
    parse_html,
)

USER = 1001
OTHER = 1002
GROUP = -5001


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as srv:
        srv.user(USER, "An", "Nguyen", username="an_nguyen")
        srv.user(OTHER, "Binh")
        srv.group(GROUP, "Chi bo 1")
        yield srv


def make_bot(server: FakeBotAPI, **kwargs: object) -> Bot:
    return Bot(
        server.token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    async with make_bot(server) as client:
        yield client


@asynccontextmanager
async def running_app(
    server: FakeBotAPI, *handlers: BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Có", callback_data="yes"),
            InlineKeyboardButton("Không", callback_data="no"),
        ],
        [InlineKeyboardButton("Trang web", url="https://example.org")],
    ]
)


async def test_bot_send_and_edit(server: FakeBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == server.bot_id
    assert me.username == server.bot_username

    msg = await bot.send_message(
        USER, "<b>Câu hỏi</b> &lt;1&gt; &#39;x&#39;", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert msg.text == "Câu hỏi <1> 'x'"
    assert msg.entities[0].type == "bold"
    assert msg.reply_markup == KEYBOARD

    [sent] = server.sent
    assert (sent.chat_id, sent.message_id, sent.kind) == (USER, msg.message_id, "text")
    assert sent.text == "<b>Câu hỏi</b> &lt;1&gt; &#39;x&#39;"
    assert sent.plain_text == "Câu hỏi <1> 'x'"
    assert sent.buttons() == [("Có", "yes"), ("Không", "no"), ("Trang web", "https://example.org")]
    assert server.requests[-1].method == "sendMessage"
    assert server.requests[-1].params["chat_id"] == USER

    edited = await bot.edit_message_text(
        "<i>Đã trả lời</i>", chat_id=USER, message_id=msg.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, object)
    assert sent.text == "<i>Đã trả lời</i>"
    assert sent.edits == ["<b>Câu hỏi</b> &lt;1&gt; &#39;x&#39;"]
    assert sent.reply_markup is None  # editing without reply_markup drops the keyboard

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<i>Đã trả lời</i>", chat_id=USER, message_id=msg.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=KEYBOARD)
    assert sent.buttons()[0] == ("Có", "yes")
    assert await bot.delete_message(USER, msg.message_id)
    assert sent.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, msg.message_id)


async def test_reply_copy_forward_and_commands(server: FakeBotAPI, bot: Bot) -> None:
    question = server.send_text(USER, "Hỏi về đảng phí?")
    reply = await bot.send_message(USER, "Trả lời", reply_to_message_id=question["message_id"])
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "Hỏi về đảng phí?"
    assert server.sent[-1].reply_to_message_id == question["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=777)

    copied = await bot.copy_message(GROUP, USER, question["message_id"])
    assert server.sent[-1].kind == "copy"
    assert server.sent[-1].message_id == copied.message_id
    assert server.sent[-1].text == "Hỏi về đảng phí?"
    forwarded = await bot.forward_message(OTHER, USER, question["message_id"])
    assert forwarded.forward_origin is not None
    assert server.messages_to(OTHER)[-1].kind == "forward"

    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    await bot.set_my_commands([BotCommand("admin", "Quản trị")], scope=BotCommandScopeChat(USER))
    assert server.commands_for() == [{"command": "start", "description": "Bắt đầu"}]
    assert server.commands_for({"type": "chat", "chat_id": USER})[0]["command"] == "admin"
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(USER))
    assert [c.command for c in scoped] == ["admin"]

    await bot.send_chat_action(USER, "typing")
    assert server.chat_actions == [(USER, "typing")]
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Chi bo 1"
    server.set_member_status(GROUP, USER, "administrator")
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "administrator"
    assert (await bot.get_chat_member(GROUP, OTHER)).status == "left"


async def test_application_echo_and_callback(server: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Xin chào")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}", reply_markup=KEYBOARD)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"Đã chọn {query.data}", show_alert=True)
        await query.edit_message_text(f"chosen: {query.data}")

    async with running_app(
        server,
        CommandHandler("start", start),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        CallbackQueryHandler(on_button),
    ):
        server.send_text(USER, "/start")
        await server.wait_for(lambda m: m.text == "Xin chào")

        mark = server.mark()
        server.send_text(USER, "hello")
        reply = await server.wait_for(lambda m: m.chat_id == USER, after=mark)
        assert reply.text == "echo: hello"

        query_id = server.press_button(USER, reply, "Không")
        answer = await server.wait_for_callback_answer(query_id)
        assert answer == {"text": "Đã chọn no", "show_alert": True}
        await server.wait_for(lambda m: m.text == "chosen: no")
        assert reply.text == "chosen: no"
        assert reply.edits == ["echo: hello"]
        await server.wait_updates_consumed()

        with pytest.raises(LookupError):
            server.press_button(USER, reply, "Missing")

    assert server.pending_updates == []
    assert all(r.status == 200 for r in server.requests if r.method != "getUpdates")
    # Stopping cancels the pending long poll; the cleanup call then supersedes it on the server.
    for call in server.calls("getUpdates"):
        assert call.status == 200 or "already disconnected" in (call.error or "")


async def test_document_round_trip(server: FakeBotAPI) -> None:
    payload = bytes(range(256)) * 40
    received: list[bytes] = []

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        data = await (await update.message.document.get_file()).download_as_bytearray()
        received.append(bytes(data))
        await update.message.reply_document(
            InputFile(bytes(data[::-1]), filename="dao_nguoc.bin"),
            caption="<b>xong</b>",
            parse_mode="HTML",
        )

    async with running_app(server, MessageHandler(filters.Document.ALL, on_document)):
        server.send_document(USER, "bao_cao.pdf", payload, "application/pdf", caption="file")
        sent = await server.wait_for(lambda m: m.kind == "document")

    assert received == [payload]
    assert sent.file_name == "dao_nguoc.bin"
    assert sent.plain_text == "xong"
    assert sent.file_id is not None
    assert server.file_bytes(sent.file_id) == payload[::-1]
    assert server.calls("downloadFile")[0].status == 200


async def test_send_media_by_file_id_and_voice(server: FakeBotAPI, bot: Bot) -> None:
    voice = server.send_voice(USER, b"OggS...", duration=7)
    assert voice["voice"]["duration"] == 7
    msg = await bot.send_voice(OTHER, voice["voice"]["file_id"])
    assert msg.voice is not None and msg.voice.file_id == voice["voice"]["file_id"]
    photo = await bot.send_photo(USER, InputFile(b"\xff\xd8jpeg", filename="a.jpg"))
    assert photo.photo
    audio = await bot.send_audio(USER, InputFile(b"ID3", filename="song.mp3"), title="Quốc ca")
    assert audio.audio is not None and audio.audio.title == "Quốc ca"
    assert [m.kind for m in server.sent] == ["voice", "photo", "audio"]
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")


async def test_rejections(server: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "<b>đậm <i>nghiêng</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")

    server.block_bot(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER, "hi")
    server.unblock_bot(USER)
    await bot.send_message(USER, "hi again")

    server.remove_bot_from_group(USER, GROUP)
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(GROUP, "hi")
    server.send_text(OTHER, "unseen", chat_id=GROUP)  # the bot is not there to receive it
    assert "my_chat_member" in server.pending_updates[-1]
    server.add_bot_to_group(USER, GROUP)
    await bot.send_message(GROUP, "back")

    assert [m.plain_text for m in server.sent] == ["😀" * 2048, "hi again", "back"]
    failed = [r for r in server.requests if r.status != 200]
    assert {r.status for r in failed} == {400, 403}


async def test_unknown_token_and_method(server: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=server.base_url) as wrong:
            await wrong.get_me()
    assert server.requests[-1].status == 401
    with pytest.raises(TelegramError):
        await bot.do_api_request("noSuchMethod")
    assert server.requests[-1].status == 404


async def test_flood_limits_with_fake_clock(
    server: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    now = [1000.0]
    async with FakeBotAPI(flood=FloodLimits(per_second_global=30), clock=lambda: now[0]) as srv:
        for user_id in range(1, 33):
            srv.user(user_id, f"U{user_id}")
        async with make_bot(srv) as client:
            for user_id in range(1, 31):
                await client.send_message(user_id, "hi")
            with pytest.raises(RetryAfter) as caught:
                await client.send_message(31, "hi")
            retry_after = caught.value.retry_after
            assert isinstance(retry_after, dtm.timedelta)
            assert retry_after >= dtm.timedelta(seconds=1)
            assert srv.flood_429_count == 1
            assert len(srv.sent) == 30

            now[0] += 1.01
            await client.send_message(31, "hi")  # the window has moved on

            # Private chats: short bursts pass, a sustained stream does not.
            for _ in range(3):
                await client.send_message(32, "burst")
            with pytest.raises(RetryAfter):
                await client.send_message(32, "burst")
            now[0] += 3.0
            await client.send_message(32, "later")
            assert srv.flood_429_count == 2


async def test_faults_have_no_effect(
    server: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.set_faults(FaultPlan(rate=1.0, kinds=("500",)))
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost")
    assert server.requests[-1].status == 500

    server.set_faults(FaultPlan(rate=1.0, kinds=("reset",)))
    with pytest.raises(NetworkError, match="httpx"):
        await bot.send_message(USER, "lost")
    assert server.requests[-1].status == 0

    server.set_faults(FaultPlan(rate=1.0, kinds=("429",), retry_after=3))
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "lost")

    server.set_faults(None)
    assert server.sent == []
    await bot.send_message(USER, "delivered")
    assert [m.text for m in server.sent] == ["delivered"]
    assert server.faults_injected == 3


async def test_timeout_fault_and_outage(server: FakeBotAPI) -> None:
    async with make_bot(server, request=HTTPXRequest(read_timeout=0.1)) as client:
        server.set_faults(FaultPlan(rate=1.0, kinds=("timeout",), timeout_seconds=0.5))
        with pytest.raises(TimedOut):
            await client.send_message(USER, "slow")
        server.set_faults(None)

        server.set_outage(True)
        with pytest.raises(NetworkError):
            await client.send_message(USER, "down")
        server.set_outage(True, mode="502")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await client.send_message(USER, "down")
        server.set_outage(False)
        await client.send_message(USER, "up")
    assert [m.text for m in server.sent] == ["up"]


async def test_long_polling_and_conflict(server: FakeBotAPI) -> None:
    async with make_bot(server) as first, make_bot(server) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await server.wait_until(lambda: server.poll_count >= 1)
        winner = asyncio.create_task(second.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting
        await server.wait_until(lambda: server.poll_count >= 2)
        server.send_text(USER, "/start@hoidap_test_bot")
        [update] = await winner
        assert update.message is not None
        assert update.message.text == "/start@hoidap_test_bot"
        assert update.message.entities[0].length == len("/start@hoidap_test_bot")

        # Unconfirmed updates are served again; a higher offset confirms them.
        again = await second.get_updates(timeout=0)
        assert [u.update_id for u in again] == [update.update_id]
        assert await second.get_updates(offset=update.update_id + 1, timeout=0) == ()
        await server.wait_updates_consumed(timeout=1)

        # Raw injection keeps the given update_id (replays/duplicates).
        raw = server.send_text(OTHER, "dup")
        body = {"update_id": 500, "message": raw}
        server.inject_raw(body)
        server.inject_raw(body)
        replayed = await second.get_updates(offset=update.update_id + 1, timeout=0)
        assert [u.update_id for u in replayed][-2:] == [500, 500]

        # A long poll with nothing to deliver returns an empty batch after `timeout`.
        await second.get_updates(offset=501, timeout=0)
        empty = await second.get_updates(offset=501, timeout=dtm.timedelta(seconds=0.2))
        assert empty == ()


async def test_wait_for_timeout_lists_sent(server: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await server.wait_for(lambda m: m.text == "never", timeout=0.05)


def test_parse_html() -> None:
    text, entities = parse_html(
        '<b>a</b> <a href="https://x.y/?a=1&amp;b=2">link</a> <pre><code class="language-py">'
        'x</code></pre> <span class="tg-spoiler">s</span> <blockquote expandable>q</blockquote>'
    )
    assert text == "a link x s q"
    types = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert types == [
        ("bold", 0, 1),
        ("text_link", 2, 4),
        ("pre", 7, 1),
        ("spoiler", 9, 1),
        ("expandable_blockquote", 11, 1),
    ]
    assert entities[1]["url"] == "https://x.y/?a=1&b=2"
    assert entities[2]["language"] == "py"
    assert parse_html("AT&T &#x1F600; &#128512; &nbsp;")[0] == "AT&T 😀 😀 &nbsp;"
    for bad in ("<b>x", "x</b>", "<b>x</i>", "<foo>x</foo>", "<span>x</span>", "<b", "a < b"):
        with pytest.raises(EntityParseError):
            parse_html(bad)


async def test_raw_http_protocol(server: FakeBotAPI) -> None:
    api = f"{server.base_url}{server.token}"
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api}/getMe") as response:
            assert (await response.json())["result"]["username"] == server.bot_username
        async with http.post(
            f"{api}/sendMessage", json={"chat_id": USER, "text": "42", "reply_markup": markup}
        ) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["text"] == "42"
        # Form fields carry JSON for non-string values, exactly like PTB sends them.
        form = {"chat_id": str(GROUP), "text": "true", "disable_notification": "true"}
        async with http.post(f"{api}/sendmessage", data=form) as response:
            assert (await response.json())["result"]["chat"]["id"] == GROUP
        async with http.post(f"{api}/getNothing") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{server.base_url}1:BAD/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with http.post(f"{api}/sendMessage", data={"chat_id": "1", "text": "x"}) as r:
            assert r.status == 400
            assert (await r.json())["description"] == "Bad Request: chat not found"
    assert [m.text for m in server.sent] == ["42", "true"]
    assert server.sent[0].buttons() == [("OK", "ok")]
    assert server.sent[1].params["disable_notification"] is True
