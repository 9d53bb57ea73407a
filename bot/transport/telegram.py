"""Telegram, a channel of the transport port (``bot/transport/port.py``), through PTB.

Inbound, every update becomes one channel-neutral :class:`~bot.transport.port.Event`
(:func:`event_of`) handed to the dispatcher; outbound, :class:`TelegramChannel` turns the
services' plain replies into Bot API calls (HTML, inline buttons, edits, files) and PTB's errors
into the port's. The command menus (BotFather) come from the table of commands.

This module, with the composition root that builds PTB's ``Application``, is the only place that
knows python-telegram-bot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, BaseRateLimiter, TypeHandler

from bot.chats import on_telegram, without_privileged
from bot.core import Core
from bot.db import DatabaseLost
from bot.models import Buttons, FileReply, OutboxItem, Reply
from bot.render import plain, render, split_html
from bot.transport.ordering import KeyedLocks
from bot.transport.pacing import ChatWindows, PaceClock, SlidingWindow
from bot.transport.port import (
    Attachment,
    Busy,
    ChannelError,
    Chat,
    ChatMoved,
    Event,
    PartSent,
    Sender,
    SlowDown,
    Undeliverable,
    Unreachable,
)

log = logging.getLogger("hoidap.telegram")


# -- pacing: PTB's rate limiter hook --------------------------------------------------------------

# ``rate_limit_args`` of what the outbox owes; a call without it is a reply to a person.
BULK: Final = "bulk"
# Bot API methods that put a message into a chat (counted against the chat's own limits).
_SENDING: Final = frozenset({"copyMessage", "forwardMessage", "copyMessages", "forwardMessages"})


def _sends(endpoint: str) -> bool:
    return endpoint in _SENDING or (endpoint.startswith("send") and endpoint != "sendChatAction")


def _seconds(exc: RetryAfter) -> float:
    delay = exc.retry_after
    return float(delay) if isinstance(delay, int | float) else delay.total_seconds()


class TelegramPace(BaseRateLimiter[str]):
    """Telegram's limits, through PTB's rate limiter hook (``ApplicationBuilder.rate_limiter``).

    Every call that names a chat takes a turn of the bot's
    :class:`~bot.transport.pacing.SlidingWindow`
    (30 messages in any 1.03 s, on an even grid); a call with ``rate_limit_args=BULK`` (what the
    outbox owes) yields its turn to any reply waiting. A message into a chat also keeps that
    chat's limits: a group 20 in any minute, a private chat 3 in any 3 s (about one a second).
    One chat's calls take their turns in the order they came.

    A flood answer (429) holds every turn for its ``retry_after`` (:meth:`SlidingWindow.pause`); the
    call is then tried again in its turn, up to ``max_retries`` times, and the grid starts again
    from the end of the wait without catching up.
    """

    def __init__(
        self,
        clock: PaceClock | None = None,
        *,
        limit: int = 30,
        window: float = 1.03,
        group: tuple[int, float] = (20, 61.0),
        private: tuple[int, float] = (3, 3.05),
        max_retries: int = 3,
    ) -> None:
        self.overall = SlidingWindow(limit, window, clock=clock)
        self.clock = self.overall.clock
        self.groups = ChatWindows(*group)
        self.privates = ChatWindows(*private)
        self.max_retries = max_retries
        self._chats = KeyedLocks()
        self.retries = 0  # flood answers met (tests, the benchmarks)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _windows(self, chat_id: int) -> ChatWindows:
        return self.groups if chat_id < 0 else self.privates

    def chat_delay(self, chat_id: int) -> float:
        """Seconds until a message may go into ``chat_id`` by its own limits (0: now)."""
        now = self.clock.now()
        return max(0.0, self._windows(chat_id).earliest(chat_id, now) - now)

    async def _turn(self, chat_id: int, urgent: bool, sends: bool) -> int:
        """Wait for the turn of a call into ``chat_id``; the number of its overall turn."""
        async with self._chats.hold(chat_id):
            windows = self._windows(chat_id)
            if sends:
                await self.clock.sleep_until(windows.earliest(chat_id, self.clock.now()))
            number = await self.overall.turn(urgent)
            if sends:
                windows.started(chat_id, self.clock.now())
            return number

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        raw = data.get("chat_id")
        try:
            chat_id: int | None = int(raw) if raw is not None else None
        except (TypeError, ValueError):  # an @username: a channel or a supergroup
            chat_id = -1
        urgent = rate_limit_args != BULK
        for attempt in range(self.max_retries + 1):
            turn: tuple[int, float] | None = None
            if chat_id is not None:
                turn = (await self._turn(chat_id, urgent, _sends(endpoint)), self.clock.now())
            try:
                result = await callback(*args, **kwargs)
                if turn is not None:  # when it may have reached Telegram, for the window
                    self.overall.answered(*turn, self.clock.now())
                return result
            except RetryAfter as exc:
                self.retries += 1
                self.overall.pause(_seconds(exc))
                if attempt == self.max_retries:
                    raise
                log.info("flood answer: every message waits %.0f s", _seconds(exc))
        raise AssertionError("unreachable")


def as_bulk(bot: Bot) -> dict[str, Any]:
    """The keyword that marks a call as the outbox's (none when the bot runs without a pace:
    PTB refuses ``rate_limit_args`` then)."""
    if isinstance(getattr(bot, "rate_limiter", None), TelegramPace):
        return {"rate_limit_args": BULK}
    return {}


def for_chat(chat_id: int, context: Mapping[str, Any]) -> Mapping[str, Any]:
    """The context as it may be shown in ``chat_id``: in a group (negative ids on Telegram)
    privileged text is removed, whichever service built the message (defence in depth)."""
    if chat_id > 0:
        return context
    cleaned = without_privileged(context)
    if cleaned != context:
        log.error("privileged text kept out of group %s", chat_id)
    return cleaned


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.token)
                for b in row
            ]
            for row in buttons
        ]
    )


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    buttons: Buttons = (),
    reply_to: int | None = None,
    *,
    first_part: int = 0,
    part_sent: PartSent | None = None,
    bulk: bool = False,
) -> Message:
    """Send possibly long HTML, split at Telegram's limit; buttons go on the last part.

    ``first_part`` skips parts delivered by an earlier attempt; ``part_sent(n)`` is awaited
    after each part but the last with the number of parts delivered so far, so that a retry
    after a failure in the middle never sends a part twice. ``bulk``: what the outbox owes (a
    reply to a person goes first).
    """
    extra = as_bulk(bot) if bulk else {}
    parts = split_html(text)
    message: Message | None = None
    start = min(first_part, len(parts) - 1)
    for i in range(start, len(parts)):
        last = i == len(parts) - 1
        message = await bot.send_message(
            chat_id,
            parts[i],
            reply_markup=markup(buttons) if last else None,
            reply_to_message_id=reply_to if i == 0 else None,
            **extra,
        )
        if not last and part_sent is not None:
            await part_sent(i + 1)
    assert message is not None
    return message


async def send_outbox_item(
    bot: Bot, item: OutboxItem, part_sent: PartSent | None = None
) -> int | None:
    if item.media_kind == "copy" and item.media_ref:
        from_chat, _, message_id = item.media_ref.partition(":")
        copied = await bot.copy_message(
            item.chat_id, int(from_chat), int(message_id), **as_bulk(bot)
        )
        return copied.message_id
    text = render(item.template, for_chat(item.chat_id, item.context))
    message = await send_html(
        bot,
        item.chat_id,
        text,
        item.buttons,
        first_part=item.parts_sent,
        part_sent=part_sent,
        bulk=True,
    )
    return message.message_id


# -- command menus, per scope and role -----------------------------------------------------------

# The menus come from the table of commands (``handlers/commands.py``), passed in by the
# composition root: a row is in a menu when it has a description, is meant for menus, is offered
# in that kind of chat and is for one of the roles the menu is for.


class MenuRow(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def in_menus(self) -> bool: ...
    @property
    def menu(self) -> str | None: ...
    def offered_in(self, chat_type: str) -> bool: ...


# Everybody's menus (private chats, groups): what anybody and the members use.
COMMON_ROLES = frozenset({"everyone", "staff"})


def menu(table: Sequence[MenuRow], chat_type: str, roles: Iterable[str]) -> list[BotCommand]:
    """The rows for ``roles`` offered in ``chat_type``, in the table's order."""
    wanted = set(roles)
    return [
        BotCommand(row.name, row.menu)
        for row in table
        if row.in_menus
        and row.menu
        and row.offered_in(chat_type)
        and wanted.intersection(row.roles)
    ]


