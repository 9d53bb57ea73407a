"""Plain, JSON-able template context built from records, shared by every service.

Kept apart from the services so any of them can use it without importing another service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import ActionKind, mint
from bot.core import Core
from bot.models import Person, Program, Question, Reply, Session
from bot.records import standing_comment
from bot.words import VERDICT_LABELS


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
