"""A client of the Zalo Bot API (httpx), its updates, and a long-polling loop.

The protocol, as documented: every call is ``POST {base}/bot<TOKEN>/<method>`` with a JSON
body; the answer is ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N,
"description": "…"}``. ``getUpdates`` returns one update at a time (no offset) and answers
408 «Request timeout» when nothing arrived within its ``timeout``, which is normal.

Errors are raised as the transport port's kinds (``bot/transport/port.py``), so the outbox
worker treats Zalo by the same rules as any channel (see :func:`_error`). The token is part of
every URL: no log line and no exception message here ever holds the URL, only the method name
(httpx's own logger, which does print URLs, is kept at WARNING by the application's logging
set-up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.transport.pacing import PaceClock, SlidingWindow
from bot.transport.plaintext import PLAIN_LIMIT
from bot.transport.port import ChannelError, SlowDown, Undeliverable, Unreachable

log = logging.getLogger("hoidap.zalo")

ZALO_API_URL = "https://bot-api.zaloplatforms.com"

DEFAULT_RETRY_AFTER = 5  # seconds, when a 429 does not say how long to wait
IDLE_CODE = 408  # getUpdates: nothing arrived within the timeout

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"
EVENTS = frozenset({EVENT_TEXT, EVENT_IMAGE, EVENT_STICKER, EVENT_UNSUPPORTED})
CHAT_TYPES = frozenset({"PRIVATE", "GROUP"})


@dataclass(frozen=True)
class ZaloMessage:
    """One incoming update."""

    event: str  # event_name, e.g. "message.text.received"
    message_id: str
    user_id: str  # message.from.id
    display_name: str  # message.from.display_name ("" when missing)
    chat_id: str  # message.chat.id
    chat_type: str  # "PRIVATE" | "GROUP"
    date: datetime  # from milliseconds, tz-aware UTC
    text: str | None  # None for image/sticker/unsupported


class _Malformed(ValueError):
    pass


def _ident(value: object, what: str) -> str:
    """An id: documented as a string; a whole number is taken as its decimal string."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Malformed(f"{what} missing or not a string")


