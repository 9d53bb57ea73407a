"""Question bank import/export: real files written to disk and read back as bytes."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bot.render import plain, render
from questions.importer import (
    PROBLEM_CODES,
    ImportProblem,
    ImportRejected,
    export_questions,
    normalize_for_match,
    parse_questions,
    write_questions_csv,
    write_questions_xlsx,
    write_questions_yaml,
    write_template_xlsx,
)
from questions.model import LIMITS, MAX_FILE_BYTES, MAX_ROWS, STANDARD_TOPICS, QuestionDraft
from questions.samples.data import SAMPLE_QUESTIONS
from tests.files import inline, raw_xlsx

SAMPLES = Path(__file__).resolve().parents[1] / "questions" / "samples"
HEADERS = ["Câu hỏi", "Chủ đề", "Đơn vị hỏi", "Căn cứ", "Gợi ý trả lời"]
Q1 = "Đảng viên dự bị có được biểu quyết khi chi bộ xét kết nạp không?"
Q2 = "Chi bộ có 8 đảng viên chính thức thì bầu chi ủy hay bầu bí thư?"
Q3 = "Đảng viên bỏ sinh hoạt ba tháng thì chi bộ xử lý thế nào?"


# ---------------------------------------------------------------------------------------------
# Helpers: every file goes through the disk, as it would when an admin sends it.


def save(tmp_path: Path, name: str, data: bytes) -> tuple[str, bytes]:
    path = tmp_path / name
    path.write_bytes(data)
    return path.name, path.read_bytes()


def xlsx_file(tmp_path: Path, rows: list[list[Any]], name: str = "cau_hoi.xlsx") -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path.read_bytes()


def text_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> bytes:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path.read_bytes()


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: tone marks as combining characters after the letter."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def rejected(filename: str, data: bytes) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as info:
        parse_questions(filename, data)
    assert info.value.filename == filename
    assert info.value.problems
    return info.value.problems


def summary(problems: list[ImportProblem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.row, p.field) for p in problems]


def render_rejection(filename: str, problems: list[ImportProblem]) -> str:
    return render(
        "import_rejected",
        {
            "filename": filename,
            "problems": [dataclasses.asdict(p) for p in problems],
            "total": len(problems),
        },
    )


# ---------------------------------------------------------------------------------------------
# Good files


def test_good_xlsx_with_loose_headers_numbers_dates_and_blank_rows(tmp_path: Path) -> None:
    data = xlsx_file(
        tmp_path,
        [
            [" CÂU HỎI ", "chu_de", "Don-vi hoi", "legal_refs", "Suggested Answer"],
            [Q1, "Đảng viên", "Chi bộ Thôn 3, xã A", "Điều lệ Đảng", "Gợi ý tham khảo: không."],
            [None, None, None, None, None],
            ["  Chi bộ có 8 đảng viên\u00a0chính   thức\r\nthì bầu gì?  ", None, 2024, None, None],
            [Q3, "  ", 3.0, datetime(2021, 7, 30), 2.5],
        ],
    )
    drafts = parse_questions("cau_hoi.xlsx", data)
    assert drafts == [
        QuestionDraft(
            Q1, "Đảng viên", "Chi bộ Thôn 3, xã A", "Điều lệ Đảng", "Gợi ý tham khảo: không."
        ),
        QuestionDraft("Chi bộ có 8 đảng viên chính thức\nthì bầu gì?", "Chung", "2024"),
        QuestionDraft(Q3, "Chung", "3", "30/07/2021", "2.5"),
    ]


def test_xlsx_rows_far_down_keep_their_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.cell(row=2, column=1, value=Q1)
    sheet.cell(row=1000, column=1, value="ngắn")
    path = tmp_path / "xa.xlsx"
    book.save(path)
    problems = rejected("xa.xlsx", path.read_bytes())
    assert summary(problems) == [("too_short", 1000, "Câu hỏi")]


@pytest.mark.parametrize(
    ("bom", "delimiter"), [(True, ","), (False, ","), (True, ";"), (False, ";")]
)
def test_good_csv(tmp_path: Path, bom: bool, delimiter: str) -> None:
    d = delimiter
    text = (
        f"Câu hỏi{d}Chủ đề{d}Đơn vị hỏi{d}Căn cứ{d}Gợi ý trả lời\r\n"
        f'"{Q1}"{d}Đảng viên{d}"Chi bộ Thôn 3, xã A"{d}{d}\r\n'
        f"{d}{d}{d}{d}\r\n"
        f'"Dòng một của câu hỏi;\r\ndòng hai, có dấu ""ngoặc""?"{d}{d}{d}{d}'
        '"Gợi ý tham khảo: …"\r\n'
    )
    data = text_file(tmp_path, "q.csv", text, "utf-8-sig" if bom else "utf-8")
    assert data.startswith(b"\xef\xbb\xbf") == bom
    assert parse_questions("q.csv", data) == [
        QuestionDraft(Q1, "Đảng viên", "Chi bộ Thôn 3, xã A"),
        QuestionDraft(
            'Dòng một của câu hỏi;\ndòng hai, có dấu "ngoặc"?',
            suggested_answer="Gợi ý tham khảo: …",
        ),
    ]


def test_good_yaml_both_shapes_and_scalars_stay_text(tmp_path: Path) -> None:
    body = f"""
