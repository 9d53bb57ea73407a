"""The weekly cycle: plan, publish, draw, remind, close, answer, grade, conclude.

Every step changes state and writes the messages it owes to the outbox in one transaction, with a
compare-and-set on the session state, so a step can never run twice and a crash never loses the
messages of a committed step (the outbox worker sends them after a restart).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import draw as drawing
from bot.actions import (
    ActionKind,
    Press,
    SessionPerson,
    SessionRef,
    Verdict,
    mint,
    mint_many,
    register,
)
from bot.core import Core, Refused
from bot.models import (
    CONCLUDABLE_STATES,
    VERDICTS,
    Message,
    Person,
    Program,
    Reply,
    Session,
    SessionState,
    SettingProblem,
)
from bot.schedule import (
    Due,
    ScheduleConfig,
    SessionPlan,
    SessionView,
    Step,
    after_window,
    answer_window,
    needs_new_window,
    next_due,
    next_wakeup,
    plan_week,
    upcoming_plan,
)
from bot.services import citing, grassroots
from bot.services.answers import grade_buttons
from bot.services.concluded import on_concluded
from bot.services.context import (
    local,
    person_ctx,
    program_ctx,
    question_ctx,
    session_ctx,
    summary_ctx,
)
from bot.services.step import step
from bot.text import clean_line, clean_lines
from bot.words import BUTTONS, DEFAULT_REDRAW_REASON, LEFT_REDRAW_REASON, VERDICT_LABELS

log = logging.getLogger("hoidap.cycle")

MAX_CONCLUSION_CHARS = 3500
MAX_COMMENT_CHARS = 1500
MAX_REASON_CHARS = 300


def problems_ctx(problems: Iterable[SettingProblem]) -> list[dict[str, Any]]:
    return [{"code": p.code, "setting": p.setting, **p.detail} for p in problems]


def problems_signature(problems: Iterable[SettingProblem]) -> str:
    """What was told about a schedule's problems: the same problems are not told twice."""
    return ";".join(
        f"{p.code}:{','.join(f'{k}={v}' for k, v in sorted(p.detail.items()))}" for p in problems
    )[:500]


def schedule_config(p: Program) -> ScheduleConfig:
    """The program's schedule; a program whose stored schedule cannot work is refused here, so
    nothing is planned for it (and the person asking is told why) until an admin fixes it."""
    if p.problems:
        raise Refused("settings_invalid", program=program_ctx(p), problems=problems_ctx(p.problems))
    return ScheduleConfig(
        tz=p.tz,
        weekday=p.weekday,
        publish_lead_days=p.publish_lead_days,
        publish_time=p.publish_time,
        draw_time=p.draw_time,
        answer_minutes=p.answer_minutes,
        reminder_minutes=p.reminder_minutes,
        holiday_policy=p.holiday_policy,
    )


def view(s: Session, program: Program) -> SessionView:
    return SessionView(
        state=s.state,
        publish_at=s.publish_at,
        draw_at=s.draw_at,
        reminder_at=s.reminder_at,
        deadline_at=s.deadline_at,
        reminded=s.reminded,
        missed_reported=s.missed_reported,
        auto_draw=program.auto_draw,
    )


# -- the engine ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Advance:
    executed: list[str]
    wakeup: datetime | None


async def ensure_session(core: Core, program: Program) -> Session | None:
    """Create the session of the upcoming week if it does not exist yet (inside a transaction)."""
    store, now = core.store, core.now()
    cfg = schedule_config(program)
    plan = upcoming_plan(cfg, now)
    if (
        plan.draw_at is not None
        and now >= plan.draw_at
        and await store.latest_session(program.id) is None
    ):
        # A program bound after this week's draw time starts with next week's session.
        after = after_window(plan)
        assert after is not None
        plan = upcoming_plan(cfg, after)
    existing = await store.session_by_week(program.id, plan.week)
    if existing is not None:
        return existing
    latest = await store.latest_week(program.id)
    if latest is not None and plan.week < latest:
        # A schedule change moved the weekday earlier: never plan a week behind the newest one.
        return None
    seed = drawing.new_seed()
    skipped = plan.session_date is None
    sid = await store.create_session(
        program.id,
        plan.week,
        plan.nominal_date,
        plan.session_date,
        plan.holiday,
        SessionState.SKIPPED if skipped else SessionState.SCHEDULED,
        plan.publish_at,
        plan.draw_at,
        plan.reminder_at,
        plan.deadline_at,
        seed,
        drawing.commitment(seed),
        "holiday" if skipped else None,
        now,
    )
    if sid is None:
        return await store.session_by_week(program.id, plan.week)
    session = await store.session(sid)
    assert session is not None
    # Sessions of earlier weeks that never got a question are closed as skipped.
    for old in await store.open_sessions(program.id):
        if (
            old.id != sid
            and old.state == SessionState.SCHEDULED
            and old.nominal_date < plan.nominal_date
        ):
            await step(
                core,
                program,
                old,
                SessionState.SKIPPED,
                None,
                expect=SessionState.SCHEDULED,
                fields={"state": SessionState.SKIPPED, "skip_reason": "no_question"},
                reason="no_question",
            )
    if skipped:
        await step(
            core,
            program,
            session,
            SessionState.SKIPPED,
            None,
            messages=await holiday_skip_messages(core, program, session, plan),
            holiday=plan.holiday,
            crowded=plan.crowded,
        )
    else:
        await step(core, program, session, "planned", None, date=plan.session_date)
    return session


