"""The question bank for admins: the queue and its plan, ordering, pins, holds, tags, files."""

from __future__ import annotations

import logging

from telegram import Update

from bot.services import bank_admin
from handlers.common import (
    Context,
    Handler,
    actor,
    args_text,
    deps,
    guarded,
    program_command,
    program_here,
    say,
    send_file,
)

log = logging.getLogger("hoidap.handlers")


@guarded
async def queue(update: Update, context: Context) -> None:
    """/danhsach: the coming sessions with their questions, then the queue in order."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await bank_admin.queue_view(deps(context).core, person, program))


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
async def tags(update: Update, context: Context) -> None:
    """/the <số câu> <thẻ, thẻ…> | xoa."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    await say(update, await bank_admin.set_tags(core, person, program, args_text(update)))


@guarded
async def template(update: Update, context: Context) -> None:
    """/maucauhoi: the empty spreadsheet to fill in."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await send_file(
        update, context, await bank_admin.template_file(deps(context).core, person, program)
    )


@guarded
async def export(update: Update, context: Context) -> None:
    """/xuatcauhoi [xlsx|csv|yaml]: the bank as a file (suggested answers included: private)."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    args = list(context.args or [])
    await send_file(
        update, context, await bank_admin.export_command(deps(context).core, person, program, args)
    )
