"""An in-process fake of the Telegram Bot API HTTP server.

The real ``telegram.ext.Application`` (with PTB's own HTTPX client) can be pointed at it::

    async with FakeBotAPI() as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )

The server keeps a small simulated world in memory (users, groups, message history, files),
lets tests inject what users do (messages, documents, button presses, ...) as pending updates
served through real long polling, and records everything the bot does (``sent``,
``requests``, ``callback_answers``, ``commands``).  Optional flood limits and a fault plan make
it answer like an overloaded or flaky Telegram.

How PTB talks to the Bot API (relevant for parameter decoding):

* every call is ``POST {base_url}{token}/{method}``;
* without uploads the body is ``application/x-www-form-urlencoded``; with uploads it is
  ``multipart/form-data``;
* string values are sent verbatim, every other value (ints, bools, dicts, lists) is sent as its
  JSON encoding inside the form field, so ``chat_id=42``, ``disable_notification=true`` and
  ``reply_markup={"inline_keyboard": ...}`` all arrive as strings.  Values are therefore decoded
  by parameter name (a text of ``"42"`` must stay a string);
* an ``InputFile`` without ``attach://`` is uploaded as a multipart part named like the
  parameter itself (``document``, ``photo``, ...) and the form field is omitted;
* file downloads are ``GET {base_file_url}{token}/{file_path}`` with the path percent-encoded
  (the ``:`` of the token arrives as ``%3A``).
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final

from aiohttp import web

__all__ = [
    "ApiError",
    "EntityParseError",
    "FakeBotAPI",
    "FaultPlan",
    "FloodLimits",
    "RecordedRequest",
    "SentMessage",
    "UploadedFile",
    "html_to_plain",
    "parse_html",
    "utf16_len",
]

JSON = dict[str, Any]

MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
CALLBACK_DATA_LIMIT: Final = 64
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024

FAULT_KINDS: Final = frozenset({"500", "502", "429", "timeout", "reset"})
OUTAGE_MODES: Final = frozenset({"reset", "502"})

# Update types Telegram leaves out when ``allowed_updates`` is unset or empty.
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

_SENDING_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendVoice",
        "sendPhoto",
        "sendAudio",
        "copyMessage",
        "forwardMessage",
    }
)
_EDIT_METHODS: Final = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
)

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Form fields are decoded by name: PTB JSON-encodes everything except plain strings.
_INT_PARAMS: Final = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "duration",
        "user_id",
        "cache_time",
        "message_thread_id",
        "width",
        "height",
        "max_connections",
    }
)
_BOOL_PARAMS: Final = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "disable_web_page_preview",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "only_if_banned",
    }
)
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "scope",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "media",
    }
)

_API_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]*)/?$")
_FILE_PREFIX = "/file/bot"
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

_FILE_FOLDERS: Final = {
    "document": "documents",
    "voice": "voice",
    "audio": "music",
    "photo": "photos",
}
_DEFAULT_EXTENSIONS: Final = {"document": "", "voice": ".oga", "audio": ".mp3", "photo": ".jpg"}


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Telegram-shaped error answer (``{"ok": false, "error_code": ..., ...}``)."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


# --------------------------------------------------------------------------------------------
# Telegram HTML (parse_mode="HTML")
# --------------------------------------------------------------------------------------------


class EntityParseError(ValueError):
    """Raised for text Telegram would reject with "can't parse entities"."""


_HTML_TAG_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
_TEXT_RUN = re.compile(r"[^&<]+")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, named = match.groups()
    if named is not None:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        decoded = _decode_entity(match)
        return match.group(0) if decoded is None else decoded

    return _ENTITY_RE.sub(replace, value)


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    attrs: dict[str, str]
    language: str | None = None


def _close_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[JSON]) -> None:
    css_class = tag.attrs.get("class", "")
    if (
        tag.name == "code"
        and stack
        and stack[-1].name == "pre"
        and css_class.startswith("language-")
    ):
        stack[-1].language = css_class.removeprefix("language-")
        return
    length = end - tag.start
    if length <= 0:
        return
    entity: JSON = {"type": _HTML_TAG_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    entities.append(entity)


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text plus message entities.

    Mirrors the checks of Telegram's own parser closely enough for tests: unknown tags,
    unbalanced or mismatched tags and malformed attributes raise :class:`EntityParseError`
    with Telegram's wording; unknown ``&...;`` sequences are kept literally, like Telegram does.
    """
    out: list[str] = []
    pos = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(match) if match else None
            if match is not None and decoded is not None:
                emit(decoded)
                i = match.end()
            else:
                emit("&")
                i += 1
            continue
        if ch != "<":
            run = _TEXT_RUN.match(text, i)
            assert run is not None
            emit(run.group(0))
            i = run.end()
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = i + 2
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            tag = stack[-1]
            if name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            stack.pop()
            _close_tag(tag, pos, stack, entities)
            i = j + 1
            continue

        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAG_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[j] == ">":
                break
            attr_begin = j
            while j < n and not text[j].isspace() and text[j] not in "=>":
                j += 1
            attr = text[attr_begin:j].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{byte_offset(attr_begin)}"
                )
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[j] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {byte_offset(begin)}'
                )
            j += 1
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            quote = text[j]
            if quote in "\"'":
                end = text.find(quote, j + 1)
                if end == -1:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                attrs[attr] = _unescape_attribute(text[j + 1 : end])
                j = end + 1
            else:
                value_begin = j
                while j < n and (text[j].isalnum() or text[j] in ".-_"):
                    j += 1
                attrs[attr] = text[value_begin:j]
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(name=name, start=pos, attrs=attrs))
        i = j + 1

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip surrounding whitespace like Telegram does, keeping entity offsets right."""
    left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(left)])
    core = left.rstrip()
    total = utf16_len(core)
    if lead == 0 and total == utf16_len(text):
        return text, entities
    trimmed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return core, trimmed


def html_to_plain(text: str) -> str:
    """Visible text of a Telegram HTML message (lenient: never raises)."""
    try:
        plain, _ = parse_html(text)
    except EntityParseError:
        plain = html.unescape(re.sub(r"<[^>]*>", "", text))
    return plain.strip()


# --------------------------------------------------------------------------------------------
# Public records and configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloodLimits:
    """Sliding-window rate limits modelled on Telegram's published guidance.

    * ``per_second_global`` messages per second over all chats;
    * private chats: at most ``per_chat_burst`` messages in any window of
      ``per_chat_burst / per_chat_per_second`` seconds (a sustained 1 msg/s with short bursts);
    * groups (negative chat ids): ``per_group_per_minute`` messages in any 60-second window.

    A limit of 0 disables it.  Edits only count when ``count_edits`` is set.
    """

    per_second_global: int = 30
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20
    per_chat_burst: int = 3
    count_edits: bool = False


@dataclass(frozen=True)
class FaultPlan:
    """Randomly fail a share of requests (reproducibly, from ``seed``).

    Kinds: ``"500"``/``"502"`` (Telegram-shaped server errors), ``"429"`` (flood answer with
    ``retry_after``), ``"timeout"`` (hang ``timeout_seconds``, then drop the connection) and
    ``"reset"`` (drop the connection without answering).  ``methods=None`` means every method
    except ``getUpdates``; name methods explicitly to include it (file downloads are the
    pseudo-method ``"downloadFile"``).  A faulted request has no effect.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("500", "502", "429", "timeout", "reset")
    seed: int = 0
    methods: frozenset[str] | None = None
    retry_after: int = 1
    timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not self.kinds and self.rate > 0:
            raise ValueError("a fault plan with a positive rate needs at least one kind")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")

    def applies_to(self, method: str) -> bool:
        if self.methods is None:
            return method not in ("getUpdates", "downloadFile")
        return method in self.methods


