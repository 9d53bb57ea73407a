"""Queries of people on Zalo (tables ``zalo_users``, ``zalo_seen``, ``link_codes``), and who on
Zalo reads what a group or a person is owed (for the delivery policy,
``bot/services/delivery.py``)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.chats import ZALO_CHAT_BASE, is_zalo_chat, zalo_chat_id
from bot.store.base import StoreBase, _iso


@dataclass(frozen=True)
class ZaloAccount:
    id: int
    zalo_id: str
    zalo_chat: str  # where messages to it are sent
    person_id: int
    display_name: str
    linked: bool  # linked to a person who is on Telegram (not its own person)
    wrote: bool = True  # has written to the bot (Zalo lets a bot write only to those)

    @property
    def chat_id(self) -> int:
        return zalo_chat_id(self.id)


@dataclass(frozen=True)
class ZaloReader:
    """A program member on Zalo, as the delivery policy sees them."""

    chat: int  # the account's chat
    address: int  # the person it acts as (their Telegram id, or this chat when only on Zalo)
    roles: frozenset[str]


_COLS = "id, zalo_id, zalo_chat, person_id, display_name, linked_at, wrote_at"


def _account(r: Any) -> ZaloAccount:
    return ZaloAccount(
        int(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), r[5] is not None, r[6] is not None
    )


# Message ids taken in by this process, remembered to recognise one delivered twice before its
# record is written (the oldest forgotten first).
_TAKEN_MAX = 10_000
_INTAKE_SQL = "INSERT OR IGNORE INTO zalo_seen (message_id, seen_at, update_id, message) VALUES "


class ZaloQueries(StoreBase):
    # Whether any Zalo account exists: a bot without Zalo pays nothing for the copies.
    _zalo_known: bool | None = None

    def _forget_elsewhere(self) -> None:
        super()._forget_elsewhere()
        self._zalo_known = None  # an account may have been named by the command line
        self._zalo_accounts.clear()
        self._zalo_ids.clear()

    def _forget_account(self, account_id: int) -> None:
        self._zalo_accounts.pop(account_id, None)

    async def _cached_account(self, sql: str, params: tuple[Any, ...]) -> ZaloAccount | None:
        """An account read as committed (kept until written to), or inside the caller's own
        transaction as it stands there (not kept: a rollback could undo it)."""
        if self._in_tx and self._owner is asyncio.current_task():
            r = await self._one(sql, params)
            return _account(r) if r else None
        rows = await self._committed(sql, params)
        if not rows:
            return None
        account = _account(rows[0])
        self._zalo_accounts[account.id] = account
        self._zalo_ids[account.zalo_id] = account.id
        return account

    async def any_zalo(self) -> bool:
        # Read once: this process is the only writer, and adding an account sets it.
        if self._zalo_known is None:
            row = await self._one("SELECT 1 FROM zalo_users WHERE id > 0 LIMIT 1")
            self._zalo_known = row is not None
        return self._zalo_known

    async def zalo_account(self, zalo_id: str) -> ZaloAccount | None:
        known = self._zalo_ids.get(zalo_id)
        if known is not None and known in self._zalo_accounts:
            return self._zalo_accounts[known]
        return await self._cached_account(
            f"SELECT {_COLS} FROM zalo_users WHERE zalo_id = ?", (zalo_id,)
        )

    async def zalo_account_by_chat(self, chat_id: int) -> ZaloAccount | None:
        if not is_zalo_chat(chat_id):
            return None
        account_id = chat_id - ZALO_CHAT_BASE
        cached = self._zalo_accounts.get(account_id)
        if cached is not None:
            return cached
        return await self._cached_account(
            f"SELECT {_COLS} FROM zalo_users WHERE id = ?", (account_id,)
        )

    async def zalo_accounts_of(self, person_id: int) -> list[ZaloAccount]:
        rows = await self._all(
            f"SELECT {_COLS} FROM zalo_users WHERE person_id = ? ORDER BY id", (person_id,)
        )
        return [_account(r) for r in rows]

    async def add_zalo_account(
        self, zalo_id: str, display_name: str, now: datetime, zalo_chat: str | None = None
    ) -> ZaloAccount:
        """A Zalo account's row and its own person (inside a transaction): from its first
        message (``zalo_chat`` given: it wrote), or named by the command line (not yet)."""
        if not self._in_tx:
            raise RuntimeError("a Zalo account is added inside a transaction")
        row = await self._one("SELECT COALESCE(MAX(id), 0) + 1 FROM zalo_users")
        assert row is not None
        account_id = int(row[0])
        chat_id = zalo_chat_id(account_id)
        await self._exec(
            "INSERT INTO people (tg_user_id, tg_name, created_at) VALUES (?, ?, ?)",
            (chat_id, display_name, _iso(now)),
        )
        person = await self._one("SELECT id FROM people WHERE tg_user_id = ?", (chat_id,))
        assert person is not None
        wrote = zalo_chat is not None
        await self._exec(
            "INSERT INTO zalo_users (id, zalo_id, zalo_chat, person_id, display_name, created_at, "
            "wrote_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                zalo_id,
                zalo_chat or zalo_id,
                int(person[0]),
                display_name,
                _iso(now),
                _iso(now) if wrote else None,
            ),
        )
        self._zalo_known = True
        self._forget_account(account_id)
        return ZaloAccount(
            account_id, zalo_id, zalo_chat or zalo_id, int(person[0]), display_name, False, wrote
        )

    async def zalo_wrote(self, account_id: int, zalo_chat: str, now: datetime) -> None:
        """The account wrote (first, or from another chat): where replies go, and that it may
        be written to."""
        self._forget_account(account_id)
        await self._exec(
            "UPDATE zalo_users SET zalo_chat = ?, wrote_at = COALESCE(wrote_at, ?) WHERE id = ?",
            (zalo_chat, _iso(now), account_id),
        )

    async def link_zalo_account(
        self, account_id: int, person_id: int, now: datetime | None
    ) -> None:
        """The account acts as ``person_id`` from now on (``now`` None: unlinked, on its own)."""
        self._forget_account(account_id)
        await self._exec(
            "UPDATE zalo_users SET person_id = ?, linked_at = ? WHERE id = ?",
            (person_id, _iso(now), account_id),
        )

    async def zalo_own_person(self, account_id: int) -> int:
        """The person an account was made with (its own, before any link)."""
        row = await self._one(
            "SELECT id FROM people WHERE tg_user_id = ?", (zalo_chat_id(account_id),)
        )
        assert row is not None  # written with the account, never deleted
        return int(row[0])

    async def zalo_taken(
        self, message_id: str, now: datetime, update_id: int, message: dict[str, Any]
    ) -> bool:
        """A Zalo message taken in; False when it was taken in (or handled) before.

        Costs no statement of its own: the record (``zalo_seen``, with the message, so that one
        not handled when the bot stopped is handled after the restart) is written with the next
        write of any kind, as the record of handled updates is (:meth:`flush_seen`), or at once
        by :meth:`write_zalo_intake` (a message that waits, a webhook's acknowledgement).
        """
        if message_id in self._taken or await self.seen_before(update_id):
            return False
        self._taken[message_id] = None
        while len(self._taken) > _TAKEN_MAX:
            self._taken.popitem(last=False)
        data = json.dumps(message, ensure_ascii=False)
        self._intake.append((message_id, _iso(now) or "", update_id, data))
        return True

    def zalo_intake_pending(self) -> int:
        return len(self._intake)

    async def write_zalo_intake(self) -> None:
        """Write the records of the Zalo messages taken in, now (one statement)."""
        rows, self._intake = self._intake, []
        if not rows:
            return
        try:
            await self._write_intake(rows)
        except BaseException:
            self._intake = rows + self._intake
            raise

    async def _write_intake(self, rows: list[tuple[str, str, int, str]]) -> None:
        sql = _INTAKE_SQL + ",".join(["(?, ?, ?, ?)"] * len(rows))
        params = [value for row in rows for value in row]
        if self._in_tx and self._owner is asyncio.current_task():
            self._count_statement(sql, params)
            await self.conn.execute(sql, params)
        else:
            await self._write(sql, params)

    async def zalo_message_fresh(
        self, message_id: str, now: datetime, update_id: int, message: dict[str, Any]
    ) -> bool:
        """Record a Zalo message as taken in, now; False when it was taken in before."""
        if not await self.zalo_taken(message_id, now, update_id, message):
            return False
        await self.write_zalo_intake()
        return True

    async def zalo_message_answered(self, message_id: str) -> None:
        """The transport answered the message itself: nothing to handle after a restart."""
        await self._exec(
            "UPDATE zalo_seen SET update_id = NULL, message = NULL WHERE message_id = ?",
            (message_id,),
        )

    async def zalo_unhandled(self, since: datetime) -> list[dict[str, Any]]:
        """Messages taken in since ``since`` whose update the application never handled."""
        rows = await self._all(
            "SELECT z.message FROM zalo_seen z WHERE z.seen_at >= ? AND z.update_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM seen_updates s WHERE s.update_id = z.update_id) "
            "ORDER BY z.seen_at",
            (_iso(since),),
        )
        return [json.loads(r[0]) for r in rows if r[0]]

    async def prune_zalo_seen(self, before: datetime) -> None:
        await self._exec("DELETE FROM zalo_seen WHERE seen_at < ?", (_iso(before),))

    # -- link codes ------------------------------------------------------------------------------

    async def create_link_code(
        self, code: str, person_id: int, now: datetime, expires_at: datetime
    ) -> None:
        # One code at a time per person: a new one replaces the ones not used yet.
        await self._exec(
            "DELETE FROM link_codes WHERE person_id = ? AND used_at IS NULL", (person_id,)
        )
        await self._exec(
            "INSERT INTO link_codes (code, person_id, created_at, expires_at) VALUES (?,?,?,?)",
            (code, person_id, _iso(now), _iso(expires_at)),
        )

    async def link_code(self, code: str) -> dict[str, Any] | None:
        r = await self._one(
            "SELECT code, person_id, expires_at, used_at FROM link_codes WHERE code = ?", (code,)
        )
        if r is None:
            return None
        return {
            "code": r[0],
            "person_id": int(r[1]),
            "expires_at": datetime.fromisoformat(r[2]),
            "used_at": r[3],
        }

    async def use_link_code(self, code: str, now: datetime) -> bool:
        before = self.conn.total_changes
        await self._exec(
            "UPDATE link_codes SET used_at = ? WHERE code = ? AND used_at IS NULL",
            (_iso(now), code),
        )
        return self.conn.total_changes > before

    # -- who on Zalo reads what is owed elsewhere -------------------------------------------------

    async def zalo_members(self, program_id: int) -> list[ZaloReader]:
        """The active members of a program who are on Zalo: each account's chat, the address of
        the person it acts as, and their roles in the program."""
        rows = await self._all(
            "SELECT z.id, p.tg_user_id, (SELECT group_concat(r.role) FROM member_roles r "
            " WHERE r.program_id = m.program_id AND r.person_id = m.person_id) AS roles "
            "FROM members m JOIN zalo_users z ON z.person_id = m.person_id "
            "JOIN people p ON p.id = m.person_id "
            "WHERE m.program_id = ? AND m.status = 'active' ORDER BY z.id",
            (program_id,),
        )
        return [
            ZaloReader(
                zalo_chat_id(int(r[0])), int(r[1]), frozenset(filter(None, (r[2] or "").split(",")))
            )
            for r in rows
        ]

    async def zalo_chats_of(self, address: int) -> list[int]:
        """The Zalo chats of the accounts linked to the person at ``address`` (Telegram)."""
        rows = await self._all(
            "SELECT z.id FROM people p JOIN zalo_users z ON z.person_id = p.id "
            "WHERE p.tg_user_id = ? ORDER BY z.id",
            (address,),
        )
        return [zalo_chat_id(int(r[0])) for r in rows]
