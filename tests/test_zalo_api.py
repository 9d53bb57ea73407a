"""The Zalo Bot API client and its poller, against the fake Zalo server over real HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.transport.pacing import SlidingWindow
from bot.transport.port import SlowDown, Undeliverable, Unreachable
from bot.transport.zalo_api import (
    TimedOut,
    TokenRefused,
    ZaloApi,
    ZaloMessage,
    ZaloPoller,
    _pacer,
    parse_update,
)
from fakes.fakezalo import FakeZalo

T0 = datetime(2026, 12, 7, 2, 0, 0, 123000, tzinfo=UTC)


class Sleeps:
    """The poller's injected sleep: records each delay, waits for no time."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self._changed = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self._changed.set()
        await asyncio.sleep(0)

    async def reach(self, n: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.calls) < n:
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(clock=lambda: T0, allow_http_webhook=True)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def api(fake: FakeZalo) -> AsyncIterator[ZaloApi]:
    client = ZaloApi(fake.token, fake.url, timeout=2.0, poll_timeout=1, rate=1000.0)
    try:
        yield client
    finally:
        await client.close()


async def test_get_me(api: ZaloApi, fake: FakeZalo) -> None:
    me = await api.get_me()
    assert me == {
        "id": fake.bot_id,
        "account_name": "hoidap_bot",
        "account_type": "BASIC",
        "can_join_groups": False,
    }


async def test_one_update_per_poll_with_string_ids_and_a_utc_date(
    api: ZaloApi, fake: FakeZalo
) -> None:
    first = fake.push_text("u1", "xin chào", display_name="Nguyễn Văn A")
    second = fake.push_text("u2", "/traloi 2")
    got = await api.get_updates()
    assert got == ZaloMessage(
        event="message.text.received",
        message_id=first,
        user_id="u1",
        display_name="Nguyễn Văn A",
        chat_id="u1",
        chat_type="PRIVATE",
        date=datetime(2026, 12, 7, 2, 0, 0, 123000, tzinfo=UTC),
        text="xin chào",
    )
    assert fake.pending == 1
    again = await api.get_updates()
    assert again is not None and again.message_id == second and again.text == "/traloi 2"


async def test_idle_poll_is_none_not_an_error(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, poll_timeout=0)
    try:
        assert await api.get_updates() is None
    finally:
        await api.close()
    assert fake.requests[-1] == ("getUpdates", 408)


async def test_a_push_ends_a_waiting_poll(api: ZaloApi, fake: FakeZalo) -> None:
    api.poll_timeout = 30
    poll = asyncio.create_task(api.get_updates())
    await asyncio.sleep(0)  # the request is on its way; no time is waited on
    fake.push_text("u1", "có")
    got = await asyncio.wait_for(poll, 10)
    assert got is not None and got.text == "có"


async def test_image_and_sticker_have_no_text(api: ZaloApi, fake: FakeZalo) -> None:
    fake.push_event("message.image.received", "u1", extra={"photo_url": "https://x/y.jpg"})
    fake.push_event("message.sticker.received", "u1")
    for event in ("message.image.received", "message.sticker.received"):
        got = await api.get_updates()
        assert got is not None and got.event == event and got.text is None


