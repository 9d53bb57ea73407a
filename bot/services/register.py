"""The register of documents (one per bot) and the review when a document changes.

Each entry: symbol, kind, title, date and issuing body, status (in force; replaced by another
entry from a date; amended by another entry; repealed from a date) and the source of that status.
Admins manage it in chat (``/cancu``) and from the command line (``hoidap refs import|export``);
both go through :func:`apply`: every entry of one request is checked against the register as it
would stand after it (a replacement names a known document, is not dated before either
document, never loops) and stored in one transaction, or nothing is stored.

When an entry becomes replaced or repealed, each program with official answers or questions
still to be asked that cite it is told — its leaders and admins, once per change
(``document_reviews``) — with the list: «N câu trả lời chính thức dẫn …, đã được thay thế bởi …
từ …». The texts were linked to the register when they were written (``bot/services/citing.py``)
and are linked again for every key an entry of the request has.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from bot.citations import Citation, name_key, parse_symbol
from bot.core import Core, Refused
from bot.models import FileReply, Message, Person, Program, RegisterEntry, Reply
from bot.offload import ChildFailed, in_child_now, off_loop
from bot.refs import (
    NOT_IN_FORCE,
    Dated,
    Status,
    chain,
    change_key,
    pick,
    stale_on,
    status_problem,
)
from bot.refs import display as refs_display
from bot.services.context import program_ctx
from bot.services.delivery import owe
from bot.services.step import state_change
from bot.text import clean_line, fold, shorten
from bot.words import DOCUMENT_KINDS, LAW_KINDS, REF_STATUS_LABELS, REGISTER_HEADERS
from questions.model import ImportProblem, ImportRejected, display_filename

log = logging.getLogger("hoidap.register")

QUESTION_CHARS = 140
MAX_LISTED = 200  # answers or questions listed in one review (the rest counted)
SOURCE_CHARS = 1000
TITLE_CHARS = 500
BODY_CHARS = 200


# -- what a request asks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """One entry as a request wants it. ``None`` fields of an entry already in the register
    keep what it has (a status change in chat); a new entry needs them all."""

    citation: Citation
    status: str
    source: str
    successor: str | None = None  # the successor's symbol as written
    status_from: date | None = None
    kind: str | None = None
    title: str | None = None
    issued_on: date | None = None
    issued_by: str | None = None
    row: int | None = None  # of a file
    symbol_text: str = ""


class Rejected(Exception):
    """A request that changes nothing; ``problems`` as the import files say them."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(", ".join(p["code"] for p in problems))
        self.problems = problems


def _problem(
    code: str, want: Wanted | None = None, field: str | None = None, **detail: Any
) -> dict[str, Any]:
    """A problem as the import files give them: code, row, column (its header), detail."""
    return {
        "code": code,
        "row": want.row if want else None,
        "field": REGISTER_HEADERS.get(field, field) if field else None,
        "detail": {k: v for k, v in detail.items() if v is not None},
    }


def identity(c: Citation, issued_on: date) -> tuple[str, str, int]:
    """The register's key of a document: citation key, issuer, year (of the symbol, else of
    the date of issue)."""
    year = c.year if c.symbol_year and c.year is not None else issued_on.year
    return (c.key, c.issuer or "", year)


def _law_name_key(kind: str, title: str, c: Citation) -> str | None:
    """A law with a number is also cited by its name («Luật Cán bộ, công chức»)."""
    if c.name is not None or kind not in LAW_KINDS:
        return None
    name = title if fold(title.lower()).startswith(fold(kind.lower())) else f"{kind} {title}"
    return name_key(name)


# -- reading the register -------------------------------------------------------------------------


async def find(core: Core, c: Citation) -> RegisterEntry | None:
    """The entry a citation names (see :func:`bot.refs.pick`)."""
    found = pick(await core.store.register_candidates(c.key), c.issuer, c.year)
    return await core.store.register_entry(found) if found is not None else None


def entry_ctx(e: RegisterEntry, by_id: dict[int, RegisterEntry], today: date) -> dict[str, Any]:
    successor = by_id.get(e.successor_id) if e.successor_id else None
    successors = {i: x.successor_id for i, x in by_id.items() if x.successor_id is not None}
    ids = chain(e.id, lambda i: successors.get(i) if by_id[i].status == "replaced" else None)
    current = by_id[ids[-1]] if len(ids) > 2 else None
    return {
        "id": e.id,
        "symbol": e.symbol,
        "display": display(e),
        "kind": e.kind,
        "title": e.title,
        "issued_on": e.issued_on.isoformat(),
        "issued_by": e.issued_by,
        "status": e.status,
        "status_label": REF_STATUS_LABELS[e.status],
        "successor": display(successor) if successor else None,
        "from": e.status_from.isoformat() if e.status_from else None,
        "source": e.source,
        "stale": stale_on(e.status, e.status_from, today),
        "current": display(current) if current else None,
    }


