"""Questions, weekly sessions, draws and grades."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.models import (
    Draw,
    Grade,
    Question,
    Session,
    SessionState,
)
from bot.store.base import StoreBase, _d, _dt, _iso


class SessionQueries(StoreBase):
    # -- questions ---------------------------------------------------------------------------

    @staticmethod
    def _question(r: aiosqlite.Row) -> Question:
        return Question(
            id=r["id"],
            program_id=r["program_id"],
            text=r["text"],
            topic=r["topic"],
            source_unit=r["source_unit"],
            legal_refs=r["legal_refs"],
            suggested_answer=r["suggested_answer"],
            status=r["status"],
            position=r["position"],
        )

    async def add_question(
        self,
        program_id: int,
        text: str,
        topic: str,
        source_unit: str | None,
        legal_refs: str | None,
        suggested_answer: str | None,
        created_by: int | None,
        now: datetime,
    ) -> int:
        return await self._exec(
            "INSERT INTO questions (program_id, text, topic, source_unit, legal_refs, "
            "suggested_answer, position, created_by, created_at) VALUES (?,?,?,?,?,?, "
            "(SELECT COALESCE(MAX(position), 0) + 1 FROM questions WHERE program_id = ?), ?, ?)",
            (
                program_id,
                text,
                topic,
                source_unit,
                legal_refs,
                suggested_answer,
                program_id,
                created_by,
                _iso(now),
            ),
        )

    async def question(self, question_id: int) -> Question | None:
        r = await self._one("SELECT * FROM questions WHERE id = ?", (question_id,))
        return self._question(r) if r else None

    async def queued_questions(self, program_id: int, limit: int = 100) -> list[Question]:
        rows = await self._all(
            "SELECT * FROM questions WHERE program_id = ? AND status = 'queued' "
            "ORDER BY position, id LIMIT ?",
            (program_id, limit),
        )
        return [self._question(r) for r in rows]

    async def count_queued(self, program_id: int) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM questions WHERE program_id = ? AND status = 'queued'",
            (program_id,),
        )

    async def question_texts(self, program_id: int) -> list[tuple[int, str]]:
        rows = await self._all(
            "SELECT id, text FROM questions WHERE program_id = ? AND status != 'retired'",
            (program_id,),
        )
        return [(r["id"], r["text"]) for r in rows]

    async def set_question_status(self, question_id: int, status: str) -> None:
        await self._exec("UPDATE questions SET status = ? WHERE id = ?", (status, question_id))

    async def requeue_first(self, question_id: int, program_id: int) -> None:
        """Put a question back at the head of the queue (its week was skipped)."""
        await self._exec(
            "UPDATE questions SET status = 'queued', position = "
            "(SELECT COALESCE(MIN(position), 1) - 1 FROM questions WHERE program_id = ?) "
            "WHERE id = ?",
            (program_id, question_id),
        )

    # -- sessions ----------------------------------------------------------------------------

    @staticmethod
    def _session(r: aiosqlite.Row) -> Session:
        return Session(
            id=r["id"],
            program_id=r["program_id"],
            week=r["week"],
            nominal_date=date.fromisoformat(r["nominal_date"]),
            session_date=_d(r["session_date"]),
            holiday=r["holiday"],
            state=SessionState(r["state"]),
            question_id=r["question_id"],
            publish_at=_dt(r["publish_at"]),
            draw_at=_dt(r["draw_at"]),
            reminder_at=_dt(r["reminder_at"]),
            deadline_at=_dt(r["deadline_at"]),
            seed=r["seed"],
            commitment=r["commitment"],
            round_no=r["round_no"],
            drawn_person_id=r["drawn_person_id"],
            draw_attempt=r["draw_attempt"],
            reminded=bool(r["reminded"]),
            missed_reported=bool(r["missed_reported"]),
            answer_kind=r["answer_kind"],
            answer_text=r["answer_text"],
            answer_file_id=r["answer_file_id"],
            answer_file_name=r["answer_file_name"],
            answer_chat_id=r["answer_chat_id"],
            answer_message_id=r["answer_message_id"],
            answered_at=_dt(r["answered_at"]),
            conclusion=r["conclusion"],
            concluded_by=r["concluded_by"],
            concluded_at=_dt(r["concluded_at"]),
            skip_reason=r["skip_reason"],
            next_seed=r["next_seed"],
            next_commitment=r["next_commitment"],
        )

    async def create_session(
        self,
        program_id: int,
        week: str,
        nominal_date: date,
        session_date: date | None,
        holiday: str | None,
        state: str,
        publish_at: datetime | None,
        draw_at: datetime | None,
        reminder_at: datetime | None,
        deadline_at: datetime | None,
        seed: str,
        commitment: str,
        skip_reason: str | None,
        now: datetime,
    ) -> int | None:
        """Insert the session of a week; None if that week already has one (never two)."""
        cur = await self._write(
            "INSERT OR IGNORE INTO sessions (program_id, week, nominal_date, session_date, holiday,"
            " state, publish_at, draw_at, reminder_at, deadline_at, seed, commitment, skip_reason,"
            " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                program_id,
                week,
                _iso(nominal_date),
                _iso(session_date),
                holiday,
                state,
                _iso(publish_at),
                _iso(draw_at),
                _iso(reminder_at),
                _iso(deadline_at),
                seed,
                commitment,
                skip_reason,
                _iso(now),
            ),
        )
        return cur.lastrowid if cur.rowcount == 1 else None

    async def session(self, session_id: int) -> Session | None:
        r = await self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return self._session(r) if r else None

    async def session_by_week(self, program_id: int, week: str) -> Session | None:
        r = await self._one(
            "SELECT * FROM sessions WHERE program_id = ? AND week = ?", (program_id, week)
        )
        return self._session(r) if r else None

    async def open_sessions(self, program_id: int) -> list[Session]:
        rows = await self._all(
            "SELECT * FROM sessions WHERE program_id = ? AND state NOT IN ('concluded', 'skipped')"
            " ORDER BY nominal_date",
            (program_id,),
        )
        return [self._session(r) for r in rows]

    async def latest_session(self, program_id: int) -> Session | None:
        """The session people are talking about: the newest one not skipped."""
        r = await self._one(
            "SELECT * FROM sessions WHERE program_id = ? AND state != 'skipped' "
            "ORDER BY CASE WHEN state = 'scheduled' THEN 1 ELSE 0 END, nominal_date DESC LIMIT 1",
            (program_id,),
        )
        return self._session(r) if r else None

    async def latest_week(self, program_id: int) -> str | None:
        row = await self._one("SELECT MAX(week) FROM sessions WHERE program_id = ?", (program_id,))
        return str(row[0]) if row and row[0] else None

    async def latest_drawn_session(self, program_id: int) -> Session | None:
        r = await self._one(
            "SELECT * FROM sessions WHERE program_id = ? AND drawn_person_id IS NOT NULL "
            "ORDER BY nominal_date DESC LIMIT 1",
            (program_id,),
        )
        return self._session(r) if r else None

    async def sessions_drawing(self, person_id: int) -> list[Session]:
        """Sessions waiting for this person's answer (a read model: every message of theirs
        asks for it)."""
        key = ("drawing", person_id)
        found: tuple[Session, ...] | None = self.memo(key)
        if found is not None:
            return list(found)
        version = self.version
        rows = await self._all(
            "SELECT * FROM sessions WHERE drawn_person_id = ? AND state = 'drawn' "
            "ORDER BY draw_at DESC",
            (person_id,),
        )
        sessions = tuple(self._session(r) for r in rows)
        self.remember(key, version, sessions)
        return list(sessions)

    async def update_session(
        self, session_id: int, expect_state: str | None, **fields: Any
    ) -> bool:
        """Compare-and-set update: only applies when the state is still ``expect_state``."""
        values = [_iso(v) if isinstance(v, datetime | date) else v for v in fields.values()]
        cols = ", ".join(f"{k} = ?" for k in fields)
        sql = f"UPDATE sessions SET {cols} WHERE id = ?"
        params: list[Any] = [*values, session_id]
        if expect_state is not None:
            sql += " AND state = ?"
            params.append(expect_state)
        return await self._changed(sql, params) == 1

    async def grade_step(
        self, session_id: int, program_id: int, head_id: int
    ) -> tuple[Session, str | None, int | None, list[int]] | None:
        """The compare-and-set of a grade, in one statement: the session of ``program_id``
        becomes graded if it is answered or graded and ``head_id`` is one of its active heads.

        Returns the session (now graded), the verdict of its latest grade and the head who gave
        it (None: first grade) and the chats of the program's active leaders; None if any
        condition does not hold (nothing changed; the caller finds out which).
        """
        r = await self._write_one(
            "UPDATE sessions SET state = 'graded' WHERE id = ? AND program_id = ? "
            "AND state IN ('answered', 'graded') AND EXISTS (SELECT 1 FROM member_roles r "
            " JOIN members m ON m.program_id = r.program_id AND m.person_id = r.person_id "
            " WHERE r.program_id = sessions.program_id AND r.person_id = ? AND r.role = 'head' "
            " AND m.status = 'active') "
            "RETURNING *, (SELECT g.verdict FROM grades g WHERE g.session_id = sessions.id "
            " ORDER BY g.id DESC LIMIT 1) AS last_verdict, "
            "(SELECT g.head_id FROM grades g WHERE g.session_id = sessions.id "
            " ORDER BY g.id DESC LIMIT 1) AS last_head, "
            "(SELECT group_concat(p.tg_user_id) FROM member_roles r "
            " JOIN members m ON m.program_id = r.program_id AND m.person_id = r.person_id "
            " JOIN people p ON p.id = r.person_id WHERE r.program_id = sessions.program_id "
            " AND r.role = 'leader' AND m.status = 'active') AS leader_chats",
            (session_id, program_id, head_id),
        )
        if r is None:
            return None
        leaders = [int(x) for x in (r["leader_chats"] or "").split(",") if x]
        return self._session(r), r["last_verdict"], r["last_head"], leaders

    async def drawn_in_round(self, program_id: int, round_no: int) -> set[int]:
        rows = await self._all(
            "SELECT drawn_person_id FROM sessions WHERE program_id = ? AND round_no = ? "
            "AND drawn_person_id IS NOT NULL",
            (program_id, round_no),
        )
        return {r[0] for r in rows}

    # -- draws and grades ---------------------------------------------------------------------

    async def add_draw(
        self,
        session_id: int,
        attempt: int,
        pool: Sequence[int],
        chosen_id: int,
        new_round: bool,
        reason: str | None,
        actor_id: int | None,
        now: datetime,
        seed: str,
        commitment: str,
    ) -> None:
        await self._exec(
            "INSERT INTO draws (session_id, attempt, pool, chosen_id, new_round, reason, actor_id,"
            " created_at, seed, commitment) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                attempt,
                ",".join(map(str, pool)),
                chosen_id,
                int(new_round),
                reason,
                actor_id,
                _iso(now),
                seed,
                commitment,
            ),
        )

    async def draws(self, session_id: int) -> list[Draw]:
        rows = await self._all(
            "SELECT * FROM draws WHERE session_id = ? ORDER BY attempt", (session_id,)
        )
        return [
            Draw(
                id=r["id"],
                session_id=r["session_id"],
                attempt=r["attempt"],
                pool=tuple(int(x) for x in r["pool"].split(",") if x),
                chosen_id=r["chosen_id"],
                new_round=bool(r["new_round"]),
                reason=r["reason"],
                actor_id=r["actor_id"],
                created_at=datetime.fromisoformat(r["created_at"]),
                seed=r["seed"],
                commitment=r["commitment"],
            )
            for r in rows
        ]

    async def add_grade(self, session_id: int, verdict: str, head_id: int, now: datetime) -> int:
        return await self._exec(
            "INSERT INTO grades (session_id, verdict, head_id, created_at) VALUES (?,?,?,?)",
            (session_id, verdict, head_id, _iso(now)),
        )

    async def set_grade_comment(self, grade_id: int, comment: str) -> None:
        await self._exec("UPDATE grades SET comment = ? WHERE id = ?", (comment, grade_id))

    async def grades(self, session_id: int) -> list[Grade]:
        rows = await self._all(
            "SELECT * FROM grades WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [
            Grade(
                id=r["id"],
                session_id=r["session_id"],
                verdict=r["verdict"],
                comment=r["comment"],
                head_id=r["head_id"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]