@dataclass
class _FailRule:
    method: str
    kind: str
    when: Callable[[JSON], bool] | None
    remaining: int


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part of a request (as found in ``RecordedRequest.params``)."""

    field: str
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


@dataclass
class SentMessage:
    """A message the bot sent; kept current when the bot edits or deletes it.

    ``text`` is the raw text as sent (the caption for media); ``date`` is a reading of the
    server's clock.  ``edits`` holds the previous texts, oldest first.
    """

    message_id: int
    chat_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    kind: str
    file_id: str | None = None
    file_name: str | None = None
    reply_to_message_id: int | None = None
    date: float = 0.0
    edits: list[str] = field(default_factory=list)
    deleted: bool = False
    params: JSON = field(default_factory=dict)

    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons as ``(text, callback_data)``; URL buttons give their URL."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [
            (
                str(button.get("text", "")),
                str(button.get("callback_data") or button.get("url") or ""),
            )
            for row in rows
            for button in row
        ]

    @property
    def plain_text(self) -> str:
        """Visible text: HTML tags stripped and entities unescaped."""
        if self.text is None:
            return ""
        if (self.parse_mode or "").lower() == "html":
            return html_to_plain(self.text)
        return self.text.strip()


@dataclass(frozen=True)
class RecordedRequest:
    """One handled API call.  ``status`` 0 means the connection was dropped (fault/outage)."""

    method: str
    params: JSON
    at: float
    status: int
    error: str | None = None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None


class _DropConnection(Exception):
    """Internal: answer by closing the connection (after an optional delay)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__("connection dropped")
        self.delay = delay


# --------------------------------------------------------------------------------------------
# Flood control
# --------------------------------------------------------------------------------------------


class _FloodGate:
    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def _windows(self, chat_id: int) -> list[tuple[deque[float], int, float]]:
        limits = self.limits
        windows: list[tuple[deque[float], int, float]] = []
        if limits.per_second_global > 0:
            windows.append((self._global, limits.per_second_global, 1.0))
        chat = self._chats.setdefault(chat_id, deque())
        if chat_id < 0:
            if limits.per_group_per_minute > 0:
                windows.append((chat, limits.per_group_per_minute, 60.0))
        elif limits.per_chat_per_second > 0 and limits.per_chat_burst > 0:
            span = limits.per_chat_burst / limits.per_chat_per_second
            windows.append((chat, limits.per_chat_burst, span))
        return windows

    def retry_after(self, chat_id: int) -> int | None:
        """Seconds to wait if a message to ``chat_id`` now would exceed a limit."""
        now = self._clock()
        wait = 0.0
        for window, limit, span in self._windows(chat_id):
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[len(window) - limit] + span - now)
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int) -> None:
        now = self._clock()
        self._global.append(now)
        self._chats.setdefault(chat_id, deque()).append(now)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_Handler = Callable[[JSON], Awaitable[Any]]


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if name in _BOOL_PARAMS:
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad("can't parse reply keyboard markup JSON object") from None
            raise _bad(f"can't parse {name} JSON object") from None
    return value


def _scope_key(scope: JSON | None, language_code: str = "") -> str:
    key = json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
    return f"{key}|{language_code}" if language_code else key


def _strip_reply(message: JSON) -> JSON:
    snapshot = copy.deepcopy(message)
    snapshot.pop("reply_to_message", None)
    return snapshot


