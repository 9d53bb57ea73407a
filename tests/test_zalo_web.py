"""The bot's small web server: Zalo webhooks (secret header) and one-time file links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from bot.clock import ManualClock
from bot.render import render
from bot.transport import zalo_web
from bot.transport.plaintext import to_plain
from bot.transport.zalo_api import ZaloApi, ZaloMessage
from bot.transport.zalo_web import SECRET_HEADER, WebServer
from fakes.fakezalo import FakeZalo

SECRET = "s3cret-webhook-value"
T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _update(text: str = "xin chào", message_id: str = "m1") -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id,
            "from": {"id": "u1", "display_name": "Trần Thị B"},
            "chat": {"id": "u1", "chat_type": "PRIVATE"},
            "date": 1765072800000,
            "text": text,
        },
    }


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def server(clock: ManualClock) -> AsyncIterator[WebServer]:
    web = WebServer("127.0.0.1", 0, "https://bot.example.vn/", clock=clock.now)
    await web.start()
    try:
        yield web
    finally:
        await web.stop()


@pytest.fixture
async def http(server: WebServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client


class Inbox:
    def __init__(self) -> None:
        self.messages: list[ZaloMessage] = []

    async def __call__(self, message: ZaloMessage) -> None:
        self.messages.append(message)


# ---------------------------------------------------------------- webhooks


async def test_the_right_secret_hands_the_update_over(
    server: WebServer, http: httpx.AsyncClient
) -> None:
    inbox = Inbox()
    server.add_webhook("/zalo/hook", SECRET, inbox)
    bare = await http.post("/zalo/hook", json=_update(), headers={SECRET_HEADER: SECRET})
    wrapped = await http.post(
        "/zalo/hook",
        json={"ok": True, "result": _update("hai", "m2")},
        headers={SECRET_HEADER: SECRET},
    )
    assert (bare.status_code, wrapped.status_code) == (200, 200)
    assert [(m.message_id, m.text, m.display_name) for m in inbox.messages] == [
        ("m1", "xin chào", "Trần Thị B"),
        ("m2", "hai", "Trần Thị B"),
    ]


@pytest.mark.parametrize(
    "headers", [{}, {SECRET_HEADER: "wrong-secret-value"}, {SECRET_HEADER: ""}]
)
async def test_a_wrong_or_missing_secret_is_403_and_nothing_handled(
    server: WebServer, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    inbox = Inbox()
    server.add_webhook("zalo/hook", SECRET, inbox)
    response = await http.post("/zalo/hook", json=_update(), headers=headers)
    assert response.status_code == 403
    assert inbox.messages == [] and server.handled == 0


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"event_name": "message.text.received"}', b"\xff\xfe"],
)
async def test_a_malformed_body_is_400(
    server: WebServer, http: httpx.AsyncClient, body: bytes
) -> None:
    inbox = Inbox()
    server.add_webhook("/zalo/hook", SECRET, inbox)
    response = await http.post("/zalo/hook", content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert inbox.messages == []


async def test_an_update_is_handed_over_before_the_answer_and_a_failure_is_not_ok(
    server: WebServer, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The hand-over records the message (Zalo sends nothing twice): «ok» only once it is
    recorded; one that could not be recorded is not acknowledged."""
    inbox = Inbox()
    server.add_webhook("/zalo/hook", SECRET, inbox)
    response = await http.post("/zalo/hook", json=_update(), headers={SECRET_HEADER: SECRET})
    # No waiting: by the time the answer is read, the message has been handed over.
    assert response.status_code == 200 and [m.message_id for m in inbox.messages] == ["m1"]

    async def boom(message: ZaloMessage) -> None:
        raise RuntimeError("database gone")

    server.add_webhook("/zalo/hook2", SECRET, boom)
    response = await http.post("/zalo/hook2", json=_update(), headers={SECRET_HEADER: SECRET})
    assert response.status_code == 503
    assert "message m1 could not be recorded" in caplog.text


async def test_hostile_requests_get_a_4xx_and_one_line(
    server: WebServer, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    server.add_webhook("/zalo/hook", SECRET, inbox)
    # A secret header with bytes that are not ASCII: refused before anything else.
    for value in ("bí-mật-sai".encode(), b"\xff\xfe\x80sai"):
        odd = await http.post("/zalo/hook", json=_update(), headers={SECRET_HEADER: value})
        assert odd.status_code == 403
    # The right secret and a body nested far too deep: 400, no traceback.
    deep = b"[" * 120_000 + b"]" * 120_000
    nested = await http.post("/zalo/hook", content=deep, headers={SECRET_HEADER: SECRET})
    assert nested.status_code == 400
    deep_object = b'{"a":' * 60_000 + b"1" + b"}" * 60_000
    nested = await http.post("/zalo/hook", content=deep_object, headers={SECRET_HEADER: SECRET})
    assert nested.status_code in (400, 413)
    assert inbox.messages == []
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]


