"""The record query layer against a hand-computed fixture on a real SQLite file.

The fixture (program «Giao ban», sessions on Mondays, 09:00 draw, 60 minutes to answer):

Q3 2026
  W38 14/09  A drawn, answered in time, graded correct                      topic Điều lệ
Q4 2026
  W41 05/10  A, in time, graded partial then REGRADED correct, comment      topic Điều lệ
  W42 12/10  B drawn then REDRAWN away; C answered LATE, graded wrong       topic Kỷ luật
  W43 19/10  D answered IN PERSON, graded correct                           topic Điều lệ
  W44 26/10  A did NOT answer (unanswered, then concluded without a grade);
             A's message after the deadline was LEFT by the head (kept)   topic Kỷ luật
  W45 02/11  B, in time, not graded yet                                     topic Điều lệ
  W46 09/11  skipped by an admin («Họp Đảng ủy»)
  W47 16/11  skipped for a holiday
  W48 23/11  E drawn, no answer; the scheduler has NOT closed it yet (still «drawn»), so it
             is unanswered as the week stands now; E's late message waits for the head
                                                                            topic Tổ chức
  W49 30/11  MOVED (holiday) to Tue 01/12, C, in time, graded partial        topic Tổ chức
  W50 07/12  scheduled (not held yet)
W42's late answer is one the head ACCEPTED. D answered in person (W43), then LEFT the program.
Grassroots: Q3 one accepted and answered; Q4 one accepted and answered, one declined, one
pending. Staff A, B, C, D (inactive now), E, F; the current round (1) had A, B, C, D, E;
among the active staff F has not had a turn yet.

The expected numbers below are counted by hand from this table.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import db
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.models import Answer, Grade, Program, SessionState
from bot.periods import Period, month_period, quarter_period, year_period
from bot.records import (
    MONTH_VERDICTS,
    VERDICTS,
    SessionRecord,
    as_of,
    person_record,
    program_figures,
    standing_comment,
    verdicts_per_month,
)
from bot.render import render
from bot.services import records
from bot.store import Store
from bot.store.base import Statement
from tests.conftest import vn
from tests.test_query_plans import full_scans

NOW = vn(2026, 12, 2, 10, 0)


class Fixture:
    def __init__(self, core: Core, program: Program, people: dict[str, int]) -> None:
        self.core, self.program, self.people = core, program, people


async def _session(
    core: Core,
    program: Program,
    nominal: date,
    *,
    held: date | None = None,
    state: str,
    drawn: str | None = None,
    people: dict[str, int],
    topic: str | None = None,
    answer: str | None = None,  # in_time | late | in_person
    grades: tuple[tuple[str, str | None], ...] = (),
    redrawn_from: str | None = None,
    skip_reason: str | None = None,
    holiday: str | None = None,
) -> int:
    store = core.store
    iso = nominal.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    day = held if held is not None else (None if state == "skipped" else nominal)
    draw_at = vn(day.year, day.month, day.day, 9, 0) if day else None
    deadline = draw_at + timedelta(minutes=60) if draw_at else None
    async with store.transaction():
        sid = await store.create_session(
            program.id,
            week,
            nominal,
            day,
            holiday,
            "scheduled",
            None,
            draw_at,
            None,
            deadline,
            "seed",
            "commit",
            skip_reason,
            NOW,
        )
        assert sid is not None
        fields: dict[str, object] = {"state": state}
        if topic is not None:
            qid = await store.add_question(
                program.id, f"Câu hỏi tuần {week}", topic, None, None, "GỢI Ý BÍ MẬT", None, NOW
            )
            fields["question_id"] = qid
        if drawn is not None:
            assert draw_at is not None and deadline is not None
            attempt = 0
            if redrawn_from is not None:
                await store.add_draw(
                    sid,
                    0,
                    [people[redrawn_from]],
                    people[redrawn_from],
                    False,
                    None,
                    None,
                    draw_at,
                    "s",
                    "c",
                )
                attempt = 1
            await store.add_draw(
                sid,
                attempt,
                [people[drawn]],
                people[drawn],
                False,
                "Đi công tác" if attempt else None,
                None,
                draw_at,
                "s",
                "c",
            )
            fields |= {"drawn_person_id": people[drawn], "draw_attempt": attempt, "round_no": 1}
            if answer == "in_person":
                fields |= {"answer_kind": "in_person", "answered_at": deadline + timedelta(hours=1)}
            elif answer is not None:
                late = answer == "late"
                at = deadline + timedelta(minutes=30) if late else draw_at + timedelta(minutes=30)
                fields |= {"answer_kind": "text", "answer_text": "Trả lời", "answered_at": at}
            for verdict, comment in grades:
                gid = await store.add_grade(sid, verdict, people["H"], draw_at + timedelta(hours=2))
                if comment:
                    await store.set_grade_comment(gid, comment)
            if state == "concluded":
                fields |= {"conclusion": "Kết luận", "concluded_at": draw_at + timedelta(hours=3)}
        assert await store.update_session(sid, None, **fields)
    return sid


@pytest.fixture
async def fx(tmp_path: Path) -> AsyncIterator[Fixture]:
    path = tmp_path / "records.sqlite3"
    store = Store(await db.connect(path))
    core = Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
    people: dict[str, int] = {}
    async with store.transaction():
        pid = await store.create_program(-100, "Giao ban", "Asia/Ho_Chi_Minh", 0, NOW)
        for n, key in enumerate("ABCDEFH", 1):
            person = await store.upsert_person(1000 + n, None, f"Cán bộ {key}", False, NOW)
            people[key] = person.id
            await store.upsert_member(pid, person.id, "active", NOW)
            await store.set_roles(pid, person.id, ["head"] if key == "H" else ["staff"])
    program = await store.program(pid)
    assert program is not None
    s = _session
    await s(
        core,
        program,
        date(2026, 9, 14),
        state="concluded",
        drawn="A",
        people=people,
        topic="Điều lệ",
        answer="in_time",
        grades=(("correct", None),),
    )
    await s(
        core,
        program,
        date(2026, 10, 5),
        state="concluded",
        drawn="A",
        people=people,
        topic="Điều lệ",
        answer="in_time",
        grades=(("partial", None), ("correct", "Cần nêu rõ thời hạn.")),
    )
    w42 = await s(
        core,
        program,
        date(2026, 10, 12),
        state="concluded",
        drawn="C",
        people=people,
        topic="Kỷ luật",
        answer="late",
        grades=(("wrong", None),),
        redrawn_from="B",
    )
    await s(
        core,
        program,
        date(2026, 10, 19),
        state="concluded",
        drawn="D",
        people=people,
        topic="Điều lệ",
        answer="in_person",
        grades=(("correct", None),),
    )
    w44 = await s(
        core,
        program,
        date(2026, 10, 26),
        state="concluded",
        drawn="A",
        people=people,
        topic="Kỷ luật",
    )
    await s(
        core,
        program,
        date(2026, 11, 2),
        state="answered",
        drawn="B",
        people=people,
        topic="Điều lệ",
        answer="in_time",
    )
    await s(
        core, program, date(2026, 11, 9), state="skipped", people=people, skip_reason="Họp Đảng ủy"
    )
    await s(
        core,
        program,
        date(2026, 11, 16),
        state="skipped",
        people=people,
        skip_reason="holiday",
        holiday="Nghỉ bù",
    )
    await s(
        core,
        program,
        date(2026, 11, 30),
        held=date(2026, 12, 1),
        state="graded",
        drawn="C",
        people=people,
        topic="Tổ chức",
        answer="in_time",
        grades=(("partial", None),),
        holiday="Ngày lễ",
    )
    w48 = await s(
        core,
        program,
        date(2026, 11, 23),
        state="drawn",
        drawn="E",
        people=people,
        topic="Tổ chức",
    )
    await s(core, program, date(2026, 12, 7), state="scheduled", people=people)
    async with store.transaction():
        for sid, key, status in [(w42, "C", "accepted"), (w44, "A", "left"), (w48, "E", "waiting")]:
            late = Answer("text", "Trả lời sau hạn", 1000, 1, False)
            await store.add_late_answer(sid, people[key], late, late.text, status, NOW)
        await store.set_member_status(pid, people["D"], "inactive")
    async with store.transaction():
        for created, status, answered in [
            (vn(2026, 8, 3, 8, 0), "accepted", True),
            (vn(2026, 10, 1, 6, 0), "accepted", True),  # 23:00 UTC on 30/09: still Q4 here
            (vn(2026, 10, 20, 8, 0), "declined", False),
            (vn(2026, 11, 20, 8, 0), "pending", False),
        ]:
            sub = await store.add_submission(pid, people["E"], "Chi bộ 1", "Hỏi", created)
            if status != "pending":
                qid = await store.add_question(pid, "Hỏi", "Chung", None, None, None, None, NOW)
                await store.decide_submission(
                    sub,
                    status,
                    people["H"],
                    created,
                    question_id=qid if status == "accepted" else None,
                    reason=None if status == "accepted" else "Trùng",
                )
            if answered:
                await store.mark_submissions_answered([sub], created + timedelta(days=7))
    yield Fixture(core, program, people)
    await store.close()


async def test_program_figures_of_a_quarter_with_the_trend(fx: Fixture) -> None:
    now, before = await records.figures(fx.core, fx.program, quarter_period(2026, 4))
    assert now.held == 7
    assert now.moved == 1
    assert now.skipped == {"holiday": 1, "no_question": 0, "admin": 1}
    assert now.skip_notes == ("Họp Đảng ủy",)
    assert now.planned == 1
    assert now.redraws == 1
    # W48's window closed without an answer: unanswered now, though not closed by the scheduler.
    # W42's accepted late answer is late; W44's late message, left by the head, changes nothing.
    assert now.outcomes == {"in_time": 3, "late": 1, "in_person": 1, "unanswered": 2, "waiting": 0}
    # The verdicts of the five answers; the regraded session counts once, with its latest
    # verdict (correct, not partial). The two unanswered turns are not «chưa đánh giá».
    assert now.verdicts == {"correct": 2, "partial": 1, "wrong": 1, "ungraded": 1}
    assert now.regraded == 1
    assert now.on_time_rate == 43  # 3 in time of 7
    assert now.topics == (("Điều lệ", 3), ("Kỷ luật", 2), ("Tổ chức", 2))
    assert (now.grassroots_received, now.grassroots_answered) == (3, 1)

    assert before.period == quarter_period(2026, 3)
    assert before.held == 1
    assert before.verdicts["correct"] == 1
    assert before.on_time_rate == 100
    assert (before.grassroots_received, before.grassroots_answered) == (1, 1)
    assert records.trend_ctx(now, before) == {
        "held": 6,
        "correct": 1,
        "on_time_rate": -57,
        "grassroots": 2,
    }


async def test_a_moved_session_counts_in_the_week_it_was_held(fx: Fixture) -> None:
    november, _ = await records.figures(fx.core, fx.program, month_period(2026, 11))
    december, _ = await records.figures(fx.core, fx.program, month_period(2026, 12))
    # W49's nominal Monday is 30/11, but it was held on Tuesday 01/12.
    assert (november.held, november.moved, sum(november.skipped.values())) == (2, 0, 2)
    assert (december.held, december.moved, december.planned) == (1, 1, 1)
    assert december.verdicts["partial"] == 1


async def test_a_persons_record(fx: Fixture) -> None:
    p = fx.people
    a = await records.record(fx.core, fx.program, p["A"], quarter_period(2026, 4))
    assert a.drawn == 2
    assert a.outcomes == {"in_time": 1, "late": 0, "in_person": 0, "unanswered": 1, "waiting": 0}
    # One answer, graded correct; the unanswered turn has no verdict (not «chưa đánh giá»).
    assert a.verdicts == {"correct": 1, "partial": 0, "wrong": 0, "ungraded": 0}
    # The message A sent after W44's deadline, left by the head, is kept in the record.
    assert [t.late_kept for t in a.turns] == [0, 1]
    first = a.turns[0]
    assert (first.day, first.topic, first.verdict, first.grades) == (
        date(2026, 10, 5),
        "Điều lệ",
        "correct",
        2,
    )
    assert first.comment == "Cần nêu rõ thời hạn."
    assert first.concluded_at is not None
    assert a.redrawn == ()

    whole_year = await records.record(fx.core, fx.program, p["A"], year_period(2026))
    assert whole_year.drawn == 3

    b = await records.record(fx.core, fx.program, p["B"], quarter_period(2026, 4))
    assert b.drawn == 1  # the redraw is not a turn
    assert [(d.day, d.reason) for d in b.redrawn] == [(date(2026, 10, 12), None)]

    c = await records.record(fx.core, fx.program, p["C"], quarter_period(2026, 4))
    assert c.drawn == 2
    assert c.outcomes["late"] == 1 and c.outcomes["in_time"] == 1
    assert c.verdicts == {"correct": 0, "partial": 1, "wrong": 1, "ungraded": 0}

    assert [t.late_kept for t in c.turns] == [0, 0]  # W42's late answer was accepted

    # D left the program after answering: the turn stays in the record.
    d = await records.record(fx.core, fx.program, p["D"], quarter_period(2026, 4))
    assert d.outcomes["in_person"] == 1 and d.verdicts["correct"] == 1

    e = await records.record(fx.core, fx.program, p["E"], year_period(2026))
    assert (e.drawn, e.redrawn) == (1, ())
    assert e.outcomes["unanswered"] == 1 and e.outcomes["waiting"] == 0
    assert e.verdicts == {"correct": 0, "partial": 0, "wrong": 0, "ungraded": 0}
    assert e.turns[0].late_kept == 1  # waiting for the head, kept meanwhile

    f = await records.record(fx.core, fx.program, p["F"], year_period(2026))
    assert (f.drawn, f.redrawn) == (0, ())


async def test_participation_of_the_current_round(fx: Fixture) -> None:
    part = await records.participation(fx.core, fx.program)
    # Active staff only: D left the program.
    assert [name for _, name in part.had_turn] == ["Cán bộ A", "Cán bộ B", "Cán bộ C", "Cán bộ E"]
    assert [name for _, name in part.not_yet] == ["Cán bộ F"]


async def test_the_figures_never_carry_the_suggested_answer(fx: Fixture) -> None:
    now, before = await records.figures(fx.core, fx.program, year_period(2026))
    rec = await records.record(fx.core, fx.program, fx.people["A"], year_period(2026))
    shown = repr(
        (
            records.figures_ctx(now),
            records.figures_ctx(before),
            records.record_ctx(rec, fx.program.tz),
        )
    )
    assert "GỢI Ý BÍ MẬT" not in shown


async def test_record_queries_use_indexes(fx: Fixture) -> None:
    store = fx.core.store
    store.trace = []
    await records.figures(fx.core, fx.program, year_period(2026))
    await records.record(fx.core, fx.program, fx.people["A"], year_period(2026))
    await records.participation(fx.core, fx.program)
    trace: list[Statement] = store.trace
    store.trace = None
    assert any("FROM sessions s" in s.sql for s in trace)
    problems = {}
    for s in trace:
        rows = await store.conn.execute_fetchall("EXPLAIN QUERY PLAN " + s.sql, s.params)
        bad = full_scans([str(r[3]) for r in rows])
        if bad:
            problems[s.sql] = bad
    assert problems == {}


def _rec(state: str, **fields: object) -> SessionRecord:
    base: dict[str, object] = {
        "id": 1,
        "week": "2026-W50",
        "nominal_date": date(2026, 12, 7),
        "session_date": None,
        "holiday": None,
        "state": SessionState(state),
        "skip_reason": None,
        "round_no": 1,
        "drawn_person_id": None,
        "draw_attempt": 0,
        "question": "?",
        "topic": "Chung",
        "answer_kind": None,
        "answered_at": None,
        "deadline_at": None,
        "verdict": None,
        "comment": None,
        "grades": 0,
        "concluded_at": None,
    }
    return SessionRecord(**(base | fields))  # type: ignore[arg-type]


def test_open_and_planned_sessions_are_not_counted_as_outcomes() -> None:
    day = date(2026, 12, 7)
    deadline = vn(2026, 12, 7, 10, 0)
    waiting = _rec("drawn", session_date=day, drawn_person_id=5, deadline_at=deadline)
    published = _rec("published", session_date=day)
    answered = _rec(
        "answered",
        session_date=day,
        drawn_person_id=6,
        deadline_at=deadline,
        answer_kind="voice",
        answered_at=deadline,  # at the deadline itself: still in time
    )
    assert (waiting.held, waiting.outcome) == (True, "waiting")
    assert (published.held, published.outcome) == (False, None)
    assert answered.outcome == "in_time"
    f = program_figures(month_period(2026, 12), [waiting, published, answered], [], [], _day)
    assert f.held == 2 and f.planned == 1
    assert f.outcomes["waiting"] == 1 and f.outcomes["in_time"] == 1
    assert f.on_time_rate == 100  # the open window is not counted against anyone
    # «Chưa đánh giá» is an answer waiting for its grade; the open window has no answer yet.
    assert f.verdicts["ungraded"] == 1


def _day(dt: datetime) -> date:
    return dt.date()


async def test_the_templates_show_the_record_and_the_figures(fx: Fixture) -> None:
    q4 = quarter_period(2026, 4)
    b = await records.record(fx.core, fx.program, fx.people["B"], q4)
    text = plain(
        "record_person",
        {
            "program": {"id": fx.program.id, "title": "Giao ban"},
            "person": {"name": "Cán bộ B", "title": "", "id": fx.people["B"]},
            "own": True,
            **records.record_ctx(b, fx.program.tz),
        },
    )
    assert "Hồ sơ hỏi – đáp quý IV/2026" in text
    assert "Số lần được bốc thăm: 1\n" in text
    assert "Kết quả: trả lời đúng hạn; chưa đánh giá\n" in text  # answered, no grade yet
    assert "bốc lại cho người khác (không tính là lượt): 1 lần\n• Thứ Hai, 12/10/2026" in text

    a = await records.record(fx.core, fx.program, fx.people["A"], q4)
    text = plain(
        "record_person",
        {
            "program": {"id": fx.program.id, "title": "Giao ban"},
            "person": {"name": "Cán bộ A", "title": "", "id": fx.people["A"]},
            "own": True,
            **records.record_ctx(a, fx.program.tz),
        },
    )
    verdicts = "Đúng 1 · Đúng một phần 0 · Chưa đúng 0 · Chưa đánh giá 0"
    assert f"• Đánh giá các câu trả lời: {verdicts}" in text
    assert "Kết quả: không trả lời; có 1 tin nhắn gửi thêm được lưu trong hồ sơ\n" in text

    now, before = await records.figures(fx.core, fx.program, q4)
    text = plain(
        "figures",
        {
            "program": {"id": fx.program.id, "title": "Giao ban"},
            "figures": records.figures_ctx(now),
            "previous": records.figures_ctx(before),
            "trend": records.trend_ctx(now, before),
            "participation": records.participation_ctx(
                await records.participation(fx.core, fx.program)
            ),
            "cited": records.cited_ctx(await records.cited_documents(fx.core, fx.program, q4)),
        },
    )
    assert "Số liệu hỏi – đáp quý IV/2026" in text
    assert "Trong kỳ chưa có văn bản nào được dẫn." in text
    assert "Đã tổ chức: 7 phiên (tăng 6 so với kỳ trước), trong đó 1 phiên dời ngày" in text
    assert "Nghỉ: 2 phiên (nghỉ lễ 1; quản trị viên cho nghỉ 1)\n  – Lý do: Họp Đảng ủy" in text
    assert (
        "Trả lời đúng hạn: 3 · Trả lời muộn: 1 · Trả lời trực tiếp: 1 · Không trả lời: 2\n" in text
    )
    assert "Tỷ lệ trả lời đúng hạn: 43% (giảm 57 điểm phần trăm so với kỳ trước)" in text
    assert "Đánh giá (5 câu trả lời; mỗi phiên tính lần đánh giá sau cùng)" in text
    assert (
        "Đúng: 2 (tăng 1 so với kỳ trước) · Đúng một phần: 1 · Chưa đúng: 1 · Chưa đánh giá: 1"
        in text
    )
    assert "• Điều lệ: 3\n• Kỷ luật: 2\n• Tổ chức: 2" in text
    assert "Đã có lượt (4): Cán bộ A, Cán bộ B, Cán bộ C, Cán bộ E\n" in text
    assert "Chưa có lượt (1): Cán bộ F" in text
    assert "Kỳ trước (quý III/2026)" in text
    assert "GỢI Ý" not in text


def plain(template: str, context: dict[str, object]) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", render(template, context)))


def test_the_conclusion_date_is_the_programs_local_date() -> None:
    concluded = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 06:30 on 08/12 in Viet Nam
    turn = _rec(
        "concluded", session_date=date(2026, 12, 7), drawn_person_id=5, concluded_at=concluded
    )
    rec = person_record(5, month_period(2026, 12), [turn], [])
    (shown,) = records.record_ctx(rec, "Asia/Ho_Chi_Minh")["turns"]
    assert shown["concluded_at"].startswith("2026-12-08T06:30")
    assert shown["outcome"] == "unanswered"


async def test_verdicts_per_month_count_each_session_in_the_month_it_was_held(fx: Fixture) -> None:
    year = year_period(2026)
    rows = await records.session_records(fx.core, fx.program, year.start, year.end)
    per_month = verdicts_per_month(rows, year)
    assert [(m.year, m.month) for m in per_month] == [(2026, n) for n in range(1, 13)]
    zero = dict.fromkeys(MONTH_VERDICTS, 0)
    by_month = {m.month: m.counts for m in per_month}
    assert all(by_month[n] == zero for n in range(1, 9))
    assert by_month[9] == zero | {"correct": 1}
    # W41 regraded partial -> correct counts once as correct; W44 closed without an answer.
    assert by_month[10] == zero | {"correct": 2, "wrong": 1, "unanswered": 1}
    # W45 answered, not graded; W48 closed (as of now) without an answer; the two skipped
    # weeks are not sessions held.
    assert by_month[11] == zero | {"ungraded": 1, "unanswered": 1}
    # W49's nominal Monday is 30/11, held on Tuesday 01/12: December; W50 not held yet.
    assert by_month[12] == zero | {"partial": 1}
    # The months add up to the figures of the year.
    figures, _ = await records.figures(fx.core, fx.program, year)
    for v in VERDICTS:
        assert sum(m.counts[v] for m in per_month) == figures.verdicts[v]
    assert sum(m.counts["ungraded"] for m in per_month) == figures.verdicts["ungraded"]
    assert sum(m.counts["unanswered"] for m in per_month) == figures.outcomes["unanswered"]
    # A quarter has its three months; a range its months, across a new year.
    q4 = verdicts_per_month(rows, quarter_period(2026, 4))
    assert [(m.month, m.total) for m in q4] == [(10, 4), (11, 2), (12, 1)]
    span = Period("range", date(2026, 11, 15), date(2027, 1, 10), 2026)
    assert [(m.year, m.month, m.total) for m in verdicts_per_month(rows, span)] == [
        (2026, 11, 1),
        (2026, 12, 1),
        (2027, 1, 0),
    ]


async def test_the_charts_of_a_report_are_titled_pictures(fx: Fixture) -> None:
    got = await records.report_charts(fx.core, fx.program, quarter_period(2026, 4))
    assert [title for title, _ in got] == [
        "Kết quả đánh giá các phiên theo tháng, quý IV/2026",
        "Lượt bốc thăm vòng 1",
    ]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for _, png in got)
    # /thongke's picture is the same chart, but with its title drawn in it and at screen size;
    # a report's carries its title as the caption and is drawn for print.
    photo = await records.verdicts_chart(fx.core, fx.program, quarter_period(2026, 4))
    assert photo.kind == "photo" and photo.data != got[0][1]
    assert photo.caption.template == "figures_chart_caption"
    screen = await records.participation_chart(fx.core, fx.program)
    assert len(screen) < len(got[1][1])  # 300 dpi in print


def test_the_record_reads_the_week_as_it_stands() -> None:
    """A drawn session whose deadline passed without an answer is unanswered as of now; one
    still in its window, answered, or not drawn, is left as it is."""
    day = date(2026, 12, 7)
    deadline = vn(2026, 12, 7, 10, 0)
    overdue = _rec("drawn", session_date=day, drawn_person_id=5, deadline_at=deadline)
    answered = _rec(
        "drawn",
        session_date=day,
        drawn_person_id=5,
        deadline_at=deadline,
        answered_at=deadline,
        answer_kind="text",
    )
    published = _rec("published", session_date=day, deadline_at=deadline)
    at_deadline = as_of([overdue, answered, published], deadline)
    assert [r.outcome for r in at_deadline] == ["waiting", "in_time", None]
    after = as_of([overdue, answered, published], deadline + timedelta(seconds=1))
    assert [r.outcome for r in after] == ["unanswered", "in_time", None]
    assert after[0].state == SessionState.UNANSWERED and after[2].state == SessionState.PUBLISHED


def test_the_comment_shown_is_the_standing_heads() -> None:
    at = vn(2026, 12, 7, 11, 0)

    def grade(gid: int, head: int, comment: str | None) -> Grade:
        return Grade(gid, 1, "correct", comment, head, at)

    assert standing_comment([]) is None
    # Head 1 graded and commented; head 2 graded again without a comment: 1's comment stays
    # with 1's grade, not under 2's verdict.
    assert standing_comment([grade(1, 1, "Của 1"), grade(2, 2, None)]) is None
    # A head's own earlier comment goes on with their regrade.
    assert standing_comment([grade(1, 2, "Của 2"), grade(2, 1, None), grade(3, 2, None)]) == (
        "Của 2"
    )
    assert standing_comment([grade(1, 1, "Cũ"), grade(2, 1, "Mới")]) == "Mới"
