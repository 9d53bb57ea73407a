"""Late answers (``late_answers``) and the turns they may belong to."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.models import Answer, LateAnswer, Session
from bot.store.base import StoreBase, _dt, _iso
from bot.store.sessions import SessionQueries

# A late answer belongs to one of the person's few newest turns (the caller picks the one whose
# deadline passed recently); turns are read newest first through sessions_by_drawn_person.
_RECENT_TURNS = 3


class LateAnswerQueries(StoreBase):
    @staticmethod
    def _late(r: aiosqlite.Row) -> LateAnswer:
        received = _dt(r["received_at"])
        assert received is not None
        return LateAnswer(
            id=r["id"],
            session_id=r["session_id"],
            person_id=r["person_id"],
            kind=r["kind"],
            text=r["text"],
            file_id=r["file_id"],
            file_name=r["file_name"],
            chat_id=r["chat_id"],
            message_id=r["message_id"],
            in_group=bool(r["in_group"]),
            received_at=received,
            status=r["status"],
            decided_by=r["decided_by"],
            decided_at=_dt(r["decided_at"]),
        )

    async def recent_turns(self, person_id: int) -> list[Session]:
        """The person's newest turns (sessions they are drawn in, past the draw), newest first."""
        rows = await self._all(
            "SELECT * FROM sessions WHERE drawn_person_id = ? "
            "AND state IN ('drawn', 'answered', 'graded', 'unanswered', 'concluded') "
            "ORDER BY nominal_date DESC LIMIT ?",
            (person_id, _RECENT_TURNS),
        )
        return [SessionQueries._session(r) for r in rows]

    async def add_late_answer(
        self,
        session_id: int,
        person_id: int,
        answer: Answer,
        text: str | None,
        status: str,
        now: datetime,
    ) -> int:
        return await self._exec(
            "INSERT INTO late_answers (session_id, person_id, kind, text, file_id, file_name, "
            "chat_id, message_id, in_group, received_at, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                person_id,
                answer.kind,
                text,
                answer.file_id,
                answer.file_name,
                answer.chat_id,
                answer.message_id,
                int(answer.in_group),
                _iso(now),
                status,
            ),
        )

    async def late_answer(self, late_id: int) -> LateAnswer | None:
        r = await self._one("SELECT * FROM late_answers WHERE id = ?", (late_id,))
        return self._late(r) if r else None

    async def late_answers(self, session_id: int) -> list[LateAnswer]:
        rows = await self._all(
            "SELECT * FROM late_answers WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [self._late(r) for r in rows]

    async def decide_late_answer(
        self, late_id: int, status: str, actor_id: int, now: datetime
    ) -> bool:
        """Compare-and-set: a waiting late answer becomes ``status``; False if already decided."""
        changed = await self._changed(
            "UPDATE late_answers SET status = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ? AND status = 'waiting'",
            (status, actor_id, _iso(now), late_id),
        )
        return changed == 1
