"""Invite links of both kinds: for members (``invites``) and for grassroots askers
(``asker_invites``), which share their columns of use (migration 0005)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.store.base import StoreBase, _dt, _iso


class InviteQueries(StoreBase):
    # -- member invites ---------------------------------------------------------------------

    async def create_invite(
        self,
        token: str,
        program_id: int,
        role: str,
        preapproved: bool,
        created_by: int,
        expires_at: datetime,
        max_uses: int = 1,
    ) -> None:
        await self._insert_invite(
            "invites", token, program_id, preapproved, created_by, expires_at, max_uses, role=role
        )

    async def invite(self, token: str) -> dict[str, Any] | None:
        return await self._invite("invites", token)

    async def use_invite(self, token: str, now: datetime) -> int | None:
        return await self._use_invite("invites", token, now)

    # Member and asker invites share their columns of use (migration 0005).
    _INVITE_TABLES = frozenset({"invites", "asker_invites"})

    async def _invite(self, table: str, token: str) -> dict[str, Any] | None:
        assert table in self._INVITE_TABLES
        r = await self._one(f"SELECT * FROM {table} WHERE token = ?", (token,))
        if r is None:
            return None
        out = dict(r)
        out["expires_at"] = _dt(r["expires_at"])
        out["preapproved"] = bool(r["preapproved"])
        return out

    async def _use_invite(self, table: str, token: str, now: datetime) -> int | None:
        """Take one use of the invite: its count of uses after, or None when it cannot be used
        (used up, revoked or expired). One statement, so two people cannot share a last use."""
        assert table in self._INVITE_TABLES
        if not await self._changed(
            f"UPDATE {table} SET uses = uses + 1 WHERE token = ? AND uses < max_uses "
            "AND revoked_at IS NULL AND expires_at > ?",
            (token, _iso(now)),
        ):
            return None
        row = await self._one(f"SELECT uses FROM {table} WHERE token = ?", (token,))
        return int(row[0]) if row else None

    async def revoke_invites(self, program_id: int, created_by: int, now: datetime) -> int:
        """Revoke every invite (member and asker) a person made in a program; how many."""
        revoked = 0
        for table in sorted(self._INVITE_TABLES):
            revoked += await self._changed(
                f"UPDATE {table} SET revoked_at = ? WHERE program_id = ? AND created_by = ? "
                "AND revoked_at IS NULL AND uses < max_uses",
                (_iso(now), program_id, created_by),
            )
        return revoked

    # -- asker invites -----------------------------------------------------------------------

    async def create_asker_invite(
        self,
        token: str,
        program_id: int,
        preapproved: bool,
        created_by: int,
        expires_at: datetime,
        max_uses: int = 1,
    ) -> None:
        await self._insert_invite(
            "asker_invites", token, program_id, preapproved, created_by, expires_at, max_uses
        )

    async def _insert_invite(
        self,
        table: Literal["invites", "asker_invites"],
        token: str,
        program_id: int,
        preapproved: bool,
        created_by: int,
        expires_at: datetime,
        max_uses: int,
        role: str | None = None,
    ) -> None:
        """One invite of either kind; a member invite also names the role it gives."""
        values: dict[str, Any] = {
            "token": token,
            "program_id": program_id,
            "preapproved": int(preapproved),
            "created_by": created_by,
            "expires_at": _iso(expires_at),
            "max_uses": max_uses,
        }
        if table == "invites":
            values["role"] = role
        columns = ", ".join(values)
        marks = ",".join("?" * len(values))
        await self._exec(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
        )

    async def asker_invite(self, token: str) -> dict[str, Any] | None:
        return await self._invite("asker_invites", token)

    async def use_asker_invite(self, token: str, now: datetime) -> int | None:
        return await self._use_invite("asker_invites", token, now)
