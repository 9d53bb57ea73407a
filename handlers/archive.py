"""The archive of official answers: search, history and the yearly handbook."""

from __future__ import annotations

from telegram import Update

from bot.services import archive
from handlers.common import (
    Context,
    actor,
    args_text,
    deps,
    guarded,
    program_here,
    say,
    send_file,
)


@guarded
async def search(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await archive.search(deps(context).core, person, program, args_text(update)))


@guarded
async def history(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    page = archive.parse_page(args_text(update))
    await say(update, await archive.history(deps(context).core, person, program, page))


@guarded
async def handbook(update: Update, context: Context) -> None:
    """The handbook goes back as a document to the chat that asked (a reply, no state change)."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    result = await archive.handbook(
        deps(context).core, person, program, args_text(update), progress=lambda r: say(update, r)
    )
    await send_file(update, context, result)