async def holiday_skip_messages(
    core: Core, program: Program, session: Session, plan: SessionPlan
) -> list[Message]:
    """What is said when a week is planned without a session because of a holiday: the group
    is told, and the admins ahead of time (a week is planned once the previous week's session
    is over, or when a schedule change re-plans it), with why and when the next session is."""
    ctx = {
        "program": program_ctx(program),
        "session": session_ctx(session, program),
        "reason": "holiday",
        "crowded": plan.crowded,
        "next": _next_held(schedule_config(program), plan, program),
    }
    admins = await core.admins(program)
    return [
        Message(program.chat_id, "week_skipped", ctx),
        *(Message(a.tg_user_id, "week_skipped_admin", ctx) for a in admins),
    ]


def _next_held(cfg: ScheduleConfig, week: SessionPlan, program: Program) -> dict[str, Any] | None:
    """When the session after a skipped week is held, as the admins are told (None: not within
    the few weeks after it)."""
    for weeks in range(1, 4):
        plan = plan_week(cfg, week.nominal_date + timedelta(weeks=weeks))
        if plan.session_date is not None:
            return {
                "session_date": plan.session_date.isoformat(),
                "publish_at": local(plan.publish_at, program),
                "draw_at": local(plan.draw_at, program),
            }
    return None


async def advance(core: Core, program_id: int) -> Advance:
    """Run every step of ``program_id`` that is due now, one transaction each."""
    executed: list[str] = []
    grace = timedelta(minutes=core.settings.grace_minutes)
    for _ in range(20):  # a bounded loop: each pass either executes a step or stops
        async with core.store.transaction():
            program = await core.store.program(program_id)
            if program is None or not program.active:
                return Advance(executed, None)
            await ensure_session(core, program)
            sessions = await core.store.open_sessions(program.id)
            step_done = False
            for s in sessions:
                due = next_due(core.now(), view(s, program), grace)
                if due is None:
                    continue
                if await _run_due(core, program, s, due):
                    executed.append(f"{s.week}:{due.step.value}{':late' if due.late else ''}")
                    step_done = True
                    break
        if not step_done:
            break
    return Advance(executed, await wakeup(core, program_id))


async def wakeup(core: Core, program_id: int) -> datetime | None:
    """When the scheduler should look at this program again."""
    program = await core.store.program(program_id)
    if program is None or not program.active:
        return None
    now = core.now()
    times: list[datetime] = []
    for s in await core.store.open_sessions(program.id):
        w = next_wakeup(now, view(s, program))
        if w is not None:
            times.append(w if w > now else now + timedelta(hours=1))
    # Plan the following week once this week's session is over.
    plan = upcoming_plan(schedule_config(program), now)
    if await core.store.session_by_week(program.id, plan.week) is None:
        times.append(now)
    elif (after := after_window(plan)) is not None:
        times.append(after)
    return min(times) if times else None


async def report_unusable_schedule(core: Core, program_id: int) -> bool:
    """Tell a program's admins, once, that its stored schedule cannot work (and why).

    Told again only after the settings changed and are still unusable in another way.
    """
    store = core.store
    async with store.transaction():
        program = await store.program(program_id)
        if program is None or not program.problems:
            return False
        signature = problems_signature(program.problems)
        last = await store.latest_event(program.id, ("settings_invalid", "schedule"))
        if last is not None and last["kind"] == "settings_invalid" and last["detail"] == signature:
            return False
        ctx = {"program": program_ctx(program), "problems": problems_ctx(program.problems)}
        admins = await core.admins(program)
        await step(
            core,
            program,
            None,
            "settings_invalid",
            None,
            event="settings_invalid",
            detail=signature,
            messages=[Message(a.tg_user_id, "settings_invalid_admin", ctx) for a in admins],
        )
        log.warning("program %s: schedule cannot be used (%s); skipped", program.id, signature)
    return True


async def _run_due(core: Core, program: Program, s: Session, due: Due) -> bool:
    if due.late:
        return await _report_missed(core, program, s, due)
    if due.step is Step.PUBLISH:
        return await _publish(core, program, s, actor=None)
    if due.step is Step.DRAW:
        return await _draw(core, program, s, actor=None, reason=None, manual=False)
    if due.step is Step.REMIND:
        return await _remind(core, program, s)
    if due.step is Step.CLOSE:
        return await _close(core, program, s)
    raise AssertionError(due.step)


