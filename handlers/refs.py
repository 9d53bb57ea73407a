"""The documents answers rest on: the register (``/cancu``) and the supplementary conclusion
(``/ketluanbosung``)."""

from __future__ import annotations

from bot.services import register, supplements
from handlers.common import Turn, guarded


@guarded
async def register_command(t: Turn) -> None:
    """``/cancu [việc] …``: the register, one document, a change (admins), or its file."""
    person = await t.person()
    program = await t.program(person)
    await t.send_file(await register.command(t.core, person, program, t.args_text))


@guarded
async def supplement(t: Turn) -> None:
    """``/ketluanbosung <số> [nội dung]``: the leader's supplementary conclusion."""
    person = await t.person()
    program = await t.program(person)
    await t.say(await supplements.start(t.core, person, program, t.args_text))
