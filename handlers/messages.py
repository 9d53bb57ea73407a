"""Free text, files and voice notes: dialogs, answers and question-file uploads."""

from __future__ import annotations

import logging
from pathlib import PurePath

from telegram import Update
from telegram.error import BadRequest

from bot.models import Answer, Reply
from bot.render import plain, render, split_html
from bot.services import answers, bank, interact, register
from bot.transport.telegram import for_chat, markup, send_html
from handlers.common import Context, actor, deps, guarded, program_here, say
from questions.model import LIMITS

log = logging.getLogger("hoidap.handlers")

QUESTION_FILE_SUFFIXES = {".xlsx", ".csv", ".yaml", ".yml"}


@guarded
async def cancel(update: Update, context: Context) -> None:
    await say(update, await interact.cancel(deps(context).core, await actor(update, context)))


@guarded
async def skip(update: Update, context: Context) -> None:
    await say(update, await interact.skip_field(deps(context).core, await actor(update, context)))


@guarded
async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    person = await actor(update, context)
    answer = answer_of(update, in_group=False)
    assert answer is not None
    reply = await interact.private_text(deps(context).core, person, answer)
    await say(update, reply or Reply("fallback"))


@guarded
async def group_reply(update: Update, context: Context) -> None:
    """In the group, a reply to one of the bot's messages by the drawn person is the answer."""
    message = update.effective_message
    assert message is not None
    reply_to = message.reply_to_message
    if reply_to is None or reply_to.from_user is None or reply_to.from_user.id != context.bot.id:
        return
    person = await actor(update, context)
    program = await program_here(update, context, person)
    answer = answer_of(update, in_group=True)
    if answer is not None:
        await say(update, await answers.record_answer(deps(context).core, person, answer, program))


def answer_of(update: Update, in_group: bool, text: str | None = None) -> Answer | None:
    """What a message carries as an answer: text, a voice note or a document."""
    message = update.effective_message
    assert message is not None
    chat_id, message_id = message.chat_id, message.message_id
    if message.voice is not None:
        return Answer(
            "voice", message.caption, chat_id, message_id, in_group, file_id=message.voice.file_id
        )
    if message.document is not None:
        return Answer(
            "document",
            message.caption,
            chat_id,
            message_id,
            in_group,
            file_id=message.document.file_id,
            file_name=message.document.file_name or "tep",
        )
    body = text if text is not None else message.text
    return Answer("text", body, chat_id, message_id, in_group) if body is not None else None


@guarded
async def private_media(update: Update, context: Context) -> None:
    """A document or voice note in private: a question file from an admin, or an answer."""
    message = update.effective_message
    assert message is not None
    person = await actor(update, context)
    core = deps(context).core
    document = message.document
    if document is not None:
        from questions.importer import display_filename  # openpyxl, PyYAML: loaded on a file

        name = display_filename(document.file_name or "")
        suffix = PurePath(name).suffix.lower()
        if suffix in QUESTION_FILE_SUFFIXES and not await core.store.sessions_drawing(person.id):
            program = await program_here(update, context, person)
            await core.require(person, program, "admin", action="import")
            if document.file_size and document.file_size > LIMITS.max_file_bytes:
                await say(update, bank.too_large_reply(name, document.file_size))
                return
            data = bytes(await (await document.get_file()).download_as_bytearray())
            result = await bank.import_file(
                core, person, program, name, data, progress=lambda r: say(update, r)
            )
            # A file without the question column may be the register of documents.
            if bank.lacks_questions(result) and await register.is_register_file(name, data):
                result = await register.import_file(core, person, name, data)
            await say(update, result)
            return
    answer = answer_of(update, in_group=False)
    reply = await answers.record_answer(core, person, answer) if answer else None
    await say(update, reply or Reply("media_not_expected"))


@guarded
async def add_question(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await bank.start_add(deps(context).core, person, program))


@guarded
async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    person = await actor(update, context)
    outcome = await interact.press(deps(context).core, person, query.data or "")
    if outcome.view is None:
        await say(update, outcome.reply)
        return
    # A press on a view (a question's detail): say so briefly, show the view as it is now.
    notice, view = outcome.reply, outcome.view
    await query.answer(plain(render(notice.template, notice.context))[:190])
    if query.message is None:
        return
    chat_id = query.message.chat.id
    parts = split_html(render(view.template, for_chat(chat_id, view.context)))
    if len(parts) > 1:
        await send_html(query.get_bot(), chat_id, "".join(parts), view.buttons)
        return
    try:
        await query.edit_message_text(parts[0], reply_markup=markup(view.buttons))
    except BadRequest as exc:  # the view did not change (a second press on a stale view)
        log.info("view not edited: %s", exc.message)
