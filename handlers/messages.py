"""Free text, files and voice notes: dialogs, answers and question-file uploads; button presses."""

from __future__ import annotations

import logging
from pathlib import PurePath

from bot.models import Answer, AnswerKind, Button, Reply
from bot.services import answers, bank, interact, register
from bot.words import BUTTONS, MENU
from handlers.common import Turn, guarded
from questions.model import LIMITS, display_filename

log = logging.getLogger("hoidap.handlers")

QUESTION_FILE_SUFFIXES = {".xlsx", ".csv", ".yaml", ".yml"}


@guarded
async def cancel(t: Turn) -> None:
    await t.say(await interact.cancel(t.core, await t.person()))


@guarded
async def skip(t: Turn) -> None:
    await t.say(await interact.skip_field(t.core, await t.person()))


@guarded
async def private_text(t: Turn) -> None:
    person = await t.person()
    answer = answer_of(t)
    assert answer is not None
    reply = await interact.private_text(t.core, person, answer)
    await t.say(reply or Reply("fallback"))


@guarded
async def group_reply(t: Turn) -> None:
    """In the group, a reply to one of the bot's messages by the drawn person is the answer."""
    if not t.ev.reply_to_bot:
        return
    person = await t.person()
    program = await t.program(person)
    answer = answer_of(t)
    if answer is not None:
        await t.say(await answers.record_answer(t.core, person, answer, program))


def answer_of(t: Turn, text: str | None = None) -> Answer | None:
    """What a message carries as an answer: text, a voice note or a document."""
    ev = t.ev
    chat_id, message_id, in_group = ev.chat.id, ev.message_id or 0, not ev.chat.private
    file = ev.attachment
    if file is not None and file.kind in ("voice", "document"):
        kind: AnswerKind = file.kind
        name = (file.file_name or "tep") if kind == "document" else None
        return Answer(kind, ev.text, chat_id, message_id, in_group, file.file_id, name)
    body = text if text is not None else ev.text
    return Answer("text", body, chat_id, message_id, in_group) if body is not None else None


@guarded
async def private_media(t: Turn) -> None:
    """A document or voice note in private: a question file from an admin, or an answer."""
    person = await t.person()
    core = t.core
    file = t.ev.attachment
    if file is not None and file.kind == "document":
        name = display_filename(file.file_name or "")
        suffix = PurePath(name).suffix.lower()
        if suffix in QUESTION_FILE_SUFFIXES and not await core.store.sessions_drawing(person.id):
            program = await t.program(person)
            await core.require(person, program, "admin", action="import")
            if file.size and file.size > LIMITS.max_file_bytes:
                await t.say(bank.too_large_reply(name, file.size))
                return
            data = await t.channel.download(t.ev)
            result = await bank.import_file(core, person, program, name, data, progress=t.say)
            # A file without the question column may be the register of documents.
            if bank.lacks_questions(result) and await register.is_register_file(name, data):
                result = await register.import_file(core, person, name, data)
            await t.say(result)
            return
    answer = answer_of(t)
    reply = await answers.record_answer(core, person, answer) if answer else None
    await t.say(reply or Reply("media_not_expected"))


@guarded
async def add_question(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await bank.start_add(t.core, person, program))


@guarded
async def button(t: Turn) -> None:
    """A button pressed, or a choice typed by its number: the one press path of the services."""
    assert t.ev.press is not None
    outcome = await interact.press(t.core, await t.person(), t.ev.press)
    if outcome.view is None:
        await t.say(outcome.reply)
        return
    # A press on a view (a question's detail): say so briefly, show the view as it is now.
    await t.channel.view(t.ev, outcome.reply, outcome.view)


@guarded
async def unsupported(t: Turn) -> None:
    """A picture, a sticker or anything else the bot does not read, in a private chat."""
    await t.say(Reply("media_unsupported"))


@guarded
async def unknown_choice(t: Turn) -> None:
    """A number typed where nothing is offered to choose (or the choices were forgotten)."""
    await t.say(Reply("choice_unknown", {"number": t.ev.choice}))


@guarded
async def doubt(t: Turn) -> None:
    """Words that may be a command or may not: ask, with a numbered yes or no."""
    d = t.ev.doubt
    assert d is not None
    menu = MENU.get(d.command, f"/{d.command}")
    yes = Button(BUTTONS["doubt_yes"].format(menu=menu[:1].lower() + menu[1:]), token=d.yes)
    no = Button(BUTTONS["doubt_no"], token=d.no)
    context = {"command": d.command, "args": d.args_text, "menu": menu}
    await t.say(Reply("command_doubt", context, buttons=((yes,), (no,))))
