"""The report of the program as a spreadsheet (.xlsx, openpyxl).

Sheets: «Tổng hợp» (the figures of the period beside the previous period's, in groups, and a
native Excel bar chart of the verdicts under them), «Các phiên» (one row per session), «Cán bộ»
(one row per staff member: the facts of the year-end review; the points only when the scheme is
on) and «Chủ đề». Every table has a frozen header row and column widths, the lists an
autofilter; dates are real dates shown ``dd/mm/yyyy``. Text is Times New Roman, the workbook's
own font, so it reads alike in Excel and LibreOffice.

Printed as an office files it: A4, each sheet fitted to one page width (landscape where it is
wide), its header row repeated on every page, the program and the period in the page header,
the sheet's name and «Trang N/M» in the footer. Rows that wrap are given their height (Excel
grows them when the file is opened, LibreOffice does not). A period before without sessions is
not compared with: its columns stay empty.

Formulas: no text the program stores (a question, a comment, a name) may become a formula. A
text cell is always written as a string (``data_type`` "s", whatever its first character) and,
when it starts with ``= + - @`` or a tab or carriage return, gets the ``quotePrefix`` style: the
text reads exactly as written (no apostrophe added to it) and Excel keeps it as text when the
cell is edited, where a bare string cell starting with «=» would turn into a formula.

openpyxl is imported inside :func:`build_report_xlsx`: start-up never loads it.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Sequence
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
_HEADER_FILL: Final = "D9D9D9"  # a light grey: the header rows print in black and white too
FONT_NAME: Final = "Times New Roman"
FONT_PT: Final = 11
LINE_HEIGHT_PT: Final = 15  # a line of 11 pt text in a row
# The characters of a line in a column «n» wide: Times New Roman is narrower than the digits
# the width is counted in; a little less than that, so that a row is never too short.
CHARS_PER_WIDTH: Final = 1.05


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


def _lines(value: object, width: float) -> int:
    """How many lines ``value`` takes in a wrapping column ``width`` wide (an estimate on the
    safe side: a row a little too tall, never one that hides text)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1.0, width * CHARS_PER_WIDTH)
    lines = 0
    for part in value.split("\n"):
        words, used = part.split(), 0
        lines += 1
        for word in words:
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = len(word)
            else:
                used += (1 if used else 0) + len(word)
            while used > per_line:
                lines += 1
                used -= int(per_line)
    return lines


def _table(
    ws: Worksheet,
    top: int,
    headers: list[str],
    rows: list[list[object]],
    widths: Sequence[float],
    *,
    filtered: bool = True,
) -> int:
    """A header row at ``top`` and the rows under it, frozen, sized, wrapped (each row as tall
    as its text) and, when ``filtered``, with an autofilter; returns the last row written."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(name=FONT_NAME, size=FONT_PT, bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    thin = Side(style="thin", color="000000")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, text in enumerate(headers, 1):
        cell = _put(ws, top, c, text)
        cell.font, cell.fill, cell.border = bold, fill, grid
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[top].height = LINE_HEIGHT_PT * max(
        _lines(h, w) for h, w in zip(headers, widths, strict=True)
    )
    # A cell's look is set once per kind of cell (a date, a text kept from being a formula,
    # anything else) and copied to the others: openpyxl looks every new style up in the
    # workbook, which over thousands of cells costs far more than the cells themselves.
    models: dict[str, Any] = {}
    for r, values in enumerate(rows, top + 1):
        for c, value in enumerate(values, 1):
            cell = _put(ws, r, c, value)
            kind = "date" if isinstance(value, date) else "quote" if cell.quotePrefix else "plain"
            model = models.get(kind)
            if model is None:
                cell.border = grid
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                models[kind] = cell
            else:
                cell._style = copy.copy(model._style)
        tall = max(_lines(v, w) for v, w in zip(values, widths, strict=False))
        ws.row_dimensions[r].height = LINE_HEIGHT_PT * tall + 2
    last = top + len(rows)
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    if filtered:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(headers))}{max(last, top)}"
    return last


def _escape(text: str) -> str:
    """Text for a page header or footer, where «&» starts a code."""
    return _NOT_XML.sub("", text).replace("&", "&&")


def _print_setup(
    ws: Worksheet, data: ReportData, *, landscape: bool, title_rows: str | None
) -> None:
    """A4, one page wide, the header rows on every page, the program and the period at the top
    of each page, the sheet's name and the page number at the foot."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.page_margins = PageMargins(left=0.6, right=0.4, top=0.8, bottom=0.7, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    now_label, _ = period_words(data)
    ws.oddHeader.left.text = _escape(data.program_title)
    ws.oddHeader.right.text = _escape(W["print_period"].format(period=now_label))
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = W["print_page"]
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.left, ws.oddFooter.center):
        part.font, part.size = FONT_NAME, 9


