"""The audit trail, button actions, dialogs and the outbox."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.models import (
    Action,
    Dialog,
    Message,
    OutboxItem,
)
from bot.store.base import StoreBase, _dt, _iso, buttons_from_json, buttons_to_json


class PlumbingQueries(StoreBase):
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
        keep: bool = False,
    ) -> None:
        """Add to the audit trail. ``keep``: the row stands even if the transaction around it
        rolls back (the event of a refusal, which rolls its transaction back)."""
        sql = (
            "INSERT INTO events (program_id, session_id, kind, actor_id, detail, created_at) "
            "VALUES (?,?,?,?,?,?)"
        )
        params = (program_id, session_id, kind, actor_id, detail, _iso(now))
        if keep:
            await self._keep_on_rollback(sql, params)
        else:
            await self._exec(sql, params)

    async def events(
        self, program_id: int | None = None, kind: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT * FROM events WHERE (? IS NULL OR program_id = ?) AND (? IS NULL OR kind = ?)"
            " ORDER BY id DESC LIMIT ?",
            (program_id, program_id, kind, kind, limit),
        )
        return [dict(r) for r in rows]

    async def recent_events(
        self, kind: str, since: datetime, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Events of ``kind`` of no program since ``since``, newest first."""
        rows = await self._all(
            "SELECT * FROM events WHERE program_id IS NULL AND kind = ? AND created_at >= ? "
            "ORDER BY id DESC LIMIT ?",
            (kind, _iso(since), limit),
        )
        return [dict(r) for r in rows]

    async def count_person_events(self, kind: str, actor_id: int, since: datetime) -> int:
        """How many events of ``kind`` (of no program) ``actor_id`` caused since ``since``."""
        return await self._count(
            "SELECT COUNT(*) FROM events WHERE program_id IS NULL AND kind = ? AND actor_id = ? "
            "AND created_at >= ?",
            (kind, actor_id, _iso(since)),
        )

    async def latest_event(self, program_id: int, kinds: Sequence[str]) -> dict[str, Any] | None:
        marks = ",".join("?" * len(kinds))
        r = await self._one(
            f"SELECT * FROM events WHERE program_id = ? AND kind IN ({marks}) "
            "ORDER BY id DESC LIMIT 1",
            (program_id, *kinds),
        )
        return dict(r) if r else None

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
        await self.add_actions(
            [(token, kind, program_id, session_id, target, expires_at, single_use)], now
        )

    async def add_actions(
        self,
        actions: Sequence[tuple[str, str, int | None, int | None, str | None, datetime, bool]],
        now: datetime,
    ) -> None:
        """Store (token, kind, program_id, session_id, target, expires_at, single_use) rows in
        one statement."""
        if not actions:
            return
        marks = ",".join(["(?,?,?,?,?,?,?,?)"] * len(actions))
        params: list[Any] = []
        for token, kind, program_id, session_id, target, expires_at, single_use in actions:
            params += [
                token,
                kind,
                program_id,
                session_id,
                target,
                _iso(expires_at),
                int(single_use),
                _iso(now),
            ]
        await self._exec(
            "INSERT INTO actions (token, kind, program_id, session_id, target, expires_at, "
            f"single_use, created_at) VALUES {marks}",
            params,
        )

    async def action(self, token: str) -> Action | None:
        if not token.isascii():  # tokens are URL-safe ASCII; a lone surrogate cannot even be bound
            return None
        r = await self._one("SELECT * FROM actions WHERE token = ?", (token,))
        return self._action(r) if r else None

    async def take_action(self, token: str, now: datetime) -> Action | None:
        """A button press, in one statement: the action named by ``token``, marked used.

        A live action (a single-use one only if it was not used before) is marked used at
        ``now`` and returned as it was before the press (``used_at`` None). Otherwise
        (unknown, expired, used up) it is read as it is, so the caller can say why it is
        refused: None, an ``expires_at`` before ``now``, or a
        single-use action with ``used_at`` set. Call it inside the transaction of the step the
        press makes: a refusal later in that step rolls the mark back.
        """
        if not token.isascii():  # tokens are URL-safe ASCII; a lone surrogate cannot even be bound
            return None
        r = await self._write_one(
            "UPDATE actions SET used_at = ? WHERE token = ? AND expires_at >= ? "
            "AND (single_use = 0 OR used_at IS NULL) RETURNING *",
            (_iso(now), token, _iso(now)),
        )
        if r is not None:
            return replace(self._action(r), used_at=None)
        return await self.action(token)

    @staticmethod
    def _action(r: Any) -> Action:
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
        return (
            await self._changed(
                "UPDATE actions SET used_at = ? WHERE token = ? AND used_at IS NULL",
                (_iso(now), token),
            )
            == 1
        )

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
        """The person's open dialog (a read model: every message of theirs asks for it)."""
        key = ("dialog", person_id)
        found: tuple[Any, ...] | None = self.memo(key)
        if found is None:
            version = self.version
            r = await self._one(
                "SELECT kind, program_id, session_id, data FROM dialogs WHERE person_id = ?",
                (person_id,),
            )
            found = tuple(r) if r is not None else ()
            self.remember(key, version, found)
        if not found:
            return None
        kind, program_id, session_id, data = found
        # A fresh copy each time: a caller may change its data.
        return Dialog(person_id, kind, program_id, session_id, json.loads(data))

    async def clear_dialog(self, person_id: int) -> None:
        await self._exec("DELETE FROM dialogs WHERE person_id = ?", (person_id,))

    async def clear_session_dialogs(self, session_id: int) -> None:
        await self._exec("DELETE FROM dialogs WHERE session_id = ?", (session_id,))

    # -- outbox ------------------------------------------------------------------------------

    async def enqueue_many(self, messages: Sequence[Message], now: datetime) -> None:
        """Write owed messages as they are, in one statement per 500 of them (inside a
        transaction). Services owe through ``bot/services/delivery.py``, which adds the copies
        the delivery policy gives them."""
        if not self._in_tx:
            raise RuntimeError("outbox rows must be written inside the state change's transaction")
        for start in range(0, len(messages), 500):
            chunk = messages[start : start + 500]
            params: list[Any] = []
            for m in chunk:
                program = m.context.get("program")
                program_id = program.get("id") if isinstance(program, dict) else None
                params += [
                    m.chat_id,
                    m.template,
                    json.dumps(m.context, ensure_ascii=False, default=str),
                    buttons_to_json(m.buttons),
                    m.media_kind,
                    m.media_ref,
                    _iso(now),
                    _iso(m.expires_at),
                    program_id if isinstance(program_id, int) else None,
                ]
            await self._exec(
                "INSERT INTO outbox (chat_id, template, context, buttons, media_kind, media_ref, "
                "created_at, expires_at, program_id) VALUES "
                + ",".join(["(?,?,?,?,?,?,?,?,?)"] * len(chunk)),
                params,
            )
            self._outbox_dirty = True

    async def pending_outbox(
        self, limit: int = 200, skip_chats: Collection[int] = ()
    ) -> list[OutboxItem]:
        """What is owed, oldest first; ``skip_chats``: chats that cannot be written to now."""
        skipped = sorted(skip_chats)[:500]
        marks = ",".join("?" * len(skipped))
        rows = await self._all(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed IS NULL "
            + (f"AND chat_id NOT IN ({marks}) " if skipped else "")
            + "ORDER BY id LIMIT ?",
            (*skipped, limit),
        )
        return [_outbox_item(r) for r in rows]

    async def owed_after(self, after_id: int, limit: int) -> list[tuple[int, int]]:
        """(id, chat) of what is owed after ``after_id``, in order: what a channel's send loop
        looks at next. Committed rows only (read between transactions)."""
        rows = await self._committed(
            "SELECT id, chat_id FROM outbox WHERE id > ? AND sent_at IS NULL AND failed IS NULL "
            "ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def owed_items(self, ids: Sequence[int]) -> list[OutboxItem]:
        """The owed messages among ``ids``, in order (committed rows only)."""
        found: list[OutboxItem] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self._committed(
                f"SELECT * FROM outbox WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND sent_at IS NULL AND failed IS NULL ORDER BY id",
                chunk,
            )
            found += [_outbox_item(r) for r in rows]
        return found

    async def owed_to(self, chat_id: int) -> list[OutboxItem]:
        """Everything still owed to one chat, in order (committed rows only)."""
        rows = await self._committed(
            "SELECT * FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL "
            "ORDER BY id",
            (chat_id,),
        )
        return [_outbox_item(r) for r in rows]

    async def mark_sent(self, outbox_id: int, message_id: int | None, now: datetime) -> None:
        await self.mark_sent_many([outbox_id], message_id, now)

    async def mark_sent_many(
        self, outbox_ids: Sequence[int], message_id: int | None, now: datetime
    ) -> None:
        """Messages delivered together (one digest of several notices), in one statement."""
        marks = ",".join("?" * len(outbox_ids))
        await self._exec(
            "UPDATE outbox SET sent_at = ?, sent_message_id = ?, attempts = attempts + 1 "
            f"WHERE id IN ({marks})",
            (_iso(now), message_id, *outbox_ids),
        )

    async def mark_part_sent(self, outbox_id: int, parts_sent: int) -> None:
        """A part of a long message was delivered: a retry starts after it."""
        await self._exec(
            "UPDATE outbox SET parts_sent = ? WHERE id = ? AND parts_sent < ?",
            (parts_sent, outbox_id, parts_sent),
        )

    async def mark_failed(self, outbox_id: int, error: str | None) -> None:
        """Count a failed attempt; with ``error`` the message is given up for good."""
        await self._exec(
            "UPDATE outbox SET attempts = attempts + 1, failed = ? WHERE id = ?",
            (error, outbox_id),
        )

    async def mark_expired(self, outbox_id: int) -> bool:
        """Drop a message that no longer makes sense; False if it was sent or dropped already."""
        return (
            await self._changed(
                "UPDATE outbox SET failed = 'expired' WHERE id = ? AND sent_at IS NULL "
                "AND failed IS NULL",
                (outbox_id,),
            )
            == 1
        )

    async def count_outbox(self, pending_only: bool = True) -> int:
        where = "WHERE sent_at IS NULL AND failed IS NULL" if pending_only else ""
        return await self._count(f"SELECT COUNT(*) FROM outbox {where}")


def _outbox_item(r: Any) -> OutboxItem:
    return OutboxItem(
        id=r["id"],
        chat_id=r["chat_id"],
        template=r["template"],
        context=json.loads(r["context"]),
        buttons=buttons_from_json(r["buttons"]),
        media_kind=r["media_kind"],
        media_ref=r["media_ref"],
        attempts=r["attempts"],
        created_at=_dt(r["created_at"]),
        expires_at=_dt(r["expires_at"]),
        program_id=r["program_id"],
        parts_sent=r["parts_sent"],
    )
