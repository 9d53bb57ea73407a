"""Every SQL statement of the application lives in this module.

Services own transactions: ``async with store.transaction():`` serializes writers on the one
connection (aiosqlite runs statements on a single thread, so interleaved coroutines would otherwise
share a transaction) and commits or rolls back as a unit. Outbox rows written inside a transaction
become visible to the sender only after the commit, which then wakes it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from typing import Any

import aiosqlite

from bot.models import (
    Action,
    Button,
    Buttons,
    Dialog,
    Draw,
    Grade,
    Member,
    OutboxItem,
    Person,
    Program,
    Question,
    Session,
)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _hm(value: str) -> time:
    return time.fromisoformat(value)


def buttons_to_json(buttons: Buttons) -> str | None:
    if not buttons:
        return None
    return json.dumps(
        [[{"text": b.text, "token": b.token, "url": b.url} for b in row] for row in buttons],
        ensure_ascii=False,
    )


def buttons_from_json(raw: str | None) -> Buttons:
    if not raw:
        return ()
    return tuple(
        tuple(Button(text=b["text"], token=b.get("token"), url=b.get("url")) for b in row)
        for row in json.loads(raw)
    )


class Store:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._in_tx = False
        self._outbox_dirty = False
        self.on_outbox: list[Callable[[], None]] = []

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._in_tx and self._owner is task:
            # Nested use inside the same task joins the outer transaction.
            yield
            return
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx, self._owner = True, task
            try:
                yield
            except BaseException:
                self._outbox_dirty = False
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._in_tx, self._owner = False, None
            if self._outbox_dirty:
                self._outbox_dirty = False
                for notify in self.on_outbox:
                    notify()

    # -- helpers ---------------------------------------------------------------------------

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self.conn.execute(sql, params) as cur:
            return cur.lastrowid or cur.rowcount

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        row = await self._one(sql, params)
        return int(row[0]) if row else 0

    # -- updates already seen ----------------------------------------------------------------

    async def mark_update_seen(self, update_id: int, now: datetime) -> bool:
        """True if this update is new; False if it was handled before (a replay)."""
        async with self.conn.execute(
            "INSERT OR IGNORE INTO seen_updates (update_id, seen_at) VALUES (?, ?)",
            (update_id, _iso(now)),
        ) as cur:
            return cur.rowcount == 1

    async def prune_seen_updates(self, keep: int = 10000) -> None:
        await self._exec(
            "DELETE FROM seen_updates WHERE update_id < "
            "(SELECT MIN(update_id) FROM (SELECT update_id FROM seen_updates "
            "ORDER BY update_id DESC LIMIT ?))",
            (keep,),
        )

    # -- programs ----------------------------------------------------------------------------

    _PROGRAM_COLS = (
        "id, chat_id, title, tz, weekday, publish_lead_days, publish_time, draw_time, "
        "answer_minutes, reminder_minutes, holiday_policy, auto_draw, no_repeat, round_no, active"
    )

    @staticmethod
    def _program(r: aiosqlite.Row) -> Program:
        return Program(
            id=r["id"],
            chat_id=r["chat_id"],
            title=r["title"],
            tz=r["tz"],
            weekday=r["weekday"],
            publish_lead_days=r["publish_lead_days"],
            publish_time=_hm(r["publish_time"]),
            draw_time=_hm(r["draw_time"]),
            answer_minutes=r["answer_minutes"],
            reminder_minutes=r["reminder_minutes"],
            holiday_policy=r["holiday_policy"],
            auto_draw=bool(r["auto_draw"]),
            no_repeat=bool(r["no_repeat"]),
            round_no=r["round_no"],
            active=bool(r["active"]),
        )

    async def create_program(
        self, chat_id: int, title: str, tz: str, created_by: int, now: datetime
    ) -> int:
        return await self._exec(
            "INSERT INTO programs (chat_id, title, tz, created_by, created_at) VALUES (?,?,?,?,?)",
            (chat_id, title, tz, created_by, _iso(now)),
        )

    async def program(self, program_id: int) -> Program | None:
        r = await self._one(
            f"SELECT {self._PROGRAM_COLS} FROM programs WHERE id = ?", (program_id,)
        )
        return self._program(r) if r else None

    async def program_by_chat(self, chat_id: int) -> Program | None:
        r = await self._one(
            f"SELECT {self._PROGRAM_COLS} FROM programs WHERE chat_id = ?", (chat_id,)
        )
        return self._program(r) if r else None

    async def programs(self, active_only: bool = True) -> list[Program]:
        where = "WHERE active = 1" if active_only else ""
        rows = await self._all(f"SELECT {self._PROGRAM_COLS} FROM programs {where} ORDER BY id")
        return [self._program(r) for r in rows]

    async def update_program(self, program_id: int, **fields: Any) -> None:
        allowed = {
            "title",
            "tz",
            "weekday",
            "publish_lead_days",
            "publish_time",
            "draw_time",
            "answer_minutes",
            "reminder_minutes",
            "holiday_policy",
            "auto_draw",
            "no_repeat",
            "round_no",
            "active",
            "chat_id",
        }
        if not fields or set(fields) - allowed:
            raise ValueError(f"cannot update program fields {sorted(set(fields) - allowed)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        values = [v.strftime("%H:%M") if isinstance(v, time) else v for v in fields.values()]
        await self._exec(f"UPDATE programs SET {cols} WHERE id = ?", (*values, program_id))

    # -- people and members -------------------------------------------------------------------

    _PERSON_COLS = (
        "p.id, p.tg_user_id, p.username, p.tg_name, p.full_name, p.title, p.is_superadmin, "
        "p.current_program_id"
    )

    @staticmethod
    def _person(r: aiosqlite.Row) -> Person:
        return Person(
            id=r["id"],
            tg_user_id=r["tg_user_id"],
            username=r["username"],
            tg_name=r["tg_name"],
            full_name=r["full_name"],
            title=r["title"],
            is_superadmin=bool(r["is_superadmin"]),
            current_program_id=r["current_program_id"],
        )

    async def upsert_person(
        self, tg_user_id: int, username: str | None, tg_name: str, superadmin: bool, now: datetime
    ) -> Person:
        await self._exec(
            "INSERT INTO people (tg_user_id, username, tg_name, is_superadmin, created_at) "
            "VALUES (?,?,?,?,?) ON CONFLICT (tg_user_id) DO UPDATE SET "
            "username = excluded.username, tg_name = excluded.tg_name, "
            "is_superadmin = excluded.is_superadmin "
            "WHERE username IS NOT excluded.username OR tg_name IS NOT excluded.tg_name "
            "OR is_superadmin IS NOT excluded.is_superadmin",
            (tg_user_id, username, tg_name, int(superadmin), _iso(now)),
        )
        person = await self.person_by_tg(tg_user_id)
        assert person is not None
        return person

    async def person(self, person_id: int) -> Person | None:
        r = await self._one(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.id = ?", (person_id,)
        )
        return self._person(r) if r else None

    async def person_by_tg(self, tg_user_id: int) -> Person | None:
        r = await self._one(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.tg_user_id = ?", (tg_user_id,)
        )
        return self._person(r) if r else None

    async def superadmins(self) -> list[Person]:
        rows = await self._all(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.is_superadmin = 1 ORDER BY p.id"
        )
        return [self._person(r) for r in rows]

    async def set_person_profile(self, person_id: int, full_name: str, title: str) -> None:
        await self._exec(
            "UPDATE people SET full_name = ?, title = ? WHERE id = ?", (full_name, title, person_id)
        )

    async def set_current_program(self, person_id: int, program_id: int) -> None:
        await self._exec(
            "UPDATE people SET current_program_id = ? WHERE id = ?", (program_id, person_id)
        )

    async def upsert_member(
        self, program_id: int, person_id: int, status: str, now: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO members (program_id, person_id, status, joined_at) VALUES (?,?,?,?) "
            "ON CONFLICT (program_id, person_id) DO UPDATE SET status = excluded.status",
            (program_id, person_id, status, _iso(now)),
        )

    async def set_member_status(self, program_id: int, person_id: int, status: str) -> None:
        await self._exec(
            "UPDATE members SET status = ? WHERE program_id = ? AND person_id = ?",
            (status, program_id, person_id),
        )

    async def set_member_away(
        self,
        program_id: int,
        person_id: int,
        kind: str | None,
        start: date | None,
        until: date | None,
    ) -> None:
        await self._exec(
            "UPDATE members SET away_kind = ?, away_from = ?, away_until = ? "
            "WHERE program_id = ? AND person_id = ?",
            (kind, _iso(start), _iso(until), program_id, person_id),
        )

    async def set_roles(self, program_id: int, person_id: int, roles: Iterable[str]) -> None:
        await self._exec(
            "DELETE FROM member_roles WHERE program_id = ? AND person_id = ?",
            (program_id, person_id),
        )
        for role in sorted(set(roles)):
            await self._exec(
                "INSERT INTO member_roles (program_id, person_id, role) VALUES (?,?,?)",
                (program_id, person_id, role),
            )

    async def roles(self, program_id: int, person_id: int) -> frozenset[str]:
        rows = await self._all(
            "SELECT r.role FROM member_roles r JOIN members m "
            "ON m.program_id = r.program_id AND m.person_id = r.person_id "
            "WHERE r.program_id = ? AND r.person_id = ? AND m.status = 'active'",
            (program_id, person_id),
        )
        return frozenset(r["role"] for r in rows)

    async def all_roles(self, person_id: int) -> dict[int, frozenset[str]]:
        rows = await self._all(
            "SELECT r.program_id, r.role FROM member_roles r JOIN members m "
            "ON m.program_id = r.program_id AND m.person_id = r.person_id "
            "WHERE r.person_id = ? AND m.status = 'active'",
            (person_id,),
        )
        out: dict[int, set[str]] = {}
        for r in rows:
            out.setdefault(r["program_id"], set()).add(r["role"])
        return {k: frozenset(v) for k, v in out.items()}

    async def _members(self, where: str, params: Sequence[Any]) -> list[Member]:
        rows = await self._all(
            f"SELECT {self._PERSON_COLS}, m.program_id, m.status, m.away_kind, m.away_from, "
            "m.away_until, (SELECT group_concat(role) FROM member_roles r "
            " WHERE r.program_id = m.program_id AND r.person_id = m.person_id) AS roles "
            f"FROM members m JOIN people p ON p.id = m.person_id WHERE {where} "
            "ORDER BY p.full_name COLLATE NOCASE, p.id",
            params,
        )
        return [
            Member(
                program_id=r["program_id"],
                person=self._person(r),
                status=r["status"],
                roles=frozenset((r["roles"] or "").split(",")) - {""},
                away_kind=r["away_kind"],
                away_from=_d(r["away_from"]),
                away_until=_d(r["away_until"]),
            )
            for r in rows
        ]

    async def member(self, program_id: int, person_id: int) -> Member | None:
        found = await self._members("m.program_id = ? AND m.person_id = ?", (program_id, person_id))
        return found[0] if found else None

    async def members(self, program_id: int, status: str | None = None) -> list[Member]:
        if status is None:
            return await self._members("m.program_id = ?", (program_id,))
        return await self._members("m.program_id = ? AND m.status = ?", (program_id, status))

    async def memberships(self, person_id: int) -> list[Member]:
        return await self._members("m.person_id = ?", (person_id,))

    async def members_with_role(self, program_id: int, role: str) -> list[Member]:
        return await self._members(
            "m.program_id = ? AND m.status = 'active' AND EXISTS (SELECT 1 FROM member_roles r "
            "WHERE r.program_id = m.program_id AND r.person_id = m.person_id AND r.role = ?)",
            (program_id, role),
        )

    # -- invites ----------------------------------------------------------------------------

    async def create_invite(
        self,
        token: str,
        program_id: int,
        role: str,
        preapproved: bool,
        created_by: int,
        expires_at: datetime,
    ) -> None:
        await self._exec(
            "INSERT INTO invites (token, program_id, role, preapproved, created_by, expires_at) "
            "VALUES (?,?,?,?,?,?)",
            (token, program_id, role, int(preapproved), created_by, _iso(expires_at)),
        )

    async def invite(self, token: str) -> dict[str, Any] | None:
        r = await self._one("SELECT * FROM invites WHERE token = ?", (token,))
        if r is None:
            return None
        out = dict(r)
        out["expires_at"] = _dt(r["expires_at"])
        out["preapproved"] = bool(r["preapproved"])
        return out

    async def use_invite(self, token: str) -> None:
        await self._exec("UPDATE invites SET uses = uses + 1 WHERE token = ?", (token,))

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
            state=r["state"],
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
        async with self.conn.execute(
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
        ) as cur:
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
        """Sessions waiting for this person's answer."""
        rows = await self._all(
            "SELECT * FROM sessions WHERE drawn_person_id = ? AND state = 'drawn' "
            "ORDER BY draw_at DESC",
            (person_id,),
        )
        return [self._session(r) for r in rows]

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
        async with self.conn.execute(sql, params) as cur:
            return cur.rowcount == 1

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
    ) -> None:
        await self._exec(
            "INSERT INTO draws (session_id, attempt, pool, chosen_id, new_round, reason, actor_id,"
            " created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                session_id,
                attempt,
                ",".join(map(str, pool)),
                chosen_id,
                int(new_round),
                reason,
                actor_id,
                _iso(now),
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

    # -- audit -------------------------------------------------------------------------------

    async def log_event(
        self,
        kind: str,
        now: datetime,
        *,
        program_id: int | None = None,
        session_id: int | None = None,
        actor_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        await self._exec(
            "INSERT INTO events (program_id, session_id, kind, actor_id, detail, created_at) "
            "VALUES (?,?,?,?,?,?)",
            (program_id, session_id, kind, actor_id, detail, _iso(now)),
        )

    async def events(
        self, program_id: int | None = None, kind: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT * FROM events WHERE (? IS NULL OR program_id = ?) AND (? IS NULL OR kind = ?)"
            " ORDER BY id DESC LIMIT ?",
            (program_id, program_id, kind, kind, limit),
        )
        return [dict(r) for r in rows]

    # -- actions (callback tokens) ------------------------------------------------------------

    async def add_action(
        self,
        token: str,
        kind: str,
        program_id: int | None,
        session_id: int | None,
        target: str | None,
        expires_at: datetime,
        single_use: bool,
        now: datetime,
    ) -> None:
        await self._exec(
            "INSERT INTO actions (token, kind, program_id, session_id, target, expires_at, "
            "single_use, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                token,
                kind,
                program_id,
                session_id,
                target,
                _iso(expires_at),
                int(single_use),
                _iso(now),
            ),
        )

    async def action(self, token: str) -> Action | None:
        r = await self._one("SELECT * FROM actions WHERE token = ?", (token,))
        if r is None:
            return None
        return Action(
            token=r["token"],
            kind=r["kind"],
            program_id=r["program_id"],
            session_id=r["session_id"],
            target=r["target"],
            expires_at=datetime.fromisoformat(r["expires_at"]),
            single_use=bool(r["single_use"]),
            used_at=_dt(r["used_at"]),
        )

    async def use_action(self, token: str, now: datetime) -> bool:
        """Mark a single-use action used; False if it had been used already."""
        async with self.conn.execute(
            "UPDATE actions SET used_at = ? WHERE token = ? AND used_at IS NULL",
            (_iso(now), token),
        ) as cur:
            return cur.rowcount == 1

    async def prune_actions(self, now: datetime) -> None:
        await self._exec("DELETE FROM actions WHERE expires_at < ?", (_iso(now),))

    # -- dialogs -----------------------------------------------------------------------------

    async def set_dialog(
        self,
        person_id: int,
        kind: str,
        program_id: int | None,
        session_id: int | None,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        await self._exec(
            "INSERT INTO dialogs (person_id, kind, program_id, session_id, data, updated_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (person_id) DO UPDATE SET kind = excluded.kind, "
            "program_id = excluded.program_id, session_id = excluded.session_id, "
            "data = excluded.data, updated_at = excluded.updated_at",
            (
                person_id,
                kind,
                program_id,
                session_id,
                json.dumps(data, ensure_ascii=False),
                _iso(now),
            ),
        )

    async def dialog(self, person_id: int) -> Dialog | None:
        r = await self._one("SELECT * FROM dialogs WHERE person_id = ?", (person_id,))
        if r is None:
            return None
        return Dialog(
            person_id=r["person_id"],
            kind=r["kind"],
            program_id=r["program_id"],
            session_id=r["session_id"],
            data=json.loads(r["data"]),
        )

    async def clear_dialog(self, person_id: int) -> None:
        await self._exec("DELETE FROM dialogs WHERE person_id = ?", (person_id,))

    # -- outbox ------------------------------------------------------------------------------

    async def enqueue(
        self,
        chat_id: int,
        template: str,
        context: dict[str, Any],
        now: datetime,
        buttons: Buttons = (),
        media_kind: str | None = None,
        media_ref: str | None = None,
    ) -> int:
        if not self._in_tx:
            raise RuntimeError("outbox rows must be written inside the state change's transaction")
        self._outbox_dirty = True
        return await self._exec(
            "INSERT INTO outbox (chat_id, template, context, buttons, media_kind, media_ref, "
            "created_at) VALUES (?,?,?,?,?,?,?)",
            (
                chat_id,
                template,
                json.dumps(context, ensure_ascii=False, default=str),
                buttons_to_json(buttons),
                media_kind,
                media_ref,
                _iso(now),
            ),
        )

    async def pending_outbox(self, limit: int = 200) -> list[OutboxItem]:
        rows = await self._all(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            OutboxItem(
                id=r["id"],
                chat_id=r["chat_id"],
                template=r["template"],
                context=json.loads(r["context"]),
                buttons=buttons_from_json(r["buttons"]),
                media_kind=r["media_kind"],
                media_ref=r["media_ref"],
                attempts=r["attempts"],
            )
            for r in rows
        ]

    async def mark_sent(self, outbox_id: int, message_id: int | None, now: datetime) -> None:
        await self._exec(
            "UPDATE outbox SET sent_at = ?, sent_message_id = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (_iso(now), message_id, outbox_id),
        )

    async def mark_failed(self, outbox_id: int, error: str | None) -> None:
        """Count a failed attempt; with ``error`` the message is given up for good."""
        await self._exec(
            "UPDATE outbox SET attempts = attempts + 1, failed = ? WHERE id = ?",
            (error, outbox_id),
        )

    async def count_outbox(self, pending_only: bool = True) -> int:
        where = "WHERE sent_at IS NULL AND failed IS NULL" if pending_only else ""
        return await self._count(f"SELECT COUNT(*) FROM outbox {where}")
