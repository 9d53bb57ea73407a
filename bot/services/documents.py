"""A program's settings for documents (``/vanban``) and the calendar file (``/lich ics``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from bot.core import Core
from bot.documents.calendar import WEEKS, CalendarEntry, build_calendar, calendar_filename
from bot.documents.party import recipient_lines
from bot.documents.settings import DocumentSettings, from_stored, parse_setting
from bot.models import FileReply, Person, Program, Reply, SessionState
from bot.offload import off_loop
from bot.schedule import plan_week, upcoming_plan
from bot.services.context import program_ctx
from bot.services.cycle import schedule_config
from bot.words import CALENDAR_WORDS


async def settings_of(core: Core, program: Program) -> DocumentSettings:
    """The program's document settings: what admins set over the defaults of its title."""
    return from_stored(program.title, await core.store.document_settings(program.id))


def settings_ctx(s: DocumentSettings) -> dict[str, Any]:
    # Lists, not tuples: contexts are plain JSON-like data (the transport compares them).
    return {
        **asdict(s),
        "body": list(s.body),
        "recipients": list(s.recipients),
        "printed_recipients": recipient_lines(s.recipients),
        "capacity_lines": list(s.capacity_lines),
    }


async def show(core: Core, actor: Person, program: Program) -> Reply:
    """``/vanban``: the settings and how to change them (admins)."""
    await core.require(actor, program, "admin", action="documents")
    settings = await settings_of(core, program)
    ctx = {"program": program_ctx(program), "settings": settings_ctx(settings), "changed": None}
    return Reply("documents", ctx)


async def change(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/vanban <khóa> <giá trị…>``: one setting, checked before it is saved (admins)."""
    await core.require(actor, program, "admin", action="documents")
    key, value = parse_setting(args)
    async with core.store.transaction():
        await core.store.set_document_setting(program.id, key, value)
        await core.store.log_event(
            "documents", core.now(), program_id=program.id, actor_id=actor.id, detail=key
        )
    settings = await settings_of(core, program)
    return Reply(
        "documents",
        {"program": program_ctx(program), "settings": settings_ctx(settings), "changed": key},
    )


# -- the calendar ------------------------------------------------------------------------------


def _reason(skip_reason: str | None, holiday: str | None) -> str:
    """Why a week has no session, as the calendar says it."""
    if skip_reason == "no_question":
        return CALENDAR_WORDS["no_question"]
    if skip_reason in (None, "holiday"):
        return holiday or CALENDAR_WORDS["no_session"]
    return skip_reason  # an admin's reason (/nghituan)


async def calendar_entries(core: Core, program: Program, weeks: int = WEEKS) -> list[CalendarEntry]:
    """The next ``weeks`` weeks from the upcoming session: a stored session as it is (moved,
    skipped by an admin), a week not stored yet as the schedule plans it."""
    cfg = schedule_config(program)
    first = upcoming_plan(cfg, core.now())
    entries = []
    for i in range(weeks):
        plan = plan_week(cfg, first.nominal_date + timedelta(weeks=i))
        stored = await core.store.session_by_week(program.id, plan.week)
        if stored is not None:
            skipped = stored.state == SessionState.SKIPPED
            entries.append(
                CalendarEntry(
                    week=stored.week,
                    nominal_date=stored.nominal_date,
                    session_date=None if skipped else stored.session_date,
                    draw_at=None if skipped else stored.draw_at,
                    deadline_at=stored.deadline_at,
                    publish_at=stored.publish_at,
                    holiday=stored.holiday,
                    cancelled=_reason(stored.skip_reason, stored.holiday) if skipped else None,
                )
            )
            continue
        entries.append(
            CalendarEntry(
                week=plan.week,
                nominal_date=plan.nominal_date,
                session_date=plan.session_date,
                draw_at=plan.draw_at,
                deadline_at=plan.deadline_at,
                publish_at=plan.publish_at,
                holiday=plan.holiday,
                cancelled=None if plan.session_date else _reason("holiday", plan.holiday),
            )
        )
    return entries


async def calendar(core: Core, program: Program) -> FileReply | Reply:
    """``/lich ics``: the .ics file of the upcoming sessions (built off the event loop)."""
    if program.problems:
        return Reply("calendar_unavailable", {"program": program_ctx(program)})
    entries = await calendar_entries(core, program)
    data = await off_loop(
        build_calendar,
        entries,
        program_id=program.id,
        program_title=program.title,
        tz=program.tz,
        draw_time=program.draw_time,
        answer_minutes=program.answer_minutes,
        now=core.now(),
    )
    return FileReply(
        filename=calendar_filename(program.id),
        data=data,
        caption=Reply(
            "calendar_caption",
            {"program": program_ctx(program), "weeks": len(entries)},
        ),
    )


__all__ = ["calendar", "calendar_entries", "change", "settings_of", "show"]
