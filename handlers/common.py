"""What every handler shares: dependencies, the acting person, refusals answered politely."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import Core, Refused
from bot.models import Person, Program, Reply
from bot.render import plain, render
from bot.services.roster import program_for
from bot.transport.outbox import OutboxWorker
from bot.transport.telegram import reply_to, send_html

log = logging.getLogger("hoidap.handlers")

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
MAX_ARGS_CHARS = 4000


@dataclass
class Deps:
    core: Core
    outbox: OutboxWorker
    bot_username: str = "hoidap_bot"


def deps(context: Context) -> Deps:
    d = context.application.bot_data["deps"]
    assert isinstance(d, Deps)
    return d


async def actor(update: Update, context: Context) -> Person:
    user = update.effective_user
    assert user is not None
    return await deps(context).core.person_for(
        user.id, user.username, user.first_name, user.last_name
    )


async def program_here(update: Update, context: Context, person: Person) -> Program:
    chat = update.effective_chat
    assert chat is not None
    return await program_for(deps(context).core, person, chat.id, chat.type)


def args_text(update: Update) -> str:
    """Everything after the command word, original spacing and line breaks kept."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    _, _, rest = text.partition(" ")
    if "\n" in text and (not rest or text.index("\n") < text.index(" ")):
        rest = text.split("\n", 1)[1]
    return rest.strip()


async def say(update: Update, reply: Reply | None) -> None:
    if reply is None:
        return
    query = update.callback_query
    if query is not None:
        if reply.alert or reply.toast:
            text = plain(render(reply.template, reply.context))
            await query.answer(text[:190], show_alert=reply.alert)
        else:
            # The next step of a dialog goes to the presser's private chat as a message.
            await query.answer()
            await send_html(
                query.get_bot(),
                query.from_user.id,
                render(reply.template, reply.context),
                reply.buttons,
            )
        return
    message = update.effective_message
    if message is not None:
        await reply_to(message, reply)


def guarded(fn: Handler) -> Handler:
    """Answer a :class:`Refused` politely where the request came from."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and len(message.text or message.caption or "") > 20000:
            return
        try:
            await fn(update, context)
        except Refused as refused:
            await say(update, refused.reply)

    return wrapper


def private_only(fn: Handler) -> Handler:
    @functools.wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            await say(update, Reply("private_only"))
            return
        await fn(update, context)

    return wrapper