def commands_for(table: Sequence[MenuRow], roles: Iterable[str]) -> list[BotCommand]:
    """One person's private menu: everyone's commands and their roles' commands. A grassroots
    asker who is not a member gets only the askers' commands and everyone's."""
    held = set(roles)
    common = {"everyone"} if held == {"asker"} else COMMON_ROLES
    return menu(table, "private", held | common)


async def set_command_menus(bot: Bot, core: Core, table: Sequence[MenuRow]) -> None:
    await bot.set_my_commands(
        menu(table, "private", COMMON_ROLES), scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        menu(table, "group", COMMON_ROLES), scope=BotCommandScopeAllGroupChats()
    )
    people: dict[int, set[str]] = {}
    for program in await core.store.programs():
        for role in ("head", "leader", "admin"):
            for m in await core.store.members_with_role(program.id, role):
                people.setdefault(m.person.tg_user_id, set()).add(role)
    for admin in await core.store.superadmins():
        people.setdefault(admin.tg_user_id, set()).add("admin")
    for tg_user_id, member in await core.store.asker_menu_people():
        people.setdefault(tg_user_id, set()).update({"asker", "staff"} if member else {"asker"})
    for tg_user_id, roles in people.items():
        if on_telegram(tg_user_id):  # people on Zalo only have no Telegram menu
            await refresh_commands(bot, tg_user_id, roles, table)


