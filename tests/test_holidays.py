"""Holidays never crowd the calendar: a table over every Vietnamese public holiday of 2026–2030.

For every planned week of every configuration in the table:

* a held session is on a working day of the ISO week of its nominal date (Monday to Friday),
  never earlier than that date, and moved off it only by the policy "move" over non-working days;
* so consecutive held sessions are in consecutive-or-later ISO weeks, at least three days apart;
* the question goes out on a working day, before the draw, never before the day after the
  previous week's session (its actual day if held, else its nominal day), on the latest working
  day on or before the nominal publish day (``publish_lead_days`` before the session), or, when
  there is none, on the first working day after it;
* the reminder is on a working day, strictly between the draw and the deadline, at the clock time
  ``reminder_minutes`` before the deadline; moved only over non-working days, dropped only when
  no working day before it at that clock time is after the draw.

Working days are judged on the local date in the program's time zone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    HolidayPolicy,
    ScheduleConfig,
    ScheduleValues,
    SessionPlan,
    answer_window,
    holiday_name,
    is_working_day,
    plan_week,
    schedule_problems,
    week_key,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_MONDAY = date(2025, 12, 29)  # 2026-W01
LAST_MONDAY = date(2030, 12, 30)  # 2031-W01: its Monday is the last day of 2030


def hcm(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=HCM)


def _days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included (empty when ``last < first``)."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


HOLIDAYS = [d for d in _days(date(2026, 1, 1), date(2030, 12, 31)) if holiday_name(d)]
WEEKDAY_HOLIDAYS = [d for d in HOLIDAYS if d.weekday() < 5]


def test_the_table_covers_every_kind_of_holiday() -> None:
    # A guard of the table itself: the calendar it walks has the lunar holidays in every year.
    for year in range(2026, 2031):
        names = " | ".join(str(holiday_name(d)) for d in HOLIDAYS if d.year == year)
        assert "Tết Nguyên Đán" in names and "Giỗ Tổ Hùng Vương" in names, year
        assert "Quốc khánh" in names and "Ngày Chiến thắng" in names, year
    assert any("nghỉ bù" in str(holiday_name(d)) for d in HOLIDAYS)  # substitute days off too


# -- the configurations --------------------------------------------------------------------------

WINDOWS = [  # (answer_minutes, reminder_minutes)
    (60, 15),
    (1380, 720),  # 23 hours: the longest when publishing the day after the previous session
    (1440, 60),  # a day: the reminder falls on the next morning
    (2880, 1500),  # two days, reminder about a day after the draw
    (4320, 30),  # three days: the reminder just before a deadline that may fall on a weekend
    (5700, 2880),  # the longest a Monday program may give with the default publish day
]


WEEKDAYS = range(5)
POLICIES: tuple[HolidayPolicy, ...] = ("move", "skip")
LEADS = (0, 1, 3, 6)


def _configs(weekday: int, policy: HolidayPolicy, lead: int) -> list[ScheduleConfig]:
    """The configurations of the table for one weekday, policy and lead: every window of
    ``WINDOWS`` the settings accept with that publish day."""
    found = []
    for answer, reminder in WINDOWS:
        values = ScheduleValues(
            weekday=weekday,
            publish_lead_days=lead,
            answer_minutes=answer,
            reminder_minutes=reminder,
            holiday_policy=policy,
        )
        if not schedule_problems(values):
            found.append(
                ScheduleConfig(
                    weekday=weekday,
                    publish_lead_days=lead,
                    answer_minutes=answer,
                    reminder_minutes=reminder,
                    holiday_policy=policy,
                )
            )
    return found


TABLE = [(w, p, lead) for w in WEEKDAYS for p in POLICIES for lead in LEADS]
CONFIGS = [cfg for row in TABLE for cfg in _configs(*row)]


def _weeks(cfg: ScheduleConfig, first: date, last: date) -> list[SessionPlan]:
    return [plan_week(cfg, monday) for monday in _days(first, last)[::7]]


def _local(dt: datetime | None, cfg: ScheduleConfig) -> datetime:
    assert dt is not None
    assert dt.tzinfo is not None
    return dt.astimezone(cfg.zone)


def _check_session_day(cfg: ScheduleConfig, plan: SessionPlan) -> None:
    nominal = plan.nominal_date
    friday = nominal + timedelta(days=4 - nominal.weekday())
    assert plan.week == week_key(nominal)
    if plan.session_date is None:
        assert (plan.publish_at, plan.draw_at, plan.reminder_at, plan.deadline_at) == (None,) * 4
        assert not is_working_day(nominal)
        rest_of_week = _days(nominal, friday)
        assert plan.crowded == (cfg.holiday_policy == "move")
        if plan.crowded:  # moving it would have left the ISO week
            assert not any(is_working_day(d) for d in rest_of_week)
        return
    day = plan.session_date
    assert is_working_day(day)
    assert week_key(day) == plan.week and nominal <= day <= friday
    if day != nominal:
        assert cfg.holiday_policy == "move"
        assert not any(is_working_day(d) for d in _days(nominal, day - timedelta(days=1)))
    assert not plan.crowded


def _check_publish(cfg: ScheduleConfig, plan: SessionPlan, previous: SessionPlan) -> None:
    assert plan.session_date is not None
    publish, draw = _local(plan.publish_at, cfg), _local(plan.draw_at, cfg)
    assert draw == datetime.combine(plan.session_date, cfg.draw_time, tzinfo=cfg.zone)
    assert is_working_day(publish.date())
    assert publish < draw  # every configuration here publishes at 08:00, draws at 09:00
    assert publish.time() == cfg.publish_time
    # Never before the previous week's session is over (its day, or its nominal day if skipped).
    earliest = (previous.session_date or previous.nominal_date) + timedelta(days=1)
    assert publish.date() >= earliest
    nominal = plan.session_date - timedelta(days=cfg.publish_lead_days)
    if publish.date() <= nominal:  # the latest working day on or before the nominal day
        assert not any(is_working_day(d) for d in _days(publish.date() + timedelta(1), nominal))
    else:  # none allowed before it: the first working day after it
        assert not any(is_working_day(d) for d in _days(earliest, nominal))
        first = max(nominal + timedelta(days=1), earliest)
        between = _days(first, publish.date() - timedelta(days=1))
        assert not any(is_working_day(d) for d in between)


def _check_reminder(cfg: ScheduleConfig, plan: SessionPlan) -> None:
    draw, deadline = _local(plan.draw_at, cfg), _local(plan.deadline_at, cfg)
    assert deadline.astimezone(UTC) - draw.astimezone(UTC) == timedelta(minutes=cfg.answer_minutes)
    if not 0 < cfg.reminder_minutes < cfg.answer_minutes:
        assert plan.reminder_at is None
        return
    nominal = (deadline.astimezone(UTC) - timedelta(minutes=cfg.reminder_minutes)).astimezone(
        cfg.zone
    )
    if plan.reminder_at is None:  # dropped: no working day before it at that time after the draw
        assert not is_working_day(nominal.date())
        for d in _days(draw.date(), nominal.date() - timedelta(days=1)):
            at = datetime.combine(d, nominal.time(), tzinfo=cfg.zone)
            assert not is_working_day(d) or at <= draw
        return
    reminder = _local(plan.reminder_at, cfg)
    assert is_working_day(reminder.date())
    assert draw < reminder < deadline
    assert reminder.time() == nominal.time()
    assert reminder.date() <= nominal.date()
    skipped_over = _days(reminder.date() + timedelta(days=1), nominal.date())
    assert not any(is_working_day(d) for d in skipped_over)


def _check_weeks(cfg: ScheduleConfig, plans: list[SessionPlan], previous: SessionPlan) -> int:
    """Every invariant of the module notes over consecutive weeks; the number of held sessions."""
    held: list[SessionPlan] = []
    for plan in plans:
        _check_session_day(cfg, plan)
        if plan.session_date is not None:
            _check_publish(cfg, plan, previous)
            _check_reminder(cfg, plan)
            if held:  # two held sessions never crowd one week
                last = held[-1].session_date
                assert last is not None
                assert week_key(last) < week_key(plan.session_date)
                assert (plan.session_date - last).days >= 3
                assert _local(plan.publish_at, cfg).date() > last
            held.append(plan)
        previous = plan
    return len(held)


@pytest.mark.parametrize(
    ("weekday", "policy", "lead"), TABLE, ids=[f"weekday{w}-{p}-lead{n}" for w, p, n in TABLE]
)
def test_every_week_of_2026_to_2030(weekday: int, policy: HolidayPolicy, lead: int) -> None:
    configs = _configs(weekday, policy, lead)
    # Every row tries a window of most of a day or more, which the settings accept.
    assert (60, 15) in [(c.answer_minutes, c.reminder_minutes) for c in configs]
    assert max(c.answer_minutes for c in configs) >= 1380
    for cfg in configs:
        plans = _weeks(cfg, FIRST_MONDAY, LAST_MONDAY)
        assert len(plans) == 262 and plans[0].week == "2026-W01" and plans[-1].week == "2031-W01"
        held = _check_weeks(cfg, plans, plan_week(cfg, FIRST_MONDAY - timedelta(days=7)))
        assert held >= 262 - 5 * 5  # holidays take a few weeks a year, not more


@pytest.mark.parametrize(
    "holiday", WEEKDAY_HOLIDAYS, ids=[f"{d}-{holiday_name(d)}" for d in WEEKDAY_HOLIDAYS]
)
def test_nothing_happens_on_a_holiday(holiday: date) -> None:
    # The weeks around each holiday, for every session weekday, policy and publish lead day.
    first = holiday - timedelta(days=holiday.weekday() + 7)
    for cfg in CONFIGS:
        plans = _weeks(cfg, first, first + timedelta(weeks=3))
        for plan in plans:
            for at in (plan.publish_at, plan.draw_at, plan.reminder_at):
                assert at is None or at.astimezone(cfg.zone).date() != holiday, (cfg, plan)
        _check_weeks(cfg, plans[1:], plans[0])


# -- Tết 2027 ------------------------------------------------------------------------------------
# Thursday 4/2/2027 (29 Tết) to Wednesday 10/2/2027 (mùng năm) are days off.

MONDAY = ScheduleConfig()
FRIDAY = ScheduleConfig(weekday=4)


def test_tet_2027_a_friday_program_skips_the_week_of_giao_thua() -> None:
    # Friday 5/2 is giao thừa; the next working day is Thursday 11/2, one day before the next
    # week's session on Friday 12/2: the week of 5/2 is skipped, not crowded into the next.
    tet = plan_week(FRIDAY, date(2027, 2, 5))
    assert tet.week == "2027-W05" and tet.skipped and tet.crowded
    assert tet.holiday == "Giao thừa Tết Nguyên Đán"
    after = plan_week(FRIDAY, date(2027, 2, 12))
    assert after.session_date == date(2027, 2, 12)
    # The nominal publish day, Tuesday 9/2, is in Tết; the last working day before it, Wednesday
    # 3/2, is before the previous (skipped) Friday: the question goes out on Thursday 11/2.
    assert after.publish_at == hcm(2027, 2, 11, 8)
    assert after.draw_at == hcm(2027, 2, 12, 9)


def test_tet_2027_a_friday_program_holds_no_sessions_on_consecutive_days() -> None:
    sessions = [
        p.session_date
        for p in _weeks(FRIDAY, date(2027, 1, 25), date(2027, 2, 22))
        if p.session_date
    ]
    assert sessions == [date(2027, 1, 29), date(2027, 2, 12), date(2027, 2, 19), date(2027, 2, 26)]


@pytest.mark.parametrize("policy", ["move", "skip"])
def test_tet_2027_no_question_goes_out_during_tet(policy: HolidayPolicy) -> None:
    for cfg in (replace(MONDAY, holiday_policy=policy), replace(FRIDAY, holiday_policy=policy)):
        for plan in _weeks(cfg, date(2027, 1, 25), date(2027, 2, 15)):
            if plan.publish_at is not None:
                published = plan.publish_at.date()
                assert not date(2027, 2, 4) <= published <= date(2027, 2, 10), (cfg, plan)


def test_tet_2027_a_monday_program_publishes_before_tet() -> None:
    # Monday 8/2 is mùng ba: the session moves to Thursday 11/2, in the same week. The nominal
    # publish day is mùng ba itself; the last working day before it is Wednesday 3/2.
    plan = plan_week(MONDAY, date(2027, 2, 8))
    assert plan.session_date == date(2027, 2, 11) and plan.holiday == "Mùng ba Tết Nguyên Đán"
    assert plan.publish_at == hcm(2027, 2, 3, 8)
    assert plan.draw_at == hcm(2027, 2, 11, 9)
    # The week after: published on Friday 12/2 as usual, the day after the moved session.
    assert plan_week(MONDAY, date(2027, 2, 15)).publish_at == hcm(2027, 2, 12, 8)


def test_tet_2027_friday_with_policy_skip() -> None:
    cfg = replace(FRIDAY, holiday_policy="skip")
    tet = plan_week(cfg, date(2027, 2, 5))
    assert tet.skipped and not tet.crowded
    assert plan_week(cfg, date(2027, 2, 12)).publish_at == hcm(2027, 2, 11, 8)


# -- other holidays, by name ---------------------------------------------------------------------


def test_a_friday_holiday_skips_the_week_instead_of_crowding_the_next() -> None:
    # Giỗ Tổ Hùng Vương, Friday 16/4/2027: Monday 19/4 would be four days before Friday 23/4.
    plan = plan_week(FRIDAY, date(2027, 4, 16))
    assert plan.skipped and plan.crowded and plan.holiday == "Ngày Giỗ Tổ Hùng Vương"
    assert plan_week(FRIDAY, date(2027, 4, 23)).session_date == date(2027, 4, 23)


def test_a_weekend_publish_day_becomes_the_friday_before() -> None:
    # Monday program publishing one day ahead: Sunday is not a working day.
    cfg = replace(MONDAY, publish_lead_days=1)
    assert plan_week(cfg, date(2026, 11, 30)).publish_at == hcm(2026, 11, 27, 8)


def test_a_publish_day_on_a_holiday_moves_to_the_working_day_before() -> None:
    # National Day 2026: Monday 31/8 is a substitute day off, 1/9 and 2/9 are holidays; the
    # session moves to Thursday 3/9, its question goes out on Friday 28/8, not on 31/8.
    plan = plan_week(MONDAY, date(2026, 8, 31))
    assert plan.session_date == date(2026, 9, 3)
    assert plan.publish_at == hcm(2026, 8, 28, 8)


def test_the_question_never_goes_out_before_the_previous_session_day() -> None:
    # Monday program, six days ahead: the nominal publish day of the week of 4/5/2026 is
    # Tuesday 28/4, the day the previous week's session was moved to (27/4 is Giỗ Tổ's
    # substitute day off): the question goes out the day after, Wednesday 29/4.
    cfg = replace(MONDAY, publish_lead_days=6, answer_minutes=60)
    assert plan_week(cfg, date(2026, 4, 27)).session_date == date(2026, 4, 28)
    assert plan_week(cfg, date(2026, 5, 4)).publish_at == hcm(2026, 4, 29, 8)


def test_publishing_later_than_the_draw_time_falls_back_to_the_draw() -> None:
    # Published at 14:00 the day before, drawn at 09:00: after Tết 2026 (16–20/2, the week is
    # skipped) the nominal publish day, Sunday 22/2, and every day back to the day after the
    # skipped Monday are days off; the first working day after is the session day itself,
    # whose 14:00 is after the draw: the question goes out at the draw.
    cfg = replace(MONDAY, publish_lead_days=1, publish_time=time(14, 0))
    plan = plan_week(cfg, date(2026, 2, 23))
    assert plan.publish_at == plan.draw_at == hcm(2026, 2, 23, 9)


# -- the settings as a whole --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        # Monday, one day ahead: Sunday's question goes out on Friday 08:00, so the answer
        # window of the Monday draw at 09:00 may last 4 days less an hour, not 6.
        ({"publish_lead_days": 1, "answer_minutes": 5700}, []),
        ({"publish_lead_days": 1, "answer_minutes": 5701}, ["answer_overlaps_next_week"]),
        ({"publish_lead_days": 2, "answer_minutes": 5701}, ["answer_overlaps_next_week"]),
        # Friday, six days ahead: Saturday is not a working day and Friday is the previous
        # session's day, so the question goes out on Monday 08:00: 3 days less an hour.
        ({"weekday": 4, "publish_lead_days": 6, "answer_minutes": 4260}, []),
        (
            {"weekday": 4, "publish_lead_days": 6, "answer_minutes": 4261},
            ["answer_overlaps_next_week"],
        ),
        # Thursday, five days ahead: Saturday becomes Friday, the day after the previous session.
        ({"weekday": 3, "publish_lead_days": 5, "answer_minutes": 1380}, []),
        (
            {"weekday": 3, "publish_lead_days": 5, "answer_minutes": 1381},
            ["answer_overlaps_next_week"],
        ),
    ],
)
def test_the_settings_check_measures_the_publish_day_as_it_falls(
    changes: dict[str, object], codes: list[str]
) -> None:
    values = replace(ScheduleValues(), **changes)  # type: ignore[arg-type]
    assert [p.code for p in schedule_problems(values)] == codes
    if not codes:  # and such a window indeed closes before the next question in ordinary weeks
        cfg = ScheduleConfig(
            weekday=values.weekday,
            publish_lead_days=values.publish_lead_days,
            answer_minutes=values.answer_minutes,
            reminder_minutes=0,
        )
        week, following = plan_week(cfg, date(2026, 11, 30)), plan_week(cfg, date(2026, 12, 7))
        assert week.deadline_at is not None and following.publish_at is not None
        assert week.deadline_at == following.publish_at


# -- reminders -----------------------------------------------------------------------------------


def test_a_reminder_on_a_weekend_moves_to_friday_at_the_same_time() -> None:
    # Drawn Friday 27/11/2026 09:00, three days to answer (Monday 09:00), reminded 23 hours
    # before: Sunday 10:00 becomes Friday 10:00, still after the draw.
    window = answer_window(hcm(2026, 11, 27, 9), 4320, 23 * 60)
    assert window.deadline_at == hcm(2026, 11, 30, 9)
    assert window.reminder_at == hcm(2026, 11, 27, 10)


def test_a_reminder_that_cannot_move_after_the_draw_is_dropped() -> None:
    # Reminded a day before the deadline: Sunday 09:00 would be Friday 09:00, the draw itself.
    assert answer_window(hcm(2026, 11, 27, 9), 4320, 24 * 60).reminder_at is None
    # Drawn Wednesday 3/2/2027, a day to answer: Thursday 07:00 is 29 Tết, Wednesday 07:00 is
    # before the draw.
    assert answer_window(hcm(2027, 2, 3, 9), 1440, 120).reminder_at is None


def test_a_reminder_over_tet_moves_before_it() -> None:
    # Drawn Wednesday 3/2/2027 09:00, two days to answer: 23 hours before the deadline is
    # Thursday 4/2 10:00 (29 Tết): the reminder is on Wednesday 3/2 at 10:00.
    assert answer_window(hcm(2027, 2, 3, 9), 2880, 23 * 60).reminder_at == hcm(2027, 2, 3, 10)


def test_a_manual_draw_judges_working_days_in_the_program_time_zone() -> None:
    # A draw by hand gets the clock's time (UTC): Thursday 28/1/2027 02:00 UTC is 09:00 in
    # Hanoi; the deadline is Saturday 30/1 09:00 there, the reminder eight hours before,
    # Saturday 01:00 in Hanoi but still Friday 18:00 in UTC. Saturday is not a working day in
    # Hanoi: the reminder moves to Friday 29/1 01:00 Hanoi time.
    drawn = datetime(2027, 1, 28, 2, 0, tzinfo=UTC)
    window = answer_window(drawn, 2880, 480, HCM)
    assert window.reminder_at == hcm(2027, 1, 29, 1)
    assert window.reminder_at is not None and window.reminder_at.tzinfo is UTC
    assert answer_window(drawn, 2880, 480).reminder_at == datetime(2027, 1, 29, 18, tzinfo=UTC)