async def _report_missed(core: Core, program: Program, s: Session, due: Due) -> bool:
    ctx = {
        "program": program_ctx(program),
        "session": session_ctx(s, program),
        "step": due.step.value,
        "at": local(due.at, program),
    }

    async def messages() -> list[Message]:
        owed = [Message(a.tg_user_id, "missed_admin", ctx) for a in await core.admins(program)]
        return [*owed, Message(program.chat_id, "missed_group", ctx)]

    return await step(
        core,
        program,
        s,
        f"missed:{due.step.value}",
        None,
        expect=s.state,
        fields={"missed_reported": 1},
        event="missed",
        detail=due.step.value,
        messages=messages,
    )


async def _publish(core: Core, program: Program, s: Session, actor: Person | None) -> bool:
    store = core.store
    # The question pinned to this week, else the head of the queue (see services/bank_admin.py).
    q = await store.next_question_for(program.id, s.week)
    if q is None:
        if s.missed_reported:
            return False
        ctx = {"program": program_ctx(program), "session": session_ctx(s, program)}
        admins = await core.admins(program)
        return await step(
            core,
            program,
            s,
            "publish:no-question",
            actor,
            expect=SessionState.SCHEDULED,
            fields={"missed_reported": 1},
            messages=[Message(a.tg_user_id, "no_question_admin", ctx) for a in admins],
        )

    async def used() -> None:
        await store.set_question_status(q.id, "used")

    async def messages() -> list[Message]:
        # The askers of the question first, then the group, every member, and the admins if
        # the queue runs low: 300 staff in one statement, not 300.
        owed = await grassroots.on_published(core, program, s, q)
        sctx = session_ctx(s, program)
        owed.append(
            Message(
                program.chat_id,
                "publish_group",
                {"program": program_ctx(program), "session": sctx, "question": question_ctx(q)},
            )
        )
        for m in await store.members(program.id, "active"):
            if not m.roles & {"staff", "head", "leader"}:
                continue
            expert = bool(m.roles & {"head", "leader"})
            context = {
                "program": program_ctx(program),
                "session": sctx,
                "question": question_ctx(q, with_suggestion=expert),
                "expert": expert,
                "staff": "staff" in m.roles,
            }
            owed.append(Message(m.person.tg_user_id, "publish_private", context))
        remaining = await store.count_queued(program.id)
        if remaining < await store.queue_warning(program.id):
            low = {"program": program_ctx(program), "remaining": remaining}
            owed += [Message(a.tg_user_id, "queue_low", low) for a in await core.admins(program)]
        return owed

    return await step(
        core,
        program,
        s,
        SessionState.PUBLISHED,
        actor,
        expect=SessionState.SCHEDULED,
        fields={"state": SessionState.PUBLISHED, "question_id": q.id, "missed_reported": 0},
        then=used,
        event="published",
        detail=str(q.id),
        messages=messages,
        question=q.id,
    )


