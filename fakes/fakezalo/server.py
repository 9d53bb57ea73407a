"""The fake Zalo Bot API server (aiohttp on 127.0.0.1). See the package docstring."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
Handler = Callable[[JSON], Awaitable[Any]]

TEXT_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
DEFAULT_POLL_TIMEOUT = 30.0
SECRET_HEADER = "X-Bot-Api-Secret-Token"

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ZaloError(Exception):
    """An error answer ``{"ok": false, "error_code", "description"}`` (HTTP status = code)."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _Fault:
    status: int
    retry_after: int | None


def _now() -> datetime:
    return datetime.now(UTC)


class FakeZalo:
    """A local Zalo Bot API with the documented payloads, for tests and the demo.

    Choices of the fake where the documentation says nothing:

    * every error answer has the HTTP status of its ``error_code``;
    * ``sendMessage``/``sendPhoto``/``sendSticker``/``sendChatAction`` to a chat whose user
      never wrote to the bot (``push_text``/``push_event``, or ``known``) answer 403
      «Forbidden: the user has not messaged the bot»;
    * ``getUpdates`` while a webhook is set answers 409 «Conflict: webhook is active»;
    * ``down()`` makes every call answer HTTP 502 with an HTML body (not the API's JSON), as a
      reverse proxy in front of a dead server would; ``up()`` ends it;
    * a webhook gets the envelope ``{"ok": true, "result": update}`` with the secret header;
    * ``sent`` keeps messages (sendMessage, sendPhoto, sendSticker); chat actions go to
      ``actions``.
    """

    def __init__(
        self,
        token: str = "3141592653589793:fake-zalo-secret",
        *,
        allow_http_webhook: bool = False,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.token = token
        self.allow_http_webhook = allow_http_webhook
        self.clock = clock
        self.bot_id = token.split(":", 1)[0]
        self.sent: list[JSON] = []
        self.actions: list[JSON] = []
        self.requests: list[tuple[str, int]] = []  # (method, HTTP status)
        self.webhook_posts: list[tuple[int, JSON]] = []  # (status or 0 when unreachable, body)
        self.known: set[str] = set()  # chats whose user wrote to the bot
        self.delivered = 0  # updates handed out by getUpdates
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self._webhook_at: int = 0
        self._updates: deque[JSON] = deque()
        self._arrived = asyncio.Event()
        self._changed = asyncio.Event()
        self._faults: dict[str, deque[_Fault]] = {}
        self._hangs: dict[str, deque[float]] = {}
        self._down = False
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = asyncio.Event()

    # ---------------------------------------------------------------- lifecycle

    async def start(self, *, port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeZalo is already running")
        self._closing.clear()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._route)
        # A long poll whose client went away (the bot stopped) must not take the next update,
        # as a real server would not hand an update to a closed connection.
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing.set()
        self._arrived.set()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> FakeZalo:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeZalo is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The base URL to give ``ZaloApi`` (it appends ``/bot<token>/<method>``)."""
        return f"http://127.0.0.1:{self.port}"

    # ---------------------------------------------------------------- what users do

    def _millis(self) -> int:
        return int(self.clock().timestamp() * 1000)

    def _next_id(self) -> str:
        return f"{next(self._ids):06d}{secrets.token_hex(4)}"

    def push_text(
        self,
        user_id: str,
        text: str,
        *,
        display_name: str = "Người dùng Zalo",
        chat_type: str = "PRIVATE",
        chat_id: str | None = None,
    ) -> str:
        """``user_id`` writes ``text`` to the bot; returns the message id."""
        return self.push_event(
            "message.text.received",
            user_id,
            text=text,
            display_name=display_name,
            chat_type=chat_type,
            chat_id=chat_id,
        )

    def push_event(
        self,
        event_name: str,
        user_id: str,
        *,
        text: str | None = None,
        display_name: str = "Người dùng Zalo",
        chat_type: str = "PRIVATE",
        chat_id: str | None = None,
        extra: JSON | None = None,
    ) -> str:
        """Any event (image, sticker, unsupported …); ``extra`` adds fields to ``message``."""
        message_id = self._next_id()
        chat = chat_id if chat_id is not None else str(user_id)
        message: JSON = {
            "message_id": message_id,
            "from": {"id": str(user_id), "display_name": display_name, "is_bot": False},
            "chat": {"id": chat, "chat_type": chat_type},
            "date": self._millis(),
        }
        if text is not None:
            message["text"] = text
        if extra:
            message.update(extra)
        self.known.add(chat)
        self.push_raw({"event_name": event_name, "message": message})
        return message_id

    def push_raw(self, update: JSON) -> None:
        """Queue an update as is (malformed ones too); to the webhook when one is set."""
        if self.webhook_url is not None and self._runner is not None:
            task = asyncio.get_running_loop().create_task(self._post_webhook(update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        self._updates.append(update)
        self._arrived.set()

    @property
    def pending(self) -> int:
        return len(self._updates)

    # ---------------------------------------------------------------- faults

    def fail_next(
        self, method: str, status: int, count: int = 1, retry_after: int | None = None
    ) -> None:
        """The next ``count`` calls of ``method`` ("*": any) answer ``status`` as an error."""
        queue = self._faults.setdefault(method, deque())
        queue.extend(_Fault(status, retry_after) for _ in range(count))

    def hang_next(self, method: str, seconds: float) -> None:
        """The next call of ``method`` waits ``seconds`` before it is handled."""
        self._hangs.setdefault(method, deque()).append(seconds)

    def down(self) -> None:
        """Every call answers HTTP 502 with a non-JSON body until ``up()``."""
        self._down = True

    def up(self) -> None:
        self._down = False

    # ---------------------------------------------------------------- what tests read

    async def wait_sent(self, n: int, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until at least ``n`` messages were sent; returns ``sent``."""
        async with asyncio.timeout(timeout):
            while len(self.sent) < n:
                self._changed.clear()
                await self._changed.wait()
        return self.sent

    async def wait_webhook_posts(self, n: int, timeout: float = 5.0) -> list[tuple[int, JSON]]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.webhook_posts) < n:
                self._changed.clear()
                await self._changed.wait()
        return self.webhook_posts

    async def wait_requests(self, n: int, timeout: float = 5.0) -> list[tuple[str, int]]:  # noqa: ASYNC109
        """Wait until at least ``n`` calls were answered; returns ``requests``."""
        async with asyncio.timeout(timeout):
            while len(self.requests) < n:
                self._changed.clear()
                await self._changed.wait()
        return self.requests

    def _notify(self) -> None:
        self._changed.set()

    # ---------------------------------------------------------------- HTTP

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        token_part, _, method = path.rpartition("/")
        if not token_part.startswith("/bot") or not method:
            return web.json_response(ZaloError(404, "Not Found").body(), status=404)
        if self._down:
            self.requests.append((method, 502))
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        try:
            if not secrets.compare_digest(token_part[len("/bot") :], self.token):
                raise ZaloError(401, "Unauthorized")
            handler = self._handlers().get(method)
            if handler is None:
                raise ZaloError(404, "Not Found")
            fault = self._fault(method)
            if fault is not None:
                raise ZaloError(
                    fault.status,
                    _DESCRIPTIONS.get(fault.status, "Error"),
                    fault.retry_after,
                )
            params = await self._params(request)
            hangs = self._hangs.get(method) or self._hangs.get("*")
            if hangs:  # the request has arrived; the answer is late
                await self._pause(hangs.popleft())
            result = await handler(params)
        except ZaloError as exc:
            self.requests.append((method, exc.code))
            self._notify()
            return web.json_response(exc.body(), status=exc.code)
        self.requests.append((method, 200))
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    @staticmethod
    async def _params(request: web.Request) -> JSON:
        if not request.can_read_body:
            return {}
        try:
            body = json.loads(await request.text())
        except ValueError:
            raise ZaloError(400, "Bad Request: body is not JSON") from None
        if not isinstance(body, dict):
            raise ZaloError(400, "Bad Request: body is not a JSON object")
        return body

    def _handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    # ---------------------------------------------------------------- methods

    async def _get_me(self, params: JSON) -> JSON:
        return {
            "id": self.bot_id,
            "account_name": "hoidap_bot",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: JSON) -> JSON:
        if self.webhook_url is not None:
            raise ZaloError(409, "Conflict: webhook is active; getUpdates is not available")
        raw = params.get("timeout", DEFAULT_POLL_TIMEOUT)
        try:
            timeout = float(raw)
        except (TypeError, ValueError):
            raise ZaloError(400, "Bad Request: timeout must be a number") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while not self._updates:
            if self._closing.is_set():
                break
            left = deadline - loop.time()
            if left <= 0:
                break
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                break
        if not self._updates:
            raise ZaloError(408, "Request timeout")
        self.delivered += 1
        return self._updates.popleft()

    @staticmethod
    def _chat_id(params: JSON) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise ZaloError(400, "Bad Request: chat_id is required")
        return chat_id

    def _reachable(self, chat_id: str) -> None:
        if chat_id not in self.known:
            raise ZaloError(403, "Forbidden: the user has not messaged the bot")

    def _record(self, method: str, chat_id: str, text: str, **more: Any) -> JSON:
        message_id = self._next_id()
        entry: JSON = {
            "method": method,
            "chat_id": chat_id,
            "text": text,
            "at": self.clock(),
            "message_id": message_id,
            **more,
        }
        self.sent.append(entry)
        self._notify()
        return {"message_id": message_id, "date": self._millis()}

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            raise ZaloError(400, f"Bad Request: text must be 1–{TEXT_LIMIT} characters")
        self._reachable(chat_id)
        return self._record("sendMessage", chat_id, text)

    async def _send_photo(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        caption = params.get("caption", "")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ZaloError(400, "Bad Request: photo must be a URL")
        if not isinstance(caption, str) or len(caption) > TEXT_LIMIT:
            raise ZaloError(400, f"Bad Request: caption must be at most {TEXT_LIMIT} characters")
        self._reachable(chat_id)
        return self._record("sendPhoto", chat_id, caption, photo=photo)

    async def _send_sticker(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise ZaloError(400, "Bad Request: sticker is required")
        self._reachable(chat_id)
        return self._record("sendSticker", chat_id, "", sticker=sticker)

    async def _send_chat_action(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        action = params.get("action", "typing")
        if action != "typing":
            raise ZaloError(400, "Bad Request: unknown action")
        self._reachable(chat_id)
        self.actions.append({"chat_id": chat_id, "action": action, "at": self.clock()})
        return True

    async def _set_webhook(self, params: JSON) -> JSON:
        url = params.get("url")
        secret = params.get("secret_token")
        schemes = ("https://", "http://") if self.allow_http_webhook else ("https://",)
        if not isinstance(url, str) or not url.startswith(schemes):
            raise ZaloError(400, "Bad Request: url must be an https URL")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise ZaloError(
                400, f"Bad Request: secret_token must be {SECRET_MIN}–{SECRET_MAX} characters"
            )
        self.webhook_url, self.webhook_secret = url, secret
        self._webhook_at = self._millis()
        # Updates queued for polling now go to the webhook.
        queued, self._updates = list(self._updates), deque()
        for update in queued:
            self.push_raw(update)
        return {"url": url, "updated_at": self._webhook_at}

    async def _delete_webhook(self, params: JSON) -> JSON:
        self.webhook_url = self.webhook_secret = None
        self._webhook_at = self._millis()
        return {"url": "", "updated_at": self._webhook_at}

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {"url": self.webhook_url or "", "updated_at": self._webhook_at}

    async def _post_webhook(self, update: JSON) -> None:
        url, secret = self.webhook_url, self.webhook_secret
        if url is None or secret is None:
            return
        if self._session is None:
            self._session = aiohttp.ClientSession()
        body = {"ok": True, "result": update}
        try:
            async with self._session.post(
                url,
                json=body,
                headers={SECRET_HEADER: secret},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.webhook_posts.append((status, body))
        self._notify()
