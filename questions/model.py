"""The question bank's data model: a question draft, its columns and the limits on its fields."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Final, Literal

from bot.text import clean_line

FieldName = Literal["text", "topic", "source_unit", "legal_refs", "suggested_answer", "tags"]

DEFAULT_TOPIC: Final = "Chung"

# Standard topics offered in the spreadsheet template's dropdown. Other topics are accepted.
STANDARD_TOPICS: Final[tuple[str, ...]] = (
    "Tổ chức bộ máy",
    "Cán bộ",
    "Đảng viên",
    "Bảo vệ chính trị nội bộ",
    "Chính sách cán bộ",
    "Tổ chức cơ sở đảng",
    DEFAULT_TOPIC,
)


@dataclass(frozen=True)
class QuestionDraft:
    """A question as loaded from a file or typed in chat, before it is stored in the bank."""

    text: str
    topic: str = DEFAULT_TOPIC
    source_unit: str | None = None
    legal_refs: str | None = None
    suggested_answer: str | None = None
    # Free labels for finding questions again ("kết nạp", "chuyển sinh hoạt"), beside the topic.
    tags: tuple[str, ...] = ()
    # Where the question was read from (row of a spreadsheet or CSV file, item of a YAML file):
    # for messages only, not part of the question's value.
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Limits:
    """Bounds on an imported file and on each field (lengths in characters, after normalizing)."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_rows: int = 500
    # Columns of a row up to its last filled cell (keys of a YAML item): the template has a
    # handful; trailing empty cells (a spreadsheet's used range gone wide) do not count.
    max_columns: int = 100
    # Bounds on an .xlsx archive, checked before it is opened.
    max_unzipped_bytes: int = 50 * 1024 * 1024
    max_zip_ratio: int = 200
    min_text: int = 10
    max_text: int = 3000
    max_topic: int = 100
    max_source_unit: int = 200
    max_legal_refs: int = 1000
    max_suggested_answer: int = 3000
    max_tags: int = 200  # the whole "Thẻ" field, tags joined by ", "
    max_tag: int = 40  # one tag


LIMITS: Final = Limits()

MAX_FILE_BYTES: Final = LIMITS.max_file_bytes
MAX_ROWS: Final = LIMITS.max_rows
MIN_TEXT_LENGTH: Final = LIMITS.min_text
MAX_LENGTHS: Final[dict[FieldName, int]] = {
    "text": LIMITS.max_text,
    "topic": LIMITS.max_topic,
    "source_unit": LIMITS.max_source_unit,
    "legal_refs": LIMITS.max_legal_refs,
    "suggested_answer": LIMITS.max_suggested_answer,
    "tags": LIMITS.max_tags,
}


@dataclass(frozen=True)
class Column:
    """One column of an import file: the header people see and what it means."""

    field: FieldName
    header: str
    required: bool
    multiline: bool
    width: int  # column width in the spreadsheet template, in characters
    help: str  # explanation on the template's "Hướng dẫn" sheet


COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "text",
        "Câu hỏi",
        required=True,
        multiline=True,
        width=70,
        help=(
            "Bắt buộc. Nội dung câu hỏi nảy sinh từ thực tiễn công tác tổ chức xây dựng Đảng ở cơ "
            f"sở, từ {LIMITS.min_text} đến {LIMITS.max_text} ký tự. Có thể xuống dòng trong ô "
            "(Alt+Enter). Mỗi dòng của bảng là một câu hỏi; không nhập trùng câu hỏi."
        ),
    ),
    Column(
        "topic",
        "Chủ đề",
        required=False,
        multiline=False,
        width=26,
        help=(
            "Không bắt buộc. Chọn trong danh sách: " + ", ".join(STANDARD_TOPICS) + ". "
            f"Để trống thì được xếp vào chủ đề «{DEFAULT_TOPIC}». "
            f"Tối đa {LIMITS.max_topic} ký tự."
        ),
    ),
    Column(
        "source_unit",
        "Đơn vị hỏi",
        required=False,
        multiline=False,
        width=32,
        help=(
            "Không bắt buộc. Cơ sở đã nêu câu hỏi, ví dụ: «Chi bộ Thôn 3, xã A». "
            f"Tối đa {LIMITS.max_source_unit} ký tự."
        ),
    ),
    Column(
        "legal_refs",
        "Căn cứ",
        required=False,
        multiline=True,
        width=40,
        help=(
            "Không bắt buộc. Văn bản làm căn cứ trả lời, ghi đúng số, ký hiệu và ngày ban hành, "
            "ví dụ: «Quy định số 294-QĐ/TW ngày 26/5/2025 về thi hành Điều lệ Đảng». Chưa chắc "
            f"chắn thì để trống. Tối đa {LIMITS.max_legal_refs} ký tự."
        ),
    ),
    Column(
        "suggested_answer",
        "Gợi ý trả lời",
        required=False,
        multiline=True,
        width=70,
        help=(
            "Không bắt buộc. Gợi ý để Trưởng phòng và Lãnh đạo Ban tham khảo khi nhận xét; chuyên "
            "viên không nhìn thấy. Câu trả lời chính thức là kết luận của Lãnh đạo Ban. "
            f"Tối đa {LIMITS.max_suggested_answer} ký tự."
        ),
    ),
)