def display(e: RegisterEntry) -> str:
    """«Quy định số 232-QĐ/TW», «Điều lệ Đảng», «Luật số 80/2025/QH15»."""
    return refs_display(e.doc_key, e.symbol, e.kind)


async def _by_id(core: Core) -> dict[int, RegisterEntry]:
    return {e.id: e for e in await core.store.register()}


# -- changing the register ------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    added: int
    updated: int
    told: int  # programs told of a change
    entries: tuple[RegisterEntry, ...]


async def apply(core: Core, actor: Person | None, wanted: Sequence[Wanted]) -> Applied:
    """Store ``wanted`` all at once (new entries added, known ones changed), or raise
    :class:`Rejected` with every problem and store nothing. Tells the programs whose texts rest
    on an entry that became replaced or repealed."""
    store, now = core.store, core.now()
    async with store.transaction():
        before = await _by_id(core)
        by_identity = {(e.doc_key, e.issuer, e.year): e for e in before.values()}
        problems: list[dict[str, Any]] = []
        targets: list[tuple[Wanted, RegisterEntry]] = []
        added = 0
        for want in wanted:
            issued = want.issued_on
            known = None
            if issued is not None:
                known = by_identity.get(identity(want.citation, issued))
            if known is None and issued is None:
                known = await find(core, want.citation)
                if known is None:
                    problems.append(_problem("unknown_document", want, value=want.symbol_text))
                    continue
            if known is None:
                assert issued is not None
                if not (want.title and want.issued_by):
                    problems.append(_problem("unknown_document", want, value=want.symbol_text))
                    continue
                entry = _new_entry(want, issued, now)
                entry = dataclasses.replace(
                    entry, id=await store.add_register_entry(entry, _id(actor), now)
                )
                by_identity[(entry.doc_key, entry.issuer, entry.year)] = entry
                added += 1
                known = entry
            targets.append((want, known))
        current = await _by_id(core)
        successors = {i: e.successor_id for i, e in current.items() if e.successor_id}
        resolved: list[tuple[Wanted, RegisterEntry, int | None]] = []
        for want, entry in targets:
            successor_id = None
            if want.successor is not None:
                c = parse_symbol(want.successor)
                if c is None:
                    problems.append(_problem("bad_symbol", want, "successor", value=want.successor))
                    continue
                successor_id = pick(await store.register_candidates(c.key), c.issuer, c.year)
                if successor_id is None:
                    problems.append(
                        _problem("unknown_successor", want, "successor", value=want.successor)
                    )
                    continue
            if successor_id is None:
                successors.pop(entry.id, None)
            else:
                successors[entry.id] = successor_id
            resolved.append((want, entry, successor_id))
        for want, entry, successor_id in resolved:
            issued = want.issued_on or entry.issued_on
            start = want.status_from
            successor = current.get(successor_id) if successor_id else None
            if start is None and successor is not None and want.status == "replaced":
                start = successor.issued_on
            code = status_problem(
                Dated(entry.id, issued),
                cast(Status, want.status),  # one of bot.refs.STATUSES (the readers check)
                Dated(successor.id, successor.issued_on) if successor else None,
                start,
                successors.get,
            )
            if code is not None:
                problems.append(
                    _problem(
                        code,
                        want,
                        "successor" if code in ("loop", "self") else "status_from",
                        value=want.symbol_text or entry.symbol,
                        successor=display(successor) if successor else None,
                        start=start.isoformat() if start else None,
                        issued=issued.isoformat(),
                        successor_issued=successor.issued_on.isoformat() if successor else None,
                    )
                )
        if problems:
            raise Rejected(problems)
        changed: list[tuple[RegisterEntry | None, RegisterEntry]] = []
        for want, entry, successor_id in resolved:
            successor = current.get(successor_id) if successor_id else None
            start = want.status_from
            if start is None and successor is not None and want.status == "replaced":
                start = successor.issued_on
            new = _updated(entry, want, successor_id, start)
            await store.update_register_entry(new, _id(actor), now)
            changed.append((before.get(entry.id), new))
        await store.relink(k for _, e in changed for k in (e.doc_key, e.name_key) if k is not None)
        await store.log_event(
            "register",
            now,
            actor_id=_id(actor),
            detail=f"{added} added, {len(changed) - added} changed",
        )
        told = await _tell(core, changed)
        state_change_register(actor, added, len(changed) - added, told)
    return Applied(added, len(changed) - added, told, tuple(e for _, e in changed))


