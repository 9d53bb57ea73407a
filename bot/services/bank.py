"""The question bank of a program: import from files and add in chat, never twice the same.

A question whose :func:`~bot.text.normalize_for_match` key equals that of a question
already in the program's bank (any status but retired) is a duplicate. An import file is all or
nothing for *invalid* rows (see ``questions.importer``); duplicates of the bank are not errors:
the other questions are imported and the reply lists each duplicate skipped, with its row and
the bank question it repeats. In the chat dialog a duplicate is refused at once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from bot.actions import ActionKind, Press, Text, mint, register
from bot.core import Core, Refused
from bot.models import Person, Program, Reply
from bot.offload import ChildFailed, Progress, in_child_now, off_loop
from bot.services import citing
from bot.services.context import program_ctx
from bot.services.step import state_change
from bot.text import clean_line, clean_lines, normalize_for_match, refused_char
from questions.checks import precheck
from questions.model import (
    COLUMN_BY_FIELD,
    DEFAULT_TOPIC,
    LIMITS,
    STANDARD_TOPICS,
    ImportProblem,
    ImportRejected,
    QuestionDraft,
    display_filename,
)
from questions.reading import read_questions

log = logging.getLogger("hoidap.bank")

MAX_DUPLICATES_SHOWN = 30
# Files at least this large are announced ("Đang đọc tệp…") before they are read: a spreadsheet of
# this size can take a second or more.
PROGRESS_BYTES = 32 * 1024


@dataclass(frozen=True)
class Duplicate:
    """A draft that repeats question ``existing_id`` of the bank."""

    draft: QuestionDraft
    existing_id: int
    existing_text: str


@dataclass(frozen=True)
class Stored:
    ids: list[int]
    duplicates: list[Duplicate]


def parse_questions(filename: str, data: bytes) -> list[QuestionDraft]:
    """Read a question file (in a file worker thread): refused at once from its bytes when it
    plainly is no question file (:func:`questions.checks.precheck`), else read in a child
    process of its own (``questions/reading.py``), which takes the readers' memory (openpyxl,
    numpy, PIL) away with it. Raises :class:`ImportRejected`."""
    rejected = precheck(filename, data)
    if rejected is None:
        try:
            read = in_child_now(read_questions, filename, data)
        except ChildFailed as exc:  # the reader died or hung on this file: it is not imported
            log.warning("question file %r could not be read: %s", filename, exc)
            read = ImportRejected(display_filename(filename), [ImportProblem("unreadable")])
        if not isinstance(read, ImportRejected):
            return read
        rejected = read
    raise rejected


def split_duplicates(
    drafts: Sequence[QuestionDraft], bank: Sequence[tuple[int, str]]
) -> tuple[list[QuestionDraft], list[Duplicate]]:
    """(new drafts, duplicates of ``bank``): ``bank`` holds (id, text) of the questions to match."""
    known: dict[str, tuple[int, str]] = {}
    for qid, text in sorted(bank):
        known.setdefault(normalize_for_match(text), (qid, text))
    fresh: list[QuestionDraft] = []
    duplicates: list[Duplicate] = []
    for draft in drafts:
        match = known.get(normalize_for_match(draft.text))
        if match is None:
            fresh.append(draft)
        else:
            duplicates.append(Duplicate(draft, match[0], match[1]))
    return fresh, duplicates


def duplicate_ctx(d: Duplicate) -> dict[str, Any]:
    return {"row": d.draft.row, "id": d.existing_id, "text": d.existing_text}


def rejected_reply(exc: ImportRejected) -> Reply:
    return Reply(
        "import_rejected",
        {
            "filename": exc.filename,
            "problems": [dataclasses.asdict(p) for p in exc.problems],
            "total": len(exc.problems),
        },
    )


def lacks_questions(reply: Reply) -> bool:
    """A file refused because it has no question column (it may be another kind of table)."""
    return reply.template == "import_rejected" and any(
        p["code"] == "missing_column" and p["field"] == COLUMN_BY_FIELD["text"].header
        for p in reply.context["problems"]
    )


def too_large_reply(filename: str, size: int) -> Reply:
    """The refusal of a file known to be too large before it is even downloaded or read."""
    detail: dict[str, str | int] = {"limit": LIMITS.max_file_bytes, "size": size}
    name = display_filename(filename) or "tep"
    return rejected_reply(ImportRejected(name, [ImportProblem("too_large", detail=detail)]))


async def import_file(
    core: Core,
    actor: Person | None,
    program: Program,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
) -> Reply:
    """Parse a whole file and store its new questions; an invalid row rejects the whole file.

    The file is read in a process of its own (:func:`parse_questions`, waited for in a file
    worker thread): the bot keeps answering others meanwhile, and its memory does not keep the
    readers' (openpyxl, numpy); a large one is first announced through ``progress``. Storing
    is one transaction on the event loop, so two imports at once are stored one after the
    other, each checking for duplicates of what the other stored. The reply names every bad
    row, or every duplicate of the bank skipped.
    """
    if actor is not None:
        await core.require(actor, program, "admin", action="import")
    filename = display_filename(filename) or "tep"
    if progress is not None and len(data) >= PROGRESS_BYTES:
        await progress(Reply("import_reading", {"filename": filename, "size": len(data)}))
    try:
        drafts = await off_loop(parse_questions, filename, data)
    except ImportRejected as exc:
        return rejected_reply(exc)
    stored = await store_drafts(core, actor, program, drafts, source=filename)
    yaml_file = PurePath(filename).suffix.lower() in (".yaml", ".yml")
    stale = await stale_questions(core, program, stored.ids)
    return Reply(
        "bank_import_done",
        {
            "filename": filename,
            "count": len(stored.ids),
            "queued": await core.store.count_queued(program.id),
            "program": program_ctx(program),
            "yaml": yaml_file,
            "duplicates": [duplicate_ctx(d) for d in stored.duplicates[:MAX_DUPLICATES_SHOWN]],
            "duplicates_total": len(stored.duplicates),
            "stale": stale,
        },
    )


async def stale_questions(core: Core, program: Program, ids: list[int]) -> list[dict[str, Any]]:
    """The questions of ``ids`` that cite a document no longer in force, with those documents:
    the admins read it before the question is published."""
    marks = await citing.stale_marks(core, "question", ids, core.today(program))
    return [{"id": qid, "stale": marks[qid]} for qid in ids if qid in marks]


async def store_drafts(
    core: Core, actor: Person | None, program: Program, drafts: list[QuestionDraft], source: str
) -> Stored:
    """Store the drafts that are not already in the bank, in one transaction."""
    store, now, today = core.store, core.now(), core.today(program)
    ids: list[int] = []
    async with store.transaction():
        fresh, duplicates = split_duplicates(drafts, await store.question_texts(program.id))
        for d in fresh:
            qid = await store.add_question(
                program.id,
                d.text,
                d.topic,
                d.source_unit,
                d.legal_refs,
                d.suggested_answer,
                actor.id if actor else None,
                now,
            )
            if d.tags:
                await store.set_tags(qid, d.tags)
            await citing.record(
                core, program.id, "question", qid, today, text=d.text, refs=d.legal_refs
            )
            ids.append(qid)
        skipped = f" ({len(duplicates)} duplicates skipped)" if duplicates else ""
        await store.log_event(
            "imported",
            now,
            program_id=program.id,
            actor_id=actor.id if actor else None,
            detail=f"{len(fresh)} from {source[:80]}{skipped}",
        )
        state_change(program, None, "imported", actor, count=len(fresh), duplicates=len(duplicates))
    core.program_changed(program.id)
    return Stored(ids, duplicates)


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
        bad = refused_char(text)
        if bad is not None:  # refused as in a question file; the dialog stays at this step
            return Reply("text_control_chars", {"char": f"U+{ord(bad):04X}"})
        value = clean_line(text, FIELD_LIMITS[step] + 1) if step != "text" else clean_lines(text)
        if len(value) > FIELD_LIMITS[step]:
            return Reply("text_too_long", {"limit": FIELD_LIMITS[step], "length": len(value)})
        if step == "text" and len(value) < LIMITS.min_text:
            return Reply("add_q_text_short", {"limit": LIMITS.min_text})
        if step == "text":
            _, duplicates = split_duplicates(
                [QuestionDraft(value)], await core.store.question_texts(program.id)
            )
            if duplicates:
                # The dialog stays at this step: another text, or /huy.
                return Reply("bank_duplicate_question", duplicate_ctx(duplicates[0]))
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
        stored = await store_drafts(core, actor, program, [draft], source="chat")
        if stored.duplicates:  # the same question arrived meanwhile (a file, another admin)
            return Reply("bank_duplicate_question", duplicate_ctx(stored.duplicates[0]))
        return Reply(
            "add_q_done",
            {
                "question": dataclasses.asdict(draft),
                "queued": await store.count_queued(program.id),
                "stale": await stale_questions(core, program, stored.ids),
            },
        )
    buttons: list[tuple[Any, ...]] = []
    async with store.transaction():
        await store.set_dialog(
            actor.id, "add_question", program.id, None, {**data, "step": nxt}, now
        )
        if nxt == "topic":
            for t in STANDARD_TOPICS:
                buttons.append((await mint(core, ActionKind.TOPIC, t, program.id, Text(t)),))
    return Reply(f"add_q_{nxt}", {"limit": FIELD_LIMITS[nxt]}, buttons=tuple(buttons))


# -- buttons of this area (see bot/actions.py) ----------------------------------------------------


async def _topic_pressed(p: Press[Text]) -> Reply:
    """A topic button of «thêm câu hỏi»: only while that dialog waits for the topic."""
    dialog = await p.core.store.dialog(p.person.id)
    if (
        dialog is None
        or dialog.kind != "add_question"
        or dialog.program_id != p.program.id
        or dialog.data.get("step") != "topic"
    ):
        raise Refused("button_expired")
    return await add_step(p.core, p.person, p.program, dialog.data, p.payload.value)


register(ActionKind.TOPIC, Text, _topic_pressed, ttl=timedelta(hours=6))