- text: "{Q1}"
  topic: Đảng viên
  source_unit: 1.10
  legal_refs: 2021-13-45
  suggested_answer: null
- Câu hỏi: |
    {Q2}
    Dòng thứ hai.
  Chủ đề: no
-
- Câu hỏi: ~
"""
    as_list = text_file(tmp_path, "q.yaml", body)
    wrapped = text_file(tmp_path, "q.yml", "questions:\n" + body.replace("\n", "\n  "))
    expected = [
        QuestionDraft(Q1, "Đảng viên", "1.10", "2021-13-45", None),
        QuestionDraft(f"{Q2}\nDòng thứ hai.", "no"),
    ]
    assert parse_questions("q.yaml", as_list) == expected
    assert parse_questions("q.yml", wrapped) == expected


def test_text_is_normalized_to_nfc_and_collapsed(tmp_path: Path) -> None:
    decomposed = (
        "Đa\u0309ng vie\u0302n   du\u031b\u0323 bi\u0323\t\tcó   quyền gì?\n\n\n\nHỏi thêm."
    )
    data = text_file(tmp_path, "q.csv", f'Câu hỏi,Chủ đề\n"{decomposed}",Đảng   viên\n')
    (draft,) = parse_questions("q.csv", data)
    assert draft.text == "Đảng viên dự bị có quyền gì?\n\nHỏi thêm."
    assert draft.topic == "Đảng viên"


def test_normalize_for_match() -> None:
    assert normalize_for_match("  Đảng viên DỰ-BỊ, có được… biểu quyết?  ") == (
        "dang vien du bi co duoc bieu quyet"
    )
    assert normalize_for_match("Đảng viên dự bị?") == normalize_for_match("dang vien  du-bi")
    assert normalize_for_match("Câu_hỏi") == "cau hoi"


# ---------------------------------------------------------------------------------------------
# Samples


def test_sample_files_parse_to_exactly_the_sample_questions() -> None:
    for name in ("cau_hoi_mau.xlsx", "cau_hoi_mau.csv"):
        assert parse_questions(name, (SAMPLES / name).read_bytes()) == SAMPLE_QUESTIONS


def test_sample_content_follows_the_content_rules() -> None:
    # Documents in force only (the register's starter file says so, with its sources; see
    # tests/test_register_file.py), by exact number and date, without article numbers.
    allowed_refs = {
        "Điều lệ Đảng",
        "Quy định số 294-QĐ/TW ngày 26/5/2025 về thi hành Điều lệ Đảng",
    }
    assert 20 <= len(SAMPLE_QUESTIONS) <= 30
    assert {q.topic for q in SAMPLE_QUESTIONS} == set(STANDARD_TOPICS)
    keys = {normalize_for_match(q.text) for q in SAMPLE_QUESTIONS}
    assert len(keys) == len(SAMPLE_QUESTIONS)
    for q in SAMPLE_QUESTIONS:
        if q.legal_refs is not None:
            assert set(q.legal_refs.split("; ")) <= allowed_refs, q.legal_refs
        if q.suggested_answer is not None:
            assert q.suggested_answer.startswith("Gợi ý tham khảo: ")
        assert q.source_unit
        # Round trip through normalization: samples are stored exactly as they import.
        assert parse_questions("one.yaml", export_questions("one.yaml", [q])) == [q]


# ---------------------------------------------------------------------------------------------
# Every problem code, from a crafted file


def _bomb(total: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * total)
    return buffer.getvalue()


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


CRAFTED: dict[str, tuple[str, Callable[[], bytes]]] = {
    "unsupported_type": ("cau_hoi.docx", lambda: b"PK\x03\x04"),
    "too_large": ("lon.csv", lambda: b"a" * (MAX_FILE_BYTES + 1)),
    "bad_encoding": ("cp1258.csv", lambda: to_cp1258(f"Câu hỏi\n{Q1}\n")),
    "bad_csv": ("sai.csv", lambda: _csv("Câu hỏi,Chủ đề", f'"{Q1}"x,Cán bộ')),
    "bad_yaml": ("sai.yaml", lambda: b"questions: [\n  {text: chua dong\n"),
    "encrypted_xlsx": ("mat_khau.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
    "corrupt_xlsx": ("hong.xlsx", lambda: b"PK\x03\x04 day khong phai tep xlsx"),
    "no_rows": ("trong.csv", lambda: _csv("Câu hỏi,Chủ đề", ",")),
    "too_many_rows": (
        "nhieu.csv",
        lambda: _csv("Câu hỏi", *(f"Câu hỏi số {i} về công tác đảng viên" for i in range(501))),
    ),
    "missing_column": ("thieu.csv", lambda: _csv("Chủ đề,Căn cứ", "Cán bộ,")),
    "unknown_column": ("la.csv", lambda: _csv("Câu hỏi,Ghi chú", f"{Q1},thêm")),
    "unnamed_column": ("khong_ten.csv", lambda: _csv("Câu hỏi,", f"{Q1},", f"{Q2},dữ liệu")),
    "duplicate_column": ("lap.csv", lambda: _csv("Câu hỏi,text", f"{Q1},{Q2}")),
    "empty_text": ("trong_o.csv", lambda: _csv("Câu hỏi,Chủ đề", ",Cán bộ")),
    "too_short": ("ngan.csv", lambda: _csv("Câu hỏi", "Hỏi gì?")),
    "too_long": ("dai.csv", lambda: _csv("Câu hỏi,Chủ đề", f"{Q1},{'x' * 101}")),
    "control_chars": ("dieu_khien.csv", lambda: _csv("Câu hỏi", f"{Q1}\x07")),
    "bad_value": ("gia_tri.yaml", lambda: b"- text: [mot, hai]\n"),
    "duplicate_in_file": ("trung.csv", lambda: _csv("Câu hỏi", Q1, Q2, Q1.upper() + " ")),
    "empty_file": ("rong.csv", lambda: b""),
    "wrong_content": ("that_ra_csv.xlsx", lambda: _csv("Câu hỏi", Q1)),
    "cell_error": (
        "loi_cong_thuc.xlsx",
        lambda: raw_xlsx(
            [[inline("Câu hỏi"), inline("Chủ đề")], [inline(Q1), '<c t="e"><v>#REF!</v></c>']]
        ),
    ),
    "too_many_columns": (
        "rong.csv",
        lambda: _csv("Câu hỏi" + ",x" * LIMITS.max_columns, Q1),
    ),
    "mixed_delimiter": (
        "tron.csv",
        lambda: _csv("Câu hỏi,Chủ đề,Đơn vị hỏi", f"{Q1},Cán bộ,Chi bộ A", f"{Q2};Cán bộ;Chi bộ B"),
    ),
}
# A reader failing in an unforeseen way cannot be crafted: see test_a_reader_bug_is_a_refusal.
UNCRAFTABLE = {"unreadable"}


def test_crafted_files_cover_every_problem_code() -> None:
    assert set(CRAFTED) | UNCRAFTABLE == set(PROBLEM_CODES)


@pytest.mark.parametrize("code", sorted(CRAFTED))
def test_each_problem_code_is_produced_and_rendered(tmp_path: Path, code: str) -> None:
    name, build = CRAFTED[code]
    filename, data = save(tmp_path, name, build())
    problems = rejected(filename, data)
    assert code in {p.code for p in problems}
    for p in problems:
        assert set(PROBLEM_CODES[p.code]) <= set(p.detail), p
    message = render_rejection(filename, problems)
    assert message.startswith(
        f"Tệp <b>{filename}</b> chưa được nhập: không có câu hỏi nào được lưu."
    )
    assert "chưa xác định" not in message
    assert code not in message
    assert "•" in message


def test_problem_details(tmp_path: Path) -> None:
    assert rejected("x.csv", CRAFTED["too_long"][1]()) == [
        ImportProblem("too_long", 2, "Chủ đề", {"limit": 100, "length": 101})
    ]
    assert rejected("x.csv", CRAFTED["duplicate_in_file"][1]()) == [
        ImportProblem("duplicate_in_file", 4, "Câu hỏi", {"first_row": 2})
    ]
    assert rejected("x.csv", CRAFTED["control_chars"][1]()) == [
        ImportProblem("control_chars", 2, "Câu hỏi", {"char": "U+0007"})
    ]
    assert rejected("x.csv", CRAFTED["unnamed_column"][1]()) == [
        ImportProblem("unnamed_column", 3, None, {"column": "B"})
    ]
    assert rejected("x.csv", CRAFTED["duplicate_column"][1]()) == [
        ImportProblem("duplicate_column", None, "Câu hỏi", {"column": "B", "first_column": "A"})
    ]
    assert rejected("x.CSV", CRAFTED["too_many_rows"][1]()) == [
        ImportProblem("too_many_rows", None, None, {"limit": MAX_ROWS})
    ]
    assert rejected("x.docx", b"") == [
        ImportProblem("unsupported_type", None, None, {"extension": ".docx"})
    ]
    (problem,) = rejected("x.yaml", b"- text: ok\n  bad: x: y\n")
    assert problem.code == "bad_yaml"
    assert problem.detail.get("line") == 2


def test_exactly_max_rows_is_accepted(tmp_path: Path) -> None:
    lines = [f"Câu hỏi số {i} về công tác đảng viên" for i in range(MAX_ROWS)]
    data = text_file(tmp_path, "q.csv", "Câu hỏi\n" + "\n".join(lines))
    assert len(parse_questions("q.csv", data)) == MAX_ROWS


def test_many_bad_rows_are_all_reported_and_nothing_is_returned(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Câu hỏi", "Chủ đề", "Đơn vị hỏi", "Căn cứ", "Gợi ý trả lời", "Ghi chu"],
        [Q1, "Đảng viên", None, None, None, None],
        [None, "Cán bộ", "Chi bộ A", None, None, None],
        [None, None, None, None, None, None],
        [Q2, None, None, None, "x" * 3120, None],
        ["ngắn", None, "y" * 201, None, None, None],
        ["  " + Q1.replace("?", " ?").upper(), None, None, None, None, "ghi chú"],
        [Q3, None, None, "z" * 1001, None, None],
    ]
    data = xlsx_file(tmp_path, rows)
    problems = rejected("cau_hoi.xlsx", data)
    assert summary(problems) == [
        ("unknown_column", None, "Ghi chu"),
        ("empty_text", 3, "Câu hỏi"),
        ("too_long", 5, "Gợi ý trả lời"),
        ("too_short", 6, "Câu hỏi"),
        ("too_long", 6, "Đơn vị hỏi"),
        ("duplicate_in_file", 7, "Câu hỏi"),
        ("too_long", 8, "Căn cứ"),
    ]
    assert problems[2].detail == {"limit": 3000, "length": 3120}
    assert problems[5].detail == {"first_row": 2}

    message = plain(render_rejection("cau_hoi.xlsx", problems))
    assert "Có 7 lỗi cần sửa:" in message
    assert "• Dòng 3, cột «Câu hỏi»: nội dung trống." in message
    assert "• Dòng 5, cột «Gợi ý trả lời»: dài 3120 ký tự, vượt giới hạn 3000." in message
    assert "• Dòng 7, cột «Câu hỏi»: trùng với câu hỏi ở dòng 2." in message
    assert "Các cột hợp lệ:" in message

    # The same rows as CSV: a multi-line cell still counts as one row.
    csv_lines = [",".join(HEADERS), '"Một câu hỏi\nnhiều dòng, đủ dài",', ",Cán bộ", "ngắn,"]
    csv_data = text_file(tmp_path, "q.csv", "\n".join(csv_lines))
    assert summary(rejected("q.csv", csv_data)) == [
        ("empty_text", 3, "Câu hỏi"),
        ("too_short", 4, "Câu hỏi"),
    ]


def test_missing_column_message(tmp_path: Path) -> None:
    data = text_file(tmp_path, "q.csv", "Cau hoii,Chủ đề\nabc,def\n")
    problems = rejected("q.csv", data)
    assert summary(problems) == [
        ("missing_column", None, "Câu hỏi"),
        ("unknown_column", None, "Cau hoii"),
    ]
    assert "• Thiếu cột bắt buộc «Câu hỏi»." in plain(render_rejection("q.csv", problems))


def test_yaml_rows_are_items(tmp_path: Path) -> None:
    body = f"""questions:
