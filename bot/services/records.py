"""A person's record (``/hoso``) and the program's figures (``/thongke``).

The figures come from one query layer (``bot/store/records.py``) and the pure counting rules of
:mod:`bot.records`; the reports built later read the same :func:`figures` and :func:`record`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.args import parse_id, parse_period
from bot.core import Core, Refused
from bot.documents import charts
from bot.documents.report import PersonRow, ReportData, ReportSession
from bot.models import FileReply, Person, Program, Reply
from bot.offload import ChildFailed, in_child
from bot.periods import Period
from bot.records import (
    VERDICTS,
    CitedDocuments,
    Figures,
    Participation,
    PersonRecord,
    SessionRecord,
    as_of,
    in_period,
    most_cited,
    person_record,
    program_figures,
)
from bot.refs import display
from bot.render import plain, render
from bot.services.archive import require_member
from bot.services.context import person_ctx, program_ctx
from bot.text import vi_name_key
from bot.words import VERDICT_LABELS

log = logging.getLogger("hoidap.records")

# Who may read anybody's record, and the figures in the group.
OVERSEERS = frozenset({"head", "leader", "admin"})


# -- the query layer ------------------------------------------------------------------------------


async def session_records(
    core: Core, program: Program, start: date, end: date, person_id: int | None = None
) -> list[SessionRecord]:
    """The sessions around ``start``..``end`` as the week stands now (:func:`bot.records.as_of`):
    every figure, record, report and chart reads them through here."""
    rows = await core.store.session_records(program.id, start, end, person_id)
    return as_of(rows, core.now())


async def figures(core: Core, program: Program, period: Period) -> tuple[Figures, Figures]:
    """The figures of ``period`` and of the period before it (for the trend)."""
    before = period.previous()
    store = core.store
    records = await session_records(core, program, before.start, period.end)
    redraws = await store.redraws(program.id, before.start, period.end)
    submissions = await store.submission_records(program.id, before.start, period.end)
    zone = ZoneInfo(program.tz)

    def day(dt: datetime) -> date:
        return dt.astimezone(zone).date()

    return (
        program_figures(period, records, redraws, submissions, day),
        program_figures(before, records, redraws, submissions, day),
    )


async def cited_documents(core: Core, program: Program, period: Period) -> CitedDocuments:
    """The documents the sessions of ``period`` cited most, and the official answers of the
    program that rest on documents no longer in force today."""
    store = core.store
    rows = await store.cited_in_period(program.id, period.start, period.end + timedelta(days=1))
    entries = await store.register_entries([r[4] for r in rows if r[4] is not None])
    labelled: list[tuple[int, Hashable, str]] = []
    for session_id, key, symbol, kind, document_id in rows:
        entry = entries.get(document_id) if document_id is not None else None
        if entry is not None:
            labelled.append(
                (session_id, ("entry", entry.id), display(entry.doc_key, entry.symbol, entry.kind))
            )
        else:
            labelled.append((session_id, ("symbol", key, symbol), display(key, symbol, kind)))
    return CitedDocuments(
        top=most_cited(labelled),
        to_review=await store.count_to_review(program.id, core.today(program)),
    )


def cited_ctx(c: CitedDocuments) -> dict[str, Any]:
    return {"top": [{"document": d, "sessions": n} for d, n in c.top], "to_review": c.to_review}


async def record(core: Core, program: Program, person_id: int, period: Period) -> PersonRecord:
    store = core.store
    turns = await session_records(core, program, period.start, period.end, person_id)
    redraws = await store.redraws(program.id, period.start, period.end)
    return person_record(person_id, period, turns, redraws)


async def participation(core: Core, program: Program) -> Participation:
    """Who among the active staff has had a turn in the current round, and who not yet."""
    staff = await core.store.members_with_role(program.id, "staff")
    had = await core.store.drawn_in_round(program.id, program.round_no)
    people = sorted((m.person for m in staff), key=lambda p: vi_name_key(p.display_name))
    return Participation(
        round_no=program.round_no,
        had_turn=tuple((p.id, p.display_name) for p in people if p.id in had),
        not_yet=tuple((p.id, p.display_name) for p in people if p.id not in had),
    )


# -- the report (files) --------------------------------------------------------------------------


def _status(r: SessionRecord) -> str:
    if r.held:
        return "moved" if r.moved else "held"
    return "skipped" if r.skip_kind is not None else "planned"


def _report_session(r: SessionRecord, names: dict[int, str], zone: ZoneInfo) -> ReportSession:
    skip_reason = r.holiday if r.skip_kind == "holiday" else r.skip_reason
    return ReportSession(
        id=r.id,
        day=r.day,
        nominal_date=r.nominal_date,
        week=r.week,
        status=_status(r),
        skip_kind=r.skip_kind,
        skip_reason=skip_reason if r.skip_kind != "no_question" else None,
        question=r.question or "",
        topic=r.topic or "",
        person_id=r.drawn_person_id if r.held else None,
        person=names.get(r.drawn_person_id) if r.held and r.drawn_person_id else None,
        outcome=r.outcome,
        verdict=r.verdict,
        comment=r.comment,
        concluded_on=r.concluded_at.astimezone(zone).date() if r.concluded_at else None,
    )


async def require_overseer(core: Core, person: Person, program: Program, action: str) -> None:
    """Heads, leaders and admins only (the reports and year-end sheets)."""
    if not (await core.roles(person, program.id)) & OVERSEERS:
        await _refuse(core, person, program, action)
        raise Refused("report_not_allowed", program=program_ctx(program))


async def report_data(
    core: Core, person: Person | None, program: Program, period: Period
) -> ReportData:
    """Everything a report of ``period`` shows, from the query layer; ``person`` None: the
    server's operator (``hoidap report``), else a head, leader or admin of the program."""
    if person is not None:
        await require_overseer(core, person, program, "report")
    now, before = await figures(core, program, period)
    store = core.store
    records = in_period(await session_records(core, program, period.start, period.end), period)
    redraws = await store.redraws(program.id, period.start, period.end)
    staff = {m.person.id: m.person for m in await store.members_with_role(program.id, "staff")}
    people = dict(staff)
    for pid in {r.drawn_person_id for r in records if r.held} | {d.person_id for d in redraws}:
        if pid is not None and pid not in people:
            found = await store.person(pid)
            if found is not None:
                people[pid] = found
    names = {pid: p.display_name for pid, p in people.items()}
    zone = ZoneInfo(program.tz)
    rows = []
    for p in sorted(people.values(), key=lambda p: vi_name_key(p.display_name)):
        rec = person_record(p.id, period, records, redraws)
        rows.append(
            PersonRow(
                person_id=p.id,
                name=p.display_name,
                title=p.title or "",
                turns=tuple(_report_session(r, names, zone) for r in rec.turns),
                redrawn=tuple((d.day, d.reason) for d in rec.redrawn),
                outcomes=rec.outcomes,
                verdicts=rec.verdicts,
            )
        )
    sessions = sorted(records, key=lambda r: (r.day, r.id))
    return ReportData(
        program_id=program.id,
        program_title=program.title,
        period=period,
        today=core.today(program),
        figures=now,
        previous=before,
        participation=await participation(core, program),
        sessions=tuple(_report_session(r, names, zone) for r in sessions),
        people=tuple(rows),
        cited=await cited_documents(core, program, period),
    )


