"""The report of the program and the year-end sheets as Word documents (.docx, python-docx).

The report follows the Party format of :mod:`bot.documents.party` (page, fonts, page numbers
from page 2, heading block with «Số …-BC/…», «Nơi nhận» and signature): the type «BÁO CÁO»,
the subject line with the period on a line of its own and «-----» under it, then «I. KẾT QUẢ
THỰC HIỆN» (the figures of the period in sentences, the table of the sessions, whose header row
is repeated on every page and whose rows never split, and the charts with their captions),
«II. ĐÁNH GIÁ CHUNG» and «III. PHƯƠNG HƯỚNG THỜI GIAN TỚI» (a sentence from the figures and
dotted lines for the leader's text), and the closing blocks, kept with what precedes them.

The year-end sheets are a form for each person's file: one section per staff member, each with
the heading block (no number: a form is not issued under one), its own page numbers (from its
second page), the facts of the period (each turn: date, question, outcome, verdict and the
head's comment; the redraws) and room for the signature of who made it; the points only when
the program's scheme is on (``/vanban diem bat``).

Every word comes from the template ``report_text.j2`` and ``bot.words``; python-docx is imported
inside the builders: start-up never loads it.
"""

from __future__ import annotations

import copy
import html
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from bot.documents.charts import PRINT_WIDTH_CM
from bot.documents.party import (
    BODY_PT,
    add_closing,
    add_heading_block,
    add_signature,
    blocks_of,
    keep_row_together,
    number_line,
    plain_fonts,
    setup_page,
    two_columns,
)
from bot.documents.report import (
    PersonRow,
    ReportData,
    outcome_label,
    period_words,
    verdict_label,
)
from bot.documents.settings import DocumentSettings
from bot.render import environment

if TYPE_CHECKING:
    from docx.blkcntnr import BlockItemContainer as Blocks
    from docx.document import Document as DocumentObject

# The kind of a report in its symbol («Số …-BC/BTCTU»).
REPORT_KIND: Final = "BC"
CHART_CM: Final = PRINT_WIDTH_CM  # a chart is drawn as wide as it is printed
TITLE_PT: Final = 15
TABLE_PT: Final = 12
# Column widths (mm) of the tables, within the 165 mm of text width; «STT» fits on one line.
SESSION_COLUMNS_MM: Final = (13, 24, 62, 30, 19, 17)  # no, date, question, person, answer, verdict
TURN_COLUMNS_MM: Final = (12, 23, 62, 20, 16, 32)  # no, date, question, answer, verdict, comment
# Columns whose cells are centred (the number, the date); the others are set flush left, never
# justified (a justified narrow cell opens gaps inside names).
CENTRED_COLUMNS: Final = frozenset({0, 1})
CELL_MARGIN_MM: Final = 1.2
# Characters XML 1.0 cannot carry (python-docx would refuse them).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _words() -> Any:
    return environment().get_template("report_text.j2").make_module()


def _say(macro: Any, *args: Any) -> str:
    """A macro of the words template as plain text (it renders escaped HTML)."""
    return html.unescape(str(macro(*args))).strip()


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", unicodedata.normalize("NFC", text or ""))


# -- paragraphs ------------------------------------------------------------------------------------


def _setup(doc: DocumentObject) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    setup_page(doc)
    pf = doc.styles["Normal"].paragraph_format
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    plain_fonts(doc.styles["Table Grid"].element)


def _centred(
    doc: DocumentObject | Blocks,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    return paragraph


def _heading(doc: DocumentObject, text: str) -> None:
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(text).bold = True


def _body(doc: DocumentObject | Blocks, text: str) -> Any:
    from docx.shared import Mm

    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    return paragraph


def _cell_margins(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(CELL_MARGIN_MM * 56.7)))  # twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _grid(
    blocks: Blocks,
    style_id: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[int],
) -> Any:
    """A bordered table (columns ``widths_mm`` wide, style ``style_id``: the document's «Table
    Grid»), 12 pt: the header row in bold, centred and repeated at the top of every page; no
    row split across pages; the number and date centred, the rest flush left."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = blocks.add_table(1 + len(rows), len(headers), Mm(sum(widths_mm)))
    table._tbl.tblStyle_val = style_id  # the id looked up once, not per table
    table.autofit = False
    _cell_margins(table)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for r, values in enumerate([list(headers), *rows]):
        row = table.rows[r]
        keep_row_together(row, header=r == 0)
        cells = row.cells
        for c, value in enumerate(values):
            cells[c].width = Mm(widths_mm[c])
            if r == 0:
                cells[c].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cells[c].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.first_line_indent = None
            paragraph.paragraph_format.line_spacing = 1.0
            centred = r == 0 or c in CENTRED_COLUMNS
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            run = paragraph.add_run(_clean(value))
            run.font.size = Pt(TABLE_PT)
            run.bold = r == 0
    return table


def _grid_style(doc: DocumentObject) -> str:
    style_id = doc.styles["Table Grid"].style_id
    assert style_id is not None
    return str(style_id)


def _charts(doc: DocumentObject, words: Any, charts: Sequence[tuple[str, bytes]]) -> None:
    """Each chart (drawn without a title, at print resolution) with its caption under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    for n, (title, png) in enumerate(charts, 1):
        doc.add_picture(io.BytesIO(png), width=Cm(CHART_CM))
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.space_before = Pt(6)
        picture.paragraph_format.first_line_indent = None
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.add_run(_clean(_say(words.chart_caption, n, title))).italic = True


