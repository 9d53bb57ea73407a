"""Where flowing paragraphs fall on the pages, estimated without a word processor.

The handbook's table of contents refers to the page of each heading with a PAGEREF field:
LibreOffice computes it as it lays the pages out, Word when its fields are updated (it asks when
the file is opened). What the file carries until then is this estimate, so that a copy printed
without updating the fields has page numbers too: lines are broken as both word processors
break them (greedy, word by word, on the advance widths of Times New Roman, whose metrics
Liberation Serif shares, a bold label with its own widths), with exact line heights, no line
left alone at the foot or the head of a page (widow and orphan control, as both apply it), and
no space before the paragraph that heads a page the text flowed onto (as both leave it out),
so only the breaks themselves can differ.

Pure functions of plain data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

PT_PER_MM: Final = 72 / 25.4
EM: Final = 2048  # the font units of the widths below
# Advance widths (1/2048 em) of Times New Roman (and Liberation Serif), regular and bold, of
# these characters; a letter with diacritics is as wide as its base letter (ơ, ư: their own).
# Printable ASCII, then (by code point: a glyph table, not words) Đ đ Ơ ơ Ư ư, the quotation
# marks, the dashes, the ellipsis, the guillemets, the bullets, the degree sign and ă.
_LETTERS: Final = (0x110, 0x111, 0x1A0, 0x1A1, 0x1AF, 0x1B0)
_CHARS: Final = (
    "".join(map(chr, range(0x20, 0x7F)))
    + "".join(map(chr, (*_LETTERS, 0x201C, 0x201D, 0x2018, 0x2019, 0x2013, 0x2014, 0x2026)))
    + "".join(map(chr, (0xAB, 0xBB, 0xB7, 0x2022, 0xB0, 0x103)))
)
_REGULAR: Final = (
    512, 682, 836, 1024, 1024, 1706, 1593, 369, 682, 682, 1024, 1155, 512, 682, 512, 569,
    1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 569, 569, 1155, 1155, 1155,
    909, 1886, 1479, 1366, 1366, 1479, 1251, 1139, 1479, 1479, 682, 797, 1479, 1251, 1821,
    1479, 1479, 1139, 1479, 1366, 1139, 1251, 1479, 1479, 1933, 1479, 1479, 1251, 682, 569,
    682, 961, 1024, 682, 909, 1024, 909, 1024, 909, 682, 1024, 1024, 569, 569, 1024, 569, 1593,
    1024, 1024, 1024, 1024, 682, 797, 569, 1024, 1024, 1479, 1024, 1024, 909, 983, 410, 983,
    1108, 1479, 1024, 1479, 1083, 1589, 1110, 909, 909, 682, 682, 1024, 2048, 2048, 1024, 1024,
    682, 717, 819, 909,
)  # fmt: skip
_BOLD: Final = (
    512, 682, 1137, 1024, 1024, 2048, 1706, 569, 682, 682, 1024, 1167, 512, 682, 512, 569,
    1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1167, 1167, 1167,
    1024, 1905, 1479, 1366, 1479, 1479, 1366, 1251, 1593, 1593, 797, 1024, 1593, 1366, 1933,
    1479, 1593, 1251, 1593, 1479, 1139, 1366, 1479, 1479, 2048, 1479, 1479, 1366, 682, 569,
    682, 1190, 1024, 682, 1024, 1139, 909, 1139, 909, 682, 1024, 1139, 569, 682, 1139, 569,
    1706, 1139, 1024, 1139, 1139, 909, 797, 682, 1139, 1024, 1479, 1024, 1024, 909, 807, 451,
    807, 1065, 1479, 1139, 1593, 1134, 1630, 1229, 1024, 1024, 682, 682, 1024, 2048, 2048,
    1024, 1024, 683, 717, 819, 1024,
)  # fmt: skip
_WIDTHS: Final = {
    False: dict(zip(_CHARS, _REGULAR, strict=True)),
    True: dict(zip(_CHARS, _BOLD, strict=True)),
}
_HORN: Final = "\u031b"
# A letter with a horn (ơ, ư and their capitals) is as wide as the horned letter itself.
_HORNED: Final = dict(zip("oOuU", map(chr, (0x1A1, 0x1A0, 0x1B0, 0x1AF)), strict=True))


def _advance(ch: str, bold: bool) -> int:
    widths = _WIDTHS[bold]
    found = widths.get(ch)
    if found is not None:
        return found
    parts = unicodedata.normalize("NFD", ch)
    base = parts[0]
    if _HORN in parts and base in _HORNED:
        base = _HORNED[base]
    return widths.get(base, widths["n"])


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of ``text`` set in Times New Roman at ``size_pt``."""
    units = sum(_advance(ch, bold) for ch in text)
    return units / EM * size_pt / PT_PER_MM


