"""The application core handed to every service: the store, the clock and the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.models import Person, Program, Reply
from bot.store import Store
from bot.words import ROLE_LABELS

log = logging.getLogger("hoidap")


class Refused(Exception):
    """A request that is understood but not allowed or not possible now.

    Carries the reply to give; nothing has been recorded (the transaction rolls back).
    """

    def __init__(self, template: str, **context: Any) -> None:
        super().__init__(template)
        self.reply = Reply(template, context, alert=True)


@dataclass
class Core:
    store: Store
    clock: Clock
    settings: Settings
    # Called after a program's schedule or queue changed, so the scheduler can re-plan it.
    on_program_changed: list[Any] = field(default_factory=list)
    # Awaited after someone's roles changed, so the transport can update their command menu.
    on_roles_changed: list[Any] = field(default_factory=list)
    # Scheduled steps under way (:meth:`stepping`): the outbox holds admin notices back
    # meanwhile, so that the notices of one moment reach each admin as one digest.
    steps_running: int = 0
    on_steps_done: list[Callable[[], None]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def stepping(self) -> Iterator[None]:
        """While programs' scheduled steps run (the scheduler's wake-ups, which come for many
        programs at the same moment)."""
        self.steps_running += 1
        try:
            yield
        finally:
            self.steps_running -= 1
            if not self.steps_running:
                for done in self.on_steps_done:
                    done()

    def today(self, program: Program | None = None) -> date:
        """Today's date where the program is (its time zone), or in ``HOIDAP_TZ`` without one.

        Every "today" and every date typed without a year is this date, never the UTC date:
        between 00:00 and 07:00 in Viet Nam the UTC date is still yesterday's.
        """
        return self.now().astimezone(ZoneInfo(program.tz if program else self.settings.tz)).date()

    async def person_for(
        self, tg_user_id: int, username: str | None, first: str, last: str | None
    ) -> Person:
        tg_name = " ".join(p for p in (first, last) if p).strip()[:128]
        superadmin = tg_user_id in self.settings.admins
        return await self.store.upsert_person(tg_user_id, username, tg_name, superadmin, self.now())

    async def roles(self, person: Person, program_id: int) -> frozenset[str]:
        roles = await self.store.roles(program_id, person.id)
        # Admins named in HOIDAP_ADMINS administer every program.
        return roles | {"admin"} if person.is_superadmin else roles

    async def admins(self, program: Program) -> list[Person]:
        """Who administers ``program``: its admins and the bot's (HOIDAP_ADMINS)."""
        found = {
            m.person.id: m.person for m in await self.store.members_with_role(program.id, "admin")
        }
        for p in await self.store.superadmins():
            found.setdefault(p.id, p)
        return list(found.values())

    async def require(
        self, person: Person, program: Program, *allowed: str, action: str
    ) -> frozenset[str]:
        """Check on the server that ``person`` holds one of ``allowed`` roles in ``program``."""
        roles = await self.roles(person, program.id)
        if not roles.intersection(allowed):
            log.warning(
                "refused: person=%s program=%s action=%s roles=%s",
                person.id,
                program.id,
                action,
                ",".join(sorted(roles)) or "-",
            )
            async with self.store.transaction():
                await self.store.log_event(
                    "refused",
                    self.now(),
                    program_id=program.id,
                    actor_id=person.id,
                    detail=action,
                    keep=True,  # stands even when the refusal rolls back a caller's transaction
                )
            raise Refused(
                "refused_role",
                action=action,
                needed=[ROLE_LABELS[r] for r in allowed],
            )
        return roles

    def program_changed(self, program_id: int) -> None:
        for callback in self.on_program_changed:
            callback(program_id)

    async def roles_changed(self, person: Person) -> None:
        roles: set[str] = {"admin"} if person.is_superadmin else set()
        for program_roles in (await self.store.all_roles(person.id)).values():
            roles |= program_roles
        # Grassroots askers are not members; their menu has the asker's commands.
        if any(a.status == "active" for a in await self.store.askers_of(person.id)):
            roles.add("asker")
        for callback in self.on_roles_changed:
            try:
                await callback(person.tg_user_id, frozenset(roles))
            except Exception:  # a menu is a convenience; the change itself is already stored
                log.warning("could not update the command menu of person %s", person.id)