def _status(s: ReportSession) -> str:
    if s.status == "moved":
        return W["status_moved"].format(day=f"{s.day:%d/%m/%Y}")
    if s.status == "skipped":
        reason = s.skip_reason or W.get(f"reason_{s.skip_kind}", "")
        return W["status_skipped"].format(reason=reason)
    return W[f"status_{s.status}"]


def _change(now: int | None, before: int | None) -> int | None:
    return now - before if now is not None and before is not None else None


# The summary: (label, this period, the period before) in groups, each under its label.
Row = tuple[str, int | None, int | None]


def _groups(data: ReportData) -> list[tuple[str, list[Row]]]:
    f, b = data.figures, data.previous
    part = data.participation
    skipped: list[Row] = [
        (W[f"skipped_{k}"], f.skipped[k], b.skipped[k])
        for k in f.skipped
        if f.skipped[k] or b.skipped[k]
    ]
    return [
        (
            W["group_sessions"],
            [
                (W["held"], f.held, b.held),
                (W["moved"], f.moved, b.moved),
                (W["skipped"], sum(f.skipped.values()), sum(b.skipped.values())),
                *skipped,
                (W["planned"], f.planned, b.planned),
                (W["redraws"], f.redraws, b.redraws),
            ],
        ),
        (
            W["group_answers"],
            [
                *((OUTCOME_LABELS[o], f.outcomes[o], b.outcomes[o]) for o in OUTCOME_COLUMNS),
                (W["on_time_rate"], f.on_time_rate, b.on_time_rate),
            ],
        ),
        (
            W["group_verdicts"],
            [
                *((OUTCOME_LABELS[v], f.verdicts[v], b.verdicts[v]) for v in VERDICT_COLUMNS),
                (W["regraded"], f.regraded, b.regraded),
            ],
        ),
        (
            W["group_people"].format(round=part.round_no),
            [
                (W["had_turn"].format(round=part.round_no), len(part.had_turn), None),
                (W["not_yet"].format(round=part.round_no), len(part.not_yet), None),
            ],
        ),
        (
            W["group_grassroots"],
            [
                (W["grassroots_received"], f.grassroots_received, b.grassroots_received),
                (W["grassroots_answered"], f.grassroots_answered, b.grassroots_answered),
            ],
        ),
    ]


SUB_ROWS: Final = frozenset({"moved", "skipped_holiday", "skipped_no_question", "skipped_admin"})