async def _draw(
    core: Core, program: Program, s: Session, actor: Person | None, reason: str | None, manual: bool
) -> bool:
    store, now = core.store, core.now()
    redraw = s.state in (SessionState.DRAWN, SessionState.UNANSWERED)
    expected = s.state
    attempt = s.draw_attempt + 1 if redraw else 0
    previous = await store.draws(s.id)
    excused = {d.chosen_id for d in previous}
    round_no = s.round_no if redraw and s.round_no else program.round_no
    drawn_round = await store.drawn_in_round(program.id, round_no)
    if s.drawn_person_id is not None:
        drawn_round.discard(s.drawn_person_id)
    staff = [m for m in await store.members_with_role(program.id, "staff")]
    on_day = s.session_date or core.today(program)
    pool = drawing.eligible_pool(
        [drawing.Candidate(m.person.id, m.away_from, m.away_until) for m in staff],
        on=on_day,
        drawn_this_round=drawn_round,
        excused=excused,
        no_repeat=program.no_repeat,
    )
    if not pool.members:
        if manual:
            raise Refused("draw_empty_pool", program=program_ctx(program))
        if s.missed_reported:
            return False
        ctx = {"program": program_ctx(program)}
        admins = await core.admins(program)
        return await step(
            core,
            program,
            s,
            "draw:empty-pool",
            actor,
            expect=expected,
            fields={"missed_reported": 1},
            messages=[Message(a.tg_user_id, "draw_empty_pool", ctx) for a in admins],
        )
    # Every draw uses a seed committed before it: the first one in the question's post, a redraw
    # in the previous draw's post. Revealed now with the result, and the next one committed.
    if attempt == 0:
        seed, commitment, announced = s.seed, s.commitment, True
    elif s.next_seed and s.next_commitment:
        seed, commitment, announced = s.next_seed, s.next_commitment, True
    else:  # a session drawn by an earlier version, which committed no seed for redraws
        seed = drawing.new_seed()
        commitment, announced = drawing.commitment(seed), False
    next_seed = drawing.new_seed()
    chosen_id = drawing.draw(seed, pool.members, attempt)
    if pool.new_round and not redraw:
        round_no = program.round_no + 1
        await store.update_program(program.id, round_no=round_no)
    fields: dict[str, Any] = {
        "state": SessionState.DRAWN,
        "drawn_person_id": chosen_id,
        "draw_attempt": attempt,
        "round_no": round_no,
        "reminded": 0,
        "missed_reported": 0,
        "next_seed": next_seed,
        "next_commitment": drawing.commitment(next_seed),
    }
    if manual or redraw or needs_new_window(now, s.deadline_at):
        # The same window as a planned draw's: no reminder on a day off where the program is.
        window = answer_window(
            now, program.answer_minutes, program.reminder_minutes, ZoneInfo(program.tz)
        )
        fields["deadline_at"] = window.deadline_at
        fields["reminder_at"] = window.reminder_at
        if manual and not redraw:
            fields["draw_at"] = now

    async def add_draw() -> None:
        await store.add_draw(
            s.id,
            attempt,
            pool.members,
            chosen_id,
            pool.new_round,
            reason,
            actor.id if actor else None,
            now,
            seed,
            commitment,
        )

    async def messages() -> list[Message]:
        updated = await store.session(s.id)
        assert updated is not None
        chosen = await store.person(chosen_id)
        question = await store.question(updated.question_id) if updated.question_id else None
        names = {m.person.id: m.person.display_name for m in staff}
        previous_person = await store.person(s.drawn_person_id) if s.drawn_person_id else None
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(updated, program),
            "person": person_ctx(chosen),
            "pool": [{"id": pid, "name": names.get(pid, "?")} for pid in pool.members],
            "pool_size": len(pool.members),
            "seed": seed,
            "commitment": commitment,
            "announced": announced,
            "next_commitment": fields["next_commitment"],
            "attempt": attempt,
            "new_round": pool.new_round,
            "round_no": round_no,
            "no_repeat": program.no_repeat,
            "away": len(pool.away),
            "had_turn": len(pool.had_turn),
            "excused": len(pool.excused),
            "redraw": redraw,
            "reason": reason,
            "previous": person_ctx(previous_person) if previous_person else None,
            "question": question_ctx(question),
        }
        in_person = await mint(
            core, ActionKind.IN_PERSON, BUTTONS["in_person"], program.id, SessionRef(s.id)
        )
        owed = [Message(program.chat_id, "draw_group", ctx, buttons=((in_person,),))]
        if chosen is not None:
            owed.append(Message(chosen.tg_user_id, "draw_private", ctx))
        return owed

    return await step(
        core,
        program,
        s,
        "redrawn" if redraw else "drawn",
        actor,
        expect=expected,
        fields=fields,
        then=add_draw,
        event="redrawn" if redraw else "drawn",
        detail=f"chosen={chosen_id} attempt={attempt} reason={reason or ''}",
        messages=messages,
        chosen=chosen_id,
        pool=len(pool.members),
        attempt=attempt,
    )


async def _remind(core: Core, program: Program, s: Session) -> bool:
    person = await core.store.person(s.drawn_person_id) if s.drawn_person_id else None
    member = await core.store.member(program.id, person.id) if person else None
    if member is None or member.status != "active":
        person = None  # no longer takes part: nothing to remind them of (the heads were told)
    ctx = {
        "program": program_ctx(program),
        "session": session_ctx(s, program),
        "person": person_ctx(person),
    }
    # A reminder after the deadline makes no sense: it expires then.
    messages = (
        [Message(person.tg_user_id, "reminder", ctx, expires_at=s.deadline_at)] if person else []
    )
    return await step(
        core,
        program,
        s,
        "reminded",
        None,
        expect=SessionState.DRAWN,
        fields={"reminded": 1},
        messages=messages,
    )


async def _close(core: Core, program: Program, s: Session) -> bool:
    person = await core.store.person(s.drawn_person_id) if s.drawn_person_id else None

    async def messages() -> list[Message]:
        in_person = await mint(
            core, ActionKind.IN_PERSON, BUTTONS["in_person"], program.id, SessionRef(s.id)
        )
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "person": person_ctx(person),
        }
        return [Message(program.chat_id, "unanswered", ctx, buttons=((in_person,),))]

    return await step(
        core,
        program,
        s,
        SessionState.UNANSWERED,
        None,
        expect=SessionState.DRAWN,
        fields={"state": SessionState.UNANSWERED},
        event="unanswered",
        messages=messages,
    )


# -- actions by people ---------------------------------------------------------------------------


async def current_session(
    core: Core, program: Program, states: tuple[str, ...] | None = None
) -> Session | None:
    for s in reversed(await core.store.open_sessions(program.id)):
        if states is None or s.state in states:
            return s
    return None