async def test_unknown_paths_and_get_on_a_webhook(
    server: WebServer, http: httpx.AsyncClient
) -> None:
    server.add_webhook("/zalo/hook", SECRET, Inbox())
    assert (await http.get("/zalo/hook")).status_code == 405
    assert (await http.post("/other", json=_update())).status_code == 404


async def test_the_fake_zalo_delivers_to_the_webhook(clock: ManualClock) -> None:
    inbox = Inbox()
    web = WebServer("127.0.0.1", 0, None, clock=clock.now)
    await web.start()
    web.add_webhook("/zalo/hook", SECRET, inbox)
    try:
        async with FakeZalo(allow_http_webhook=True) as fake:
            api = ZaloApi(fake.token, fake.url)
            try:
                await api.set_webhook(f"http://127.0.0.1:{web.port}/zalo/hook", SECRET)
                mid = fake.push_text("u7", "qua webhook")
                posts = await fake.wait_webhook_posts(1)
                assert posts[0][0] == 200
                await api.set_webhook(f"http://127.0.0.1:{web.port}/zalo/hook", "x" * 12)
                fake.push_text("u7", "sai mật mã")
                posts = await fake.wait_webhook_posts(2)
                assert posts[1][0] == 403
            finally:
                await api.close()
    finally:
        await web.stop()
    assert [(m.message_id, m.text) for m in inbox.messages] == [(mid, "qua webhook")]


# ---------------------------------------------------------------- file links


def _path(url: str) -> str:
    assert url.startswith("https://bot.example.vn/tep/")
    return url[len("https://bot.example.vn") :]


async def test_a_file_link_works_once_then_410(server: WebServer, http: httpx.AsyncClient) -> None:
    data = b"PK\x03\x04 fake docx bytes"
    url = server.offer_file(data, "Sổ tay hỏi đáp 2026.docx")
    assert url is not None
    assert unquote(url.rsplit("/", 1)[1]) == "Sổ tay hỏi đáp 2026.docx"
    head = await http.head(_path(url))
    assert head.status_code == 200  # a look does not use the link up
    first = await http.get(_path(url))
    assert first.status_code == 200 and first.content == data
    assert first.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = first.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''S%E1%BB%95%20tay" in disposition
    second = await http.get(_path(url))
    assert second.status_code == 410
    assert second.text == to_plain(render("file_link_gone"))
    assert "hết hạn" in second.text and "<" not in second.text
    assert server.offered == 0


async def test_a_link_with_several_uses(server: WebServer, http: httpx.AsyncClient) -> None:
    url = server.offer_file(b"a,b\n", "bao-cao.csv", uses=2)
    assert url is not None
    assert [(await http.get(_path(url))).status_code for _ in range(3)] == [200, 200, 410]


async def test_a_link_expires_with_the_clock(
    server: WebServer, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = server.offer_file(b"x", "a.pdf", ttl=timedelta(minutes=10))
    assert url is not None
    clock.advance(timedelta(minutes=9, seconds=59))
    assert (await http.head(_path(url))).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert (await http.get(_path(url))).status_code == 410
    assert server.offered == 0


async def test_an_unknown_token_is_410(server: WebServer, http: httpx.AsyncClient) -> None:
    assert (await http.get("/tep/nothing-here/a.pdf")).status_code == 410


async def test_no_public_url_no_link(clock: ManualClock) -> None:
    web = WebServer("127.0.0.1", 0, None, clock=clock.now)
    assert web.offer_file(b"x", "a.pdf") is None


async def test_the_oldest_files_are_evicted(
    server: WebServer, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zalo_web, "MAX_FILES", 2)
    monkeypatch.setattr(zalo_web, "MAX_BYTES", 10)
    first = server.offer_file(b"1234", "a.txt")
    second = server.offer_file(b"1234", "b.txt")
    third = server.offer_file(b"1234", "c.txt")  # over 2 files: the first goes
    assert first and second and third
    assert (await http.get(_path(first))).status_code == 410
    fourth = server.offer_file(b"12345678", "d.txt")  # over 10 bytes: the second goes too
    assert fourth
    assert (await http.get(_path(second))).status_code == 410
    assert (await http.get(_path(third))).status_code == 410  # 4 + 8 > 10
    assert (await http.get(_path(fourth))).content == b"12345678"
    with pytest.raises(ValueError):
        server.offer_file(b"x" * 11, "big.bin")


async def test_a_hostile_file_name_stays_one_path_segment(
    server: WebServer, http: httpx.AsyncClient
) -> None:
    url = server.offer_file(b"x", '../../etc/"passwd";.txt')
    assert url is not None
    response = await http.get(_path(url))
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert 'filename=".._.._etc__passwd__.txt"' in disposition
