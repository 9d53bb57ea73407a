"""/baocao through the real stack: the role check, the progress note, the files sent."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from bot import offload
from bot.documents import charts
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import conclude_week, sent, setup_program, templates, texts
from tests.support import stuck


def _document(h: Harness, messages: list[SentMessage], chat: int) -> tuple[str, bytes]:
    found = [m for m in messages if m.kind == "document" and m.chat_id == chat]
    assert len(found) == 1, [m.kind for m in messages]
    assert found[0].file_id is not None and found[0].file_name is not None
    return found[0].file_name, h.server.file_bytes(found[0].file_id)


async def test_staff_are_refused_a_report_clearly(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/baocao")
    sent(out, "report_not_allowed", STAFF[0].id)
    assert not [m for m in out if m.kind == "document"]
    assert "gặp sự cố" not in texts(out)


async def test_the_leader_gets_the_word_report_after_a_progress_note(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.send(ADMIN, "/vanban coquan TỈNH ỦY ĐỒNG NAI / BAN TỔ CHỨC / *")
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời.", "Kết luận.", comment="Tốt.")
    out = await h.send(LEADER, "/baocao")
    assert templates(out, LEADER.id)[0] == "report_building"
    sent(out, "report_building", LEADER.id, period={"kind": "year", "year": 2026})
    name, data = _document(h, out, LEADER.id)
    assert name == "bao_cao_2026.docx"
    built = docx.Document(io.BytesIO(data))
    heading = built.tables[0]
    assert heading.cell(0, 0).paragraphs[0].text == "TỈNH ỦY ĐỒNG NAI"
    assert heading.cell(0, 1).paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    text = "\n".join(p.text for p in built.paragraphs)
    assert "Trong kỳ đã tổ chức 1 phiên hỏi – đáp" in text
    assert "Tỷ lệ trả lời đúng hạn đạt 100%" in text
    # The charts the bot drew: the verdicts month by month and the round's participation.
    assert len(built.inline_shapes) == 2
    assert "Kết quả đánh giá các phiên theo tháng, năm 2026" in text


async def test_charts_that_hang_are_killed_and_the_report_goes_without_them(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await setup_program(h)
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời.", "Kết luận.", comment="Tốt.")
    monkeypatch.setattr(charts, "verdicts_by_month", stuck.forever)  # drawn in the real child
    monkeypatch.setattr(charts, "participation", stuck.forever)
    monkeypatch.setattr(offload, "CHILD_TIMEOUT", 0.5)
    out = await h.send(LEADER, "/baocao")
    name, data = _document(h, out, LEADER.id)
    assert name == "bao_cao_2026.docx"
    built = docx.Document(io.BytesIO(data))
    assert "Trong kỳ đã tổ chức 1 phiên hỏi – đáp" in "\n".join(p.text for p in built.paragraphs)
    assert len(built.inline_shapes) == 0
    assert "gặp sự cố" not in texts(out)


async def test_a_head_gets_the_spreadsheet_and_the_year_end_sheets(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời.", "Kết luận.", verdict="Đúng")
    out = await h.send(HEAD, "/baocao tháng 12 xlsx")
    name, data = _document(h, out, HEAD.id)
    assert name == "bao_cao_2026_t12.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Tổng hợp", "Các phiên", "Cán bộ", "Chủ đề", "Căn cứ"]
    # The figures stand under their group's label (row 5): one session held.
    assert wb["Tổng hợp"]["A6"].value == "Số phiên đã tổ chức" and wb["Tổng hợp"]["B6"].value == 1
    sent(out, "report_caption", HEAD.id, format="xlsx", held=1)

    out = await h.send(HEAD, "/baocao canbo 2026")
    name, data = _document(h, out, HEAD.id)
    assert name == "phieu_can_bo_2026.docx"
    sheets = docx.Document(io.BytesIO(data))
    names = [p.text for p in sheets.paragraphs if p.text.startswith("Họ và tên: ")]
    assert len(names) == len(STAFF)


async def test_a_bad_period_and_the_group_are_refused(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(ADMIN, "/baocao quý 5")
    sent(out, "arg_bad_period", ADMIN.id, reason="quarter")
    assert not [m for m in out if m.kind == "document"]
    out = await h.send(ADMIN, "/baocao", chat_id=GROUP)
    assert "chỉ dùng trong cuộc trò chuyện riêng" in texts(out)
    assert not [m for m in out if m.kind == "document"]


async def test_points_are_turned_on_in_chat_and_shown_on_the_sheets(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời.", "Kết luận.", verdict="Đúng")
    out = await h.send(HEAD, "/baocao canbo xlsx 2026")
    _, data = _document(h, out, HEAD.id)
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["Cán bộ"][1]]
    assert "Điểm" not in header  # off by default: facts only
    out = await h.send(ADMIN, "/vanban diem bat")
    assert "Chấm điểm phiếu cán bộ cuối năm: bật" in sent(out, "documents", ADMIN.id).plain_text
    out = await h.send(HEAD, "/baocao canbo xlsx 2026")
    _, data = _document(h, out, HEAD.id)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Cán bộ"]
    header = [c.value for c in sheet[1]]
    column = header.index("Điểm")
    assert sorted(row[column] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        0,
        0,
        2,
    ]
