"""Grassroots questions: askers send them (/hoi), follow them (/cuatoi); admins moderate them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.services import grassroots
from handlers.common import (
    Context,
    actor,
    args_text,
    deps,
    guarded,
    private_only,
    program_command,
    program_here,
    say,
)


@guarded
@private_only
async def ask(update: Update, context: Context) -> None:
    """/hoi [nội dung]: a question from grassroots practice, sent privately to the bot."""
    person = await actor(update, context)
    await say(update, await grassroots.ask(deps(context).core, person, args_text(update)))


@guarded
@private_only
async def mine(update: Update, context: Context) -> None:
    person = await actor(update, context)
    await say(update, await grassroots.my_submissions(deps(context).core, person))


@guarded
@private_only
async def pending(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await grassroots.pending_list(deps(context).core, person, program))


askers = program_command(grassroots.askers_admin, private=True)

daily_limit = program_command(grassroots.set_daily_limit, private=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this area's handlers (commands before the generic message handlers)."""
    # Grassroots askers.
    app.add_handler(CommandHandler(["hoi", "ask"], ask))
    app.add_handler(CommandHandler("cuatoi", mine))
    # Admins: the moderation queue, the askers, the daily limit.
    app.add_handler(CommandHandler("hoicho", pending))
    app.add_handler(CommandHandler("coso", askers))
    app.add_handler(CommandHandler("gioihanhoi", daily_limit))
