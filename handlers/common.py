"""What every handler shares: the turn being handled, the acting person, refusals answered
politely. Handlers see channel-neutral events (``bot/transport/port.py``), never a channel's own
types: the same handler answers on Telegram and on Zalo."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.core import Core, Refused
from bot.models import FileReply, Person, Program, Reply
from bot.services.roster import program_for
from bot.transport.outbox import OutboxWorker
from bot.transport.port import Busy, Channel, Event

log = logging.getLogger("hoidap.handlers")

MAX_ARGS_CHARS = 4000
# Telegram delivers at most 4096 characters in a message; anything longer is a forged update.
MAX_MESSAGE_CHARS = 4096
# Refusals about where or with what a request came. Role refusals are logged by core.require.
LOGGED_REFUSALS = frozenset(
    {
        "button_invalid",
        "button_expired",
        "button_used",
        "group_not_bound",
        "not_member",
        "choose_program_first",
        "private_only",
    }
)


@dataclass
class Deps:
    core: Core
    outbox: OutboxWorker
    bot_username: str = "hoidap_bot"


@dataclass
class Turn:
    """One event being handled: the event, the channel it came by, and the bot's parts."""

    ev: Event
    channel: Channel
    deps: Deps

    @property
    def core(self) -> Core:
        return self.deps.core

    @property
    def args(self) -> list[str]:
        return list(self.ev.args)

    @property
    def args_text(self) -> str:
        """Everything after the command word, original spacing and line breaks kept."""
        return self.ev.args_text

    @property
    def in_private(self) -> bool:
        return self.ev.chat.private

    async def person(self) -> Person:
        sender = self.ev.sender
        assert sender is not None
        return await self.core.person_for(
            sender.id, sender.username, sender.first_name, sender.last_name
        )

    async def program(self, person: Person) -> Program:
        """The program this turn is about: the group's, or the chosen one in private."""
        chat = self.ev.chat
        return await program_for(self.core, person, chat.id, chat.kind)

    async def say(self, reply: Reply | None) -> None:
        if reply is not None:
            await self.channel.reply(self.ev, reply)

    async def busy(self, what: Busy) -> None:
        try:
            await self.channel.busy(self.ev, what)
        except Exception:  # a convenience: the answer comes anyway
            log.info("could not show that an answer is being prepared")

    async def send_file(self, result: FileReply | Reply) -> None:
        """A file back to the chat that asked, with its caption (a picture where the channel
        shows pictures; a one-time link where it sends no files); a plain reply (a refusal, or
        nothing to put in a file) is said instead."""
        if not isinstance(result, FileReply):
            await self.say(result)
            return
        await self.channel.file(self.ev, result)


Handler = Callable[[Turn], Coroutine[Any, Any, None]]


def guarded(fn: Handler) -> Handler:
    """Answer a :class:`Refused` politely where the request came from."""

    @functools.wraps(fn)
    async def wrapper(t: Turn) -> None:
        length = t.ev.length if t.ev.press is None else 0
        if length > MAX_MESSAGE_CHARS:
            # Refused before any handler or service sees it; nothing but the refusal is recorded.
            await log_refusal(t, f"too_long:{length}")
            await t.say(Reply("text_too_long", {"limit": MAX_MESSAGE_CHARS, "length": length}))
            return
        try:
            await fn(t)
        except Refused as refused:
            if refused.reply.template in LOGGED_REFUSALS:
                await log_refusal(t, refused.reply.template)
            await t.say(refused.reply)

    return wrapper


async def log_refusal(t: Turn, what: str) -> None:
    """Record a refused request in the log and the ``events`` table (kind ``refused``)."""
    core = t.core
    sender, chat = t.ev.sender, t.ev.chat
    person = await core.store.person_by_tg(sender.id) if sender else None
    program = await core.store.program_by_chat(chat.id) if not chat.private else None
    log.warning(
        "refused: channel=%s sender=%s chat=%s what=%s",
        t.ev.channel,
        sender.id if sender else "-",
        chat.id,
        what,
    )
    async with core.store.transaction():
        await core.store.log_event(
            "refused",
            core.now(),
            program_id=program.id if program else None,
            actor_id=person.id if person else None,
            detail=f"{what} chat={chat.id}",
        )


ProgramAction = Callable[[Core, Person, Program, list[str]], Awaitable[Reply | None]]


def program_command(action: ProgramAction) -> Handler:
    """The usual command: who asks, about which program (this group's, or the chosen one in
    private), the service with the command's words, the reply where it was asked."""

    async def handler(t: Turn) -> None:
        person = await t.person()
        program = await t.program(person)
        await t.say(await action(t.core, person, program, t.args))

    return guarded(handler)


def private_only(fn: Handler) -> Handler:
    @functools.wraps(fn)
    async def wrapper(t: Turn) -> None:
        if not t.in_private:
            await log_refusal(t, "private_only")
            await t.say(Reply("private_only"))
            return
        await fn(t)

    return wrapper
