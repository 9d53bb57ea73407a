"""Plain, JSON-able template context built from records, shared by every service.

Kept apart from the services so any of them can use it without importing another service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import ActionKind, mint
from bot.core import Core
from bot.models import Message, Person, Program, Question, Reply, Session, SessionState
from bot.records import standing_comment
from bot.services.delivery import owe
from bot.words import VERDICT_LABELS

log = logging.getLogger("hoidap.cycle")


def state_change(
    program: Program, session: Session | None, step: str, actor: Person | None, **extra: Any
) -> None:
    """One readable log line per state change: program, week, step, actor."""
    who = f"{actor.display_name} (#{actor.id})" if actor else "lịch tự động"
    details = " ".join(f"{k}={v}" for k, v in extra.items())
    log.info(
        "state program=%s week=%s step=%s actor=%s %s",
        program.id,
        session.week if session else "-",
        step,
        who,
        details,
    )


async def step(
    core: Core,
    program: Program,
    session: Session | None,
    name: str,
    actor: Person | None,
    *,
    expect: SessionState | None = None,
    fields: dict[str, Any] | None = None,
    event: str | None = None,
    detail: str | None = None,
    then: Callable[[], Awaitable[None]] | None = None,
    messages: Sequence[Message] | Callable[[], Awaitable[Sequence[Message]]] = (),
    **log_extra: Any,
) -> bool:
    """One step of the cycle, inside the caller's transaction, in this order: the
    compare-and-set of the session (``fields`` set only while its state is still ``expect``),
    ``then`` (the step's writes to other tables: the draw row, the question used), the event
    row, the messages owed (one statement) and the state log line. ``messages`` may be a
    coroutine function, called once the compare-and-set held (messages with buttons mint their
    actions only then; a message built from the session as it is after the step reads it then).

    Returns False, having written nothing, when the compare-and-set found the session moved
    on. Without ``fields`` the caller made the compare-and-set itself (or the step changes no
    session: a planned week, a comment).

    Every change of a session's state goes through here (tests/test_steps.py checks it).
    """
    store, now = core.store, core.now()
    if fields is not None:
        assert session is not None
        if not await store.update_session(session.id, expect, **fields):
            return False
    if then is not None:
        await then()
    if event is not None:
        await store.log_event(
            event,
            now,
            program_id=program.id,
            session_id=session.id if session else None,
            actor_id=actor.id if actor else None,
            detail=detail,
        )
    owed = messages if isinstance(messages, Sequence) else await messages()
    await owe(core, owed)
    state_change(program, session, name, actor, **log_extra)
    return True


def person_ctx(p: Person | None) -> dict[str, Any]:
    if p is None:
        return {"name": "?", "title": "", "id": 0}
    return {"name": p.display_name, "title": p.title or "", "id": p.id}


def question_ctx(q: Question | None, with_suggestion: bool = False) -> dict[str, Any]:
    if q is None:
        return {
            "text": "",
            "topic": "",
            "source_unit": None,
            "legal_refs": None,
            "suggested_answer": None,
            "id": 0,
        }
    return {
        "id": q.id,
        "text": q.text,
        "topic": q.topic,
        "source_unit": q.source_unit,
        "legal_refs": q.legal_refs,
        "suggested_answer": q.suggested_answer if with_suggestion else None,
    }


def program_ctx(p: Program) -> dict[str, Any]:
    return {"id": p.id, "title": p.title}


def local(dt: datetime | None, program: Program) -> str | None:
    return dt.astimezone(ZoneInfo(program.tz)).isoformat() if dt else None


def session_ctx(s: Session, program: Program) -> dict[str, Any]:
    return {
        "id": s.id,
        "week": s.week,
        "state": s.state,
        "session_date": s.session_date.isoformat() if s.session_date else None,
        "nominal_date": s.nominal_date.isoformat(),
        "holiday": s.holiday,
        "publish_at": local(s.publish_at, program),
        "draw_at": local(s.draw_at, program),
        "deadline_at": local(s.deadline_at, program),
        "commitment": s.commitment,
        "skip_reason": s.skip_reason,
    }


async def summary_ctx(core: Core, program: Program, s: Session) -> dict[str, Any]:
    store = core.store
    question = await store.question(s.question_id) if s.question_id else None
    person = await store.person(s.drawn_person_id) if s.drawn_person_id else None
    grades = await store.grades(s.id)
    heads = {g.head_id: await store.person(g.head_id) for g in grades}
    last = grades[-1] if grades else None
    comment = standing_comment(grades)
    return {
        "program": program_ctx(program),
        "session": session_ctx(s, program),
        "question": question_ctx(question),
        "person": person_ctx(person) if person else None,
        "answer_kind": s.answer_kind,
        "answer_text": s.answer_text,
        "answer_file_name": s.answer_file_name,
        "verdict": VERDICT_LABELS[last.verdict] if last else None,
        "head": person_ctx(heads.get(last.head_id)) if last else None,
        "comment": comment,
        "regrades": len(grades) - 1 if grades else 0,
        "conclusion": s.conclusion,
    }


async def program_picker(
    core: Core, programs: list[Program], kind: ActionKind, template: str
) -> Reply:
    """One button per program; ``kind`` names what a press does with the chosen program."""
    async with core.store.transaction():
        rows = [(await mint(core, kind, p.title, p.id),) for p in programs]
    return Reply(template, {"programs": [program_ctx(p) for p in programs]}, buttons=tuple(rows))
