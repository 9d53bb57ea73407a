"""The supplementary conclusion (kết luận bổ sung) of an official answer.

When a document an official answer rests on changes, the leader (or an admin in the leader's
place) gives a supplementary conclusion: ``/ketluanbosung <số> <nội dung>`` (the number of the
official answer, as the review lists and /lichsu show it), or the button under the full record.
It becomes the current official answer — in search, ``/lichsu``, the full record, the handbook
and the asker's ``/cuatoi`` — as a new version of the archived answer: the original conclusion
stays in the archive, never overwritten, and the full record shows every version. The group and
the units that asked the question are told. The session, its draw (``/kiemtra``) and the
record (``/hoso``, ``/thongke``, reports) are unaffected.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.actions import ActionKind, Press, Ref, register
from bot.args import MAX_ID
from bot.core import Core, Refused
from bot.models import ArchiveEntry, Message, Person, Program, Reply
from bot.services import citing
from bot.services.context import person_ctx, program_ctx
from bot.services.step import step
from bot.text import clean_lines, normalize_for_match, shorten

MAX_SUPPLEMENT_CHARS = 4000
BUTTON_TTL = timedelta(days=30)


def parse_number(text: str) -> tuple[int, str]:
    """``/ketluanbosung <số> [nội dung]``: the official answer's number and the text (may be
    empty), or :class:`Refused` with how to write it."""
    m = re.match(r"\s*[#＃]?\s*(\d{1,12})(?:\s+|$)", text)
    if m is None or not 1 <= int(m.group(1)) <= MAX_ID:
        raise Refused("supplement_usage")
    return int(m.group(1)), text[m.end() :]


async def _entry(core: Core, program: Program, archive_id: int) -> ArchiveEntry:
    entry = await core.store.archive_entry(archive_id)
    if entry is None or entry.program_id != program.id:
        raise Refused("supplement_unknown", number=archive_id, program=program_ctx(program))
    return entry


async def start(core: Core, actor: Person, program: Program, text: str) -> Reply:
    """``/ketluanbosung <số> [nội dung]``: with a text, the supplementary conclusion; without,
    the leader is asked for it (a dialog, like the conclusion)."""
    await core.require(actor, program, "leader", "admin", action="supplement")
    number, body = parse_number(text)
    if body.strip():
        return await supplement(core, actor, program, number, body)
    entry = await _entry(core, program, number)
    async with core.store.transaction():
        await core.store.set_dialog(
            actor.id, "supplement", program.id, None, {"archive_id": entry.id}, core.now()
        )
    return Reply("supplement_ask", {"program": program_ctx(program), "entry": entry_ctx(entry)})


async def supplement(
    core: Core, actor: Person, program: Program, archive_id: int, text: str
) -> Reply:
    """Store the supplementary conclusion as the next version of the official answer."""
    await core.require(actor, program, "leader", "admin", action="supplement")
    text = clean_lines(text)
    if not text:
        return Reply("supplement_usage")
    if len(text) > MAX_SUPPLEMENT_CHARS:
        return Reply("text_too_long", {"limit": MAX_SUPPLEMENT_CHARS, "length": len(text)})
    store, now = core.store, core.now()
    async with store.transaction():
        entry = await _entry(core, program, archive_id)
        history = await store.supplements(entry.id)
        search = (
            search_text(text, entry.conclusion, *(s.text for s in history)),
            search_text(entry.legal_refs, entry.source_unit),
        )
        version = await store.add_supplement(
            entry.id, entry.version, text, None, actor.id, actor.display_name, search, now
        )
        if version is None:
            raise Refused("supplement_raced", number=archive_id)
        await store.clear_dialog(actor.id)
        session = await store.session(entry.session_id)
        current = await store.archive_entry(entry.id)
        assert current is not None and session is not None

        async def cite() -> None:
            await citing.record(
                core,
                program.id,
                "official",
                entry.id,
                core.today(program),
                text=text,
                version=version,
                session_id=entry.session_id,
            )

        async def messages() -> list[Message]:
            ctx = _ctx(program, current, actor)
            owed = [Message(program.chat_id, "supplement_group", ctx)]
            if session.question_id is not None:
                subs = await store.submissions_for_question(session.question_id)
                for person_id in dict.fromkeys(s.person_id for s in subs):
                    asker = await store.person(person_id)
                    if asker is not None:
                        owed.append(Message(asker.tg_user_id, "grassroots_supplement", ctx))
            return owed

        await step(
            core,
            program,
            session,
            "supplement",
            actor,
            then=cite,
            event="supplemented",
            detail=f"{entry.id}:{version}",
            messages=messages,
            archive=entry.id,
            version=version,
        )
    return Reply("supplement_done", _ctx(program, current, actor))


QUESTION_CHARS = 300


def search_text(*parts: str | None) -> str:
    """The search copy of some text (as ``bot.services.archive.search_text``)."""
    return normalize_for_match(" ".join(p for p in parts if p))


def entry_ctx(e: ArchiveEntry) -> dict[str, Any]:
    """The official answer as these messages show it."""
    return {
        "id": e.id,
        "date": e.session_date.isoformat(),
        "topic": e.topic,
        "question": e.question,
        "question_short": shorten(e.question, QUESTION_CHARS),
        "source_unit": e.source_unit,
        "original": e.conclusion,
        "official": e.official,
        "version": e.version,
        "legal_refs": e.legal_refs,
    }


def _ctx(program: Program, entry: ArchiveEntry, actor: Person) -> dict[str, Any]:
    return {
        "program": program_ctx(program),
        "entry": entry_ctx(entry),
        "leader": person_ctx(actor),
    }


# -- the button under the full record (made by bot/services/archive.py) ------------------------


async def _supplement_pressed(p: Press[Ref]) -> Reply:
    return await start(p.core, p.person, p.program, str(p.payload.id))


register(
    ActionKind.SUPPLEMENT, Ref, _supplement_pressed, ttl=BUTTON_TTL, offered_to=("leader", "admin")
)