async def draw_now(core: Core, actor: Person, program: Program) -> None:
    """ "The briefing just ended": publish if needed and draw now."""
    await core.require(actor, program, "admin", "head", action="draw_now")
    async with core.store.transaction():
        await ensure_session(core, program)
        s = await current_session(core, program, (SessionState.SCHEDULED, SessionState.PUBLISHED))
        if s is None:
            drawn = await current_session(
                core,
                program,
                (
                    SessionState.DRAWN,
                    SessionState.ANSWERED,
                    SessionState.GRADED,
                    SessionState.UNANSWERED,
                ),
            )
            raise Refused("draw_already", session=session_ctx(drawn, program) if drawn else None)
        if s.state == SessionState.SCHEDULED:
            if not await store_has_question(core, program):
                raise Refused("no_question_now")
            await _publish(core, program, s, actor)
            s = await core.store.session(s.id)
            assert s is not None
        await _draw(core, program, s, actor, reason=None, manual=True)
    core.program_changed(program.id)


async def store_has_question(core: Core, program: Program) -> bool:
    return await core.store.count_queued(program.id) > 0


async def publish_now(core: Core, actor: Person, program: Program) -> None:
    await core.require(actor, program, "admin", action="publish_now")
    async with core.store.transaction():
        await ensure_session(core, program)
        s = await current_session(core, program, (SessionState.SCHEDULED,))
        if s is None:
            raise Refused("publish_already")
        if not await store_has_question(core, program):
            raise Refused("no_question_now")
        await _publish(core, program, s, actor)
    core.program_changed(program.id)


async def redraw(core: Core, actor: Person, program: Program, reason: str) -> None:
    await core.require(actor, program, "head", "admin", action="redraw")
    reason = clean_line(reason, MAX_REASON_CHARS)
    if not reason:
        raise Refused("redraw_needs_reason")
    async with core.store.transaction():
        s = await current_session(core, program, (SessionState.DRAWN, SessionState.UNANSWERED))
        if s is None:
            raise Refused("redraw_not_now")
        await _draw(core, program, s, actor, reason=reason, manual=True)
    core.program_changed(program.id)


async def member_left(core: Core, actor: Person, program: Program, person: Person) -> None:
    """``person`` no longer takes part (inside the caller's transaction): a session still
    waiting for their answer tells the heads and admins at once, with a redraw to press."""
    store = core.store
    for s in await store.open_sessions(program.id):
        if s.drawn_person_id != person.id or s.state not in (
            SessionState.DRAWN,
            SessionState.UNANSWERED,
        ):
            continue
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "person": person_ctx(person),
            "actor": person_ctx(actor),
        }

        async def messages(s: Session = s, ctx: dict[str, Any] = ctx) -> list[Message]:
            heads = await store.members_with_role(program.id, "head")
            found = {m.person.id: m.person for m in heads}
            for admin in await core.admins(program):
                found.setdefault(admin.id, admin)
            people = [p for p in found.values() if p.id != person.id]
            buttons = await mint_many(
                core,
                ActionKind.REDRAW_LEFT,
                program.id,
                [(BUTTONS["redraw_left"], SessionPerson(s.id, person.id))] * len(people),
            )
            return [
                Message(p.tg_user_id, "drawn_left", ctx, buttons=((b,),))
                for p, b in zip(people, buttons, strict=True)
            ]

        await step(
            core,
            program,
            s,
            "drawn_left",
            actor,
            event="drawn_left",
            detail=str(person.id),
            messages=messages,
            person=person.id,
        )


async def redraw_for_left(
    core: Core, actor: Person, program: Program, session_id: int, person_id: int
) -> Reply:
    """The redraw offered when the drawn person stopped taking part (see :func:`member_left`)."""
    await core.require(actor, program, "head", "admin", action="redraw")
    store = core.store
    async with store.transaction():
        s = await store.session(session_id)
        if s is None or s.program_id != program.id:
            raise Refused("button_invalid")
        if s.drawn_person_id != person_id or s.state not in (
            SessionState.DRAWN,
            SessionState.UNANSWERED,
        ):
            raise Refused("redraw_left_done", session=session_ctx(s, program))
        member = await store.member(program.id, person_id)
        left = await store.person(person_id)
        if member is not None and member.status == "active":
            raise Refused("redraw_left_back", person=person_ctx(left))
        await _draw(core, program, s, actor, reason=LEFT_REDRAW_REASON, manual=True)
    core.program_changed(program.id)
    return Reply("redraw_left_started", toast=True)