def _title(
    doc: DocumentObject | Blocks, title: str, subject: str, period: str, dashes: str
) -> None:
    """The type name and the subject line; the period on a line of its own, never split."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    _centred(doc, title, size=TITLE_PT, bold=True).paragraph_format.space_before = Pt(18)
    line = _centred(doc, subject, bold=True)
    if period:
        run = line.add_run()
        run.add_break(WD_BREAK.LINE)
        tail = line.add_run(period.replace(" ", "\u00a0"))
        tail.bold = True
    _centred(doc, dashes).paragraph_format.space_after = Pt(12)


def _properties(doc: DocumentObject, data: ReportData, title: str) -> None:
    from datetime import datetime, time

    props = doc.core_properties
    props.title = title[:255]
    props.author = props.last_modified_by = _clean(data.program_title)[:255]
    props.comments = props.keywords = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = props.modified = datetime.combine(data.today, time(0, 0))


def _save(doc: DocumentObject) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- the report ------------------------------------------------------------------------------------


def _cited(doc: DocumentObject, data: ReportData) -> None:
    """The documents cited most in the period and the official answers to review (words:
    ``report_refs.j2``)."""
    if data.cited is None:
        return
    words: Any = environment().get_template("report_refs.j2").make_module()
    _body(doc, _clean(_say(words.cited, data.cited)))


def _write_on(doc: DocumentObject, words: Any, lines: int = 3) -> None:
    """Dotted lines for the leader's own text, kept with what follows."""
    for _ in range(lines):
        doc.add_paragraph(_say(words.blank)).paragraph_format.keep_with_next = True


def build_report_docx(
    data: ReportData,
    settings: DocumentSettings,
    charts: Sequence[tuple[str, bytes]] = (),
    number: str | None = None,
) -> bytes:
    """The report of ``data`` in the Party format as .docx bytes; ``charts``: (title, PNG);
    ``number``: the number the văn thư gave it (None: left blank to be written in)."""
    from docx import Document

    words = _words()
    f, b = data.figures, data.previous
    compare = b.held > 0  # a period without sessions is nothing to compare with
    period, previous = period_words(data)
    doc = Document()
    _setup(doc)
    add_heading_block(doc, settings, data.today, number_line(settings, REPORT_KIND, number))
    subject = _say(words.subject, period)
    _title(doc, _say(words.title), subject, period, _say(words.dashes))
    _properties(doc, data, f"{subject} {period}")
    until = f"{data.today:%d/%m/%Y}" if data.today < data.period.end else ""
    _body(
        doc,
        _say(
            words.opening,
            period,
            f"{data.period.start:%d/%m/%Y}",
            f"{data.period.end:%d/%m/%Y}",
            until,
        ),
    )

    _heading(doc, _say(words.section_results))
    _heading(doc, _say(words.sub_sessions))
    _body(doc, _clean(_say(words.sessions, f, b, compare)))
    _heading(doc, _say(words.sub_participation))
    part = data.participation
    _body(doc, _say(words.participation, part, len(part.had_turn) + len(part.not_yet)))
    _heading(doc, _say(words.sub_answers))
    _body(doc, _say(words.answers, f, b, compare))
    _heading(doc, _say(words.sub_topics))
    _body(doc, _clean(_say(words.topics, f)))
    _cited(doc, data)
    _heading(doc, _say(words.sub_trend))
    _body(doc, _say(words.trend, f, b, previous, compare))

    held = [s for s in data.sessions if s.status in ("held", "moved")]
    if held:
        _centred(doc, _say(words.sessions_table), italic=True).paragraph_format.space_before = _pt(
            6
        )
        headers = [
            _say(m)
            for m in (
                words.col_number,
                words.col_date,
                words.col_question,
                words.col_person,
                words.col_outcome,
                words.col_verdict,
            )
        ]
        rows = [
            [
                str(n),
                f"{s.day:%d/%m/%Y}",
                s.question,
                s.person or "",
                outcome_label(s),
                verdict_label(s),
            ]
            for n, s in enumerate(held, 1)
        ]
        _grid(blocks_of(doc), _grid_style(doc), headers, rows, SESSION_COLUMNS_MM)
    if charts:
        _charts(doc, words, charts)

    _heading(doc, _say(words.section_assessment))
    _body(doc, _say(words.assessment, f))
    _write_on(doc, words)
    _heading(doc, _say(words.section_direction))
    _body(doc, _say(words.direction, data.participation)).paragraph_format.keep_with_next = True
    _write_on(doc, words)
    add_closing(doc, settings)
    return _save(doc)


