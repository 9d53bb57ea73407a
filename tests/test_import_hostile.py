"""Malformed and hostile question files (real bytes), and text in files cleaned like typed text."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from bot.render import plain, render
from bot.services.bank import split_duplicates
from bot.services.grassroots import question_problem
from bot.text import clean_line, clean_lines
from questions import importer
from questions.importer import (
    PROBLEM_CODES,
    ImportProblem,
    ImportRejected,
    display_filename,
    export_questions,
    normalize_for_match,
    parse_questions,
)
from questions.model import LIMITS, MAX_FILE_BYTES, QuestionDraft
from tests.files import inline, raw_xlsx, rich, shared

Q1 = "Đảng viên dự bị có được biểu quyết khi chi bộ xét kết nạp không?"
Q2 = "Chi bộ có 8 đảng viên chính thức thì bầu chi ủy hay bầu bí thư?"
Q3 = "Đảng viên bỏ sinh hoạt ba tháng thì chi bộ xử lý thế nào?"


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _book(
    *sheets: list[list[object]], merge: str | None = None, chart_first: bool = False
) -> bytes:
    book = Workbook()
    first = book.active
    for index, rows in enumerate(sheets):
        sheet = first if index == 0 else book.create_sheet(f"Trang {index + 1}")
        for row in rows:
            sheet.append(row)
    if merge:
        first.merge_cells(merge)
    if chart_first:  # a chart sheet, as Excel writes one: with its chart
        chart = BarChart()
        chart.add_data(Reference(first, min_col=1, min_row=1, max_row=2))
        book.create_chartsheet("Biểu đồ", 0).add_chart(chart)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


def _laughs() -> bytes:
    """The "billion laughs": nine levels of lists, each of nine aliases of the level below."""
    lines = ['- &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"- &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _text_bomb() -> bytes:
    """One long text, repeated by aliases in every field of 500 items."""
    big = "Câu hỏi rất dài " * 6000
    items = [f'- Câu hỏi: &q "{big}"\n  Gợi ý trả lời: *q']
    items += ["- {Câu hỏi: *q, Căn cứ: *q, Gợi ý trả lời: *q}"] * 400
    return ("\n".join(items) + "\n").encode()


# (file name, bytes, the problem codes expected, words the Vietnamese refusal must contain)
Case = tuple[str, Callable[[], bytes], set[str], str]
MALFORMED: dict[str, Case] = {
    # CSV
    "csv NUL bytes": ("q.csv", lambda: _csv("Câu hỏi", Q1, "\0"), {"bad_csv"}, "dòng 3"),
    "csv header only": ("q.csv", lambda: _csv("Câu hỏi,Chủ đề"), {"no_rows"}, "không có câu hỏi"),
    "csv blank header row": (
        "q.csv",
        lambda: _csv(",,", f"{Q1},Cán bộ,"),
        {"missing_column"},
        "Thiếu cột bắt buộc «Câu hỏi»",
    ),
    "csv ragged rows": (
        "q.csv",
        lambda: _csv("Câu hỏi,Chủ đề", f"{Q1},Cán bộ,thừa", Q2),
        {"unnamed_column"},
        "cột C có dữ liệu",
    ),
    "csv quote never closed": (
        "q.csv",
        lambda: _csv("Câu hỏi,Chủ đề", f'"{Q1},Cán bộ', f"{Q2},Cán bộ"),
        {"bad_csv"},
        "sai định dạng ở dòng 2",
    ),
    "csv 1.9 MB single line": (
        "q.csv",
        lambda: b"C\xc3\xa2u h\xe1\xbb\x8fi\n" + b"x" * (MAX_FILE_BYTES - 100_000),
        {"too_long"},
        f"dài {MAX_FILE_BYTES - 100_000} ký tự, vượt giới hạn 3000",
    ),
    "csv mixed delimiters": (
        "q.csv",
        lambda: _csv("Câu hỏi,Chủ đề,Đơn vị hỏi", f"{Q1},Cán bộ,Chi bộ A", f"{Q2};Cán bộ;Chi bộ B"),
        {"mixed_delimiter"},
        "Dòng 3: dòng này ngăn cột bằng dấu chấm phẩy (;), khác với dòng tiêu đề (dấu phẩy (,))",
    ),
    "csv UTF-16 with BOM": (
        "q.csv",
        lambda: f"Câu hỏi\n{Q1}\n".encode("utf-16"),
        {"bad_encoding"},
        "bảng mã UTF-16",
    ),
    "csv UTF-16 without BOM": (
        "q.csv",
        lambda: f"Câu hỏi\n{Q1}\n".encode("utf-16-le"),
        {"bad_encoding"},
        "bảng mã UTF-16",
    ),
    "csv Latin-1": (
        "q.csv",
        lambda: "text\nRéunion du comité à Paris, café?\n".encode("latin-1"),
        {"bad_encoding"},
        "chưa được lưu ở bảng mã UTF-8",
    ),
    "csv control character": (
        "q.csv",
        lambda: _csv("Câu hỏi,Chủ đề", f"{Q1},Cán\x1bbộ"),
        {"control_chars"},
        "Dòng 2, cột «Chủ đề»: có ký tự điều khiển không hợp lệ (U+001B)",
    ),
    "csv that is a workbook": (
        "q.csv",
        lambda: export_questions("q.xlsx", [QuestionDraft(Q1)]),
        {"wrong_content"},
        "nội dung là bảng tính Excel",
    ),
    "csv of 0 bytes": ("q.csv", lambda: b"", {"empty_file"}, "Tệp trống"),
    "csv 20,001 columns": (
        "q.csv",
        lambda: _csv(",".join(["Câu hỏi"] + [f"Cột {i}" for i in range(20_000)]), Q1),
        {"too_many_columns"},
        "Dòng 1: có dữ liệu trên 20.001 cột, vượt giới hạn 100 cột",
    ),
    "csv a row of 20,001 columns under a short header": (
        "q.csv",
        lambda: _csv("Câu hỏi,Chủ đề", f"{Q1},Cán bộ", Q2 + ",x" * 20_000),
        {"too_many_columns"},
        "Dòng 3: có dữ liệu trên 20.001 cột",
    ),
    "csv header after 5,000 empty columns": (
        "q.csv",
        lambda: _csv("," * 5000 + "Câu hỏi", "," * 5000 + Q1),
        {"too_many_columns"},
        "Dòng 1: có dữ liệu trên 5001 cột, vượt giới hạn 100 cột",
    ),
    "csv a first row of 5,000 empty columns": (
        "q.csv",
        lambda: _csv("," * 5000, Q1, Q2),
        {"missing_column"},
        "Thiếu cột bắt buộc «Câu hỏi»",
    ),
    # XLSX
    "xlsx zip of something else": (
        "q.xlsx",
        lambda: _zip(hello__txt=b"xin chao", word__document__xml=b"<w/>"),
        {"corrupt_xlsx"},
        "Không đọc được tệp Excel",
    ),
    "xlsx sheet missing from the zip": (
        "q.xlsx",
        lambda: raw_xlsx([[inline("Câu hỏi")], [inline(Q1)]], with_sheet=False),
        {"corrupt_xlsx"},
        "Không đọc được tệp Excel",
    ),
    "xlsx first sheet empty": ("q.xlsx", lambda: _book([]), {"no_rows"}, "không có câu hỏi"),
    "xlsx formula error": (
        "q.xlsx",
        lambda: raw_xlsx(
            [
                [inline("Câu hỏi"), inline("Chủ đề"), inline("Căn cứ")],
                [inline(Q1), '<c t="e"><f>#REF!+1</f><v>#REF!</v></c>', inline("Điều lệ Đảng")],
                [inline(Q2), inline("Cán bộ"), '<c t="e"><v>#N/A</v></c>'],
            ]
        ),
        {"cell_error"},
        "Dòng 2, cột «Chủ đề»: ô đang báo lỗi công thức (#REF!)",
    ),
    "xlsx merged question cell": (
        "q.xlsx",
        lambda: _book([["Câu hỏi", "Chủ đề"], [Q1, "Cán bộ"], [None, "Đảng viên"]], merge="A2:A3"),
        {"empty_text"},
        "Dòng 3, cột «Câu hỏi»: nội dung trống",
    ),
    "xlsx a million rows of nothing": (
        "q.xlsx",
        lambda: raw_xlsx(
            [[inline("Câu hỏi")], [inline(Q1)], ['<c s="0"/>'], [inline("ngắn")]],
            numbers=[1, 2, 3, 1_048_576],
        ),
        {"too_short"},
        "Dòng 1048576, cột «Câu hỏi»: quá ngắn",
    ),
    "xlsx huge shared strings": (
        "q.xlsx",
        lambda: raw_xlsx([[inline("Câu hỏi")], [shared(0)]], strings=["lol" * 20] * 1_000_000),
        {"too_large"},
        "sau khi giải nén vượt 50 MB",
    ),
    "xlsx control character as _x0007_": (
        "q.xlsx",
        lambda: raw_xlsx([[inline("Câu hỏi")], [inline(Q1 + "_x0007_")]]),
        {"control_chars"},
        "(U+0007)",
    ),
    "xlsx that is really CSV": (
        "q.xlsx",
        lambda: _csv("Câu hỏi,Chủ đề", f"{Q1},Cán bộ"),
        {"wrong_content"},
        "nội dung là văn bản thường",
    ),
    "xlsx password or legacy": (
        "q.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
        {"encrypted_xlsx"},
        "mật khẩu",
    ),
    "xlsx of 0 bytes": ("q.xlsx", lambda: b"", {"empty_file"}, "Tệp trống"),
    "xlsx 20,001 columns": (
        "q.xlsx",
        lambda: raw_xlsx(
            [[inline("Câu hỏi")] + [inline(f"Cột {i}") for i in range(20_000)], [inline(Q1)]]
        ),
        {"too_many_columns"},
        "Dòng 1: có dữ liệu trên 20.001 cột, vượt giới hạn 100 cột",
    ),
    # YAML
    "yaml a mapping, not a list": (
        "q.yaml",
        lambda: f"Câu hỏi: {Q1}\nChủ đề: Cán bộ\n".encode(),
        {"bad_yaml"},
        "cần một danh sách câu hỏi",
    ),
    "yaml a list of strings": (
        "q.yaml",
        lambda: f"- {Q1}\n- {Q2}\n".encode(),
        {"bad_yaml"},
        "Mục 1: mỗi mục phải gồm các cặp «tên cột: nội dung»",
    ),
    "yaml nested lists": (
        "q.yaml",
        lambda: f"- [{Q1}, Cán bộ]\n- - - {Q2}\n".encode(),
        {"bad_yaml"},
        "Mục 2: mỗi mục phải gồm",
    ),
    "yaml billion laughs": ("q.yaml", _laughs, {"bad_yaml"}, "Mục 9: mỗi mục phải gồm"),
    "yaml aliases repeating a long text": (
        "q.yaml",
        _text_bomb,
        {"bad_yaml"},
        "dùng tham chiếu (dấu & và *)",
    ),
    "yaml python tag": (
        "q.yaml",
        lambda: b"- !!python/object/apply:os.system [echo hi]\n",
        {"bad_yaml"},
        "sai cú pháp ở dòng 1",
    ),
    "yaml duplicate keys": (
        "q.yaml",
        lambda: f"- Câu hỏi: {Q1}\n  Chủ đề: Cán bộ\n  Câu hỏi: {Q2}\n".encode(),
        {"bad_yaml"},
        "ghi khóa «Câu hỏi» hai lần trong cùng một mục (dòng 3)",
    ),
    "yaml several documents": (
        "q.yaml",
        lambda: f"- Câu hỏi: {Q1}\n---\n- Câu hỏi: {Q2}\n".encode(),
        {"bad_yaml"},
        "gồm 2 tài liệu",
    ),
    "yaml binary value": (
        "q.yaml",
        lambda: f"- Câu hỏi: {Q1}\n  Căn cứ: !!binary aGVsbG8=\n".encode(),
        {"bad_value"},
        "Mục 1, cột «Căn cứ»: phải là một đoạn văn bản, không phải dữ liệu nhị phân",
    ),
    "yaml set value": (
        "q.yaml",
        lambda: f"- Câu hỏi: {Q1}\n  Thẻ: !!set {{a, b}}\n".encode(),
        {"bad_value"},
        "không phải kiểu dữ liệu khác",
    ),
    "yaml escaped control character": (
        "q.yaml",
        lambda: f'- Câu hỏi: "{Q1} \\x07"\n'.encode(),
        {"control_chars"},
        "(U+0007)",
    ),
    "yaml binary data": ("q.yaml", lambda: bytes(range(256)) * 8, {"bad_yaml"}, "dòng 1"),
    "yaml of 0 bytes": ("q.yaml", lambda: b"", {"empty_file"}, "Tệp trống"),
    "yaml an item of 20,001 keys": (
        "q.yaml",
        lambda: (
            f"- Câu hỏi: {Q2}\n- Câu hỏi: {Q1}\n"
            + "".join(f"  Khóa {i}: x\n" for i in range(20_000))
        ).encode(),
        {"too_many_columns"},
        "Mục 2: có 20.001 khóa, vượt giới hạn 100 khóa mỗi mục",
    ),
    "yaml that is a workbook": (
        "q.yml",
        lambda: export_questions("q.xlsx", [QuestionDraft(Q1)]),
        {"wrong_content"},
        "đổi đuôi tệp thành .xlsx",
    ),
    # Any format
    "too large": ("q.yaml", lambda: b"#" * (MAX_FILE_BYTES + 1), {"too_large"}, "vượt giới hạn"),
    "no extension": ("cau_hoi", lambda: _csv("Câu hỏi", Q1), {"unsupported_type"}, "phần mở rộng"),
}


def _rendered(filename: str, problems: list[ImportProblem]) -> str:
    return render(
        "import_rejected",
        {
            "filename": filename,
            "problems": [dataclasses.asdict(p) for p in problems],
            "total": len(problems),
        },
    )


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_every_malformed_file_gets_a_refusal_naming_the_problem(case: str) -> None:
    filename, build, codes, words = MALFORMED[case]
    data = build()
    assert len(data) <= MAX_FILE_BYTES or "too_large" in codes
    with pytest.raises(ImportRejected) as info:
        parse_questions(filename, data)
    problems = info.value.problems
    assert codes <= {p.code for p in problems}, problems
    for p in problems:
        assert set(PROBLEM_CODES[p.code]) <= set(p.detail), p
    message = plain(_rendered(filename, problems))
    assert message.startswith(f"Tệp {filename} chưa được nhập: không có câu hỏi nào được lưu.")
    assert "chưa xác định" not in message and "Traceback" not in message
    assert words in message, message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_empty_cells_after_the_last_column_are_no_columns(fmt: str) -> None:
    # A spreadsheet whose used range went wide writes empty cells up to its last column.
    width = 5_000
    if fmt == "csv":
        data = _csv("Câu hỏi,Chủ đề" + "," * width, f"{Q1},Cán bộ" + "," * width)
    else:
        data = raw_xlsx(
            [
                [inline("Câu hỏi"), inline("Chủ đề")] + [inline(" ")] * width,
                [inline(Q1), inline("Cán bộ")] + ['<c s="0"/>'] * width,
            ]
        )
    assert parse_questions(f"q.{fmt}", data) == [QuestionDraft(Q1, topic="Cán bộ", row=2)]


def test_a_reader_bug_is_a_refusal_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setitem(importer._READERS, ".csv", broken)
    with pytest.raises(ImportRejected) as info:
        parse_questions("q.csv", _csv("Câu hỏi", Q1))
    assert info.value.problems == [ImportProblem("unreadable")]
    assert "Bot không đọc được nội dung tệp này" in plain(_rendered("q.csv", info.value.problems))


def test_odd_file_names_are_cleaned_and_shortened() -> None:
    assert display_filename("a\u202egpj.csv") == "agpj.csv"
    assert display_filename("../..\\cau\u200b_hoi\x07.CSV ") == "../..\\cau_hoi.CSV"
    long = display_filename("Đ" * 300 + ".xlsx")
    assert len(long) == 120 and long.endswith("…​.xlsx".replace("\u200b", ""))
    with pytest.raises(ImportRejected) as info:
        parse_questions("/tmp/" + "ả" * 300 + "\u202e.csv", b"")
    assert info.value.filename.endswith("….csv") and "\u202e" not in info.value.filename
    assert info.value.problems == [ImportProblem("empty_file")]


# ---------------------------------------------------------------------------------------------
# Files that look odd but are fine


def test_title_rows_above_the_header_are_skipped() -> None:
    data = _book([["DANH SÁCH CÂU HỎI QUÝ I"], [], ["Câu hỏi", "Chủ đề"], [Q1, "Cán bộ"]])
    (draft,) = parse_questions("q.xlsx", data)
    assert (draft.text, draft.topic, draft.row) == (Q1, "Cán bộ", 4)


def test_the_first_worksheet_with_content_is_read_and_chart_sheets_skipped() -> None:
    data = _book([], [["Câu hỏi"], [Q1]], chart_first=True)
    assert [d.text for d in parse_questions("q.xlsx", data)] == [Q1]


def test_cell_values_read_as_a_person_sees_them() -> None:
    data = raw_xlsx(
        [
            [inline("Câu hỏi"), inline("Chủ đề"), inline("Đơn vị hỏi"), inline("Căn cứ")],
            [
                rich("Đảng viên ", "dự bị", " có được biểu quyết?"),
                '<c t="str"><f>"Cán"&amp;" bộ"</f><v>Cán bộ</v></c>',
                '<c t="b"><v>1</v></c>',
                "<c><v>3.5</v></c>",
            ],
        ]
    )
    (draft,) = parse_questions("q.xlsx", data)
    assert draft == QuestionDraft(
        "Đảng viên dự bị có được biểu quyết?", "Cán bộ", "TRUE", "3.5", None
    )
    dated = _book([["Câu hỏi", "Căn cứ"], [Q1, datetime(2021, 7, 30)]])
    assert parse_questions("q.xlsx", dated)[0].legal_refs == "30/07/2021"


# ---------------------------------------------------------------------------------------------
# Text in files is cleaned exactly like typed text

DIRTY_TEXT = (
    "  \u202eĐa\u0309ng vie\u0302n\u200b du\u031b\u0323 bi\u0323\u00a0có\t\tđược\u2066 biểu quyết?"
    "\r\n   \r\n\r\n\r\n\r\n\u200fHỏi\ufeff thêm\u2028dòng mới.  "
)
DIRTY_LINE = "\u202a Chi\u00a0bộ\u200c Thôn 3,\txã A \u2069\r\n"
DIRTY_TAGS = "kết\u200b nạp, \u202echuyển sinh hoạt"
FIELDS = {
    "Câu hỏi": DIRTY_TEXT,
    "Chủ đề": "Đa\u0309ng\u00a0viên\u200e",
    "Đơn vị hỏi": DIRTY_LINE,
    "Căn cứ": "Điều lệ\u202e Đảng\r\n\r\n\r\nQuy định\u00a0số 24-QĐ/TW ngày 30/7/2021",
    "Gợi ý trả lời": "Gợi ý\u2067 tham khảo:\r\n\t\tkhông.\u00ad",
    "Thẻ": DIRTY_TAGS,
}
EXPECTED = QuestionDraft(
    text="Đảng viên dự bị có được biểu quyết?\n\nHỏi thêm\ndòng mới.",
    topic="Đảng viên",
    source_unit="Chi bộ Thôn 3, xã A",
    legal_refs="Điều lệ Đảng\n\nQuy định số 24-QĐ/TW ngày 30/7/2021",
    suggested_answer="Gợi ý tham khảo:\nkhông.",
    tags=("kết nạp", "chuyển sinh hoạt"),
)


def _yaml_scalar(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for ch, code in (("\r", "\\r"), ("\n", "\\n"), ("\t", "\\t"), ("\ufeff", "\\uFEFF")):
        escaped = escaped.replace(ch, code)
    return f'"{escaped}"'


def _dirty_files() -> dict[str, tuple[str, bytes]]:
    headers, values = list(FIELDS), list(FIELDS.values())
    quoted = ['"' + v.replace('"', '""') + '"' for v in values]
    csv_data = (",".join(headers) + "\r\n" + ",".join(quoted) + "\r\n").encode("utf-8-sig")
    yaml_data = (
        "- " + "\n  ".join(f"{h}: {_yaml_scalar(v)}" for h, v in FIELDS.items()) + "\n"
    ).encode()
    # Excel writes a carriage return as _x000D_; an inline rich text splits the question.
    xlsx_values = [v.replace("\r", "_x000D_") for v in values]
    inline_data = raw_xlsx(
        [
            [inline(h) for h in headers],
            [rich(xlsx_values[0][:20], xlsx_values[0][20:]), *map(inline, xlsx_values[1:])],
        ]
    )
    shared_data = raw_xlsx(
        [[shared(i) for i in range(6)], [shared(i) for i in range(6, 12)]],
        strings=headers + xlsx_values,
    )
    openpyxl_data = _book([headers, values])
    return {
        "csv": ("q.csv", csv_data),
        "yaml": ("q.yaml", yaml_data),
        "xlsx inline and rich text": ("q.xlsx", inline_data),
        "xlsx shared strings": ("q.xlsx", shared_data),
        "xlsx written by openpyxl": ("q.xlsx", openpyxl_data),
    }


@pytest.mark.parametrize("fmt", sorted(_dirty_files()))
def test_every_column_of_every_format_is_cleaned_like_typed_text(fmt: str) -> None:
    filename, data = _dirty_files()[fmt]
    (draft,) = parse_questions(filename, data)
    assert draft == EXPECTED
    # The same as what the chat dialogs store for the same typed text (/themcauhoi cleans with
    # clean_lines and clean_line; a grassroots question goes through question_problem).
    assert draft.text == clean_lines(DIRTY_TEXT) == question_problem(DIRTY_TEXT)[0]
    assert draft.source_unit == clean_line(DIRTY_LINE)
    assert draft.legal_refs == clean_lines(FIELDS["Căn cứ"])


def test_duplicates_are_seen_through_invisible_characters_and_decomposition() -> None:
    twins = [
        Q1,
        "\u202e" + Q1.replace(" ", " \u200b"),
        Q1.replace("Đảng", "Đa\u0309ng"),  # NFD, as a Windows-1258 keyboard gives it
        Q1.replace(" ", "\u00a0"),
    ]
    keys = {normalize_for_match(t) for t in twins}
    assert len(keys) == 1
    lines = ["Câu hỏi", *(f'"{t}"' for t in twins)]
    with pytest.raises(ImportRejected) as info:
        parse_questions("q.csv", _csv(*lines))
    assert [(p.code, p.row) for p in info.value.problems] == [
        ("duplicate_in_file", 3),
        ("duplicate_in_file", 4),
        ("duplicate_in_file", 5),
    ]
    # Against the bank, too (a question stored before the cleaning existed).
    fresh, duplicates = split_duplicates([QuestionDraft(Q1)], [(7, twins[1])])
    assert not fresh and duplicates[0].existing_id == 7


def test_limits_count_cleaned_characters() -> None:
    padded = Q1 + "\u200b" * LIMITS.max_text
    (draft,) = parse_questions("q.csv", _csv("Câu hỏi", f'"{padded}"'))
    assert draft.text == Q1


def test_workbooks_are_parsed_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_a_workbook_declaring_xml_entities_is_refused_not_expanded() -> None:
    """The "billion laughs" in XML: ten levels of entities, each ten of the level below."""
    source = zipfile.ZipFile(
        io.BytesIO(raw_xlsx([[shared(0)], [shared(1)]], strings=["Câu hỏi", Q1]))
    )
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bomb:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/sharedStrings.xml":
                text = data.decode().replace(Q1, f"{Q1} &lol9;")
                data = f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>{text}'.encode()
            bomb.writestr(name, data)
    with pytest.raises(ImportRejected) as info:
        parse_questions("q.xlsx", buffer.getvalue())
    assert [p.code for p in info.value.problems] == ["corrupt_xlsx"]