# Optional column read on import and written on export of a bank; the empty template keeps the
# five columns above (its guide sheet explains this one).
TAGS_COLUMN: Final = Column(
    "tags",
    "Thẻ",
    required=False,
    multiline=False,
    width=28,
    help=(
        "Không bắt buộc, có thể thêm cột này. Các từ khóa để tìm lại câu hỏi, cách nhau bởi dấu "
        "phẩy, ví dụ: «kết nạp, chuyển sinh hoạt». Mỗi thẻ tối đa "
        f"{LIMITS.max_tag} ký tự, cả ô tối đa {LIMITS.max_tags} ký tự."
    ),
)

# Every column a file may have, in the order a bank export writes them.
ALL_COLUMNS: Final[tuple[Column, ...]] = (*COLUMNS, TAGS_COLUMN)

COLUMN_BY_FIELD: Final[dict[FieldName, Column]] = {c.field: c for c in ALL_COLUMNS}

_TAG_SEPARATORS: Final = re.compile(r"[,;\n]")


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed as one text: split at commas, semicolons or line breaks, tidied, no repeats.

    A leading ``#`` is dropped (people write hashtags); two tags differing only in letter case
    count as one, the first spelling is kept.
    """
    tags: list[str] = []
    seen: set[str] = set()
    for part in _TAG_SEPARATORS.split(unicodedata.normalize("NFC", text)):
        tag = " ".join(part.split()).lstrip("#").strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tuple(tags)


def join_tags(tags: tuple[str, ...] | list[str]) -> str:
    return ", ".join(tags)


# -- what an import says back (light: the bot's process never loads the file readers) ---------


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file was not imported.

    ``row`` is the row number as the user sees it in the file (the header is row 1 of a
    spreadsheet or CSV file; for YAML the item's 1-based position), ``None`` for the whole file.
    ``field`` is the column header concerned (Vietnamese, or as written in the file).
    """

    code: str
    row: int | None = None
    field: str | None = None
    detail: dict[str, str | int] = dataclasses.field(default_factory=dict)


class ImportRejected(Exception):
    """The file was not imported; ``problems`` lists everything wrong with it."""

    def __init__(self, filename: str, problems: Sequence[ImportProblem]) -> None:
        self.filename = filename
        self.problems = list(problems)
        codes = ", ".join(sorted({p.code for p in self.problems}))
        super().__init__(f"{filename}: {len(self.problems)} problem(s): {codes}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Passed back from the process that read the file (bot/offload.py in_child).
        return (ImportRejected, (self.filename, self.problems))


_MAX_SHOWN_NAME: Final = 120


def display_filename(name: str) -> str:
    """A file name as it is shown and judged by its extension.

    Cleaned like typed text (no direction override, U+202E, that would make "x<U+202E>slx.csv"
    read as "xvsc.xlsx"; no control characters), at most 120 characters, the extension kept.
    Path separators stay: the name is only shown (escaped) and logged, never used as a path.
    """
    cleaned = clean_line(name)
    if len(cleaned) <= _MAX_SHOWN_NAME:
        return cleaned
    suffix = PurePath(cleaned).suffix
    if len(suffix) > 10:
        suffix = ""
    return cleaned[: _MAX_SHOWN_NAME - 1 - len(suffix)].rstrip() + "…" + suffix