async def test_a_malformed_update_is_skipped_and_logged_without_its_text(
    api: ZaloApi, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    fake.push_raw({"event_name": "message.text.received", "message": {"text": "bí mật"}})
    with caplog.at_level(logging.WARNING, logger="hoidap.zalo"):
        assert await api.get_updates() is None
    assert "malformed" in caplog.text and "bí mật" not in caplog.text


@pytest.mark.parametrize(
    "update",
    [
        None,
        [],
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": {"message_id": "1"}},
        {
            "event_name": "message.text.received",
            "message": {
                "message_id": "1",
                "from": {"id": "u"},
                "chat": {"id": "u", "chat_type": "PRIVATE"},
                "date": "soon",
                "text": "x",
            },
        },
        {
            "event_name": "message.text.received",
            "message": {
                "message_id": "1",
                "from": {"id": "u"},
                "chat": {"id": "u", "chat_type": "PRIVATE"},
                "date": 1,
            },
        },
    ],
)
def test_parse_update_refuses_malformed(update: Any) -> None:
    assert parse_update(update) is None


def test_parse_update_takes_the_envelope_and_a_missing_name() -> None:
    update = {
        "ok": True,
        "result": {
            "event_name": "message.text.received",
            "message": {
                "message_id": "m1",
                "from": {"id": "u"},
                "chat": {"id": "u", "chat_type": "PRIVATE"},
                "date": 1765072800000,
                "text": "a",
            },
        },
    }
    got = parse_update(update)
    assert got is not None and got.display_name == "" and got.text == "a"
    assert got.date == datetime(2025, 12, 7, 2, 0, tzinfo=UTC)


async def test_send_message_returns_the_message_id(api: ZaloApi, fake: FakeZalo) -> None:
    fake.push_text("u1", "chào")
    mid = await api.send_message("u1", "Chào đồng chí")
    assert fake.sent[-1]["text"] == "Chào đồng chí" and fake.sent[-1]["message_id"] == mid
    await api.send_chat_action("u1")
    assert fake.actions[-1]["action"] == "typing"
    pid = await api.send_photo("u1", "https://example.vn/a.png", "ảnh")
    assert pid and fake.sent[-1]["photo"] == "https://example.vn/a.png"


async def test_the_2000_character_limit(api: ZaloApi, fake: FakeZalo) -> None:
    fake.push_text("u1", "chào")
    await api.send_message("u1", "x" * 2000)
    with pytest.raises(ValueError):
        await api.send_message("u1", "x" * 2001)
    with pytest.raises(ValueError):
        await api.send_message("u1", "")
    assert len(fake.sent) == 1
    # The fake enforces it too, for any client.
    api_raw = ZaloApi(fake.token, fake.url)
    try:
        with pytest.raises(Undeliverable):
            await api_raw._call("sendMessage", {"chat_id": "u1", "text": "y" * 2001})
    finally:
        await api_raw.close()


async def test_a_user_who_never_wrote_cannot_be_messaged(api: ZaloApi) -> None:
    with pytest.raises(Undeliverable):
        await api.send_message("stranger", "xin chào")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, Undeliverable),
        (401, TokenRefused),
        (403, Undeliverable),
        (404, Undeliverable),
        (429, SlowDown),
        (500, Unreachable),
        (502, Unreachable),
        (503, Unreachable),
    ],
)
async def test_error_answers_become_the_ports_kinds(
    api: ZaloApi, fake: FakeZalo, status: int, error: type[Exception]
) -> None:
    fake.push_text("u1", "chào")
    fake.fail_next("sendMessage", status)
    with pytest.raises(error) as info:
        await api.send_message("u1", "a")
    if status >= 500:
        assert not isinstance(info.value, Undeliverable)  # temporary: the outbox retries
    assert await api.send_message("u1", "a")  # only the next one failed


async def test_retry_after_from_the_payload_else_five_seconds(api: ZaloApi, fake: FakeZalo) -> None:
    fake.push_text("u1", "chào")
    fake.fail_next("sendMessage", 429, retry_after=17)
    with pytest.raises(SlowDown) as info:
        await api.send_message("u1", "a")
    assert info.value.retry_after == 17
    fake.fail_next("sendMessage", 429)
    with pytest.raises(SlowDown) as info:
        await api.send_message("u1", "a")
    assert info.value.retry_after == 5


async def test_a_wrong_token_is_invalid(fake: FakeZalo) -> None:
    api = ZaloApi("1:wrong-token-value", fake.url)
    try:
        with pytest.raises(TokenRefused):
            await api.get_me()
    finally:
        await api.close()


