"""What every handler shares: dependencies, the acting person, refusals answered politely."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import Core, Refused
from bot.models import FileReply, Person, Program, Reply
from bot.render import plain, render, split_html
from bot.services.roster import program_for
from bot.transport.outbox import OutboxWorker
from bot.transport.telegram import for_chat, markup, reply_to, send_html

log = logging.getLogger("hoidap.handlers")

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
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


def in_private(update: Update) -> bool:
    """The update comes from a private chat with the bot (a Zalo chat is one too)."""
    return update.effective_chat is not None and update.effective_chat.type == "private"


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
        if reply.edit and query.message is not None:
            # Paging: the list is replaced where it is, in the group or in private.
            await query.answer()
            try:
                chat_id = query.message.chat.id
                await query.edit_message_text(
                    split_html(render(reply.template, for_chat(chat_id, reply.context)))[0],
                    reply_markup=markup(reply.buttons),
                )
            except BadRequest as exc:  # pressed twice: "message is not modified"
                if "not modified" not in exc.message.lower():
                    raise
        elif reply.alert or reply.toast:
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
        message = update.effective_message if update.callback_query is None else None
        length = len((message.text or message.caption or "") if message else "")
        if length > MAX_MESSAGE_CHARS:
            # Refused before any handler or service sees it; nothing but the refusal is recorded.
            await log_refusal(update, context, f"too_long:{length}")
            too_long = {"limit": MAX_MESSAGE_CHARS, "length": length}
            await say(update, Reply("text_too_long", too_long))
            return
        try:
            await fn(update, context)
        except Refused as refused:
            if refused.reply.template in LOGGED_REFUSALS:
                await log_refusal(update, context, refused.reply.template)
            await say(update, refused.reply)

    return wrapper


async def log_refusal(update: Update, context: Context, what: str) -> None:
    """Record a refused request in the log and the ``events`` table (kind ``refused``)."""
    core = deps(context).core
    user, chat = update.effective_user, update.effective_chat
    person = await core.store.person_by_tg(user.id) if user else None
    program = await core.store.program_by_chat(chat.id) if chat and chat.type != "private" else None
    log.warning(
        "refused: tg_user=%s chat=%s what=%s",
        user.id if user else "-",
        chat.id if chat else "-",
        what,
    )
    async with core.store.transaction():
        await core.store.log_event(
            "refused",
            core.now(),
            program_id=program.id if program else None,
            actor_id=person.id if person else None,
            detail=f"{what} chat={chat.id if chat else '-'}",
        )


ProgramAction = Callable[[Core, Person, Program, list[str]], Awaitable[Reply | None]]


def program_command(action: ProgramAction) -> Handler:
    """The usual command: who asks, about which program (this group's, or the chosen one in
    private), the service with the command's words, the reply where it was asked."""

    async def handler(update: Update, context: Context) -> None:
        person = await actor(update, context)
        program = await program_here(update, context, person)
        args = list(context.args or [])
        await say(update, await action(deps(context).core, person, program, args))

    return guarded(handler)


def private_only(fn: Handler) -> Handler:
    @functools.wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            await log_refusal(update, context, "private_only")
            await say(update, Reply("private_only"))
            return
        await fn(update, context)

    return wrapper


async def send_file(update: Update, context: Context, result: FileReply | Reply) -> None:
    """A file back to the chat that asked, with its caption (a ``photo`` as a picture); a plain
    reply (a refusal, or nothing to put in a file) is said instead."""
    if not isinstance(result, FileReply):
        await say(update, result)
        return
    chat = update.effective_chat
    assert chat is not None
    caption = render(result.caption.template, result.caption.context)
    # The bot the update came through: Zalo answers with a one-time link instead.
    bot = update.get_bot()
    if result.kind == "photo":
        await bot.send_photo(chat.id, photo=result.data, filename=result.filename, caption=caption)
        return
    await bot.send_document(
        chat.id, document=result.data, filename=result.filename, caption=caption
    )
