"""Queries of the grassroots area: askers, their invites, submissions and the area's settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.models import Asker, Question, Submission
from bot.store.base import StoreBase, _dt, _iso
from bot.store.people import PeopleQueries, by_name
from bot.store.sessions import SessionQueries


class GrassrootsQueries(StoreBase):
    """SQL for this area lives here (see bot/store/__init__.py)."""

    # -- askers ------------------------------------------------------------------------------

    _ASKER_COLS = (
        "a.program_id, a.unit, a.status AS asker_status, a.created_at AS asker_created_at, "
        "p.id, p.tg_user_id, p.username, p.tg_name, p.full_name, p.title, p.is_superadmin, "
        "p.current_program_id"
    )

    @staticmethod
    def _asker(r: aiosqlite.Row) -> Asker:
        return Asker(
            program_id=r["program_id"],
            person=PeopleQueries._person(r),
            unit=r["unit"],
            status=r["asker_status"],
            created_at=datetime.fromisoformat(r["asker_created_at"]),
        )

    async def _askers(self, where: str, params: Sequence[Any]) -> list[Asker]:
        rows = await self._all(
            f"SELECT {self._ASKER_COLS} FROM askers a JOIN people p ON p.id = a.person_id "
            f"WHERE {where}",
            params,
        )
        return sorted((self._asker(r) for r in rows), key=lambda a: by_name(a.person))

    async def asker(self, program_id: int, person_id: int) -> Asker | None:
        found = await self._askers("a.program_id = ? AND a.person_id = ?", (program_id, person_id))
        return found[0] if found else None

    async def askers(self, program_id: int) -> list[Asker]:
        return await self._askers("a.program_id = ?", (program_id,))

    async def askers_of(self, person_id: int) -> list[Asker]:
        """Every program this person asks in, whatever the status."""
        return await self._askers("a.person_id = ?", (person_id,))

    async def upsert_asker(
        self, program_id: int, person_id: int, unit: str, status: str, now: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO askers (program_id, person_id, unit, status, created_at) "
            "VALUES (?,?,?,?,?) ON CONFLICT (program_id, person_id) DO UPDATE SET "
            "unit = excluded.unit, status = excluded.status, decided_by = NULL, "
            "decided_at = NULL",
            (program_id, person_id, unit, status, _iso(now)),
        )

    async def set_asker_status(
        self,
        program_id: int,
        person_id: int,
        status: str,
        expected: str,
        decided_by: int | None,
        now: datetime,
    ) -> bool:
        """Compare-and-set of an asker's status; False when it was not ``expected``."""
        return (
            await self._changed(
                "UPDATE askers SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE program_id = ? AND person_id = ? AND status = ?",
                (status, decided_by, _iso(now), program_id, person_id, expected),
            )
            == 1
        )

    async def asker_menu_people(self) -> list[tuple[int, bool]]:
        """(Telegram id, also an active member somewhere) of every active asker."""
        rows = await self._all(
            "SELECT DISTINCT p.tg_user_id, EXISTS (SELECT 1 FROM members m "
            " WHERE m.person_id = p.id AND m.status = 'active') AS member "
            "FROM askers a JOIN people p ON p.id = a.person_id "
            "JOIN programs g ON g.id = a.program_id "
            "WHERE a.status = 'active' AND g.active = 1"
        )
        return [(r["tg_user_id"], bool(r["member"])) for r in rows]

    async def set_full_name(self, person_id: int, full_name: str) -> None:
        self._forget_person(person_id)
        await self._exec("UPDATE people SET full_name = ? WHERE id = ?", (full_name, person_id))

    # -- submissions -------------------------------------------------------------------------

    @staticmethod
    def _submission(r: aiosqlite.Row) -> Submission:
        return Submission(
            id=r["id"],
            program_id=r["program_id"],
            person_id=r["person_id"],
            unit=r["unit"],
            text=r["text"],
            status=r["status"],
            question_id=r["question_id"],
            reason=r["reason"],
            created_at=datetime.fromisoformat(r["created_at"]),
            decided_by=r["decided_by"],
            decided_at=_dt(r["decided_at"]),
            answered_at=_dt(r["answered_at"]),
        )

    async def add_submission(
        self, program_id: int, person_id: int, unit: str, text: str, now: datetime
    ) -> int:
        return await self._exec(
            "INSERT INTO submissions (program_id, person_id, unit, text, created_at) "
            "VALUES (?,?,?,?,?)",
            (program_id, person_id, unit, text, _iso(now)),
        )

    async def submission(self, submission_id: int) -> Submission | None:
        r = await self._one("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        return self._submission(r) if r else None

    async def submission_times(
        self, program_id: int, person_id: int, limit: int = 100
    ) -> list[datetime]:
        """When this person's latest submissions to this program were made, newest first."""
        rows = await self._all(
            "SELECT created_at FROM submissions WHERE program_id = ? AND person_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (program_id, person_id, limit),
        )
        return [datetime.fromisoformat(r["created_at"]) for r in rows]

    async def decide_submission(
        self,
        submission_id: int,
        status: str,
        decided_by: int,
        now: datetime,
        *,
        question_id: int | None = None,
        reason: str | None = None,
    ) -> bool:
        """Compare-and-set from 'pending'; False when someone decided it already."""
        return (
            await self._changed(
                "UPDATE submissions SET status = ?, question_id = ?, reason = ?, decided_by = ?, "
                "decided_at = ? WHERE id = ? AND status = 'pending'",
                (status, question_id, reason, decided_by, _iso(now), submission_id),
            )
            == 1
        )

    async def pending_submissions(self, program_id: int, limit: int = 20) -> list[Submission]:
        rows = await self._all(
            "SELECT * FROM submissions WHERE program_id = ? AND status = 'pending' "
            "ORDER BY id LIMIT ?",
            (program_id, limit),
        )
        return [self._submission(r) for r in rows]

    async def count_pending_submissions(self, program_id: int) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM submissions WHERE program_id = ? AND status = 'pending'",
            (program_id,),
        )

    async def submissions_for_question(self, question_id: int) -> list[Submission]:
        """Accepted or merged submissions linked to a question: whom to tell about it."""
        rows = await self._all(
            "SELECT * FROM submissions WHERE question_id = ? "
            "AND status IN ('accepted', 'merged') ORDER BY id",
            (question_id,),
        )
        return [self._submission(r) for r in rows]

    async def mark_submissions_answered(self, ids: Sequence[int], now: datetime) -> None:
        for submission_id in ids:
            await self._exec(
                "UPDATE submissions SET answered_at = ? WHERE id = ?", (_iso(now), submission_id)
            )

    async def submissions_of(self, person_id: int, limit: int = 10) -> list[dict[str, Any]]:
        """A person's latest submissions with where their question stands (for /cuatoi)."""
        rows = await self._all(
            "SELECT s.*, g.title AS program_title, q.status AS question_status, "
            "se.session_date, se.state AS session_state, se.week "
            "FROM submissions s JOIN programs g ON g.id = s.program_id "
            "LEFT JOIN questions q ON q.id = s.question_id "
            "LEFT JOIN sessions se ON se.id = (SELECT x.id FROM sessions x "
            " WHERE x.question_id = s.question_id AND x.state != 'skipped' "
            " ORDER BY x.id DESC LIMIT 1) "
            "WHERE s.person_id = ? ORDER BY s.id DESC LIMIT ?",
            (person_id, limit),
        )
        out = []
        for r in rows:
            item: dict[str, Any] = {"submission": self._submission(r)}
            for key in (
                "program_title",
                "question_status",
                "session_date",
                "session_state",
                "week",
            ):
                item[key] = r[key]
            out.append(item)
        return out

    # -- questions, as this area needs them ----------------------------------------------------

    async def queued_ahead(self, program_id: int, question_id: int) -> int:
        """How many queued questions come before this one."""
        return await self._count(
            "SELECT COUNT(*) FROM questions q, questions me WHERE me.id = ? "
            "AND q.program_id = ? AND q.status = 'queued' AND q.id != me.id "
            "AND (q.position < me.position OR (q.position = me.position AND q.id < me.id))",
            (question_id, program_id),
        )

    async def recently_used_questions(self, program_id: int, limit: int = 5) -> list[Question]:
        rows = await self._all(
            "SELECT * FROM questions WHERE program_id = ? AND status = 'used' "
            "ORDER BY id DESC LIMIT ?",
            (program_id, limit),
        )
        return [SessionQueries._question(r) for r in rows]

    async def latest_session_of_question(self, question_id: int) -> dict[str, Any] | None:
        r = await self._one(
            "SELECT id, state FROM sessions WHERE question_id = ? AND state != 'skipped' "
            "ORDER BY id DESC LIMIT 1",
            (question_id,),
        )
        return dict(r) if r else None

    # -- settings ----------------------------------------------------------------------------

    async def grassroots_daily_limit(self, program_id: int) -> int | None:
        r = await self._one(
            "SELECT daily_limit FROM grassroots_settings WHERE program_id = ?", (program_id,)
        )
        return int(r["daily_limit"]) if r else None

    async def set_grassroots_daily_limit(self, program_id: int, limit: int) -> None:
        await self._exec(
            "INSERT INTO grassroots_settings (program_id, daily_limit) VALUES (?, ?) "
            "ON CONFLICT (program_id) DO UPDATE SET daily_limit = excluded.daily_limit",
            (program_id, limit),
        )
