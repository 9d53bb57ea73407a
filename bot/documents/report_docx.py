"""The report of the program and the year-end sheets as Word documents (.docx, python-docx).

The report follows the Party format of :mod:`bot.documents.party` (page, fonts, page numbers
from page 2, heading block, «Nơi nhận» and signature): title «BÁO CÁO», the subject line and
«-----» under it, then «I. KẾT QUẢ THỰC HIỆN» (the figures of the period in sentences and a
table of the sessions), the charts handed in (PNG images, each with its caption), «II. ĐÁNH GIÁ
CHUNG» and «III. PHƯƠNG HƯỚNG THỜI GIAN TỚI» (a sentence from the figures and dotted lines for
the leader's text), and the closing blocks.

The year-end sheets: one page per staff member with the facts of the period (each turn: date,
question, outcome, verdict and the head's comment; the redraws), a page break between people;
the points only when the program's scheme is on (``/vanban diem bat``).

Every word comes from the template ``report_text.j2`` and ``bot.words``; python-docx is imported
inside the builders: start-up never loads it.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from bot.documents.party import BODY_PT, add_closing, add_heading_block, plain_fonts, setup_page
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

CHART_CM: Final = 15
TITLE_PT: Final = 15
TABLE_PT: Final = 12
# Column widths (mm) of the tables, within the 165 mm of text width.
SESSION_COLUMNS_MM: Final = (11, 24, 66, 30, 19, 15)  # no, date, question, person, answer, verdict
TURN_COLUMNS_MM: Final = (11, 24, 55, 22, 18, 35)  # no, date, question, answer, verdict, comment
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
    doc: DocumentObject | Blocks, text: str, *, size: int = BODY_PT, bold: bool = False
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    return paragraph


def _heading(doc: DocumentObject, text: str) -> None:
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(text).bold = True


def _body(doc: DocumentObject, text: str) -> Any:
    from docx.shared import Mm

    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    return paragraph


def _grid(
    blocks: Blocks,
    style_id: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[int],
) -> Any:
    """A bordered table (columns ``widths_mm`` wide, style ``style_id``: the document's «Table
    Grid»), header row in bold, 12 pt."""
    from docx.shared import Mm, Pt

    table = blocks.add_table(1 + len(rows), len(headers), Mm(sum(widths_mm)))
    table._tbl.tblStyle_val = style_id  # the id looked up once, not per table
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for r, values in enumerate([list(headers), *rows]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            cells[c].width = Mm(widths_mm[c])
            paragraph = cells[c].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.first_line_indent = None
            run = paragraph.add_run(_clean(value))
            run.font.size = Pt(TABLE_PT)
            run.bold = r == 0
    return table


def _body_of(doc: DocumentObject) -> Blocks:
    return doc._body


def _grid_style(doc: DocumentObject) -> str:
    style_id = doc.styles["Table Grid"].style_id
    assert style_id is not None
    return str(style_id)


def _charts(doc: DocumentObject, charts: Sequence[tuple[str, bytes]]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    for caption, png in charts:
        doc.add_picture(io.BytesIO(png), width=Cm(CHART_CM))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(_clean(caption)).italic = True


def _title(doc: DocumentObject, title: str, subject: str, dashes: str) -> None:
    from docx.shared import Pt

    _centred(doc, title, size=TITLE_PT, bold=True).paragraph_format.space_before = Pt(18)
    _centred(doc, subject, bold=True)
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


def build_report_docx(
    data: ReportData,
    settings: DocumentSettings,
    charts: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The report of ``data`` in the Party format as .docx bytes; ``charts``: (caption, PNG)."""
    from docx import Document

    words = _words()
    f, b = data.figures, data.previous
    period, previous = period_words(data)
    doc = Document()
    _setup(doc)
    add_heading_block(doc, settings, data.today)
    subject = _say(words.subject, period)
    _title(doc, _say(words.title), subject, _say(words.dashes))
    _properties(doc, data, subject)
    _body(
        doc,
        _say(
            words.opening,
            _clean(data.program_title),
            period,
            f"{data.period.start:%d/%m/%Y}",
            f"{data.period.end:%d/%m/%Y}",
        ),
    )

    _heading(doc, _say(words.section_results))
    _heading(doc, _say(words.sub_sessions))
    _body(doc, _clean(_say(words.sessions, f, b)))
    _heading(doc, _say(words.sub_participation))
    part = data.participation
    _body(doc, _say(words.participation, part, len(part.had_turn) + len(part.not_yet)))
    _heading(doc, _say(words.sub_answers))
    _body(doc, _say(words.answers, f, b))
    _heading(doc, _say(words.sub_topics))
    _body(doc, _clean(_say(words.topics, f)))
    _cited(doc, data)
    _heading(doc, _say(words.sub_trend))
    _body(doc, _say(words.trend, f, b, previous))

    held = [s for s in data.sessions if s.status in ("held", "moved")]
    doc.add_paragraph().add_run(_say(words.sessions_table)).italic = True
    if held:
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
        _grid(_body_of(doc), _grid_style(doc), headers, rows, SESSION_COLUMNS_MM)
    else:
        _body(doc, _say(words.no_sessions))
    if charts:
        _charts(doc, charts)

    _heading(doc, _say(words.section_assessment))
    _body(doc, _say(words.assessment, f))
    for _ in range(3):
        doc.add_paragraph(_say(words.blank))
    _heading(doc, _say(words.section_direction))
    _body(doc, _say(words.direction, data.participation))
    for _ in range(3):
        doc.add_paragraph(_say(words.blank))
    add_closing(doc, settings)
    return _save(doc)


# -- the year-end sheets ---------------------------------------------------------------------------


def _sheet(
    doc: Blocks, style_id: str, words: Any, row: PersonRow, period: str, points: bool
) -> None:
    _centred(doc, _say(words.sheets_title), size=TITLE_PT, bold=True)
    _centred(doc, _say(words.sheets_subject, period), bold=True)
    _centred(doc, _say(words.dashes))
    doc.add_paragraph().add_run(_clean(_say(words.sheet_person, row.name, row.title))).bold = True
    if row.drawn:
        doc.add_paragraph(_say(words.sheet_counts, row))
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
    if points:
        doc.add_paragraph().add_run(_say(words.sheet_points, row.points)).bold = True
        doc.add_paragraph().add_run(_say(words.points_rule)).italic = True
    else:
        doc.add_paragraph().add_run(_say(words.sheet_facts)).italic = True


def build_sheets_docx(data: ReportData, settings: DocumentSettings) -> bytes:
    """One page per staff member (page breaks between them), headed as ``settings`` say; the
    points when ``settings.points`` is on."""
    from docx import Document
    from docx.document import _Body
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement

    words = _words()
    period, _ = period_words(data)
    doc = Document()
    _setup(doc)
    add_heading_block(doc, settings, data.today)
    _properties(doc, data, _say(words.sheets_title) + " " + _say(words.sheets_subject, period))
    doc.add_paragraph()
    style_id = _grid_style(doc)
    end = doc.element.body.sectPr  # the document's section: the pages go before it
    assert end is not None
    for i, row in enumerate(data.people):
        # Each page is built in a body of its own, then moved into the document: python-docx
        # looks for the section at the end of the body on every insertion, which over hundreds
        # of pages would cost time growing with the square of the document.
        page = _Body(OxmlElement("w:body"), doc)
        if i:
            page.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _sheet(page, style_id, words, row, period, settings.points)
        for element in list(page._element):
            end.addprevious(element)
    return _save(doc)