async def skip_week(core: Core, actor: Person, program: Program, reason: str) -> None:
    await core.require(actor, program, "admin", action="skip")
    reason = clean_line(reason, MAX_REASON_CHARS) or DEFAULT_REDRAW_REASON
    store = core.store
    async with store.transaction():
        await ensure_session(core, program)
        s = await current_session(core, program, (SessionState.SCHEDULED, SessionState.PUBLISHED))
        if s is None:
            raise Refused("skip_not_now")
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "reason": reason,
            "crowded": False,
        }
        if not await step(
            core,
            program,
            s,
            SessionState.SKIPPED,
            actor,
            expect=s.state,
            fields={"state": SessionState.SKIPPED, "skip_reason": reason},
            event="skipped",
            detail=reason,
            messages=[Message(program.chat_id, "week_skipped", ctx)],
            reason=reason,
        ):
            raise Refused("skip_not_now")
        if s.question_id is not None:
            await store.requeue_first(s.question_id, program.id)
    core.program_changed(program.id)


async def record_in_person(core: Core, actor: Person, program: Program, session_id: int) -> Reply:
    await core.require(actor, program, "head", "admin", action="in_person")
    store, now = core.store, core.now()
    async with store.transaction():
        s = await store.session(session_id)
        if (
            s is None
            or s.program_id != program.id
            or s.state not in (SessionState.DRAWN, SessionState.UNANSWERED)
        ):
            raise Refused("in_person_not_now")
        person = await store.person(s.drawn_person_id) if s.drawn_person_id else None
        question = await store.question(s.question_id) if s.question_id else None
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "person": person_ctx(person),
            "kind": "in_person",
            "text": None,
            "file_name": None,
            "in_group": True,
            "recorded_by": person_ctx(actor),
            "question": question_ctx(question),
        }

        async def messages() -> list[Message]:
            buttons = await grade_buttons(core, program, s)
            return [Message(program.chat_id, "answer_group", ctx, buttons=buttons)]

        if not await step(
            core,
            program,
            s,
            SessionState.ANSWERED,
            actor,
            expect=s.state,
            fields={"state": SessionState.ANSWERED, "answer_kind": "in_person", "answered_at": now},
            event="answered",
            detail="in_person",
            messages=messages,
            kind="in_person",
        ):
            raise Refused("in_person_not_now")
    return Reply("in_person_done", toast=True)


async def grade(
    core: Core, actor: Person, program: Program, session_id: int, verdict: str
) -> Reply:
    """The head's verdict. A regrade adds a row; the same verdict pressed twice changes nothing.

    The press is the hottest write path: one compare-and-set (state, role, latest verdict and
    the leaders to tell, in one statement), then the grade, its event, the dialog for the
    comment, the leaders' buttons and the messages owed (one statement each).
    """
    if verdict not in VERDICTS:
        raise Refused("button_invalid")
    store, now = core.store, core.now()
    async with store.transaction():
        found = await store.grade_step(session_id, program.id, actor.id)
        if found is None:
            await _why_not_gradable(core, actor, program, session_id)
        assert found is not None
        s, last, last_head, leader_chats = found
        if last == verdict:
            return Reply("grade_same", {"verdict": VERDICT_LABELS[verdict]}, toast=True)
        grade_id = await store.add_grade(s.id, verdict, actor.id, now)
        await store.set_dialog(
            actor.id, "grade_comment", program.id, s.id, {"grade_id": grade_id}, now
        )
        person = await store.person(s.drawn_person_id) if s.drawn_person_id else None
        # Another head's grade stood until now: they are told plainly what became of theirs.
        other = await store.person(last_head) if last_head and last_head != actor.id else None
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "head": person_ctx(actor),
            "person": person_ctx(person),
            "verdict": VERDICT_LABELS[verdict],
            "previous": VERDICT_LABELS[last] if last else None,
            "previous_head": person_ctx(other) if other else None,
        }
        messages = [
            Message(program.chat_id, "graded_group", ctx),
            Message(actor.tg_user_id, "grade_comment_prompt", ctx),
        ]
        if other is not None:
            messages.append(Message(other.tg_user_id, "grade_superseded", ctx))
        if last is None:
            buttons = await mint_many(
                core,
                ActionKind.CONCLUDE,
                program.id,
                [(BUTTONS["conclude"], SessionRef(s.id))] * len(leader_chats),
            )
            messages += [
                Message(chat, "conclude_prompt", ctx, buttons=((button,),))
                for chat, button in zip(leader_chats, buttons, strict=True)
            ]
        await step(
            core,
            program,
            s,
            "regraded" if last else "graded",
            actor,
            event="regraded" if last else "graded",
            detail=verdict,
            messages=messages,
            verdict=verdict,
        )
    return Reply(
        "grade_recorded",
        {
            "verdict": VERDICT_LABELS[verdict],
            "regrade": bool(last),
            "previous_head": ctx["previous_head"],
        },
        toast=True,
    )


async def _why_not_gradable(core: Core, actor: Person, program: Program, session_id: int) -> None:
    """Raise the refusal of a grade that could not be recorded (the cheap path failed)."""
    await core.require(actor, program, "head", action="grade")
    s = await core.store.session(session_id)
    if s is None or s.program_id != program.id:
        raise Refused("button_invalid")
    if s.state == SessionState.CONCLUDED:
        raise Refused("grade_after_conclusion")
    raise Refused("grade_not_now")