async def test_down_non_json_hang_and_refused_are_network_errors(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, timeout=0.2, poll_timeout=0)
    try:
        fake.down()
        with pytest.raises(Unreachable) as info:
            await api.get_me()
        assert "not the API's JSON" in info.value.message
        fake.up()
        assert await api.get_me()
        fake.hang_next("getMe", 5.0)
        with pytest.raises(TimedOut):
            await api.get_me()
    finally:
        await api.close()
    port = fake.port
    await fake.stop()
    api = ZaloApi(fake.token, f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(Unreachable):
            await api.get_me()
    finally:
        await api.close()


async def test_the_token_is_never_logged_nor_in_an_exception(
    fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    api = ZaloApi(fake.token, fake.url, timeout=0.2, poll_timeout=0)
    sleep = Sleeps()

    async def boom(message: ZaloMessage) -> None:
        raise RuntimeError("handler failed")

    caplog.set_level(logging.DEBUG)
    try:
        fake.push_text("u1", "chào")
        for status in (400, 403, 404, 429, 500):
            fake.fail_next("sendMessage", status)
            try:
                await api.send_message("u1", "a")
            except Exception as exc:
                errors.append(exc)
        fake.hang_next("getMe", 2.0)
        try:
            await api.get_me()
        except Exception as exc:
            errors.append(exc)
        fake.down()
        try:
            await api.get_me()
        except Exception as exc:
            errors.append(exc)
        fake.up()
        poller = ZaloPoller(api, boom, sleep=sleep)
        fake.push_raw({"event_name": "message.text.received", "message": {}})
        fake.push_text("u1", "x")
        fake.fail_next("getUpdates", 502, count=3)
        fake.fail_next("*", 429)
        poller.start()
        await sleep.reach(4)
        await poller.stop()
    finally:
        await api.close()
    assert len(errors) == 7
    for exc in errors:
        assert fake.token not in str(exc) and fake.token not in repr(exc)
        assert exc.__cause__ is None
        assert exc.__context__ is None or exc.__suppress_context__
    # httpx's own logger prints request URLs; the application keeps it at WARNING
    # (hoidap.app.setup_logging) and redacts the token. Every other record must not hold it.
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert ours  # errors were logged
    for record in ours:
        assert fake.token not in record.getMessage()
        assert fake.token not in (record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            assert fake.token not in str(record.exc_info[1])


# ---------------------------------------------------------------- pacing


def test_the_rate_becomes_a_sliding_window() -> None:
    five = _pacer(5.0)
    assert (five.limit, five.window) == (5, 1.0)
    half = _pacer(0.5)
    assert (half.limit, half.window) == (1, 2.0)
    # Pure planning: the sixth message in one second waits for the window.
    for i in range(5):
        five.started(five.earliest(i * 0.01), i * 0.01)
    assert five.earliest(0.05) >= 1.0


class _CountingWindow(SlidingWindow):
    def __init__(self) -> None:
        super().__init__(limit=1000, window=1.0)
        self.acquired = 0

    async def acquire(self, amount: float = 1) -> None:
        self.acquired += 1


async def test_messages_and_photos_go_through_the_pacer(fake: FakeZalo) -> None:
    pacer = _CountingWindow()
    api = ZaloApi(fake.token, fake.url, pacer=pacer)
    try:
        fake.push_text("u1", "chào")
        await api.send_message("u1", "a")
        await api.send_photo("u1", "https://x.vn/a.png")
        await api.send_chat_action("u1")
        await api.get_me()
    finally:
        await api.close()
    assert pacer.acquired == 2


# ---------------------------------------------------------------- the poller


async def test_poller_hands_over_each_update_once_in_order(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, poll_timeout=1)
    got: list[str] = []
    done = asyncio.Event()

    async def on_message(message: ZaloMessage) -> None:
        got.append(message.text or "")
        if message.text == "boom":
            raise RuntimeError("a handler failed")
        if len(got) == 3:
            done.set()

    poller = ZaloPoller(api, on_message)
    for text in ("một", "boom", "ba"):
        fake.push_text("u1", text)
    poller.start()
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await poller.stop()
        await api.close()
    assert got == ["một", "boom", "ba"]
    assert poller.handled == 3 and poller.errors == 0 and poller.polled >= 3


async def test_an_idle_poll_polls_again_at_once(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, poll_timeout=0)
    sleep = Sleeps()

    async def on_message(message: ZaloMessage) -> None:
        raise AssertionError("no message expected")

    poller = ZaloPoller(api, on_message, sleep=sleep)
    poller.start()
    try:
        await fake.wait_requests(3)
    finally:
        await poller.stop()
        await api.close()
    assert fake.requests[:3] == [("getUpdates", 408)] * 3
    assert sleep.calls == [] and poller.errors == 0 and poller.polled >= 2


async def test_poller_backs_off_and_resets_after_a_success(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, poll_timeout=0)
    sleep = Sleeps()
    sleeps = sleep.calls
    got = asyncio.Event()

    async def on_message(message: ZaloMessage) -> None:
        got.set()

    fake.fail_next("getUpdates", 502, count=3)
    fake.fail_next("getUpdates", 500, count=3)
    poller = ZaloPoller(api, on_message, max_backoff=8.0, sleep=sleep)
    fake.push_text("u1", "x")
    poller.start()
    try:
        await asyncio.wait_for(got.wait(), 10)
        assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
        fake.fail_next("getUpdates", 503, count=2)
        await sleep.reach(8)
    finally:
        await poller.stop()
        await api.close()
    assert sleeps[6:8] == [1.0, 2.0]  # back to the start after the success
    assert poller.errors == 8


async def test_poller_waits_at_least_retry_after(fake: FakeZalo) -> None:
    api = ZaloApi(fake.token, fake.url, poll_timeout=0)
    sleep = Sleeps()
    sleeps = sleep.calls
    got = asyncio.Event()

    async def on_message(message: ZaloMessage) -> None:
        got.set()

    fake.fail_next("getUpdates", 429, retry_after=7)
    fake.push_text("u1", "x")
    poller = ZaloPoller(api, on_message, sleep=sleep)
    poller.start()
    try:
        await asyncio.wait_for(got.wait(), 10)
    finally:
        await poller.stop()
        await api.close()
    assert sleeps == [7.0]


async def test_poller_stops_on_a_refused_token(
    fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    api = ZaloApi("1:not-the-token", fake.url, poll_timeout=0)
    sleep = Sleeps()
    sleeps = sleep.calls

    async def on_message(message: ZaloMessage) -> None:
        raise AssertionError("no message expected")

    poller = ZaloPoller(api, on_message, sleep=sleep)
    with caplog.at_level(logging.ERROR, logger="hoidap.zalo"):
        poller.start()
        await asyncio.wait_for(poller.wait(), 10)
    await api.close()
    assert poller.stopped_by_token and not poller.running
    assert poller.errors == 1 and sleeps == []
    assert [r.levelno for r in caplog.records if r.name == "hoidap.zalo"] == [logging.ERROR]
    assert [m for m, _ in fake.requests] == ["getUpdates"]


async def test_get_updates_fails_while_a_webhook_is_set(api: ZaloApi, fake: FakeZalo) -> None:
    with pytest.raises(Undeliverable):
        await api.set_webhook("https://bot.example.vn/zalo", "short")
    await api.set_webhook("https://bot.example.vn/zalo", "s" * 16)
    assert (await api.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    with pytest.raises(Undeliverable):
        await api.get_updates()
    await api.delete_webhook()
    assert (await api.get_webhook_info())["url"] == ""
    assert await api.get_updates() is None


async def test_the_fake_refuses_http_webhooks_unless_allowed() -> None:
    async with FakeZalo() as strict:
        api = ZaloApi(strict.token, strict.url)
        try:
            with pytest.raises(Undeliverable):
                await api.set_webhook("http://127.0.0.1:1/zalo", "s" * 16)
            await api.set_webhook("https://bot.example.vn/zalo", "s" * 16)
        finally:
            await api.close()
