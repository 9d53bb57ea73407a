"""The archive of official answers: indexing, search, history and the yearly handbook.

Every concluded session is copied into ``archive`` inside the conclusion's transaction, with
search copies of its text (lowercase, without diacritics, đ → d, without punctuation) indexed by
SQLite FTS5. A query is folded the same way, so "ket nap dang vien" finds "kết nạp đảng viên".
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from bot.actions import ActionKind, Press, Ref, Text, mint, register
from bot.args import FIRST_YEAR, LAST_YEAR, parse_int
from bot.core import Core, Refused
from bot.models import (
    ArchiveEntry,
    Button,
    FileReply,
    Person,
    Program,
    Reply,
    Session,
    SessionState,
)
from bot.offload import Progress, off_loop
from bot.records import standing_comment
from bot.services import citing, supplements  # noqa: F401  (its button is made here)
from bot.services.context import program_ctx
from bot.text import normalize_for_match, shorten
from bot.words import BUTTONS, VERDICT_LABELS

log = logging.getLogger("hoidap.archive")

PAGE_SIZE = 5
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
MAX_PAGE = 999_999
QUESTION_PREVIEW_CHARS = 180
CONCLUSION_PREVIEW_CHARS = 220
BUTTON_TTL = timedelta(days=14)

# Letters and digits only: whatever else the user types (quotes, *, ^, :, parentheses, NEAR...)
# never reaches FTS5 as syntax; each word is passed as a quoted string.
_WORD = re.compile(r"[^\W_]+")


# -- pure helpers ---------------------------------------------------------------------------------


def search_text(*parts: str | None) -> str:
    """The search copy of some text: folded like the importer's duplicate check."""

    return normalize_for_match(" ".join(p for p in parts if p))


def query_words(text: str) -> list[str]:
    """The words of a query, folded, at most ``MAX_QUERY_WORDS``."""

    return _WORD.findall(normalize_for_match(text))[:MAX_QUERY_WORDS]


def fts_query(text: str) -> str | None:
    """An FTS5 expression for ``text`` that cannot be a syntax error; None if no word is left.

    Every word must appear (anywhere in the record); the last one also matches as a prefix, so
    a word still being typed ("ket nap dang vi") finds "kết nạp đảng viên".
    """
    words = query_words(text)
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def clean_query(text: str) -> str:
    """A query as typed, NFC, without control characters, single spaces (not truncated)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    """Page numbers start at 1; one past the end (the archive shrank) shows the last page."""
    return min(max(1, page), page_count(total, size))


def entry_ctx(e: ArchiveEntry, number: int | None = None) -> dict[str, Any]:
    return {
        "id": e.id,
        "number": number,
        "date": e.session_date.isoformat(),
        "topic": e.topic,
        "question": e.question,
        "question_short": shorten(e.question, QUESTION_PREVIEW_CHARS),
        "source_unit": e.source_unit,
        "answer_kind": e.answer_kind,
        "answer_text": e.answer_text,
        "answer_file_name": e.answer_file_name,
        "answerer": (
            {"name": e.answerer_name, "title": e.answerer_title or ""} if e.answerer_name else None
        ),
        "verdict": VERDICT_LABELS.get(e.verdict or ""),
        "head_name": e.head_name,
        "comment": e.comment,
        "regrades": e.regrades,
        # The official answer as it stands (the latest supplementary conclusion, if any).
        "conclusion": e.official,
        "conclusion_short": shorten(e.official, CONCLUSION_PREVIEW_CHARS),
        "leader_name": e.current.leader_name if e.current else e.leader_name,
        "legal_refs": e.legal_refs,
        "version": e.version,
        "supplemented_at": e.current.created_at.isoformat() if e.current else None,
        # The documents it rests on that no longer hold (filled by :func:`with_marks`).
        "stale": [],
    }


async def with_marks(
    core: Core, program: Program, entries: list[ArchiveEntry], ctxs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``ctxs`` (of ``entries``) with the documents each official answer rests on that are no
    longer in force today: «căn cứ đã được thay thế»."""
    marks = await citing.stale_marks(core, "official", [e.id for e in entries], core.today(program))
    return [{**c, "stale": marks.get(e.id, [])} for e, c in zip(entries, ctxs, strict=True)]


# -- indexing -------------------------------------------------------------------------------------