async def grade_comment(
    core: Core, actor: Person, program: Program, session_id: int, grade_id: int, comment: str
) -> Reply:
    """The comment on the head's own grade. It is kept with that grade even when another head
    graded again meanwhile: then the group and the head read whose verdict now stands."""
    await core.require(actor, program, "head", action="grade")
    comment = clean_lines(comment)
    if not comment:
        return Reply("comment_empty")
    if len(comment) > MAX_COMMENT_CHARS:
        return Reply("text_too_long", {"limit": MAX_COMMENT_CHARS, "length": len(comment)})
    store = core.store
    async with store.transaction():
        s = await store.session(session_id)
        await store.clear_dialog(actor.id)
        if s is None or s.state != SessionState.GRADED:
            raise Refused("grade_after_conclusion")
        grades = await store.grades(s.id)
        own = next((g for g in grades if g.id == grade_id and g.head_id == actor.id), None)
        if own is None:
            raise Refused("grade_not_now")
        await store.set_grade_comment(own.id, comment)
        day = citing.session_day(program, core, s.session_date)
        await citing.record(core, program.id, "comment", own.id, day, text=comment, session_id=s.id)
        standing = grades[-1]
        superseded = standing.id != own.id
        by = await store.person(standing.head_id) if superseded else None
        ctx = {
            "program": program_ctx(program),
            "head": person_ctx(actor),
            "comment": comment,
            "verdict": VERDICT_LABELS[own.verdict],
            "standing": {"verdict": VERDICT_LABELS[standing.verdict], "head": person_ctx(by)}
            if superseded
            else None,
        }
        await step(
            core,
            program,
            s,
            "grade_comment",
            actor,
            event="grade_comment",
            detail="superseded" if superseded else None,
            messages=[Message(program.chat_id, "grade_comment_group", ctx)],
        )
    return Reply("comment_saved", ctx)


async def _awaiting_conclusion(core: Core, program: Program, session_id: int | None) -> Session:
    """The session to conclude: the one named (by the button), else the newest concludable one."""
    s = (
        await core.store.session(session_id)
        if session_id
        else await current_session(core, program, CONCLUDABLE_STATES)
    )
    if s is None or s.program_id != program.id or s.state not in CONCLUDABLE_STATES:
        raise Refused("conclude_not_now")
    return s


async def start_conclusion(
    core: Core, actor: Person, program: Program, session_id: int | None
) -> Reply:
    await core.require(actor, program, "leader", "admin", action="conclude")
    store, now = core.store, core.now()
    async with store.transaction():
        s = await _awaiting_conclusion(core, program, session_id)
        await store.set_dialog(actor.id, "conclude", program.id, s.id, {}, now)
    return Reply(
        "conclude_ask", {"program": program_ctx(program), "session": session_ctx(s, program)}
    )


async def conclude(
    core: Core, actor: Person, program: Program, text: str, session_id: int | None = None
) -> Reply:
    await core.require(actor, program, "leader", "admin", action="conclude")
    text = clean_lines(text)
    if not text:
        return Reply("conclude_usage")
    if len(text) > MAX_CONCLUSION_CHARS:
        return Reply("text_too_long", {"limit": MAX_CONCLUSION_CHARS, "length": len(text)})
    store, now = core.store, core.now()
    async with store.transaction():
        s = await _awaiting_conclusion(core, program, session_id)

        async def end_dialogs() -> None:
            # Every comment or conclusion dialog of this session ends with it, whoever had it.
            await store.clear_session_dialogs(s.id)

        async def messages() -> list[Message]:
            concluded = await store.session(s.id)
            assert concluded is not None
            owed = await on_concluded(core, program, concluded)  # the askers first
            ctx = await summary_ctx(core, program, s)
            ctx["conclusion"] = text
            ctx["leader"] = person_ctx(actor)
            return [*owed, Message(program.chat_id, "concluded_group", ctx)]

        if not await step(
            core,
            program,
            s,
            SessionState.CONCLUDED,
            actor,
            expect=s.state,
            fields={
                "state": SessionState.CONCLUDED,
                "conclusion": text,
                "concluded_by": actor.id,
                "concluded_at": now,
            },
            then=end_dialogs,
            event="concluded",
            messages=messages,
        ):
            raise Refused("conclude_not_now")
    core.program_changed(program.id)
    return Reply("conclude_done", {"program": program_ctx(program)})


# -- read-only views -----------------------------------------------------------------------------


async def status(core: Core, program: Program, viewer_roles: frozenset[str]) -> Reply:
    """/trangthai: a read model, built once and kept until what it shows changes."""
    store = core.store
    key = ("status", program.id, "admin" in viewer_roles)
    cached: dict[str, Any] | None = store.memo(key)
    if cached is not None:
        return Reply("status", dict(cached))
    version = store.version
    ctx = await _status_ctx(core, program, viewer_roles)
    store.remember(key, version, ctx)
    return Reply("status", dict(ctx))


