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

The package, by concern: ``entities`` (Telegram HTML), ``models`` (records, limits, faults,
errors, protocol constants), ``flood`` (flood windows), ``params`` (parameter decoding),
``state`` (the server's attributes), ``world`` (users, groups, files, faults; what users do),
``observe`` (what tests read back, waiting), ``routes`` (HTTP, faults, parameters), ``methods``
(one handler per Bot API method) and ``server`` (:class:`FakeBotAPI`: the layers together).
"""

from __future__ import annotations

from fakes.fakebotapi.entities import EntityParseError, html_to_plain, parse_html, utf16_len
from fakes.fakebotapi.models import (
    ApiError,
    FaultPlan,
    FloodLimits,
    RecordedRequest,
    SentMessage,
    UploadedFile,
)
from fakes.fakebotapi.server import FakeBotAPI

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
