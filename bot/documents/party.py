"""Party documents in Word (python-docx): the page, the heading block, the closing blocks.

From Hướng dẫn 36-HD/VPTW (03/4/2018), as its public text and its table of fonts read (see
README «Thể thức văn bản»):

* the title «ĐẢNG CỘNG SẢN VIỆT NAM» on the first page, top right, capitals, bold, 15 pt, with a
  solid rule under it as long as the title (1.1.2);
* the issuing body top left: the superior body in capitals, regular, 14 pt, the issuing body in
  capitals, bold, 14 pt, then «*»;
* the number and symbol under it, 14 pt, «Số 127-QĐ/TW» (no colon); the number is the one the
  văn thư registers (1.3.1): a report prints «Số» and a blank for it unless one is given;
* the place and date under the title, italics, 14 pt («Đồng Nai, ngày 08 tháng 7 năm 2026»;
  a day below 10 and the months 1 and 2 with a leading zero).

Common Party practice where the public text is silent or could not be checked: A4, margins top
and bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 14 pt; page numbers from page 2,
centred in the header; «Nơi nhận:» underlined, 14 pt, one recipient a line in 12 pt, each
opening with «- » and closed by «,», the last by «.»; the signer's capacity in capitals, bold
(«K/T TRƯỞNG BAN» over «PHÓ TRƯỞNG BAN» when a deputy signs), the name bold.

python-docx is imported inside the functions: start-up never loads it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bot.documents.settings import DocumentSettings
from bot.words import PARTY_WORDS

if TYPE_CHECKING:
    from docx.blkcntnr import BlockItemContainer
    from docx.document import Document as DocumentObject
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    # Where blocks go: a document, or a body of its own (a year-end sheet, then moved in).
    Blocks = DocumentObject | BlockItemContainer

FONT = "Times New Roman"
BODY_PT = 14
PARTY_PT = 15
RECIPIENT_PT = 12
# Page (mm): A4 and the margins of 36-HD/VPTW.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
# The two heading columns: the text width (165 mm) split a little in favour of the right side.
# The heading table's cells have no inner margins, so a column is as wide as its text.
COLUMNS_MM = (75, 90)
# The rule under «ĐẢNG CỘNG SẢN VIỆT NAM» is as long as the title: the advance widths of Times
# New Roman Bold (Liberation Serif Bold has the same) at 15 pt add up to 72.7 mm.
RULE_MM = 72.7
# A number the văn thư writes in by hand: the blank left for it in «Số      -BC/BTCTU».
NUMBER_BLANK = "\u00a0" * 8


def number_line(settings: DocumentSettings, kind: str, number: str | None = None) -> str:
    """«Số 12-BC/BTCTU», or «Số       -BC/BTCTU» with a blank the văn thư fills in."""
    return PARTY_WORDS["number_line"].format(
        number=number or NUMBER_BLANK, kind=kind, symbol=settings.symbol
    )


def recipient_lines(lines: tuple[str, ...]) -> list[str]:
    """The recipients as printed: each opening with «- » and closed by «,», the last by «.»,
    whatever was typed («Lưu VP» → «- Lưu VP.»)."""
    cleaned = [line.strip().lstrip("-–—•+*").strip().rstrip(",;.").strip() for line in lines]
    named = [line for line in cleaned if line]
    return [
        PARTY_WORDS["recipient"].format(name=name, end="." if i == len(named) - 1 else ",")
        for i, name in enumerate(named)
    ]


def date_line(settings: DocumentSettings, when: date) -> str:
    """«Đồng Nai, ngày 05 tháng 01 năm 2027» (no place: «ngày … tháng … năm …»)."""
    place = settings.place + PARTY_WORDS["place_sep"] if settings.place else ""
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return PARTY_WORDS["date_line"].format(
        place=place, day=f"{when.day:02d}", month=month, year=when.year
    )


# -- the page ------------------------------------------------------------------------------------


def plain_fonts(style_element: Any) -> None:
    """Drop theme fonts from a style so the explicit font applies in every script slot."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def field_run(
    paragraph: Paragraph, kind: str, text: str | None = None, dirty: bool = False
) -> None:
    """Append a field character (begin/separate/end) or, with ``text``, an instruction."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    if text is not None:
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = text
        run._r.append(instr)
        return
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), kind)
    if dirty:
        fld.set(qn("w:dirty"), "true")
    run._r.append(fld)


def setup_page(doc: DocumentObject, size: int = BODY_PT) -> None:
    """A4, the margins and font of 36-HD/VPTW, page numbers in the header from page 2."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(size)
    plain_fonts(normal.element)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    # Page numbers: centred at the top, none on the first page.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_run(paragraph, "begin")
    field_run(paragraph, "", " PAGE ")
    field_run(paragraph, "separate")
    paragraph.add_run("2")
    field_run(paragraph, "end")


