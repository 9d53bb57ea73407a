"""The offline demo is the first thing a newcomer runs: it must go through the whole week."""

from __future__ import annotations

import pytest

from bot.demo import run_demo


async def test_demo_runs_the_whole_week(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo(quiet=False) == 0
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