def _millis(value: object) -> datetime:
    if isinstance(value, bool):
        raise _Malformed("date is not a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _Malformed("date is not a number") from None
    if not isinstance(value, int | float):
        raise _Malformed("date missing or not a number")
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise _Malformed("date out of range") from None


def _parse(update: object) -> ZaloMessage:
    if not isinstance(update, Mapping):
        raise _Malformed("update is not an object")
    result: Mapping[str, Any] = update
    inner = result.get("result")
    if "event_name" not in result and isinstance(inner, Mapping):
        result = inner  # the API envelope {"ok": true, "result": {...}}
    event = result.get("event_name")
    if not isinstance(event, str) or not event:
        raise _Malformed("event_name missing")
    message = result.get("message")
    if not isinstance(message, Mapping):
        raise _Malformed("message missing")
    sender = message.get("from")
    chat = message.get("chat")
    if not isinstance(sender, Mapping):
        raise _Malformed("message.from missing")
    if not isinstance(chat, Mapping):
        raise _Malformed("message.chat missing")
    chat_type = chat.get("chat_type")
    if not isinstance(chat_type, str) or chat_type.upper() not in CHAT_TYPES:
        raise _Malformed("message.chat.chat_type missing or unknown")
    name = sender.get("display_name")
    text = message.get("text")
    if text is not None and not isinstance(text, str):
        raise _Malformed("message.text is not a string")
    if event == EVENT_TEXT and text is None:
        raise _Malformed("text event without text")
    return ZaloMessage(
        event=event,
        message_id=_ident(message.get("message_id"), "message.message_id"),
        user_id=_ident(sender.get("id"), "message.from.id"),
        display_name=name.strip() if isinstance(name, str) else "",
        chat_id=_ident(chat.get("id"), "message.chat.id"),
        chat_type=chat_type.upper(),
        date=_millis(message.get("date")),
        text=text if event == EVENT_TEXT else None,
    )


def parse_update(result: object) -> ZaloMessage | None:
    """The update in a getUpdates result or a webhook body; None (logged) when malformed.

    Accepts the bare update ``{event_name, message}`` and the envelope ``{"ok": true,
    "result": {...}}``. The log line says what is wrong, never what the message says.
    """
    try:
        return _parse(result)
    except _Malformed as exc:
        log.warning("zalo: malformed update ignored: %s", exc)
        return None


class TokenRefused(Unreachable):
    """Zalo refused the bot token (401): polling stops; what is owed stays owed."""


class TimedOut(Unreachable):
    """No answer in time (or Zalo's 408 when getUpdates had nothing to give)."""


def _error(method: str, code: int, description: str, payload: Mapping[str, Any]) -> ChannelError:
    """The port's kind of error for a Zalo error answer (as the outbox expects)."""
    what = f"Zalo {method}: {description or 'error'} ({code})"
    if code == 429:
        params = payload.get("parameters")
        wait: object = params.get("retry_after") if isinstance(params, Mapping) else None
        if isinstance(wait, str) and wait.strip().isdigit():
            wait = int(wait)
        if isinstance(wait, bool) or not isinstance(wait, int | float) or wait <= 0:
            wait = DEFAULT_RETRY_AFTER
        return SlowDown(float(wait), what)
    if code == 401:
        return TokenRefused(what)
    if code == 403:
        return Undeliverable(f"Forbidden: {what}")
    if code == IDLE_CODE:
        return TimedOut(what)
    if 400 <= code < 500:
        return Undeliverable(f"BadRequest: {description or what}")
    return Unreachable(what)  # 5xx and anything unexpected: temporary


def _pacer(rate: float, clock: PaceClock | None = None) -> SlidingWindow:
    """At most ``rate`` messages per second: ``limit`` starts in ``limit / rate`` seconds."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    limit = max(1, int(rate))
    return SlidingWindow(limit=limit, window=limit / rate, clock=clock)


class ZaloApi:
    """The Zalo Bot API methods the bot uses. One instance per token; ``close()`` at the end."""

    def __init__(
        self,
        token: str,
        base_url: str = ZALO_API_URL,
        *,
        timeout: float = 10.0,
        poll_timeout: int = 30,
        rate: float = 5.0,
        client: httpx.AsyncClient | None = None,
        pacer: SlidingWindow | None = None,
        pace_clock: PaceClock | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.poll_timeout = poll_timeout
        self.rate = rate
        self.pacer = pacer if pacer is not None else _pacer(rate, pace_clock)
        self._own_client = client is None
        self._client = client if client is not None else httpx.AsyncClient()

    def _url(self, method: str) -> str:
        return f"{self.base_url}/bot{self._token}/{method}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "<zalo-token>")

    async def _post(
        self, method: str, params: Mapping[str, Any], *, read_timeout: float | None = None
    ) -> tuple[int, Mapping[str, Any]]:
        """POST one call; (error code or 0, the answer). Transport failures raise."""
        timeout = httpx.Timeout(self.timeout, read=read_timeout or self.timeout)
        try:
            response = await self._client.post(
                self._url(method), json=dict(params), timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise TimedOut(f"Zalo {method}: timed out ({type(exc).__name__})") from None
        except Exception as exc:  # connect errors, protocol errors; the message may hold the URL
            raise Unreachable(f"Zalo {method}: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, Mapping) or not isinstance(body.get("ok"), bool):
            raise Unreachable(
                f"Zalo {method}: the answer is not the API's JSON (HTTP {response.status_code})"
            )
        if body["ok"]:
            return 0, body
        code = body.get("error_code")
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int):
            code = response.status_code if response.status_code >= 400 else 500
        description = body.get("description")
        text = self._scrub(str(description))[:300] if description else ""
        return code, {**body, "description": text}

    async def _call(
        self, method: str, params: Mapping[str, Any], *, read_timeout: float | None = None
    ) -> Any:
        code, body = await self._post(method, params, read_timeout=read_timeout)
        if code:
            raise _error(method, code, str(body.get("description") or ""), body)
        return body.get("result")

    async def get_me(self) -> dict[str, Any]:
        result = await self._call("getMe", {})
        if not isinstance(result, dict):
            raise Unreachable("Zalo getMe: the result is not an object")
        return result

    async def get_updates(self) -> ZaloMessage | None:
        """Wait up to ``poll_timeout`` seconds for one update; None when none (or malformed)."""
        params = {"timeout": str(self.poll_timeout)}
        code, body = await self._post(
            "getUpdates", params, read_timeout=self.poll_timeout + self.timeout
        )
        if code == IDLE_CODE:
            return None  # nothing arrived: normal
        if code:
            raise _error("getUpdates", code, str(body.get("description") or ""), body)
        result = body.get("result")
        if result is None:
            return None
        return parse_update(result)

    @staticmethod
    def _message_id(result: object) -> str | None:
        if isinstance(result, Mapping):
            mid = result.get("message_id")
            if isinstance(mid, str | int) and not isinstance(mid, bool) and str(mid):
                return str(mid)
        return None

    async def _paced(self, method: str, params: Mapping[str, Any], bulk: bool) -> Any:
        """A call that puts a message into a chat: in its turn of the pace (a reply before what
        the outbox owes); a flood answer holds every turn for its ``retry_after``."""
        if bulk:
            await self.pacer.turn(urgent=False)
        else:
            await self.pacer.acquire()
        try:
            return await self._call(method, params)
        except SlowDown as exc:
            self.pacer.pause(exc.retry_after)
            raise

    async def send_message(self, chat_id: str, text: str, *, bulk: bool = False) -> str | None:
        """Send plain text (1–2000 characters: the caller splits); the message id if given.
        ``bulk``: what the outbox owes (a reply to a person goes first)."""
        if not text or not text.strip():
            raise ValueError("Zalo sendMessage: empty text")
        if len(text) > PLAIN_LIMIT:
            raise ValueError(f"Zalo sendMessage: text over {PLAIN_LIMIT} characters")
        result = await self._paced("sendMessage", {"chat_id": chat_id, "text": text}, bulk)
        return self._message_id(result)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str | None:
        if len(caption) > PLAIN_LIMIT:
            raise ValueError(f"Zalo sendPhoto: caption over {PLAIN_LIMIT} characters")
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        result = await self._paced("sendPhoto", params, False)
        return self._message_id(result)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self._call("deleteWebhook", {})

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self._call("getWebhookInfo", {})
        return result if isinstance(result, dict) else {}

    async def close(self) -> None:
        if self._own_client:
            await self._client.aclose()


OnMessage = Callable[[ZaloMessage], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class ZaloPoller:
    """Long polling: each update to ``on_message``, in order, one at a time.

    An idle poll (408) polls again at once. A temporary failure (network, 5xx, 429, an error
    answer such as getUpdates refused while a webhook is set) backs off 1, 2, 4 … up to
    ``max_backoff`` seconds (at least a 429's ``retry_after``), reset after a success. A
    refused token stops polling with one error line: retrying cannot help.
    """

    def __init__(
        self,
        api: ZaloApi,
        on_message: OnMessage,
        *,
        max_backoff: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.api = api
        self.on_message = on_message
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.polled = 0  # getUpdates calls answered (an update or idle)
        self.errors = 0  # getUpdates calls that failed
        self.handled = 0  # updates given to on_message
        self.stopped_by_token = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self.stopped_by_token = False
            self._task = asyncio.create_task(self._run(), name="hoidap-zalo-poller")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def wait(self) -> None:
        """Until the loop ends by itself (a refused token); tests."""
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                message = await self.api.get_updates()
            except TokenRefused:
                self.errors += 1
                self.stopped_by_token = True
                log.error("zalo: the bot token was refused; polling stopped")
                return
            except SlowDown as exc:
                self.errors += 1
                delay = max(backoff, min(exc.retry_after, self.max_backoff))
                log.warning("zalo: getUpdates rate limited; retrying in %.0f s", delay)
                await self._sleep(delay)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except ChannelError as exc:
                self.errors += 1
                log.warning(
                    "zalo: getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except Exception:  # the loop must not die
                self.errors += 1
                log.exception("zalo: getUpdates failed unexpectedly; retrying in %.0f s", backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 1.0
            self.polled += 1
            if message is None:
                continue
            try:
                await self.on_message(message)
            except Exception:
                log.exception("zalo: handling message %s failed", message.message_id)
            self.handled += 1
