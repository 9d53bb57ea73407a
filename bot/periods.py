"""Periods of the record: a year, a quarter, a month or a range of days, as people type them.

Pure logic. A :class:`Period` is a range of dates (both ends included) in the program's time
zone: the caller passes ``today`` from :meth:`bot.core.Core.today`.

What is understood (with or without diacritics, any case):

- nothing: the current year; ``2026``, ``năm 2026``;
- quarters: ``quý 4``, ``quy 4``, ``q4``, ``quý 4/2026``, ``quý 4 năm 2026``;
- months: ``tháng 12``, ``thang 12``, ``t12``, ``12/2026``, ``tháng 12/2026``, ``tháng 12 năm 2026``;
- a range: ``1/3/2026 - 31/5/2026``, ``từ 1/3 đến 31/5`` (a date without a year is in the
  current year; dates as :func:`bot.args.parse_date` reads them).

A quarter or month without a year is in the current year. Anything else is refused with the
template ``arg_bad_period`` (the value typed, what is wrong, examples that work).

:meth:`Period.previous` is the period of the same length just before, for the trend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.args import FIRST_YEAR, LAST_YEAR, parse_date, shown
from bot.core import Refused
from bot.text import fold

PeriodKind = Literal["year", "quarter", "month", "range"]
MAX_RANGE_DAYS = 3660  # ten years, the longest range a figure is asked for

_YEAR = r"(?:\s*(?:/|-|nam)\s*(\d{1,4}))?"
_ONLY_YEAR = re.compile(r"(?:nam\s*)?(\d{1,4})", re.ASCII)
_QUARTER = re.compile(r"(?:quy|q)\s*(\d{1,2})" + _YEAR, re.ASCII)
_MONTH = re.compile(r"(?:thang|t)\s*(\d{1,2})" + _YEAR, re.ASCII)
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*/\s*(\d{4})", re.ASCII)
_RANGE = re.compile(r"(?:tu\s+)?(.+?)\s*(?:\s-\s|–|—|\bden\b)\s*(.+)", re.ASCII)


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


def parse_period(text: str, today: date) -> Period:
    """The period ``text`` means (nothing: the current year); otherwise :class:`Refused`."""
    value = " ".join(fold(text).replace("\u00a0", " ").split()).strip(" .,;:!?()")
    context = {"value": shown(text), "year": today.year}
    if not value:
        return year_period(today.year)

    def year_of(raw: str | None) -> int:
        if raw is None:
            return today.year
        year = int(raw)
        year += 2000 if len(raw) == 2 else 0
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Refused("arg_bad_period", reason="year", first=FIRST_YEAR, last=LAST_YEAR,
                          **context)
        return year

    if match := _ONLY_YEAR.fullmatch(value):
        return year_period(year_of(match.group(1)))
    if match := _QUARTER.fullmatch(value):
        quarter = int(match.group(1))
        if not 1 <= quarter <= 4:
            raise Refused("arg_bad_period", reason="quarter", **context)
        return quarter_period(year_of(match.group(2)), quarter)
    if (match := _MONTH.fullmatch(value)) or (match := _MONTH_YEAR.fullmatch(value)):
        month = int(match.group(1))
        if not 1 <= month <= 12:
            raise Refused("arg_bad_period", reason="month", **context)
        return month_period(year_of(match.group(2)), month)
    if match := _RANGE.fullmatch(value):
        # A date without a year is in the current year (parse_date counts from the day given).
        jan1 = date(today.year, 1, 1)
        try:
            start = parse_date(match.group(1), jan1)
            end = parse_date(match.group(2), jan1)
        except Refused:
            raise Refused("arg_bad_period", reason="date", **context) from None
        if end < start:
            raise Refused("arg_bad_period", reason="order", **context)
        if (end - start).days >= MAX_RANGE_DAYS:
            raise Refused("arg_bad_period", reason="too_long", **context)
        return Period("range", start, end, start.year)
    raise Refused("arg_bad_period", reason="format", **context)
