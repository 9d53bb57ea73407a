"""Reading what people type as arguments: whole numbers, times of day and dates.

One parser for each, used by every chat command and by the ``hoidap`` command line, so a value
means the same everywhere and anything else gets the same clear refusal (a :class:`Refused` whose
template names the value typed and what would work).

What is understood as people write it:

- numbers: ``5``, ``05``, ``#5`` (numbers are shown as ``#5``), ``+5``, full-width ``５``,
  surrounding punctuation (``5.``, ``(5)``), Vietnamese thousands ``1.000``; invisible format
  characters (zero-width joiners, direction marks) are ignored. Other digits (``²``, ``①``,
  Arabic-Indic), fractions (``1,5``), words and control characters are refused.
- times: ``8:00``, ``08:00``, ``8h``, ``8h30``, ``8g30``, ``8 giờ``, ``8 giờ 30``, ``8.30``;
  ``2 giờ chiều`` is 14:00. ``24:00``, ``8:60`` and a bare ``8`` (8 what?) are refused.
- dates: ``31/12``, ``31/12/2026``, ``31-12-2026``, ``31.12.2026``, ``31/12/26``, ``2026-12-31``.
  A date without a year is the next such date from today (today included), today being the date
  in the program's time zone (:meth:`bot.core.Core.today`). ``31/4`` and ``29/2`` of a year
  without it are refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from typing import Literal

from bot.core import Refused
from bot.periods import Period, month_period, quarter_period, year_period
from bot.text import clean_line, fold

# What a number counts; the refusal names it (labels and hints in templates/arg_bad_number.j2).
NumberKind = Literal[
    "number",
    "question",
    "person",
    "asker",
    "position",
    "days",
    "minutes",
    "queue_warning",
    "daily_limit",
    "weekday",
    "year",
    "page",
    "program",
    "attempt",
    "port",
    "invite_uses",
]

# Identifiers (people, questions, askers, programs) are SQLite integers; nine digits is far more
# than any program will have, and keeps every lookup well inside 64 bits.
MAX_ID = 999_999_999
FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates people may type
SHOWN_CHARS = 30  # of a refused value, in the refusal

# Full-width forms (typed with an East Asian input method) to ASCII, and the ideographic space.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_OPENERS = "([{«\"'“‘"
_CLOSERS = ")]}»\"'”’.,;:!?"
_INTEGER = re.compile(r"#?\s*([+-]?)\s*(\d{1,3}(?:\.\d{3})+|\d+)", re.ASCII)
# The hour needs its mark («:», «.», «h», «g», «giờ»): a bare number could be anything.
_TIME = re.compile(
    r"(\d{1,2})\s*(?:[:.]\s*(\d{2})|(?:h|g|gio)\s*(\d{1,2})?)(?:\s*(?:phut|ph|p|'))?", re.ASCII
)
_DAY_PARTS = {"sang": 0, "trua": 1, "chieu": 2, "toi": 2, "dem": 3}
_DATE = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,2})", re.ASCII)


def shown(text: str) -> str:
    """A typed value as a refusal quotes it: one clean line, shortened, control characters
    shown as «�» (so «5\x00» is not quoted as an acceptable «5»)."""
    text = "".join(
        "\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" else ch
        for ch in text[: SHOWN_CHARS * 4]
    )
    line = clean_line(text, SHOWN_CHARS + 1)
    return line[:SHOWN_CHARS] + "…" if len(line) > SHOWN_CHARS else line


def _prepare(text: str) -> str | None:
    """Full-width forms to ASCII, invisible format characters dropped, outer spaces and
    punctuation trimmed; None when a control character is left (nothing typed means that)."""
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        return None
    text = " ".join(text.split())
    return text.lstrip(_OPENERS + " ").rstrip(_CLOSERS + " ")


# -- whole numbers --------------------------------------------------------------------------------


def parse_int(text: str, lo: int, hi: int, *, what: NumberKind = "number") -> int:
    """The whole number ``text`` means, between ``lo`` and ``hi``; otherwise :class:`Refused`
    (template ``arg_bad_number``; ``what`` names the kind of number: see the template)."""
    context = {"value": shown(text), "lo": lo, "hi": hi, "what": what}
    prepared = _prepare(text)
    match = _INTEGER.fullmatch(prepared) if prepared else None
    if match is None:
        raise Refused("arg_bad_number", reason="not_number", **context)
    sign, digits = match.group(1), match.group(2).replace(".", "").lstrip("0") or "0"
    # Longer than the bounds: out of range without converting (int() refuses > 4300 digits).
    if len(digits) > max(len(str(abs(lo))), len(str(abs(hi)))):
        raise Refused("arg_bad_number", reason="range", **context)
    value = -int(digits) if sign == "-" else int(digits)
    if not lo <= value <= hi:
        raise Refused("arg_bad_number", reason="range", **context)
    return value


def parse_id(text: str, *, what: NumberKind) -> int:
    """A record's number as typed (``5``, ``#5``, ``５``), from 1 to :data:`MAX_ID`."""
    return parse_int(text, 1, MAX_ID, what=what)


