"""The offline demo is the first thing a newcomer runs: it must go through the whole week."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoidap.demo import run_demo


async def test_demo_runs_the_whole_week(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert await run_demo(quiet=False, reports_dir=tmp_path) == 0
    out = capsys.readouterr().out
    for needle in (
        "Đã gắn nhóm",
        "Đã nhập 25 câu hỏi",
        "KẾT QUẢ BỐC THĂM",
        "Câu trả lời của đồng chí",
        "đánh giá câu trả lời",
        "KẾT LUẬN",
        "khớp với cam kết",
        "Xem đầy đủ",
    ):
        assert needle in out, needle
    assert out.index("KẾT QUẢ BỐC THĂM") < out.index("KẾT LUẬN")
    # One replacement and its review list: the starter register marks 24-QĐ/TW replaced, and
    # the old question that cites it is listed for the admins.
    assert "Đã nạp sổ văn bản từ tệp so_van_ban_can_cu.xlsx: thêm 5 văn bản" in out
    review = out[out.index("Rà soát căn cứ") :]
    assert "Quy định số 24-QĐ/TW đã được thay thế bởi Quy định số 232-QĐ/TW từ 20/01/2025" in review
    assert "1 câu hỏi chưa đưa ra" in review
    # The demo's own answers cite documents in force.
    conclusion = out[out.index("KẾT LUẬN") :]
    assert "Quy định số 294-QĐ/TW" in conclusion and "24-QĐ/TW" not in conclusion[:1500]
    # /kiemtra: a few words in the group, then the values and the steps in private.
    assert out.index("✅ khớp với mã kiểm tra") < out.index("Cách tự tính lại")
    # A file reads as one in Vietnamese.
    assert "📎 tệp: bao_cao_2026.docx" in out and "(document)" not in out
    # It ends with the year's report, written where it says.
    assert "Đang lập báo cáo năm 2026…" in out
    docx_file, xlsx_file = tmp_path / "bao_cao_2026.docx", tmp_path / "bao_cao_2026.xlsx"
    assert f"Báo cáo đã ghi: {docx_file}, {xlsx_file}" in out
    assert docx_file.read_bytes().startswith(b"PK") and xlsx_file.read_bytes().startswith(b"PK")