class FakeBotAPI:
    """A local Telegram Bot API server with an in-memory world.  See the module docstring.

    Behaviour worth knowing:

    * users and groups referenced by injection helpers are registered on the fly; a group's
      messages only reach the bot while it is a member (see ``group(bot_status=...)``,
      ``add_bot_to_group`` and ``remove_bot_from_group``);
    * like Telegram, updates are served until a later ``getUpdates`` confirms them with a
      higher ``offset``; without ``allowed_updates`` the ``chat_member`` and reaction updates
      are not delivered;
    * message text is trimmed and HTML is parsed into entities as Telegram does; the records
      in ``sent`` keep the raw text the bot sent;
    * ``SentMessage.date`` and ``RecordedRequest.at`` are readings of ``clock`` (the clock
      that also drives the flood windows), Telegram ``date`` fields are Unix time;
    * all methods must be called from the event loop the server runs on.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 123456,
        bot_username: str = "hoidap_test_bot",
        flood: FloodLimits | None = None,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Hoidap Test Bot",
            "username": bot_username,
        }
        self._clock = clock
        self._flood = _FloodGate(flood, clock) if flood is not None else None
        self._faults = faults
        self._fault_rng = random.Random(faults.seed if faults else 0)
        self._outage: str | None = None
        self._rules: list[_FailRule] = []
        self._migrated: dict[int, int] = {}  # old group id -> supergroup id

        # Observation
        self.sent: list[SentMessage] = []
        self.requests: list[RecordedRequest] = []
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.injected_updates: list[JSON] = []
        self.flood_429_count = 0
        self.faults_injected = 0
        self.webhook_url = ""

        # World
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._members: dict[int, dict[int, str]] = {}
        self._bot_status: dict[int, str] = {}
        self._history: dict[int, dict[int, JSON]] = {}
        self._next_message_id: dict[int, int] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self._open_callbacks: set[str] = set()

        # Updates and long polling
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0

        # Waiting and lifecycle
        self._waiters: set[asyncio.Future[None]] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._dispatch: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    def _handlers(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._ok,
            "close": self._ok,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendAudio": self._send_audio,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "setMyDescription": self._ok,
            "setMyShortDescription": self._ok,
            "setMyName": self._ok,
            "setChatMenuButton": self._ok,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self, *, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port unless ``port`` is given)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._route)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._notify()
        await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> FakeBotAPI:
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
    def running(self) -> bool:
        return self._runner is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---------------------------------------------------------------- runtime switches

    def set_faults(self, plan: FaultPlan | None) -> None:
        self._faults = plan
        self._fault_rng = random.Random(plan.seed if plan else 0)

    def set_outage(self, on: bool, *, mode: str = "reset") -> None:
        """While on, every request fails: dropped connection (``"reset"``) or a 502."""
        if mode not in OUTAGE_MODES:
            raise ValueError(f"outage mode must be one of {sorted(OUTAGE_MODES)}")
        self._outage = mode if on else None

    def fail_next(
        self,
        method: str,
        kind: str = "500",
        *,
        when: Callable[[JSON], bool] | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` whose parameters satisfy ``when`` fail with a
        fault of ``kind`` (see :class:`FaultPlan`); a failed call has no effect."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        self._rules.append(_FailRule(method, kind, when, times))

    def _rule_fault(self, method: str, params: JSON) -> str | None:
        for rule in self._rules:
            if rule.method == method and rule.remaining > 0 and (
                rule.when is None or rule.when(params)
            ):
                rule.remaining -= 1
                self.faults_injected += 1
                return rule.kind
        return None

    def migrate_group(
        self, chat_id: int, new_chat_id: int, *, by_user: int | None = None, emit: bool = True
    ) -> None:
        """Telegram upgrades the group to a supergroup with a new id. Sending to the old id then
        fails with 400 and ``migrate_to_chat_id``; with ``emit`` the bot gets both service
        messages (``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id`` in the new)."""
        old = self._ensure_chat(chat_id)
        if new_chat_id >= -(10**12):
            raise ValueError("supergroup ids look like -100xxxxxxxxxx")
        chat: JSON = {"id": new_chat_id, "type": "supergroup", "title": old.get("title", "")}
        self._chats[new_chat_id] = chat
        self._bot_status[new_chat_id] = self._bot_status.get(chat_id, "member")
        self._members[new_chat_id] = dict(self._members.get(chat_id, {}))
        self._migrated[chat_id] = new_chat_id
        if not emit:
            return
        user = self._ensure_user(by_user) if by_user is not None else None
        for where, key, value in (
            (old, "migrate_to_chat_id", new_chat_id),
            (chat, "migrate_from_chat_id", chat_id),
        ):
            message: JSON = {
                "message_id": self._new_message_id(where["id"]),
                "chat": dict(where),
                "date": int(time.time()),
                key: value,
            }
            if user is not None:
                message["from"] = dict(user)
            self._store_message(message)
            self._push_update({"message": message})

    def set_flood_limits(self, limits: FloodLimits | None) -> None:
        self._flood = _FloodGate(limits, self._clock) if limits is not None else None

    # ---------------------------------------------------------------- world

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register (or update) a user; their private chat has the same id."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            user["last_name"] = chat["last_name"] = last_name
        if username is not None:
            user["username"] = chat["username"] = username
        self._users[user_id] = user
        self._chats[user_id] = chat
        return dict(user)

    def group(self, chat_id: int, title: str, *, bot_status: str = "member") -> JSON:
        """Register a group chat (negative id); the bot is a member unless told otherwise."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat: JSON = {"id": chat_id, "type": "group", "title": title}
        self._chats[chat_id] = chat
        self._bot_status[chat_id] = bot_status
        self._members.setdefault(chat_id, {})
        return dict(chat)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Status reported by getChatMember ("creator", "administrator", "member", ...)."""
        self._ensure_user(user_id)
        self._ensure_chat(chat_id)
        self._members.setdefault(chat_id, {})[user_id] = status

    def block_bot(self, user_id: int, *, emit_update: bool = True) -> JSON | None:
        """The user blocks the bot; sending to them then fails with 403."""
        user = self._ensure_user(user_id)
        self._blocked.add(user_id)
        if not emit_update:
            return None
        return self._member_update(user, self._chats[user_id], "member", "kicked")

    def unblock_bot(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def _ensure_user(self, user_id: int) -> JSON:
        if user_id not in self._users:
            self.user(user_id, f"User{user_id}")
        return self._users[user_id]

    def _ensure_chat(self, chat_id: int) -> JSON:
        if chat_id not in self._chats:
            if chat_id > 0:
                self._ensure_user(chat_id)
            else:
                self.group(chat_id, f"Group {chat_id}")
        return self._chats[chat_id]

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _store_message(self, message: JSON) -> None:
        self._history.setdefault(message["chat"]["id"], {})[message["message_id"]] = message

    def find_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of any message (user's or bot's) in the chat history."""
        return self._history.get(chat_id, {}).get(message_id)

    def _store_file(
        self, kind: str, data: bytes, file_name: str | None, mime_type: str | None
    ) -> _StoredFile:
        self._file_counter += 1
        number = self._file_counter
        extension = _DEFAULT_EXTENSIONS[kind]
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"FAKE-{kind.upper()}-{number:06d}",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            data=bytes(data),
            file_path=f"{_FILE_FOLDERS[kind]}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    @staticmethod
    def _media_payload(stored: _StoredFile, duration: int | None = None) -> JSON:
        base: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.kind == "photo":
            return {"photo": [{**base, "width": 800, "height": 600}]}
        if stored.mime_type:
            base["mime_type"] = stored.mime_type
        if stored.kind in ("voice", "audio"):
            base["duration"] = duration or 1
        if stored.kind in ("document", "audio") and stored.file_name:
            base["file_name"] = stored.file_name
        return {stored.kind: base}

    # ---------------------------------------------------------------- user actions

    def _push_update(self, body: JSON) -> JSON:
        update = copy.deepcopy(body)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
        self._pending.append(update)
        self.injected_updates.append(update)
        self._notify()
        return update

    def _user_message(
        self, user_id: int, chat_id: int | None, reply_to_message_id: int | None
    ) -> JSON:
        user = self._ensure_user(user_id)
        target = user_id if chat_id is None else chat_id
        chat = self._ensure_chat(target)
        if target < 0:
            self._members.setdefault(target, {}).setdefault(user_id, "member")
        message: JSON = {
            "message_id": self._new_message_id(target),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            original = self.find_message(target, reply_to_message_id)
            if original is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {target}")
            message["reply_to_message"] = _strip_reply(original)
        return message

    def _deliver_user_message(self, message: JSON) -> JSON:
        self._store_message(message)
        chat_id = message["chat"]["id"]
        if chat_id > 0 or self._bot_status.get(chat_id, "member") not in ("left", "kicked"):
            self._push_update({"message": message})
        return copy.deepcopy(message)

    def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends ``text`` (a command when it starts with "/"); returns the Message."""
        message = self._user_message(user_id, chat_id, reply_to_message_id)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._deliver_user_message(message)

    def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("document", data, filename, mime_type)
        message.update(self._media_payload(stored))
        if caption is not None:
            message["caption"] = caption
        return self._deliver_user_message(message)

    def send_voice(
        self, user_id: int, data: bytes, duration: int = 5, chat_id: int | None = None
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("voice", data, None, "audio/ogg")
        message.update(self._media_payload(stored, duration))
        return self._deliver_user_message(message)

    def send_photo(
        self,
        user_id: int,
        data: bytes,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("photo", data, None, "image/jpeg")
        message.update(self._media_payload(stored))
        if caption is not None:
            message["caption"] = caption
        return self._deliver_user_message(message)

    def press(self, user_id: int, message_id: int, chat_id: int, data: str) -> str:
        """The user presses an inline button carrying ``data``; returns the callback query id."""
        user = self._ensure_user(user_id)
        message = self.find_message(chat_id, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self._callback_counter)
        self._open_callbacks.add(query_id)
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(user),
                    "message": message,
                    "chat_instance": str(abs(chat_id) * 7919 + 17),
                    "data": data,
                }
            }
        )
        return query_id

    def press_button(self, user_id: int, sent: SentMessage, text: str) -> str:
        """Press the inline button whose visible text is ``text`` in the message's markup."""
        for label, data in sent.buttons():
            if label == text:
                return self.press(user_id, sent.message_id, sent.chat_id, data)
        raise LookupError(
            f"no button {text!r} in message {sent.message_id}; buttons: {sent.buttons()}"
        )

    def _member_update(self, user: JSON, chat: JSON, old: str, new: str) -> JSON:
        extra: JSON = {"until_date": 0} if new == "kicked" else {}
        return self._push_update(
            {
                "my_chat_member": {
                    "chat": dict(chat),
                    "from": dict(user),
                    "date": int(time.time()),
                    "old_chat_member": {"status": old, "user": dict(self.bot_user)},
                    "new_chat_member": {"status": new, "user": dict(self.bot_user), **extra},
                }
            }
        )

    def add_bot_to_group(self, user_id: int, chat_id: int) -> JSON:
        """The user adds the bot to the group (``my_chat_member`` left -> member)."""
        user = self._ensure_user(user_id)
        chat = self._ensure_chat(chat_id)
        self._members.setdefault(chat_id, {}).setdefault(user_id, "member")
        self._bot_status[chat_id] = "member"
        return self._member_update(user, chat, "left", "member")

    def remove_bot_from_group(self, user_id: int, chat_id: int) -> JSON:
        """The user removes the bot (``my_chat_member`` member -> left); sends then get 403."""
        user = self._ensure_user(user_id)
        chat = self._ensure_chat(chat_id)
        self._bot_status[chat_id] = "left"
        return self._member_update(user, chat, "member", "left")

    def inject_raw(self, update_body: JSON) -> JSON:
        """Queue any raw update; a given ``update_id`` is kept (duplicates/replays allowed)."""
        return self._push_update(update_body)

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates the bot has not confirmed yet."""
        return list(self._pending)

    @property
    def poll_count(self) -> int:
        """Number of getUpdates calls received so far (counted on arrival)."""
        return self._poll_generation

    # ---------------------------------------------------------------- observation

    def mark(self) -> int:
        return len(self.sent)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def calls(self, method: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.method == method]

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return list(self.commands.get(_scope_key(scope, language_code), []))

    @staticmethod
    def scope_key(scope: JSON | None = None, language_code: str = "") -> str:
        """Key of ``commands``: canonical scope JSON, plus ``|lang`` when a language is set."""
        return _scope_key(scope, language_code)

    def describe_sent(self, last: int = 30) -> str:
        lines = []
        start = max(0, len(self.sent) - last)
        for index, message in enumerate(self.sent[start:], start):
            text = message.plain_text.replace("\n", " / ")
            if len(text) > 100:
                text = text[:97] + "..."
            flags = " (deleted)" if message.deleted else ""
            buttons = (
                f" buttons={[label for label, _ in message.buttons()]}" if message.buttons() else ""
            )
            lines.append(
                f"  #{index} chat={message.chat_id} id={message.message_id} {message.kind}"
                f"{flags}: {text!r}{buttons}"
            )
        failures = [request for request in self.requests if request.status != 200][-10:]
        if failures:
            lines.append("  failed requests:")
            lines.extend(
                f"    {request.method} -> {request.status} {request.error or ''}"
                for request in failures
            )
        return "\n".join(lines) if lines else "  (nothing sent)"

    # ---------------------------------------------------------------- waiting helpers

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_change(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    async def _until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self._wait_change(remaining)
        return True

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> SentMessage:
        """First sent message (index >= ``after``) matching ``predicate``, as soon as it exists.

        Re-evaluated on every server event, so predicates over edited text work too.
        """
        found: list[SentMessage] = []

        def check() -> bool:
            for message in self.sent[after:]:
                if predicate(message):
                    found.append(message)
                    return True
            return False

        if await self._until(check, timeout):
            return found[0]
        raise TimeoutError(
            f"no sent message (index >= {after}) matched within {timeout}s; sent so far:\n"
            + self.describe_sent()
        )

    async def wait_for_callback_answer(
        self,
        callback_query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JSON:
        if await self._until(lambda: callback_query_id in self.callback_answers, timeout):
            return self.callback_answers[callback_query_id]
        raise TimeoutError(
            f"callback query {callback_query_id} was not answered within {timeout}s; "
            f"answered: {sorted(self.callback_answers)}"
        )

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` holds; re-checked after every request and injection."""
        if not await self._until(predicate, timeout):
            raise TimeoutError(
                f"condition not met within {timeout}s; sent so far:\n" + self.describe_sent()
            )

    async def wait_updates_consumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (via a later getUpdates offset) every queued update."""
        if not await self._until(lambda: not self._pending, timeout):
            ids = [update["update_id"] for update in self._pending]
            raise TimeoutError(f"updates not confirmed within {timeout}s: {ids}")

    # ---------------------------------------------------------------- HTTP layer

    async def _route(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith(_FILE_PREFIX):
            return await self._serve_file(request)
        return await self._serve_api(request)

    def _record(
        self, method: str, params: JSON, at: float, status: int, error: str | None = None
    ) -> None:
        self.requests.append(RecordedRequest(method, params, at, status, error))
        self._notify()

    @staticmethod
    def _json(body: JSON, status: int = 200) -> web.Response:
        return web.json_response(body, status=status)

    async def _drop(self, request: web.Request, delay: float = 0.0) -> web.Response:
        if delay > 0:
            await self._until(lambda: self._closing, delay)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)

    def _pick_fault(self, method: str) -> str | None:
        plan = self._faults
        if plan is None or plan.rate <= 0 or not plan.applies_to(method):
            return None
        if self._fault_rng.random() >= plan.rate:
            return None
        self.faults_injected += 1
        return self._fault_rng.choice(plan.kinds)

    def _fault_error(self, kind: str) -> ApiError | _DropConnection:
        plan = self._faults
        retry_after = plan.retry_after if plan else 1
        if kind == "500":
            return ApiError(500, "Internal Server Error")
        if kind == "502":
            return ApiError(502, "Bad Gateway")
        if kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        if kind == "timeout":
            return _DropConnection(plan.timeout_seconds if plan else 5.0)
        return _DropConnection()

    async def _answer_failure(
        self,
        request: web.Request,
        method: str,
        params: JSON,
        at: float,
        failure: ApiError | _DropConnection,
    ) -> web.Response:
        if isinstance(failure, ApiError):
            self._record(method, params, at, failure.code, failure.description)
            return self._json(failure.body(), failure.code)
        self._record(method, params, at, 0, "connection dropped")
        return await self._drop(request, failure.delay)

    def _outage_failure(self) -> ApiError | _DropConnection | None:
        if self._outage is None:
            return None
        if self._outage == "502":
            return ApiError(502, "Bad Gateway")
        return _DropConnection()

    async def _read_params(self, request: web.Request) -> JSON:
        raw: JSON = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            content_type = request.content_type
            try:
                if content_type == "application/json":
                    try:
                        body = await request.json()
                    except ValueError:
                        raise _bad("can't parse JSON object") from None
                    if not isinstance(body, dict):
                        raise _bad("can't parse JSON object")
                    raw.update(body)
                elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    form = await request.post()
                    for key, value in form.items():
                        if isinstance(value, web.FileField):
                            raw[key] = UploadedFile(
                                field=key,
                                filename=value.filename,
                                content_type=value.content_type,
                                data=value.file.read(),
                            )
                        elif isinstance(value, bytes):
                            raw[key] = value.decode("utf-8", "replace")
                        else:
                            raw[key] = value
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
        return {key: _coerce(key, value) for key, value in raw.items()}

    async def _serve_api(self, request: web.Request) -> web.Response:
        at = self._clock()
        match = _API_PATH.match(request.path)
        name = match.group("method") if match else request.path
        outage = self._outage_failure()
        if outage is not None:
            return await self._answer_failure(request, name, {}, at, outage)
        if match is None or not match.group("method"):
            return await self._answer_failure(request, name, {}, at, ApiError(404, "Not Found"))
        if match.group("token") != self.token:
            return await self._answer_failure(request, name, {}, at, ApiError(401, "Unauthorized"))
        entry = self._dispatch.get(name.lower())
        if entry is None:
            return await self._answer_failure(request, name, {}, at, ApiError(404, "Not Found"))
        method, handler = entry
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return await self._answer_failure(request, method, {}, at, error)

        fault = self._rule_fault(method, params) or self._pick_fault(method)
        if fault is not None:
            return await self._answer_failure(request, method, params, at, self._fault_error(fault))

        flood_chat = self._flood_chat(method, params)
        try:
            if flood_chat is not None and self._flood is not None:
                retry_after = self._flood.retry_after(flood_chat)
                if retry_after is not None:
                    self.flood_429_count += 1
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after},
                    )
            result = await handler(params)
        except ApiError as error:
            if request.transport is None or request.transport.is_closing():
                # e.g. a long poll the client cancelled before it was superseded
                error.description += " (client had already disconnected)"
            return await self._answer_failure(request, method, params, at, error)
        if flood_chat is not None and self._flood is not None:
            self._flood.record(flood_chat)
        self._record(method, params, at, 200)
        return self._json({"ok": True, "result": result})

    def _flood_chat(self, method: str, params: JSON) -> int | None:
        if self._flood is None:
            return None
        counted = method in _SENDING_METHODS or (
            self._flood.limits.count_edits and method in _EDIT_METHODS
        )
        chat_id = params.get("chat_id")
        if counted and isinstance(chat_id, int) and not isinstance(chat_id, bool):
            return chat_id
        return None

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        at = self._clock()
        token, _, file_path = request.path[len(_FILE_PREFIX) :].partition("/")
        params: JSON = {"file_path": file_path}
        failure = self._outage_failure()
        if failure is None:
            fault = self._pick_fault("downloadFile")
            failure = self._fault_error(fault) if fault is not None else None
        if failure is None and (token != self.token or file_path not in self._files_by_path):
            failure = ApiError(404, "Not Found")
        if failure is not None:
            return await self._answer_failure(request, "downloadFile", params, at, failure)
        stored = self._files_by_path[file_path]
        self._record("downloadFile", params, at, 200)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ---------------------------------------------------------------- parameter helpers

    @staticmethod
    def _int(params: JSON, name: str) -> int:
        value = params.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(f"invalid {name} specified")
        return value

    @staticmethod
    def _opt_int(params: JSON, name: str) -> int | None:
        value = params.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f"invalid {name} specified")
        return int(value)

    @staticmethod
    def _opt_str(params: JSON, name: str) -> str | None:
        value = params.get(name)
        return None if value is None else str(value)

    def _chat_id(self, params: JSON, name: str = "chat_id") -> int:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == value[1:].lower():
                    return int(chat["id"])
            raise _bad("chat not found")
        return self._int(params, name)

    def _chat(self, chat_id: int, *, writing: bool = True) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if writing:
            if chat_id > 0 and chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            status = self._bot_status.get(chat_id, "member")
            if chat_id < 0 and status == "kicked":
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            if chat_id < 0 and status == "left":
                raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        return chat

    @staticmethod
    def _format(
        text: str, parse_mode: str | None, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSON]]:
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, parsed = parse_html(text)
            except EntityParseError as error:
                raise _bad(f"can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain = text
            parsed = list(entities) if mode == "" and isinstance(entities, list) else []
        else:
            raise _bad("unsupported parse_mode")
        plain, parsed = _trim(plain, parsed)
        if caption:
            if utf16_len(plain) > CAPTION_LIMIT:
                raise _bad("message caption is too long")
        else:
            if not plain:
                raise _bad("message text is empty")
            if utf16_len(plain) > MESSAGE_LIMIT:
                raise _bad("message is too long")
        return plain, parsed

    @staticmethod
    def _markup(value: Any) -> JSON | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            return value
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                "can't parse reply keyboard markup: inline_keyboard must be an array of arrays"
            )
        actions = (
            "callback_data",
            "url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "web_app",
            "login_url",
            "copy_text",
            "pay",
            "callback_game",
            "switch_inline_query_chosen_chat",
        )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad("can't parse inline keyboard button: Text must be a String")
                if not any(key in button for key in actions):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    raise _bad("BUTTON_DATA_INVALID")
        if not any(rows):
            return None
        return value

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        message_id = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply", False))
        target_chat = chat_id
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply", allow_missing))
            if isinstance(reply_parameters.get("chat_id"), int):
                target_chat = reply_parameters["chat_id"]
        if message_id is None:
            return None
        original = self.find_message(target_chat, int(message_id))
        if original is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return _strip_reply(original)

    def _new_bot_message(self, chat: JSON, params: JSON) -> JSON:
        chat_id = int(chat["id"])
        reply_to = self._reply_target(chat_id, params)
        message: JSON = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if params.get("protect_content"):
            message["has_protected_content"] = True
        return message

    def _commit(
        self,
        message: JSON,
        kind: str,
        params: JSON,
        *,
        text: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        stored: _StoredFile | None = None,
    ) -> SentMessage:
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store_message(message)
        reply = message.get("reply_to_message")
        sent = SentMessage(
            message_id=message["message_id"],
            chat_id=message["chat"]["id"],
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            kind=kind,
            file_id=stored.file_id if stored else None,
            file_name=stored.file_name if stored else None,
            reply_to_message_id=reply["message_id"] if reply else None,
            date=self._clock(),
            params=params,
        )
        self.sent.append(sent)
        self._sent_index[(sent.chat_id, sent.message_id)] = sent
        self._notify()
        return sent

    def _input_file(self, params: JSON, name: str, kind: str) -> _StoredFile:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            mime = value.content_type or None
            if kind == "voice":
                mime = "audio/ogg"
            return self._store_file(kind, value.data, value.filename or None, mime)
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            return stored
        raise _bad(f"there is no {name} in the request")

    # ---------------------------------------------------------------- method handlers

    async def _ok(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]
        self._notify()

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates

        def wanted(update: JSON) -> bool:
            kinds = [key for key in update if key != "update_id"]
            if not kinds:
                return True
            if allowed is None:
                return kinds[0] not in _DEFAULT_EXCLUDED_UPDATES
            return kinds[0] in allowed

        kept = [update for update in self._pending if wanted(update)]
        if len(kept) != len(self._pending):
            self._pending = kept
            self._notify()
        return kept[:limit]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        limit = min(max(self._opt_int(params, "limit") or 100, 1), 100)
        timeout = params.get("timeout") or 0
        if not isinstance(timeout, int | float) or isinstance(timeout, bool):
            raise _bad("invalid timeout specified")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(kind) for kind in allowed) or None
        self._confirm(self._opt_int(params, "offset"))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._closing:
                return []
            batch = self._deliverable(limit)
            if batch:
                return copy.deepcopy(batch)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = self._opt_str(params, "url") or ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(self._chat_id(params))
        text = self._opt_str(params, "text") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(text, parse_mode, params.get("entities"))
        markup = self._markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        self._commit(message, "text", params, text=text, parse_mode=parse_mode, markup=markup)
        return message

    async def _send_media(self, params: JSON, kind: str) -> JSON:
        chat = self._chat(self._chat_id(params))
        caption = self._opt_str(params, "caption")
        parse_mode = self._opt_str(params, "parse_mode")
        markup = self._markup(params.get("reply_markup"))
        formatted = (
            self._format(caption, parse_mode, params.get("caption_entities"), caption=True)
            if caption is not None
            else None
        )
        stored = self._input_file(params, kind, kind)
        message = self._new_bot_message(chat, params)
        message.update(self._media_payload(stored, self._opt_int(params, "duration")))
        if kind == "audio":
            for key in ("title", "performer"):
                if params.get(key) is not None:
                    message["audio"][key] = str(params[key])
        if formatted is not None and formatted[0]:
            message["caption"] = formatted[0]
            if formatted[1]:
                message["caption_entities"] = formatted[1]
        self._commit(
            message, kind, params, text=caption, parse_mode=parse_mode, markup=markup, stored=stored
        )
        return message

    async def _send_document(self, params: JSON) -> JSON:
        return await self._send_media(params, "document")

    async def _send_voice(self, params: JSON) -> JSON:
        return await self._send_media(params, "voice")

    async def _send_audio(self, params: JSON) -> JSON:
        return await self._send_media(params, "audio")

    async def _send_photo(self, params: JSON) -> JSON:
        return await self._send_media(params, "photo")

    def _editable(self, params: JSON, writing: bool = True) -> tuple[JSON, SentMessage]:
        if params.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=writing)
        message = self.find_message(chat_id, self._int(params, "message_id"))
        if message is None:
            raise _bad("message to edit not found")
        sent = self._sent_index.get((chat_id, message["message_id"]))
        if sent is None:
            raise _bad("message can't be edited")
        return message, sent

    @staticmethod
    def _inline_only(markup: JSON | None) -> JSON | None:
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    def _apply_markup(self, message: JSON, sent: SentMessage, markup: JSON | None) -> None:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        sent.reply_markup = markup
        message["edit_date"] = int(time.time())

    async def _edit_message_text(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text = self._opt_str(params, "text") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(text, parse_mode, params.get("entities"))
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = plain
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        if sent.text is not None:
            sent.edits.append(sent.text)
        sent.text, sent.parse_mode = text, parse_mode
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        if "text" in message:
            raise _bad("there is no caption in the message to edit")
        caption = self._opt_str(params, "caption") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(
            caption, parse_mode, params.get("caption_entities"), caption=True
        )
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if (
            plain == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in (("caption", plain), ("caption_entities", entities)):
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        sent.edits.append(sent.text or "")
        sent.text, sent.parse_mode = caption, parse_mode
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if markup == message.get("reply_markup"):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _delete_message(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=False)
        message_id = self._int(params, "message_id")
        if self._history.get(chat_id, {}).pop(message_id, None) is None:
            raise _bad("message to delete not found")
        sent = self._sent_index.get((chat_id, message_id))
        if sent is not None:
            sent.deleted = True
        self._notify()
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = self._opt_str(params, "callback_query_id") or ""
        if query_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = {
            "text": self._opt_str(params, "text"),
            "show_alert": bool(params.get("show_alert", False)),
        }
        self._notify()
        return True

    _CONTENT_KEYS: Final = (
        "text",
        "entities",
        "caption",
        "caption_entities",
        "document",
        "voice",
        "audio",
        "photo",
    )

    def _source_message(self, params: JSON, what: str) -> JSON:
        from_chat_id = self._chat_id(params, "from_chat_id")
        self._chat(from_chat_id, writing=False)
        source = self.find_message(from_chat_id, self._int(params, "message_id"))
        if source is None:
            raise _bad(f"message to {what} not found")
        return source

    @staticmethod
    def _content_summary(message: JSON) -> tuple[str | None, str | None, str | None]:
        """(text or caption, file_id, file_name) of a message's content."""
        text = message.get("text", message.get("caption"))
        for kind in ("document", "voice", "audio"):
            if kind in message:
                return text, message[kind]["file_id"], message[kind].get("file_name")
        if "photo" in message:
            return text, message["photo"][-1]["file_id"], None
        return text, None, None

    def _stored_for(self, file_id: str | None) -> _StoredFile | None:
        return self._files.get(file_id) if file_id else None

    async def _copy_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "copy")
        chat = self._chat(self._chat_id(params))
        markup = self._markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        for key in self._CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        parse_mode = self._opt_str(params, "parse_mode")
        caption = self._opt_str(params, "caption")
        if caption is not None and "text" not in source:
            plain, entities = self._format(
                caption, parse_mode, params.get("caption_entities"), caption=True
            )
            message.pop("caption_entities", None)
            message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        text, file_id, _ = self._content_summary(message)
        self._commit(
            message,
            "copy",
            params,
            text=caption if caption is not None else text,
            parse_mode=parse_mode if caption is not None else None,
            markup=markup,
            stored=self._stored_for(file_id),
        )
        return {"message_id": message["message_id"]}

    async def _forward_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "forward")
        chat = self._chat(self._chat_id(params))
        message = self._new_bot_message(chat, {})
        for key in self._CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        message["forward_origin"] = {
            "type": "user",
            "date": source["date"],
            "sender_user": dict(source.get("from") or self.bot_user),
        }
        text, file_id, _ = self._content_summary(message)
        self._commit(
            message,
            "forward",
            params,
            text=text,
            parse_mode=None,
            markup=None,
            stored=self._stored_for(file_id),
        )
        return copy.deepcopy(message)

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(self._opt_str(params, "file_id") or "")
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._chat(chat_id)
        action = self._opt_str(params, "action") or ""
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    def _scope_param(self, params: JSON) -> tuple[JSON | None, str]:
        scope = params.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        return scope, self._opt_str(params, "language_code") or ""

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(
                str(command.get("command", "")).lower()
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, language = self._scope_param(params)
        key = _scope_key(scope, language)
        normalized = [
            {"command": str(c["command"]).lower(), "description": str(c["description"])}
            for c in commands
        ]
        if normalized:
            self.commands[key] = normalized
        else:
            self.commands.pop(key, None)
        self._notify()
        return True

    async def _delete_my_commands(self, params: JSON) -> bool:
        scope, language = self._scope_param(params)
        self.commands.pop(_scope_key(scope, language), None)
        self._notify()
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        scope, language = self._scope_param(params)
        return copy.deepcopy(self.commands.get(_scope_key(scope, language), []))

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(self._chat_id(params), writing=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member_status(self, chat_id: int, user_id: int) -> str:
        if user_id == self.bot_id:
            return self._bot_status.get(chat_id, "member") if chat_id < 0 else "member"
        if chat_id > 0:
            return "member" if user_id == chat_id else "left"
        return self._members.get(chat_id, {}).get(user_id, "left")

    @staticmethod
    def _member_dict(status: str, user: JSON) -> JSON:
        member: JSON = {"status": status, "user": dict(user)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                dict.fromkeys(
                    (
                        "can_be_edited",
                        "is_anonymous",
                        "can_promote_members",
                    ),
                    False,
                )
            )
            member.update(
                dict.fromkeys(
                    (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_pin_messages",
                    ),
                    True,
                )
            )
        elif status == "restricted":
            member.update(
                dict.fromkeys(
                    (
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_edit_tag",
                        "can_react_to_messages",
                    ),
                    False,
                )
            )
            member.update({"is_member": True, "until_date": 0})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=False)
        user_id = self._int(params, "user_id")
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        return self._member_dict(self._member_status(chat_id, user_id), user)