async def refresh_commands(
    bot: Bot, tg_user_id: int, roles: set[str] | frozenset[str], table: Sequence[MenuRow]
) -> None:
    try:
        await bot.set_my_commands(commands_for(table, roles), scope=BotCommandScopeChat(tg_user_id))
    except (BadRequest, Forbidden) as exc:  # the person never opened a chat with the bot
        log.info("command menu for %s not set: %s", tg_user_id, exc.message)


# -- inbound: an update as an event -----------------------------------------------------------

_BOT_COMMAND = MessageEntity.BOT_COMMAND


def _command(message: Message, bot_username: str) -> tuple[str, tuple[str, ...], str] | None:
    """The command word (lower case), its words and the rest as typed, exactly as PTB's
    ``CommandHandler`` reads them: text messages only (not captions), a bot command entity at
    the very start, and no ``@username`` other than this bot's (then the word is "": a command,
    not for us, so not text either). None: not a command."""
    entities, text = message.entities, message.text
    if not (entities and entities[0].type == _BOT_COMMAND and entities[0].offset == 0 and text):
        return None
    name, _, at = text[1 : entities[0].length].partition("@")
    if at and at.lower() != bot_username.lower():
        return "", (), ""  # a command for another bot in the same group
    return name.lower(), tuple(text.split()[1:]), args_text(text)


def args_text(text: str) -> str:
    """Everything after the command word, original spacing and line breaks kept."""
    _, _, rest = text.partition(" ")
    if "\n" in text and (not rest or text.index("\n") < text.index(" ")):
        rest = text.split("\n", 1)[1]
    return rest.strip()


