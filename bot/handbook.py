"""The yearly handbook of official answers as a Word document (.docx, python-docx).

Layout: title page (title, program and year, a short note), a table of contents as a Word TOC
field over the Heading 1/2 paragraphs (pre-filled with the headings, so it reads well before it
is updated; Word is asked to update fields on opening to add the page numbers), then one
Heading 1 per topic and one Heading 2 per question with its source unit, date, the leader's
conclusion and the legal references. The title page opens with the heading block of a Party
document (issuing body, «ĐẢNG CỘNG SẢN VIỆT NAM», place and date: the program's document
settings); the page, fonts and page numbers (header, from page 2) are those of
:mod:`bot.documents.party`. Every word comes from the template ``archive_handbook_text.j2``.
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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from bot.documents.party import add_heading_block, field_run, plain_fonts, setup_page
from bot.documents.settings import DocumentSettings, defaults_for
from bot.models import ArchiveEntry
from bot.render import environment
from bot.text import normalize_for_match, shorten

FONT = "Times New Roman"
HEADING_CHARS = 120
TOC_INSTRUCTION = r'TOC \o "1-2" \h \z \u'

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


# -- fields and styles ----------------------------------------------------------------------------


def _setup(doc: DocumentObject) -> None:
    setup_page(doc)  # A4, margins, Times New Roman 14, page numbers from page 2
    normal = doc.styles["Normal"]
    plain_fonts(normal.element)
    pf = normal.paragraph_format
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size in (("Title", 20), ("Subtitle", 14), ("Heading 1", 15), ("Heading 2", 14)):
        style = doc.styles[name]
        plain_fonts(style.element)
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name != "Subtitle"
        style.font.italic = name == "Subtitle"
    for name, before, after in (("Heading 1", 18, 6), ("Heading 2", 12, 4)):
        heading = doc.styles[name].paragraph_format
        heading.space_before, heading.space_after = Pt(before), Pt(after)
        heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # Word recomputes the fields (table of contents, page numbers) when the file is opened.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _labelled(doc: DocumentObject, label: str, value: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(label + " ").bold = True
    paragraph.add_run(value)


def _lines(doc: DocumentObject, text: str) -> None:
    for line in _clean(text).splitlines():
        if line.strip():
            doc.add_paragraph(line.strip()).paragraph_format.left_indent = Mm(5)


def _official_answer(
    doc: DocumentObject, words: Any, e: ArchiveEntry, marks: Sequence[Mapping[str, Any]]
) -> None:
    """The official answer as it stands (a supplementary conclusion first, the original kept
    after it), its «căn cứ», and a note for each document it rests on that is no longer in
    force («căn cứ đã được thay thế»)."""
    if e.current is not None:
        label = _say(words.supplement_label, f"{e.current.created_at:%d/%m/%Y}")
        doc.add_paragraph().add_run(label).bold = True
        _lines(doc, e.current.text)
        doc.add_paragraph().add_run(_say(words.original_label)).italic = True
        _lines(doc, e.conclusion)
    else:
        doc.add_paragraph().add_run(_say(words.conclusion_label)).bold = True
        _lines(doc, e.conclusion)
    if e.legal_refs:
        _labelled(doc, _say(words.refs_label), _clean(e.legal_refs))
    for mark in marks:
        doc.add_paragraph().add_run(_say(words.stale, mark)).italic = True


# -- the document ---------------------------------------------------------------------------------


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
    headed as ``settings`` say (default: the defaults of the program's title). ``marks``: by
    entry, the documents its official answer rests on that are no longer in force
    (``bot.services.citing.mark_ctx``)."""
    words = _words()
    groups = group_by_topic(entries)
    doc = Document()
    _setup(doc)
    add_heading_block(doc, settings or defaults_for(program_title), today)
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

    title_paragraph = doc.add_paragraph(title, style="Title")
    title_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_paragraph.paragraph_format.space_before = Pt(72)  # below the heading block
    subtitle = doc.add_paragraph(
        _say(words.subtitle, _clean(program_title), year), style="Subtitle"
    )
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(
        _say(words.updated, f"{today:%d/%m/%Y}")
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_say(words.note, len(entries), len(groups)))

    # Headings, numbered once: the same texts go into the table of contents and the body.
    numbered: list[tuple[str, list[tuple[str, ArchiveEntry]]]] = []
    counter = 0
    for t, (topic, items) in enumerate(groups, 1):
        questions = []
        for e in items:
            counter += 1
            short = shorten(_clean(e.question), HEADING_CHARS)
            questions.append((_say(words.question_heading, counter, short), e))
        numbered.append((_say(words.topic_heading, t, _clean(topic)), questions))

    contents = doc.add_paragraph(_say(words.contents), style="TOC Heading")
    contents.paragraph_format.page_break_before = True
    doc.add_paragraph(_say(words.contents_hint)).runs[0].italic = True
    lines: list[tuple[str, int]] = []
    for heading, questions in numbered:
        lines.append((heading, 0))
        lines.extend((q, 1) for q, _ in questions)
    for i, (text, level) in enumerate(lines):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(8 * level)
        paragraph.paragraph_format.space_after = Pt(2)
        if i == 0:
            field_run(paragraph, "begin", dirty=True)
            field_run(paragraph, "", f" {TOC_INSTRUCTION} ")
            field_run(paragraph, "separate")
        run = paragraph.add_run(text)
        run.bold = level == 0
        if i == len(lines) - 1:
            field_run(paragraph, "end")

    first = True
    for heading, questions in numbered:
        topic_paragraph = doc.add_paragraph(heading, style="Heading 1")
        if first:
            topic_paragraph.paragraph_format.page_break_before = True
            first = False
        for q_heading, e in questions:
            doc.add_paragraph(q_heading, style="Heading 2")
            question = _clean(e.question).strip()
            if shorten(question, HEADING_CHARS) != " ".join(question.split()):
                _labelled(doc, _say(words.question_label), question)
            if e.source_unit:
                _labelled(doc, _say(words.source_label), _clean(e.source_unit))
            _labelled(doc, _say(words.date_label), f"{e.session_date:%d/%m/%Y}")
            _official_answer(doc, words, e, (marks or {}).get(e.id, ()))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
