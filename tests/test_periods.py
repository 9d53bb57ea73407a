"""Periods as people type them: years, quarters, months, ranges, and the period before."""

from __future__ import annotations

from datetime import date

import pytest

from bot.args import parse_period
from bot.core import Refused
from bot.periods import Period, month_period, quarter_period, year_period
from bot.render import render

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", year_period(2026)),
        ("2026", year_period(2026)),
        ("năm 2025", year_period(2025)),
        ("quy 4", quarter_period(2026, 4)),
        ("quý 4", quarter_period(2026, 4)),
        ("Quý 4/2025", quarter_period(2025, 4)),
        ("quý 1 năm 2027", quarter_period(2027, 1)),
        ("q2", quarter_period(2026, 2)),
        ("thang 12", month_period(2026, 12)),
        ("tháng 2", month_period(2026, 2)),
        ("12/2026", month_period(2026, 12)),
        ("tháng 2/2024", month_period(2024, 2)),
        ("t11", month_period(2026, 11)),
        ("01/03/2026 - 31/05/2026", Period("range", date(2026, 3, 1), date(2026, 5, 31), 2026)),
        ("từ 1/3 đến 31/5", Period("range", date(2026, 3, 1), date(2026, 5, 31), 2026)),
    ],
)
def test_periods_as_typed(typed: str, expected: Period) -> None:
    assert parse_period(typed, TODAY) == expected


def test_bounds_of_periods() -> None:
    assert quarter_period(2026, 4).start == date(2026, 10, 1)
    assert quarter_period(2026, 4).end == date(2026, 12, 31)
    assert month_period(2024, 2).end == date(2024, 2, 29)
    assert month_period(2026, 2).end == date(2026, 2, 28)
    assert year_period(2026).days == 365


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("quý 5", "quarter"),
        ("quy 0", "quarter"),
        ("tháng 13", "month"),
        ("13/2026", "month"),
        ("1999", "year"),
        ("5", "year"),
        ("quý 4/3000", "year"),
        ("31/05/2026 - 01/03/2026", "order"),
        ("31/02/2026 - 01/03/2026", "date"),
        ("hôm qua", "format"),
        ("quý IV", "format"),
    ],
)
def test_impossible_periods_are_refused(typed: str, reason: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_period(typed, TODAY)
    reply = caught.value.reply
    assert reply.template == "arg_bad_period"
    assert reply.context["reason"] == reason
    text = render(reply.template, reply.context)
    assert "kỳ thống kê" in text and "\nCó thể gõ: 2026, quý 4" in text


def test_previous_period_has_the_same_length() -> None:
    assert year_period(2026).previous() == year_period(2025)
    assert quarter_period(2026, 1).previous() == quarter_period(2025, 4)
    assert quarter_period(2026, 3).previous() == quarter_period(2026, 2)
    assert month_period(2026, 1).previous() == month_period(2025, 12)
    assert month_period(2026, 3).previous() == month_period(2026, 2)
    span = Period("range", date(2026, 3, 1), date(2026, 3, 10), 2026)
    assert span.previous() == Period("range", date(2026, 2, 19), date(2026, 2, 28), 2026)
