"""Grassroots questions: askers send them (/hoi), follow them (/cuatoi); admins moderate them."""

from __future__ import annotations

from bot.services import grassroots
from handlers.common import Turn, guarded, program_command


@guarded
async def ask(t: Turn) -> None:
    """/hoi [nội dung]: a question from grassroots practice, sent privately to the bot."""
    person = await t.person()
    await t.say(await grassroots.ask(t.core, person, t.args_text))


@guarded
async def mine(t: Turn) -> None:
    person = await t.person()
    await t.say(await grassroots.my_submissions(t.core, person))


@guarded
async def pending(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await grassroots.pending_list(t.core, person, program))


askers = program_command(grassroots.askers_admin)

daily_limit = program_command(grassroots.set_daily_limit)