# -- the context of templates ---------------------------------------------------------------------


def _turn_ctx(r: SessionRecord, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "session_id": r.id,
        "date": r.day.isoformat(),
        "week": r.week,
        "question": r.question or "",
        "topic": r.topic or "",
        "outcome": r.outcome,
        "verdict": VERDICT_LABELS.get(r.verdict or ""),
        "regraded": r.grades > 1,
        "comment": r.comment,
        "late_kept": r.late_kept,
        # In the program's time zone: the date shown is the local date.
        "concluded_at": r.concluded_at.astimezone(zone).isoformat() if r.concluded_at else None,
    }


def record_ctx(rec: PersonRecord, tz: str) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    return {
        "period": rec.period.context(),
        "drawn": rec.drawn,
        "outcomes": rec.outcomes,
        "verdicts": rec.verdicts,
        "turns": [_turn_ctx(r, zone) for r in rec.turns],
        "redrawn": [{"date": d.day.isoformat(), "reason": d.reason} for d in rec.redrawn],
    }


def figures_ctx(f: Figures) -> dict[str, Any]:
    return {
        "period": f.period.context(),
        "held": f.held,
        "moved": f.moved,
        "skipped": f.skipped,
        "skipped_total": sum(f.skipped.values()),
        "skip_notes": list(f.skip_notes),
        "planned": f.planned,
        "redraws": f.redraws,
        "outcomes": f.outcomes,
        "verdicts": f.verdicts,
        "answered": sum(f.verdicts.values()),
        "regraded": f.regraded,
        "on_time_rate": f.on_time_rate,
        "topics": [{"topic": t, "count": n} for t, n in f.topics],
        "grassroots": {"received": f.grassroots_received, "answered": f.grassroots_answered},
    }


