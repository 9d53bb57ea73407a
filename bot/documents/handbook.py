"""The yearly handbook of official answers as a Word document (.docx, python-docx).

A handbook is a publication, not a document issued under a number: Hướng dẫn 36-HD/VPTW leaves
printed books and publications out of its scope (I.1), so it has a cover rather than the
heading block, and no «Số». Its pages are those of :mod:`bot.documents.party` (A4, margins,
Times New Roman, page numbers in the header from page 2; the cover has none).

Layout: the cover (the issuing body, the title in two balanced lines, the program and year, the
place and year at the foot), the introduction and the table of contents, then from a new page
the topics (Heading 1) and under each its questions, each once (Heading 2: «Câu N.» and the
question in full), with its source unit, the date, the official answer (the leader's
conclusion; after a supplementary conclusion, that one first and the original kept after it),
the legal references and a note for each document cited that is no longer in force; a heading
is kept with what follows it. Every entry of the table of contents
ends with a PAGEREF field to its heading's bookmark: LibreOffice computes it as it lays out
the pages, Word when its fields are updated (it asks when the file is opened); until then it
shows the page estimated by :mod:`bot.documents.layout`. Lines have exact heights, the same in
both word processors.

Every word comes from the template ``archive_handbook_text.j2``.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH,
    WD_BREAK,
    WD_LINE_SPACING,
    WD_TAB_ALIGNMENT,
    WD_TAB_LEADER,
)
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.documents.layout import PT_PER_MM, Block, pages_of_marks, text_width_mm
from bot.documents.party import MARGINS_MM, PAGE_MM, field_run, plain_fonts, setup_page
from bot.documents.settings import DocumentSettings, defaults_for
from bot.models import ArchiveEntry
from bot.render import environment
from bot.text import normalize_for_match, shorten

FONT = "Times New Roman"
BODY_PT = 14
LINE_PT = 18  # the exact height of a line of 14 pt text
SMALL_PT = 13
SMALL_LINE_PT = 17
TOC_CHARS = 72  # a question in the table of contents: one line
TOC_INDENT_MM = 8
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
TEXT_PT = (PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) * PT_PER_MM

# Characters XML 1.0 cannot carry (python-docx would refuse them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _words() -> Any:
    return environment().get_template("archive_handbook_text.j2").make_module()


def _say(macro: Any, *args: Any) -> str:
    """A macro of the words template as plain text (it renders escaped HTML)."""
    return html.unescape(str(macro(*args))).strip()


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", unicodedata.normalize("NFC", text or ""))


def _sort_key(topic: str) -> tuple[str, str]:
    return (normalize_for_match(topic), topic)


def group_by_topic(entries: Sequence[ArchiveEntry]) -> list[tuple[str, list[ArchiveEntry]]]:
    """Topics in alphabetical order (Vietnamese letters folded), questions by date within."""
    groups: dict[str, list[ArchiveEntry]] = {}
    for e in entries:
        groups.setdefault(e.topic.strip() or "Chung", []).append(e)
    return [
        (topic, sorted(groups[topic], key=lambda e: (e.session_date, e.id)))
        for topic in sorted(groups, key=_sort_key)
    ]


# -- styles and paragraphs -------------------------------------------------------------------------


def _setup(doc: DocumentObject) -> None:
    setup_page(doc)  # A4, margins, Times New Roman 14, page numbers from page 2
    normal = doc.styles["Normal"]
    plain_fonts(normal.element)
    pf = normal.paragraph_format
    # Spacing only before a paragraph, never after: Word and LibreOffice then agree on the gap
    # between two paragraphs (one adds both spaces, the other may take the larger).
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True  # never one line of a paragraph alone on a page
    for name, before, after in (("Heading 1", 12, 0), ("Heading 2", 12, 0)):
        style = doc.styles[name]
        plain_fonts(style.element)
        style.font.size = Pt(BODY_PT)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        heading = style.paragraph_format
        heading.space_before, heading.space_after = Pt(before), Pt(after)
        heading.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        heading.line_spacing = Pt(LINE_PT)
        heading.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        heading.keep_with_next = True
        heading.widow_control = True
    # Word asks, when the file is opened, to update the page references of the contents.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _centred(
    doc: DocumentObject,
    text: str,
    size: int,
    *,
    bold: bool = False,
    italic: bool = False,
    before: float = 0,
    line: float | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = paragraph.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(0)
    pf.line_spacing = Pt(line or round(size * 1.3))
    for i, part in enumerate(text.split("\n")):
        if i:
            paragraph.add_run().add_break(WD_BREAK.LINE)
        run = paragraph.add_run(part)
        run.font.size = Pt(size)
        run.bold, run.italic = bold, italic
    return paragraph


class _Pages:
    """The document and, block for block, what the page estimate needs to know of it."""

    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.blocks: list[Block] = []

    def lines(self, items: list[tuple[str, str]], before: float) -> Paragraph:
        """One paragraph of lines «label value» (the label bold), kept with the next."""
        paragraph = self.doc.add_paragraph()
        for i, (label, value) in enumerate(items):
            if i:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            paragraph.add_run(label + (" " if value else "")).bold = True
            if value:
                paragraph.add_run(value)
        pf = paragraph.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(0)
        pf.keep_with_next = True
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        text = "\n".join(f"{label} {value}".strip() for label, value in items)
        self.blocks.append(
            Block(text, BODY_PT, LINE_PT, bold=True, before_pt=before, keep_with_next=True)
        )
        return paragraph

    def paragraph(
        self,
        text: str,
        *,
        style: str | None = None,
        bold_label: str = "",
        indent_mm: float = 0,
        before: float = 0,
        keep: bool = False,
        page_break: bool = False,
        mark: str | None = None,
        bold: bool = False,
        italic: bool = False,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        if bold_label:
            paragraph.add_run(bold_label + " ").bold = True
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        pf = paragraph.paragraph_format
        if style is None:
            pf.space_before, pf.space_after = Pt(before), Pt(0)
        if indent_mm:
            pf.left_indent = Mm(indent_mm)
        if keep:
            pf.keep_with_next = True
        if page_break:
            pf.page_break_before = True
        heading = style is not None
        # A bold label is wider than the same words in regular type: its first line has that
        # much less room.
        label = bold_label + " " if bold_label else ""
        wider = text_width_mm(label, BODY_PT, True) - text_width_mm(label, BODY_PT, False)
        self.blocks.append(
            Block(
                text=label + text,
                size_pt=BODY_PT,
                line_pt=LINE_PT,
                bold=bold or heading,
                indent_mm=indent_mm,
                first_mm=0 if bold or heading else wider,
                before_pt=12 if heading else before,
                keep_with_next=keep or heading,
                page_break_before=page_break,
                mark=mark,
            )
        )
        return paragraph


# -- the document ---------------------------------------------------------------------------------


def _cover(doc: DocumentObject, words: Any, settings: DocumentSettings, year: int) -> None:
    """The cover: the issuing body, the title, the program and year, the place and year."""
    body = [line for line in settings.body if line.strip() != "*"]
    for i, line in enumerate(body):
        _centred(doc, line, BODY_PT, bold=i == len(body) - 1)
    rule = doc.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rule.add_run("*").font.size = Pt(BODY_PT)
    _centred(doc, _say(words.cover_kind), 26, bold=True, before=150, line=34)
    _centred(doc, _say(words.cover_title), 17, bold=True, before=10, line=24)
    _centred(doc, _say(words.cover_program), BODY_PT, italic=True, before=24, line=20)
    _centred(doc, _say(words.cover_year, year), BODY_PT, bold=True, line=20)
    place = _say(words.cover_place, settings.place, year)
    _centred(doc, place, BODY_PT, bold=True, before=300, line=20)


def _toc_entry(pages: _Pages, text: str, mark: str, level: int, estimate: int | None) -> None:
    """A line of the contents: the heading, dots, and the page of its bookmark."""
    doc = pages.doc
    paragraph = doc.add_paragraph()
    pf = paragraph.paragraph_format
    pf.space_before, pf.space_after = Pt(6 if level == 0 else 0), Pt(0)
    pf.left_indent = Mm(TOC_INDENT_MM * level)
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    pf.tab_stops.add_tab_stop(Mm(TEXT_MM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    run = paragraph.add_run(text)
    run.bold = level == 0
    paragraph.add_run("\t")
    field_run(paragraph, "begin", dirty=True)
    field_run(paragraph, "", f" PAGEREF {mark} \\h ")
    field_run(paragraph, "separate")
    paragraph.add_run(str(estimate) if estimate else "")
    field_run(paragraph, "end")
    pages.blocks.append(
        Block(text, BODY_PT, LINE_PT, bold=level == 0, before_pt=6 if level == 0 else 0, lines=1)
    )


def _official_answer(
    pages: _Pages,
    words: Any,
    e: ArchiveEntry,
    marks: Sequence[Mapping[str, Any]],
    meta: list[tuple[str, str]],
) -> None:
    """The official answer as it stands, under the lines ``meta`` (the source unit, the date)
    and its label: a supplementary conclusion first and the original kept after it; its
    «căn cứ», and a note for each document it rests on that is no longer in force («căn cứ đã
    được thay thế»)."""
    current = e.current
    if current is not None:
        label = _say(words.supplement_label, f"{current.created_at:%d/%m/%Y}")
    else:
        label = _say(words.conclusion_label)
    pages.lines([*meta, (label, "")], before=6)
    _text_lines(pages, current.text if current is not None else e.conclusion)
    if current is not None:
        pages.paragraph(_say(words.original_label), italic=True, before=6, keep=True)
        _text_lines(pages, e.conclusion)
    if e.legal_refs:
        pages.paragraph(_clean(e.legal_refs), bold_label=_say(words.refs_label), before=3)
    for mark in marks:
        pages.paragraph(_say(words.stale, mark), italic=True, before=3)


def _text_lines(pages: _Pages, text: str) -> None:
    for line in _clean(text).splitlines():
        if line.strip():
            pages.paragraph(line.strip(), indent_mm=5, before=3)


def build_handbook(
    entries: Sequence[ArchiveEntry],
    *,
    year: int,
    program_title: str,
    today: date,
    settings: DocumentSettings | None = None,
    marks: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
) -> bytes:
    """The handbook of ``entries`` (archived answers of one program and year) as .docx bytes,
    issued by the body ``settings`` name (default: the defaults of the program's title).
    ``marks``: by entry, the documents its official answer rests on that are no longer in
    force (``bot.services.citing.stale_marks``)."""
    settings = settings or defaults_for(program_title)
    words = _words()
    groups = group_by_topic(entries)
    # Headings, numbered once: the contents and the body name them alike.
    numbered: list[tuple[str, str, list[tuple[str, str, ArchiveEntry]]]] = []
    counter = 0
    for t, (topic, items) in enumerate(groups, 1):
        questions = []
        for e in items:
            counter += 1
            questions.append(
                (_say(words.question_heading, counter, _clean(e.question)), f"_Toc_q{counter}", e)
            )
        numbered.append((_say(words.topic_heading, t, _clean(topic)), f"_Toc_t{t}", questions))

    estimate: dict[str, int] = {}
    for _ in range(2):  # the contents' own length is known on the first pass
        data, estimate = _build(
            entries, numbered, words, year, program_title, today, settings, estimate, marks or {}
        )
    return data


def _build(
    entries: Sequence[ArchiveEntry],
    numbered: list[tuple[str, str, list[tuple[str, str, ArchiveEntry]]]],
    words: Any,
    year: int,
    program_title: str,
    today: date,
    settings: DocumentSettings,
    estimate: dict[str, int],
    marks: Mapping[int, Sequence[Mapping[str, Any]]],
) -> tuple[bytes, dict[str, int]]:
    doc = Document()
    _setup(doc)
    title = _say(words.title)
    props = doc.core_properties
    props.title = title
    props.subject = _say(words.subtitle, _clean(program_title), year)
    props.author = props.last_modified_by = _clean(program_title)[:255]
    props.comments = ""
    props.keywords = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = props.modified = datetime.combine(today, time(0, 0))

    _cover(doc, words, settings, year)
    pages = _Pages(doc)  # the estimate counts from page 2
    intro = pages.paragraph(_say(words.intro_title), bold=True, page_break=True)
    intro.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pages.paragraph(_say(words.note, len(entries), len(numbered)), before=12)
    pages.paragraph(_say(words.updated, f"{today:%d/%m/%Y}"), before=6)
    contents = pages.paragraph(_say(words.contents), bold=True, before=18)
    contents.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for heading, mark, questions in numbered:
        _toc_entry(pages, heading, mark, 0, estimate.get(mark))
        for q_heading, q_mark, _e in questions:
            _toc_entry(pages, shorten(q_heading, TOC_CHARS), q_mark, 1, estimate.get(q_mark))

    bookmark = 0
    for heading, mark, questions in numbered:
        bookmark += 1
        first = bookmark == 1  # the first topic opens a page; the others follow on
        topic = pages.paragraph(heading, style="Heading 1", page_break=first, mark=mark)
        _bookmark(topic, mark, bookmark)
        for q_heading, q_mark, e in questions:
            bookmark += 1
            question = pages.paragraph(q_heading, style="Heading 2", mark=q_mark)
            _bookmark(question, q_mark, bookmark)
            # The source unit, the date and the conclusion's label: one paragraph of lines, kept
            # with the heading before and the conclusion after.
            meta = [(_say(words.date_label), f"{e.session_date:%d/%m/%Y}")]
            if e.source_unit:
                meta.insert(0, (_say(words.source_label), _clean(e.source_unit)))
            _official_answer(pages, words, e, marks.get(e.id, ()), meta)
    found = pages_of_marks(pages.blocks, TEXT_MM, TEXT_PT, first_page=2)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue(), found
