"""Import and export of the question bank as XLSX, CSV and YAML files.

An import is all or nothing: either every row of the file is a valid question and the whole list is
returned, or :class:`ImportRejected` lists every problem found (each bad row and field), so the
person who sent the file can fix everything in one pass. Problems carry machine codes and
parameters; the Vietnamese wording lives in ``bot/templates/import_rejected.j2``.

Every field is cleaned by the same rules as text typed in chat (``bot/text.py``: NFC, invisible
and bidirectional control characters dropped, spaces folded); a field holding a control
character is an invalid row. Parsing is CPU work without I/O: the bot runs it off the event loop.

Repeats *within* a file are invalid rows. Questions already in a program's bank are not invalid:
``bot/services/bank.py`` skips them and names each one, by the ``row`` every draft carries.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePath
from typing import Any, Final

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.text import (
    clean_line,
    clean_lines,
    normalize_for_match,
    refused_char,
)
from questions.checks import OLE_MAGIC, SUFFIXES, looks_utf16, wrong_content, zip_problem
from questions.model import (
    ALL_COLUMNS,
    COLUMN_BY_FIELD,
    COLUMNS,
    DEFAULT_TOPIC,
    LIMITS,
    MAX_LENGTHS,
    STANDARD_TOPICS,
    TAGS_COLUMN,
    Column,
    FieldName,
    ImportProblem,
    ImportRejected,
    QuestionDraft,
    display_filename,
    join_tags,
    split_tags,
)

try:
    from yaml import CSafeDumper as _SafeDumper
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = [
    "PROBLEM_CODES",
    "ImportProblem",
    "ImportRejected",
    "display_filename",
    "export_questions",
    "normalize_for_match",
    "parse_questions",
    "template_xlsx",
    "write_questions_csv",
    "write_questions_xlsx",
    "write_questions_yaml",
    "write_template_xlsx",
]

# Every code an ImportProblem may carry, with the detail keys it always sets (others optional).
PROBLEM_CODES: Final[dict[str, tuple[str, ...]]] = {
    # The file as a whole.
    "unsupported_type": ("extension",),
    "empty_file": (),
    # The content is of another kind than the extension says: "actual" is "xlsx" (a workbook),
    # "ole" (a legacy .xls or a password-protected workbook), "zip" (another archive) or "text".
    "wrong_content": ("extension", "actual"),
    # "limit" in bytes; optional: "size" (the file's bytes) or "ratio" (a zip member's bound);
    # neither: the .xlsx archive expands beyond "limit".
    "too_large": ("limit",),
    "bad_encoding": (),  # optional: "guess" (encoding it seems to be in), "line"
    "bad_csv": (),  # optional: "line" (where the record that cannot be read starts)
    # Optional: "line" (syntax error, or with "key": a key written twice in one mapping),
    # "documents" (how many documents the stream holds), "aliases" (aliases expand the content
    # beyond this many characters); row set when one item is not a mapping.
    "bad_yaml": (),
    "encrypted_xlsx": (),
    "corrupt_xlsx": (),
    "unreadable": (),  # a reader failed in an unforeseen way (logged)
    "no_rows": (),
    "too_many_rows": ("limit",),
    # A row filled across more than "limit" columns ("columns": up to its last filled cell); for
    # YAML an item with more than "limit" keys. Row set: the first such row.
    "too_many_columns": ("limit", "columns"),
    # The header row (for YAML: an item's keys).
    "missing_column": (),
    "unknown_column": (),  # optional: "column" (spreadsheet column letter)
    "unnamed_column": ("column",),
    "duplicate_column": (),  # optional: "column", "first_column"
    # A row's fields.
    "empty_text": (),
    "too_short": ("limit", "length"),
    "too_long": ("limit", "length"),
    "control_chars": ("char",),
    # YAML: "list", "mapping", "binary" or "other" (a set, …) where a text was expected.
    "bad_value": ("kind",),
    "cell_error": ("value",),  # a spreadsheet cell showing a formula error such as #REF!
    # CSV: a row that only splits into the header's columns at "delimiter", not at "expected".
    "mixed_delimiter": ("delimiter", "expected"),
    "duplicate_in_file": ("first_row",),
}

_TEXT_HEADER: Final = COLUMN_BY_FIELD["text"].header

log = logging.getLogger("hoidap.questions")


class _Fail(Exception):
    """Raised inside a reader when the file cannot be read at all."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass
class _Record:
    row: int
    values: dict[FieldName, str]
    invalid: frozenset[FieldName] = frozenset()  # fields already reported as not text


@dataclass
class _Row:
    """A non-blank row of a table: its number, its cells as text, and cells showing an error."""

    number: int
    cells: list[str]
    errors: dict[int, str] = dataclasses.field(default_factory=dict)  # column index -> "#REF!"


# --------------------------------------------------------------------------------------------
# Text normalization


def _header_key(header: str) -> str:
    return normalize_for_match(header).replace(" ", "")


_FIELD_BY_KEY: Final[dict[str, FieldName]] = {
    **{_header_key(c.header): c.field for c in ALL_COLUMNS},
    **{_header_key(c.field): c.field for c in ALL_COLUMNS},
}
_TEXT_KEYS: Final = frozenset(k for k, f in _FIELD_BY_KEY.items() if f == "text")


def _normalize(value: str, multiline: bool) -> str:
    """A field cleaned exactly as typed text is (``bot/text.py``)."""
    return clean_lines(value) if multiline else clean_line(value)


# Spreadsheet formula injection: a cell starting with one of these is escaped on export with a
# leading apostrophe. Values already starting with apostrophes before such a character get one
# more, so that stripping exactly one apostrophe on import restores every value.
_FORMULA_START: Final = "=+-@\t\r"
_NEEDS_ESCAPE: Final = re.compile(rf"'*[{re.escape(_FORMULA_START)}]")
_ESCAPED: Final = re.compile(rf"'+[{re.escape(_FORMULA_START)}]")


def _escape_cell(value: str) -> str:
    return "'" + value if _NEEDS_ESCAPE.match(value) else value


def _unescape_cell(value: str) -> str:
    return value[1:] if _ESCAPED.match(value) else value


# --------------------------------------------------------------------------------------------
# Import


def parse_questions(filename: str, data: bytes) -> list[QuestionDraft]:
    """Read every question in ``data``, a file named ``filename`` (.xlsx, .csv, .yaml or .yml).

    Returns the questions in file order, or raises :class:`ImportRejected` listing every problem
    (its ``filename`` is :func:`display_filename` of the name given). Never raises anything else.
    """
    name = display_filename(filename)
    ext = PurePath(name).suffix.lower()
    reader = _READERS.get(ext)
    if reader is None:
        raise ImportRejected(name, [ImportProblem("unsupported_type", detail={"extension": ext})])
    if len(data) > LIMITS.max_file_bytes:
        detail: dict[str, str | int] = {"limit": LIMITS.max_file_bytes, "size": len(data)}
        raise ImportRejected(name, [ImportProblem("too_large", detail=detail)])
    if not data.strip(b" \t\r\n"):
        raise ImportRejected(name, [ImportProblem("empty_file")])
    try:
        _check_content(ext, data)
        records, problems = reader(data)
        drafts = _validate(records, problems)
    except _Fail as fail:
        raise ImportRejected(name, [fail.problem]) from None
    except Exception:
        # A reader bug or a library failing on input nobody foresaw: the person still gets a
        # clear refusal, and the fault is in the log to be fixed.
        log.exception("question file %r could not be read", name)
        raise ImportRejected(name, [ImportProblem("unreadable")]) from None
    if problems:
        raise ImportRejected(name, problems)
    if not drafts:
        raise ImportRejected(name, [ImportProblem("no_rows")])
    return drafts


def _check_content(ext: str, data: bytes) -> None:
    """Refuse a file whose content is plainly of another kind than its extension says."""
    problem = wrong_content(ext, data)
    if problem is not None:
        raise _Fail(problem)


