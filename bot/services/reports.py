"""The report files: ``/baocao [kỳ] [xlsx|docx] [canbo]`` in chat and ``hoidap report``.

The data is :func:`bot.services.records.report_data` (heads, leaders and admins; the command
line as the server's operator); the files are built off the event loop by
:mod:`bot.documents.report_xlsx` and :mod:`bot.documents.report_docx`, announced first through
``progress`` («Đang lập báo cáo…»).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from bot.args import parse_int, parse_period
from bot.core import Core
from bot.documents.report import period_slug
from bot.documents.settings import MAX_DOCUMENT_NUMBER, document_number
from bot.models import FileReply, Person, Program, Reply
from bot.offload import ChildFailed, Progress, off_loop
from bot.periods import Period
from bot.services.context import program_ctx
from bot.services.documents import settings_of
from bot.services.records import report_charts, report_data, require_overseer
from bot.text import fold_word
from bot.words import REPORT_WORDS

log = logging.getLogger("hoidap.reports")

ReportFormat = Literal["docx", "xlsx"]
FORMATS: Final[dict[str, ReportFormat]] = {
    "docx": "docx",
    "word": "docx",
    "xlsx": "xlsx",
    "excel": "xlsx",
}
SHEETS_WORDS: Final = frozenset({"canbo", "phieu"})
NUMBER_WORDS: Final = frozenset({"so"})  # «so 12»: the number the văn thư gave the report


def report_filename(period: Period, fmt: ReportFormat, sheets: bool) -> str:
    key = "sheets_file" if sheets and fmt == "docx" else "report_file"
    return REPORT_WORDS[key].format(period=period_slug(period), suffix=fmt)


async def build_report(
    core: Core,
    person: Person | None,
    program: Program,
    period: Period,
    fmt: ReportFormat,
    *,
    sheets: bool = False,
    charts: Sequence[tuple[str, bytes]] | None = None,
    points: bool | None = None,
    progress: Progress | None = None,
    number: int | None = None,
) -> FileReply:
    """The report (or, with ``sheets``, the year-end sheets) of ``period`` as a file.

    XLSX: one workbook either way (its «Cán bộ» sheet is the year-end row of each person).
    ``person`` None: the command line (no role check). ``points``: the points scheme on or off
    for this file (None: as the program's document settings say). ``charts``: the Word report's
    pictures (None: drawn here, verdicts by month and the round's participation; a chart that
    cannot be drawn is logged and the report goes out without it). ``number``: the number the
    văn thư gave the Word report (None: a blank to write it in)."""
    from bot.documents.report_docx import build_report_docx, build_sheets_docx
    from bot.documents.report_xlsx import build_report_xlsx

    data = await report_data(core, person, program, period)
    settings = await settings_of(core, program)
    if points is not None:
        settings = replace(settings, points=points)
    context = {
        "program": program_ctx(program),
        "period": period.context(),
        "format": fmt,
        "sheets": sheets,
        "people": len(data.people),
        "held": data.figures.held,
        "points": settings.points,
    }
    if progress is not None:
        await progress(Reply("report_building", context))
    if fmt == "xlsx":
        built = await off_loop(build_report_xlsx, data, points=settings.points)
    elif sheets:
        built = await off_loop(build_sheets_docx, data, settings)
    else:
        if charts is None:
            try:
                charts = await report_charts(core, program, period)
            except ChildFailed:
                log.exception("report: the charts could not be drawn; the report goes without")
                charts = ()
        built = await off_loop(build_report_docx, data, settings, charts, document_number(number))
    async with core.store.transaction():
        await core.store.log_event(
            "report",
            core.now(),
            program_id=program.id,
            actor_id=person.id if person else None,
            detail=f"{period_slug(period)} {fmt}{' sheets' if sheets else ''}",
        )
    return FileReply(
        filename=report_filename(period, fmt, sheets),
        data=built,
        caption=Reply("report_caption", context),
    )


@dataclass(frozen=True)
class ReportRequest:
    """What ``/baocao`` asks for."""

    period: Period
    fmt: ReportFormat
    sheets: bool
    number: int | None  # the number the văn thư gave the report (``so 12``)


def parse_report_args(text: str, core: Core, program: Program) -> ReportRequest:
    """``[kỳ] [xlsx|docx] [canbo] [so N]`` in any order: the period (default: this year), the
    format (default: docx), whether the year-end sheets are asked for, and the report's number
    when the văn thư has given one."""
    fmt: ReportFormat = "docx"
    sheets = False
    number: int | None = None
    rest = []
    words = text.split()
    i = 0
    while i < len(words):
        folded = fold_word(words[i])
        if folded in FORMATS:
            fmt = FORMATS[folded]
        elif folded in SHEETS_WORDS:
            sheets = True
        elif folded in NUMBER_WORDS and i + 1 < len(words):
            number = parse_int(words[i + 1], 1, MAX_DOCUMENT_NUMBER, what="number")
            i += 1
        else:
            rest.append(words[i])
        i += 1
    period = parse_period(" ".join(rest), core.today(program))
    return ReportRequest(period, fmt, sheets, number)


async def report(
    core: Core, person: Person, program: Program, text: str, progress: Progress | None = None
) -> FileReply:
    """``/baocao [kỳ] [xlsx|docx] [canbo] [so N]`` (heads, leaders, admins; in private)."""
    await require_overseer(core, person, program, "report")
    asked = parse_report_args(text, core, program)
    return await build_report(
        core,
        person,
        program,
        asked.period,
        asked.fmt,
        sheets=asked.sheets,
        progress=progress,
        number=asked.number,
    )


__all__ = [
    "FORMATS",
    "ReportRequest",
    "build_report",
    "parse_report_args",
    "report",
    "report_filename",
]