def _id(actor: Person | None) -> int | None:
    return actor.id if actor is not None else None


def state_change_register(actor: Person | None, added: int, changed: int, told: int) -> None:
    who = f"{actor.display_name} (#{actor.id})" if actor else "command line"
    log.info("register added=%s changed=%s told=%s actor=%s", added, changed, told, who)


def kind_of_title(title: str) -> str:
    """The kind a title starts with («Quy định thi hành Điều lệ Đảng» → «Quy định»), or ""."""
    words = " ".join(fold(title).split())
    found = [k for k in DOCUMENT_KINDS if words == k or words.startswith(k + " ")]
    return DOCUMENT_KINDS[max(found, key=len)] if found else ""


def _new_entry(want: Wanted, issued: date, now: datetime) -> RegisterEntry:
    c = want.citation
    key, issuer, year = identity(c, issued)
    title = want.title or ""
    kind = want.kind or c.kind or ("" if c.name else kind_of_title(title))
    return RegisterEntry(
        id=0,
        doc_key=key,
        name_key=_law_name_key(kind, title, c),
        issuer=issuer,
        year=year,
        symbol=c.symbol,
        kind=kind,
        title=title,
        issued_on=issued,
        issued_by=want.issued_by or "",
        status="in_force",
        successor_id=None,
        status_from=None,
        source=want.source,
        updated_at=now,
    )


def _updated(
    e: RegisterEntry, want: Wanted, successor_id: int | None, start: date | None
) -> RegisterEntry:
    kind = want.kind if want.kind is not None else e.kind
    title = want.title if want.title is not None else e.title
    return dataclasses.replace(
        e,
        kind=kind,
        title=title,
        name_key=_law_name_key(kind, title, want.citation)
        if want.title is not None
        else e.name_key,
        issued_on=want.issued_on or e.issued_on,
        issued_by=want.issued_by if want.issued_by is not None else e.issued_by,
        status=want.status,
        successor_id=successor_id,
        status_from=start,
        source=want.source or e.source,
    )


# -- the review -----------------------------------------------------------------------------------


async def _tell(core: Core, changed: list[tuple[RegisterEntry | None, RegisterEntry]]) -> int:
    """Tell each program whose texts rest on an entry that became replaced or repealed (once
    per change); returns how many programs were told."""
    store, now = core.store, core.now()
    told = 0
    by_id = await _by_id(core)
    for old, new in changed:
        if new.status not in NOT_IN_FORCE:
            continue
        if old is not None and (old.status, old.successor_id, old.status_from) == (
            new.status,
            new.successor_id,
            new.status_from,
        ):
            continue
        change = change_key(new.status, new.successor_id, new.status_from)
        answers = await store.official_dependents(new.id)
        questions = await store.question_dependents(new.id)
        programs = sorted({a["program_id"] for a in answers} | {q["program_id"] for q in questions})
        for program_id in programs:
            program = await store.program(program_id)
            if program is None or not await store.tell_once(new.id, change, program_id, now):
                continue
            ctx = review_ctx(
                program,
                new,
                by_id,
                [a for a in answers if a["program_id"] == program_id],
                [q for q in questions if q["program_id"] == program_id],
                core.today(program),
            )
            people = {p.id: p for p in await core.admins(program)}
            for m in await store.members_with_role(program_id, "leader"):
                people.setdefault(m.person.id, m.person)
            await owe(core, [Message(p.tg_user_id, "refs_review", ctx) for p in people.values()])
            told += 1
            state_change(program, None, "refs_review", None, document=new.symbol)
    return told


def review_ctx(
    program: Program,
    doc: RegisterEntry,
    by_id: dict[int, RegisterEntry],
    answers: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    today: date,
) -> dict[str, Any]:
    years = sorted({date.fromisoformat(a["session_date"]).year for a in answers})
    return {
        "program": program_ctx(program),
        "entry": entry_ctx(doc, by_id, today),
        "answers": [
            {
                "id": a["id"],
                "date": a["session_date"],
                "topic": a["topic"],
                "question": shorten(a["question"], QUESTION_CHARS),
            }
            for a in answers[:MAX_LISTED]
        ],
        "answers_total": len(answers),
        "handbook_years": [
            {"year": y, "count": sum(1 for a in answers if a["session_date"].startswith(str(y)))}
            for y in years
        ],
        "questions": [
            {"id": q["id"], "text": shorten(q["text"], QUESTION_CHARS), "status": q["status"]}
            for q in questions[:MAX_LISTED]
        ],
        "questions_total": len(questions),
    }