def _validate(records: list[_Record], problems: list[ImportProblem]) -> list[QuestionDraft]:
    """Turn records into drafts, appending a problem for each bad field to ``problems``."""
    drafts: list[QuestionDraft] = []
    first_row_of: dict[str, int] = {}
    for record in records:
        clean: dict[FieldName, str] = {}
        row_ok = not record.invalid
        for column in ALL_COLUMNS:
            if column.field in record.invalid:
                continue
            raw = record.values.get(column.field, "")
            bad = refused_char(raw)
            if bad is not None:
                problems.append(
                    ImportProblem(
                        "control_chars", record.row, column.header, {"char": f"U+{ord(bad):04X}"}
                    )
                )
                row_ok = False
                continue
            value = _normalize(raw, column.multiline)
            problem = _check_length(column, value, record.row)
            if problem is None and column.field == "tags":
                problem = _check_tags(value, record.row)
            if problem is not None:
                problems.append(problem)
                row_ok = False
            clean[column.field] = value
        text = clean.get("text", "")
        if text:
            key = normalize_for_match(text)
            first = first_row_of.setdefault(key, record.row)
            if first != record.row:
                problems.append(
                    ImportProblem(
                        "duplicate_in_file", record.row, _TEXT_HEADER, {"first_row": first}
                    )
                )
                row_ok = False
        if row_ok:
            drafts.append(
                QuestionDraft(
                    text=text,
                    topic=clean.get("topic") or DEFAULT_TOPIC,
                    source_unit=clean.get("source_unit") or None,
                    legal_refs=clean.get("legal_refs") or None,
                    suggested_answer=clean.get("suggested_answer") or None,
                    tags=split_tags(clean.get("tags", "")),
                    row=record.row,
                )
            )
    return drafts


def _check_tags(value: str, row: int) -> ImportProblem | None:
    for tag in split_tags(value):
        if len(tag) > LIMITS.max_tag:
            detail: dict[str, str | int] = {"limit": LIMITS.max_tag, "length": len(tag)}
            return ImportProblem("too_long", row, TAGS_COLUMN.header, detail)
    return None


def _check_length(column: Column, value: str, row: int) -> ImportProblem | None:
    limit = MAX_LENGTHS[column.field]
    if column.required and not value:
        return ImportProblem("empty_text", row, column.header)
    if len(value) > limit:
        return ImportProblem("too_long", row, column.header, {"limit": limit, "length": len(value)})
    if column.field == "text" and len(value) < LIMITS.min_text:
        return ImportProblem(
            "too_short", row, column.header, {"limit": LIMITS.min_text, "length": len(value)}
        )
    return None


_Reader = Callable[[bytes], tuple[list[_Record], list[ImportProblem]]]

# The header is the first non-blank row naming the "Câu hỏi" column among this many; rows above
# it (a title, a date) are not part of the table. Without such a row, the first non-blank row is
# taken as the header, and its problems are reported.
_HEADER_SEARCH_ROWS: Final = 10
# Non-blank rows a reader keeps: enough for title rows, the header and one row too many.
_ROWS_KEPT: Final = LIMITS.max_rows + _HEADER_SEARCH_ROWS + 2


def _is_header(cells: list[str]) -> bool:
    return any(_header_key(clean_line(cell)) in _TEXT_KEYS for cell in cells if cell.strip())


def _width(row: _Row) -> int:
    """The columns ``row`` spans up to its last filled cell (or cell showing an error)."""
    width = len(row.cells)
    while width and not row.cells[width - 1].strip() and width - 1 not in row.errors:
        width -= 1
    return width


def _check_width(rows: list[_Row]) -> None:
    """Refuse a table with a row filled across more than ``LIMITS.max_columns`` columns."""
    for row in rows:
        width = _width(row)
        if width > LIMITS.max_columns:
            detail: dict[str, str | int] = {"limit": LIMITS.max_columns, "columns": width}
            raise _Fail(ImportProblem("too_many_columns", row.number, None, detail))


