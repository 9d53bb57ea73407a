"""The register of documents as a file (XLSX, CSV): import, export and the empty template.

The question bank's rules hold (``questions/importer.py``, whose readers and checks are used):
an import is all or nothing — every row a valid entry, or :class:`ImportRejected` listing every
problem (each row and column); cells are cleaned like typed text; a file of another kind than its
extension, too large, damaged, not UTF-8, with formula errors or control characters is refused
with the reason. The checks that need the register itself (a replacement naming a document that
is nowhere, a loop, a date before the document) are made by ``bot/services/register.py`` with
the same problems, before anything is stored.

Columns (dòng tiêu đề): «Ký hiệu» (required: ``232-QĐ/TW``, ``170/2025/NĐ-CP``, or a name such
as «Điều lệ Đảng»), «Loại văn bản», «Trích yếu» (required), «Ngày ban hành» (required),
«Cơ quan ban hành» (required), «Tình trạng» (empty: còn hiệu lực), «Văn bản thay thế, sửa đổi»,
«Từ ngày», «Nguồn» (required: where the status comes from).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.citations import Citation, parse_symbol
from bot.text import clean_line, clean_lines, normalize_for_match, refused_char
from bot.words import REGISTER_HEADERS
from questions.importer import (
    ImportProblem,
    ImportRejected,
    _check_content,
    _escape_cell,
    _Fail,
    _Row,
    csv_rows,
    display_filename,
    guide_sheet,
    xlsx_rows,
)
from questions.model import COLUMN_BY_FIELD

log = logging.getLogger("hoidap.register")

MAX_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_ROWS: Final = 1000
MAX_COLUMNS: Final = 100
_HEADER_ROWS: Final = 10

STATUS_WORDS: Final = {
    "": "in_force",
    "con hieu luc": "in_force",
    "hieu luc": "in_force",
    "dang co hieu luc": "in_force",
    "in force": "in_force",
    "duoc thay the": "replaced",
    "bi thay the": "replaced",
    "da duoc thay the": "replaced",
    "thay the": "replaced",
    "replaced": "replaced",
    "duoc sua doi bo sung": "amended",
    "duoc sua doi": "amended",
    "sua doi bo sung": "amended",
    "sua doi": "amended",
    "amended": "amended",
    "het hieu luc": "repealed",
    "bai bo": "repealed",
    "bi bai bo": "repealed",
    "da bai bo": "repealed",
    "repealed": "repealed",
}


@dataclass(frozen=True)
class RegisterColumn:
    field: str
    header: str
    required: bool
    limit: int
    width: int
    help: str
    aliases: tuple[str, ...] = ()


COLUMNS: Final[tuple[RegisterColumn, ...]] = (
    RegisterColumn(
        "symbol",
        REGISTER_HEADERS["symbol"],
        True,
        120,
        20,
        "Bắt buộc. Số và ký hiệu như trên văn bản: «232-QĐ/TW», «01-HD/TW», «170/2025/NĐ-CP», "
        "«80/2025/QH15»; văn bản không có số ghi tên: «Điều lệ Đảng».",
        ("symbol", "so ky hieu", "so hieu"),
    ),
    RegisterColumn(
        "kind",
        REGISTER_HEADERS["kind"],
        False,
        40,
        16,
        "Không bắt buộc: Quy định, Hướng dẫn, Nghị quyết, Nghị định, Thông tư, Luật…",
        ("kind", "loai"),
    ),
    RegisterColumn(
        "title",
        REGISTER_HEADERS["title"],
        True,
        500,
        50,
        "Bắt buộc. Tên, trích yếu nội dung của văn bản.",
        ("title", "ten van ban"),
    ),
    RegisterColumn(
        "issued_on",
        REGISTER_HEADERS["issued_on"],
        True,
        20,
        14,
        "Bắt buộc. Ngày/tháng/năm, ví dụ 20/01/2025.",
        ("issued on", "ngay"),
    ),
    RegisterColumn(
        "issued_by",
        REGISTER_HEADERS["issued_by"],
        True,
        200,
        26,
        "Bắt buộc. Ví dụ: Ban Chấp hành Trung ương, Bộ Chính trị, Chính phủ, Quốc hội.",
        ("issued by", "co quan"),
    ),
    RegisterColumn(
        "status",
        REGISTER_HEADERS["status"],
        False,
        40,
        18,
        "Còn hiệu lực (để trống cũng là còn hiệu lực), Được thay thế, Được sửa đổi, bổ sung, "
        "Hết hiệu lực.",
        ("status", "hieu luc"),
    ),
    RegisterColumn(
        "successor",
        REGISTER_HEADERS["successor"],
        False,
        120,
        20,
        "Với «Được thay thế» hay «Được sửa đổi, bổ sung»: ký hiệu của văn bản thay thế, sửa "
        "đổi; văn bản đó phải có trong tệp hoặc đã có trong sổ.",
        ("successor", "van ban thay the", "thay the boi", "van ban thay the sua doi"),
    ),
    RegisterColumn(
        "status_from",
        REGISTER_HEADERS["status_from"],
        False,
        20,
        14,
        "Ngày tình trạng bắt đầu: ngày có hiệu lực, ngày bị thay thế, hết hiệu lực.",
        ("from", "tu ngay", "ngay hieu luc"),
    ),
    RegisterColumn(
        "source",
        REGISTER_HEADERS["source"],
        True,
        1000,
        60,
        "Bắt buộc. Nơi công bố tình trạng của văn bản (trang tin, số báo, ngày đăng). Chưa có "
        "nguồn thì không ghi văn bản vào sổ.",
        ("source",),
    ),
)


def _key(header: str) -> str:
    return normalize_for_match(header).replace(" ", "")


_BY_KEY: Final = {key: c for c in COLUMNS for key in (_key(c.header), *map(_key, c.aliases))}
_SYMBOL_KEY: Final = normalize_for_match(COLUMNS[0].header).replace(" ", "")
QUESTION_HEADER: Final = COLUMN_BY_FIELD["text"].header


@dataclass(frozen=True)
class EntryDraft:
    """One row of a register file, read and checked on its own."""

    row: int
    symbol: str  # as written
    kind: str
    title: str
    issued_on: date
    issued_by: str
    status: str  # bot.refs.STATUSES
    successor: str | None  # the successor's symbol as written
    status_from: date | None
    source: str
    citation: Citation = field(compare=False, repr=False)


_DATE: Final = re.compile(
    r"\s*(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2}))(?:\s+00:00(?::00)?)?\s*"
)


def read_date(text: str) -> date | None:
    """A whole date as people and spreadsheets write it (1930–2100), else None."""
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    y, mo, d = (
        (m.group("y"), m.group("m"), m.group("d"))
        if m.group("y")
        else (m.group("y2"), m.group("m2"), m.group("d2"))
    )
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    return day if 1930 <= day.year <= 2100 else None


def read_status(text: str) -> str | None:
    return STATUS_WORDS.get(" ".join(re.findall(r"[a-z0-9_]+", normalize_for_match(text))))


def _header(rows: list[_Row]) -> int:
    for i, row in enumerate(rows[:_HEADER_ROWS]):
        if any(normalize_for_match(c).replace(" ", "") == _SYMBOL_KEY for c in row.cells):
            return i
    return 0


def _columns(header: _Row) -> tuple[dict[int, RegisterColumn], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    found: dict[int, RegisterColumn] = {}
    first: dict[str, int] = {}
    for idx, cell in enumerate(header.cells):
        name = clean_line(cell)
        if not name:
            continue
        letter = get_column_letter(idx + 1)
        column = _BY_KEY.get(normalize_for_match(name).replace(" ", ""))
        if column is None:
            problems.append(ImportProblem("unknown_column", None, name, {"column": letter}))
        elif column.field in first:
            detail: dict[str, str | int] = {
                "column": letter,
                "first_column": get_column_letter(first[column.field] + 1),
            }
            problems.append(ImportProblem("duplicate_column", None, column.header, detail))
        else:
            found[idx] = column
            first[column.field] = idx
    for column in COLUMNS:
        if column.required and column.field not in first:
            problems.append(ImportProblem("missing_column", None, column.header))
    return found, problems


def _row(
    row: _Row, columns: dict[int, RegisterColumn]
) -> tuple[EntryDraft | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []
    values: dict[str, str] = {}
    for idx, column in columns.items():
        raw = row.cells[idx] if idx < len(row.cells) else ""
        if idx in row.errors:
            problems.append(
                ImportProblem("cell_error", row.number, column.header, {"value": row.errors[idx]})
            )
            continue
        bad = refused_char(raw)
        if bad is not None:
            detail: dict[str, str | int] = {"char": f"U+{ord(bad):04X}"}
            problems.append(ImportProblem("control_chars", row.number, column.header, detail))
            continue
        value = clean_lines(raw) if column.field in ("title", "source") else clean_line(raw)
        if len(value) > column.limit:
            detail = {"limit": column.limit, "length": len(value)}
            problems.append(ImportProblem("too_long", row.number, column.header, detail))
            continue
        if column.required and not value:
            problems.append(ImportProblem("empty_text", row.number, column.header))
            continue
        values[column.field] = value
    if problems:
        return None, problems
    header = {c.field: c.header for c in COLUMNS}
    citation = parse_symbol(values["symbol"])
    if citation is None:
        problems.append(
            ImportProblem("bad_symbol", row.number, header["symbol"], {"value": values["symbol"]})
        )
    issued_on = read_date(values["issued_on"])
    if issued_on is None:
        problems.append(
            ImportProblem(
                "bad_date", row.number, header["issued_on"], {"value": values["issued_on"]}
            )
        )
    status = read_status(values.get("status", ""))
    if status is None:
        problems.append(
            ImportProblem("bad_status", row.number, header["status"], {"value": values["status"]})
        )
    start: date | None = None
    if values.get("status_from"):
        start = read_date(values["status_from"])
        if start is None:
            problems.append(
                ImportProblem(
                    "bad_date", row.number, header["status_from"], {"value": values["status_from"]}
                )
            )
    successor = values.get("successor") or None
    if successor is not None and parse_symbol(successor) is None:
        problems.append(
            ImportProblem("bad_symbol", row.number, header["successor"], {"value": successor})
        )
    if status in ("replaced", "amended") and successor is None:
        problems.append(ImportProblem("needs_successor", row.number, header["successor"]))
    if status in ("in_force", "repealed") and successor is not None:
        problems.append(ImportProblem("no_successor", row.number, header["successor"]))
    if problems or citation is None or issued_on is None or status is None:
        return None, problems
    kind = values.get("kind") or citation.kind or ""
    return (
        EntryDraft(
            row=row.number,
            symbol=values["symbol"],
            kind=kind,
            title=values["title"],
            issued_on=issued_on,
            issued_by=values["issued_by"],
            status=status,
            successor=successor,
            status_from=start,
            source=values["source"],
            citation=citation,
        ),
        [],
    )


def parse_register(filename: str, data: bytes) -> list[EntryDraft]:
    """Every entry of a register file (.xlsx or .csv), or :class:`ImportRejected` listing
    every problem. Never raises anything else."""
    name = display_filename(filename) or "tep"
    ext = PurePath(name).suffix.lower()
    if ext not in (".xlsx", ".csv"):
        raise ImportRejected(name, [ImportProblem("unsupported_type", detail={"extension": ext})])
    if len(data) > MAX_FILE_BYTES:
        detail: dict[str, str | int] = {"limit": MAX_FILE_BYTES, "size": len(data)}
        raise ImportRejected(name, [ImportProblem("too_large", detail=detail)])
    if not data.strip(b" \t\r\n"):
        raise ImportRejected(name, [ImportProblem("empty_file")])
    keep = MAX_ROWS + _HEADER_ROWS + 2
    try:
        _check_content(ext, data)
        rows = xlsx_rows(data, keep) if ext == ".xlsx" else csv_rows(data, keep)[0]
        drafts, problems = _read(rows)
    except _Fail as fail:
        raise ImportRejected(name, [fail.problem]) from None
    except Exception:
        log.exception("register file %r could not be read", name)
        raise ImportRejected(name, [ImportProblem("unreadable")]) from None
    if problems:
        raise ImportRejected(name, problems)
    if not drafts:
        raise ImportRejected(name, [ImportProblem("no_rows")])
    return drafts


def looks_like_register(filename: str, data: bytes) -> bool:
    """Whether a spreadsheet sent to the bot is a register file (its header names «Ký hiệu»
    and no question column) rather than questions: only its first rows are read."""
    ext = PurePath(display_filename(filename)).suffix.lower()
    if ext not in (".xlsx", ".csv") or len(data) > MAX_FILE_BYTES:
        return False
    try:
        rows = xlsx_rows(data, _HEADER_ROWS) if ext == ".xlsx" else csv_rows(data, _HEADER_ROWS)[0]
    except Exception:
        return False
    question = _key(QUESTION_HEADER)
    for row in rows:
        keys = {_key(c) for c in row.cells if c.strip()}
        if _SYMBOL_KEY in keys:
            return question not in keys
    return False


def _read(rows: list[_Row]) -> tuple[list[EntryDraft], list[ImportProblem]]:
    if not rows:
        return [], []
    start = _header(rows)
    for row in rows[start:]:
        width = len(row.cells)
        while width and not row.cells[width - 1].strip():
            width -= 1
        if width > MAX_COLUMNS:
            detail: dict[str, str | int] = {"limit": MAX_COLUMNS, "columns": width}
            raise _Fail(ImportProblem("too_many_columns", row.number, None, detail))
    columns, problems = _columns(rows[start])
    if problems:
        return [], problems
    data = rows[start + 1 :]
    if len(data) > MAX_ROWS:
        return [], [ImportProblem("too_many_rows", detail={"limit": MAX_ROWS})]
    drafts: list[EntryDraft] = []
    first_row: dict[tuple[str, str | None, int], int] = {}
    for row in data:
        draft, found = _row(row, columns)
        problems += found
        if draft is None:
            continue
        c = draft.citation
        year = c.year if c.symbol_year and c.year is not None else draft.issued_on.year
        identity = (c.key, c.issuer, year)
        if identity in first_row:
            detail = {"first_row": first_row[identity]}
            problems.append(
                ImportProblem("duplicate_in_file", row.number, REGISTER_HEADERS["symbol"], detail)
            )
            continue
        first_row[identity] = row.number
        drafts.append(draft)
    return drafts, problems


# -- export ---------------------------------------------------------------------------------------

_HEADER_FONT: Final = Font(bold=True, color="FFFFFF")
_HEADER_FILL: Final = PatternFill("solid", fgColor="9C1C1C")
_WRAP: Final = Alignment(wrap_text=True, vertical="top")
_GUIDE: Final = (
    "Mỗi dòng của trang «Sổ văn bản» là một văn bản; dòng 1 là tiêu đề cột, giữ nguyên tên cột.",
    "Tệp chỉ được nhập khi không còn lỗi nào: nếu có lỗi, sổ văn bản giữ nguyên và bot liệt kê "
    "từng lỗi (dòng, cột, lý do).",
    "Văn bản đã có trong sổ (cùng ký hiệu và năm) được cập nhật theo tệp; văn bản mới được thêm.",
    "Văn bản thay thế, sửa đổi phải có trong tệp hoặc đã có trong sổ; không được thay thế vòng "
    "tròn (A thay B, B thay A) hay ghi ngày thay thế trước ngày ban hành của văn bản.",
    f"Mỗi tệp tối đa {MAX_ROWS} văn bản và {MAX_FILE_BYTES // (1024 * 1024)} MB.",
    "Chỉ ghi tình trạng có nguồn công bố (cột «Nguồn»): sổ văn bản là căn cứ để bot báo các câu "
    "trả lời chính thức cần rà soát.",
)


def _cells(entry: Sequence[str]) -> list[str]:
    return [_escape_cell(v) for v in entry]


def register_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    """The register (rows of the columns' values, as text) as a workbook with a guide sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sổ văn bản"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"
    for idx, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(idx)].width = column.width
    for row in rows:
        sheet.append(_cells(row))
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = _WRAP
    guide_sheet(book, [(c.header, c.required, c.help) for c in COLUMNS], _GUIDE, 24)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow(_cells(row))
    return buffer.getvalue().encode("utf-8-sig")


def register_file(filename: str, rows: Sequence[Sequence[str]]) -> bytes:
    """``rows`` as a file of the format ``filename`` names (.xlsx or .csv)."""
    ext = PurePath(filename).suffix.lower()
    if ext == ".xlsx":
        return register_xlsx(rows)
    if ext == ".csv":
        return register_csv(rows)
    raise ValueError(f"unsupported register format: {ext!r}")
