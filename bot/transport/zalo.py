"""Zalo, a channel of the transport port (``bot/transport/port.py``): the same bot for people on
Zalo, through the same dispatcher, handlers and services as on Telegram.

Inbound (:meth:`ZaloChannel.take`): a Zalo message is recorded as taken in (``zalo_seen``: Zalo
sends nothing twice on its own, so a message taken in is kept until it is handled, and handled
after a restart if the bot stopped first), then turned into one :class:`~bot.transport.port.Event`
and handed to the dispatcher, which puts it through the gate, the record that each event is
handled once and the sender's order, like any other. The record costs no write of its own: it
is written with the first write after it (the message's own change, with which it then
commits, or anyone's), like the record of handled updates; a message still in hand after
``INTAKE_GRACE`` seconds (waiting its turn) is recorded at once, with every other one taken in
by then, and the webhook acknowledges a message only once it is recorded. A message that
changes nothing keeps the replies read from the database valid (``Store.memo``). One
account's messages are read and handled one after the other; different accounts' at once, so
nobody waits behind another's flood.

What a Zalo message means (:func:`reading`), the way people write on Zalo:

- a typed number picks from the choices of the person's last message when it had some; with
  none, it is content while the bot waits for content (a dialog, or the person's answer), else
  «no such choice»;
- a command starts with «/», or is a command's word or Vietnamese phrase *on its own* («lịch»,
  «trợ giúp»); two documented forms take words after them («tìm …», «trả lời …»). Ordinary
  Vietnamese is never taken for a command: «Tôi xin trả lời: …» is text, and while the bot waits
  for the person's content (their answer, a dialog) every text is that content;
- a command phrase followed by a word or two («lịch tuần này») is a doubt: the bot asks, with
  a numbered yes or no, instead of guessing;
- a link code (``LK-…``) links the account to the person who asked for it on Telegram; an invite
  (``inv_…``) joins like ``/start`` does on Telegram.

Outbound (:class:`ZaloChannel`): HTML becomes plain text (``bot/transport/plaintext.py``), cut
at 2000 characters on paragraph boundaries; buttons become numbered lines (``bot/choices.py``);
an edit or a pop-up becomes a new message; a file becomes a one-time link when the bot has a
public address (``HOIDAP_PUBLIC_URL``), otherwise a sentence saying where to get it. Templates
are rendered with ``channel = "zalo"``, so what a Zalo user reads is written for Zalo.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from bot.chats import GROUP_COPY, is_zalo_chat
from bot.choices import Choices, offer, typed_number
from bot.core import Core
from bot.models import Buttons, FileReply, OutboxItem, Reply
from bot.render import render
from bot.services import links
from bot.store.zalo import ZaloAccount
from bot.text import clean_line, fold
from bot.transport.ordering import KeyedLocks
from bot.transport.plaintext import split_plain, to_plain
from bot.transport.port import (
    Attachment,
    AttachmentKind,
    Busy,
    Chat,
    Doubt,
    Event,
    NotYet,
    PartSent,
    Sender,
    Undeliverable,
    Unreachable,
)
from bot.transport.zalo_api import EVENT_IMAGE, EVENT_STICKER, ZaloApi, ZaloMessage
from bot.words import ZALO_ARGUMENT_COMMANDS, ZALO_WORDS

if TYPE_CHECKING:
    from bot.transport.zalo_web import WebServer

log = logging.getLogger("hoidap.zalo")

# A start payload (an invite link or its code): what /start takes on Telegram.
_START = re.compile(r"(?:/start\s+|\S*\?start=)?((?:inv|cs)_[A-Za-z0-9_-]{6,64})\s*")
_SLASH = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\S*)?(?:\s+(.*))?", re.DOTALL)
# How far back a restart looks for messages taken in but not handled (older ones are stale).
REPLAY_WINDOW = timedelta(hours=6)
# A message still being handled this long after it was taken in is recorded at once.
INTAKE_GRACE = 0.1
# A command phrase followed by at most this many words is a doubt (asked); more is plain text.
DOUBT_WORDS = 2
MAX_DOUBTS = 10_000  # doubts remembered until answered (the oldest forgotten first)
_ASK = "zalo-ask-"  # the tokens of a doubt's numbered yes/no (this channel's own, not actions)

Handle = Callable[[Event, "ZaloChannel"], Awaitable[object]]


class NotYetWritten(NotYet):
    """Zalo lets a bot write only to people who wrote to it first: kept owed until they do."""


def update_id(message_id: str) -> int:
    """A stable event id for a Zalo message: below zero, where Telegram's update ids never are,
    so no Zalo message is ever taken for a Telegram update in the record of what was handled."""
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


# -- what a text means ----------------------------------------------------------------------------


_CLOSING_MARKS = ".!?…"


@dataclass(frozen=True)
class Reading:
    """What a Zalo text is: a command (with what follows it), plain text, or a doubt."""

    kind: Literal["command", "text", "doubt"]
    command: str | None = None
    args_text: str = ""


def _phrase(words: list[str], names: frozenset[str]) -> tuple[str, int] | None:
    """The command the first words name (a Vietnamese phrase, or a command's own name), and how
    many words it took; the longest phrase first."""
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        said = " ".join(words[:n])
        name = ZALO_WORDS.get(said) or (said if n == 1 and said in names else None)
        if name is not None:
            return name, n
    return None


def reading(text: str, names: frozenset[str], content_expected: bool) -> Reading:
    """What ``text`` means (see the module's docstring); ``content_expected``: the bot waits for
    this person's content (an open dialog, or their answer)."""
    start = _START.fullmatch(text)
    if start is not None:
        return Reading("command", "start", start.group(1))
    slash = _SLASH.fullmatch(text.strip())
    if slash is not None and slash.group(1).lower() in names:
        return Reading("command", slash.group(1).lower(), (slash.group(2) or "").strip())
    if content_expected:
        return Reading("text")
    # «Lịch?», «Trợ giúp!»: the closing mark of a sentence does not make a command word text.
    bare = text.rstrip().rstrip(_CLOSING_MARKS).rstrip()
    words = fold(bare).split()
    found = _phrase(words, names)
    if found is None:
        return Reading("text")
    name, n = found
    rest = bare.split(maxsplit=n)[n:]
    if not rest:
        return Reading("command", name)
    if name in ZALO_ARGUMENT_COMMANDS:
        return Reading("command", name, rest[0].strip())
    if len(rest[0].split()) <= DOUBT_WORDS:
        return Reading("doubt", name, rest[0].strip())
    return Reading("text")


# -- the channel ----------------------------------------------------------------------------------


class ZaloChannel:
    """Zalo's side of the port: messages in (:meth:`take`), replies and owed messages out."""

    name = "zalo"
    pictures = False

    def __init__(
        self,
        core: Core,
        api: ZaloApi,
        web: WebServer | None = None,
        command_names: frozenset[str] = frozenset(),
    ) -> None:
        self.core = core
        self.api = api
        self.web = web
        self.command_names = command_names
        self.handle: Handle | None = None  # the dispatcher's, set by the composition root
        # Called with a chat that can be written to again (its person wrote for the first time).
        self.on_open: list[Callable[[int], None]] = []
        self.choices = Choices()
        self._numbered_last: dict[int, bool] = {}  # chat -> its last message offered numbers
        self._readers = KeyedLocks()  # one account's messages one at a time
        self._doubts: OrderedDict[str, tuple[str, str]] = OrderedDict()  # yes token -> command
        self._tasks: set[asyncio.Task[None]] = set()
        self.taken = 0  # messages taken in (not seen before)
        self.done = 0  # messages handed to :meth:`take` and finished, handled or not
        self._done = asyncio.Event()
        # Messages taken in, not finished and maybe not recorded yet: when each came (loop time).
        self._hand: dict[str, float] = {}
        self._guard: asyncio.TimerHandle | None = None

    # -- incoming -----------------------------------------------------------------------------

    async def wait_done(self, count: int) -> None:
        """Until ``count`` messages given to :meth:`take` are through (test support)."""
        while self.done < count:
            self._done.clear()
            await self._done.wait()

    async def take(self, msg: ZaloMessage, *, recorded: bool = False) -> None:
        """One message from Zalo (long polling or the webhook): taken in, then handled in a task
        of its own, after the same account's earlier messages. ``recorded``: return only once
        its record is written (the webhook acknowledges it then)."""
        try:
            fresh = await self._record(msg)
            if fresh and recorded:
                await self.core.store.write_zalo_intake()
        except BaseException:
            self._finished()
            raise
        if not fresh:
            self._finished()
            return
        if not recorded:
            self._hand[msg.message_id] = asyncio.get_running_loop().time()
            self._arm()
        task = asyncio.create_task(self._in_turn(msg), name=f"hoidap-zalo-{msg.user_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def receive(self, msg: ZaloMessage) -> None:
        """A message the webhook hands over: acknowledged once it is recorded."""
        await self.take(msg, recorded=True)

    def _arm(self) -> None:
        if self._guard is None and self._hand:
            loop = asyncio.get_running_loop()
            due = min(self._hand.values()) + INTAKE_GRACE
            self._guard = loop.call_at(due, self._record_waiting)

    def _record_waiting(self) -> None:
        """Messages still in hand a moment after they came: their records are written now (one
        statement for all of them), so that a crash meanwhile cannot lose them."""
        self._guard = None
        now = asyncio.get_running_loop().time()
        if any(came + INTAKE_GRACE <= now for came in self._hand.values()):
            self._hand.clear()  # every record taken so far is in this write
            if self.core.store.zalo_intake_pending():
                task = asyncio.create_task(self._write_intake(), name="hoidap-zalo-intake")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        self._arm()

    async def _write_intake(self) -> None:
        try:
            await self.core.store.write_zalo_intake()
        except Exception:  # the database is gone (said where found), or written next time
            log.warning("zalo: messages taken in could not be recorded yet", exc_info=True)

    async def stop(self) -> None:
        """Let the messages in hand finish (at shutdown)."""
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def replay_unhandled(self) -> int:
        """At start: the messages taken in but not handled before the bot stopped (a crash
        between taking a message from Zalo and handling it); the record of handled events keeps
        each one's change single."""
        since = self.core.now() - REPLAY_WINDOW
        count = 0
        for data in await self.core.store.zalo_unhandled(since):
            try:
                msg = _message_from(data)
            except (KeyError, TypeError, ValueError):
                log.warning("zalo: a stored message could not be read back; skipped")
                continue
            await self._in_turn(msg)
            count += 1
        if count:
            log.warning("zalo: %d message(s) taken in before a stop handled now", count)
        return count

    def _finished(self) -> None:
        self.done += 1
        self._done.set()

    async def _record(self, msg: ZaloMessage) -> bool:
        """Record the message as taken in; False when it was taken in before (or is not for the
        bot: group chats)."""
        if msg.chat_type != "PRIVATE":
            log.info("zalo: a message from a group chat ignored")
            return False
        store, now = self.core.store, self.core.now()
        fresh = await store.zalo_taken(
            msg.message_id, now, update_id(msg.message_id), _message_data(msg)
        )
        if not fresh:
            log.info("zalo: message taken in before: ignored")
            return False
        self.taken += 1
        return True

    async def _in_turn(self, msg: ZaloMessage) -> None:
        # The account's lock is taken before anything awaits, in the order the messages came.
        try:
            async with self._readers.hold(msg.user_id):
                event = await self._event(msg)
                if event is not None and self.handle is not None:
                    await self.handle(event, self)
        except Exception:
            log.exception("zalo: message %s could not be handled", msg.message_id)
        finally:
            self._hand.pop(msg.message_id, None)
            self._finished()

    async def _account(self, msg: ZaloMessage) -> ZaloAccount:
        store, now = self.core.store, self.core.now()
        account = await store.zalo_account(msg.user_id)
        if account is None or account.zalo_chat != msg.chat_id or not account.wrote:
            async with store.transaction():
                account = await store.zalo_account(msg.user_id)
                if account is None:
                    name = clean_line(msg.display_name, 128)
                    account = await store.add_zalo_account(msg.user_id, name, now, msg.chat_id)
                elif account.zalo_chat != msg.chat_id or not account.wrote:
                    # Replies go where the person writes; what waited for them can go now.
                    await store.zalo_wrote(account.id, msg.chat_id, now)
                    account = replace(account, zalo_chat=msg.chat_id, wrote=True)
            for opened in self.on_open:
                opened(account.chat_id)
        return account

    async def _event(self, msg: ZaloMessage) -> Event | None:
        """The message as an event (see the module's docstring)."""
        store = self.core.store
        account = await self._account(msg)
        person = await store.person(account.person_id)
        if person is None:  # the account's person row is written with it; never missing
            log.error("zalo: account %s has no person", account.id)
            return None
        chat = Chat(account.chat_id, "private")
        sender = Sender(
            person.tg_user_id,
            person.tg_name or msg.display_name or "Zalo",
            None,
            person.username,
        )
        base = Event(
            "zalo",
            update_id(msg.message_id),
            chat,
            sender,
            self.core.now(),
            message_id=None,
            press_id=None,
        )
        text = (msg.text or "").strip()
        if msg.text is None or not text:
            kind: AttachmentKind = "other"
            if msg.event == EVENT_IMAGE:
                kind = "picture"
            elif msg.event == EVENT_STICKER:
                kind = "sticker"
            return replace(base, attachment=Attachment(kind))
        base = replace(base, text=text, length=len(msg.text))
        code = links.read_code(text)
        if code is not None:
            return replace(base, command="zalo", args=(code,), args_text=code)
        expected = await self._content_expected(person.id)
        number = typed_number(text)
        if number is not None and (self._numbered_last.get(chat.id) or not expected):
            token = self.choices.token(person.id, chat.id, number, self.core.now())
            if token is None:
                return replace(base, choice=number)
            if token.startswith(_ASK):
                return self._doubt_answered(base, token, number)
            return replace(base, press=token, press_id=f"zalo-{msg.message_id}")
        if number is not None:
            return base  # content: an answer or a dialog's next step may be a number
        meant = reading(text, self.command_names, expected)
        if meant.kind == "command":
            assert meant.command is not None
            return self._command(base, meant.command, meant.args_text)
        if meant.kind == "doubt":
            assert meant.command is not None
            return replace(base, doubt=self._doubt(meant.command, meant.args_text, text))
        return base

    async def _content_expected(self, person_id: int) -> bool:
        """The bot waits for this person's content: an open dialog, or their answer in time."""
        store, now = self.core.store, self.core.now()
        if await store.dialog(person_id) is not None:
            return True
        return any(
            s.deadline_at is None or now <= s.deadline_at
            for s in await store.sessions_drawing(person_id)
        )

    @staticmethod
    def _command(base: Event, name: str, args_text: str) -> Event:
        return replace(
            base,
            command=name,
            args=tuple(args_text.split()),
            args_text=args_text,
            text=f"/{name} {args_text}".strip(),
        )

    def _doubt(self, command: str, args_text: str, text: str) -> Doubt:
        """Remember what yes and no will mean; the doubt's numbered choices carry the tokens."""
        yes, no = _ASK + secrets.token_urlsafe(8), _ASK + secrets.token_urlsafe(8)
        self._doubts[yes] = (command, args_text)
        self._doubts[no] = ("", text)
        while len(self._doubts) > MAX_DOUBTS:
            self._doubts.popitem(last=False)
        return Doubt(command, args_text, yes, no)

    def _doubt_answered(self, base: Event, token: str, number: int) -> Event:
        command, rest = self._doubts.pop(token, ("", ""))
        if command:
            return self._command(base, command, rest)
        if rest:  # «no»: the text as it was, taken as text
            return replace(base, text=rest, length=len(rest))
        return replace(base, choice=number)  # forgotten: no such choice now

    # -- outgoing -----------------------------------------------------------------------------

    def owns(self, chat_id: int) -> bool:
        return is_zalo_chat(chat_id)

    async def account(self, chat_id: int) -> ZaloAccount:
        """The account of a Zalo chat, as it is now (a link changes whom it acts as). One that
        has not written to the bot yet cannot be written to (Zalo's rule): what it is owed stays
        owed until it writes."""
        account = await self.core.store.zalo_account_by_chat(chat_id)
        if account is None:
            raise Unreachable(f"no Zalo account for chat {chat_id}")  # kept owed
        if not account.wrote:
            raise NotYetWritten(f"Zalo account {account.id} has not written to the bot yet")
        return account

    def _render(self, template: str, context: Mapping[str, Any]) -> str:
        return render(template, {**context, "channel": "zalo"})

    async def text_for(
        self, html: str, buttons: Buttons, chat_id: int, person_id: int | None
    ) -> list[str]:
        """Plain text parts for a Zalo chat, the buttons as numbered lines after the text."""
        lines = offer(buttons, self.choices, person_id, chat_id, self.core.now())
        self._numbered_last[chat_id] = any(b.token for row in buttons for b in row)
        text = to_plain(f"{html}\n\n{lines}" if lines else html)
        return split_plain(text or "…")

    async def send_parts(
        self,
        chat_id: int,
        parts: list[str],
        first: int = 0,
        part_sent: PartSent | None = None,
        *,
        bulk: bool = False,
    ) -> None:
        """``bulk``: what the outbox owes (a reply to a person takes its turn first)."""
        account = await self.account(chat_id)
        for i in range(min(first, len(parts) - 1), len(parts)):
            await self.api.send_message(account.zalo_chat, parts[i], bulk=bulk)
            if i < len(parts) - 1 and part_sent is not None:
                await part_sent(i + 1)

    async def say(self, chat_id: int, reply: Reply) -> None:
        account = await self.account(chat_id)
        html = self._render(reply.template, reply.context)
        await self.send_parts(
            chat_id, await self.text_for(html, reply.buttons, chat_id, account.person_id)
        )

    async def reply(self, event: Event, reply: Reply) -> None:
        # Pop-ups, edits and messages alike come as a message in the chat the person wrote from.
        await self.say(event.chat.id, reply)

    async def view(self, event: Event, notice: Reply, view: Reply) -> None:
        await self.say(event.chat.id, notice)
        await self.say(event.chat.id, view)

    async def file(self, event: Event, file: FileReply) -> None:
        chat_id = event.chat.id
        # Two downloads: a link preview made by Zalo may take the first one.
        link = (
            self.web.offer_file(file.data, file.filename, uses=2) if self.web is not None else None
        )
        caption = self._render(file.caption.template, file.caption.context)
        where = self._render("zalo_file", {"filename": file.filename, "link": link})
        html = f"{caption}\n\n{where}"
        account = await self.account(chat_id)
        await self.send_parts(chat_id, await self.text_for(html, (), chat_id, account.person_id))

    async def busy(self, event: Event, what: Busy) -> None:
        await self.api.send_chat_action((await self.account(event.chat.id)).zalo_chat)

    async def download(self, event: Event) -> bytes:
        raise Undeliverable("Zalo sends no files to the bot")

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None:
        """An owed message to a Zalo chat (called by the outbox worker)."""
        account = await self.account(item.chat_id)
        context: Mapping[str, Any] = item.context
        if item.media_kind == "copy":
            html = self._render("zalo_media_elsewhere", {})
        else:
            html = self._render(item.template, context)
        if context.get(GROUP_COPY):
            program = context.get("program")
            title = program.get("title") if isinstance(program, Mapping) else None
            html = f"{self._render('zalo_group_copy', {'title': title})}\n\n{html}"
        parts = await self.text_for(html, item.buttons, item.chat_id, account.person_id)
        await self.send_parts(item.chat_id, parts, item.parts_sent, part_sent, bulk=True)
        return None
