"""Tests of the weekly plan (holidays, time zones, ISO weeks) and of the due steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    AnswerWindow,
    Due,
    ScheduleConfig,
    ScheduleValues,
    SessionPlan,
    SessionView,
    Step,
    after_window,
    answer_is_late,
    answer_window,
    holiday_name,
    is_working_day,
    needs_new_window,
    next_due,
    next_wakeup,
    plan_week,
    schedule_problems,
    stored_schedule,
    upcoming_plan,
    week_key,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BKK = ZoneInfo("Asia/Bangkok")
DEFAULT = ScheduleConfig()


def hcm(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=HCM)


def bkk(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BKK)


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 2, 16), "Tết Nguyên Đán"),
        (date(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 27), "Giỗ Tổ Hùng Vương"),  # observed (nghỉ bù) on Monday
        (date(2026, 8, 31), "Ngày nghỉ"),  # substitute day off
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2026, 11, 30), None),
        (date(2026, 4, 28), None),
    ],
)
def test_holiday_name(day: date, fragment: str | None) -> None:
    name = holiday_name(day)
    if fragment is None:
        assert name is None
    else:
        assert name is not None and fragment in name


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 30), True),  # Monday
        (date(2026, 12, 4), True),  # Friday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 4, 27), False),  # observed Giỗ Tổ
        (date(2026, 2, 20), False),  # Tết
        (date(2026, 2, 23), True),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_2026_has_53_iso_weeks() -> None:
    assert date(2026, 12, 31).isocalendar() == (2026, 53, 4)
    assert date(2026, 12, 28).isocalendar().week == 53
    assert date(2027, 1, 3).isocalendar() == (2026, 53, 7)
    assert date(2027, 1, 4).isocalendar() == (2027, 1, 1)


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 11, 30), "2026-W49"),
        (date(2026, 12, 6), "2026-W49"),
        (date(2026, 1, 5), "2026-W02"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2026, 12, 31), "2026-W53"),
        (date(2027, 1, 1), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2025, 12, 29), "2026-W01"),
    ],
)
def test_week_key(day: date, key: str) -> None:
    assert week_key(day) == key


# --------------------------------------------------------------------------- plan_week


PLAN_CASES = [
    pytest.param(
        DEFAULT,
        date(2026, 12, 3),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 27, 8),
            draw_at=hcm(2026, 11, 30, 9),
            reminder_at=hcm(2026, 11, 30, 9, 45),
            deadline_at=hcm(2026, 11, 30, 10),
        ),
        id="ordinary-week",
    ),
    pytest.param(
        replace(DEFAULT, publish_lead_days=0),
        date(2026, 11, 30),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 30, 8),
            draw_at=hcm(2026, 11, 30, 9),
            reminder_at=hcm(2026, 11, 30, 9, 45),
            deadline_at=hcm(2026, 11, 30, 10),
        ),
        id="publish-same-day",
    ),
    pytest.param(
        DEFAULT,
        date(2026, 4, 30),
        SessionPlan(
            week="2026-W18",
            nominal_date=date(2026, 4, 27),
            session_date=date(2026, 4, 28),
            holiday="Ngày Giỗ Tổ Hùng Vương (nghỉ bù)",
            # Three days before Tuesday 28/4 is Saturday 25/4, not a working day: the question
            # goes out on the working day before, Friday 24/4 (it went out on Saturday before).
            publish_at=hcm(2026, 4, 24, 8),
            draw_at=hcm(2026, 4, 28, 9),
            reminder_at=hcm(2026, 4, 28, 9, 45),
            deadline_at=hcm(2026, 4, 28, 10),
        ),
        id="gio-to-2026-moved-to-tuesday",
    ),
    pytest.param(
        DEFAULT,
        date(2026, 2, 16),
        SessionPlan(
            week="2026-W08",
            nominal_date=date(2026, 2, 16),
            session_date=None,
            holiday="Giao thừa Tết Nguyên Đán",
            publish_at=None,
            draw_at=None,
            reminder_at=None,
            deadline_at=None,
            crowded=True,  # policy «move», but the whole week is off
        ),
        id="tet-2026-skipped",
    ),
    pytest.param(
        DEFAULT,
        date(2026, 9, 4),
        SessionPlan(
            week="2026-W36",
            nominal_date=date(2026, 8, 31),
            session_date=date(2026, 9, 3),
            holiday="Ngày nghỉ (thay cho ngày 22/08/2026)",
            # Three days before Thursday 3/9 is Monday 31/8, a day off: the question goes out
            # on the working day before, Friday 28/8 (it went out on the day off before).
            publish_at=hcm(2026, 8, 28, 8),
            draw_at=hcm(2026, 9, 3, 9),
            reminder_at=hcm(2026, 9, 3, 9, 45),
            deadline_at=hcm(2026, 9, 3, 10),
        ),
        id="national-day-2026-moved-to-thursday",
    ),
    pytest.param(
        DEFAULT,
        date(2027, 2, 10),
        SessionPlan(
            week="2027-W06",
            nominal_date=date(2027, 2, 8),
            session_date=date(2027, 2, 11),
            holiday="Mùng ba Tết Nguyên Đán",
            # Three days before Thursday 11/2 is mùng ba Tết: the question goes out on the last
            # working day before it, Wednesday 3/2 (it went out during Tết before).
            publish_at=hcm(2027, 2, 3, 8),
            draw_at=hcm(2027, 2, 11, 9),
            reminder_at=hcm(2027, 2, 11, 9, 45),
            deadline_at=hcm(2027, 2, 11, 10),
        ),
        id="tet-2027-moved-within-the-week",
    ),
    pytest.param(
        replace(DEFAULT, holiday_policy="skip"),
        date(2026, 4, 27),
        SessionPlan(
            week="2026-W18",
            nominal_date=date(2026, 4, 27),
            session_date=None,
            holiday="Ngày Giỗ Tổ Hùng Vương (nghỉ bù)",
            publish_at=None,
            draw_at=None,
            reminder_at=None,
            deadline_at=None,
        ),
        id="policy-skip",
    ),
    pytest.param(
        replace(DEFAULT, holiday_policy="skip"),
        date(2026, 11, 30),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 27, 8),
            draw_at=hcm(2026, 11, 30, 9),
            reminder_at=hcm(2026, 11, 30, 9, 45),
            deadline_at=hcm(2026, 11, 30, 10),
        ),
        id="policy-skip-ordinary-week",
    ),
    pytest.param(
        ScheduleConfig(tz="Asia/Bangkok", weekday=2, publish_lead_days=1),
        date(2026, 12, 6),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 12, 2),
            session_date=date(2026, 12, 2),
            holiday=None,
            publish_at=bkk(2026, 12, 1, 8),
            draw_at=bkk(2026, 12, 2, 9),
            reminder_at=bkk(2026, 12, 2, 9, 45),
            deadline_at=bkk(2026, 12, 2, 10),
        ),
        id="wednesday-bangkok",
    ),
    pytest.param(
        ScheduleConfig(tz="Asia/Bangkok", weekday=2),
        date(2026, 8, 31),
        SessionPlan(
            week="2026-W36",
            nominal_date=date(2026, 9, 2),
            session_date=date(2026, 9, 3),
            holiday="Quốc khánh",
            # Three days before Thursday 3/9 is Monday 31/8, a day off: Friday 28/8 instead.
            publish_at=bkk(2026, 8, 28, 8),
            draw_at=bkk(2026, 9, 3, 9),
            reminder_at=bkk(2026, 9, 3, 9, 45),
            deadline_at=bkk(2026, 9, 3, 10),
        ),
        id="wednesday-bangkok-national-day",
    ),
    # A Friday session is no longer moved into the next ISO week: Monday 19/4 would be four days
    # before the next session (Friday 23/4), two questions in one week. The week is skipped.
    pytest.param(
        ScheduleConfig(weekday=4),
        date(2027, 4, 12),
        SessionPlan(
            week="2027-W15",
            nominal_date=date(2027, 4, 16),
            session_date=None,
            holiday="Ngày Giỗ Tổ Hùng Vương",
            publish_at=None,
            draw_at=None,
            reminder_at=None,
            deadline_at=None,
            crowded=True,
        ),
        id="friday-not-moved-into-next-iso-week",
    ),
    # Likewise New Year's Day 2027, a Friday: no session on Monday 4/1, four days before 8/1.
    pytest.param(
        ScheduleConfig(weekday=4),
        date(2027, 1, 1),
        SessionPlan(
            week="2026-W53",
            nominal_date=date(2027, 1, 1),
            session_date=None,
            holiday="Tết Dương lịch",
            publish_at=None,
            draw_at=None,
            reminder_at=None,
            deadline_at=None,
            crowded=True,
        ),
        id="friday-new-year-2027-week-53",
    ),
    pytest.param(
        DEFAULT,
        date(2027, 1, 3),
        SessionPlan(
            week="2026-W53",
            nominal_date=date(2026, 12, 28),
            session_date=date(2026, 12, 28),
            holiday=None,
            publish_at=hcm(2026, 12, 25, 8),
            draw_at=hcm(2026, 12, 28, 9),
            reminder_at=hcm(2026, 12, 28, 9, 45),
            deadline_at=hcm(2026, 12, 28, 10),
        ),
        id="sunday-of-week-53",
    ),
    pytest.param(
        replace(DEFAULT, reminder_minutes=0),
        date(2026, 11, 30),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 27, 8),
            draw_at=hcm(2026, 11, 30, 9),
            reminder_at=None,
            deadline_at=hcm(2026, 11, 30, 10),
        ),
        id="reminder-disabled",
    ),
    pytest.param(
        replace(DEFAULT, reminder_minutes=60),
        date(2026, 11, 30),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 27, 8),
            draw_at=hcm(2026, 11, 30, 9),
            reminder_at=None,
            deadline_at=hcm(2026, 11, 30, 10),
        ),
        id="reminder-not-before-deadline",
    ),
    pytest.param(
        replace(
            DEFAULT,
            publish_time=time(7, 30),
            draw_time=time(14, 0),
            answer_minutes=90,
            reminder_minutes=30,
        ),
        date(2026, 11, 30),
        SessionPlan(
            week="2026-W49",
            nominal_date=date(2026, 11, 30),
            session_date=date(2026, 11, 30),
            holiday=None,
            publish_at=hcm(2026, 11, 27, 7, 30),
            draw_at=hcm(2026, 11, 30, 14),
            reminder_at=hcm(2026, 11, 30, 15),
            deadline_at=hcm(2026, 11, 30, 15, 30),
        ),
        id="other-times",
    ),
]


@pytest.mark.parametrize(("cfg", "day", "expected"), PLAN_CASES)
def test_plan_week(cfg: ScheduleConfig, day: date, expected: SessionPlan) -> None:
    plan = plan_week(cfg, day)
    assert plan == expected
    zone = ZoneInfo(cfg.tz)
    for value in (plan.publish_at, plan.draw_at, plan.reminder_at, plan.deadline_at):
        if value is not None:
            assert value.tzinfo == zone
            assert value.utcoffset() == timedelta(hours=7)


def test_plan_same_for_every_day_of_the_week() -> None:
    monday = date(2026, 4, 27)
    plans = {plan_week(DEFAULT, monday + timedelta(days=i)) for i in range(7)}
    assert len(plans) == 1


def test_deadline_is_elapsed_time_across_dst() -> None:
    # Europe/Berlin switches to summer time on Sunday 29/3/2026 at 02:00.
    cfg = ScheduleConfig(
        tz="Europe/Berlin",
        weekday=4,
        draw_time=time(23, 0),
        answer_minutes=27 * 60,
        reminder_minutes=60,
    )
    plan = plan_week(cfg, date(2026, 3, 27))
    berlin = ZoneInfo("Europe/Berlin")
    assert plan.draw_at == datetime(2026, 3, 27, 23, tzinfo=berlin)
    assert plan.deadline_at is not None
    assert plan.deadline_at.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 0)
    assert plan.deadline_at.utcoffset() == timedelta(hours=2)
    assert plan.deadline_at.astimezone(UTC) - plan.draw_at.astimezone(UTC) == timedelta(hours=27)
    # The reminder an hour before the deadline would be on Sunday 29/3 at 01:00; reminders are
    # never sent on a day off, and Friday 27/3 01:00 is before the draw: there is none.
    assert plan.reminder_at is None
    # With a deadline on Monday the reminder stays where elapsed time puts it, across the change.
    monday = plan_week(replace(cfg, answer_minutes=51 * 60), date(2026, 3, 27))
    assert monday.deadline_at is not None and monday.reminder_at is not None
    assert monday.deadline_at.replace(tzinfo=None) == datetime(2026, 3, 30, 3, 0)
    assert monday.reminder_at.replace(tzinfo=None) == datetime(2026, 3, 30, 2, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Mars/Olympus"},
        {"weekday": 5},
        {"weekday": -1},
        {"publish_lead_days": -1},
        {"publish_lead_days": 0, "publish_time": time(10, 0), "draw_time": time(9, 0)},
        {"answer_minutes": 0},
        {"reminder_minutes": -5},
        {"holiday_policy": "postpone"},
        {"draw_time": time(9, 0, tzinfo=UTC)},
    ],
)
def test_invalid_config(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ScheduleConfig(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- upcoming_plan

FRIDAY = ScheduleConfig(weekday=4)


@pytest.mark.parametrize(
    ("cfg", "now", "week", "session"),
    [
        # ordinary week, around the deadline 10:00 of Monday 30/11/2026
        (DEFAULT, hcm(2026, 11, 26, 12), "2026-W49", date(2026, 11, 30)),
        (DEFAULT, hcm(2026, 11, 30, 9, 59, 59), "2026-W49", date(2026, 11, 30)),
        (DEFAULT, hcm(2026, 11, 30, 10), "2026-W50", date(2026, 12, 7)),
        (DEFAULT, hcm(2026, 11, 30, 10, 0, 1), "2026-W50", date(2026, 12, 7)),
        # now given in UTC: Sunday 29/11 20:00 UTC is Monday 30/11 03:00 in Hanoi
        (DEFAULT, datetime(2026, 11, 29, 20, tzinfo=UTC), "2026-W49", date(2026, 11, 30)),
        (DEFAULT, datetime(2026, 11, 30, 3, tzinfo=UTC), "2026-W50", date(2026, 12, 7)),
        # Tết 2026: the skipped week is returned until its nominal day is over
        (DEFAULT, hcm(2026, 2, 9, 11), "2026-W08", None),
        (DEFAULT, hcm(2026, 2, 16, 0), "2026-W08", None),
        (DEFAULT, hcm(2026, 2, 16, 23, 59), "2026-W08", None),
        (DEFAULT, hcm(2026, 2, 17, 0, 30), "2026-W09", date(2026, 2, 23)),
        (DEFAULT, datetime(2026, 2, 16, 17, 30, tzinfo=UTC), "2026-W09", date(2026, 2, 23)),
        # moved session: Monday 27/4/2026 is a holiday, the session is on Tuesday
        (DEFAULT, hcm(2026, 4, 27, 12), "2026-W18", date(2026, 4, 28)),
        (DEFAULT, hcm(2026, 4, 28, 9, 59), "2026-W18", date(2026, 4, 28)),
        (DEFAULT, hcm(2026, 4, 28, 10), "2026-W19", date(2026, 5, 4)),
        # year end: 2026 has an ISO week 53
        (DEFAULT, hcm(2026, 12, 21, 10), "2026-W53", date(2026, 12, 28)),
        (DEFAULT, hcm(2026, 12, 28, 9, 59), "2026-W53", date(2026, 12, 28)),
        (DEFAULT, hcm(2026, 12, 28, 10), "2027-W01", date(2027, 1, 4)),
        (DEFAULT, hcm(2027, 1, 1, 12), "2027-W01", date(2027, 1, 4)),
        (DEFAULT, hcm(2027, 1, 3, 23, 59), "2027-W01", date(2027, 1, 4)),
        (DEFAULT, hcm(2027, 1, 4, 10), "2027-W02", date(2027, 1, 11)),
        # a Friday holiday skips the week (moving it into the next ISO week would put two
        # sessions in one week): the skipped week until its day is over, then the next week
        (FRIDAY, hcm(2027, 4, 16, 12), "2027-W15", None),
        (FRIDAY, hcm(2027, 4, 19, 8), "2027-W16", date(2027, 4, 23)),
        (FRIDAY, hcm(2027, 4, 19, 10), "2027-W16", date(2027, 4, 23)),
        (FRIDAY, hcm(2027, 1, 4, 9, 30), "2027-W01", date(2027, 1, 8)),
        (FRIDAY, hcm(2027, 1, 4, 10), "2027-W01", date(2027, 1, 8)),
        # policy skip: the skipped week is reported on its day, then the next week
        (
            replace(DEFAULT, holiday_policy="skip"),
            hcm(2026, 4, 27, 18),
            "2026-W18",
            None,
        ),
        (
            replace(DEFAULT, holiday_policy="skip"),
            hcm(2026, 4, 28, 0),
            "2026-W19",
            date(2026, 5, 4),
        ),
    ],
)
def test_upcoming_plan(cfg: ScheduleConfig, now: datetime, week: str, session: date | None) -> None:
    plan = upcoming_plan(cfg, now)
    assert (plan.week, plan.session_date) == (week, session)
    if plan.deadline_at is not None:
        assert plan.deadline_at > now


def test_upcoming_plan_in_other_time_zone() -> None:
    cfg = ScheduleConfig(tz="Asia/Bangkok", weekday=2)
    plan = upcoming_plan(cfg, bkk(2026, 12, 2, 9, 59))
    assert plan.week == "2026-W49" and plan.draw_at == bkk(2026, 12, 2, 9)
    assert upcoming_plan(cfg, bkk(2026, 12, 2, 10)).week == "2026-W50"


def test_upcoming_plan_walks_a_whole_year() -> None:
    # Every hour-ish step lands on a plan that is not over, and weeks never go backwards.
    now = hcm(2026, 1, 1, 0, 7)
    previous = ""
    seen: set[str] = set()
    while now < hcm(2027, 1, 12):
        plan = upcoming_plan(DEFAULT, now)
        assert plan.week >= previous
        previous = plan.week
        seen.add(plan.week)
        if plan.session_date is None:
            assert plan.nominal_date >= now.date()
        else:
            assert plan.deadline_at is not None and plan.deadline_at > now
        now += timedelta(minutes=173)
    assert "2026-W53" in seen and "2026-W08" in seen and "2027-W02" in seen
    assert len(seen) == 53 + 2


def test_upcoming_plan_naive_now_rejected() -> None:
    with pytest.raises(ValueError):
        upcoming_plan(DEFAULT, datetime(2026, 11, 30, 9))


# --------------------------------------------------------------------------- next_due

PUB = hcm(2026, 11, 27, 8)
DRAW = hcm(2026, 11, 30, 9)
REMIND = hcm(2026, 11, 30, 9, 45)
DEADLINE = hcm(2026, 11, 30, 10)
GRACE = timedelta(minutes=10)
SEC = timedelta(seconds=1)


def view(state: str, **kwargs: object) -> SessionView:
    base = SessionView(
        state=state,
        publish_at=PUB,
        draw_at=DRAW,
        reminder_at=REMIND,
        deadline_at=DEADLINE,
    )
    return replace(base, **kwargs)  # type: ignore[arg-type]


NEXT_DUE_CASES = [
    # scheduled
    ("scheduled", {}, PUB - SEC, None),
    ("scheduled", {}, PUB, Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {}, PUB + timedelta(days=2), Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {}, DRAW, Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {}, DRAW + GRACE, Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {}, DRAW + GRACE + SEC, Due(Step.PUBLISH, PUB, True)),
    ("scheduled", {}, DEADLINE + timedelta(days=1), Due(Step.PUBLISH, PUB, True)),
    ("scheduled", {"missed_reported": True}, DRAW + GRACE + SEC, None),
    ("scheduled", {"missed_reported": True}, DRAW + GRACE, Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {"publish_at": None}, DRAW, None),
    ("scheduled", {"draw_at": None}, DEADLINE, Due(Step.PUBLISH, PUB, False)),
    ("scheduled", {"auto_draw": False}, DRAW + GRACE + SEC, Due(Step.PUBLISH, PUB, True)),
    # published
    ("published", {}, PUB, None),
    ("published", {}, DRAW - SEC, None),
    ("published", {}, DRAW, Due(Step.DRAW, DRAW, False)),
    ("published", {}, DRAW + GRACE, Due(Step.DRAW, DRAW, False)),
    ("published", {}, DRAW + GRACE + SEC, Due(Step.DRAW, DRAW, True)),
    ("published", {"missed_reported": True}, DRAW + GRACE + SEC, None),
    ("published", {"missed_reported": True}, DRAW, Due(Step.DRAW, DRAW, False)),
    ("published", {"auto_draw": False}, DRAW, None),
    ("published", {"auto_draw": False}, DRAW + GRACE + SEC, None),
    ("published", {"draw_at": None}, DRAW, None),
    # drawn
    ("drawn", {}, DRAW, None),
    ("drawn", {}, REMIND - SEC, None),
    ("drawn", {}, REMIND, Due(Step.REMIND, REMIND, False)),
    ("drawn", {}, REMIND + GRACE, Due(Step.REMIND, REMIND, False)),
    ("drawn", {}, REMIND + GRACE + SEC, Due(Step.REMIND, REMIND, True)),
    ("drawn", {"missed_reported": True}, REMIND + GRACE + SEC, None),
    ("drawn", {"reminded": True}, REMIND, None),
    ("drawn", {"reminder_at": None}, REMIND + GRACE, None),
    ("drawn", {"reminded": True}, DEADLINE - SEC, None),
    ("drawn", {}, DEADLINE, Due(Step.CLOSE, DEADLINE, False)),
    ("drawn", {"reminded": True}, DEADLINE, Due(Step.CLOSE, DEADLINE, False)),
    ("drawn", {}, DEADLINE + timedelta(days=3), Due(Step.CLOSE, DEADLINE, False)),
    (
        "drawn",
        {"missed_reported": True},
        DEADLINE + timedelta(days=3),
        Due(Step.CLOSE, DEADLINE, False),
    ),
    ("drawn", {"auto_draw": False}, DEADLINE, Due(Step.CLOSE, DEADLINE, False)),
    # states with nothing left to do by itself
    *[
        (state, {}, at, None)
        for state in ("answered", "graded", "concluded", "unanswered", "skipped")
        for at in (PUB, DRAW, REMIND, DEADLINE, DEADLINE + timedelta(days=1))
    ],
]


@pytest.mark.parametrize(("state", "changes", "now", "expected"), NEXT_DUE_CASES)
def test_next_due(
    state: str, changes: dict[str, object], now: datetime, expected: Due | None
) -> None:
    assert next_due(now, view(state, **changes), GRACE) == expected


def test_next_due_zero_grace() -> None:
    micro = timedelta(microseconds=1)
    s = view("published")
    assert next_due(DRAW, s, timedelta(0)) == Due(Step.DRAW, DRAW, False)
    assert next_due(DRAW + micro, s, timedelta(0)) == Due(Step.DRAW, DRAW, True)


def test_next_due_now_in_another_zone() -> None:
    s = view("published")
    assert next_due(datetime(2026, 11, 30, 2, tzinfo=UTC), s, GRACE) == Due(Step.DRAW, DRAW, False)
    assert next_due(datetime(2026, 11, 30, 1, 59, tzinfo=UTC), s, GRACE) is None


def test_next_due_rejects_naive_now_and_negative_grace() -> None:
    with pytest.raises(ValueError):
        next_due(datetime(2026, 11, 30, 9), view("published"), GRACE)
    with pytest.raises(ValueError):
        next_due(DRAW, view("published"), -SEC)


def test_session_view_validation() -> None:
    with pytest.raises(ValueError):
        view("drawing")
    with pytest.raises(ValueError):
        view("drawn", deadline_at=datetime(2026, 11, 30, 10))


def test_a_normal_session_step_by_step() -> None:
    """Drive the states as the caller would, polling every minute."""
    plan = plan_week(DEFAULT, date(2026, 11, 30))
    assert plan.publish_at and plan.draw_at and plan.reminder_at and plan.deadline_at
    s = SessionView("scheduled", plan.publish_at, plan.draw_at, plan.reminder_at, plan.deadline_at)
    after = {Step.PUBLISH: "published", Step.DRAW: "drawn", Step.CLOSE: "unanswered"}
    log: list[tuple[Step, datetime]] = []
    now = hcm(2026, 11, 26, 0)
    while now < hcm(2026, 12, 1):
        due = next_due(now, s, GRACE)
        if due is not None:
            assert not due.late
            log.append((due.step, now))
            if due.step is Step.REMIND:
                s = replace(s, reminded=True)
            else:
                s = replace(s, state=after[due.step])
            continue
        now += timedelta(minutes=1)
    assert log == [
        (Step.PUBLISH, plan.publish_at),
        (Step.DRAW, plan.draw_at),
        (Step.REMIND, plan.reminder_at),
        (Step.CLOSE, plan.deadline_at),
    ]


# --------------------------------------------------------------------------- next_wakeup


@pytest.mark.parametrize(
    ("state", "changes", "now", "expected"),
    [
        ("scheduled", {}, PUB - timedelta(days=1), PUB),
        ("scheduled", {}, PUB - SEC, PUB),
        ("scheduled", {}, PUB, None),
        ("scheduled", {}, DRAW + timedelta(hours=1), None),
        ("scheduled", {"publish_at": None}, PUB - SEC, None),
        ("published", {}, PUB, DRAW),
        ("published", {}, DRAW - SEC, DRAW),
        ("published", {}, DRAW, None),
        ("published", {"auto_draw": False}, PUB, None),
        ("drawn", {}, DRAW, REMIND),
        ("drawn", {}, REMIND, DEADLINE),
        ("drawn", {}, REMIND + GRACE + SEC, DEADLINE),
        ("drawn", {"reminded": True}, DRAW, DEADLINE),
        ("drawn", {"reminder_at": None}, DRAW, DEADLINE),
        ("drawn", {"reminder_at": DEADLINE + SEC}, DRAW, DEADLINE),
        ("drawn", {}, DEADLINE - SEC, DEADLINE),
        ("drawn", {}, DEADLINE, None),
        *[
            (state, {}, at, None)
            for state in ("answered", "graded", "concluded", "unanswered", "skipped")
            for at in (PUB - SEC, DRAW - SEC)
        ],
    ],
)
def test_next_wakeup(
    state: str, changes: dict[str, object], now: datetime, expected: datetime | None
) -> None:
    assert next_wakeup(now, view(state, **changes)) == expected


def test_next_wakeup_rejects_naive_now() -> None:
    with pytest.raises(ValueError):
        next_wakeup(datetime(2026, 11, 30, 9), view("drawn"))


@given(
    state=st.sampled_from(["scheduled", "published", "drawn", "answered", "skipped"]),
    reminded=st.booleans(),
    missed_reported=st.booleans(),
    auto_draw=st.booleans(),
    with_reminder=st.booleans(),
    offset=st.integers(min_value=-5 * 24 * 60 * 60, max_value=3 * 60 * 60),
    grace_s=st.integers(min_value=0, max_value=3600),
)
def test_next_wakeup_agrees_with_next_due(
    state: str,
    reminded: bool,
    missed_reported: bool,
    auto_draw: bool,
    with_reminder: bool,
    offset: int,
    grace_s: int,
) -> None:
    s = view(
        state,
        reminded=reminded,
        missed_reported=missed_reported,
        auto_draw=auto_draw,
        reminder_at=REMIND if with_reminder else None,
    )
    grace = timedelta(seconds=grace_s)
    now = DRAW + timedelta(seconds=offset)
    wake = next_wakeup(now, s)
    if next_due(now, s, grace) is not None:
        return
    if wake is None:
        for later in (timedelta(seconds=1), timedelta(hours=1), timedelta(days=10)):
            assert next_due(now + later, s, grace) is None
    else:
        assert wake > now
        assert next_due(wake, s, grace) is not None
        assert next_due(wake - timedelta(microseconds=1), s, grace) is None
        assert next_due(now + (wake - now) / 2, s, grace) is None


# --------------------------------------------------------------------------- settings as a whole


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, []),
        ({"publish_lead_days": 0, "publish_time": time(8), "draw_time": time(9)}, []),
        (
            {"publish_lead_days": 0, "publish_time": time(8), "draw_time": time(7)},
            ["publish_after_draw"],
        ),
        ({"publish_lead_days": 1, "publish_time": time(8), "draw_time": time(7)}, []),
        ({"reminder_minutes": 60}, ["reminder_after_deadline"]),
        ({"reminder_minutes": 0, "answer_minutes": 5}, []),
        ({"answer_minutes": 10080}, ["answer_overlaps_next_week"]),
        # Draw Monday 09:00, next question Friday 08:00 (3 days ahead): 5700 minutes at most.
        ({"answer_minutes": 5700}, []),
        ({"answer_minutes": 5701}, ["answer_overlaps_next_week"]),
        ({"tz": "Sao/Hoa"}, ["tz"]),
        ({"weekday": 5}, ["weekday"]),
        ({"publish_lead_days": 7}, ["publish_lead_days"]),
        ({"answer_minutes": 4}, ["answer_minutes"]),
        ({"reminder_minutes": -1}, ["reminder_minutes"]),
        ({"holiday_policy": "ignore"}, ["holiday_policy"]),
    ],
)
def test_schedule_problems_judge_the_settings_together(
    changes: dict[str, object], codes: list[str]
) -> None:
    values = replace(ScheduleValues(), **changes)  # type: ignore[arg-type]
    assert [p.code for p in schedule_problems(values)] == codes


def test_stored_schedule_reads_whatever_sqlite_holds() -> None:
    raw: dict[str, object] = {
        "tz": "Asia/Ho_Chi_Minh",
        "weekday": "1",
        "publish_lead_days": 2,
        "publish_time": "07:30",
        "draw_time": "09:15",
        "answer_minutes": 45,
        "reminder_minutes": 10,
        "holiday_policy": "skip",
    }
    values, problems = stored_schedule(raw)
    assert problems == [] and values.weekday == 1 and values.draw_time == time(9, 15)
    values, problems = stored_schedule({**raw, "draw_time": "25:99", "answer_minutes": b"x"})
    assert [p.code for p in problems] == ["draw_time", "answer_minutes"]
    assert values.draw_time == time(9) and values.answer_minutes == 60  # usable defaults
    assert ScheduleConfig(tz=values.tz, draw_time=values.draw_time)  # plans can be made
    values, problems = stored_schedule(
        {**raw, "publish_lead_days": 0, "publish_time": "10:00", "draw_time": "09:00"}
    )
    assert [p.code for p in problems] == ["publish_after_draw"]
    assert values == ScheduleValues()  # a combination that cannot work: defaults as a whole
    assert not schedule_problems(values)


# --------------------------------------------------------------------------- answer window


def test_the_answer_window_follows_the_draw() -> None:
    assert answer_window(hcm(2026, 12, 7, 9), 60, 15) == AnswerWindow(
        deadline_at=hcm(2026, 12, 7, 10), reminder_at=hcm(2026, 12, 7, 9, 45)
    )
    drawn = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a draw by hand: the clock's time zone
    window = answer_window(drawn, 90, 0)
    assert window == AnswerWindow(datetime(2026, 12, 7, 3, 30, tzinfo=UTC), None)
    assert window.deadline_at.tzinfo is UTC


@pytest.mark.parametrize(("reminder", "expected"), [(0, None), (59, 1), (60, None), (75, None)])
def test_a_reminder_only_inside_the_window(reminder: int, expected: int | None) -> None:
    window = answer_window(hcm(2026, 12, 7, 9), 60, reminder)
    assert window.reminder_at == (None if expected is None else hcm(2026, 12, 7, 9, expected))


def test_the_answer_window_counts_elapsed_time_across_a_dst_change() -> None:
    paris = ZoneInfo("Europe/Paris")  # clocks go back an hour at 03:00 on 2026-10-25
    window = answer_window(datetime(2026, 10, 25, 2, 30, tzinfo=paris), 120, 30)
    assert window.deadline_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC) + timedelta(hours=2)
    assert window.deadline_at.tzinfo is paris
    # 25/10/2026 is a Sunday: no reminder on a day off (none on a working day after the draw).
    assert window.reminder_at is None
    # Drawn that Sunday, answered by Monday: the reminder counts elapsed time across the change.
    window = answer_window(datetime(2026, 10, 25, 2, 30, tzinfo=paris), 26 * 60, 30)
    assert window.deadline_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC) + timedelta(hours=26)
    assert window.reminder_at == window.deadline_at - timedelta(minutes=30)
    assert window.reminder_at.tzinfo is paris
    with pytest.raises(ValueError):
        answer_window(datetime(2026, 12, 7, 9), 60, 15)  # naive


def test_the_planned_week_uses_the_same_window() -> None:
    cfg = replace(DEFAULT, answer_minutes=45, reminder_minutes=10)
    plan = plan_week(cfg, date(2026, 12, 7))
    assert plan.draw_at is not None
    window = answer_window(plan.draw_at, 45, 10)
    assert (plan.deadline_at, plan.reminder_at) == (window.deadline_at, window.reminder_at)
    assert after_window(plan) == window.deadline_at + timedelta(seconds=1)
    skipped = plan_week(replace(cfg, holiday_policy="skip"), date(2026, 9, 2))
    assert skipped.skipped and after_window(skipped) is None


def test_late_answers_and_late_draws() -> None:
    deadline = hcm(2026, 12, 7, 10)
    assert not answer_is_late(deadline, deadline)
    assert answer_is_late(deadline + timedelta(seconds=1), deadline)
    assert not answer_is_late(deadline + timedelta(days=9), None)
    assert needs_new_window(deadline, deadline)  # a draw at the deadline leaves no time
    assert not needs_new_window(deadline - timedelta(seconds=1), deadline)
    assert not needs_new_window(deadline, None)
