"""When things happen: the weekly session plan and the steps that are due.

Pure logic: the current time is always passed in, and every datetime is
timezone-aware.  Holidays are Vietnamese public holidays (including the
observed and substitute days off) from the ``holidays`` package.

Week plan (:func:`plan_week`)
    Each ISO week has one *nominal* session date: the configured weekday of
    that week.  If it is not a working day (weekend or public holiday):

    * policy ``"move"``: the session moves forward day by day to the first
      working day *of the same ISO week* (Monday to Friday).  When none is left
      (a Friday holiday, the Tết week) the week is skipped: a later day would
      put two sessions into the next week (``SessionPlan.crowded``);
    * policy ``"skip"``: the session is skipped.

    So every held session lies in the ISO week of its nominal date, and held
    sessions are in different ISO weeks (at least three days apart).

    Publication (:func:`_publish_slot`): the *nominal* publish day is
    ``publish_lead_days`` days before the actual session date.  The question goes
    out at ``publish_time`` on the latest working day on or before it, but never
    before the day after the previous week's session (its actual date if it was
    held, else its nominal date); when no such day exists, on the first working
    day after it, before the draw (on the session day itself at ``publish_time``,
    or at the draw when ``publish_time`` is later).  The draw is at ``draw_time``
    on the session date; the answer window (:func:`answer_window`) follows it.
    All of them are wall-clock times in ``cfg.tz``.

Answer window (:func:`answer_window`, :func:`answer_is_late`, :func:`needs_new_window`)
    The same window is opened by a planned draw and by a draw made by hand
    (``/bocthamngay``, a redraw): the deadline is ``answer_minutes`` of elapsed
    time after the draw (correct across DST changes); the reminder is
    ``reminder_minutes`` before the deadline (none when 0 or not less than
    ``answer_minutes``).  A reminder that would fall on a non-working day (in the
    program's time zone) moves to the last working day before it at the same
    clock time if that is still after the draw, else it is dropped.  An answer is
    late strictly after the deadline.

Due steps (:func:`next_due`)
    The caller runs one due step, stores the new state and asks again.  A step
    whose time passed more than ``grace`` ago is *late*: it is not executed but
    reported to the admins once (then ``missed_reported`` is set and the step
    is no longer returned; the admin acts by hand).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.models import SessionState, SettingProblem

__all__ = [
    "STATES",
    "AnswerWindow",
    "Due",
    "HolidayPolicy",
    "ScheduleConfig",
    "ScheduleValues",
    "SessionPlan",
    "SessionView",
    "SettingProblem",
    "Step",
    "after_window",
    "answer_is_late",
    "answer_window",
    "holiday_name",
    "is_working_day",
    "needs_new_window",
    "next_due",
    "next_wakeup",
    "plan_week",
    "read_schedule",
    "schedule_problems",
    "stored_schedule",
    "upcoming_plan",
    "week_key",
]

HolidayPolicy = Literal["move", "skip"]

STATES = frozenset(SessionState)


# --------------------------------------------------------------------------- holidays


@lru_cache(maxsize=64)
def _holidays_of_year(year: int) -> dict[date, str]:
    # Neighbouring years too, in case a substitute day off lands across New Year.
    calendar = holidays.country_holidays("VN", language="vi", years=(year - 1, year, year + 1))
    return {day: str(name) for day, name in calendar.items() if day.year == year}


def holiday_name(d: date) -> str | None:
    """Vietnamese name of the public holiday (or substitute day off) on ``d``, else None."""
    return _holidays_of_year(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a Vietnamese public holiday or substitute day off."""
    return d.weekday() < 5 and holiday_name(d) is None