def trend_ctx(now: Figures, before: Figures) -> dict[str, int | None]:
    """Differences from the period before (positive: more now)."""
    rate = (
        now.on_time_rate - before.on_time_rate
        if now.on_time_rate is not None and before.on_time_rate is not None
        else None
    )
    return {
        "held": now.held - before.held,
        "correct": now.verdicts["correct"] - before.verdicts["correct"],
        "on_time_rate": rate,
        "grassroots": now.grassroots_received - before.grassroots_received,
    }


def participation_ctx(p: Participation) -> dict[str, Any]:
    return {
        "round_no": p.round_no,
        "had_turn": [{"id": i, "name": n} for i, n in p.had_turn],
        "not_yet": [{"id": i, "name": n} for i, n in p.not_yet],
    }


# -- the commands ---------------------------------------------------------------------------------


async def _refuse(core: Core, person: Person, program: Program, action: str) -> None:
    log.warning("refused: person=%s program=%s action=%s", person.id, program.id, action)
    async with core.store.transaction():
        await core.store.log_event(
            "refused", core.now(), program_id=program.id, actor_id=person.id, detail=action
        )


async def person_record_reply(core: Core, person: Person, program: Program, text: str) -> Reply:
    """``/hoso [#số] [kỳ]``: one's own record; heads, leaders and admins may read anyone's."""
    await require_member(core, person, program, "record")
    words = text.split()
    target_id = person.id
    numbered = [w for w in words if w.startswith(("#", "＃"))]  # «#5» before or after the period
    if numbered:
        words.remove(numbered[0])
        target_id = parse_id(numbered[0], what="person")
    period = parse_period(" ".join(words), core.today(program))
    if target_id != person.id:
        if not (await core.roles(person, program.id)) & OVERSEERS:
            await _refuse(core, person, program, "record_other")
            raise Refused("record_not_allowed", program=program_ctx(program))
        member = await core.store.member(program.id, target_id)
        if member is None:
            raise Refused("record_no_person", number=target_id, program=program_ctx(program))
        target = member.person
    else:
        target = person
    rec = await record(core, program, target.id, period)
    return Reply(
        "record_person",
        {
            "program": program_ctx(program),
            "person": person_ctx(target),
            "own": target.id == person.id,
            **record_ctx(rec, program.tz),
        },
    )


# -- the charts -----------------------------------------------------------------------------------


def chart_title(template: str, ctx: Mapping[str, Any]) -> str:
    """A chart's title from its template, as plain text (a picture is not HTML)."""
    return plain(render(template, ctx))