def _summary(ws: Worksheet, data: ReportData) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Alignment, Font

    compare = data.previous.held > 0  # a period without sessions is nothing to compare with
    now_label, before_label = period_words(data)
    widths = [50, 17, 17, 16]
    for r, text in (
        (1, W["summary_title"].format(program=W["program"], title=data.program_title)),
        (
            2,
            W["summary_period"].format(
                period=now_label,
                start=f"{data.period.start:%d/%m/%Y}",
                end=f"{data.period.end:%d/%m/%Y}",
                previous=before_label,
            ),
        ),
    ):
        cell = _put(ws, r, 1, text)
        cell.font = Font(name=FONT_NAME, size=14 if r == 1 else FONT_PT, bold=r == 1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        ws.row_dimensions[r].height = (20 if r == 1 else LINE_HEIGHT_PT) * _lines(
            text, sum(widths) * (0.8 if r == 1 else 1)
        )
    headers = [W["col_item"], W["col_now"], W["col_before"], W["col_change"]]
    headers[1] += f" ({now_label})"
    headers[2] += f" ({before_label})"
    rows: list[list[object]] = []
    group_rows: list[int] = []
    verdict_rows: list[int] = []
    sub_labels = {W[k] for k in SUB_ROWS}
    for label, items in _groups(data):
        group_rows.append(len(rows))
        rows.append([label, None, None, None])
        for name, now, before in items:
            if name in {OUTCOME_LABELS[v] for v in VERDICT_COLUMNS}:
                verdict_rows.append(len(rows))
            shown = before if compare else None
            rows.append([name, now, shown, _change(now, before) if compare else None])
    top = 4
    last = _table(ws, top, headers, rows, widths, filtered=False)
    bold = Font(name=FONT_NAME, size=FONT_PT, bold=True)
    for i, values in enumerate(rows):
        cell = ws.cell(row=top + 1 + i, column=1)
        if i in group_rows:
            cell.font = bold
        else:
            indent = 2 if values[0] in sub_labels else 1
            cell.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="left", indent=indent
            )
    if not compare:
        note = _put(ws, last + 1, 1, W["no_previous"].format(previous=before_label))
        note.font = Font(name=FONT_NAME, size=FONT_PT, italic=True)
        ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=4)

    chart = BarChart()
    chart.type = "col"
    chart.title = W["chart_title"]
    chart.y_axis.title = W["chart_axis"]
    chart.legend = None
    first_verdict, last_verdict = top + 1 + verdict_rows[0], top + 1 + verdict_rows[-1]
    chart.add_data(
        Reference(ws, min_col=2, min_row=first_verdict, max_row=last_verdict),
        titles_from_data=False,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first_verdict, max_row=last_verdict))
    series = chart.series[0]
    series.graphicalProperties.solidFill = "808080"  # a grey: the bars print as they show
    series.graphicalProperties.line.solidFill = "000000"
    series.dLbls = DataLabelList()
    series.dLbls.showVal = True
    series.dLbls.showSerName = series.dLbls.showCatName = False
    series.dLbls.showLegendKey = series.dLbls.showPercent = False
    chart.height, chart.width = 7.5, 16
    ws.add_chart(chart, f"A{last + 3}")
    _print_setup(ws, data, landscape=False, title_rows=f"{top}:{top}")
    ws.page_setup.fitToHeight = 1  # the figures and the chart on one page


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
    _table(ws, 1, headers, rows, [11, 11, 9.5, 16, 14, 44, 17, 11, 10, 28, 11])
    _print_setup(ws, data, landscape=True, title_rows="1:1")


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
    widths = [6.0, 24, 16, 10, *[10] * 5, *[10] * 4, 10] + ([7] if points else [])
    _table(ws, 1, person_columns(points), rows, widths)
    _print_setup(ws, data, landscape=True, title_rows="1:1")


def _topics(ws: Worksheet, data: ReportData) -> None:
    rows: list[list[object]] = [[t, n] for t, n in data.topics]
    _table(ws, 1, [W["col_topic"], W["col_count"]], rows, [40, 14])
    _print_setup(ws, data, landscape=False, title_rows="1:1")


def _cited(ws: Worksheet, data: ReportData) -> None:
    """The documents cited most in the period, and the official answers to review."""
    c = data.cited
    rows: list[list[object]] = [[d, n] for d, n in c.top] if c else []
    last = _table(ws, 1, [REFS_WORDS["col_document"], REFS_WORDS["col_sessions"]], rows, [60, 18])
    if c is not None:
        _put(ws, last + 2, 1, REFS_WORDS["to_review"])
        _put(ws, last + 2, 2, c.to_review)
    _print_setup(ws, data, landscape=False, title_rows="1:1")


def _workbook_font(wb: Any) -> None:
    """Times New Roman for every cell: the workbook's first font is its default one, which
    openpyxl offers no other way to set."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=FONT_NAME, size=FONT_PT, family=1)
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def build_report_xlsx(data: ReportData, *, points: bool = False) -> bytes:
    """The report of ``data`` as .xlsx bytes; ``points``: the points column of «Cán bộ»."""
    from openpyxl import Workbook

    wb = Workbook()
    _workbook_font(wb)
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
