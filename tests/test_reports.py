"""The report files (XLSX, DOCX) and the year-end sheets, opened with openpyxl and python-docx.

The data comes from the hand-computed fixture of ``tests/test_records.py`` (quarter IV of
2026: 7 sessions held, one moved, two skipped, one redraw; answers 3 in time, 1 late, 1 in
person, 2 unanswered; verdicts of the 5 answers 2 correct, 1 partial, 1 wrong, 1 ungraded;
staff A to F, D left after answering), so the figures in the files are checked against the
query layer and against the numbers counted by hand there.
"""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from bot.core import Refused
from bot.documents.report import ReportData, period_slug, turn_points
from bot.documents.report_docx import build_report_docx, build_sheets_docx
from bot.documents.report_xlsx import build_report_xlsx
from bot.documents.settings import DocumentSettings, from_stored, parse_setting
from bot.periods import Period, month_period, quarter_period, year_period
from bot.services import records
from bot.store.base import Statement
from bot.words import REPORT_WORDS
from hoidap.cli import main as cli_main
from tests.test_query_plans import full_scans
from tests.test_records import Fixture, fx  # noqa: F401  (the fixture of the record tests)

Q4 = quarter_period(2026, 4)
SETTINGS = DocumentSettings(
    body=("TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*"),
    place="Đồng Nai",
    symbol="BTCTU",
    signer="Nguyễn Văn An",
)
BLANK = "\u00a0" * 8  # the number the văn thư writes in
HYPERLINK = '=HYPERLINK("http://evil.example","bấm vào")'
AT_SUM = "@SUM(A1)"


async def _data(fx: Fixture, period: Period = Q4) -> ReportData:  # noqa: F811
    return await records.report_data(fx.core, None, fx.program, period)


async def _hostile(fx: Fixture) -> None:  # noqa: F811
    """Question texts and a comment that a spreadsheet would take for formulas."""
    conn = fx.core.store.conn
    await conn.execute("UPDATE questions SET text = ? WHERE text LIKE '%2026-W41'", (HYPERLINK,))
    await conn.execute("UPDATE questions SET text = ? WHERE text LIKE '%2026-W42'", (AT_SUM,))
    await conn.execute("UPDATE questions SET text = '-1+2' WHERE text LIKE '%2026-W43'")
    await conn.execute("UPDATE grades SET comment = '+cmd|calc' WHERE comment IS NOT NULL")
    await conn.commit()