def _records_from_table(rows: list[_Row]) -> tuple[list[_Record], list[ImportProblem]]:
    """Map a table's non-blank rows to records, by the header row's columns.

    ``rows`` may stop early: it holds at most :data:`_ROWS_KEPT` rows, enough to tell that there
    are too many.
    """
    problems: list[ImportProblem] = []
    if not rows:
        return [], problems
    start = next((i for i, r in enumerate(rows[:_HEADER_SEARCH_ROWS]) if _is_header(r.cells)), 0)
    _check_width(rows[start:])
    # Empty cells after the last name are no columns (a spreadsheet's used range gone wide).
    header, data = rows[start].cells[: _width(rows[start])], rows[start + 1 :]
    fields: dict[int, FieldName] = {}
    first_col_of: dict[FieldName, int] = {}
    unnamed: set[int] = set()
    for idx, cell in enumerate(header):
        name = _normalize(cell, multiline=False)
        if not name:
            unnamed.add(idx)
            continue
        letter = get_column_letter(idx + 1)
        found = _FIELD_BY_KEY.get(_header_key(name))
        if found is None:
            problems.append(ImportProblem("unknown_column", None, name, {"column": letter}))
        elif found in first_col_of:
            first = get_column_letter(first_col_of[found] + 1)
            problems.append(
                ImportProblem(
                    "duplicate_column",
                    None,
                    COLUMN_BY_FIELD[found].header,
                    {"column": letter, "first_column": first},
                )
            )
        else:
            fields[idx] = found
            first_col_of[found] = idx
    if "text" not in first_col_of:
        problems.insert(0, ImportProblem("missing_column", None, _TEXT_HEADER))
        return [], problems
    if len(data) > LIMITS.max_rows:
        problems.append(ImportProblem("too_many_rows", detail={"limit": LIMITS.max_rows}))
        return [], problems

    records: list[_Record] = []
    reported_unnamed: set[int] = set()
    for row in data:
        values: dict[FieldName, str] = {}
        invalid: set[FieldName] = set()
        for idx, cell in enumerate(row.cells):
            if idx in fields:
                field = fields[idx]
                if idx in row.errors:
                    header_text = COLUMN_BY_FIELD[field].header
                    detail: dict[str, str | int] = {"value": row.errors[idx]}
                    problems.append(ImportProblem("cell_error", row.number, header_text, detail))
                    invalid.add(field)
                values[field] = cell
            elif (
                (idx in unnamed or idx >= len(header))
                and cell.strip()
                and idx not in reported_unnamed
            ):
                reported_unnamed.add(idx)
                letter = get_column_letter(idx + 1)
                problems.append(
                    ImportProblem("unnamed_column", row.number, None, {"column": letter})
                )
        records.append(_Record(row.number, values, frozenset(invalid)))
    return records, problems


# CSV ----------------------------------------------------------------------------------------

# A field may be as long as the whole file: a too long cell is then reported as too long, not as
# a broken file. (The limit is the csv module's, process-wide; nothing else here reads CSV.)
csv.field_size_limit(max(csv.field_size_limit(), LIMITS.max_file_bytes + 1))
_DELIMITERS: Final = (",", ";", "\t")


_VIETNAMESE_1258: Final = frozenset("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")


def _guess_encoding(data: bytes) -> str | None:
    if looks_utf16(data):
        return "UTF-16"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and any(ch in _VIETNAMESE_1258 for ch in text):
        return "Windows-1258"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "Windows-1252"


def _decode_text(data: bytes, malformed_code: str) -> str:
    """Decode a text file that must be UTF-8 (a BOM is allowed)."""
    if b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if looks_utf16(data):
            raise _Fail(ImportProblem("bad_encoding", detail={"guess": "UTF-16"}))
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise _Fail(ImportProblem(malformed_code, detail={"line": line}))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detail: dict[str, str | int] = {"line": data[: exc.start].count(b"\n") + 1}
        guess = _guess_encoding(data)
        if guess:
            detail["guess"] = guess
        raise _Fail(ImportProblem("bad_encoding", detail=detail)) from None


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def csv_rows(data: bytes, keep: int = _ROWS_KEPT) -> tuple[list[_Row], str]:
    """The non-blank rows of a CSV file (at most ``keep``) and its delimiter; :class:`_Fail` for
    a file that is not UTF-8 CSV. Shared with the register of documents (questions/register.py).
    """
    text = _decode_text(data, "bad_csv")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[_Row] = []
    start_line = 1  # the line where the record being read starts
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                rows.append(_Row(number, [_unescape_cell(cell) for cell in cells]))
                if len(rows) >= keep:
                    break
            start_line = reader.line_num + 1
    except csv.Error:
        raise _Fail(ImportProblem("bad_csv", detail={"line": start_line})) from None
    return rows, delimiter


