"""The record of a program over a period: sessions, redraws and grassroots submissions.

Sessions are found by their week (the ``UNIQUE (program_id, week)`` index): the weeks of the
period widened by one on each side (a session moved for a holiday is held at most into the next
week), then kept by the day they count on (:attr:`bot.records.SessionRecord.day`) in Python.
The suggested answer and the answer text are never read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import aiosqlite

from bot.models import SessionState
from bot.records import Redraw, SessionRecord, SubmissionRecord
from bot.store.base import StoreBase, _d, _dt

_WEEK_MARGIN = timedelta(days=7)


def _week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _weeks(start: date, end: date) -> tuple[str, str]:
    return _week(start - _WEEK_MARGIN), _week(end + _WEEK_MARGIN)


_RECORD_SQL = (
    "SELECT s.id, s.week, s.nominal_date, s.session_date, s.holiday, s.state, s.skip_reason, "
    "s.round_no, s.drawn_person_id, s.draw_attempt, s.answer_kind, s.answered_at, "
    "s.deadline_at, s.concluded_at, q.text AS question, q.topic AS topic, "
    "(SELECT g.verdict FROM grades g WHERE g.session_id = s.id ORDER BY g.id DESC LIMIT 1) "
    " AS verdict, "
    "(SELECT g.comment FROM grades g WHERE g.session_id = s.id AND g.comment IS NOT NULL "
    " AND g.head_id = (SELECT h.head_id FROM grades h WHERE h.session_id = s.id "
    "  ORDER BY h.id DESC LIMIT 1) ORDER BY g.id DESC LIMIT 1) AS comment, "
    "(SELECT COUNT(*) FROM grades g WHERE g.session_id = s.id) AS grade_count, "
    "(SELECT COUNT(*) FROM late_answers l WHERE l.session_id = s.id "
    " AND l.status != 'accepted') AS late_kept "
    "FROM sessions s LEFT JOIN questions q ON q.id = s.question_id "
    "WHERE s.program_id = ? AND s.week BETWEEN ? AND ?"
)


class RecordQueries(StoreBase):
    @staticmethod
    def _record(r: aiosqlite.Row) -> SessionRecord:
        return SessionRecord(
            id=r["id"],
            week=r["week"],
            nominal_date=date.fromisoformat(r["nominal_date"]),
            session_date=_d(r["session_date"]),
            holiday=r["holiday"],
            state=SessionState(r["state"]),
            skip_reason=r["skip_reason"],
            round_no=r["round_no"],
            drawn_person_id=r["drawn_person_id"],
            draw_attempt=r["draw_attempt"],
            question=r["question"],
            topic=r["topic"],
            answer_kind=r["answer_kind"],
            answered_at=_dt(r["answered_at"]),
            deadline_at=_dt(r["deadline_at"]),
            verdict=r["verdict"],
            comment=r["comment"],
            grades=r["grade_count"],
            concluded_at=_dt(r["concluded_at"]),
            late_kept=r["late_kept"],
        )

    async def session_records(
        self, program_id: int, start: date, end: date, person_id: int | None = None
    ) -> list[SessionRecord]:
        """The sessions of ``program_id`` around ``start``..``end`` (the caller keeps those of
        the period), oldest first; with ``person_id`` only the turns of that person."""
        first, last = _weeks(start, end)
        sql, params = _RECORD_SQL, [program_id, first, last]
        if person_id is not None:
            sql += " AND s.drawn_person_id = ?"
            params.append(person_id)
        rows = await self._all(sql + " ORDER BY s.week", params)
        return [self._record(r) for r in rows]

    async def redraws(self, program_id: int, start: date, end: date) -> list[Redraw]:
        """The draws around ``start``..``end`` whose person was redrawn away."""
        first, last = _weeks(start, end)
        rows = await self._all(
            "SELECT d.session_id, d.chosen_id, d.attempt, d.reason, s.session_date, "
            "s.nominal_date FROM sessions s JOIN draws d ON d.session_id = s.id "
            "AND d.attempt < s.draw_attempt "
            "WHERE s.program_id = ? AND s.week BETWEEN ? AND ? ORDER BY s.week, d.attempt",
            (program_id, first, last),
        )
        return [
            Redraw(
                session_id=r["session_id"],
                day=date.fromisoformat(r["session_date"] or r["nominal_date"]),
                person_id=r["chosen_id"],
                attempt=r["attempt"],
                reason=r["reason"],
            )
            for r in rows
        ]

    async def submission_records(
        self, program_id: int, start: date, end: date
    ) -> list[SubmissionRecord]:
        """Grassroots submissions written around ``start``..``end`` (a day either side, so
        the caller can keep those of the period in the program's time zone)."""
        lo = datetime.combine(start - timedelta(days=1), datetime.min.time(), UTC)
        hi = datetime.combine(end + timedelta(days=2), datetime.min.time(), UTC)
        rows = await self._all(
            "SELECT created_at, status, answered_at FROM submissions "
            "WHERE program_id = ? AND created_at >= ? AND created_at < ?",
            (program_id, lo.isoformat(), hi.isoformat()),
        )
        return [
            SubmissionRecord(
                created_at=datetime.fromisoformat(r["created_at"]),
                status=r["status"],
                answered_at=_dt(r["answered_at"]),
            )
            for r in rows
        ]
