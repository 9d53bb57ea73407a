"""Periods of the record: a year, a quarter, a month or a range of days, as people type them.

Pure logic. A :class:`Period` is a range of dates (both ends included) in the program's time
zone. :func:`bot.args.parse_period` reads one from what people type (``today`` from
:meth:`bot.core.Core.today`):

What is understood (with or without diacritics, any case):

- nothing: the current year; ``2026``, ``năm 2026``;
- quarters: ``quý 4``, ``quy 4``, ``q4``, ``quý 4/2026``, ``quý 4 năm 2026``;
- months: ``tháng 12``, ``thang 12``, ``t12``, ``12/2026``, ``tháng 12/2026``,
  ``tháng 12 năm 2026``;
- a range: ``1/3/2026 - 31/5/2026``, ``từ 1/3 đến 31/5`` (a date without a year is in the
  current year; dates as :func:`bot.args.parse_date` reads them).

A quarter or month without a year is in the current year. Anything else is refused with the
template ``arg_bad_period`` (the value typed, what is wrong, examples that work).

:meth:`Period.previous` is the period of the same length just before, for the trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["year", "quarter", "month", "range"]


@dataclass(frozen=True)
class Period:
    """A range of dates, both ends included; ``number`` is the quarter or month (else 0)."""

    kind: PeriodKind
    start: date
    end: date
    year: int
    number: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind == "year":
            return year_period(self.year - 1)
        if self.kind == "quarter":
            q, y = (self.number - 1, self.year) if self.number > 1 else (4, self.year - 1)
            return quarter_period(y, q)
        if self.kind == "month":
            m, y = (self.number - 1, self.year) if self.number > 1 else (12, self.year - 1)
            return month_period(y, m)
        end = self.start - timedelta(days=1)
        start = end - timedelta(days=self.days - 1)
        return Period("range", start, end, start.year)

    def context(self) -> dict[str, object]:
        """What templates read (``period_label`` shows it)."""
        return {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "year": self.year,
            "number": self.number,
        }


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), year)


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = _month_end(year, 3 * quarter)
    return Period("quarter", start, end, year, quarter)


def month_period(year: int, month: int) -> Period:
    return Period("month", date(year, month, 1), _month_end(year, month), year, month)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)
