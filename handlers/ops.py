"""Operations in the chat layer: what is dropped before any handler runs (see `admit`).

Edited messages are ignored: an edit is not a new request.

The throttle is a token bucket per Telegram user: ``capacity`` updates, refilled evenly over
``window`` (20 updates per 30 s by default). Beyond that the person's updates are dropped before
they reach the database or any handler, with at most one polite notice per window, and logged.
Time comes from the injected clock (``core.now()``). Its state is kept in memory only: it is
not a record, and a restart simply starts every bucket full.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop

from bot.models import Reply
from handlers.common import Context, deps, say

log = logging.getLogger("hoidap.throttle")

CAPACITY = 20
WINDOW = timedelta(seconds=30)


class Verdict(Enum):
    PASS = "pass"
    NOTICE = "notice"  # dropped; tell the person once in this window
    DROP = "drop"  # dropped silently


@dataclass
class _Bucket:
    tokens: float
    stamp: datetime
    noticed_at: datetime | None = None
    dropped: int = 0


class Throttle:
    """A token bucket per user id; :meth:`check` says what to do with one update."""

    def __init__(
        self, capacity: int = CAPACITY, window: timedelta = WINDOW, max_users: int = 10_000
    ) -> None:
        if capacity < 1 or window <= timedelta(0):
            raise ValueError("a throttle needs a positive capacity and window")
        self.capacity = capacity
        self.window = window
        self.max_users = max_users
        self._rate = capacity / window.total_seconds()  # tokens per second
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int, now: datetime) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:
                self._prune(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.capacity), now)
        elapsed = (now - bucket.stamp).total_seconds()
        # A clock set back (tests, a restored clock) refills nothing and restarts the count.
        bucket.tokens = min(self.capacity, bucket.tokens + max(elapsed, 0.0) * self._rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.PASS
        bucket.dropped += 1
        if bucket.noticed_at is None or not timedelta(0) <= now - bucket.noticed_at < self.window:
            bucket.noticed_at = now
            return Verdict.NOTICE
        return Verdict.DROP

    def dropped(self, user_id: int) -> int:
        """How many updates of ``user_id`` were dropped so far (for logs and tests)."""
        bucket = self._buckets.get(user_id)
        return bucket.dropped if bucket else 0

    def _prune(self, now: datetime) -> None:
        # Forget people whose bucket has refilled completely: they are not flooding.
        full = self.window.total_seconds()
        for user_id in [
            uid for uid, b in self._buckets.items() if (now - b.stamp).total_seconds() >= full
        ]:
            del self._buckets[user_id]


def throttle_of(app: Application) -> Throttle:  # type: ignore[type-arg]
    gate = app.bot_data.get("throttle")
    if not isinstance(gate, Throttle):
        gate = app.bot_data["throttle"] = Throttle()
    return gate


async def gate(update: Update, context: Context) -> None:
    """First of all: edits are ignored, then the flood throttle.

    An edited message is not a new request: without this, editing ``/rutlai lý do`` would
    redraw again (its update has a new update_id, so the replay guard lets it through).
    """
    if update.edited_message is not None or update.edited_channel_post is not None:
        log.info("update %s edits a message: ignored", update.update_id)
        raise ApplicationHandlerStop
    await throttle(update, context)


async def throttle(update: Update, context: Context) -> None:
    """Drop the updates of someone sending faster than the bucket allows."""
    user = update.effective_user
    if user is None:
        return
    core = deps(context).core
    now = core.now()
    gate = throttle_of(context.application)
    verdict = gate.check(user.id, now)
    if verdict is Verdict.PASS:
        return
    if verdict is Verdict.NOTICE:
        log.warning(
            "user %s sends too fast: updates dropped for up to %ss (dropped so far: %s)",
            user.id,
            int(gate.window.total_seconds()),
            gate.dropped(user.id),
        )
        person = await core.store.person_by_tg(user.id)
        async with core.store.transaction():
            await core.store.log_event(
                "throttled",
                now,
                actor_id=person.id if person else None,
                detail=f"tg_user={user.id}",
            )
        try:
            seconds = int(gate.window.total_seconds())
            await say(update, Reply("ops_throttled", {"seconds": seconds}, alert=True))
        except TelegramError:
            log.info("could not tell user %s about the throttle", user.id)
    else:
        log.debug("update %s of user %s dropped by the throttle", update.update_id, user.id)
    raise ApplicationHandlerStop