# -- in chat: /cancu ------------------------------------------------------------------------------

SUBCOMMANDS = ("them", "thay", "sua", "bai", "hieuluc", "xuat", "mau")


def _parts(text: str) -> list[str]:
    return [clean_line(p) for p in text.split("|")]


def _symbol(raw: str) -> Citation:
    c = parse_symbol(raw)
    if c is None:
        raise Refused("refs_refused", problem=_problem("bad_symbol", value=shorten(raw, 80)))
    return c


def _day(raw: str, what: str) -> date:
    from questions.register import read_date

    found = read_date(raw)
    if found is None:
        raise Refused(
            "refs_refused", problem=_problem("bad_date", None, what, value=shorten(raw, 40))
        )
    return found


def _source(raw: str) -> str:
    if not raw:
        raise Refused("refs_refused", problem=_problem("no_source"))
    if len(raw) > SOURCE_CHARS:
        raise Refused(
            "refs_refused",
            problem=_problem("too_long", None, "source", limit=SOURCE_CHARS, length=len(raw)),
        )
    return raw


async def command(core: Core, person: Person, program: Program, text: str) -> Reply | FileReply:
    """``/cancu [việc] …``: the register, one entry, or a change (admins)."""
    from bot.services.archive import require_member

    await require_member(core, person, program, "register")
    words = text.split(maxsplit=1)
    verb = fold(words[0].lower()) if words else ""
    rest = words[1] if len(words) > 1 else ""
    if not text.strip():
        return await listing(core, program)
    if verb not in SUBCOMMANDS:
        return await show(core, program, text)
    await core.require(person, program, "admin", action="register")
    if verb == "xuat":
        return await export(core, "xlsx")
    if verb == "mau":
        return template()
    parts = _parts(rest)
    want = _chat_wanted(verb, parts)
    try:
        applied = await apply(core, person, [want])
    except Rejected as rejected:
        raise Refused("refs_refused", problem=rejected.problems[0]) from None
    by_id = await _by_id(core)
    entry = applied.entries[0]
    return Reply(
        "refs_done",
        {
            "verb": verb,
            "added": bool(applied.added),
            "entry": entry_ctx(entry, by_id, core.today(program)),
            "told": applied.told,
        },
    )


def _chat_wanted(verb: str, parts: list[str]) -> Wanted:
    usage = Refused("refs_usage", verb=verb)
    if verb == "them":
        if len(parts) != 5 or not all(parts):
            raise usage
        symbol, title, issued, body, source = parts
        if len(title) > TITLE_CHARS or len(body) > BODY_CHARS:
            raise Refused(
                "refs_refused",
                problem=_problem("too_long", None, "title", limit=TITLE_CHARS, length=len(title)),
            )
        c = _symbol(symbol)
        return Wanted(
            citation=c,
            status="in_force",
            source=_source(source),
            kind=c.kind or None,
            title=title,
            issued_on=_day(issued, "issued_on"),
            issued_by=body,
            symbol_text=symbol,
        )
    if verb in ("thay", "sua"):
        if len(parts) not in (3, 4) or not all(parts):
            raise usage
        start = _day(parts[2], "status_from") if len(parts) == 4 else None
        return Wanted(
            citation=_symbol(parts[0]),
            status="replaced" if verb == "thay" else "amended",
            source=_source(parts[-1]),
            successor=parts[1],
            status_from=start,
            symbol_text=parts[0],
        )
    if verb == "bai":
        if len(parts) not in (2, 3) or not all(parts):
            raise usage
        start = _day(parts[1], "status_from") if len(parts) == 3 else None
        return Wanted(
            citation=_symbol(parts[0]),
            status="repealed",
            source=_source(parts[-1]),
            status_from=start,
            symbol_text=parts[0],
        )
    # hieuluc
    if len(parts) != 2 or not all(parts):
        raise usage
    return Wanted(
        citation=_symbol(parts[0]),
        status="in_force",
        source=_source(parts[1]),
        symbol_text=parts[0],
    )


