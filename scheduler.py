"""APScheduler wiring: when each program's steps are due.

What is due is decided by ``bot.schedule.next_due`` (a pure function of ``now`` and the stored
session); this module only arranges to look again at the right moment. One date job per program,
replaced whenever the plan changes, plus a periodic safety tick. The clock is injected: a wake-up
time is turned into a delay on the injected clock, so a test or the demo can drive time itself.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.core import Core, Refused
from bot.db import DatabaseError, DatabaseLost
from bot.services import cycle

log = logging.getLogger("hoidap.scheduler")

SAFETY_TICK = timedelta(minutes=10)
RETRY_AFTER_ERROR = timedelta(minutes=5)


class ProgramScheduler:
    def __init__(self, core: Core, scheduler: AsyncIOScheduler | None = None) -> None:
        self.core = core
        self.scheduler = scheduler or AsyncIOScheduler(timezone=UTC)
        self.grace = timedelta(minutes=core.settings.grace_minutes)
        self._locks: dict[int, asyncio.Lock] = {}
        core.on_program_changed.append(self.request)

    def job_id(self, program_id: int) -> str:
        return f"program-{program_id}"

    async def start(self) -> None:
        """Catch up on every program (steps missed while down), then plan the next wake-ups."""
        if not self.scheduler.running:
            self.scheduler.start()
        self.scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=SAFETY_TICK.total_seconds(),
            id="safety-tick",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(SAFETY_TICK.total_seconds()),
        )
        await self.tick()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def tick(self) -> None:
        with self.core.stepping():  # the admins' notices of every program: one digest each
            for program in await self.core.store.programs():
                await self.run(program.id)
        # Housekeeping: buttons expired a month ago and old replay guards are no longer needed
        # (a recently expired button still gets its "expired" answer).
        await self.core.store.prune_actions(self.core.now() - timedelta(days=30))
        # Events seen are kept a week: no channel brings one back later than that (Telegram
        # keeps an update a day; a Zalo message taken in is handled within hours).
        await self.core.store.prune_seen_updates(self.core.now() - timedelta(days=7))
        await self.core.store.prune_zalo_seen(self.core.now() - timedelta(days=30))

    async def _tick_job(self) -> None:
        with suppress(DatabaseLost):  # said once where it was found; the bot is stopping
            await self.tick()

    async def _run_job(self, program_id: int) -> None:
        with suppress(DatabaseLost):
            await self.run(program_id)

    async def run(self, program_id: int) -> list[str]:
        """Execute what is due for one program now and plan its next wake-up.

        Whatever goes wrong with one program stays with it: a schedule that cannot work is told
        to its admins once and the program waits for the fix; an unexpected error is logged and
        retried later. The other programs, and the bot, go on.
        """
        with self.core.stepping():
            return await self._run(program_id)

    async def _run(self, program_id: int) -> list[str]:
        lock = self._locks.setdefault(program_id, asyncio.Lock())
        try:
            async with lock:
                result = await cycle.advance(self.core, program_id)
        except Refused:
            await cycle.report_unusable_schedule(self.core, program_id)
            self.plan(program_id, None)  # the admin's fix re-plans it (Core.program_changed)
            return []
        except DatabaseError:
            raise
        except Exception:
            log.exception("program %s: the due steps failed; retrying later", program_id)
            self.plan(program_id, self.core.now() + RETRY_AFTER_ERROR)
            return []
        if result.executed:
            log.debug("program %s ran %s", program_id, ", ".join(result.executed))
        self.plan(program_id, result.wakeup)
        return result.executed

    def plan(self, program_id: int, when: datetime | None) -> None:
        job_id = self.job_id(program_id)
        if when is None:
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        delay = max(when - self.core.now(), timedelta(0))
        self.scheduler.add_job(
            self._run_job,
            DateTrigger(run_date=datetime.now(UTC) + delay),
            args=[program_id],
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(self.grace.total_seconds()),
        )

    def request(self, program_id: int) -> None:
        """Something changed (schedule, queue, a manual step): look at the program right away."""
        if self.scheduler.running:
            self.plan(program_id, self.core.now())