def _pt(points: float) -> Any:
    from docx.shared import Pt

    return Pt(points)


# -- the year-end sheets ---------------------------------------------------------------------------


def _sheet(
    doc: Blocks,
    style_id: str,
    words: Any,
    row: PersonRow,
    period: str,
    settings: DocumentSettings,
    today: date,
) -> None:
    """One person's sheet, headed as a Party form (no number), in ``doc``."""
    add_heading_block(doc, settings, today)
    _title(
        doc, _say(words.sheets_title), _say(words.sheets_subject, ""), period, _say(words.dashes)
    )
    person = doc.add_paragraph()
    person.add_run(_clean(_say(words.sheet_person, row.name, row.title))).bold = True
    if row.drawn:
        doc.add_paragraph(_say(words.sheet_counts, row)).paragraph_format.keep_with_next = True
        headers = [
            _say(m)
            for m in (
                words.col_number,
                words.col_date,
                words.col_question,
                words.col_outcome,
                words.col_verdict,
                words.col_comment,
            )
        ]
        rows = [
            [
                str(n),
                f"{t.day:%d/%m/%Y}",
                t.question,
                outcome_label(t),
                verdict_label(t),
                t.comment or "",
            ]
            for n, t in enumerate(row.turns, 1)
        ]
        _grid(doc, style_id, headers, rows, TURN_COLUMNS_MM)
    else:
        doc.add_paragraph(_say(words.sheet_no_turn, period))
    if row.redrawn:
        doc.add_paragraph(_say(words.sheet_redrawn, len(row.redrawn)))
        for day, reason in row.redrawn:
            doc.add_paragraph(_clean(_say(words.redrawn_line, f"{day:%d/%m/%Y}", reason)))
    if settings.points:
        doc.add_paragraph().add_run(_say(words.sheet_points, row.points)).bold = True
        doc.add_paragraph().add_run(_say(words.points_rule)).italic = True
    else:
        doc.add_paragraph().add_run(_say(words.sheet_facts)).italic = True
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    # Who made the sheet signs it: a borderless table, the signature on the right.
    signature = _signature_table(doc)
    add_signature(
        signature.rows[0].cells[1],
        (_say(words.sheet_signature),),
        "",
        note=_say(words.sheet_signature_note),
        room=3,
    )


def _signature_table(doc: Blocks) -> Any:
    table = two_columns(doc, 1)
    keep_row_together(table.rows[0])
    return table


def _section_break(body_sect_pr: Any) -> Any:
    """A paragraph ending a section like the document's own (page, margins, headers, numbers
    from 1): its mark is 1 pt high, so it never takes a line of its own."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    for name, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20")):
        spacing.set(qn(name), value)
    spacing.set(qn("w:lineRule"), "exact")
    p_pr.append(spacing)
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p_pr.append(mark)
    p_pr.append(copy.deepcopy(body_sect_pr))
    paragraph.append(p_pr)
    return paragraph


def _restart_numbering(sect_pr: Any) -> None:
    """Pages of the section numbered from 1, the first without a number (its own header)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    # The schema wants pgNumType before cols, titlePg and the like: after pgMar / paperSrc.
    anchor = sect_pr.find(qn("w:pgMar"))
    if anchor is not None:
        anchor.addnext(numbering)
    else:
        sect_pr.append(numbering)


def build_sheets_docx(data: ReportData, settings: DocumentSettings) -> bytes:
    """One form per staff member, each its own section (heading block, page numbers from 1),
    headed as ``settings`` say; the points when ``settings.points`` is on."""
    from docx import Document
    from docx.document import _Body
    from docx.oxml import OxmlElement

    words = _words()
    period, _ = period_words(data)
    doc = Document()
    _setup(doc)
    _properties(doc, data, _say(words.sheets_title) + " " + _say(words.sheets_subject, period))
    style_id = _grid_style(doc)
    end = doc.element.body.sectPr  # the document's section: the pages go before it
    assert end is not None
    _restart_numbering(end)
    for i, row in enumerate(data.people):
        # Each sheet is built in a body of its own, then moved into the document: python-docx
        # looks for the section at the end of the body on every insertion, which over hundreds
        # of sheets would cost time growing with the square of the document.
        page = _Body(OxmlElement("w:body"), doc)
        _sheet(page, style_id, words, row, period, settings, data.today)
        for element in list(page._element):
            end.addprevious(element)
        if i < len(data.people) - 1:
            end.addprevious(_section_break(end))
    if not data.people:
        add_heading_block(doc, settings, data.today)
    return _save(doc)