# -- times of day ---------------------------------------------------------------------------------


def parse_time(text: str) -> time:
    """The time of day ``text`` means; otherwise :class:`Refused` (template ``arg_bad_time``)."""
    context = {"value": shown(text)}
    prepared = _prepare(text)
    words = fold(prepared).split() if prepared else []
    part = _DAY_PARTS.get(words[-1]) if words else None
    if part is not None:
        words = words[:-1]
    match = _TIME.fullmatch(" ".join(words)) if words else None
    if match is None:
        raise Refused("arg_bad_time", reason="format", **context)
    hour = int(match.group(1))
    minute = int(match.group(2) or match.group(3) or 0)
    if hour > 23 or minute > 59:
        raise Refused("arg_bad_time", reason="range", **context)
    # «2 giờ chiều» is 14:00, «1 giờ trưa» 13:00, «9 giờ tối» 21:00, «10 giờ đêm» 22:00.
    if (part == 1 and hour < 6) or (part == 2 and hour < 12) or (part == 3 and 6 <= hour < 12):
        hour += 12
    return time(hour, minute)


# -- dates ----------------------------------------------------------------------------------------


def parse_date(text: str, today: date) -> date:
    """The date ``text`` means; a date without a year is the next such date from ``today``
    (today included). Otherwise :class:`Refused` (template ``arg_bad_date``)."""
    context = {"value": shown(text), "today": today.isoformat(), "example": f"{today:%d/%m/%Y}"}
    prepared = _prepare(text)
    day: int | None = None
    month: int | None = None
    year: int | None = None
    if prepared and (iso := _ISO_DATE.fullmatch(prepared)):
        year, month, day = int(iso.group(1)), int(iso.group(3)), int(iso.group(4))
    elif prepared and (dmy := _DATE.fullmatch(prepared)):
        day, month = int(dmy.group(1)), int(dmy.group(3))
        if dmy.group(4):
            year = int(dmy.group(4))
            year += 2000 if year < 100 else 0
    if day is None or month is None:
        raise Refused("arg_bad_date", reason="format", **context)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise Refused("arg_bad_date", reason="format", **context)
    if year is None:
        year = today.year + (1 if (month, day) < (today.month, today.day) else 0)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused("arg_bad_date", reason="year", first=FIRST_YEAR, last=LAST_YEAR, **context)
    try:
        return date(year, month, day)
    except ValueError:
        raise Refused(
            "arg_bad_date", reason="no_such_day", day=day, month=month, year=year, **context
        ) from None


# -- periods (a year, a quarter, a month, a range) -----------------------------------------------

MAX_RANGE_DAYS = 3660  # ten years, the longest range a figure is asked for
_YEAR = r"(?:\s*(?:/|-|nam)\s*(\d{1,4}))?"
_ONLY_YEAR = re.compile(r"(?:nam\s*)?(\d{1,4})", re.ASCII)
_QUARTER = re.compile(r"(?:quy|q)\s*(\d{1,2})" + _YEAR, re.ASCII)
_MONTH = re.compile(r"(?:thang|t)\s*(\d{1,2})" + _YEAR, re.ASCII)
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*/\s*(\d{4})", re.ASCII)
_RANGE = re.compile(r"(?:tu\s+)?(.+?)\s*(?:\s-\s|–|—|\bden\b)\s*(.+)", re.ASCII)


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
            raise Refused(
                "arg_bad_period", reason="year", first=FIRST_YEAR, last=LAST_YEAR, **context
            )
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
