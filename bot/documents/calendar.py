"""The calendar of a program's upcoming sessions as an iCalendar file (.ics, RFC 5545).

One VEVENT per week: from the draw to the answer deadline, in the program's time zone (TZID
with a VTIMEZONE generated from the zone database), the publish time in the description.
UIDs are stable per program and week, and SEQUENCE grows with each export, so importing a newer
file updates the events instead of adding copies. A moved session is on its moved date with a
note; a week without a session (holiday, admin's decision) is kept as a cancelled event
(STATUS:CANCELLED): an event imported earlier for that week is then cancelled too, which an
omitted event could not do.

The icalendar package is imported inside the functions: start-up never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.words import CALENDAR_WORDS

PRODID = "-//hoidap//calendar//VI"
UID_DOMAIN = "hoidap.invalid"
WEEKS = 12


@dataclass(frozen=True)
class CalendarEntry:
    """One week of the program as the calendar shows it."""

    week: str  # ISO week key, "2026-W50": part of the UID
    nominal_date: date
    session_date: date | None  # None: no session that week
    draw_at: datetime | None  # aware
    deadline_at: datetime | None
    publish_at: datetime | None
    holiday: str | None = None  # the holiday that moved or cancelled it
    cancelled: str | None = None  # why there is no session that week, as people read it


def uid(program_id: int, week: str) -> str:
    return f"{week}-p{program_id}@{UID_DOMAIN}"


def _hhmm_date(dt: datetime, zone: ZoneInfo) -> str:
    local = dt.astimezone(zone)
    return f"{local:%H:%M} {local:%d/%m/%Y}"


def build_calendar(
    entries: Sequence[CalendarEntry],
    *,
    program_id: int,
    program_title: str,
    tz: str,
    draw_time: time,
    answer_minutes: int,
    now: datetime,
) -> bytes:
    """The .ics file of ``entries`` (already in order)."""
    from icalendar import Calendar, Event

    zone = ZoneInfo(tz)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    sequence = int(stamp.timestamp()) // 60  # grows with every export: newer files win
    summary = CALENDAR_WORDS["summary"].format(program=program_title)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_WORDS["calendar_name"].format(program=program_title))
    cal.add("x-wr-timezone", tz)
    for e in entries:
        event = Event()
        event.add("uid", uid(program_id, e.week))
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("summary", summary)
        if e.session_date is None or e.draw_at is None:
            start = datetime.combine(e.nominal_date, draw_time, tzinfo=zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=answer_minutes))
            event.add("status", "CANCELLED")
            reason = e.cancelled or e.holiday or CALENDAR_WORDS["no_session"]
            event.add("description", CALENDAR_WORDS["cancelled"].format(reason=reason))
        else:
            draw = e.draw_at.astimezone(zone)
            deadline = (e.deadline_at or draw + timedelta(minutes=answer_minutes)).astimezone(zone)
            event.add("dtstart", draw)
            event.add("dtend", deadline)
            event.add("status", "CONFIRMED")
            lines = []
            if e.publish_at is not None:
                lines.append(
                    CALENDAR_WORDS["description"].format(
                        publish=_hhmm_date(e.publish_at, zone),
                        draw=_hhmm_date(draw, zone),
                        deadline=_hhmm_date(deadline, zone),
                    )
                )
            if e.session_date != e.nominal_date:
                lines.append(
                    CALENDAR_WORDS["moved"].format(
                        nominal=f"{e.nominal_date:%d/%m/%Y}",
                        actual=f"{e.session_date:%d/%m/%Y}",
                        holiday=e.holiday or "",
                    )
                )
            event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def calendar_filename(program_id: int) -> str:
    return f"lich_hoi_dap_{program_id}.ics"


__all__ = ["WEEKS", "CalendarEntry", "build_calendar", "calendar_filename", "uid"]