def _read_csv(data: bytes) -> tuple[list[_Record], list[ImportProblem]]:
    rows, delimiter = csv_rows(data)
    records, problems = _records_from_table(rows)
    problems.extend(_mixed_delimiters(rows, delimiter))
    return records, problems


def _mixed_delimiters(rows: list[_Row], delimiter: str) -> list[ImportProblem]:
    """Rows written with another delimiter than the header's: each one is a single cell that
    splits at another delimiter into exactly the header's columns (three or more)."""
    header = next((r for r in rows[:_HEADER_SEARCH_ROWS] if _is_header(r.cells)), None)
    if header is None:
        return []
    width = len(header.cells)
    while width and not header.cells[width - 1].strip():
        width -= 1
    if width < 3:
        return []
    problems: list[ImportProblem] = []
    after = next(i for i, r in enumerate(rows) if r is header) + 1
    for row in rows[after:]:
        if len(row.cells) != 1:
            continue
        for other in _DELIMITERS:
            if other == delimiter or other not in row.cells[0]:
                continue
            try:
                parts = next(csv.reader([row.cells[0]], delimiter=other))
            except csv.Error:
                continue
            if len(parts) == width:
                detail: dict[str, str | int] = {"delimiter": other, "expected": delimiter}
                problems.append(ImportProblem("mixed_delimiter", row.number, None, detail))
                break
    return problems


# XLSX ---------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    problem = zip_problem(data)
    if problem is not None:
        raise _Fail(problem)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell's value as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M:%S}" if value.second else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# Office writes characters XML cannot hold (and literal "_xHHHH_" texts) as "_xHHHH_"; openpyxl
# leaves them as they are. Decoded, a control character written this way is then refused.
_OOXML_ESCAPE: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xlsx_text(value: str) -> str:
    if "_x" not in value:
        return value
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def _sheet_rows(sheet: Any, keep: int = _ROWS_KEPT) -> list[_Row]:
    rows: list[_Row] = []
    # Trust the cells, not a declared dimension that may claim a million rows.
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        texts: list[str] = []
        errors: dict[int, str] = {}
        for idx, cell in enumerate(cells):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "e" and value is not None:
                errors[idx] = str(value)
            texts.append(_xlsx_text(value) if isinstance(value, str) else _cell_text(value))
        if errors or any(text.strip() for text in texts):
            rows.append(_Row(number, [_unescape_cell(text) for text in texts], errors))
            if len(rows) >= keep:
                break
    return rows


def _read_xlsx(data: bytes) -> tuple[list[_Record], list[ImportProblem]]:
    return _records_from_table(xlsx_rows(data))


def xlsx_rows(data: bytes, keep: int = _ROWS_KEPT) -> list[_Row]:
    """The non-blank rows (at most ``keep``) of the first worksheet with something in it;
    :class:`_Fail` for a workbook that cannot be read. Shared with the register of documents."""
    if data.startswith(OLE_MAGIC):
        # Both a password-protected .xlsx and a legacy .xls are OLE compound files.
        raise _Fail(ImportProblem("encrypted_xlsx"))
    _check_zip(data)
    rows: list[_Row] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            try:
                if not book.worksheets and not book.chartsheets:
                    # openpyxl skips a sheet missing from the archive: nothing is left.
                    raise _Fail(ImportProblem("corrupt_xlsx"))
                # The first worksheet with something in it (chart sheets are not worksheets).
                for sheet in book.worksheets:
                    rows = _sheet_rows(sheet, keep)
                    if rows:
                        break
            finally:
                book.close()
    except _Fail:
        raise
    except Exception:
        raise _Fail(ImportProblem("corrupt_xlsx")) from None
    return rows


