"""The weekly session: what everyone can ask, and the head's, leader's and admin's commands."""

from __future__ import annotations

from telegram import Update

from bot.models import Reply
from bot.services import answers, cycle, documents, timetable
from bot.text import fold_word
from handlers.common import (
    Context,
    actor,
    args_text,
    deps,
    guarded,
    in_private,
    program_here,
    say,
    send_file,
)
from handlers.messages import answer_of


@guarded
async def question(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    roles = await core.roles(person, program.id)
    await say(update, await cycle.this_week_question(core, program, roles, in_private(update)))


@guarded
async def status(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    await say(update, await cycle.status(core, program, await core.roles(person, program.id)))


@guarded
async def schedule(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    if context.args and fold_word(context.args[0]) == "ics":
        await send_file(update, context, await documents.calendar(core, program))
        return
    is_admin = "admin" in await core.roles(person, program.id)
    await say(update, await timetable.show(core, program, is_admin))


@guarded
async def documents_settings(update: Update, context: Context) -> None:
    """``/vanban`` (admins): the document settings; ``/vanban <khóa> <giá trị>`` changes one."""
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    if not context.args:
        await say(update, await documents.show(core, person, program))
        return
    await say(update, await documents.change(core, person, program, list(context.args)))


@guarded
async def set_schedule(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    if not context.args:
        await say(
            update,
            await timetable.show(core, program, "admin" in await core.roles(person, program.id)),
        )
        return
    await say(update, await timetable.change(core, person, program, list(context.args)))


@guarded
async def verify(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await say(update, await cycle.verify(deps(context).core, program, in_private(update)))


@guarded
async def draw_now(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await cycle.draw_now(deps(context).core, person, program)


@guarded
async def publish_now(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await cycle.publish_now(deps(context).core, person, program)


@guarded
async def redraw(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await cycle.redraw(deps(context).core, person, program, args_text(update))


@guarded
async def skip_week(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    await cycle.skip_week(deps(context).core, person, program, args_text(update))


@guarded
async def conclude(update: Update, context: Context) -> None:
    person = await actor(update, context)
    program = await program_here(update, context, person)
    core = deps(context).core
    text = args_text(update)
    if not text:
        await say(update, await cycle.start_conclusion(core, person, program, None))
        return
    await say(update, await cycle.conclude(core, person, program, text))


@guarded
async def answer_command(update: Update, context: Context) -> None:
    """/traloi <nội dung>: the drawn person answers (in the group or privately)."""
    person = await actor(update, context)
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    text = args_text(update)
    if not text:
        await say(update, Reply("answer_usage"))
        return
    program = await program_here(update, context, person) if chat.type != "private" else None
    answer = answer_of(update, in_group=chat.type != "private", text=text)
    assert answer is not None
    reply = await answers.record_answer(deps(context).core, person, answer, program)
    await say(update, reply or Reply("answer_not_drawn"))