def _xlsx(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


# -- the data ---------------------------------------------------------------------------------


async def test_the_report_data_is_the_query_layers(fx: Fixture) -> None:  # noqa: F811
    data = await _data(fx)
    now, before = await records.figures(fx.core, fx.program, Q4)
    assert (data.figures, data.previous) == (now, before)
    assert data.figures.held == 7 and data.previous.held == 1
    # The active staff, and D, who answered in the period and left since.
    assert [p.name for p in data.people] == [f"Cán bộ {k}" for k in "ABCDEF"]
    for row in data.people:
        rec = await records.record(fx.core, fx.program, row.person_id, Q4)
        assert (row.drawn, row.outcomes, row.verdicts) == (rec.drawn, rec.outcomes, rec.verdicts)
    b = next(p for p in data.people if p.name == "Cán bộ B")
    assert b.redrawn == ((date(2026, 10, 12), None),)
    statuses = [(s.day, s.status, s.skip_kind) for s in data.sessions]
    assert statuses == [
        (date(2026, 10, 5), "held", None),
        (date(2026, 10, 12), "held", None),
        (date(2026, 10, 19), "held", None),
        (date(2026, 10, 26), "held", None),
        (date(2026, 11, 2), "held", None),
        (date(2026, 11, 9), "skipped", "admin"),
        (date(2026, 11, 16), "skipped", "holiday"),
        (date(2026, 11, 23), "held", None),
        (date(2026, 12, 1), "moved", None),
        (date(2026, 12, 7), "planned", None),
    ]
    skipped = [s.skip_reason for s in data.sessions if s.status == "skipped"]
    assert skipped == ["Họp Đảng ủy", "Nghỉ bù"]
    assert "GỢI Ý BÍ MẬT" not in repr(data)


async def test_staff_may_not_have_a_report(fx: Fixture) -> None:  # noqa: F811
    staff = await fx.core.store.person(fx.people["A"])
    head = await fx.core.store.person(fx.people["H"])
    assert staff is not None and head is not None
    with pytest.raises(Refused) as refused:
        await records.report_data(fx.core, staff, fx.program, Q4)
    assert refused.value.reply.template == "report_not_allowed"
    assert (await records.report_data(fx.core, head, fx.program, Q4)).figures.held == 7


def test_the_points_of_a_turn_and_the_file_names() -> None:
    assert period_slug(year_period(2026)) == "2026"
    assert period_slug(Q4) == "2026_q4"
    assert period_slug(month_period(2026, 3)) == "2026_t03"
    assert period_slug(Period("range", date(2026, 3, 1), date(2026, 5, 31), 2026)) == (
        "20260301_20260531"
    )


# -- the spreadsheet ----------------------------------------------------------------------------


async def test_the_spreadsheet_has_its_sheets_figures_and_chart(fx: Fixture) -> None:  # noqa: F811
    wb = _xlsx(build_report_xlsx(await _data(fx)))
    assert wb.sheetnames == ["Tổng hợp", "Các phiên", "Cán bộ", "Chủ đề", "Căn cứ"]
    summary = wb["Tổng hợp"]
    rows = {r[0]: r[1:4] for r in summary.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["Số phiên đã tổ chức"] == (7, 1, 6)
    assert rows["Trong đó dời ngày vì nghỉ lễ"] == (1, 0, 1)
    assert rows["Số phiên nghỉ"][0] == 2
    assert rows["Nghỉ vì lý do công tác"][0] == 1  # an admin's skip, in office words
    assert rows["Số lần bốc thăm lại"][0] == 1
    assert rows["Tỷ lệ trả lời đúng hạn (%)"] == (43, 100, -57)
    assert rows["Trả lời đúng hạn"][0] == 3 and rows["Trả lời muộn"][0] == 1
    assert rows["Trả lời trực tiếp"][0] == 1 and rows["Không trả lời"][0] == 2
    assert rows["Đúng"] == (2, 1, 1)
    assert rows["Đúng một phần"][0] == 1 and rows["Chưa đúng"][0] == 1
    assert rows["Chưa đánh giá"][0] == 1  # W45's answer; the unanswered turns are not counted
    assert rows["Câu hỏi của cơ sở đã nhận"] == (3, 1, 2)
    assert rows["Cán bộ chưa có lượt trong vòng 1"][0] == 1
    (chart,) = summary._charts
    assert type(chart).__name__ == "BarChart"
    for ws in wb:
        assert ws.freeze_panes is not None
        # The lists are filtered; the summary, in groups, is not.
        assert bool(ws.auto_filter.ref) == (ws.title != "Tổng hợp")
    assert summary.freeze_panes == "A5"
    assert wb["Các phiên"].freeze_panes == "A2"
    assert wb["Các phiên"].auto_filter.ref == "A1:K11"
    topics = list(wb["Chủ đề"].iter_rows(min_row=2, values_only=True))
    assert topics == [("Điều lệ", 3), ("Kỷ luật", 2), ("Tổ chức", 2)]
    sessions = {
        r[0].date(): (r[7], r[8]) for r in wb["Các phiên"].iter_rows(min_row=2, values_only=True)
    }
    assert sessions[date(2026, 10, 12)] == ("Trả lời muộn", "Chưa đúng")
    assert sessions[date(2026, 11, 2)] == ("Trả lời đúng hạn", "Chưa đánh giá")
    assert sessions[date(2026, 11, 23)] == ("Không trả lời", None)


async def test_dates_are_dates_in_the_spreadsheet(fx: Fixture) -> None:  # noqa: F811
    ws = _xlsx(build_report_xlsx(await _data(fx)))["Các phiên"]
    first = ws["A2"]
    assert first.is_date and first.value == datetime(2026, 10, 5)
    assert first.number_format == "dd/mm/yyyy"
    moved = ws["A10"]
    assert moved.value == datetime(2026, 12, 1) and ws["B10"].value == datetime(2026, 11, 30)
    assert ws["D10"].value == "Dời sang 01/12/2026"
    assert ws["K2"].is_date


async def test_no_text_cell_becomes_a_formula(fx: Fixture) -> None:  # noqa: F811
    await _hostile(fx)
    wb = _xlsx(build_report_xlsx(await _data(fx)))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    ws = wb["Các phiên"]
    questions = {ws.cell(r, 6).value: ws.cell(r, 6) for r in range(2, ws.max_row + 1)}
    for text in (HYPERLINK, AT_SUM, "-1+2"):
        cell = questions[text]  # the text as written, no character added
        assert cell.data_type == "s" and cell.quotePrefix
    comment = ws["J2"]
    assert comment.value == "+cmd|calc" and comment.quotePrefix
    assert not ws["E2"].quotePrefix  # an ordinary text is left as it is


async def test_the_people_sheet_is_the_year_end_row(fx: Fixture) -> None:  # noqa: F811
    data = await _data(fx, year_period(2026))
    ws = _xlsx(build_report_xlsx(data))["Cán bộ"]
    header = [c.value for c in ws[1]]
    assert "Điểm" not in header
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    a = rows["Cán bộ A"]
    assert a[header.index("Số lần được bốc thăm")] == 3
    assert a[header.index("Đúng")] == 2 and a[header.index("Không trả lời")] == 1
    assert rows["Cán bộ B"][header.index("Bốc lại cho người khác")] == 1
    assert rows["Cán bộ E"][header.index("Số lần được bốc thăm")] == 1
    assert rows["Cán bộ E"][header.index("Chưa đánh giá")] == 0  # E did not answer
    assert rows["Cán bộ F"][header.index("Số lần được bốc thăm")] == 0

    ws = _xlsx(build_report_xlsx(data, points=True))["Cán bộ"]
    header = [c.value for c in ws[1]]
    points = {r[1]: r[header.index("Điểm")] for r in ws.iter_rows(min_row=2, values_only=True)}
    # A: correct, correct, not answered = 2 + 2 - 1; C: wrong, partial; D: correct; E: not
    # answered (the window closed, though the scheduler had not closed the session).
    assert points == {
        "Cán bộ A": 3,
        "Cán bộ B": 0,
        "Cán bộ C": 1,
        "Cán bộ D": 2,
        "Cán bộ E": -1,
        "Cán bộ F": 0,
    }
    a_turns = next(p for p in data.people if p.name == "Cán bộ A").turns
    assert [turn_points(t) for t in a_turns] == [2, 2, -1]


async def test_the_files_never_carry_the_suggested_answer(fx: Fixture) -> None:  # noqa: F811
    data = await _data(fx, year_period(2026))
    wb = _xlsx(build_report_xlsx(data, points=True))
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if "GỢI Ý" in c]
    settings = DocumentSettings(points=True)
    for built in (build_report_docx(data, settings), build_sheets_docx(data, settings)):
        assert "GỢI Ý" not in _all_text(_docx(built))


# -- the Word report ----------------------------------------------------------------------------


async def test_the_word_report_has_the_party_heading_in_order(fx: Fixture) -> None:  # noqa: F811
    document = _docx(build_report_docx(await _data(fx), SETTINGS))
    heading = document.tables[0]
    assert [p.text for p in heading.cell(0, 0).paragraphs] == [
        "TỈNH ỦY ĐỒNG NAI",
        "BAN TỔ CHỨC",
        "*",
    ]
    assert heading.cell(0, 1).paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    # A report's symbol, the number left blank for the văn thư (no number is a setting).
    assert heading.cell(1, 0).text == f"Số {BLANK}-BC/BTCTU"
    assert heading.cell(1, 1).text == "Đồng Nai, ngày 02 tháng 12 năm 2026"
    assert heading.cell(1, 1).paragraphs[0].runs[0].italic
    numbered = _docx(build_report_docx(await _data(fx), SETTINGS, number="12"))
    assert numbered.tables[0].cell(1, 0).text == "Số 12-BC/BTCTU"
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    order = [
        "BÁO CÁO",
        # The subject line starts in lower case, as the guide's example, and keeps the period
        # whole on a line of its own.
        "kết quả thực hiện chương trình “Cơ sở hỏi, cán bộ tổ chức trả lời”\nquý\u00a0IV/2026",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ CHUNG",
        "III. PHƯƠNG HƯỚNG THỜI GIAN TỚI",
    ]
    assert [texts.index(t) for t in order] == sorted(texts.index(t) for t in order)
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold
    closing = document.tables[-1]
    assert closing.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert closing.cell(0, 1).paragraphs[0].text == "TRƯỞNG BAN"
    assert closing.cell(0, 1).paragraphs[-1].text == "Nguyễn Văn An"
    # Page numbers from page 2: a PAGE field in the header, a first page without it.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml


async def test_the_word_report_fills_in_the_figures(fx: Fixture) -> None:  # noqa: F811
    document = _docx(build_report_docx(await _data(fx), SETTINGS))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Trong kỳ đã tổ chức 7 phiên hỏi – đáp (tăng 6 so với kỳ trước)" in text
    assert "trong đó 1 phiên dời ngày vì nghỉ lễ" in text
    # The reason an admin gave is the reason the report gives, in the office's words.
    assert "Có 2 tuần không tổ chức: 1 tuần trùng ngày nghỉ lễ, Tết; 1 tuần vì họp Đảng ủy." in text
    assert (
        "Trong 7 lượt bốc thăm: trả lời đúng hạn 3, trả lời muộn 1, trả lời trực tiếp tại cuộc"
        " họp 1, không trả lời 2." in text
    )
    assert "Tỷ lệ trả lời đúng hạn đạt 43% (giảm 57 điểm phần trăm so với kỳ trước)" in text
    # The change of the correct answers is said once, in «5. So với kỳ trước».
    assert (
        "Trưởng phòng đánh giá 5 câu trả lời (tính theo lần đánh giá cuối cùng của mỗi phiên):"
        " đúng 2, đúng một phần 1, chưa đúng 1, chưa đánh giá 1" in text
    )
    assert "số câu trả lời được đánh giá đúng tăng 1 so với kỳ trước" in text
    assert "Điều lệ (3 câu); Kỷ luật (2 câu); Tổ chức (2 câu)" in text
    assert "Cơ sở đã gửi 3 câu hỏi từ thực tiễn, trong đó 1 câu đã được trả lời" in text
    assert "4 đồng chí đã có lượt trả lời, 1 đồng chí chưa có lượt" in text
    assert "So với quý III/2026" in text
    sessions = document.tables[1]
    rows = [[c.text for c in r.cells] for r in sessions.rows]
    assert rows[0] == ["STT", "Ngày", "Câu hỏi", "Người trả lời", "Trả lời", "Đánh giá"]
    assert len(rows) == 1 + 7  # the sessions held
    assert rows[1][1:] == [
        "05/10/2026",
        "Câu hỏi tuần 2026-W41",
        "Cán bộ A",
        "Trả lời đúng hạn",
        "Đúng",
    ]
    assert rows[2][4:] == ["Trả lời muộn", "Chưa đúng"]
    assert rows[5][4:] == ["Trả lời đúng hạn", "Chưa đánh giá"]
    assert rows[6][4:] == ["Không trả lời", ""]
    assert rows[-1][1] == "01/12/2026"  # the moved session, on the day it was held


async def test_the_word_report_embeds_the_charts(fx: Fixture) -> None:  # noqa: F811
    png = _png()
    built = build_report_docx(await _data(fx), SETTINGS, charts=[("Đánh giá", png)])
    document = _docx(built)
    (shape,) = document.inline_shapes
    assert abs(shape.width.cm - 15) < 0.01
    texts = [p.text for p in document.paragraphs]
    assert "Biểu đồ 1. Đánh giá" in texts
    assert texts.index("Biểu đồ 1. Đánh giá") < texts.index("II. ĐÁNH GIÁ CHUNG")
    assert not _docx(build_report_docx(await _data(fx), SETTINGS)).inline_shapes


def _png() -> bytes:
    """A 1×1 PNG, written by hand (no image library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"pHYs", struct.pack(">IIB", 3780, 3780, 1))
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


# -- the year-end sheets ------------------------------------------------------------------------


async def test_one_year_end_sheet_per_person(fx: Fixture) -> None:  # noqa: F811
    document = _docx(build_sheets_docx(await _data(fx, year_period(2026)), SETTINGS))
    texts = [p.text for p in document.paragraphs]
    names = [t for t in texts if t.startswith("Họ và tên: ")]
    assert names == [f"Họ và tên: Cán bộ {k}" for k in "ABCDEF"]
    # Each person's sheet is a section of its own (its heading block, its page numbers).
    breaks = len(
        document.element.body.findall(qn("w:p") + "/" + qn("w:pPr") + "/" + qn("w:sectPr"))
    )
    assert breaks == len(names) - 1
    counts = "Số lần được bốc thăm: 3 (trả lời đúng hạn 2, không trả lời 1)."
    assert f"{counts} Đánh giá các câu trả lời: đúng 2." in texts
    assert "Chưa được bốc thăm lần nào trong năm 2026." in texts
    assert "Được bốc thăm rồi bốc lại cho người khác (không tính là lượt): 1 lần" in texts
    # A's turns: the heading block, the table of turns, the signature; then the next person.
    turns = [[c.text for c in r.cells] for r in document.tables[1].rows]
    assert turns[1][1:] == [
        "14/09/2026",
        "Câu hỏi tuần 2026-W38",
        "Trả lời đúng hạn",
        "Đúng",
        "",
    ]
    assert turns[2][-1] == "Cần nêu rõ thời hạn."
    # A heading and a signature per person, a table of turns for A, B, C, D and E.
    assert len(document.tables) == 6 + 5 + 6
    assert not [t for t in texts if t.startswith("Điểm")]


async def test_points_only_when_the_scheme_is_on(fx: Fixture) -> None:  # noqa: F811
    data = await _data(fx, year_period(2026))
    on = _docx(build_sheets_docx(data, DocumentSettings(points=True)))
    points = [p.text for p in on.paragraphs if p.text.startswith("Điểm")]
    assert points == [f"Điểm theo cách tính của chương trình: {n}" for n in (3, 0, 1, 2, -1, 0)]


def test_the_points_setting_is_off_by_default_and_read_when_stored() -> None:
    assert DocumentSettings().points is False
    assert from_stored("Giao ban", {}).points is False
    assert from_stored("Giao ban", {"points": "1"}).points is True
    assert from_stored("Giao ban", {"points": "0"}).points is False
    # /vanban diem bat|tat (the table allows the key since migration 0008).
    assert parse_setting(["diem", "bat"]) == ("points", "1")
    assert parse_setting(["Điểm", "tắt"]) == ("points", "0")
    with pytest.raises(Refused):
        parse_setting(["diem", "co le"])


def test_the_sheet_names_fit_excel() -> None:
    sheets = [REPORT_WORDS[k] for k in REPORT_WORDS if k.startswith("sheet_")]
    assert all(len(name) <= 31 for name in sheets)


# -- the command line ---------------------------------------------------------------------------


def _cli(fx: Fixture, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:  # noqa: F811
    monkeypatch.setenv("HOIDAP_DB", str(fx.core.settings.db_path))
    return asyncio.to_thread(cli_main, ["report", *args])


async def test_the_command_line_writes_both_files(
    fx: Fixture,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    xlsx = tmp_path / "bao_cao.xlsx"
    assert await _cli(fx, monkeypatch, "--year", "2026", "--quarter", "4", str(xlsx)) == 0
    out = capsys.readouterr().out
    assert f"Đã ghi báo cáo quý IV/2026 của chương trình Giao ban vào {xlsx}." in out
    rows = {r[0]: r[1] for r in _xlsx(xlsx.read_bytes())["Tổng hợp"].iter_rows(values_only=True)}
    # W48 counts as held and unanswered: the report reads the week as it stands now.
    assert rows["Số phiên đã tổ chức"] == 7 and rows["Không trả lời"] == 2

    report = tmp_path / "bao_cao.docx"
    assert await _cli(fx, monkeypatch, "--year", "2026", "--month", "12", str(report)) == 0
    text = "\n".join(p.text for p in _docx(report.read_bytes()).paragraphs)
    assert "tháng 12/2026" in text and "Trong kỳ đã tổ chức 1 phiên" in text

    sheets = tmp_path / "phieu.docx"
    args = ("--from", "1/10", "--to", "31/12/2026", "--sheets", "--points", str(sheets))
    assert await _cli(fx, monkeypatch, "--year", "2026", *args) == 0
    assert "phiếu tổng hợp của 6 cán bộ từ 01/10/2026 đến 31/12/2026" in capsys.readouterr().out
    texts = [p.text for p in _docx(sheets.read_bytes()).paragraphs]
    assert "Điểm theo cách tính của chương trình: 1" in texts  # A in Q4: correct, unanswered


async def test_the_command_line_refuses_clearly(
    fx: Fixture,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await _cli(fx, monkeypatch, str(tmp_path / "bao_cao.pdf")) == 2
    assert "phải kết thúc bằng .docx hoặc .xlsx" in capsys.readouterr().err
    target = str(tmp_path / "x.docx")
    assert await _cli(fx, monkeypatch, "--from", "31/5/2026", "--to", "1/3/2026", target) == 2
    err = capsys.readouterr().err
    assert "không phải kỳ thống kê hợp lệ: ngày bắt đầu phải trước ngày kết thúc" in err
    assert await _cli(fx, monkeypatch, "--from", "1/3/2026", target) == 2
    assert "--from và --to đi cùng nhau" in capsys.readouterr().err
    assert await _cli(fx, monkeypatch, "--quarter", "5", target) == 2
    assert "--quarter" in capsys.readouterr().err
    assert await _cli(fx, monkeypatch, "--program", "9", target) == 2
    assert "đề nghị chọn chương trình bằng --program SỐ (1: Giao ban)" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


async def test_the_report_queries_use_indexes(fx: Fixture) -> None:  # noqa: F811
    store = fx.core.store
    store.trace = []
    await _data(fx, year_period(2026))
    trace: list[Statement] = store.trace
    store.trace = None
    assert any("FROM sessions s" in s.sql for s in trace)
    problems = {}
    for s in trace:
        rows = await store.conn.execute_fetchall("EXPLAIN QUERY PLAN " + s.sql, s.params)
        bad = full_scans([str(r[3]) for r in rows])
        if bad:
            problems[s.sql] = bad
    assert problems == {}


async def test_the_files_are_built_off_the_loop_after_the_progress_note(
    fx: Fixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.models import Reply
    from bot.services import reports

    calls: list[str] = []
    real = reports.off_loop

    async def recording(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn.__name__)
        return await real(fn, *args, **kwargs)

    async def progress(reply: Reply) -> None:
        calls.append(reply.template)

    monkeypatch.setattr(reports, "off_loop", recording)
    head = await fx.core.store.person(fx.people["H"])
    assert head is not None
    for text in ("quý 4", "quý 4 xlsx", "canbo quý 4"):
        file = await reports.report(fx.core, head, fx.program, text, progress)
        assert file.data.startswith(b"PK")
    assert calls == [
        "report_building",
        "build_report_docx",
        "report_building",
        "build_report_xlsx",
        "report_building",
        "build_sheets_docx",
    ]


async def test_a_report_is_numbered_only_when_the_van_thu_gave_a_number(
    fx: Fixture,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.services import reports

    asked = reports.parse_report_args("quý 4 so 7", fx.core, fx.program)
    assert (asked.period, asked.fmt, asked.sheets, asked.number) == (Q4, "docx", False, 7)
    assert reports.parse_report_args("quý 4", fx.core, fx.program).number is None
    with pytest.raises(Refused) as refused:
        reports.parse_report_args("quý 4 so 0", fx.core, fx.program)
    assert refused.value.reply.template == "arg_bad_number"
    # hoidap report … --number 7: «Số 07-BC/BTC» (numbers are written from 01 on).
    target = tmp_path / "bao_cao.docx"
    args = ("--year", "2026", "--quarter", "4", "--number", "7", str(target))
    assert await _cli(fx, monkeypatch, *args) == 0
    assert _docx(target.read_bytes()).tables[0].cell(1, 0).text == "Số 07-BC/BTC"
    assert await _cli(fx, monkeypatch, "--year", "2026", str(target)) == 0
    assert _docx(target.read_bytes()).tables[0].cell(1, 0).text == f"Số {BLANK}-BC/BTC"
