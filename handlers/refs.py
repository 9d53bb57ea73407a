"""The documents answers rest on: the register (``/cancu``) and the supplementary conclusion
(``/ketluanbosung``)."""

from __future__ import annotations

from telegram import Update

from bot.services import register, supplements
from handlers.common import Context, actor, args_text, deps, guarded, program_here, say, send_file


@guarded
async def register_command(update: Update, context: Context) -> None:
    """``/cancu [việc] …``: the register, one document, a change (admins), or its file."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    result = await register.command(deps(context).core, person, program, args_text(update))
    await send_file(update, context, result)


@guarded
async def supplement(update: Update, context: Context) -> None:
    """``/ketluanbosung <số> [nội dung]``: the leader's supplementary conclusion."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(
        update, await supplements.start(deps(context).core, person, program, args_text(update))
    )
