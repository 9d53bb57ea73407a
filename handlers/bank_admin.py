"""The question bank for admins: the queue and its plan, ordering, pins, holds, tags, files."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.models import FileReply
from bot.render import plain, render, split_html
from bot.services import bank_admin
from bot.transport.telegram import for_chat, markup, send_html
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


async def _send_file(update: Update, context: Context, file: FileReply) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        document=file.data,
        filename=file.filename,
        caption=render(file.caption.template, file.caption.context),
    )


@guarded
async def template(update: Update, context: Context) -> None:
    """/maucauhoi: the empty spreadsheet to fill in."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await _send_file(
        update, context, await bank_admin.template_file(deps(context).core, person, program)
    )


@guarded
async def export(update: Update, context: Context) -> None:
    """/xuatcauhoi [xlsx|csv|yaml]: the bank as a file (suggested answers included: private)."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    args = list(context.args or [])
    await _send_file(
        update, context, await bank_admin.export_command(deps(context).core, person, program, args)
    )


@guarded
async def button(update: Update, context: Context) -> None:
    """A press on a question's detail view: do it, say so briefly, show the view as it is now."""
    query = update.callback_query
    assert query is not None
    person = await actor(update, context)
    notice, view = await bank_admin.press(deps(context).core, person, query.data or "")
    await query.answer(plain(render(notice.template, notice.context))[:190])
    if view is None or query.message is None:
        return
    parts = split_html(render(view.template, for_chat(query.message.chat.id, view.context)))
    if len(parts) > 1:
        await send_html(context.bot, query.message.chat.id, "".join(parts), view.buttons)
        return
    try:
        await query.edit_message_text(parts[0], reply_markup=markup(view.buttons))
    except BadRequest as exc:  # the view did not change (a second press on a stale view)
        log.info("question view not edited: %s", exc.message)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Presses on this area's buttons (their tokens start with the area's prefix); every other
    press goes on to the shared button handler."""
    app.add_handler(CallbackQueryHandler(button, pattern=f"^{re.escape(bank_admin.BUTTON_PREFIX)}"))