def _attachment(message: Message) -> Attachment | None:
    if message.document is not None:
        d = message.document
        return Attachment("document", d.file_id, d.file_name or "tep", d.file_size)
    if message.voice is not None:
        return Attachment("voice", message.voice.file_id, None, message.voice.file_size)
    if message.photo:
        return Attachment("picture", message.photo[-1].file_id)
    if message.sticker is not None:
        return Attachment("sticker", message.sticker.file_id)
    if message.effective_attachment is not None:
        return Attachment("other")
    return None


def _chat(chat: Any) -> Chat:
    return Chat(chat.id, "private" if chat.type == "private" else "group", chat.title or "")


def _sender(user: Any) -> Sender | None:
    if user is None:
        return None
    return Sender(user.id, user.first_name, user.last_name, user.username)


def event_of(update: Update, bot: Bot, now: datetime) -> Event | None:
    """The update as a channel-neutral event (None: nothing a person did, for the bot)."""
    uid = update.update_id
    query = update.callback_query
    if query is not None:
        message = query.message
        chat = _chat(message.chat) if message is not None else Chat(query.from_user.id, "private")
        return Event(
            "telegram",
            uid,
            chat,
            _sender(query.from_user),
            now,
            message_id=message.message_id if message is not None else None,
            press=query.data or "",
            press_id=query.id,
        )
    change = update.my_chat_member
    if change is not None:
        added = change.chat.type != "private" and change.new_chat_member.status in (
            "member",
            "administrator",
        )
        return Event(
            "telegram", uid, _chat(change.chat), _sender(change.from_user), now, bot_added=added
        )
    message = update.effective_message
    if message is None:
        return None
    edited = update.edited_message is not None or update.edited_channel_post is not None
    moved = None
    if message.migrate_to_chat_id:
        moved = (message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        moved = (message.migrate_from_chat_id, message.chat.id)
    text = message.text if message.text is not None else message.caption
    command = _command(message, bot.username or "")
    reply_to = message.reply_to_message
    return Event(
        "telegram",
        uid,
        _chat(message.chat),
        _sender(message.from_user),
        now,
        message_id=message.message_id,
        text=text,
        command=command[0] if command else None,
        args=command[1] if command else (),
        args_text=command[2] if command else "",
        attachment=_attachment(message),
        reply_to_bot=reply_to is not None
        and reply_to.from_user is not None
        and reply_to.from_user.id == bot.id,
        edited=edited,
        moved=moved,
        length=len(text or ""),
    )


# -- outbound: the channel ---------------------------------------------------------------------

_NOT_MODIFIED = re.compile(r"not modified", re.IGNORECASE)


def port_error(exc: TelegramError) -> ChannelError:
    """PTB's error as the port's kind: what the outbox does next is the same for every
    channel."""
    if isinstance(exc, RetryAfter):
        delay = exc.retry_after
        seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
        return SlowDown(float(seconds), exc.message)
    if isinstance(exc, ChatMigrated):
        return ChatMoved(exc.new_chat_id)
    if isinstance(exc, Forbidden | BadRequest):
        return Undeliverable(f"{type(exc).__name__}: {exc.message}")
    return Unreachable(f"{type(exc).__name__}: {exc.message}")


_BUSY = {
    "typing": ChatAction.TYPING,
    "picture": ChatAction.UPLOAD_PHOTO,
    "document": ChatAction.UPLOAD_DOCUMENT,
}


class TelegramChannel:
    """The Bot API side of the port (see the module's docstring)."""

    name = "telegram"
    pictures = True

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def owns(self, chat_id: int) -> bool:
        return on_telegram(chat_id)

    async def reply(self, event: Event, reply: Reply) -> None:
        if event.press_id is None:
            chat_id = reply.chat_id if reply.chat_id is not None else event.chat.id
            text = render(reply.template, for_chat(chat_id, reply.context))
            await send_html(self.bot, chat_id, text, reply.buttons)
            return
        if reply.edit and event.message_id is not None:
            # Paging: the list is replaced where it is, in the group or in private.
            await self.bot.answer_callback_query(event.press_id)
            chat_id = event.chat.id
            try:
                await self.bot.edit_message_text(
                    split_html(render(reply.template, for_chat(chat_id, reply.context)))[0],
                    chat_id=chat_id,
                    message_id=event.message_id,
                    reply_markup=markup(reply.buttons),
                )
            except BadRequest as exc:  # pressed twice: "message is not modified"
                if not _NOT_MODIFIED.search(exc.message):
                    raise
        elif reply.alert or reply.toast:
            text = plain(render(reply.template, reply.context))
            await self.bot.answer_callback_query(event.press_id, text[:190], show_alert=reply.alert)
        else:
            # The next step of a dialog goes to the presser's private chat as a message.
            await self.bot.answer_callback_query(event.press_id)
            assert event.sender is not None
            text = render(reply.template, reply.context)
            await send_html(self.bot, event.sender.id, text, reply.buttons)

    async def view(self, event: Event, notice: Reply, view: Reply) -> None:
        assert event.press_id is not None
        await self.bot.answer_callback_query(
            event.press_id, plain(render(notice.template, notice.context))[:190]
        )
        if event.message_id is None:
            return
        chat_id = event.chat.id
        parts = split_html(render(view.template, for_chat(chat_id, view.context)))
        if len(parts) > 1:
            await send_html(self.bot, chat_id, "".join(parts), view.buttons)
            return
        try:
            await self.bot.edit_message_text(
                parts[0],
                chat_id=chat_id,
                message_id=event.message_id,
                reply_markup=markup(view.buttons),
            )
        except BadRequest as exc:  # the view did not change (a second press on a stale view)
            log.info("view not edited: %s", exc.message)

    async def file(self, event: Event, file: FileReply) -> None:
        caption = render(file.caption.template, file.caption.context)
        chat_id = event.chat.id
        if file.kind == "photo":
            await self.bot.send_photo(
                chat_id, photo=file.data, filename=file.filename, caption=caption
            )
            return
        await self.bot.send_document(
            chat_id, document=file.data, filename=file.filename, caption=caption
        )

    async def busy(self, event: Event, what: Busy) -> None:
        await self.bot.send_chat_action(event.chat.id, _BUSY[what])

    async def download(self, event: Event) -> bytes:
        assert event.attachment is not None and event.attachment.file_id is not None
        file = await self.bot.get_file(event.attachment.file_id)
        return bytes(await file.download_as_bytearray())

    def delay(self, chat_id: int) -> float:
        """Seconds until a message may go into ``chat_id`` by the chat's own limits."""
        pace = getattr(self.bot, "rate_limiter", None)
        return pace.chat_delay(chat_id) if isinstance(pace, TelegramPace) else 0.0

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None:
        try:
            return await send_outbox_item(self.bot, item, part_sent)
        except TelegramError as exc:
            raise port_error(exc) from exc


# -- the way in from PTB ---------------------------------------------------------------------------

Handle = Callable[[Event, "TelegramChannel"], Awaitable[object]]


class TelegramInbound:
    """The one PTB handler: every update, as an event, to the dispatcher (set at start-up)."""

    def __init__(self) -> None:
        self.core: Core | None = None
        self.handle: Handle | None = None
        self.channel: TelegramChannel | None = None

    def attach(self, app: Application) -> None:  # type: ignore[type-arg]
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)

    def start(self, core: Core, handle: Handle, channel: TelegramChannel) -> None:
        self.core, self.handle, self.channel = core, handle, channel

    async def _on_update(self, update: Update, context: Any) -> None:
        if self.core is None or self.handle is None or self.channel is None:
            return  # not started (a Zalo-only bot never polls Telegram)
        event = event_of(update, context.bot, self.core.now())
        if event is None:
            return
        try:
            await self.handle(event, self.channel)
        except DatabaseLost:
            return  # said in one line where it was found; the bot is stopping

    async def _on_error(self, update: object, context: Any) -> None:
        if not isinstance(context.error, DatabaseLost):
            log.error("error while handling an update", exc_info=context.error)
