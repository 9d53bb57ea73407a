"""The record: a person's own (/hoso), the program's figures (/thongke), the report files
(/baocao)."""

from __future__ import annotations

from bot.services import records, reports
from handlers.common import Turn, guarded


@guarded
async def person_record(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    reply = await records.person_record_reply(t.core, person, program, t.args_text)
    await t.say(reply)


@guarded
async def figures(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    # A channel that shows no pictures (Zalo) gets the figures only: a file there is a link.
    answer = await records.figures_reply(
        t.core, person, program, t.args_text, not t.in_private, t.channel.pictures
    )
    await t.say(answer.reply)
    if answer.chart is None:
        return
    # «sending a photo…» in the chat while the chart is drawn (a second or two).
    await t.busy("picture")
    chart = await answer.chart()
    if chart is not None:
        await t.send_file(chart)


@guarded
async def report(t: Turn) -> None:
    """/baocao: the report file goes back to the private chat that asked, after a progress note."""
    person = await t.person()
    program = await t.program(person)
    result = await reports.report(t.core, person, program, t.args_text, progress=t.say)
    await t.send_file(result)
