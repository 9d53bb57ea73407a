"""The question bank's data model: a question draft, its columns and the limits on its fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

FieldName = Literal["text", "topic", "source_unit", "legal_refs", "suggested_answer"]

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


@dataclass(frozen=True)
class Limits:
    """Bounds on an imported file and on each field (lengths in characters, after normalizing)."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_rows: int = 500
    # Bounds on an .xlsx archive, checked before it is opened.
    max_unzipped_bytes: int = 50 * 1024 * 1024
    max_zip_ratio: int = 200
    min_text: int = 10
    max_text: int = 3000
    max_topic: int = 100
    max_source_unit: int = 200
    max_legal_refs: int = 1000
    max_suggested_answer: int = 3000


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
            "ví dụ: «Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng». Chưa chắc "
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

COLUMN_BY_FIELD: Final[dict[FieldName, Column]] = {c.field: c for c in COLUMNS}
