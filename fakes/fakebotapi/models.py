"""Records, limits, faults and errors of the fake Bot API (and the constants of the protocol)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from fakes.fakebotapi.entities import JSON, html_to_plain

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
