"""The drawn person's answer: in time, after the deadline, or from someone no longer a member.

Nothing the drawn person sends about their turn is lost:

- **In time** (the session waits for them, before the deadline): the answer. It goes to the
  group with the verdict buttons, and to each head privately.
- **After the deadline** of their latest turn (:data:`LATE_WINDOW` at most, and while no later
  session of the program has been drawn), in whatever state the session is then (overdue,
  closed as unanswered, answered in person, graded, concluded): a *late answer*, kept as it
  arrived (``late_answers``) and shown to the heads. While the session has no answer yet
  (drawn, unanswered) a head may **accept** it — the session then holds it as its answer,
  received after the deadline, and it is graded like any answer — or **leave** it; the sender
  is told either way. A session that already has its answer (in person) or its conclusion keeps
  it: the late text is kept in the record and shown to the heads for information.
- From a person who **no longer takes part** in the program: never an answer; they are told so.

A press on accept or leave is authorized by role on the server and decided once
(compare-and-set on the late answer's status, then on the session's state).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from bot.actions import ActionKind, Press, Ref, Verdict, mint_many, register
from bot.core import Core, Refused
from bot.models import (
    VERDICTS,
    Answer,
    AnswerKind,
    Buttons,
    LateAnswer,
    Message,
    Person,
    Program,
    Reply,
    Session,
    SessionState,
)
from bot.schedule import answer_is_late
from bot.services import citing
from bot.services.context import local, person_ctx, program_ctx, question_ctx, session_ctx
from bot.services.step import step
from bot.text import clean_lines
from bot.words import BUTTONS, VERDICT_LABELS

log = logging.getLogger("hoidap.answers")

MAX_ANSWER_CHARS = 4000
# How long after the deadline a message of the drawn person still counts as their late answer.
LATE_WINDOW = timedelta(days=7)
# Session states in which a late answer can still become the session's answer.
ACCEPTABLE_STATES = (SessionState.DRAWN, SessionState.UNANSWERED)


async def grade_buttons(core: Core, program: Program, s: Session) -> Buttons:
    """One button per verdict, their actions stored in one statement."""
    choices = [(VERDICT_LABELS[v], Verdict(s.id, v)) for v in VERDICTS]
    row = await mint_many(core, ActionKind.GRADE, program.id, choices)
    return (tuple(row),)


async def answer_messages(
    core: Core, program: Program, s: Session, ctx: dict[str, Any], answer: Answer
) -> list[Message]:
    """What a recorded answer owes: the group's post with the verdicts (and the file, when it was
    sent privately), and each head's private prompt with the verdicts. Beside the verdicts, the
    documents the answer cites that are no longer in force (a fact for the head, not a verdict;
    the answer's citations are recorded by then)."""
    store = core.store
    marks = await citing.stale_marks(core, "answer", [s.id], core.today(program))
    ctx = {**ctx, "stale_refs": marks.get(s.id, [])}
    owed = [Message(program.chat_id, "answer_group", ctx, await grade_buttons(core, program, s))]
    if answer.kind in ("voice", "document") and not answer.in_group:
        ref = f"{answer.chat_id}:{answer.message_id}"
        owed.append(
            Message(program.chat_id, "answer_attachment", ctx, media_kind="copy", media_ref=ref)
        )
    for head in await store.members_with_role(program.id, "head"):
        buttons = await grade_buttons(core, program, s)
        owed.append(Message(head.person.tg_user_id, "grade_prompt", ctx, buttons))
    return owed


def _body(answer: Answer) -> tuple[str, Reply | None]:
    """The answer's text as stored, or the reply refusing it (empty, too long)."""
    body = clean_lines(answer.text or "")
    if answer.kind == "text" and not body:
        return body, Reply("answer_empty")
    if len(body) > MAX_ANSWER_CHARS:
        return body, Reply("answer_too_long", {"limit": MAX_ANSWER_CHARS, "length": len(body)})
    return body, None


async def _active(core: Core, program_id: int, person_id: int) -> bool:
    member = await core.store.member(program_id, person_id)
    return member is not None and member.status == "active"


async def record_answer(
    core: Core, person: Person, answer: Answer, program: Program | None = None
) -> Reply | None:
    """A message of the drawn person about their turn (``program``: the group it was sent in).

    None when it is not about a turn at all (the caller answers it as any other message)."""
    store, now = core.store, core.now()
    async with store.transaction():
        waiting = [
            s
            for s in await store.sessions_drawing(person.id)
            if (program is None or s.program_id == program.id)
            and not answer_is_late(now, s.deadline_at)
        ]
        if waiting:
            s = waiting[0]
            prog = program or await store.program(s.program_id)
            assert prog is not None
            if not await _active(core, prog.id, person.id):
                return Reply("answer_not_member", {"program": program_ctx(prog)})
            return await _in_time(core, person, answer, prog, s)
        turn = await _late_turn(core, person, program)
        if turn is None:
            return await _redrawn_away(core, person, program)
        prog = program or await store.program(turn.program_id)
        assert prog is not None
        if not await _active(core, prog.id, person.id):
            return Reply("answer_not_member", {"program": program_ctx(prog)})
        return await _late(core, person, answer, prog, turn)


async def _cite(core: Core, program: Program, s: Session, text: str | None) -> None:
    """The documents the answer cites (bot/services/citing.py), recorded with it."""
    if text:
        day = citing.session_day(program, core, s.session_date)
        await citing.record(core, program.id, "answer", s.id, day, text=text, session_id=s.id)


def _answer_fields(answer: Answer, text: str | None, at: datetime) -> dict[str, Any]:
    """The session's columns once it holds ``answer`` (``text`` as stored), answered ``at``."""
    return {
        "state": SessionState.ANSWERED,
        "answer_kind": answer.kind,
        "answer_text": text,
        "answer_file_id": answer.file_id,
        "answer_file_name": answer.file_name,
        "answer_chat_id": answer.chat_id,
        "answer_message_id": answer.message_id,
        "answered_at": at,
    }


def _answer_ctx(
    program: Program, s: Session, person: Person | None, question: Any, answer: Answer, body: str
) -> dict[str, Any]:
    return {
        "program": program_ctx(program),
        "session": session_ctx(s, program),
        "person": person_ctx(person),
        "kind": answer.kind,
        "text": body or None,
        "file_name": answer.file_name,
        "in_group": answer.in_group,
        "question": question_ctx(question),
    }


async def _in_time(
    core: Core, person: Person, answer: Answer, prog: Program, s: Session
) -> Reply | None:
    store, now = core.store, core.now()
    body, refusal = _body(answer)
    if refusal is not None:
        return refusal
    question = await store.question(s.question_id) if s.question_id else None
    ctx = _answer_ctx(prog, s, person, question, answer, body)

    async def messages() -> list[Message]:
        return await answer_messages(core, prog, s, ctx, answer)

    async def cite() -> None:
        await _cite(core, prog, s, body)

    answered = await step(
        core,
        prog,
        s,
        SessionState.ANSWERED,
        person,
        expect=SessionState.DRAWN,
        fields=_answer_fields(answer, body or None, now),
        then=cite,
        event="answered",
        detail=answer.kind,
        messages=messages,
        kind=answer.kind,
    )
    if not answered:
        return None
    return Reply("answer_received", {"program": program_ctx(prog)})


# -- after the deadline ---------------------------------------------------------------------------


async def _late_turn(core: Core, person: Person, program: Program | None) -> Session | None:
    """The turn a message belongs to when it is not an answer in time: the person's newest turn
    (in ``program`` when given) that no longer waits for their answer in time — its deadline
    passed less than :data:`LATE_WINDOW` ago, or it already has its answer or conclusion —
    while it is still the newest drawn session of its program."""
    store, now = core.store, core.now()
    for s in await store.recent_turns(person.id):
        if program is not None and s.program_id != program.id:
            continue
        if s.state == SessionState.DRAWN and not answer_is_late(now, s.deadline_at):
            continue  # a turn still open is answered in time, not here
        if s.deadline_at is None or now - s.deadline_at > LATE_WINDOW:
            return None
        newest = await store.latest_drawn_session(s.program_id)
        return s if newest is not None and newest.id == s.id else None
    return None


async def _redrawn_away(core: Core, person: Person, program: Program | None) -> Reply | None:
    """A message of someone whose turn went to another by a redraw while the session is still
    open: told plainly that it is not taken as the answer, and who answers now (rather than the
    general fallback, which reads as if the bot did not understand)."""
    store = core.store
    for member in await store.memberships(person.id):
        if member.status != "active" or (program is not None and member.program_id != program.id):
            continue
        for s in await store.open_sessions(member.program_id):
            if s.drawn_person_id in (None, person.id):
                continue
            draws = await store.draws(s.id)
            if not any(d.chosen_id == person.id for d in draws):
                continue
            prog = program or await store.program(s.program_id)
            assert prog is not None
            now_drawn = await store.person(s.drawn_person_id) if s.drawn_person_id else None
            return Reply(
                "answer_redrawn_away",
                {
                    "program": program_ctx(prog),
                    "session": session_ctx(s, prog),
                    "person": person_ctx(now_drawn),
                    "reason": draws[-1].reason,
                },
            )
    return None


async def _recipients(core: Core, program: Program) -> list[Person]:
    """Who decides on a late answer: the program's heads (its admins when it has none)."""
    heads = [m.person for m in await core.store.members_with_role(program.id, "head")]
    return heads or await core.admins(program)


async def _late(core: Core, person: Person, answer: Answer, prog: Program, s: Session) -> Reply:
    store, now = core.store, core.now()
    body, refusal = _body(answer)
    if refusal is not None:
        return refusal
    acceptable = s.state in ACCEPTABLE_STATES
    # Before the deadline only a session that already has its answer (or its conclusion) comes
    # here: the message is then a follow-up, kept the same way, not a late answer.
    after_deadline = acceptable or answer_is_late(now, s.deadline_at)
    status = "waiting" if acceptable else "kept"
    late_id = await store.add_late_answer(s.id, person.id, answer, body or None, status, now)
    question = await store.question(s.question_id) if s.question_id else None
    ctx = {
        **_answer_ctx(prog, s, person, question, answer, body),
        "received_at": local(now, prog),
        "acceptable": acceptable,
        "after_deadline": after_deadline,
        "answer_kind": s.answer_kind,
    }

    async def messages() -> list[Message]:
        owed: list[Message] = []
        people = await _recipients(core, prog)
        rows: list[Buttons] = [() for _ in people]
        if acceptable:
            accept = await mint_many(
                core,
                ActionKind.LATE_ACCEPT,
                prog.id,
                [(BUTTONS["late_accept"], Ref(late_id))] * len(people),
            )
            leave = await mint_many(
                core,
                ActionKind.LATE_LEAVE,
                prog.id,
                [(BUTTONS["late_leave"], Ref(late_id))] * len(people),
            )
            rows = [((a, b),) for a, b in zip(accept, leave, strict=True)]
        for recipient, buttons in zip(people, rows, strict=True):
            owed.append(Message(recipient.tg_user_id, "late_answer_head", ctx, buttons))
            if answer.kind in ("voice", "document"):
                ref = f"{answer.chat_id}:{answer.message_id}"
                owed.append(
                    Message(
                        recipient.tg_user_id,
                        "answer_attachment",
                        ctx,
                        media_kind="copy",
                        media_ref=ref,
                    )
                )
        return owed

    await step(
        core,
        prog,
        s,
        "late_answer",
        person,
        event="late_answer",
        detail=f"{late_id}:{status}",
        messages=messages,
        late=late_id,
        acceptable=acceptable,
    )
    return Reply(
        "answer_late",
        {
            "program": program_ctx(prog),
            "session": session_ctx(s, prog),
            "acceptable": acceptable,
            "after_deadline": after_deadline,
            "answer_kind": s.answer_kind,
        },
    )


async def _decided_late(core: Core, program: Program, late_id: int) -> tuple[LateAnswer, Session]:
    store = core.store
    late = await store.late_answer(late_id)
    s = await store.session(late.session_id) if late else None
    if late is None or s is None or s.program_id != program.id:
        raise Refused("button_invalid")
    if late.status != "waiting":
        who = await store.person(late.decided_by) if late.decided_by else None
        raise Refused(
            "late_decided",
            status=late.status,
            by=person_ctx(who) if who else None,
            at=local(late.decided_at, program),
        )
    return late, s


async def accept_late(core: Core, actor: Person, program: Program, late_id: int) -> Reply:
    """A head takes a late answer as the session's answer: then it is graded like any answer."""
    await core.require(actor, program, "head", "admin", action="late_accept")
    store, now = core.store, core.now()
    async with store.transaction():
        late, s = await _decided_late(core, program, late_id)
        if s.state not in ACCEPTABLE_STATES or s.drawn_person_id != late.person_id:
            raise Refused("late_not_now", session=session_ctx(s, program))
        if not await _active(core, program.id, late.person_id):
            raise Refused("late_not_member", program=program_ctx(program))
        if not await store.decide_late_answer(late.id, "accepted", actor.id, now):
            raise Refused("late_not_now", session=session_ctx(s, program))
        person = await store.person(late.person_id)
        question = await store.question(s.question_id) if s.question_id else None
        answer = Answer(
            cast(AnswerKind, late.kind),  # the CHECK of late_answers.kind
            late.text,
            late.chat_id,
            late.message_id,
            late.in_group,
            file_id=late.file_id,
            file_name=late.file_name,
        )
        ctx = {
            **_answer_ctx(program, s, person, question, answer, late.text or ""),
            "late": True,
            "received_at": local(late.received_at, program),
            "accepted_by": person_ctx(actor),
        }

        async def messages() -> list[Message]:
            owed = await answer_messages(core, program, s, ctx, answer)
            if person is not None:
                owed.append(Message(person.tg_user_id, "late_accepted", ctx))
            return owed

        async def cite() -> None:
            await _cite(core, program, s, late.text)

        if not await step(
            core,
            program,
            s,
            SessionState.ANSWERED,
            actor,
            expect=s.state,
            # Answered when it arrived, after the deadline: the record counts a late answer.
            fields=_answer_fields(answer, late.text, late.received_at),
            then=cite,
            event="answered",
            detail="late",
            messages=messages,
            kind=late.kind,
            late=late.id,
        ):
            raise Refused("late_not_now", session=session_ctx(s, program))
    core.program_changed(program.id)
    return Reply("late_accept_done", {"person": person_ctx(person)}, toast=True)


async def leave_late(core: Core, actor: Person, program: Program, late_id: int) -> Reply:
    """A head leaves a late answer: the session stays as it is; the sender is told."""
    await core.require(actor, program, "head", "admin", action="late_leave")
    store, now = core.store, core.now()
    async with store.transaction():
        late, s = await _decided_late(core, program, late_id)
        if not await store.decide_late_answer(late.id, "left", actor.id, now):
            raise Refused("late_not_now", session=session_ctx(s, program))
        person = await store.person(late.person_id)
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(s, program),
            "person": person_ctx(person),
            "head": person_ctx(actor),
        }
        await step(
            core,
            program,
            s,
            "late_left",
            actor,
            event="late_left",
            detail=str(late.id),
            messages=[Message(person.tg_user_id, "late_left", ctx)] if person else [],
            late=late.id,
        )
    return Reply("late_leave_done", {"person": person_ctx(person)}, toast=True)


# -- buttons of this area (see bot/actions.py) ----------------------------------------------------


async def _accept_pressed(p: Press[Ref]) -> Reply:
    return await accept_late(p.core, p.person, p.program, p.payload.id)


async def _leave_pressed(p: Press[Ref]) -> Reply:
    return await leave_late(p.core, p.person, p.program, p.payload.id)


register(ActionKind.LATE_ACCEPT, Ref, _accept_pressed, offered_to=("head", "admin"))
register(ActionKind.LATE_LEAVE, Ref, _leave_pressed, offered_to=("head", "admin"))
