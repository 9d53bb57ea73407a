"""Queries of the bank admin area: tags, queue order, pins, warnings (the structured references
of questions are their citations: ``bot/store/refs.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import aiosqlite

from bot.models import BankQuestion, Question
from bot.store.base import StoreBase
from bot.store.refs import RefQueries
from bot.store.sessions import SessionQueries

# Statuses in the order a bank lists (and exports) them.
STATUS_ORDER = ("queued", "held", "used", "retired")


def _tags(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    value = json.loads(raw)
    return tuple(str(t) for t in value) if isinstance(value, list) else ()


class BankAdminQueries(RefQueries, StoreBase):
    # -- reading -----------------------------------------------------------------------------

    async def _bank(self, rows: list[aiosqlite.Row]) -> list[BankQuestion]:
        refs = await self.question_refs([r["id"] for r in rows])
        return [
            BankQuestion(
                question=SessionQueries._question(r),
                tags=_tags(r["tags"]),
                pinned_week=r["pinned_week"],
                refs=refs.get(r["id"], ()),
            )
            for r in rows
        ]

    async def bank_question(self, question_id: int) -> BankQuestion | None:
        row = await self._one("SELECT * FROM questions WHERE id = ?", (question_id,))
        return (await self._bank([row]))[0] if row else None

    async def bank_questions(
        self, program_id: int, statuses: Iterable[str] = STATUS_ORDER
    ) -> list[BankQuestion]:
        """A program's questions with these statuses: by status (queue first), then queue order."""
        wanted = [s for s in STATUS_ORDER if s in set(statuses)]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUS_ORDER))
        rows = await self._all(
            f"SELECT * FROM questions WHERE program_id = ? AND status IN ({marks}) "
            f"ORDER BY CASE status {order} END, position, id",
            (program_id, *wanted),
        )
        return await self._bank(rows)

    async def count_by_status(self, program_id: int) -> dict[str, int]:
        rows = await self._all(
            "SELECT status, COUNT(*) AS n FROM questions WHERE program_id = ? GROUP BY status",
            (program_id,),
        )
        counts = dict.fromkeys(STATUS_ORDER, 0)
        counts.update({r["status"]: r["n"] for r in rows})
        return counts

    async def queue_order(self, program_id: int) -> list[tuple[int, str | None]]:
        """(question id, pinned week) of the queued questions, in queue order."""
        rows = await self._all(
            "SELECT id, pinned_week FROM questions WHERE program_id = ? AND status = 'queued' "
            "ORDER BY position, id",
            (program_id,),
        )
        return [(r["id"], r["pinned_week"]) for r in rows]

    async def next_question_for(self, program_id: int, week: str) -> Question | None:
        """The question the session of ``week`` publishes.

        The queued question pinned to that week if there is one; otherwise the first in queue
        order that is not pinned to a later week (a pin whose week has passed no longer holds
        its question back). ``bot.services.bank_admin.choose`` is the same rule for the plan.
        """
        row = await self._one(
            "SELECT * FROM questions WHERE program_id = ? AND status = 'queued' "
            "AND (pinned_week IS NULL OR pinned_week <= ?) "
            "ORDER BY CASE WHEN pinned_week = ? THEN 0 ELSE 1 END, position, id LIMIT 1",
            (program_id, week, week),
        )
        return SessionQueries._question(row) if row else None

    async def pinned_to(self, program_id: int, week: str) -> Question | None:
        row = await self._one(
            "SELECT * FROM questions WHERE program_id = ? AND status = 'queued' "
            "AND pinned_week = ? ORDER BY position, id LIMIT 1",
            (program_id, week),
        )
        return SessionQueries._question(row) if row else None

    async def week_of_question(self, question_id: int) -> tuple[str, str | None] | None:
        """(week, session date) of the latest session that published this question."""
        row = await self._one(
            "SELECT week, session_date FROM sessions WHERE question_id = ? "
            "ORDER BY nominal_date DESC LIMIT 1",
            (question_id,),
        )
        return (row["week"], row["session_date"]) if row else None

    async def queue_warning(self, program_id: int) -> int:
        row = await self._one("SELECT queue_warning FROM programs WHERE id = ?", (program_id,))
        return int(row[0]) if row else 3

    # -- writing -----------------------------------------------------------------------------

    async def set_tags(self, question_id: int, tags: Sequence[str]) -> None:
        """Tags as a JSON array (NULL when there are none)."""
        await self._exec(
            "UPDATE questions SET tags = ? WHERE id = ?",
            (json.dumps(list(tags), ensure_ascii=False) if tags else None, question_id),
        )

    async def set_positions(self, question_ids: Sequence[int]) -> None:
        """Number these questions 1, 2, 3… in the order given (the new queue order)."""
        self.version += 1
        await self.conn.executemany(
            "UPDATE questions SET position = ? WHERE id = ?",
            [(pos, qid) for pos, qid in enumerate(question_ids, start=1)],
        )

    async def set_pin(self, question_id: int, week: str | None) -> None:
        await self._exec("UPDATE questions SET pinned_week = ? WHERE id = ?", (week, question_id))

    async def change_status(
        self, question_id: int, expect: str, status: str, *, to_end: bool = False
    ) -> bool:
        """Compare-and-set a question's status; a pin never survives leaving the queue.

        ``to_end`` puts the question after every other question of its program (a release).
        """
        sql = "UPDATE questions SET status = ?, pinned_week = NULL"
        if to_end:
            sql += (
                ", position = (SELECT COALESCE(MAX(q.position), 0) + 1 FROM questions q "
                "WHERE q.program_id = questions.program_id)"
            )
        return (
            await self._changed(sql + " WHERE id = ? AND status = ?", (status, question_id, expect))
            == 1
        )

    async def set_queue_warning(self, program_id: int, threshold: int) -> None:
        self._programs = None
        await self._exec(
            "UPDATE programs SET queue_warning = ? WHERE id = ?", (threshold, program_id)
        )
