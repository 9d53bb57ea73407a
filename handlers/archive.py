"""The archive of official answers: search, history and the yearly handbook."""

from __future__ import annotations

from bot.services import archive
from handlers.common import Turn, guarded


@guarded
async def search(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await archive.search(t.core, person, program, t.args_text))


@guarded
async def history(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    page = archive.parse_page(t.args_text)
    await t.say(await archive.history(t.core, person, program, page))


@guarded
async def handbook(t: Turn) -> None:
    """The handbook goes back as a document to the chat that asked (a reply, no state change)."""
    person = await t.person()
    program = await t.program(person)
    result = await archive.handbook(t.core, person, program, t.args_text, progress=t.say)
    await t.send_file(result)
