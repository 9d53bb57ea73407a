"""Programs, people, memberships, roles, invites and replayed updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date, datetime, time
from typing import Any

import aiosqlite

from bot.chats import NO_GROUP_BASE
from bot.models import (
    Member,
    Person,
    Program,
    SettingProblem,
)
from bot.schedule import ScheduleValues, read_schedule, stored_schedule
from bot.store.base import _SEEN, SeenUpdate, StoreBase, _d, _iso
from bot.text import vi_name_key

# The programs columns that hold the schedule: the fields of ScheduleValues, same names.
SCHEDULE_COLUMNS = tuple(f.name for f in fields(ScheduleValues))


def by_name(person: Person) -> tuple[Any, int]:
    """The order of people in every list shown to users: Vietnamese name order
    (:func:`bot.text.vi_name_key`), then the person's number. SQLite cannot sort so; the
    lists are small (one program's people)."""
    return vi_name_key(person.display_name), person.id


class PeopleQueries(StoreBase):
    # -- updates already seen ----------------------------------------------------------------

    async def mark_update_seen(self, update_id: int, now: datetime, final: bool = False) -> bool:
        """True if this update is new; False if it was handled before (a replay).

        The update is written to ``seen_updates`` in the first transaction the update opens,
        with what it changes; one that changed nothing is written by the next transaction of
        any update (:meth:`flush_seen`): lost in a crash, it is harmless to handle again. The
        ids seen are kept in memory too (this process is the only writer), so the check costs
        no statement. ``final``: the update is done with now (dropped by the gate, ignored):
        it is written at once, so it never comes back after a restart.
        """
        if await self.seen_before(update_id):
            return False
        assert self._seen is not None
        self._seen.add(update_id)
        if final:
            done = [*self._seen_pending, (update_id, _iso(now) or "")]
            self._seen_pending = []
            try:
                await self._write_seen(done)
            except BaseException:
                self._seen_pending = done + self._seen_pending
                raise
            return True
        _SEEN.set(SeenUpdate(update_id, _iso(now) or ""))
        return True

    async def prune_seen_updates(self, before: datetime) -> None:
        """Forget the updates seen before ``before``: by age, never by id (ids of different
        channels are not in the order they came)."""
        self._seen = None  # read again when next needed
        await self._exec("DELETE FROM seen_updates WHERE seen_at < ?", (_iso(before),))

    # -- programs ----------------------------------------------------------------------------

    _PROGRAM_COLS = (
        "id, chat_id, title, tz, weekday, publish_lead_days, publish_time, draw_time, "
        "answer_minutes, reminder_minutes, holiday_policy, auto_draw, no_repeat, round_no, active"
    )

    @staticmethod
    def _program(r: aiosqlite.Row) -> Program:
        schedule, problems = stored_schedule({k: r[k] for k in SCHEDULE_COLUMNS})
        return Program(
            id=r["id"],
            chat_id=r["chat_id"],
            title=r["title"],
            tz=schedule.tz,
            weekday=schedule.weekday,
            publish_lead_days=schedule.publish_lead_days,
            publish_time=schedule.publish_time,
            draw_time=schedule.draw_time,
            answer_minutes=schedule.answer_minutes,
            reminder_minutes=schedule.reminder_minutes,
            holiday_policy=schedule.holiday_policy,  # type: ignore[arg-type]
            auto_draw=bool(r["auto_draw"]),
            no_repeat=bool(r["no_repeat"]),
            round_no=r["round_no"],
            active=bool(r["active"]),
            problems=tuple(problems),
        )

    async def create_program(
        self, chat_id: int, title: str, tz: str, created_by: int | None, now: datetime
    ) -> int:
        self._programs = None
        return await self._exec(
            "INSERT INTO programs (chat_id, title, tz, created_by, created_at) VALUES (?,?,?,?,?)",
            (chat_id, title, tz, created_by, _iso(now)),
        )

    async def next_no_group_chat(self) -> int:
        """The chat id of a new program without a Telegram group (see ``bot/chats.py``)."""
        r = await self._one(
            "SELECT MIN(chat_id) FROM programs WHERE chat_id <= ?", (NO_GROUP_BASE,)
        )
        lowest = r[0] if r is not None and r[0] is not None else NO_GROUP_BASE
        return int(lowest) - 1

    async def program(self, program_id: int) -> Program | None:
        for p in self._programs or ():
            if p.id == program_id:
                return p  # type: ignore[no-any-return]
        r = await self._one(
            f"SELECT {self._PROGRAM_COLS} FROM programs WHERE id = ?", (program_id,)
        )
        return self._program(r) if r else None

    async def stored_schedule(self, program_id: int) -> tuple[ScheduleValues, list[SettingProblem]]:
        """The schedule exactly as stored (unreadable values: default, and a problem)."""
        r = await self._one(
            f"SELECT {', '.join(SCHEDULE_COLUMNS)} FROM programs WHERE id = ?", (program_id,)
        )
        return read_schedule({k: r[k] for k in SCHEDULE_COLUMNS} if r else {})

    async def program_by_chat(self, chat_id: int) -> Program | None:
        for p in self._programs or ():
            if p.chat_id == chat_id:
                return p  # type: ignore[no-any-return]
        r = await self._one(
            f"SELECT {self._PROGRAM_COLS} FROM programs WHERE chat_id = ?", (chat_id,)
        )
        return self._program(r) if r else None

    async def programs(self, active_only: bool = True) -> list[Program]:
        if active_only and self._programs is not None:
            return list(self._programs)
        where = "WHERE active = 1" if active_only else ""
        rows = await self._all(f"SELECT {self._PROGRAM_COLS} FROM programs {where} ORDER BY id")
        programs = [self._program(r) for r in rows]
        if active_only and not self._in_tx:  # never cache what a rollback could undo
            self._programs = list(programs)
        return programs

    async def move_program_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup with a new id: the program and what it still owes
        there follow it. A program already bound in the new chat is moved aside first."""
        self._programs = None
        # Parked on an id no chat has (Telegram ids stay above -10^13), and inactive.
        await self._exec(
            "UPDATE programs SET chat_id = -9000000000000000000 - id, active = 0 WHERE chat_id = ?",
            (new_chat_id,),
        )
        await self._exec(
            "UPDATE programs SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
        )
        await self._exec(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND sent_at IS NULL "
            "AND failed IS NULL",
            (new_chat_id, old_chat_id),
        )

    async def program_is_empty(self, program_id: int) -> bool:
        """No session and no question: a program bound by mistake, nothing to lose."""
        row = await self._one(
            "SELECT (SELECT COUNT(*) FROM sessions WHERE program_id = ?) + "
            "(SELECT COUNT(*) FROM questions WHERE program_id = ?)",
            (program_id, program_id),
        )
        return row is not None and row[0] == 0

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
        self._programs = None
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
        cached = self._people.get(tg_user_id)
        if cached is None:  # not cached (first update since the start): read before writing
            cached = await self.person_by_tg(tg_user_id)
        if cached is not None and (cached.username, cached.tg_name, cached.is_superadmin) == (
            username,
            tg_name,
            superadmin,
        ):
            return cached
        await self._exec(
            "INSERT INTO people (tg_user_id, username, tg_name, is_superadmin, created_at) "
            "VALUES (?,?,?,?,?) ON CONFLICT (tg_user_id) DO UPDATE SET "
            "username = excluded.username, tg_name = excluded.tg_name, "
            "is_superadmin = excluded.is_superadmin "
            "WHERE username IS NOT excluded.username OR tg_name IS NOT excluded.tg_name "
            "OR is_superadmin IS NOT excluded.is_superadmin",
            (tg_user_id, username, tg_name, int(superadmin), _iso(now)),
        )
        self._forget_tg_user(tg_user_id)
        person = await self.person_by_tg(tg_user_id)
        assert person is not None
        return person

    async def person(self, person_id: int) -> Person | None:
        cached = self._people_by_id.get(person_id)
        if cached is not None:
            return cached
        r = await self._one(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.id = ?", (person_id,)
        )
        person = self._person(r) if r else None
        if person is not None and not self._in_tx:  # never cache what a rollback could undo
            self._remember_person(person)
        return person

    async def person_by_tg(self, tg_user_id: int) -> Person | None:
        cached = self._people.get(tg_user_id)
        if cached is not None:
            return cached
        r = await self._one(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.tg_user_id = ?", (tg_user_id,)
        )
        person = self._person(r) if r else None
        if person is not None and not self._in_tx:  # never cache what a rollback could undo
            self._remember_person(person)
        return person

    async def superadmins(self) -> list[Person]:
        rows = await self._all(
            f"SELECT {self._PERSON_COLS} FROM people p WHERE p.is_superadmin = 1 ORDER BY p.id"
        )
        return [self._person(r) for r in rows]

    async def set_person_profile(self, person_id: int, full_name: str, title: str) -> None:
        self._forget_person(person_id)
        await self._exec(
            "UPDATE people SET full_name = ?, title = ? WHERE id = ?", (full_name, title, person_id)
        )

    async def set_current_program(self, person_id: int, program_id: int) -> None:
        self._forget_person(person_id)
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
        key = ("roles", program_id, person_id)
        found: frozenset[str] | None = self.memo(key)
        if found is not None:
            return found
        version = self.version
        rows = await self._all(
            "SELECT r.role FROM member_roles r JOIN members m "
            "ON m.program_id = r.program_id AND m.person_id = r.person_id "
            "WHERE r.program_id = ? AND r.person_id = ? AND m.status = 'active'",
            (program_id, person_id),
        )
        roles = frozenset(r["role"] for r in rows)
        self.remember(key, version, roles)
        return roles

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
            f"FROM members m JOIN people p ON p.id = m.person_id WHERE {where}",
            params,
        )
        members = [
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
        return sorted(members, key=lambda m: by_name(m.person))

    async def member(self, program_id: int, person_id: int) -> Member | None:
        found = await self._members("m.program_id = ? AND m.person_id = ?", (program_id, person_id))
        return found[0] if found else None

    async def members(self, program_id: int, status: str | None = None) -> list[Member]:
        if status is None:
            return await self._members("m.program_id = ?", (program_id,))
        return await self._members("m.program_id = ? AND m.status = ?", (program_id, status))

    async def memberships(self, person_id: int) -> list[Member]:
        key = ("memberships", person_id)
        found: tuple[Member, ...] | None = self.memo(key)
        if found is None:
            version = self.version
            found = tuple(await self._members("m.person_id = ?", (person_id,)))
            self.remember(key, version, found)
        return list(found)

    async def members_with_role(self, program_id: int, role: str) -> list[Member]:
        return await self._members(
            "m.program_id = ? AND m.status = 'active' AND EXISTS (SELECT 1 FROM member_roles r "
            "WHERE r.program_id = m.program_id AND r.person_id = m.person_id AND r.role = ?)",
            (program_id, role),
        )
