"""The documents the office files, checked as a person sees them on the printed page.

Each kind of document is built from the sample year (``bench/sample_year.py``: Tết, a day off
made up, an admin's skipped week, unanswered, late and regraded turns, grassroots questions, 25
sessions) through the services that make it in chat, converted to PDF by LibreOffice once per
session and read with poppler (:mod:`tests.rendered`): the Word report of quý II/2026 (the
number left blank) and of năm 2026 (a year with no year before it to compare with), the same
report numbered by the văn thư, the spreadsheet of quý II/2026, the year-end sheets and the
handbook of 2026. Without LibreOffice and poppler these tests are skipped, saying so.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bench.sample_year import SampleYear, documents
from bot.periods import quarter_period
from bot.services import reports
from tests.rendered import Page, Pdf, Word, require_tools, to_pdf

MM = 72 / 25.4  # points in a millimetre
# A page that holds less than this is «almost empty» (the closing lines of a document that
# spilled over, a signature alone).
FEW_LINES = 8


@dataclass(frozen=True)
class Rendered:
    pdfs: dict[str, Pdf]
    folder: Path

    def __getitem__(self, name: str) -> Pdf:
        return self.pdfs[name]


async def _documents(year: SampleYear) -> dict[str, bytes]:
    """The documents of the sample year, and its report of quý II numbered by the văn thư."""
    files = await documents(year)
    core, program = await year.open()
    try:
        built = await reports.build_report(
            core, None, program, quarter_period(2026, 2), "docx", number=12
        )
        files["report_q2_numbered.docx"] = built.data
        return files
    finally:
        await core.store.close()


@pytest.fixture(scope="session")
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rendered]:
    require_tools()  # before the year is lived: nothing to wait for where it cannot be shown
    sample_year: SampleYear = request.getfixturevalue("sample_year")
    folder = tmp_path_factory.mktemp("rendered")
    files = asyncio.run(_documents(sample_year))
    yield Rendered(to_pdf(files, folder), folder)


def _page_texts(pdf: Pdf) -> list[list[str]]:
    return [page.lines for page in pdf.pages]


def _no_almost_empty_page(pdf: Pdf) -> None:
    counts = [len(page.lines) for page in pdf.pages]
    thin = [(page.number, page.lines) for page in pdf.pages if len(page.lines) < FEW_LINES]
    assert not thin, f"pages with fewer than {FEW_LINES} lines: {thin} (lines per page {counts})"


def _line_of(page: Page, pattern: str) -> list[Word]:
    """The words of the first row of ``page`` whose text matches ``pattern``."""
    for row in page.rows():
        if re.search(pattern, " ".join(w.text for w in row)):
            return row
    raise AssertionError(f"no line matching {pattern!r} on page {page.number}: {page.lines}")


# -- 1. numbers and symbols ---------------------------------------------------------------------


def test_each_kind_has_its_own_form_and_no_number_nobody_gave(rendered: Rendered) -> None:
    report = rendered["report_q2.docx"].pages[0]
    # The report: its symbol «BC» and the Board's, the number left blank for the văn thư,
    # left of the place and date (the heading block of 36-HD/VPTW).
    number = _line_of(report, r"-BC/BTCTU")
    assert [w.text for w in number][:2] == ["Số", "-BC/BTCTU"]
    assert number[1].x0 - number[0].x1 > 8 * MM  # room to write the number in
    assert number[-1].text == "2026" and "Đồng" in [w.text for w in number]
    numbered = rendered["report_q2_numbered.docx"].pages[0]
    assert "Số 12-BC/BTCTU" in numbered.text
    # The handbook is a publication: a cover, no «Số», no type symbol.
    handbook = rendered["handbook_2026.docx"]
    assert "SỔ TAY" in handbook.pages[0].lines
    assert not re.search(r"Số\s*\S*-\w+/", handbook.text)
    # The year-end sheets are a form for each person's file: no number either.
    sheets = rendered["sheets_2026.docx"]
    assert not re.search(r"Số\s*\S*-\w+/", sheets.text)
    assert "PHIẾU TỔNG HỢP KẾT QUẢ THAM GIA" in sheets.pages[0].text


# -- 2. «Nơi nhận», the rule under the Party's name, the subject line -----------------------------


def test_recipients_rule_and_subject_line_read_as_a_party_document(rendered: Rendered) -> None:
    report = rendered["report_q2.docx"]
    last = report.pages[-1].lines
    start = last.index(next(line for line in last if line.startswith("Nơi nhận:")))
    recipients = [line.split("  ")[0] for line in last[start + 1 : start + 5]]
    assert recipients == [
        "- Thường trực Tỉnh ủy (để báo cáo),",
        "- Lãnh đạo Ban,",
        "- Các phòng thuộc Ban,",
        "- Lưu VP.",
    ]
    # The subject line keeps the period whole, on a line of its own.
    first = report.pages[0].lines
    assert "quý II/2026" in first and "II/2026" not in [w for w in first if w != "quý II/2026"]
    assert not [line for line in first if line.endswith(" quý")]


def test_the_rule_under_the_partys_name_is_as_long_as_the_name(rendered: Rendered) -> None:
    from PIL import Image

    pdf = rendered["report_q2.docx"]
    page = pdf.pages[0]
    title = _line_of(page, r"ĐẢNG CỘNG SẢN VIỆT NAM")
    party = [w for w in title if w.x0 > page.width / 2]
    x0, x1, bottom = party[0].x0, party[-1].x1, max(w.y1 for w in party)
    dpi = 300
    grey = np.asarray(Image.open(pdf.picture(1, dpi, rendered.folder)).convert("L"))
    scale = dpi / 72
    longest = 0
    # The rule: the longest run of dark pixels on a row just under the title.
    for y in range(round(bottom * scale), round((bottom + 6 * MM) * scale)):
        run = best = 0
        for v in grey[y, round((x0 - 10 * MM) * scale) : round((x1 + 10 * MM) * scale)]:
            run = run + 1 if v < 128 else 0
            best = max(best, run)
        longest = max(longest, best)
    rule = longest / scale
    assert abs(rule - (x1 - x0)) <= 0.015 * (x1 - x0), (rule / MM, (x1 - x0) / MM)


# -- 3. tables and charts ------------------------------------------------------------------------


HEADERS = ["STT", "Ngày", "Câu hỏi", "Người trả lời", "Trả lời", "Đánh"]


def _table_pages(pdf: Pdf) -> list[Page]:
    """The pages with rows of the sessions table (a row opens with its number and date)."""
    return [p for p in pdf.pages if re.search(r"^\s*\d+\s+\d{2}/\d{2}/\d{4}\s+\S", p.text, re.M)]


def test_the_sessions_table_repeats_its_header_and_keeps_rows_whole(rendered: Rendered) -> None:
    pdf = rendered["report_q2.docx"]
    pages = _table_pages(pdf)
    assert len(pages) >= 2, "the table of quý II runs over two pages"
    numbers: list[int] = []
    for page in pages:
        rows = page.rows()
        head = next((i for i, row in enumerate(rows) if row[0].text == "STT"), None)
        assert head is not None, f"no header row «STT» on page {page.number}: {page.lines[:3]}"
        # A header of two lines («Đánh / giá», centred in its cell) spans three rows of text.
        header = " ".join(w.text for row in rows[max(0, head - 1) : head + 2] for w in row)
        assert all(h in header for h in HEADERS), header
        stt = rows[head][0]
        # The first line under the header opens a row: its number and its date.
        below = [row for row in rows[head + 1 :] if {w.text for w in row} - {"Đánh", "giá"}]
        first = below[0]
        assert re.fullmatch(r"\d+", first[0].text) and first[0].x1 <= stt.x1 + 3, first
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", first[1].text), first
        # Every line whose first word sits in the STT column is a new row, numbered in turn.
        numbers += [
            int(row[0].text)
            for row in rows[head + 1 :]
            if row[0].x1 <= stt.x1 + 3 and re.fullmatch(r"\d+", row[0].text)
        ]
        assert not [row for row in rows if row[0].text in ("ST", "T")], "«STT» wraps"
    assert numbers == list(range(1, 14))  # the 13 sessions of quý II, none split or lost


def test_no_gaps_open_inside_names_in_the_table(rendered: Rendered) -> None:
    names = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"}
    gaps = []
    for page in _table_pages(rendered["report_q2.docx"]):
        for row in page.rows():
            for a, b in itertools.pairwise(row):
                if a.text in names and b.x0 > a.x1:  # a surname, then the next word of the name
                    gaps.append((a.text, b.text, round(b.x0 - a.x1, 1)))
    assert len(gaps) >= 13  # the name of each of the 13 sessions' drawn person
    wide = [g for g in gaps if g[2] > 0.4 * 12]  # wider than a space of 12 pt text
    assert not wide, wide


def test_each_chart_has_one_title_its_caption(rendered: Rendered) -> None:
    from PIL import Image

    pdf = rendered["report_q2.docx"]
    text = pdf.text
    assert text.count("Kết quả đánh giá các phiên theo tháng") == 1
    assert "Biểu đồ 1. Kết quả đánh giá các phiên theo tháng, quý II/2026" in text
    assert "Biểu đồ 2. Lượt bốc thăm vòng" in text
    charts = pdf.extract_images(rendered.folder / "images")
    assert len(charts) == 2
    for path in charts:
        grey = np.asarray(Image.open(path).convert("L"))
        height, width = grey.shape
        # Where a title is drawn: the middle of the top of the picture.
        band = grey[: round(height * 0.07), round(width * 0.35) : round(width * 0.65)]
        assert (band < 128).mean() < 0.002, f"{path.name}: a title drawn in the picture"


# -- 4. the handbook -------------------------------------------------------------------------------


def test_the_handbook_has_a_cover_each_question_once_and_paged_contents(
    rendered: Rendered,
) -> None:
    from PIL import Image

    pdf = rendered["handbook_2026.docx"]
    cover = pdf.pages[0].lines
    assert "HỎI – ĐÁP NGHIỆP VỤ" in cover and "CÔNG TÁC TỔ CHỨC XÂY DỰNG ĐẢNG" in cover
    assert not [line for line in cover if line.upper() == "ĐẢNG"]
    assert cover[-1] == "Đồng Nai – 2026"
    # Black on white, nothing in Word's blue.
    rgb = np.asarray(Image.open(pdf.picture(1, 60, rendered.folder)).convert("RGB")).astype(int)
    assert not (rgb.max(axis=2) - rgb.min(axis=2) > 40).any()
    # The contents: every topic and question with the page it starts on.
    contents = next(p for p in pdf.pages if "MỤC LỤC" in p.text)
    entries = [
        (m.group(1), int(m.group(2)))
        for line in contents.lines
        if (m := re.match(r"(Câu \d+|\d+)\..*?\.{3,}\s*(\d+)$", line))
    ]
    assert len([e for e in entries if e[0].startswith("Câu")]) == 22
    body = [p for p in pdf.pages if p.number > contents.number]
    for label, page in entries:
        if label.startswith("Câu"):
            starts = [p.number for p in body if re.search(rf"^{label}\. ", p.text, re.M)]
            assert starts == [page], (label, starts, page)
    # What the file says before any field is updated (what Word shows until it updates them)
    # is the page LibreOffice lays the heading out on.
    import zipfile

    with zipfile.ZipFile(rendered.folder / "handbook_2026.docx") as docx_file:
        xml = docx_file.read("word/document.xml").decode()
    cached = [
        int(m.group(1))
        for part in xml.split("PAGEREF ")[1:]
        if (m := re.search(r"<w:t[^>]*>(\d+)</w:t>", part))
    ]
    assert cached == [page for _label, page in entries]
    # Each question once in the body: its first words appear on one page, once.
    for p in body:
        for heading in re.findall(r"^(Câu \d+\. .{30})", p.text, re.M):
            words = heading.split(" ", 2)[2]
            assert sum(q.text.count(words) for q in body) == 1, words
    _no_almost_empty_page(pdf)


# -- 5. the year-end sheets ----------------------------------------------------------------------


def test_each_sheet_is_a_form_of_its_own(rendered: Rendered) -> None:
    pdf = rendered["sheets_2026.docx"]
    starts = [p for p in pdf.pages if "Họ và tên:" in p.text]
    assert len(starts) == 8  # the eight staff of the year
    for page in starts:
        lines = page.lines
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in lines[0] and "TỈNH ỦY ĐỒNG NAI" in lines[0]
        assert not re.fullmatch(r"\d+", lines[0])  # no page number on a sheet's first page
    # Page numbers start again with each person: «2» on a sheet's second page, never more.
    for page in pdf.pages:
        top = page.lines[0]
        if page not in starts:
            assert top == "2", (page.number, top)
        else:
            assert "NGƯỜI LẬP PHIẾU" in page.text or page.number < len(pdf.pages)
    _no_almost_empty_page(pdf)


# -- 6. the spreadsheet ------------------------------------------------------------------------


SESSION_HEADERS = ["Ngày", "Tình trạng", "Chủ đề", "Câu hỏi", "Trả lời", "Đánh giá", "Nhận xét"]


def test_the_workbook_prints_one_page_wide_with_headers_and_page_numbers(
    rendered: Rendered, sample_year: SampleYear
) -> None:
    pdf = rendered["workbook_q2.xlsx"]
    pages = pdf.pages
    assert len(pages) <= 6, [p.lines[:2] for p in pages]
    for n, page in enumerate(pages, 1):
        assert "Giao ban Ban Tổ chức Tỉnh ủy Đồng Nai" in page.lines[0]
        assert "Kỳ báo cáo: quý II/2026" in page.lines[0]
        assert page.lines[-1].split()[-1] == f"{n}/{len(pages)}"  # «Trang n/N»
    summary = [p for p in pages if p.lines[-1].startswith("Tổng hợp")]
    assert len(summary) == 1  # the title, the figures and the chart on one page
    assert "Kết quả chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời»" in summary[0].text
    assert "Đánh giá câu trả lời" in summary[0].text  # the chart's title
    sessions = [p for p in pages if p.lines[-1].startswith("Các phiên")]
    assert sessions and all(p.width > p.height for p in sessions)  # landscape
    for page in sessions:  # every column on every page: one page wide, the header repeated
        header = " ".join(page.lines[1:4])
        assert all(h in header for h in SESSION_HEADERS), header
    # Rows as tall as their text: every question of the quarter is printed to its last word.
    text = " ".join(" ".join(p.text.split()) for p in sessions)
    questions = asyncio.run(_questions(sample_year))
    for question in questions:
        tail = " ".join(question.split()[-3:])
        assert tail in text, tail


async def _questions(year: SampleYear) -> list[str]:
    from bot.services import records

    core, program = await year.open()
    try:
        data = await records.report_data(core, None, program, quarter_period(2026, 2))
        return [s.question for s in data.sessions if s.question]
    finally:
        await core.store.close()


def test_the_summary_sheet_is_in_groups_without_a_filter(rendered: Rendered) -> None:
    import io

    import openpyxl

    data = (rendered.folder / "workbook_q2.xlsx").read_bytes()
    summary = openpyxl.load_workbook(io.BytesIO(data))["Tổng hợp"]
    assert not summary.auto_filter.ref
    labels = [r[0] for r in summary.iter_rows(min_row=5, max_col=1, values_only=True) if r[0]]
    groups = [i for i, label in enumerate(labels) if re.match(r"\d\. ", str(label))]
    assert groups[0] == 0 and len(groups) == 5  # every row stands under its group's label
    page = next(p for p in rendered["workbook_q2.xlsx"].pages if "Chỉ tiêu" in p.text)
    assert "1. Tổ chức các phiên" in page.text and "5. Câu hỏi của cơ sở" in page.text


# -- 7. charts in black and white ----------------------------------------------------------------


def test_charts_are_embedded_at_print_resolution(rendered: Rendered) -> None:
    images = rendered["report_q2.docx"].images()
    assert len(images) == 2
    assert all(i["x_ppi"] >= 290 and i["y_ppi"] >= 290 for i in images), images


# -- 8. the wording of a report ------------------------------------------------------------------


ZERO = re.compile(
    r"(?<![\d/.,])0 (câu|phiên|lượt|tuần|đồng chí)|"
    r"(hạn|muộn|họp|trả lời|đúng|phần|giá) 0(?![\d/.,%])"
)


def test_the_report_reads_as_the_secretary_writes_it(rendered: Rendered) -> None:
    for name in ("report_q2.docx", "report_2026.docx"):
        text = " ".join(rendered[name].text.split())
        assert "quản trị" not in text.lower(), name
        assert not ZERO.search(text), (name, ZERO.search(text))
    year = " ".join(rendered["report_2026.docx"].text.split())
    # No year before the program to compare with: no «tăng 25 so với kỳ trước».
    assert "so với kỳ trước" not in year and "kỳ trước)" not in year
    assert "Năm 2025 chương trình chưa tổ chức phiên nào" in year
    assert "1 tuần vì trùng Hội nghị Ban Chấp hành Đảng bộ tỉnh" in year
    quarter = " ".join(rendered["report_q2.docx"].text.split())
    assert "So với quý I/2026 (11 phiên): số phiên đã tổ chức tăng 2 so với kỳ trước" in quarter
    workbook = rendered["workbook_q2.xlsx"].text
    assert "quản trị" not in workbook.lower()