- text: "{Q1}"
- just a string
- text: "{Q2}"
  ghi_chu: x
  Câu hỏi: "{Q2}"
- text: "{Q3}\\a"
"""
    problems = rejected("q.yaml", text_file(tmp_path, "q.yaml", body))
    assert summary(problems) == [
        ("bad_yaml", 2, None),
        ("unknown_column", 3, "ghi_chu"),
        ("duplicate_column", 3, "Câu hỏi"),
        ("control_chars", 4, "Câu hỏi"),
    ]
    message = plain(render_rejection("q.yaml", problems))
    assert "• Mục 3, cột «ghi_chu»:" in message
    assert "Dòng" not in message
    for shape in (b"questions: 3\n", b"text: abc\n", b"questions: []\nother: 1\n", b"42\n"):
        assert summary(rejected("q.yaml", shape)) == [("bad_yaml", None, None)]
    assert summary(rejected("q.yaml", b"")) == [("empty_file", None, None)]
    assert summary(rejected("q.yaml", b"questions:\n")) == [("no_rows", None, None)]


# ---------------------------------------------------------------------------------------------
# Encodings and hostile spreadsheets


def test_non_utf8_csv_is_bad_encoding_with_a_hint(tmp_path: Path) -> None:
    text = f"Câu hỏi\nChi bộ thôn\n{Q1}\n"
    filename, data = save(tmp_path, "q.csv", to_cp1258(text))
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == text
    (problem,) = rejected(filename, data)
    assert problem.code == "bad_encoding"
    assert problem.detail == {"guess": "Windows-1258", "line": 1}
    message = plain(render_rejection("q.csv", [problem]))
    assert "UTF-8" in message
    assert "CSV UTF-8" in message
    assert (
        "• Tệp chưa được lưu ở bảng mã UTF-8 (có vẻ đang dùng bảng mã Windows-1258, lỗi bắt đầu "
        "từ dòng 1): trong Excel, chọn «Lưu thành» (Save As), kiểu tệp «CSV UTF-8 (Comma "
        "delimited) (*.csv)» rồi gửi lại."
    ) in message

    utf16 = text_file(tmp_path, "u.csv", f"Câu hỏi\n{Q1}\n", "utf-16")
    assert rejected("u.csv", utf16) == [ImportProblem("bad_encoding", detail={"guess": "UTF-16"})]
    utf16le = text_file(tmp_path, "v.csv", f"Cau hoi\n{Q1}\n", "utf-16-le")
    assert rejected("v.csv", utf16le)[0].detail.get("guess") == "UTF-16"


def test_nul_bytes_in_csv_are_bad_csv(tmp_path: Path) -> None:
    data = text_file(tmp_path, "q.csv", f"Câu hỏi\n{Q1}\n\0\n")
    assert rejected("q.csv", data) == [ImportProblem("bad_csv", detail={"line": 3})]


def test_encrypted_corrupt_and_truncated_xlsx(tmp_path: Path) -> None:
    assert summary(rejected("m.xlsx", CRAFTED["encrypted_xlsx"][1]())) == [
        ("encrypted_xlsx", None, None)
    ]
    good = export_questions("ok.xlsx", SAMPLE_QUESTIONS[:3])
    for bad in (good[: len(good) // 2], CRAFTED["corrupt_xlsx"][1](), b"\x89PNG\r\n\x1a\n\0\0\0"):
        filename, data = save(tmp_path, "hong.xlsx", bad)
        assert summary(rejected(filename, data)) == [("corrupt_xlsx", None, None)]
    assert summary(rejected("rong.xlsx", b"")) == [("empty_file", None, None)]
    assert rejected("chu.xlsx", b"not a zip at all") == [
        ImportProblem("wrong_content", detail={"extension": ".xlsx", "actual": "text"})
    ]
    # A valid zip that is not a workbook.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert summary(rejected("z.xlsx", buffer.getvalue())) == [("corrupt_xlsx", None, None)]


def test_zip_bombs_are_refused_before_openpyxl(tmp_path: Path) -> None:
    filename, data = save(tmp_path, "bom.xlsx", _bomb(LIMITS.max_unzipped_bytes + 1))
    assert len(data) < MAX_FILE_BYTES
    assert rejected(filename, data) == [
        ImportProblem("too_large", detail={"limit": LIMITS.max_unzipped_bytes})
    ]

    filename, data = save(tmp_path, "ti_le.xlsx", _bomb(4 * 1024 * 1024))
    assert rejected(filename, data) == [
        ImportProblem("too_large", detail={"limit": LIMITS.max_unzipped_bytes, "ratio": 200})
    ]
    message = plain(render_rejection(filename, rejected(filename, data)))
    assert "200 lần" in message


def test_file_over_the_size_limit_is_refused_before_parsing() -> None:
    data = b"\xff" * (MAX_FILE_BYTES + 1)  # would otherwise be bad_encoding
    (problem,) = rejected("q.csv", data)
    assert problem.code == "too_large"
    assert "dung lượng 2,1 MB, vượt giới hạn 2 MB" in plain(render_rejection("q.csv", [problem]))


# ---------------------------------------------------------------------------------------------
# Export and round trips


TRICKY = [
    QuestionDraft('=HYPERLINK("http://x";"bấm vào đây") là gì?', "Cán bộ"),
    QuestionDraft("@SUM(A1:A9) có phải công thức không?", "Chung", "+84 Chi bộ A"),
    QuestionDraft(
        "- Gạch đầu dòng thứ nhất\n- Gạch đầu dòng thứ hai",
        "Đảng viên",
        "-Chi bộ B",
        "'=đã có nháy",
        "''@hai dấu nháy\n=dòng hai",
    ),
    QuestionDraft("'Trích dẫn mở đầu bằng dấu nháy đơn, không nguy hiểm", "Chung"),
    QuestionDraft('Câu hỏi bình thường có chữ «ngoặc kép» và "dấu nháy"', "Chung", None, None, "'"),
]


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("q.xlsx", write_questions_xlsx),
        ("q.csv", write_questions_csv),
        ("q.yaml", write_questions_yaml),
    ],
)
def test_round_trip(
    tmp_path: Path, name: str, writer: Callable[[Path, list[QuestionDraft]], None]
) -> None:
    drafts = TRICKY + SAMPLE_QUESTIONS
    path = tmp_path / name
    writer(path, drafts)
    assert parse_questions(name, path.read_bytes()) == drafts


def test_exported_spreadsheets_hold_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    write_questions_xlsx(path, TRICKY)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        assert not str(cell.value).startswith(("=", "+", "-", "@")), cell.value
    assert sheet["A2"].value.startswith("'=HYPERLINK")
    assert sheet["A3"].value.startswith("'@SUM")

    csv_path = tmp_path / "q.csv"
    write_questions_csv(csv_path, TRICKY)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(records) == len(TRICKY) + 1
    for record in records:
        for value in record:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert records[1][0].startswith("'=HYPERLINK")


def test_template_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template_xlsx(path)
    book = load_workbook(path)
    assert book.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    sheet = book["Câu hỏi"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    assert sheet.column_dimensions["A"].width >= 50
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert "B2" in str(validation.sqref)
    for topic in STANDARD_TOPICS:
        assert topic in validation.formula1
    guide = [row for row in book["Hướng dẫn"].iter_rows(values_only=True)]
    described = {row[0] for row in guide}
    assert set(HEADERS) <= described
    assert summary(rejected("mau.xlsx", path.read_bytes())) == [("no_rows", None, None)]


def test_export_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError):
        export_questions("q.txt", SAMPLE_QUESTIONS)


# Normalized values: words without surrounding spaces, joined by single spaces or newlines.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặềếểễệìíỉĩịòóỏõọờớởỡợùúủũụừứửữựỳýỷỹỵĐÂ"
_WORD = st.text(_LETTERS + "0123456789=+-@'\"#:;,.?!«»()[]{}|>*&%", min_size=1, max_size=10)


def _joined(separators: str, min_words: int, max_words: int) -> st.SearchStrategy[str]:
    return st.lists(
        st.tuples(_WORD, st.sampled_from(separators)), min_size=min_words, max_size=max_words
    ).map(lambda parts: "".join(w + s for w, s in parts)[:-1] if parts else "")


_DRAFT = st.builds(
    QuestionDraft,
    text=_joined(" \n", 3, 40).filter(lambda t: len(t) >= 10),
    topic=_joined(" ", 1, 4),
    source_unit=st.none() | _joined(" ", 1, 8),
    legal_refs=st.none() | _joined(" \n", 1, 20),
    suggested_answer=st.none() | _joined(" \n", 1, 40),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drafts=st.lists(
        _DRAFT, min_size=1, max_size=5, unique_by=lambda d: normalize_for_match(d.text)
    ),
    ext=st.sampled_from([".xlsx", ".csv", ".yaml"]),
)
def test_round_trip_property(drafts: list[QuestionDraft], ext: str) -> None:
    filename = "q" + ext
    assert parse_questions(filename, export_questions(filename, drafts)) == drafts


# ---------------------------------------------------------------------------------------------
# Arbitrary input never escapes as anything but ImportRejected

_GOOD_XLSX = export_questions("base.xlsx", SAMPLE_QUESTIONS[:4])


def _mutate(data: bytes, seed: int, flips: int) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out))] = rng.randrange(256)
    if rng.random() < 0.3:
        del out[rng.randrange(len(out)) :]
    return bytes(out)


_ANY_FILE = st.one_of(
    st.tuples(st.sampled_from(["a.csv", "a.xlsx", "a.yaml", "a.yml"]), st.binary(max_size=3000)),
    st.tuples(
        st.sampled_from(["a.csv", "a.yaml"]),
        st.text(
            st.sampled_from(list("Câu hỏi,;\"'\n\r\t:-[]{}&*!|>#% \x00\x07abcđ")) | st.characters(),
            max_size=400,
        ).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    st.tuples(
        st.just("a.xlsx"),
        st.builds(_mutate, st.just(_GOOD_XLSX), st.integers(0, 2**32), st.integers(1, 8)),
    ),
    st.tuples(
        st.just("a.csv"),
        st.lists(
            st.sampled_from([",".join(HEADERS), Q1, Q2, "", ",,", '"', "a;b"]), max_size=8
        ).map(lambda lines: "\n".join(lines).encode()),
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ANY_FILE)
def test_arbitrary_bytes_give_drafts_or_import_rejected(file: tuple[str, bytes]) -> None:
    filename, data = file
    try:
        drafts = parse_questions(filename, data)
    except ImportRejected as exc:
        assert exc.problems
        assert all(p.code in PROBLEM_CODES for p in exc.problems)
        render_rejection(filename, exc.problems)  # every real problem renders
    else:
        assert drafts
        assert all(isinstance(d, QuestionDraft) for d in drafts)


# ---------------------------------------------------------------------------------------------
# Rendering


def test_rendering_escapes_filenames_and_values(tmp_path: Path) -> None:
    filename = "<b>danh&sách</b>.csv"
    data = text_file(tmp_path, "x.csv", f"Câu hỏi,<i>Ghi & chú</i>\n{Q1},x\n")
    problems = rejected(filename, data)
    message = render_rejection(filename, problems)
    assert "Tệp <b>&lt;b&gt;danh&amp;sách&lt;/b&gt;.csv</b> chưa được nhập" in message
    assert "«&lt;i&gt;Ghi &amp; chú&lt;/i&gt;»" in message
    assert "&amp;lt;" not in message
    assert re.sub(r"</?b>", "", message).count("<") == 0

    done = render("import_done", {"filename": "<a&b>.xlsx", "count": 24, "queued": 31})
    assert done == (
        "Đã nhập <b>24</b> câu hỏi từ tệp <b>&lt;a&amp;b&gt;.xlsx</b>. "
        "Hàng đợi hiện có <b>31</b> câu hỏi."
    )


def test_rendering_shows_at_most_30_problems(tmp_path: Path) -> None:
    lines = ["Câu hỏi"] + [f"ngắn {i}" for i in range(40)]
    problems = rejected("q.csv", text_file(tmp_path, "q.csv", "\n".join(lines)))
    assert len(problems) == 40
    message = plain(render_rejection("q.csv", problems))
    assert message.count("\n• ") == 30
    assert "• Dòng 31, cột «Câu hỏi»: quá ngắn (7 ký tự, cần ít nhất 10)." in message
    assert "Dòng 32," not in message
    assert "… và 10 lỗi khác." in message
    assert "Có 40 lỗi cần sửa:" in message


def test_rendering_a_single_file_level_problem() -> None:
    message = plain(
        render_rejection(
            "q.pdf", [ImportProblem("unsupported_type", None, None, {"extension": ".pdf"})]
        )
    )
    assert message == (
        "Tệp q.pdf chưa được nhập: không có câu hỏi nào được lưu.\n"
        "• Không nhận loại tệp «.pdf»: đề nghị đồng chí gửi tệp Excel (.xlsx), CSV (.csv) "
        "hoặc YAML (.yaml, .yml)."
    )


def test_rendering_every_code_with_its_declared_details() -> None:
    for code, keys in PROBLEM_CODES.items():
        for row in (None, 4):
            detail: dict[str, str | int] = {key: 1 for key in keys}
            problem = ImportProblem(code, row, "Câu hỏi" if row else None, detail)
            message = render_rejection("q.xlsx", [problem])
            assert "chưa xác định" not in message, code
            bullet = plain(message).split("• ", 1)[1]
            assert bullet[:1].isupper(), (code, bullet)
            assert bullet.rstrip().endswith("."), (code, bullet)


def test_yaml_export_is_readable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    write_questions_yaml(path, SAMPLE_QUESTIONS[:2])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    document = yaml.safe_load(text)
    assert list(document) == ["questions"]
    assert document["questions"][0]["Câu hỏi"] == SAMPLE_QUESTIONS[0].text
    assert "Gợi ý trả lời" in document["questions"][0]