async def _status_ctx(core: Core, program: Program, viewer_roles: frozenset[str]) -> dict[str, Any]:
    store = core.store
    s = await current_session(core, program) or await store.latest_session(program.id)
    ctx: dict[str, Any] = {"program": program_ctx(program), "session": None}
    if s is not None:
        ctx = await summary_ctx(core, program, s)
        ctx["draws"] = [
            {
                "attempt": d.attempt,
                "person": person_ctx(await store.person(d.chosen_id)),
                "reason": d.reason,
                "pool_size": len(d.pool),
            }
            for d in await store.draws(s.id)
        ]
    ctx["is_admin"] = "admin" in viewer_roles
    ctx["queued"] = await store.count_queued(program.id) if ctx["is_admin"] else None
    return ctx


async def this_week_question(
    core: Core, program: Program, roles: frozenset[str], in_private: bool
) -> Reply:
    """``/cauhoi``. The suggested answer only in a private chat of a head or leader: never in a
    group, whoever asks there."""
    s = await current_session(
        core,
        program,
        (
            SessionState.PUBLISHED,
            SessionState.DRAWN,
            SessionState.ANSWERED,
            SessionState.GRADED,
            SessionState.UNANSWERED,
        ),
    )
    if s is None or s.question_id is None:
        upcoming = await current_session(core, program, (SessionState.SCHEDULED,))
        return Reply(
            "question_none",
            {
                "program": program_ctx(program),
                "session": session_ctx(upcoming, program) if upcoming else None,
            },
        )
    q = await core.store.question(s.question_id)
    expert = in_private and bool(roles & {"head", "leader"})
    return Reply(
        "question_show",
        {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "question": question_ctx(q, with_suggestion=expert),
        },
    )


async def verify(core: Core, program: Program, in_private: bool) -> Reply:
    """Recompute the latest draw from the revealed seed and its stored pool.

    In a group: one line a draw (matches its announcement or not, who was drawn). In private:
    the full values and the steps, with each number of the pool named.
    """
    store = core.store
    s = await store.latest_drawn_session(program.id)
    if s is None:
        return Reply("verify_none", {"program": program_ctx(program)})
    names = {m.person.id: m.person.display_name for m in await store.members(program.id)}

    async def named(person_id: int) -> dict[str, Any]:
        if person_id not in names:  # no longer a member of this program
            names[person_id] = person_ctx(await store.person(person_id))["name"]
        return {"id": person_id, "name": names[person_id]}

    checks = []
    for d in await store.draws(s.id):
        pool = sorted(set(d.pool))  # as the draw rule reads it
        recomputed = drawing.draw(d.seed, pool, d.attempt)
        checks.append(
            {
                "attempt": d.attempt,
                "seed": d.seed,
                "commitment": d.commitment,
                "commitment_ok": drawing.commitment(d.seed) == d.commitment,
                "pool": ",".join(map(str, pool)),
                "pool_size": len(pool),
                "people": [await named(pid) for pid in pool] if in_private else [],
                "chosen": await named(d.chosen_id),
                "recomputed": await named(recomputed),
                "ok": recomputed == d.chosen_id,
            }
        )
    return Reply(
        "verify_private" if in_private else "verify_group",
        {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "checks": checks,
            # Committed for a redraw that has not happened: the seed stays secret until then.
            "next_commitment": s.next_commitment
            if s.state in (SessionState.DRAWN, SessionState.UNANSWERED)
            else None,
        },
    )


# -- buttons of this area (see bot/actions.py) ----------------------------------------------------


async def _grade_pressed(p: Press[Verdict]) -> Reply:
    return await grade(p.core, p.person, p.program, p.payload.session_id, p.payload.verdict)


async def _in_person_pressed(p: Press[SessionRef]) -> Reply:
    return await record_in_person(p.core, p.person, p.program, p.payload.session_id)


async def _redraw_left_pressed(p: Press[SessionPerson]) -> Reply:
    return await redraw_for_left(
        p.core, p.person, p.program, p.payload.session_id, p.payload.person_id
    )


async def _conclude_pressed(p: Press[SessionRef]) -> Reply:
    return await start_conclusion(p.core, p.person, p.program, p.payload.session_id)


register(ActionKind.GRADE, Verdict, _grade_pressed, atomic=True, offered_to=("head",))
register(ActionKind.IN_PERSON, SessionRef, _in_person_pressed, offered_to=("head", "admin"))
register(ActionKind.CONCLUDE, SessionRef, _conclude_pressed, offered_to=("leader", "admin"))
register(ActionKind.REDRAW_LEFT, SessionPerson, _redraw_left_pressed, offered_to=("head", "admin"))