# -- tables and paragraphs -----------------------------------------------------------------------


def blocks_of(doc: Blocks) -> BlockItemContainer:
    """The container that blocks are added to (a document's body, or a body itself)."""
    from docx.document import Document

    return doc._body if isinstance(doc, Document) else doc


def _borderless(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)
    # No inner margins left and right: a column's text is as wide as the column.
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def two_columns(doc: Blocks, rows: int) -> Any:
    """A borderless table of the heading's two columns, at the end of ``doc``."""
    from docx.shared import Mm

    table = blocks_of(doc).add_table(rows, 2, Mm(sum(COLUMNS_MM)))
    table.autofit = False
    _borderless(table)
    for column, width in zip(table.columns, COLUMNS_MM, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMNS_MM, strict=True):
            cell.width = Mm(width)
    return table


def _line(
    cell: _Cell,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: str = "center",
    first: bool = False,
) -> Paragraph:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = (
        WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    )
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.first_line_indent = None
    paragraph.paragraph_format.line_spacing = 1.0
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.font.name = FONT
        run.bold, run.italic, run.underline = bold, italic, underline
    return paragraph


def _rule(cell: _Cell, indent_mm: float) -> Paragraph:
    """A short horizontal rule: an empty paragraph with a bottom border, indented both sides."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    paragraph = _line(cell, "")
    paragraph.paragraph_format.left_indent = Mm(indent_mm)
    paragraph.paragraph_format.right_indent = Mm(indent_mm)
    paragraph.paragraph_format.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    p_pr.append(borders)
    return paragraph


def keep_row_together(row: Any, header: bool = False) -> None:
    """A table row never split across pages; a header row repeated at the top of each page."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


# -- the blocks ----------------------------------------------------------------------------------


def add_heading_block(
    doc: Blocks, settings: DocumentSettings, when: date, number: str | None = None
) -> Any:
    """The heading of a Party document (a borderless table): the issuing body left, and under it
    ``number`` (the number-and-symbol line; None: a document without one), «ĐẢNG CỘNG SẢN VIỆT
    NAM», its rule and the place and date right. Returns the table; what follows it sets its
    own space before."""
    table = two_columns(doc, 2)
    left, right = table.rows[0].cells
    body = settings.body or ("*",)
    # The last line that is not «*» is the issuing body itself (bold); those above: regular.
    named = [i for i, text in enumerate(body) if text.strip() != "*"]
    issuer = named[-1] if named else -1
    for i, text in enumerate(body):
        _line(left, text, bold=i == issuer, first=i == 0)
    _line(right, PARTY_WORDS["party"], size=PARTY_PT, bold=True, first=True)
    _rule(right, indent_mm=(COLUMNS_MM[1] - RULE_MM) / 2)
    number_cell, date_cell = table.rows[1].cells
    _line(number_cell, number or "", first=True)
    _line(date_cell, date_line(settings, when), italic=True, first=True)
    for row in table.rows:
        keep_row_together(row)
    return table


def _fresh(cell: _Cell) -> bool:
    """A new cell holds one empty paragraph: the first line goes into it."""
    return len(cell.paragraphs) == 1 and not cell.paragraphs[0].text


def add_recipients(cell: _Cell, settings: DocumentSettings) -> None:
    """«Nơi nhận:» (underlined) and one line per recipient (12 pt), in ``cell``."""
    first = _fresh(cell)
    _line(cell, PARTY_WORDS["recipients_title"], underline=True, align="left", first=first)
    for text in recipient_lines(settings.recipients):
        _line(cell, text, size=RECIPIENT_PT, align="left")


def add_signature(
    cell: _Cell, capacity: tuple[str, ...], signer: str, note: str = "", room: int = 4
) -> None:
    """The capacity lines (capitals, bold), ``note`` under them (italics: «(Ký, ghi rõ họ
    tên)» on a form), ``room`` lines for the signature, the signer's name (bold; none: the
    room is where it is written by hand), in ``cell``."""
    first = _fresh(cell)
    for i, text in enumerate(capacity):
        _line(cell, text, bold=True, first=first and i == 0)
    if note:
        _line(cell, note, italic=True)
    for _ in range(room):
        _line(cell, "")
    if signer:
        _line(cell, signer, bold=True)


def add_closing(doc: Blocks, settings: DocumentSettings) -> Any:
    """«Nơi nhận» left and the signature right, in a borderless table. Returns the table."""
    blocks_of(doc).add_paragraph().paragraph_format.keep_with_next = True
    table = two_columns(doc, 1)
    left, right = table.rows[0].cells
    add_recipients(left, settings)
    add_signature(right, settings.capacity_lines, settings.signer)
    keep_row_together(table.rows[0])
    return table
