"""The question bank of a program: import from files, add in chat, show the queue."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from bot.core import Core, Refused
from bot.models import Person, Program, Reply
from bot.services.context import program_ctx, state_change
from bot.services.roster import clean_text
from questions.importer import ImportRejected, parse_questions
from questions.model import DEFAULT_TOPIC, LIMITS, STANDARD_TOPICS, QuestionDraft


async def import_file(
    core: Core, actor: Person | None, program: Program, filename: str, data: bytes
) -> Reply:
    """Parse and store a whole file, or nothing: the reply names every bad row."""
    if actor is not None:
        await core.require(actor, program, "admin", action="import")
    try:
        drafts = parse_questions(filename, data)
    except ImportRejected as exc:
        return Reply(
            "import_rejected",
            {
                "filename": filename,
                "problems": [dataclasses.asdict(p) for p in exc.problems],
                "total": len(exc.problems),
            },
        )
    await store_drafts(core, actor, program, drafts, source=filename)
    return Reply(
        "import_done",
        {
            "filename": filename,
            "count": len(drafts),
            "queued": await core.store.count_queued(program.id),
            "program": program_ctx(program),
        },
    )


async def store_drafts(
    core: Core, actor: Person | None, program: Program, drafts: list[QuestionDraft], source: str
) -> None:
    store, now = core.store, core.now()
    async with store.transaction():
        for d in drafts:
            await store.add_question(
                program.id,
                d.text,
                d.topic,
                d.source_unit,
                d.legal_refs,
                d.suggested_answer,
                actor.id if actor else None,
                now,
            )
        await store.log_event(
            "imported",
            now,
            program_id=program.id,
            actor_id=actor.id if actor else None,
            detail=f"{len(drafts)} from {source[:80]}",
        )
        state_change(program, None, "imported", actor, count=len(drafts))
    core.program_changed(program.id)


async def queue(core: Core, actor: Person, program: Program) -> Reply:
    await core.require(actor, program, "admin", "head", "leader", action="queue")
    items = await core.store.queued_questions(program.id, limit=15)
    return Reply(
        "queue",
        {
            "program": program_ctx(program),
            "items": [{"id": q.id, "text": q.text, "topic": q.topic} for q in items],
            "total": await core.store.count_queued(program.id),
        },
    )


# -- the guided "add one question" dialog ------------------------------------------------------

STEPS = ("text", "topic", "source_unit", "legal_refs", "suggested_answer")
FIELD_LIMITS = {
    "text": LIMITS.max_text,
    "topic": LIMITS.max_topic,
    "source_unit": LIMITS.max_source_unit,
    "legal_refs": LIMITS.max_legal_refs,
    "suggested_answer": LIMITS.max_suggested_answer,
}


async def start_add(core: Core, actor: Person, program: Program) -> Reply:
    await core.require(actor, program, "admin", action="add_question")
    async with core.store.transaction():
        await core.store.set_dialog(
            actor.id, "add_question", program.id, None, {"step": "text"}, core.now()
        )
    return Reply("add_q_text", {"program": program_ctx(program), "limit": LIMITS.max_text})


async def add_step(
    core: Core, actor: Person, program: Program, data: dict[str, Any], text: str | None
) -> Reply:
    """One answer in the dialog. ``text`` None means "skip this optional field"."""
    await core.require(actor, program, "admin", action="add_question")
    step = str(data.get("step", "text"))
    if step not in STEPS:
        raise Refused("dialog_cancelled")
    value: str | None = None
    if text is not None:
        value = clean_text(text, FIELD_LIMITS[step] + 1) if step != "text" else _keep_lines(text)
        if len(value) > FIELD_LIMITS[step]:
            return Reply("text_too_long", {"limit": FIELD_LIMITS[step], "length": len(value)})
        if step == "text" and len(value) < LIMITS.min_text:
            return Reply("add_q_text_short", {"limit": LIMITS.min_text})
    elif step == "text":
        return Reply("add_q_text", {"program": program_ctx(program), "limit": LIMITS.max_text})
    data = {**data, step: value}
    nxt = STEPS[STEPS.index(step) + 1] if step != STEPS[-1] else None
    store, now = core.store, core.now()
    if nxt is None:
        draft = QuestionDraft(
            text=str(data["text"]),
            topic=str(data.get("topic") or DEFAULT_TOPIC),
            source_unit=data.get("source_unit"),
            legal_refs=data.get("legal_refs"),
            suggested_answer=data.get("suggested_answer"),
        )
        async with store.transaction():
            await store.clear_dialog(actor.id)
        await store_drafts(core, actor, program, [draft], source="chat")
        return Reply(
            "add_q_done",
            {"question": dataclasses.asdict(draft), "queued": await store.count_queued(program.id)},
        )
    buttons: list[tuple[Any, ...]] = []
    async with store.transaction():
        await store.set_dialog(
            actor.id, "add_question", program.id, None, {**data, "step": nxt}, now
        )
        if nxt == "topic":
            for t in STANDARD_TOPICS:
                buttons.append(
                    (
                        await core.button(
                            t, "topic", program_id=program.id, target=t, ttl=timedelta(hours=6)
                        ),
                    )
                )
    return Reply(f"add_q_{nxt}", {"limit": FIELD_LIMITS[nxt]}, buttons=tuple(buttons))


def _keep_lines(text: str) -> str:
    lines = [clean_text(line, 10_000) for line in text.strip().splitlines()]
    return "\n".join(lines).strip()
