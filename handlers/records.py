"""The record: a person's own (/hoso), the program's figures (/thongke), the report files
(/baocao)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from bot.chats import is_zalo_chat
from bot.services import records, reports
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
async def person_record(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    reply = await records.person_record_reply(
        deps(context).core, person, program, args_text(update)
    )
    await say(update, reply)


@guarded
async def figures(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    chat = update.effective_chat
    in_group = chat is not None and chat.type != "private"
    # Zalo gets the figures only: a file there is a download link, not a picture in the chat.
    pictures = chat is not None and not is_zalo_chat(chat.id)
    answer = await records.figures_reply(
        deps(context).core, person, program, args_text(update), in_group, pictures
    )
    await say(update, answer.reply)
    if answer.chart is None or chat is None:
        return
    # «sending a photo…» in the chat while the chart is drawn (a second or two).
    await update.get_bot().send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    chart = await answer.chart()
    if chart is not None:
        await send_file(update, context, chart)


@guarded
async def report(update: Update, context: Context) -> None:
    """/baocao: the report file goes back to the private chat that asked, after a progress note."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    result = await reports.report(
        deps(context).core, person, program, args_text(update), progress=lambda r: say(update, r)
    )
    await send_file(update, context, result)