# YAML ---------------------------------------------------------------------------------------

_NULL_TAG: Final = "tag:yaml.org,2002:null"
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
# Aliases let a small file stand for a huge text ("billion laughs"): the texts read from a file
# may add up to at most this many characters.
_MAX_YAML_CHARS: Final = 2 * LIMITS.max_file_bytes


def _null_resolvers_only() -> dict[Any, list[tuple[Any, re.Pattern[str]]]]:
    kept: dict[Any, list[tuple[Any, re.Pattern[str]]]] = {}
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items():
        nulls = [(tag, regexp) for tag, regexp in resolvers if tag == _NULL_TAG]
        if nulls:
            kept[first] = nulls
    return kept


class _StringsLoader(_SafeLoader):
    """A safe loader that reads every plain scalar as a string, except null.

    With YAML 1.1 typing, ``topic: no`` would be a boolean, ``1.10`` a float and ``2021-13-01`` an
    error; for question text these must stay exactly as written. A key written twice in one
    mapping is refused (PyYAML would silently keep the last value).
    """

    yaml_implicit_resolvers = _null_resolvers_only()

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = str(key_node.value)
            if key in seen:
                detail: dict[str, str | int] = {"line": key_node.start_mark.line + 1, "key": key}
                raise _Fail(ImportProblem("bad_yaml", detail=detail))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_items(document: Any) -> list[Any]:
    if document is None:
        return []
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and list(document) == ["questions"]:
        items = document["questions"]
        if items is None:
            return []
        if isinstance(items, list):
            return items
    raise _Fail(ImportProblem("bad_yaml"))


def _load_yaml(text: str) -> Any:
    try:
        documents = [d for d in yaml.load_all(text, Loader=_StringsLoader) if d is not None]
    except _Fail:
        raise
    except yaml.MarkedYAMLError as exc:
        detail: dict[str, str | int] = {}
        if exc.problem_mark is not None:
            detail["line"] = exc.problem_mark.line + 1
        raise _Fail(ImportProblem("bad_yaml", detail=detail)) from None
    except Exception:
        raise _Fail(ImportProblem("bad_yaml")) from None
    if len(documents) > 1:
        raise _Fail(ImportProblem("bad_yaml", detail={"documents": len(documents)}))
    return documents[0] if documents else None


_YAML_SCALARS: Final = (str, int, float, date, time)


def _yaml_value_kind(value: Any) -> str | None:
    """None for a value that reads as text; else what it is ("list", "mapping", "binary"…)."""
    if value is None or isinstance(value, _YAML_SCALARS):
        return None
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, bytes):
        return "binary"
    return "other"


def _read_yaml(data: bytes) -> tuple[list[_Record], list[ImportProblem]]:
    text = _decode_text(data, "bad_yaml")
    items = _yaml_items(_load_yaml(text))
    if sum(1 for item in items if item) > LIMITS.max_rows:
        raise _Fail(ImportProblem("too_many_rows", detail={"limit": LIMITS.max_rows}))

    records: list[_Record] = []
    problems: list[ImportProblem] = []
    chars = 0
    for row, item in enumerate(items, start=1):
        if not item:
            continue  # an empty item, like a blank row
        if not isinstance(item, dict):
            problems.append(ImportProblem("bad_yaml", row))
            continue
        if len(item) > LIMITS.max_columns:
            detail: dict[str, str | int] = {"limit": LIMITS.max_columns, "columns": len(item)}
            raise _Fail(ImportProblem("too_many_columns", row, None, detail))
        values: dict[FieldName, str] = {}
        invalid: set[FieldName] = set()
        problems_before = len(problems)
        for key, value in item.items():
            name = _normalize(_cell_text(key), multiline=False)
            found = _FIELD_BY_KEY.get(_header_key(name))
            if found is None:
                problems.append(ImportProblem("unknown_column", row, name))
                continue
            header = COLUMN_BY_FIELD[found].header
            if found in values:
                problems.append(ImportProblem("duplicate_column", row, header))
                continue
            if found == "tags" and isinstance(value, list) and _all_scalars(value):
                # Tags may also be written as a YAML list.
                values[found] = join_tags([_cell_text(v) for v in value if v is not None])
            elif (kind := _yaml_value_kind(value)) is not None:
                problems.append(ImportProblem("bad_value", row, header, {"kind": kind}))
                values[found] = ""
                invalid.add(found)
                continue
            else:
                values[found] = _cell_text(value)
            chars += len(values[found])
            if chars > _MAX_YAML_CHARS:
                raise _Fail(ImportProblem("bad_yaml", detail={"aliases": _MAX_YAML_CHARS}))
        if len(problems) == problems_before and not any(v.strip() for v in values.values()):
            continue  # only empty values: a blank row
        records.append(_Record(row, values, frozenset(invalid)))
    return records, problems


