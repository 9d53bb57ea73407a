"""The page estimate of the handbook's contents (``bot/documents/layout.py``) against what both
word processors do; the rendered handbook itself is checked in ``tests/test_rendered.py``."""

from __future__ import annotations

from docx import Document

from bot.documents.handbook import BODY_PT, LINE_PT, _Pages
from bot.documents.layout import Block, line_count, pages_of_marks

HEIGHT = 10 * LINE_PT  # ten lines a page
WIDTH = 165.0


def _line(
    text: str,
    before: float = 0,
    mark: str | None = None,
    keep_with_next: bool = False,
    page_break_before: bool = False,
) -> Block:
    """A paragraph of one line."""
    return Block(
        text,
        BODY_PT,
        LINE_PT,
        before_pt=before,
        keep_with_next=keep_with_next,
        page_break_before=page_break_before,
        mark=mark,
        lines=1,
    )


def test_the_space_before_is_left_out_at_the_head_of_a_page_the_text_flowed_onto() -> None:
    # Nine lines, then a heading with 12 pt before it kept with a paragraph of two lines: they
    # move to page 2, where the heading stands at the very top (no 12 pt before it), so that
    # page holds its ten lines exactly, «Câu 2.» the last of them.
    blocks = [_line(f"{i}") for i in range(9)]
    blocks.append(_line("Câu 1.", before=12, mark="q1", keep_with_next=True))
    blocks.append(Block("a\nb", BODY_PT, LINE_PT, lines=2))
    blocks += [_line(f"x{i}") for i in range(6)]
    blocks.append(_line("Câu 2.", mark="q2"))
    assert pages_of_marks(blocks, WIDTH, HEIGHT) == {"q1": 2, "q2": 2}


def test_after_a_page_break_the_space_before_stays() -> None:
    blocks = [_line("intro")]
    blocks.append(_line("1. Chủ đề", before=12, mark="t1", page_break_before=True))
    blocks += [_line(f"{i}") for i in range(8)]
    blocks.append(_line("Câu 1.", before=0, mark="q1"))
    # Page 2: 12 pt and nine lines leave less than a line: the tenth goes to page 3.
    assert pages_of_marks(blocks, WIDTH, HEIGHT) == {"t1": 2, "q1": 3}


def test_a_bold_label_leaves_less_room_on_its_line() -> None:
    """«Căn cứ:» in bold is wider than in regular type: a list of documents that just fits
    after a regular label takes one more line after the bold one, as printed."""
    refs = (
        "Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng; Hướng dẫn số 01-HD/TW "
        "ngày 28/9/2021 về một số vấn đề cụ thể thi hành Điều lệ Đảng"
    )
    assert line_count("Căn cứ: " + refs, WIDTH, BODY_PT, False, 0) == 2  # regular: too few
    pages = _Pages(Document())
    pages.paragraph(refs, bold_label="Căn cứ:")
    (block,) = pages.blocks
    assert block.first_mm > 0
    counted = line_count(block.text, WIDTH, block.size_pt, block.bold, block.first_mm)
    assert counted == 3