def week_key(d: date) -> str:
    """ISO week key of ``d``, e.g. ``"2026-W49"`` (the ISO year may differ from d.year)."""
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class ScheduleConfig:
    tz: str = "Asia/Ho_Chi_Minh"
    weekday: int = 0  # session weekday, 0 = Monday ... 4 = Friday
    publish_lead_days: int = 3  # publish this many days before the session date (0 = same day)
    publish_time: time = time(8, 0)  # wall-clock times in tz (naive time objects)
    draw_time: time = time(9, 0)
    answer_minutes: int = 60  # deadline = draw + answer_minutes
    reminder_minutes: int = 15  # reminder at deadline - reminder_minutes (0 = none)
    holiday_policy: HolidayPolicy = "move"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if not 0 <= self.weekday <= 4:
            raise ValueError("weekday must be a working weekday, 0 (Monday) to 4 (Friday)")
        if self.publish_lead_days < 0:
            raise ValueError("publish_lead_days must be >= 0")
        if self.publish_time.tzinfo is not None or self.draw_time.tzinfo is not None:
            raise ValueError("publish_time and draw_time are wall-clock times: no tzinfo")
        if self.publish_lead_days == 0 and self.publish_time > self.draw_time:
            raise ValueError("publishing on the session day must not be after the draw")
        if self.answer_minutes <= 0:
            raise ValueError("answer_minutes must be > 0")
        if self.reminder_minutes < 0:
            raise ValueError("reminder_minutes must be >= 0")
        if self.holiday_policy not in get_args(HolidayPolicy):
            raise ValueError(f"holiday_policy must be one of {get_args(HolidayPolicy)}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


MIN_ANSWER_MINUTES = 5
MAX_ANSWER_MINUTES = 10080  # a week


@dataclass(frozen=True)
class ScheduleValues:
    """A program's schedule settings as admins set them, before they are known to work."""

    tz: str = "Asia/Ho_Chi_Minh"
    weekday: int = 0
    publish_lead_days: int = 3
    publish_time: time = time(8, 0)
    draw_time: time = time(9, 0)
    answer_minutes: int = 60
    reminder_minutes: int = 15
    holiday_policy: str = "move"


def schedule_problems(v: ScheduleValues) -> list[SettingProblem]:
    """Everything wrong with a schedule taken as a whole; empty when it can be used.

    Checked before a change is saved and whenever a stored program is read, so a setting that
    cannot work is refused with its reason instead of failing later in the scheduler.
    """
    problems: list[SettingProblem] = []
    try:
        ZoneInfo(v.tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(SettingProblem("tz", "tz", {"value": v.tz[:60]}))
    if not 0 <= v.weekday <= 4:
        problems.append(SettingProblem("weekday", "weekday", {"value": v.weekday}))
    if not 0 <= v.publish_lead_days <= 6:
        problems.append(
            SettingProblem("publish_lead_days", "publish_lead_days", {"value": v.publish_lead_days})
        )
    if not MIN_ANSWER_MINUTES <= v.answer_minutes <= MAX_ANSWER_MINUTES:
        problems.append(
            SettingProblem("answer_minutes", "answer_minutes", {"value": v.answer_minutes})
        )
    if not 0 <= v.reminder_minutes <= MAX_ANSWER_MINUTES:
        problems.append(
            SettingProblem("reminder_minutes", "reminder_minutes", {"value": v.reminder_minutes})
        )
    if v.holiday_policy not in get_args(HolidayPolicy):
        problems.append(
            SettingProblem("holiday_policy", "holiday_policy", {"value": v.holiday_policy[:60]})
        )
    if problems:
        return problems
    hhmm = "%H:%M"
    if v.publish_lead_days == 0 and v.publish_time > v.draw_time:
        problems.append(
            SettingProblem(
                "publish_after_draw",
                "publish_time",
                {"publish": v.publish_time.strftime(hhmm), "draw": v.draw_time.strftime(hhmm)},
            )
        )
    if v.reminder_minutes > 0 and v.reminder_minutes >= v.answer_minutes:
        problems.append(
            SettingProblem(
                "reminder_after_deadline",
                "reminder_minutes",
                {"reminder": v.reminder_minutes, "answer": v.answer_minutes},
            )
        )

    # The answer window must close before the next week's question goes out, or two sessions
    # would wait for answers at once. Measured in a week without holidays, where a publish day
    # on a weekend becomes the Friday before (or the Monday after: see plan_week).
    longest = _longest_answer(v)
    if v.answer_minutes > longest:
        problems.append(
            SettingProblem(
                "answer_overlaps_next_week",
                "answer_minutes",
                {"answer": v.answer_minutes, "longest": longest},
            )
        )
    return problems


def _longest_answer(v: ScheduleValues) -> int:
    """Minutes from a draw to the next week's publication, in weeks without holidays."""

    def weekday(d: date) -> bool:
        return d.weekday() < 5

    session = date(2024, 1, 1) + timedelta(days=v.weekday)  # any week: 1/1/2024 is a Monday
    previous = session - timedelta(days=7)
    day, clock = _publish_slot(
        session,
        v.publish_lead_days,
        previous + timedelta(days=1),
        v.publish_time,
        v.draw_time,
        weekday,
    )
    gap = datetime.combine(day, clock, tzinfo=UTC) - datetime.combine(
        previous, v.draw_time, tzinfo=UTC
    )
    return int(gap.total_seconds()) // 60


def _stored_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip()) if value.strip().lstrip("+-").isascii() else None
        except ValueError:
            return None
    return None


def _stored_time(value: object) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def read_schedule(raw: dict[str, object]) -> tuple[ScheduleValues, list[SettingProblem]]:
    """A program's schedule as stored (any type SQLite holds): a value that cannot be read is
    replaced by its default and reported. Whether the values work together is not checked."""
    defaults = ScheduleValues()
    values: dict[str, object] = {}
    problems: list[SettingProblem] = []
    for f in fields(ScheduleValues):
        default, value = getattr(defaults, f.name), raw.get(f.name)
        parsed: object
        if isinstance(default, time):
            parsed = _stored_time(value)
        elif isinstance(default, int):
            parsed = _stored_int(value)
        else:
            parsed = value if isinstance(value, str) else None
        if parsed is None:
            problems.append(SettingProblem(f.name, f.name, {"value": str(value)[:60]}))
            parsed = default
        values[f.name] = parsed
    return ScheduleValues(**values), problems  # type: ignore[arg-type]


def stored_schedule(raw: dict[str, object]) -> tuple[ScheduleValues, list[SettingProblem]]:
    """A program's stored schedule → values that work, and every problem found.

    A value that cannot be read or cannot work is replaced by its default and reported, so one
    bad row never stops the others and views still show something; the caller schedules
    nothing for a program while it has problems.
    """
    schedule, problems = read_schedule(raw)
    found = schedule_problems(schedule)
    if found:
        problems += found
        # Each value that cannot work falls back to its default; a combination that cannot
        # work (publishing after the draw…) falls back as a whole.
        defaults = ScheduleValues()
        single = {p.setting: getattr(defaults, p.setting) for p in found if p.code == p.setting}
        schedule = replace(schedule, **single)
        if schedule_problems(schedule):
            schedule = defaults
    return schedule, problems


@dataclass(frozen=True)
class SessionPlan:
    week: str  # ISO week key of the nominal session date, "2026-W49"
    nominal_date: date  # the configured weekday in that ISO week
    session_date: date | None  # actual date (moved past holidays/weekends), None when skipped
    holiday: str | None  # holiday on the nominal date that moved/skipped the session
    publish_at: datetime | None  # aware in cfg.tz, None when skipped
    draw_at: datetime | None
    reminder_at: datetime | None
    deadline_at: datetime | None
    # Skipped although the policy is "move": no working day is left in the nominal date's ISO
    # week, and a later day would put two sessions into the next week.
    crowded: bool = False

    @property
    def skipped(self) -> bool:
        return self.session_date is None


def _at(d: date, t: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, t, tzinfo=zone)


def _plus(dt: datetime, delta: timedelta, zone: tzinfo) -> datetime:
    """Elapsed-time addition (correct across DST changes), result in ``zone``."""
    return (dt.astimezone(UTC) + delta).astimezone(zone)


def _session_day(cfg: ScheduleConfig, nominal: date) -> tuple[date | None, bool]:
    """The day the session of ``nominal``'s week is held (None: skipped), and whether it was
    skipped only because moving it would crowd the next week."""
    if is_working_day(nominal):
        return nominal, False
    if cfg.holiday_policy == "skip":
        return None, False
    friday = nominal + timedelta(days=4 - nominal.weekday())
    day = nominal + timedelta(days=1)
    while day <= friday:
        if is_working_day(day):
            return day, False
        day += timedelta(days=1)
    return None, True


def _publish_slot(
    session: date,
    lead_days: int,
    earliest: date,
    publish_time: time,
    draw_time: time,
    working: Callable[[date], bool],
) -> tuple[date, time]:
    """The day and wall-clock time a session's question goes out (see the module notes).

    ``earliest`` is the first day allowed (the day after the previous week's session);
    ``working`` tells working days.  The session day itself is always a candidate, at
    ``publish_time`` or ``draw_time``, whichever is earlier, so there is always an answer.
    """
    nominal = session - timedelta(days=lead_days)
    day = nominal
    while day >= earliest:  # the latest working day on or before the nominal day
        if working(day):
            break
        day -= timedelta(days=1)
    else:
        day = max(nominal + timedelta(days=1), earliest)  # else the first working day after
        while day < session and not working(day):
            day += timedelta(days=1)
    return day, publish_time if day < session else min(publish_time, draw_time)


def plan_week(cfg: ScheduleConfig, any_day_in_week: date) -> SessionPlan:
    """The session plan of the ISO week containing ``any_day_in_week``."""
    monday = any_day_in_week - timedelta(days=any_day_in_week.weekday())
    nominal = monday + timedelta(days=cfg.weekday)
    week = week_key(nominal)
    session, crowded = _session_day(cfg, nominal)
    holiday = None if is_working_day(nominal) else holiday_name(nominal)
    if session is None:
        return SessionPlan(week, nominal, None, holiday, None, None, None, None, crowded)

    zone = cfg.zone
    previous_nominal = nominal - timedelta(days=7)
    previous = _session_day(cfg, previous_nominal)[0] or previous_nominal
    day, clock = _publish_slot(
        session,
        cfg.publish_lead_days,
        previous + timedelta(days=1),
        cfg.publish_time,
        cfg.draw_time,
        is_working_day,
    )
    publish_at = _at(day, clock, zone)
    draw_at = _at(session, cfg.draw_time, zone)
    window = answer_window(draw_at, cfg.answer_minutes, cfg.reminder_minutes)
    return SessionPlan(
        week, nominal, session, holiday, publish_at, draw_at, window.reminder_at, window.deadline_at
    )


# --------------------------------------------------------------------------- answer window


@dataclass(frozen=True)
class AnswerWindow:
    """The time the drawn person has to answer, opened by a draw."""

    deadline_at: datetime
    reminder_at: datetime | None  # None: no reminder


def answer_window(
    drawn_at: datetime, answer_minutes: int, reminder_minutes: int, zone: tzinfo | None = None
) -> AnswerWindow:
    """The window opened by a draw at ``drawn_at`` (aware; results in its time zone).

    The deadline is ``answer_minutes`` of elapsed time after the draw; the reminder
    ``reminder_minutes`` before the deadline, only when ``0 < reminder_minutes < answer_minutes``.
    A reminder never falls on a non-working day in ``zone`` (the program's time zone; default
    ``drawn_at``'s): it moves to the last working day before, at the same clock time, if that is
    still after the draw, else there is none.
    """
    _require_aware(drawn_at)
    own = drawn_at.tzinfo
    assert own is not None
    deadline_at = _plus(drawn_at, timedelta(minutes=answer_minutes), own)
    reminder_at: datetime | None = None
    if 0 < reminder_minutes < answer_minutes:
        reminder_at = _plus(deadline_at, -timedelta(minutes=reminder_minutes), own)
        reminder_at = _on_a_working_day(reminder_at, drawn_at, zone or own)
    return AnswerWindow(deadline_at, reminder_at)


def _on_a_working_day(at: datetime, after: datetime, zone: tzinfo) -> datetime | None:
    """``at``, or the same clock time of the last working day before it (judged in ``zone``)
    if ``at`` is not on a working day; None when that is not strictly after ``after``."""
    local = at.astimezone(zone)
    day, first = local.date(), after.astimezone(zone).date()
    while not is_working_day(day):
        day -= timedelta(days=1)
        if day < first:
            return None
    if day == local.date():
        return at
    moved = datetime.combine(day, local.time(), tzinfo=zone)
    if _utc(moved) <= _utc(after):
        return None
    own = at.tzinfo
    assert own is not None
    return moved.astimezone(own)


def needs_new_window(now: datetime, deadline_at: datetime | None) -> bool:
    """A planned draw made at ``now`` opens its own window when the planned deadline has passed
    (a late draw must still leave the whole answer time)."""
    return deadline_at is not None and deadline_at <= now


def answer_is_late(now: datetime, deadline_at: datetime | None) -> bool:
    """An answer at ``now`` is late strictly after the deadline (none: never late)."""
    return deadline_at is not None and now > deadline_at


def after_window(plan: SessionPlan) -> datetime | None:
    """The first moment after a planned session's answer window (None: skipped week)."""
    return plan.deadline_at + timedelta(seconds=1) if plan.deadline_at is not None else None


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def upcoming_plan(cfg: ScheduleConfig, now: datetime) -> SessionPlan:
    """The plan of the first session that is not over at ``now``.

    Weeks are tried in order, starting with the ISO week before ``now``'s ISO
    week in ``cfg.tz`` (its answer window may reach into this week).  A
    skipped week is returned (so the caller can record the skip) only if its
    nominal date is today or later; otherwise the first plan whose deadline is
    after ``now`` is returned.
    """
    _require_aware(now)
    today = now.astimezone(cfg.zone).date()
    now_utc = now.astimezone(UTC)
    for offset in range(-1, 4):
        plan = plan_week(cfg, today + timedelta(weeks=offset))
        if plan.deadline_at is None:
            if plan.nominal_date >= today:
                return plan
        elif plan.deadline_at.astimezone(UTC) > now_utc:
            return plan
    # Next week's nominal date is after today, so its plan is returned at the latest.
    raise AssertionError("unreachable: no upcoming session found")


# --------------------------------------------------------------------------- due steps


class Step(StrEnum):
    PUBLISH = "publish"
    DRAW = "draw"
    REMIND = "remind"
    CLOSE = "close"


def _check_aware_or_none(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class SessionView:
    """What :func:`next_due` needs to know about one stored session."""

    state: str  # one of STATES
    publish_at: datetime | None
    draw_at: datetime | None
    reminder_at: datetime | None
    deadline_at: datetime | None
    reminded: bool = False
    missed_reported: bool = False  # a late step was already reported to admins
    auto_draw: bool = True  # False: the admin runs the draw by hand

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown session state {self.state!r}")
        _check_aware_or_none("publish_at", self.publish_at)
        _check_aware_or_none("draw_at", self.draw_at)
        _check_aware_or_none("reminder_at", self.reminder_at)
        _check_aware_or_none("deadline_at", self.deadline_at)


@dataclass(frozen=True)
class Due:
    step: Step
    at: datetime  # when the step was scheduled
    late: bool  # its time passed more than `grace` ago: do NOT execute, report it instead


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def _due(step: Step, at: datetime, late: bool, s: SessionView) -> Due | None:
    if late and s.missed_reported:
        return None
    return Due(step, at, late)


def next_due(now: datetime, s: SessionView, grace: timedelta) -> Due | None:
    """The step that should run at ``now`` for session ``s``, or None.

    * scheduled: PUBLISH once ``now >= publish_at``; late only when
      ``now > draw_at + grace`` (publishing late but before the draw is fine).
    * published: DRAW once ``now >= draw_at`` if ``auto_draw``; late when
      ``now - draw_at > grace``.
    * drawn: CLOSE once ``now >= deadline_at`` (never late); before that REMIND
      once ``now >= reminder_at`` if there is a reminder not yet sent; late when
      ``now - reminder_at > grace``.
    * other states: None.

    A late step is returned (to be reported, not executed) only while
    ``missed_reported`` is False.
    """
    _require_aware(now)
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    t = _utc(now)

    if s.state == SessionState.SCHEDULED:
        if s.publish_at is None or t < _utc(s.publish_at):
            return None
        late = s.draw_at is not None and t > _utc(s.draw_at) + grace
        return _due(Step.PUBLISH, s.publish_at, late, s)

    if s.state == SessionState.PUBLISHED:
        if not s.auto_draw or s.draw_at is None or t < _utc(s.draw_at):
            return None
        return _due(Step.DRAW, s.draw_at, t - _utc(s.draw_at) > grace, s)

    if s.state == SessionState.DRAWN:
        if s.deadline_at is not None and t >= _utc(s.deadline_at):
            return Due(Step.CLOSE, s.deadline_at, False)
        if s.reminder_at is not None and not s.reminded and t >= _utc(s.reminder_at):
            return _due(Step.REMIND, s.reminder_at, t - _utc(s.reminder_at) > grace, s)
        return None

    return None


def next_wakeup(now: datetime, s: SessionView) -> datetime | None:
    """The earliest time strictly after ``now`` at which :func:`next_due` may become non-None.

    For the scheduler's sleep: ask :func:`next_due` first (a step already due
    is reported there, not here), then sleep until this time.  None when
    nothing more happens by itself in the current state.
    """
    _require_aware(now)
    t = _utc(now)
    times: list[datetime] = []
    if s.state == SessionState.SCHEDULED:
        times = [s.publish_at] if s.publish_at is not None else []
    elif s.state == SessionState.PUBLISHED:
        times = [s.draw_at] if s.auto_draw and s.draw_at is not None else []
    elif s.state == SessionState.DRAWN:
        if s.deadline_at is not None:
            times.append(s.deadline_at)
        if (
            s.reminder_at is not None
            and not s.reminded
            and (s.deadline_at is None or _utc(s.reminder_at) < _utc(s.deadline_at))
        ):
            times.append(s.reminder_at)
    future = [x for x in times if _utc(x) > t]
    return min(future, key=_utc) if future else None
