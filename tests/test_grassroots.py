"""Pure logic of grassroots questions: the asker's local day, text checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.grassroots import MAX_TEXT_CHARS, count_in_day, day_window, question_problem
from bot.text import clean_lines, has_control_chars

VN = "Asia/Ho_Chi_Minh"
BERLIN = "Europe/Berlin"


def at(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "tz", "start", "end"),
    [
        # Any moment of the local day maps to that day's midnights.
        (at(VN, 2026, 12, 1, 0, 0), VN, at(VN, 2026, 12, 1, 0, 0), at(VN, 2026, 12, 2, 0, 0)),
        (at(VN, 2026, 12, 1, 23, 59), VN, at(VN, 2026, 12, 1, 0, 0), at(VN, 2026, 12, 2, 0, 0)),
        # A UTC clock: 17:30 UTC is already 00:30 of the next day in Viet Nam (UTC+7).
        (
            datetime(2026, 12, 1, 17, 30, tzinfo=UTC),
            VN,
            at(VN, 2026, 12, 2, 0, 0),
            at(VN, 2026, 12, 3, 0, 0),
        ),
        (
            datetime(2026, 12, 1, 16, 59, tzinfo=UTC),
            VN,
            at(VN, 2026, 12, 1, 0, 0),
            at(VN, 2026, 12, 2, 0, 0),
        ),
        # New Year's Eve rolls over the year.
        (at(VN, 2026, 12, 31, 12, 0), VN, at(VN, 2026, 12, 31, 0, 0), at(VN, 2027, 1, 1, 0, 0)),
        # A day with a daylight-saving change is 23 hours long, still midnight to midnight.
        (
            at(BERLIN, 2026, 3, 29, 12, 0),
            BERLIN,
            at(BERLIN, 2026, 3, 29, 0, 0),
            at(BERLIN, 2026, 3, 30, 0, 0),
        ),
    ],
)
def test_day_window(now: datetime, tz: str, start: datetime, end: datetime) -> None:
    got_start, got_end = day_window(now, tz)
    assert (got_start, got_end) == (start, end)
    assert got_start <= now < got_end


def test_daylight_saving_day_is_23_hours() -> None:
    start, end = day_window(at(BERLIN, 2026, 3, 29, 12, 0), BERLIN)
    # Subtract in UTC: Python subtracts wall-clock times when both share one tzinfo.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


def test_count_in_day_uses_the_local_day_whatever_the_offsets() -> None:
    now = at(VN, 2026, 12, 1, 23, 59)
    times = [
        at(VN, 2026, 11, 30, 23, 59),  # yesterday
        at(VN, 2026, 12, 1, 0, 0),  # the first instant of today
        datetime(2026, 12, 1, 3, 0, tzinfo=UTC),  # 10:00 today, stored in UTC
        at(VN, 2026, 12, 1, 23, 59, 59),
        at(VN, 2026, 12, 2, 0, 0),  # tomorrow's first instant
        datetime(2026, 11, 30, 16, 59, tzinfo=UTC),  # 23:59 yesterday in Viet Nam
    ]
    assert count_in_day(times, now, VN) == 3
    assert count_in_day(times, at(VN, 2026, 12, 2, 0, 0), VN) == 1
    assert count_in_day([], now, VN) == 0


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Câu hỏi bình thường\nnhiều dòng\tcó tab", False),
        ("chuông \x07 kêu", True),
        ("ký tự rỗng \x00", True),
        # Direction controls are invisible, not refused: the cleaning drops them.
        ("đảo chiều \u202e văn bản", False),
        ("cách ly \u2066 hướng", False),
        ("xóa \x7f ký tự", True),
        ("biểu tượng 👩‍👩‍👧 gia đình", False),  # zero-width joiners inside an emoji are fine
    ],
)
def test_control_characters(text: str, bad: bool) -> None:
    assert has_control_chars(text) is bad


def test_clean_question_keeps_paragraphs_and_normalizes() -> None:
    raw = "  Đoạn  một\r\n\r\n\r\n   Đoạn   hai  \n\n"
    assert clean_lines(raw) == "Đoạn một\n\nĐoạn hai"
    decomposed = "Đa\u0309ng vie\u0302n"  # combining marks, as some keyboards send them
    assert clean_lines(decomposed) == "Đảng viên"


def test_question_problem_bounds() -> None:
    assert question_problem("x" * 9)[1] is not None
    text, problem = question_problem("   " + "x" * 10 + "   ")
    assert problem is None and text == "x" * 10
    assert question_problem("x" * MAX_TEXT_CHARS)[1] is None
    too_long = question_problem("x" * (MAX_TEXT_CHARS + 1))[1]
    assert too_long is not None and too_long.template == "text_too_long"
    ctrl = question_problem("Câu hỏi đủ dài nhưng có \x1b ký tự lạ")[1]
    assert ctrl is not None and ctrl.template == "grassroots_control_chars"
