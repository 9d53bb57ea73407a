"""The report of the program as a spreadsheet (.xlsx, openpyxl).

Sheets: «Tổng hợp» (the figures of the period beside the previous period's, and a native Excel
bar chart of the verdicts), «Các phiên» (one row per session), «Cán bộ» (one row per staff
member: the facts of the year-end review; the points only when the scheme is on) and «Chủ đề».
Every table has a frozen header row, column widths and an autofilter; dates are real dates shown
``dd/mm/yyyy``.

Formulas: no text the program stores (a question, a comment, a name) may become a formula. A
text cell is always written as a string (``data_type`` "s", whatever its first character) and,
when it starts with ``= + - @`` or a tab or carriage return, gets the ``quotePrefix`` style: the
text reads exactly as written (no apostrophe added to it) and Excel keeps it as text when the
cell is edited, where a bare string cell starting with «=» would turn into a formula.

openpyxl is imported inside :func:`build_report_xlsx`: start-up never loads it.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from bot.documents.report import (
    OUTCOME_COLUMNS,
    VERDICT_COLUMNS,
    PersonRow,
    ReportData,
    ReportSession,
    outcome_label,
    period_words,
    verdict_label,
)
from bot.render import fmt_week
from bot.words import OUTCOME_LABELS, REPORT_REFS_WORDS, REPORT_WORDS

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

W = REPORT_WORDS
REFS_WORDS = REPORT_REFS_WORDS
DATE_FORMAT: Final = "dd/mm/yyyy"
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet (XML 1.0) cannot hold.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEADER_FILL: Final = "DDEBF7"


def _put(ws: Worksheet, row: int, col: int, value: object) -> Any:
    """One cell: text neutralised against formulas, dates as dates."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        text = _NOT_XML.sub("", value)
        cell.value = text
        cell.data_type = "s"  # never "f", even for «=…»
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell
    cell.value = value
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _table(
    ws: Worksheet,
    top: int,
    headers: list[str],
    rows: list[list[object]],
    widths: list[int],
) -> int:
    """A header row at ``top`` and the rows under it, frozen, filtered and sized; returns the
    last row written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for c, text in enumerate(headers, 1):
        cell = _put(ws, top, c, text)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, values in enumerate(rows, top + 1):
        for c, value in enumerate(values, 1):
            cell = _put(ws, r, c, value)
            if isinstance(value, str) and len(value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = top + len(rows)
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(headers))}{max(last, top)}"
    return last


def _status(s: ReportSession) -> str:
    if s.status == "moved":
        return W["status_moved"].format(day=f"{s.day:%d/%m/%Y}")
    if s.status == "skipped":
        reason = s.skip_reason or W.get(f"reason_{s.skip_kind}", "")
        return W["status_skipped"].format(reason=reason)
    return W[f"status_{s.status}"]


def _change(now: int | None, before: int | None) -> int | None:
    return now - before if now is not None and before is not None else None


def _summary(ws: Worksheet, data: ReportData) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    f, b = data.figures, data.previous
    now_label, before_label = period_words(data)
    title = _put(
        ws, 1, 1, W["summary_title"].format(program=W["program"], title=data.program_title)
    )
    title.font = Font(bold=True, size=14)
    _put(
        ws,
        2,
        1,
        W["summary_period"].format(
            period=now_label,
            start=f"{data.period.start:%d/%m/%Y}",
            end=f"{data.period.end:%d/%m/%Y}",
            previous=before_label,
        ),
    )
    figures: list[tuple[str, int | None, int | None]] = [
        (W["held"], f.held, b.held),
        (W["moved"], f.moved, b.moved),
        (W["skipped"], sum(f.skipped.values()), sum(b.skipped.values())),
        *((W[f"skipped_{k}"], f.skipped[k], b.skipped[k]) for k in f.skipped),
        (W["planned"], f.planned, b.planned),
        (W["redraws"], f.redraws, b.redraws),
        *((OUTCOME_LABELS[o], f.outcomes[o], b.outcomes[o]) for o in OUTCOME_COLUMNS),
        (W["on_time_rate"], f.on_time_rate, b.on_time_rate),
        (W["regraded"], f.regraded, b.regraded),
        (W["grassroots_received"], f.grassroots_received, b.grassroots_received),
        (W["grassroots_answered"], f.grassroots_answered, b.grassroots_answered),
    ]
    part = data.participation
    rows: list[list[object]] = [[k, n, p, _change(n, p)] for k, n, p in figures]
    rows.append([W["had_turn"].format(round=part.round_no), len(part.had_turn), None, None])
    rows.append([W["not_yet"].format(round=part.round_no), len(part.not_yet), None, None])
    verdicts = VERDICT_COLUMNS
    first_verdict = 4 + len(rows) + 1
    for v in verdicts:
        n, p = f.verdicts[v], b.verdicts[v]
        rows.append([OUTCOME_LABELS[v], n, p, _change(n, p)])
    headers = [W["col_item"], W["col_now"], W["col_before"], W["col_change"]]
    headers[1] += f" ({now_label})"
    headers[2] += f" ({before_label})"
    _table(ws, 4, headers, rows, [46, 18, 18, 16])

    chart = BarChart()
    chart.type = "col"
    chart.title = W["chart_title"]
    chart.y_axis.title = W["chart_axis"]
    chart.legend = None
    last_verdict = first_verdict + len(verdicts) - 1
    chart.add_data(
        Reference(ws, min_col=2, min_row=first_verdict, max_row=last_verdict),
        titles_from_data=False,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first_verdict, max_row=last_verdict))
    chart.height, chart.width = 7.5, 14
    ws.add_chart(chart, "F4")


def _sessions(ws: Worksheet, data: ReportData) -> None:
    headers = [
        W[k]
        for k in (
            "col_date",
            "col_nominal",
            "col_week",
            "col_status",
            "col_topic",
            "col_question",
            "col_person",
            "col_outcome",
            "col_verdict",
            "col_comment",
            "col_concluded",
        )
    ]
    rows: list[list[object]] = [
        [
            s.day,
            s.nominal_date,
            fmt_week(s.week),
            _status(s),
            s.topic,
            s.question,
            s.person,
            outcome_label(s) or None,
            verdict_label(s) or None,
            s.comment,
            s.concluded_on,
        ]
        for s in data.sessions
    ]
    _table(ws, 1, headers, rows, [12, 12, 13, 22, 18, 60, 24, 18, 16, 40, 13])


def person_columns(points: bool) -> list[str]:
    cols = [W["col_number"], W["col_name"], W["col_title"], W["col_turns"]]
    cols += [OUTCOME_LABELS[o] for o in OUTCOME_COLUMNS]
    cols += [*(OUTCOME_LABELS[v] for v in VERDICT_COLUMNS), W["col_redrawn"]]
    return [*cols, W["col_points"]] if points else cols


def person_values(n: int, p: PersonRow, points: bool) -> list[object]:
    values: list[object] = [n, p.name, p.title, p.drawn]
    values += [p.outcomes[o] for o in OUTCOME_COLUMNS]
    values += [p.verdicts[v] for v in VERDICT_COLUMNS]
    values.append(len(p.redrawn))
    return [*values, p.points] if points else values


def _people(ws: Worksheet, data: ReportData, points: bool) -> None:
    rows = [person_values(n, p, points) for n, p in enumerate(data.people, 1)]
    widths = [6, 28, 18, 12, *[11] * 5, *[11] * 4, 12] + ([8] if points else [])
    _table(ws, 1, person_columns(points), rows, widths)


def _topics(ws: Worksheet, data: ReportData) -> None:
    rows: list[list[object]] = [[t, n] for t, n in data.topics]
    _table(ws, 1, [W["col_topic"], W["col_count"]], rows, [40, 14])


def _cited(ws: Worksheet, data: ReportData) -> None:
    """The documents cited most in the period, and the official answers to review."""
    c = data.cited
    rows: list[list[object]] = [[d, n] for d, n in c.top] if c else []
    last = _table(ws, 1, [REFS_WORDS["col_document"], REFS_WORDS["col_sessions"]], rows, [60, 18])
    if c is not None:
        _put(ws, last + 2, 1, REFS_WORDS["to_review"])
        _put(ws, last + 2, 2, c.to_review)


def build_report_xlsx(data: ReportData, *, points: bool = False) -> bytes:
    """The report of ``data`` as .xlsx bytes; ``points``: the points column of «Cán bộ»."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = W["sheet_summary"]
    _summary(summary, data)
    _sessions(wb.create_sheet(W["sheet_sessions"]), data)
    _people(wb.create_sheet(W["sheet_people"]), data, points)
    _topics(wb.create_sheet(W["sheet_topics"]), data)
    _cited(wb.create_sheet(REFS_WORDS["sheet"]), data)
    wb.properties.title = W["summary_title"].format(
        program=W["program"], title=_NOT_XML.sub("", data.program_title)
    )[:255]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
