"""Onboarding, help, binding a group, and the roster commands."""

from __future__ import annotations

from telegram import Update

from bot.models import Reply
from bot.services import links, roster
from handlers.common import (
    Context,
    actor,
    deps,
    guarded,
    program_command,
    program_here,
    say,
)


@guarded
async def start(update: Update, context: Context) -> None:
    person = await actor(update, context)
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        await say(update, Reply("start_in_group", {"bot": deps(context).bot_username}))
        return
    payload = context.args[0] if context.args else None
    await say(update, await roster.start(deps(context).core, person, payload))


@guarded
async def bind(update: Update, context: Context) -> None:
    """/lienket in a group: make this group a program."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type == "private":
        await say(update, Reply("bind_in_group"))
        return
    person = await actor(update, context)
    reply = await roster.bind_group(deps(context).core, person, chat.id, chat.title or "")
    await say(update, reply)


async def group_migrated(update: Update, context: Context) -> None:
    """Telegram's service message: the group became a supergroup with a new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await roster.follow_group_migration(deps(context).core, old, new)


@guarded
async def choose(update: Update, context: Context) -> None:
    person = await actor(update, context)
    await say(update, await roster.choose_program_buttons(deps(context).core, person))


@guarded
async def members(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await roster.roster(deps(context).core, person, program))


roles = program_command(roster.set_roles)

away = program_command(roster.set_away)

deactivate = program_command(roster.deactivate)


@guarded
async def invite(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    d = deps(context)
    await say(
        update,
        await roster.create_invite(
            d.core, person, program, list(context.args or []), d.bot_username
        ),
    )


@guarded
async def zalo(update: Update, context: Context) -> None:
    """/zalo: a one-time code to send to the bot on Zalo, linking both accounts."""
    person = await actor(update, context)
    await say(update, await links.offer_code(deps(context).core, person))


@guarded
async def whoami(update: Update, context: Context) -> None:
    """/toi: who the bot takes the sender for (and their Zalo id, on Zalo)."""
    person = await actor(update, context)
    chat = update.effective_chat
    assert chat is not None
    await say(update, await links.whoami(deps(context).core, person, chat.id))