async def _verdicts_png(
    core: Core, program: Program, period: Period, *, report: bool = False
) -> tuple[str, bytes]:
    """The title and the picture of the verdicts chart; for a ``report``, drawn without the
    title (the report prints it as the caption) and at print resolution."""
    rows = await session_records(core, program, period.start, period.end)
    title = chart_title("chart_verdicts_title", {"period": period.context()})
    if report:
        return title, await in_child(charts.verdicts_by_month, rows, period, None, True)
    return title, await in_child(charts.verdicts_by_month, rows, period, title)


async def _participation_png(
    core: Core, program: Program, *, report: bool = False
) -> tuple[str, bytes]:
    p = await participation(core, program)
    title = chart_title("chart_participation_title", {"round_no": p.round_no})
    if report:
        return title, await in_child(charts.participation, p, None, True)
    return title, await in_child(charts.participation, p, title)


async def verdicts_chart(core: Core, program: Program, period: Period) -> FileReply:
    """The verdicts of ``period`` month by month as a picture, drawn in a child process."""
    _title, data = await _verdicts_png(core, program, period)
    caption = Reply(
        "figures_chart_caption", {"program": program_ctx(program), "period": period.context()}
    )
    name = f"danh_gia_{period.start:%Y%m%d}_{period.end:%Y%m%d}.png"
    return FileReply(name, data, caption, kind="photo")


async def participation_chart(core: Core, program: Program) -> bytes:
    """The current round's participation as a picture (counts only), drawn in a child process."""
    return (await _participation_png(core, program))[1]


async def report_charts(core: Core, program: Program, period: Period) -> list[tuple[str, bytes]]:
    """The charts of a report of ``period`` as (title, PNG), for the Word report's ``charts``:
    the verdicts month by month and the current round's participation, each drawn without its
    title (the report's caption) at print resolution."""
    drawn = await asyncio.gather(
        _verdicts_png(core, program, period, report=True),
        _participation_png(core, program, report=True),
    )
    return list(drawn)


@dataclass(frozen=True)
class FiguresAnswer:
    """``/thongke``'s answer: the figures, then, when ``chart`` is set, the verdicts chart (a
    callable, so that the text goes out before the picture is drawn; None if it could not be
    drawn)."""

    reply: Reply
    chart: Callable[[], Awaitable[FileReply | None]] | None = None


async def figures_reply(
    core: Core,
    person: Person,
    program: Program,
    text: str,
    in_group: bool,
    pictures: bool = True,
) -> FiguresAnswer:
    """``/thongke [kỳ]``: members in private; in the group only heads, leaders and admins (the
    group stays uncluttered). In private, a period with graded sessions also gets the verdicts
    chart (when the chat shows ``pictures``); the group gets the text only."""
    await require_member(core, person, program, "figures")
    if in_group and not (await core.roles(person, program.id)) & OVERSEERS:
        raise Refused("figures_in_private", program=program_ctx(program))
    period = parse_period(text, core.today(program))
    now, before = await figures(core, program, period)
    reply = Reply(
        "figures",
        {
            "program": program_ctx(program),
            "figures": figures_ctx(now),
            "previous": figures_ctx(before),
            "trend": trend_ctx(now, before),
            "participation": participation_ctx(await participation(core, program)),
            "cited": cited_ctx(await cited_documents(core, program, period)),
        },
    )
    graded = sum(now.verdicts[v] for v in VERDICTS)
    if in_group or not pictures or not graded:
        return FiguresAnswer(reply)

    async def chart() -> FileReply | None:
        try:
            return await verdicts_chart(core, program, period)
        except ChildFailed:
            # The figures have gone out; a picture that could not be drawn is left out.
            log.exception("verdicts chart failed: program=%s", program.id)
            return None

    return FiguresAnswer(reply, chart)