def _all_scalars(items: list[Any]) -> bool:
    return all(_yaml_value_kind(v) is None for v in items)


_READERS: Final[dict[str, _Reader]] = {
    ".xlsx": _read_xlsx,
    ".csv": _read_csv,
    ".yaml": _read_yaml,
    ".yml": _read_yaml,
}
assert set(_READERS) == SUFFIXES  # the light checks (questions/checks.py) know them


# --------------------------------------------------------------------------------------------
# Export


def _draft_value(draft: QuestionDraft, column: Column) -> str:
    if column.field == "tags":
        return join_tags(draft.tags)
    value: str | None = getattr(draft, column.field)
    return value or ""


def _draft_values(draft: QuestionDraft, columns: Sequence[Column] = ALL_COLUMNS) -> list[str]:
    return [_draft_value(draft, column) for column in columns]


_HEADER_FONT: Final = Font(bold=True, color="FFFFFF")
_HEADER_FILL: Final = PatternFill("solid", fgColor="9C1C1C")
_WRAP: Final = Alignment(wrap_text=True, vertical="top")


def _workbook(drafts: Sequence[QuestionDraft], columns: Sequence[Column]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"
    for idx, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(idx)].width = column.width
    for draft in drafts:
        sheet.append([_escape_cell(value) for value in _draft_values(draft, columns)])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP

    topic_col = get_column_letter(list(columns).index(COLUMN_BY_FIELD["topic"]) + 1)
    last_row = max(LIMITS.max_rows, len(drafts)) + 1
    topics = DataValidation(
        type="list",
        formula1='"' + ",".join(STANDARD_TOPICS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Chủ đề ngoài danh sách",
        error="Chủ đề này không có trong danh sách chuẩn. Vẫn giữ chủ đề đã nhập?",
        showInputMessage=True,
        promptTitle="Chủ đề",
        prompt=f"Chọn trong danh sách; để trống thì xếp vào «{DEFAULT_TOPIC}».",
    )
    topics.add(f"{topic_col}2:{topic_col}{last_row}")
    sheet.add_data_validation(topics)

    guide_sheet(book, [(c.header, c.required, c.help) for c in ALL_COLUMNS], _GUIDE_NOTES, 18)
    return book


def guide_sheet(
    book: Any, columns: Sequence[tuple[str, bool, str]], notes: Sequence[str], first_width: int
) -> None:
    """The «Hướng dẫn» sheet of a template: each column (header, required, how to fill it in),
    then the notes. Shared with the register of documents' template."""
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Cách ghi"])
    for cell in guide[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for header, required, help_text in columns:
        guide.append([header, "Có" if required else "Không", help_text])
    guide.append([])
    for note in notes:
        guide.append(["", "", note])
    guide.column_dimensions["A"].width = first_width
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 100
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP


_GUIDE_NOTES: Final = (
    "Mỗi dòng của trang «Câu hỏi» là một câu hỏi; dòng 1 là tiêu đề cột, giữ nguyên tên cột.",
    "Tệp chỉ được nhập khi không còn lỗi nào: nếu có lỗi, không câu hỏi nào được lưu và bot "
    "liệt kê từng lỗi (dòng, cột, lý do) để sửa rồi gửi lại cả tệp.",
    f"Mỗi tệp tối đa {LIMITS.max_rows} câu hỏi và "
    f"{LIMITS.max_file_bytes // (1024 * 1024)} MB; không đặt mật khẩu cho tệp.",
    "Cũng có thể gửi tệp CSV (lưu dạng «CSV UTF-8») hoặc YAML với các cột như trên.",
    "Có thể thêm cột «Thẻ» (không bắt buộc) ở cuối trang để ghi từ khóa tìm lại câu hỏi.",
    "Câu hỏi đã có trong ngân hàng của chương trình (kể cả viết khác chữ hoa, dấu câu) không "
    "được nhập lại: bot nhập các câu còn lại và liệt kê các câu trùng.",
    "Ô bắt đầu bằng dấu =, +, -, @ được ghi kèm dấu nháy đơn (') phía trước để Excel không "
    "hiểu nhầm là công thức; khi nhập, dấu nháy này được bỏ đi.",
    "Gợi ý trả lời chỉ để tham khảo; câu trả lời chính thức là kết luận của Lãnh đạo Ban.",
)


def _xlsx_bytes(drafts: Sequence[QuestionDraft], columns: Sequence[Column] = ALL_COLUMNS) -> bytes:
    buffer = io.BytesIO()
    _workbook(drafts, columns).save(buffer)
    return buffer.getvalue()


def _csv_bytes(drafts: Sequence[QuestionDraft]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in ALL_COLUMNS])
    for draft in drafts:
        writer.writerow([_escape_cell(value) for value in _draft_values(draft)])
    # With a BOM, Excel opens the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


class _Dumper(_SafeDumper):
    pass


def _represent_str(dumper: _SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _yaml_bytes(drafts: Sequence[QuestionDraft]) -> bytes:
    items: list[dict[str, str | list[str]]] = []
    for draft in drafts:
        item: dict[str, str | list[str]] = {
            column.header: value
            for column, value in zip(COLUMNS, _draft_values(draft, COLUMNS), strict=True)
            if value
        }
        if draft.tags:
            item[TAGS_COLUMN.header] = list(draft.tags)
        items.append(item)
    body = yaml.dump(
        {"questions": items},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    head = "# Ngân hàng câu hỏi — chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời»\n"
    return (head + body).encode("utf-8")


_WRITERS: Final[dict[str, Callable[[Sequence[QuestionDraft]], bytes]]] = {
    ".xlsx": _xlsx_bytes,
    ".csv": _csv_bytes,
    ".yaml": _yaml_bytes,
    ".yml": _yaml_bytes,
}


def export_questions(filename: str, drafts: Sequence[QuestionDraft]) -> bytes:
    """The bytes of a file named ``filename`` holding ``drafts``, in the format of its extension."""
    ext = PurePath(filename).suffix.lower()
    writer = _WRITERS.get(ext)
    if writer is None:
        raise ValueError(f"unsupported export format: {ext!r}")
    return writer(drafts)


def write_template_xlsx(path: Path) -> None:
    """An empty question sheet to fill in, with a "Hướng dẫn" sheet explaining each column."""
    path.write_bytes(template_xlsx())


def template_xlsx() -> bytes:
    """The bytes of the empty question sheet (the five columns of :data:`COLUMNS`)."""
    return _xlsx_bytes([], COLUMNS)


def write_questions_xlsx(path: Path, drafts: Sequence[QuestionDraft]) -> None:
    path.write_bytes(_xlsx_bytes(drafts))


def write_questions_csv(path: Path, drafts: Sequence[QuestionDraft]) -> None:
    path.write_bytes(_csv_bytes(drafts))


def write_questions_yaml(path: Path, drafts: Sequence[QuestionDraft]) -> None:
    path.write_bytes(_yaml_bytes(drafts))
