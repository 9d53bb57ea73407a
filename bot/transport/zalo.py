"""Zalo transport: the same bot for people on Zalo, through the same handlers and services.

A Zalo message becomes an ordinary update of the application (a private chat with chat id
``2**60 + account``, from the person the account acts as; see ``bot/chats.py``) and goes
through the same queue, the same per-person ordering, replay guard, flood gate, table of
commands and dialogs as a Telegram one. What the handlers say back reaches :class:`ZaloBot`,
the few Bot API calls they use, done the Zalo way:

- HTML becomes plain text (``bot/transport/plaintext.py``), cut at 2000 characters on
  paragraph boundaries;
- buttons become numbered lines; a typed number presses that button as a callback query would
  (the same action registry, role checks, expiry and single use);
- an edit or a pop-up answer becomes a new message; a file becomes a one-time link when the bot
  has a public address (``HOIDAP_PUBLIC_URL``), otherwise a sentence saying where to get it.

What the bot owes (the outbox) reaches a Zalo chat through :meth:`ZaloTransport.send_item`;
copies of what a group sees are made when the message is owed (``bot/store/plumbing.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import NetworkError

from bot.chats import GROUP_COPY, is_zalo_chat
from bot.choices import Choices, offer, typed_number
from bot.core import Core, Refused
from bot.models import Button, Buttons, OutboxItem, Reply
from bot.render import render
from bot.services import links
from bot.store.zalo import ZaloAccount
from bot.text import clean_line, fold
from bot.transport.plaintext import split_plain, to_plain
from bot.transport.zalo_api import ZaloApi, ZaloMessage
from bot.words import ZALO_WORDS

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.transport.zalo_web import WebServer

log = logging.getLogger("hoidap.zalo")

PartSent = Any  # Callable[[int], Awaitable[None]], as in bot.transport.telegram
# A start payload (an invite link or its code): what /start takes on Telegram.
_START = re.compile(r"(?:/start\s+|\S*\?start=)?((?:inv|cs)_[A-Za-z0-9_-]{6,64})\s*")
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\S+)?")
MAX_QUERIES = 1000  # callback queries remembered until answered (the chat to answer in)
# How far back a restart looks for messages taken in but not handled (older ones are stale).
REPLAY_WINDOW = timedelta(hours=6)
# Wrong link codes an account may send in CODE_GUESS_WINDOW before it must wait.
CODE_GUESSES = 5
CODE_GUESS_WINDOW = timedelta(hours=1)


def _update_id(message_id: str) -> int:
    """A stable update id for a Zalo message, below every Telegram one (never pruned first)."""
    digest = hashlib.sha256(message_id.encode("utf-8", "replace")).digest()
    return -(int.from_bytes(digest[:7], "big") + 1)


def _message_data(msg: ZaloMessage) -> dict[str, Any]:
    """The message as kept until it is handled (see ``zalo_seen``)."""
    return {
        "event": msg.event,
        "message_id": msg.message_id,
        "user_id": msg.user_id,
        "display_name": msg.display_name,
        "chat_id": msg.chat_id,
        "chat_type": msg.chat_type,
        "date": msg.date.isoformat(),
        "text": msg.text,
    }


def _message_from(data: dict[str, Any]) -> ZaloMessage:
    text = data["text"]
    return ZaloMessage(
        event=str(data["event"]),
        message_id=str(data["message_id"]),
        user_id=str(data["user_id"]),
        display_name=str(data["display_name"]),
        chat_id=str(data["chat_id"]),
        chat_type=str(data["chat_type"]),
        date=datetime.fromisoformat(str(data["date"])),
        text=None if text is None else str(text),
    )


def _buttons(markup: object) -> Buttons:
    if not isinstance(markup, InlineKeyboardMarkup):
        return ()
    return tuple(
        tuple(
            Button(
                b.text,
                token=b.callback_data if isinstance(b.callback_data, str) else None,
                url=b.url,
            )
            for b in row
        )
        for row in markup.inline_keyboard
    )


def as_command(text: str, names: frozenset[str]) -> str:
    """Typed without the slash: a start payload (an invite link or its code), a command's name
    (``lich``), or its Vietnamese words (``trả lời …``, bot/words.py ZALO_WORDS)."""
    start = _START.fullmatch(text)
    if start is not None:
        return f"/start {start.group(1)}"
    if text.startswith("/"):
        return text
    words = fold(text).split()
    for n in (3, 2, 1):
        said = " ".join(words[:n]) if len(words) >= n else None
        name = ZALO_WORDS.get(said) if said else None
        if name is None and n == 1 and said in names:
            name = said
        if name is not None:
            rest = text.split(maxsplit=n)[n:]
            return f"/{name} {rest[0]}" if rest else f"/{name}"
    return text


class ZaloTransport:
    def __init__(
        self,
        core: Core,
        app: Application,  # type: ignore[type-arg]
        api: ZaloApi,
        web: WebServer | None = None,
        bot_username: str = "hoidap_bot",
        command_names: frozenset[str] = frozenset(),
    ) -> None:
        self.core = core
        self.command_names = command_names
        self.app = app
        self.api = api
        self.web = web
        self.choices = Choices()
        self.bot = ZaloBot(self, bot_username)
        self._accounts: dict[int, ZaloAccount] = {}  # by chat id
        self._last_chat: dict[int, int] = {}  # a person's Telegram id -> Zalo chat used last
        self._numbered_last: dict[int, bool] = {}  # chat -> its last message offered numbers
        self._queries: OrderedDict[str, int] = OrderedDict()  # query id -> Zalo chat
        self._bad_codes: dict[int, deque[datetime]] = {}  # account -> its recent wrong codes
        self._ids = itertools.count(1)
        self.taken = 0  # messages taken in (not seen before)
        self.done = 0  # messages handed to :meth:`take`, handled or not
        self._done = asyncio.Event()

    # -- incoming -------------------------------------------------------------------------------

    async def wait_done(self, count: int) -> None:
        """Until ``count`` messages were handed to :meth:`take` and are in the application's
        queue (test support)."""
        while self.done < count:
            self._done.clear()
            await self._done.wait()

    async def take(self, msg: ZaloMessage) -> None:
        """One message from Zalo (long polling or the webhook)."""
        try:
            await self._take(msg)
        finally:
            self.done += 1
            self._done.set()

    async def replay_unhandled(self) -> int:
        """At start: handle the messages taken in but not handled before the bot stopped
        (a crash between taking a message from Zalo and handling it); the application's
        replay guard keeps each one's state change single."""
        since = self.core.now() - REPLAY_WINDOW
        count = 0
        for data in await self.core.store.zalo_unhandled(since):
            try:
                msg = _message_from(data)
            except (KeyError, TypeError, ValueError):
                log.warning("zalo: a stored message could not be read back; skipped")
                continue
            await self._take(msg, replay=True)
            count += 1
        if count:
            log.warning("zalo: %d message(s) taken in before a stop handled now", count)
        return count

    async def _take(self, msg: ZaloMessage, replay: bool = False) -> None:
        if msg.chat_type != "PRIVATE":
            log.info("zalo: a message from a group chat ignored")
            return
        store, now = self.core.store, self.core.now()
        async with store.transaction():
            fresh = await store.zalo_message_fresh(
                msg.message_id, now, _update_id(msg.message_id), _message_data(msg)
            )
            if not fresh and not replay:
                log.info("zalo: message taken in before: ignored")
                return
            account = await store.zalo_account(msg.user_id)
            if account is None:
                name = clean_line(msg.display_name, 128)
                account = await store.add_zalo_account(msg.user_id, name, now, msg.chat_id)
            elif account.zalo_chat != msg.chat_id:  # replies go where the person writes from
                await store.set_zalo_chat(account.id, msg.chat_id)
                account = replace(account, zalo_chat=msg.chat_id)
        self.taken += 1
        self._accounts[account.chat_id] = account
        chat_id = account.chat_id
        person = await store.person(account.person_id)
        if person is None:  # the account's person row is written with it; never missing
            log.error("zalo: account %s has no person", account.id)
            return
        self._last_chat[person.tg_user_id] = chat_id
        text = (msg.text or "").strip()
        if msg.text is None or not text:
            await self._answered(msg)
            await self.say(chat_id, person.id, Reply("zalo_text_only"))
            return
        code = links.read_code(text)
        if code is not None:
            try:
                reply = await self._redeem(account, code, now)
            except Refused as refused:
                reply = refused.reply
            await self._answered(msg)
            self._accounts.pop(chat_id, None)
            await self.say(chat_id, person.id, reply)
            return
        sender = {
            "id": person.tg_user_id,
            "is_bot": False,
            "first_name": person.tg_name or msg.display_name or "Zalo",
        }
        if person.username:
            sender["username"] = person.username
        chat = {"id": chat_id, "type": "private", "first_name": sender["first_name"]}
        # A bare number picks from the choices of the last message when that message had some;
        # otherwise an open dialog takes it as text (a number may be an answer).
        number = typed_number(text)
        dialog = await store.dialog(person.id)
        if number is not None and (dialog is None or self._numbered_last.get(chat_id)):
            token = self.choices.token(person.id, chat_id, number, now)
            if token is None:
                await self._answered(msg)
                await self.say(chat_id, person.id, Reply("choice_unknown", {"number": number}))
                return
            await self._press(msg, token, sender, chat)
            return
        if dialog is None:
            text = as_command(text, self.command_names)
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(msg.date.timestamp()),
            "chat": chat,
            "from": sender,
            "text": text,
        }
        command = _COMMAND.match(text)
        if command is not None:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        data = {"update_id": _update_id(msg.message_id), "message": message}
        await self.app.update_queue.put(Update.de_json(data, cast(Bot, self.bot)))

    async def _redeem(self, account: ZaloAccount, code: str, now: datetime) -> Reply:
        """A link code, with a bound on wrong guesses per account (codes are short)."""
        recent = self._bad_codes.setdefault(account.id, deque(maxlen=CODE_GUESSES))
        while recent and recent[0] < now - CODE_GUESS_WINDOW:
            recent.popleft()
        if len(recent) >= CODE_GUESSES:
            raise Refused("zalo_link_slow", minutes=int(CODE_GUESS_WINDOW.total_seconds() // 60))
        try:
            return await links.redeem(self.core, account, code)
        except Refused:
            recent.append(now)
            raise

    async def _answered(self, msg: ZaloMessage) -> None:
        async with self.core.store.transaction():
            await self.core.store.zalo_message_answered(msg.message_id)

    async def _press(
        self, msg: ZaloMessage, token: str, sender: dict[str, Any], chat: dict[str, Any]
    ) -> None:
        query_id = f"zalo-{msg.message_id}"
        self._queries[query_id] = int(chat["id"])
        while len(self._queries) > MAX_QUERIES:
            self._queries.popitem(last=False)
        data = {
            "update_id": _update_id(msg.message_id),
            "callback_query": {
                "id": query_id,
                "from": sender,
                "chat_instance": str(chat["id"]),
                "data": token,
                "message": {
                    "message_id": next(self._ids),
                    "date": int(msg.date.timestamp()),
                    "chat": chat,
                    "text": "",
                },
            },
        }
        await self.app.update_queue.put(Update.de_json(data, cast(Bot, self.bot)))

    # -- outgoing -------------------------------------------------------------------------------

    async def account(self, chat_id: int) -> ZaloAccount:
        account = self._accounts.get(chat_id)
        if account is None:
            account = await self.core.store.zalo_account_by_chat(chat_id)
            if account is None:
                raise NetworkError(f"no Zalo account for chat {chat_id}")  # kept owed
            self._accounts[chat_id] = account
        return account

    def zalo_chat_for(self, chat_id: int) -> int | None:
        """Where a reply addressed to a person's Telegram id goes when they use Zalo now."""
        if is_zalo_chat(chat_id):
            return chat_id
        return self._last_chat.get(chat_id)

    async def text_for(
        self, html: str, buttons: Buttons, chat_id: int, person_id: int | None
    ) -> list[str]:
        """Plain text parts for a Zalo chat, the buttons as numbered lines after the text."""
        lines = offer(buttons, self.choices, person_id, chat_id, self.core.now())
        self._numbered_last[chat_id] = any(b.token for row in buttons for b in row)
        text = to_plain(f"{html}\n\n{lines}" if lines else html)
        return split_plain(text or "…")

    async def send_parts(
        self, chat_id: int, parts: list[str], first: int = 0, part_sent: PartSent = None
    ) -> None:
        account = await self.account(chat_id)
        for i in range(min(first, len(parts) - 1), len(parts)):
            await self.api.send_message(account.zalo_chat, parts[i])
            if i < len(parts) - 1 and part_sent is not None:
                await part_sent(i + 1)

    async def say(self, chat_id: int, person_id: int | None, reply: Reply) -> None:
        html = render(reply.template, reply.context)
        await self.send_parts(chat_id, await self.text_for(html, reply.buttons, chat_id, person_id))

    async def send_item(self, item: OutboxItem, part_sent: PartSent = None) -> int | None:
        """An owed message to a Zalo chat (called by the outbox worker)."""
        account = await self.account(item.chat_id)
        context: Mapping[str, Any] = item.context
        if item.media_kind == "copy":
            html = render("zalo_media_elsewhere", {})
        else:
            html = render(item.template, context)
        if context.get(GROUP_COPY):
            program = context.get("program")
            title = program.get("title") if isinstance(program, Mapping) else None
            html = f"{render('zalo_group_copy', {'title': title})}\n\n{html}"
        parts = await self.text_for(html, item.buttons, item.chat_id, account.person_id)
        await self.send_parts(item.chat_id, parts, item.parts_sent, part_sent)
        return None

    async def file(
        self, chat_id: int, data: bytes, filename: str, caption_html: str | None
    ) -> None:
        # Two downloads: a link preview made by Zalo may take the first one.
        link = self.web.offer_file(data, filename, uses=2) if self.web is not None else None
        reply = Reply("zalo_file", {"filename": filename, "link": link})
        html = render(reply.template, reply.context)
        if caption_html:
            html = f"{caption_html}\n\n{html}"
        account = await self.account(chat_id)
        await self.send_parts(chat_id, await self.text_for(html, (), chat_id, account.person_id))

    def query_chat(self, query_id: str) -> int | None:
        return self._queries.pop(query_id, None)


class ZaloBot:
    """The Bot API calls the handlers make, done on Zalo (see the module's docstring)."""

    def __init__(self, transport: ZaloTransport, username: str) -> None:
        self._t = transport
        self.username = username
        self.id = 0
        self.first_name = username

    def _message(self, chat_id: int) -> Message:
        data = {
            "message_id": next(self._t._ids),
            "date": int(self._t.core.now().timestamp()),
            "chat": {"id": chat_id, "type": "private"},
        }
        message = Message.de_json(data, cast(Bot, self))
        assert message is not None
        return message

    async def _chat(self, chat_id: int | str) -> int:
        target = self._t.zalo_chat_for(int(chat_id))
        if target is None:
            # A handler answering on Zalo never addresses another chat; say so loudly.
            raise NetworkError(f"chat {chat_id} is not on Zalo")
        return target

    async def _person(self, chat_id: int) -> int:
        return (await self._t.account(chat_id)).person_id

    async def send_message(
        self,
        chat_id: int | str,
        text: str,
        reply_markup: object = None,
        **_: Any,
    ) -> Message:
        chat = await self._chat(chat_id)
        parts = await self._t.text_for(text, _buttons(reply_markup), chat, await self._person(chat))
        await self._t.send_parts(chat, parts)
        return self._message(chat)

    async def edit_message_text(
        self,
        text: str,
        chat_id: int | str | None = None,
        message_id: int | None = None,
        reply_markup: object = None,
        **_: Any,
    ) -> Message:
        # Zalo cannot edit: the new text comes as a new message.
        assert chat_id is not None
        return await self.send_message(chat_id, text, reply_markup=reply_markup)

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, **_: Any
    ) -> bool:
        chat = self._t.query_chat(callback_query_id)
        if text and chat is not None:
            # A pop-up on Telegram; a short message here (plain text already).
            await self._t.send_parts(chat, split_plain(text))
        return True

    async def send_document(
        self,
        chat_id: int | str,
        document: object,
        filename: str | None = None,
        caption: str | None = None,
        **_: Any,
    ) -> Message:
        chat = await self._chat(chat_id)
        data = document if isinstance(document, bytes) else b""
        await self._t.file(chat, data, filename or "tep", caption)
        return self._message(chat)

    async def send_photo(
        self,
        chat_id: int | str,
        photo: object,
        caption: str | None = None,
        filename: str | None = None,
        **_: Any,
    ) -> Message:
        chat = await self._chat(chat_id)
        data = photo if isinstance(photo, bytes) else b""
        await self._t.file(chat, data, filename or "hinh.png", caption)
        return self._message(chat)

    async def send_chat_action(self, chat_id: int | str, action: str, **_: Any) -> bool:
        chat = await self._chat(chat_id)
        await self._t.api.send_chat_action((await self._t.account(chat)).zalo_chat)
        return True

    async def delete_message(self, chat_id: int | str, message_id: int, **_: Any) -> bool:
        return True  # nothing to take back on Zalo

    async def set_my_commands(self, *_: Any, **__: Any) -> bool:
        return True  # no command menus on Zalo

    @property
    def defaults(self) -> None:
        return None
