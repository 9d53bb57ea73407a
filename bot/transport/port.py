"""The transport port: what a channel (Telegram, Zalo, …) does for the bot, in one small typed
protocol, so that nothing above the transport knows which channel a person uses.

- **Inbound**: a channel turns what arrives (a Telegram update, a Zalo message) into one
  channel-neutral :class:`Event` — who, which chat, the text, the command it carries, a button
  pressed or a choice typed, a file — and hands it to the dispatcher (``handlers/dispatch.py``),
  which sits in front of every channel once: the flood gate, the record that each message is
  handled once, one person's messages in order, then the handlers.
- **Outbound**: a :class:`Channel` says a :class:`~bot.models.Reply` where an event came from
  (``reply``), shows a view in place of a pressed one (``view``), sends a file (``file``) or says
  it is working (``busy``), fetches what a person sent (``download``), and delivers what the
  outbox owes (``send``). How is the channel's business: HTML and buttons on Telegram; plain
  text, numbered choices and download links on Zalo.
- **Errors**: a channel raises only :class:`ChannelError` and its kinds, so the outbox's rules
  (retry, wait, give up, follow a moved group) are the same for every channel.

Chat and person addresses stay the integers the rest of the bot already keeps (``bot/chats.py``
says which range belongs to which channel): a channel only ever receives addresses of its own.

A third channel is added by implementing :class:`Channel` and turning its messages into
:class:`Event` s; ``tests/test_port.py`` does it with an in-memory channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from bot.models import FileReply, OutboxItem, Reply

ChatKind = Literal["private", "group"]
AttachmentKind = Literal["document", "voice", "picture", "sticker", "other"]
# What a channel is doing while a slow answer is prepared («đang gửi ảnh…»).
Busy = Literal["typing", "picture", "document"]
# Awaited after each part of a long message but the last, with the number of parts delivered.
PartSent = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Chat:
    """Where an event happened: a private chat with the bot, or a group (Telegram)."""

    id: int  # the chat's address (bot/chats.py)
    kind: ChatKind
    title: str = ""

    @property
    def private(self) -> bool:
        return self.kind == "private"


@dataclass(frozen=True)
class Sender:
    """Who sent it, as their channel names them; ``id`` is the person's address there."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file, a voice note, a picture or a sticker that came with a message."""

    kind: AttachmentKind
    file_id: str | None = None
    file_name: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Doubt:
    """Words that may be a command, or may not («lịch tuần này»): the person is asked, with a
    yes and a no whose tokens the channel keeps (``yes`` runs ``command``, ``no`` takes the
    text as text)."""

    command: str
    args_text: str
    yes: str
    no: str


@dataclass(frozen=True)
class Event:
    """One thing a person did, on any channel.

    ``update_id`` names it among every channel's events, for the record that each is handled
    once: Telegram's own update id (positive), a number below zero derived from the message id on
    other channels (so no channel's id is ever taken for another's); ``command`` is the command
    word (lower case) when the message is a command for this bot, with ``args`` its words and
    ``args_text`` everything after it as typed; ``press`` the token of a pressed button or of a
    typed choice; ``text`` the message's text (or a file's caption).
    """

    channel: str
    update_id: int
    chat: Chat
    sender: Sender | None
    at: datetime
    message_id: int | None = None
    text: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    args_text: str = ""
    press: str | None = None
    press_id: str | None = None  # the channel's own handle of a press, to answer it
    attachment: Attachment | None = None
    reply_to_bot: bool = False
    edited: bool = False
    # A number typed where a choice was meant, with nothing to choose (0: choices forgotten).
    choice: int | None = None
    doubt: Doubt | None = None
    # Telegram's service messages: the bot added to a group; a group moved to a new chat id.
    bot_added: bool = False
    moved: tuple[int, int] | None = None  # (old chat id, new chat id)
    length: int = field(default=0)  # characters of the text as received (before any cut)


class Channel(Protocol):
    """What a channel does for the bot (see the module's docstring)."""

    name: str
    # Shows a picture in the chat (Telegram); else a picture is a file like any other.
    pictures: bool

    def owns(self, chat_id: int) -> bool:
        """Whether ``chat_id`` is an address of this channel."""
        ...

    async def reply(self, event: Event, reply: Reply) -> None:
        """Say ``reply`` where ``event`` came from (a press: as a notice, an edit or a
        message, as ``reply`` asks)."""
        ...

    async def view(self, event: Event, notice: Reply, view: Reply) -> None:
        """A press on a view: the short ``notice``, and the view as it is now in place of the
        pressed one (or as a new message where nothing can be edited)."""
        ...

    async def file(self, event: Event, file: FileReply) -> None:
        """A file back to the chat ``event`` came from, with its caption."""
        ...

    async def busy(self, event: Event, what: Busy) -> None:
        """Show that an answer is being prepared (never required to succeed)."""
        ...

    async def download(self, event: Event) -> bytes:
        """The file that came with ``event``."""
        ...

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None:
        """Deliver what the outbox owes to ``item.chat_id`` (an address of this channel);
        returns the channel's message id when there is one."""
        ...


# -- errors: the same kinds for every channel ------------------------------------------------------


class ChannelError(Exception):
    """Sending failed; the kind says what the outbox does next (retry by default)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unreachable(ChannelError):
    """The channel cannot be reached now (network, server error): kept owed, tried again."""


class SlowDown(ChannelError):
    """The channel asks to wait ``retry_after`` seconds before sending again."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}s")
        self.retry_after = retry_after


class NotYet(Unreachable):
    """This chat cannot be written to until the person writes first (Zalo's rule): kept owed,
    not tried again until the channel says they wrote (:meth:`OutboxWorker.chat_open`)."""


class Undeliverable(ChannelError):
    """Refused for good (blocked by the person, unknown chat, bad content): not tried again."""


class ChatMoved(ChannelError):
    """The chat has a new address (a Telegram group upgraded to a supergroup)."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id