def search_copies(entry: ArchiveEntry) -> dict[str, str]:
    """The folded texts the full-text index holds for ``entry`` (see ``SEARCH_COLUMNS``)."""
    return {
        "n_topic": search_text(entry.topic),
        "n_question": search_text(entry.question),
        "n_conclusion": search_text(entry.conclusion),
        "n_refs": search_text(entry.legal_refs, entry.source_unit),
        "n_discussion": search_text(
            entry.answer_text, entry.comment, entry.answerer_name, entry.head_name
        ),
    }


async def index_session(core: Core, program: Program, session: Session) -> None:
    """Add a concluded session to the searchable archive (called inside the conclusion's
    transaction, with the session as it is after the conclusion)."""
    store = core.store
    question = await store.question(session.question_id) if session.question_id else None
    answerer = await store.person(session.drawn_person_id) if session.drawn_person_id else None
    leader = await store.person(session.concluded_by) if session.concluded_by else None
    grades = await store.grades(session.id)
    last = grades[-1] if grades else None
    head = await store.person(last.head_id) if last else None
    # As in the summary posted to the group: the last verdict and the latest comment.
    comment = standing_comment(grades)
    entry = ArchiveEntry(
        id=0,
        program_id=program.id,
        session_id=session.id,
        session_date=session.session_date or session.nominal_date,
        topic=question.topic if question else "Chung",
        question=question.text if question else "",
        source_unit=question.source_unit if question else None,
        answer_kind=session.answer_kind,
        answer_text=session.answer_text,
        answer_file_name=session.answer_file_name,
        answerer_name=answerer.display_name if answerer else None,
        answerer_title=answerer.title if answerer else None,
        verdict=last.verdict if last else None,
        head_name=head.display_name if head else None,
        comment=comment,
        regrades=max(0, len(grades) - 1),
        conclusion=session.conclusion or "",
        leader_name=leader.display_name if leader else None,
        legal_refs=question.legal_refs if question else None,
        concluded_at=session.concluded_at or core.now(),
    )
    entry_id = await store.save_archive(entry, search_copies(entry))
    # The documents the official answer rests on: its conclusion and the question's «căn cứ».
    await store.drop_citations("official", entry_id)
    await citing.record(
        core,
        program.id,
        "official",
        entry_id,
        entry.session_date,
        text=entry.conclusion,
        refs=entry.legal_refs,
        session_id=session.id,
    )
    log.info("archived program=%s session=%s entry=%s", program.id, session.id, entry_id)


async def catch_up(core: Core, program: Program) -> int:
    """Archive concluded sessions that have no archive row yet (concluded before the archive
    existed). Returns how many were added."""
    missing = await core.store.concluded_not_archived(program.id)
    if not missing:
        return 0
    added = 0
    async with core.store.transaction():
        for session_id in missing:
            s = await core.store.session(session_id)
            if s is not None and s.state == SessionState.CONCLUDED:
                await index_session(core, program, s)
                added += 1
    return added


# -- who may read the archive ---------------------------------------------------------------------


async def require_member(core: Core, person: Person, program: Program, action: str) -> None:
    """Any active member of the program (and the admins of every program) may read its archive."""
    if person.is_superadmin:
        return
    member = await core.store.member(program.id, person.id)
    if member is not None and member.status == "active":
        return
    log.warning("refused: person=%s program=%s action=%s", person.id, program.id, action)
    async with core.store.transaction():
        await core.store.log_event(
            "refused", core.now(), program_id=program.id, actor_id=person.id, detail=action
        )
    raise Refused("archive_not_member", program=program_ctx(program))


# -- search ---------------------------------------------------------------------------------------


async def search(core: Core, person: Person, program: Program, text: str) -> Reply:
    """``/timkiem <từ khóa>``: the first page of matching archived answers of ``program``."""
    await require_member(core, person, program, "search")
    query = clean_query(text)
    if not query:
        return Reply("search_usage", {"program": program_ctx(program), "no_words": False})
    if len(query) > MAX_QUERY_CHARS:
        return Reply("search_too_long", {"limit": MAX_QUERY_CHARS, "length": len(query)})
    return await _search_page(core, program, query, 1)