async def listing(core: Core, program: Program) -> Reply:
    by_id = await _by_id(core)
    today = core.today(program)
    entries = sorted(by_id.values(), key=lambda e: (e.issued_on, e.symbol))
    return Reply(
        "refs_list",
        {
            "program": program_ctx(program),
            "entries": [entry_ctx(e, by_id, today) for e in entries],
            "to_review": await core.store.count_to_review(program.id, today),
        },
    )


async def show(core: Core, program: Program, text: str) -> Reply:
    c = parse_symbol(text)
    if c is None:
        raise Refused("refs_refused", problem=_problem("bad_symbol", value=shorten(text, 80)))
    entry = await find(core, c)
    if entry is None:
        raise Refused("refs_refused", problem=_problem("unknown_document", value=c.symbol))
    by_id = await _by_id(core)
    answers = [
        a for a in await core.store.official_dependents(entry.id) if a["program_id"] == program.id
    ]
    questions = [
        q for q in await core.store.question_dependents(entry.id) if q["program_id"] == program.id
    ]
    return Reply(
        "refs_entry",
        review_ctx(program, entry, by_id, answers, questions, core.today(program)),
    )


# -- files ----------------------------------------------------------------------------------------


def export_rows(entries: Sequence[RegisterEntry]) -> list[list[str]]:
    by_id = {e.id: e for e in entries}
    rows = []
    for e in sorted(entries, key=lambda e: (e.issued_on, e.symbol)):
        successor = by_id.get(e.successor_id) if e.successor_id else None
        rows.append(
            [
                e.symbol,
                e.kind,
                e.title,
                f"{e.issued_on:%d/%m/%Y}",
                e.issued_by,
                REF_STATUS_LABELS[e.status],
                successor.symbol if successor else "",
                f"{e.status_from:%d/%m/%Y}" if e.status_from else "",
                e.source,
            ]
        )
    return rows


async def export(core: Core, fmt: str) -> FileReply:
    from questions.register import register_file

    entries = await core.store.register()
    filename = f"so_van_ban_can_cu.{fmt}"
    data = await off_loop(register_file, filename, export_rows(entries))
    return FileReply(filename, data, Reply("refs_export_caption", {"count": len(entries)}))


def template() -> FileReply:
    from questions.register import register_xlsx

    return FileReply("mau_so_van_ban.xlsx", register_xlsx([]), Reply("refs_template_caption"))


async def is_register_file(filename: str, data: bytes) -> bool:
    """A spreadsheet an admin sent: the register (``questions.register.looks_like_register``,
    read in a child process, as question files are: ``questions/reading.py``) or questions."""
    from questions.reading import is_register

    try:
        return await off_loop(in_child_now, is_register, filename, data)
    except ChildFailed as exc:  # the reader died or hung on this file: not taken as the register
        log.warning("register file %r could not be read: %s", filename, exc)
        return False


def wanted_from_drafts(drafts: Sequence[Any]) -> list[Wanted]:
    """The entries of a register file (``questions.register.EntryDraft``) as a request."""
    return [
        Wanted(
            citation=d.citation,
            status=d.status,
            source=d.source,
            successor=d.successor,
            status_from=d.status_from,
            kind=d.kind,
            title=d.title,
            issued_on=d.issued_on,
            issued_by=d.issued_by,
            row=d.row,
            symbol_text=d.symbol,
        )
        for d in drafts
    ]


async def import_file(core: Core, actor: Person | None, filename: str, data: bytes) -> Reply:
    """A register file: every entry stored, or the reply naming every problem."""
    from questions.reading import read_register

    name = display_filename(filename) or "tep"
    try:
        drafts = await off_loop(in_child_now, read_register, name, data)
    except ChildFailed as failed:  # the reader died or hung on this file: nothing is stored
        log.warning("register file %r could not be read: %s", filename, failed)
        drafts = ImportRejected(name, [ImportProblem("unreadable")])
    if isinstance(drafts, ImportRejected):
        problems = [dataclasses.asdict(p) for p in drafts.problems]
        return Reply(
            "refs_import_rejected", {"filename": name, "problems": problems, "total": len(problems)}
        )
    try:
        applied = await apply(core, actor, wanted_from_drafts(drafts))
    except Rejected as rejected:
        return Reply(
            "refs_import_rejected",
            {"filename": name, "problems": rejected.problems, "total": len(rejected.problems)},
        )
    return Reply(
        "refs_import_done",
        {
            "filename": name,
            "added": applied.added,
            "updated": applied.updated,
            "told": applied.told,
        },
    )
