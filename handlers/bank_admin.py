"""The question bank for admins: the queue and its plan, ordering, pins, holds, tags, files."""

from __future__ import annotations

import logging

from bot.services import bank_admin
from handlers.common import Handler, Turn, guarded, program_command

log = logging.getLogger("hoidap.handlers")


@guarded
async def queue(t: Turn) -> None:
    """/danhsach: the coming sessions with their questions, then the queue in order."""
    person = await t.person()
    program = await t.program(person)
    await t.say(await bank_admin.queue_view(t.core, person, program))


detail = program_command(bank_admin.detail)  # /xemcauhoi <số>

reorder = program_command(bank_admin.reorder)  # /xephang <số câu> <vị trí>

pin = program_command(bank_admin.pin)  # /ghim <số câu> <dd/mm/yyyy> | huy


def _status_command(action: str) -> Handler:
    return program_command(
        lambda core, person, program, args: bank_admin.set_status(
            core, person, program, args, action
        ),
    )


hold = _status_command("hold")  # /tamhoan <số câu>
release = _status_command("release")  # /tieptuc <số câu>
retire = _status_command("retire")  # /loai <số câu>


@guarded
async def tags(t: Turn) -> None:
    """/the <số câu> <thẻ, thẻ…> | xoa."""
    person = await t.person()
    program = await t.program(person)
    core = t.core
    await t.say(await bank_admin.set_tags(core, person, program, t.args_text))


@guarded
async def template(t: Turn) -> None:
    """/maucauhoi: the empty spreadsheet to fill in."""
    person = await t.person()
    program = await t.program(person)
    await t.send_file(await bank_admin.template_file(t.core, person, program))


@guarded
async def export(t: Turn) -> None:
    """/xuatcauhoi [xlsx|csv|yaml]: the bank as a file (suggested answers included: private)."""
    person = await t.person()
    program = await t.program(person)
    args = t.args
    await t.send_file(await bank_admin.export_command(t.core, person, program, args))
