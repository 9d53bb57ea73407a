"""Showing and changing a program's schedule."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import time, timedelta
from typing import Any

from bot.args import NumberKind, parse_int, parse_time, shown
from bot.core import Core, Refused
from bot.models import Message, Person, Program, Reply, Session, SessionState
from bot.schedule import (
    ScheduleConfig,
    ScheduleValues,
    SessionPlan,
    holiday_name,
    plan_week,
    schedule_problems,
    upcoming_plan,
)
from bot.services.context import local, program_ctx, session_ctx
from bot.services.cycle import (
    holiday_skip_messages,
    problems_ctx,
    problems_signature,
    schedule_config,
)
from bot.services.step import state_change, step
from bot.text import clean_line, fold_word

WEEKDAY_WORDS = {"2": 0, "3": 1, "4": 2, "5": 3, "6": 4}  # sessions fall on working days
AHEAD_WEEKS = 8  # how far /lich looks for holidays


def schedule_ctx(p: Program) -> dict[str, Any]:
    return {
        "weekday": p.weekday,
        "publish_lead_days": p.publish_lead_days,
        "publish_time": p.publish_time.strftime("%H:%M"),
        "draw_time": p.draw_time.strftime("%H:%M"),
        "answer_minutes": p.answer_minutes,
        "reminder_minutes": p.reminder_minutes,
        "holiday_policy": p.holiday_policy,
        "auto_draw": p.auto_draw,
        "no_repeat": p.no_repeat,
        "tz": p.tz,
    }


async def show(core: Core, program: Program, is_admin: bool) -> Reply:
    ctx: dict[str, Any] = {
        "program": program_ctx(program),
        "schedule": {
            **schedule_ctx(program),
            "queue_warning": await core.store.queue_warning(program.id),
        },
        "is_admin": is_admin,
        "problems": problems_ctx(program.problems),
        "next": None,
        "ahead": [],
        "ahead_weeks": AHEAD_WEEKS,
    }
    if program.problems:  # nothing is planned until an admin fixes the schedule
        return Reply("schedule", ctx)
    cfg = schedule_config(program)
    plan = upcoming_plan(cfg, core.now())
    upcoming = await core.store.session_by_week(program.id, plan.week)
    ctx["next"] = {
        **(
            session_ctx(upcoming, program)
            if upcoming
            else {
                "session_date": plan.session_date.isoformat() if plan.session_date else None,
                "nominal_date": plan.nominal_date.isoformat(),
                "holiday": plan.holiday,
                "publish_at": plan.publish_at.isoformat() if plan.publish_at else None,
                "draw_at": plan.draw_at.isoformat() if plan.draw_at else None,
                "deadline_at": plan.deadline_at.isoformat() if plan.deadline_at else None,
                "state": "planned",
                "skip_reason": None,
            }
        ),
        "crowded": plan.crowded,
    }
    ctx["ahead"] = await _holidays_ahead(core, program, cfg, plan)
    return Reply("schedule", ctx)


async def _holidays_ahead(
    core: Core, program: Program, cfg: ScheduleConfig, first: SessionPlan
) -> list[dict[str, Any]]:
    """The coming weeks a holiday changes, as planned: a session moved to another day of its
    week or skipped, a question sent on another day because its usual day is a holiday. A week
    an admin already skipped for another reason is left out."""
    found: list[dict[str, Any]] = []
    for k in range(AHEAD_WEEKS):
        plan = plan_week(cfg, first.nominal_date + timedelta(weeks=k))
        stored = await core.store.session_by_week(program.id, plan.week)
        if stored and stored.state == SessionState.SKIPPED and stored.skip_reason != "holiday":
            continue
        item: dict[str, Any] = {
            "week": plan.week,
            "nominal_date": plan.nominal_date.isoformat(),
            "holiday": plan.holiday,
            "skipped": plan.session_date is None,
            "crowded": plan.crowded,
            "session_date": plan.session_date.isoformat() if plan.session_date else None,
            "publish_at": local(plan.publish_at, program),
            "usual_publish": None,
            "publish_holiday": None,
        }
        if plan.session_date is not None and plan.publish_at is not None:
            usual = plan.session_date - timedelta(days=cfg.publish_lead_days)
            if plan.publish_at.date() != usual and holiday_name(usual) is not None:
                item.update(usual_publish=usual.isoformat(), publish_holiday=holiday_name(usual))
        if item["skipped"] or item["holiday"] or item["publish_holiday"]:
            found.append(item)
    return found


def _hhmm(value: str) -> time:
    """A time of day as people write it (``8:00``, ``8h30``, ``8 giờ``): :func:`parse_time`."""
    return parse_time(value)


def _int(value: str, lo: int, hi: int, what: NumberKind = "number") -> int:
    """A whole number from ``lo`` to ``hi`` as people write it: :func:`parse_int`."""
    return parse_int(value, lo, hi, what=what)


def _switch(value: str) -> int:
    v = fold_word(value)
    if v in ("bat", "on", "co"):
        return 1
    if v in ("tat", "off", "khong"):
        return 0
    raise Refused("schedule_bad_switch", value=value[:20])


def parse_change(args: list[str]) -> dict[str, Any]:
    """``/datlich <khóa> <giá trị...>`` → program fields to update."""
    if len(args) < 2:
        raise Refused("schedule_usage")
    key, rest = fold_word(args[0]), args[1:]
    if key == "thu":
        day = WEEKDAY_WORDS.get(fold_word(rest[0]))
        if day is None:
            try:
                day = _int(rest[0], 2, 6, "weekday") - 2  # «thứ 2» is Monday
            except Refused:
                raise Refused("schedule_bad_weekday", value=shown(rest[0])) from None
        return {"weekday": day}
    if key == "gui":
        # «gui 8:00», «gui 8 giờ 30»: the time only; «gui 3 8:00»: days before, then the time.
        whole = " ".join(rest)
        try:
            return {"publish_time": _hhmm(whole)}
        except Refused:
            if len(rest) == 1:
                raise
        return {
            "publish_lead_days": _int(rest[0], 0, 6, "days"),
            "publish_time": _hhmm(" ".join(rest[1:])),
        }
    if key == "boc":
        return {"draw_time": _hhmm(" ".join(rest))}
    if key == "han":
        return {"answer_minutes": _int(rest[0], 5, 10080, "minutes")}
    if key == "nhac":
        return {"reminder_minutes": _int(rest[0], 0, 10080, "minutes")}
    if key == "le":
        v = fold_word(rest[0])
        if v in ("doi", "chuyen", "move"):
            return {"holiday_policy": "move"}
        if v in ("bo", "nghi", "skip"):
            return {"holiday_policy": "skip"}
        raise Refused("schedule_usage")
    if key == "tudong":
        return {"auto_draw": _switch(rest[0])}
    if key == "vong":
        return {"no_repeat": _switch(rest[0])}
    if key == "canhbao":  # warn the admins when fewer questions than this are queued
        return {"queue_warning": _int(rest[0], 0, 100, "queue_warning")}
    if key in ("muigio", "mui", "tz"):  # checked with the whole schedule before it is saved
        return {"tz": clean_line(rest[0], 60)}
    raise Refused("schedule_usage")


SCHEDULE_FIELDS = frozenset(f.name for f in dataclass_fields(ScheduleValues))


async def change(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """Change one setting. The schedule it would make is checked as a whole before anything is
    saved: a schedule that cannot work is refused with what is wrong and what would work."""
    await core.require(actor, program, "admin", action="schedule")
    fields = parse_change(args)
    store, now = core.store, core.now()
    async with store.transaction():
        schedule_fields = {k: v for k, v in fields.items() if k in SCHEDULE_FIELDS}
        other_fields = {
            k: v for k, v in fields.items() if k not in SCHEDULE_FIELDS and k != "queue_warning"
        }
        if schedule_fields:
            stored, unreadable = await store.stored_schedule(program.id)
            before = {p.code for p in unreadable + schedule_problems(stored)}
            merged = replace(stored, **schedule_fields)
            after = [p for p in unreadable if p.setting not in schedule_fields]
            after += schedule_problems(merged)
            # Refused: a change that cannot work itself or makes the schedule unusable. A stored
            # problem elsewhere (old database, restore) does not block fixing things one by one.
            made = [p for p in after if p.setting in schedule_fields or p.code not in before]
            if made:
                ctx = {"program": program_ctx(program), "problems": problems_ctx(made)}
                raise Refused("schedule_invalid", **ctx)
            other_fields.update(schedule_fields)
        if other_fields:
            await store.update_program(program.id, **other_fields)
        if "queue_warning" in fields:
            await store.set_queue_warning(program.id, fields["queue_warning"])
        updated = await store.program(program.id)
        assert updated is not None
        # Re-plan the upcoming session that has not been published yet.
        for s in await store.open_sessions(program.id):
            if s.state != SessionState.SCHEDULED or updated.problems:
                continue
            plan = plan_week(schedule_config(updated), s.nominal_date)

            async def told(s: Session = s, plan: SessionPlan = plan) -> list[Message]:
                # A week the change leaves without a session is told like a planned one.
                if plan.session_date is not None:
                    return []
                replanned = await store.session(s.id)
                assert replanned is not None and updated is not None
                return await holiday_skip_messages(core, updated, replanned, plan)

            await step(
                core,
                updated,
                s,
                "replanned",
                actor,
                expect=SessionState.SCHEDULED,
                fields={
                    "nominal_date": plan.nominal_date,
                    "session_date": plan.session_date,
                    "holiday": plan.holiday,
                    "publish_at": plan.publish_at,
                    "draw_at": plan.draw_at,
                    "reminder_at": plan.reminder_at,
                    "deadline_at": plan.deadline_at,
                    "state": SessionState.SCHEDULED if plan.session_date else SessionState.SKIPPED,
                    "skip_reason": None if plan.session_date else "holiday",
                },
                messages=told,
                date=plan.session_date,
            )
        await store.log_event(
            "schedule",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=",".join(f"{k}={v}" for k, v in fields.items()),
        )
        if updated.problems:  # the admin sees what is left in the reply; not told again
            await store.log_event(
                "settings_invalid",
                now,
                program_id=program.id,
                detail=problems_signature(updated.problems),
            )
        state_change(updated, None, "schedule", actor, **fields)
    core.program_changed(program.id)
    return await show(core, updated, True)
