"""The weekly session: what everyone can ask, and the head's, leader's and admin's commands."""

from __future__ import annotations

from bot.models import Reply
from bot.services import answers, cycle, documents, timetable
from bot.text import fold_word
from handlers.common import Turn, guarded
from handlers.messages import answer_of


@guarded
async def question(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    core = t.core
    roles = await core.roles(person, program.id)
    await t.say(await cycle.this_week_question(core, program, roles, t.in_private))


@guarded
async def status(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    core = t.core
    await t.say(await cycle.status(core, program, await core.roles(person, program.id)))


@guarded
async def schedule(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    core = t.core
    if t.args and fold_word(t.args[0]) == "ics":
        await t.send_file(await documents.calendar(core, program))
        return
    is_admin = "admin" in await core.roles(person, program.id)
    await t.say(await timetable.show(core, program, is_admin))


@guarded
async def documents_settings(t: Turn) -> None:
    """``/vanban`` (admins): the document settings; ``/vanban <khóa> <giá trị>`` changes one."""
    person = await t.person()
    program = await t.program(person)
    core = t.core
    if not t.args:
        await t.say(await documents.show(core, person, program))
        return
    await t.say(await documents.change(core, person, program, t.args))


@guarded
async def set_schedule(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    core = t.core
    if not t.args:
        await t.say(
            await timetable.show(core, program, "admin" in await core.roles(person, program.id)),
        )
        return
    await t.say(await timetable.change(core, person, program, t.args))


@guarded
async def verify(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await cycle.verify(t.core, program, t.in_private))


@guarded
async def draw_now(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await cycle.draw_now(t.core, person, program)


@guarded
async def publish_now(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await cycle.publish_now(t.core, person, program)


@guarded
async def redraw(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await cycle.redraw(t.core, person, program, t.args_text)


@guarded
async def skip_week(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await cycle.skip_week(t.core, person, program, t.args_text)


@guarded
async def conclude(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    core = t.core
    text = t.args_text
    if not text:
        await t.say(await cycle.start_conclusion(core, person, program, None))
        return
    await t.say(await cycle.conclude(core, person, program, text))


@guarded
async def answer_command(t: Turn) -> None:
    """/traloi <nội dung>: the drawn person answers (in the group or privately)."""
    person = await t.person()
    text = t.args_text
    if not text:
        await t.say(Reply("answer_usage"))
        return
    program = await t.program(person) if not t.in_private else None
    answer = answer_of(t, text=text)
    assert answer is not None
    reply = await answers.record_answer(t.core, person, answer, program)
    await t.say(reply or Reply("answer_not_drawn"))
