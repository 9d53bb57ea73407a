"""Grassroots questions: askers send them (/hoi), follow them (/cuatoi); admins moderate them."""

from __future__ import annotations

from telegram import Update

from bot.services import grassroots
from handlers.common import (
    Context,
    actor,
    args_text,
    deps,
    guarded,
    program_command,
    program_here,
    say,
)


@guarded
async def ask(update: Update, context: Context) -> None:
    """/hoi [nội dung]: a question from grassroots practice, sent privately to the bot."""
    person = await actor(update, context)
    await say(update, await grassroots.ask(deps(context).core, person, args_text(update)))


@guarded
async def mine(update: Update, context: Context) -> None:
    person = await actor(update, context)
    await say(update, await grassroots.my_submissions(deps(context).core, person))


@guarded
async def pending(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await grassroots.pending_list(deps(context).core, person, program))


askers = program_command(grassroots.askers_admin)

daily_limit = program_command(grassroots.set_daily_limit)
