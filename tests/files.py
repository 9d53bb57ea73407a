"""Spreadsheets written byte by byte, for what openpyxl would not write: inline strings, rich text
runs, error cells, cached formula values, `_xHHHH_` escapes, a sheet missing from its archive."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def inline(text: str) -> str:
    """A cell holding ``text`` as an inline string."""
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def rich(*runs: str) -> str:
    """A cell holding an inline rich text: one run per argument, every other one bold."""
    parts = "".join(
        f'<r>{"<rPr><b/></rPr>" if i % 2 else ""}<t xml:space="preserve">{escape(run)}</t></r>'
        for i, run in enumerate(runs)
    )
    return f'<c t="inlineStr"><is>{parts}</is></c>'


def shared(index: int) -> str:
    """A cell showing shared string number ``index``."""
    return f'<c t="s"><v>{index}</v></c>'


def raw_xlsx(
    rows: list[list[str]] | str,
    *,
    strings: list[str] | None = None,
    numbers: list[int] | None = None,
    with_sheet: bool = True,
) -> bytes:
    """A minimal workbook of one sheet.

    ``rows``: cell XML per row (numbered 1, 2… or by ``numbers``), or the sheetData XML itself.
    ``strings``: the shared strings, each as plain text or as ``<si>`` XML when it starts with
    ``<``.
    """
    if isinstance(rows, str):
        data = rows
    else:
        numbers = numbers or list(range(1, len(rows) + 1))
        data = "".join(
            f'<row r="{n}">{"".join(cells)}</row>' for n, cells in zip(numbers, rows, strict=True)
        )
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    )
    relations = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if strings is not None:
        overrides += (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        )
        relations += (
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Câu hỏi" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}">{relations}</Relationships>',
        )
        if with_sheet:
            archive.writestr(
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{_MAIN}"><sheetData>{data}</sheetData></worksheet>',
            )
        if strings is not None:
            items = "".join(
                s if s.startswith("<") else f'<si><t xml:space="preserve">{escape(s)}</t></si>'
                for s in strings
            )
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{items}</sst>')
    return buffer.getvalue()