def line_count(text: str, width_mm: float, size_pt: float, bold: bool, first_mm: float) -> int:
    """How many lines ``text`` takes in a column ``width_mm`` wide (the first line indented by
    ``first_mm``), broken word by word; a word longer than a line takes lines of its own."""
    lines = 0
    for part in text.split("\n"):
        words = part.split()
        lines += 1
        room = width_mm - first_mm
        used = 0.0
        space = text_width_mm(" ", size_pt, bold)
        for word in words:
            w = text_width_mm(word, size_pt, bold)
            need = w if used == 0 else used + space + w
            if need <= room or (used == 0 and w > room):
                used = need if used else w
                while used > room:  # a word wider than the line
                    lines += 1
                    used -= room
                    room = width_mm
                continue
            lines += 1
            room = width_mm
            used = w
    return lines


@dataclass(frozen=True)
class Block:
    """A paragraph as the estimate sees it."""

    text: str
    size_pt: float
    line_pt: float  # its exact line height
    bold: bool = False
    indent_mm: float = 0.0  # left indent
    first_mm: float = 0.0  # first line indent (beyond the left indent)
    before_pt: float = 0.0
    after_pt: float = 0.0
    keep_with_next: bool = False
    page_break_before: bool = False
    mark: str | None = None  # a bookmark whose page is wanted
    lines: int | None = None  # the lines it takes, when known (a TOC entry: one)


def pages_of_marks(
    blocks: Sequence[Block], width_mm: float, height_pt: float, first_page: int = 1
) -> dict[str, int]:
    """The page each marked block starts on, laying ``blocks`` out from ``first_page`` on pages
    ``height_pt`` high and ``width_mm`` wide (the text area)."""
    counts = [
        b.lines
        if b.lines is not None
        else line_count(b.text, width_mm - b.indent_mm, b.size_pt, b.bold, b.first_mm)
        for b in blocks
    ]
    page, used = first_page, 0.0
    marks: dict[str, int] = {}
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.page_break_before and used > 0:
            page, used = page + 1, 0.0
        # A block kept with the next moves with the next block's first lines (two of them:
        # the least a paragraph starts a page with).
        chain = block.before_pt + counts[i] * block.line_pt + block.after_pt
        j = i
        while blocks[j].keep_with_next and j + 1 < len(blocks):
            j += 1
            nxt = blocks[j]
            if nxt.keep_with_next:
                chain += nxt.before_pt + counts[j] * nxt.line_pt + nxt.after_pt
            else:
                chain += nxt.before_pt + min(2, counts[j]) * nxt.line_pt
        if used > 0 and used + chain > height_pt and chain <= height_pt:
            page, used = page + 1, 0.0
        if block.mark is not None:
            marks[block.mark] = page
        # The block's lines, continuing on the next pages when it is longer than what is left;
        # never one line alone at the foot or the head of a page (widow and orphan control).
        # The space before a paragraph is left out at the head of a page the text flowed onto
        # (both word processors do; after a page break it stays).
        if used > 0 or block.page_break_before:
            used += block.before_pt
        left = counts[i]
        while left:
            room = int((height_pt - used) // block.line_pt)
            if left <= room:
                used += left * block.line_pt
                break
            take = room if left - room >= 2 else room - 1
            if take < 2:
                if used == 0:  # a page of its own and still too long: as many as fit
                    take = max(room, 1)
                else:
                    page, used = page + 1, 0.0
                    continue
            left -= take
            page, used = page + 1, 0.0
        used += block.after_pt
        i += 1
    return marks