async def search_page(core: Core, person: Person, program: Program, target: str) -> Reply:
    """A ◀ Trước / Sau ▶ press under search results."""
    await require_member(core, person, program, "search")
    try:
        data = json.loads(target)
        query, page = str(data["q"]), int(data["p"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused("button_invalid") from exc
    if not query or len(query) > MAX_QUERY_CHARS:
        raise Refused("button_invalid")
    return dataclasses.replace(await _search_page(core, program, query, page), edit=True)


async def _search_page(core: Core, program: Program, query: str, page: int) -> Reply:
    store = core.store
    await catch_up(core, program)
    match = fts_query(query)
    if match is None:
        return Reply("search_usage", {"program": program_ctx(program), "no_words": True})
    total = await store.count_archive_matches(program.id, match)
    if total == 0:
        return Reply("search_none", {"program": program_ctx(program), "query": query})
    page = clamp_page(page, total)
    offset = (page - 1) * PAGE_SIZE
    entries = await store.search_archive(program.id, match, PAGE_SIZE, offset)
    async with store.transaction():
        buttons = await _list_buttons(core, program, entries, offset)
        nav: list[Button] = []
        if page > 1:
            nav.append(
                await _nav(core, program, ActionKind.SEARCH_PAGE, {"q": query, "p": page - 1}, True)
            )
        if page < page_count(total):
            nav.append(
                await _nav(
                    core, program, ActionKind.SEARCH_PAGE, {"q": query, "p": page + 1}, False
                )
            )
    return Reply(
        "search_results",
        {
            "program": program_ctx(program),
            "query": query,
            "total": total,
            "page": page,
            "pages": page_count(total),
            "entries": await with_marks(
                core,
                program,
                entries,
                [entry_ctx(e, offset + i) for i, e in enumerate(entries, 1)],
            ),
        },
        buttons=(*buttons, tuple(nav)) if nav else buttons,
    )


async def _list_buttons(
    core: Core, program: Program, entries: list[ArchiveEntry], offset: int
) -> tuple[tuple[Button, ...], ...]:
    rows = [
        (
            await mint(
                core,
                ActionKind.ARCHIVE_VIEW,
                BUTTONS["archive_view"].format(number=offset + i),
                program.id,
                Ref(e.id),
            ),
        )
        for i, e in enumerate(entries, 1)
    ]
    return tuple(rows)


async def _nav(
    core: Core, program: Program, kind: ActionKind, target: dict[str, Any] | int, back: bool
) -> Button:
    raw = json.dumps(target, ensure_ascii=False) if isinstance(target, dict) else str(target)
    label = BUTTONS["page_back"] if back else BUTTONS["page_next"]
    return await mint(core, kind, label, program.id, Text(raw))


# -- history and the full record ------------------------------------------------------------------


def parse_page(text: str) -> int:
    """``/lichsu [trang]``: the page asked for (1 when not said)."""
    return parse_int(text, 1, MAX_PAGE, what="page") if text.strip() else 1


async def history(core: Core, person: Person, program: Program, page: int = 1) -> Reply:
    """``/lichsu [trang]``: concluded sessions of ``program``, newest first, a page at a time."""
    await require_member(core, person, program, "history")
    store = core.store
    await catch_up(core, program)
    total = await store.count_archive(program.id)
    if total == 0:
        return Reply("history_empty", {"program": program_ctx(program)})
    page = clamp_page(page, total)
    offset = (page - 1) * PAGE_SIZE
    entries = await store.archive_page(program.id, PAGE_SIZE, offset)
    async with store.transaction():
        buttons = await _list_buttons(core, program, entries, offset)
        nav: list[Button] = []
        if page > 1:
            nav.append(await _nav(core, program, ActionKind.HISTORY_PAGE, page - 1, True))
        if page < page_count(total):
            nav.append(await _nav(core, program, ActionKind.HISTORY_PAGE, page + 1, False))
    return Reply(
        "history_list",
        {
            "program": program_ctx(program),
            "total": total,
            "page": page,
            "pages": page_count(total),
            "entries": await with_marks(
                core,
                program,
                entries,
                [entry_ctx(e, offset + i) for i, e in enumerate(entries, 1)],
            ),
        },
        buttons=(*buttons, tuple(nav)) if nav else buttons,
    )


async def history_page(core: Core, person: Person, program: Program, target: str) -> Reply:
    if not re.fullmatch(r"[0-9]{1,6}", target):
        raise Refused("button_invalid")
    return dataclasses.replace(await history(core, person, program, int(target)), edit=True)


async def view(core: Core, person: Person, program: Program, target: str) -> Reply:
    """«Xem đầy đủ»: the whole archived record."""
    await require_member(core, person, program, "archive_view")
    if not re.fullmatch(r"[0-9]{1,12}", target):
        raise Refused("button_invalid")
    entry = await core.store.archive_entry(int(target))
    if entry is None or entry.program_id != program.id:
        raise Refused("button_invalid")
    (ctx,) = await with_marks(core, program, [entry], [entry_ctx(entry)])
    versions = [
        {
            "version": s.version,
            "text": s.text,
            "leader_name": s.leader_name,
            "at": s.created_at.isoformat(),
        }
        for s in await core.store.supplements(entry.id)
    ]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if (await core.roles(person, program.id)) & {"leader", "admin"}:
        async with core.store.transaction():
            label = BUTTONS["supplement"]
            buttons = (
                (await mint(core, ActionKind.SUPPLEMENT, label, program.id, Ref(entry.id)),),
            )
    return Reply(
        "archive_record",
        {
            "program": program_ctx(program),
            "entry": ctx,
            "original": entry.conclusion,
            "original_leader": entry.leader_name,
            "versions": versions,
        },
        buttons=buttons,
    )


# -- the handbook ---------------------------------------------------------------------------------


def handbook_filename(year: int) -> str:
    return f"so_tay_hoi_dap_{year}.docx"


def parse_year(text: str, today: date) -> int:
    """``""`` is this year; otherwise a year from ``FIRST_YEAR`` to ``LAST_YEAR`` as people type
    it (see :func:`bot.args.parse_int`), or :class:`Refused`."""
    if not text.strip():
        return today.year
    return parse_int(text, FIRST_YEAR, LAST_YEAR, what="year")


async def compile_handbook(
    core: Core, program: Program, year: int, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The handbook of ``year`` as .docx bytes, and how many questions it holds (0: no file).

    The entries are read on the event loop; the document is built in a worker thread, announced
    first through ``progress``.
    """
    from bot.documents.handbook import build_handbook
    from bot.documents.settings import from_stored

    await catch_up(core, program)
    entries = await core.store.archive_between(program.id, date(year, 1, 1), date(year + 1, 1, 1))
    if not entries:
        return b"", 0
    today = core.today(program)
    if progress is not None:
        await progress(Reply("archive_handbook_building", {"year": year, "count": len(entries)}))
    settings = from_stored(program.title, await core.store.document_settings(program.id))
    marks = await citing.stale_marks(core, "official", [e.id for e in entries], today)
    data = await off_loop(
        build_handbook,
        entries,
        year=year,
        program_title=program.title,
        today=today,
        settings=settings,
        marks=marks,
    )
    return data, len(entries)


async def handbook(
    core: Core, person: Person, program: Program, year_text: str, progress: Progress | None = None
) -> FileReply | Reply:
    """``/sotay [năm]`` (admins and leaders): the compiled handbook of the year."""
    await core.require(person, program, "admin", "leader", action="handbook")
    year = parse_year(year_text, core.today(program))
    data, count = await compile_handbook(core, program, year, progress)
    if count == 0:
        return Reply(
            "archive_handbook_empty", {"program": program_ctx(program), "year": year, "cli": False}
        )
    async with core.store.transaction():
        await core.store.log_event(
            "handbook", core.now(), program_id=program.id, actor_id=person.id, detail=str(year)
        )
    return FileReply(
        filename=handbook_filename(year),
        data=data,
        caption=Reply(
            "archive_handbook",
            {"program": program_ctx(program), "year": year, "count": count},
        ),
    )


# -- buttons of this area (see bot/actions.py) ----------------------------------------------------


async def _view_pressed(p: Press[Ref]) -> Reply:
    return await view(p.core, p.person, p.program, str(p.payload.id))


async def _search_page_pressed(p: Press[Text]) -> Reply:
    return await search_page(p.core, p.person, p.program, p.payload.value)


async def _history_page_pressed(p: Press[Text]) -> Reply:
    return await history_page(p.core, p.person, p.program, p.payload.value)


register(ActionKind.ARCHIVE_VIEW, Ref, _view_pressed, ttl=BUTTON_TTL)
register(ActionKind.SEARCH_PAGE, Text, _search_page_pressed, ttl=BUTTON_TTL)
register(ActionKind.HISTORY_PAGE, Text, _history_page_pressed, ttl=BUTTON_TTL)
