"""The one way in: every event of every channel passes here before any handler runs.

In this order, once for all channels:

1. an edited message is ignored (an edit is not a new request: editing ``/rutlai lý do`` must
   not redraw again);
2. the flood gate (``handlers/ops.py``): one token bucket per sender; beyond it the event is
   dropped, the sender told once per window;
3. the record that each event is handled once (``update_id``, see ``bot/transport/port.py``):
   written with the first change the event makes, or in a batch; a dropped or ignored event is
   recorded as well, so a restart never brings it back;
4. one sender's events in the order they came (a lock per sender), different senders at once,
   at most ``MAX_RUNNING`` handlers running (a sender waiting for their lock holds no place);
5. the handler: a button or a typed choice, a command from the table, text or a file in
   private, a reply to the bot in a group, a service event.

A refusal is answered where it was asked (``handlers/common.guarded``); anything else that goes
wrong is logged with its stack and answered with one polite line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from bot.db import DatabaseLost
from bot.models import Reply
from bot.transport.ordering import KeyedLocks
from bot.transport.port import Channel, Event
from handlers import messages, people
from handlers.commands import COMMANDS, Command, callables
from handlers.common import Deps, Handler, Turn
from handlers.ops import Throttle, Verdict

log = logging.getLogger("hoidap.handlers")

# Handlers running at once. A Bot API call takes 100-300 ms and Telegram takes about 30
# messages a second, so 8 in flight already reach that limit; more only queue at the rate
# limiter (BENCHMARKS.md (a)). A slow one (a file read off the loop) holds one of the 8.
MAX_RUNNING = 8
NOTICE_WINDOW = timedelta(minutes=10)


class Outcome(StrEnum):
    """What became of an event (each event has exactly one)."""

    HANDLED = "handled"
    IGNORED = "ignored"  # an edit, or nothing the bot answers
    DROPPED = "dropped"  # by the flood gate
    REPLAYED = "replayed"  # handled before: nothing happens the second time


class Dispatcher:
    def __init__(
        self, deps: Deps, table: Sequence[Command] = COMMANDS, max_running: int = MAX_RUNNING
    ) -> None:
        self.deps = deps
        self.commands = callables(table)
        self.throttle = Throttle()
        # What the bot cannot use (a sticker, a picture, a number with nothing to choose) is
        # answered once in a while per sender, not each time: a flood of stickers costs one
        # reply, and nobody else's reply waits behind a channel's send rate for it.
        self.notices = Throttle(capacity=1, window=NOTICE_WINDOW)
        self._running = asyncio.Semaphore(max_running)
        self._senders = KeyedLocks()

    async def restore(self) -> None:
        """At start: the senders throttled within the window stay throttled (the gate holds
        across a restart)."""
        core = self.deps.core
        now = core.now()
        since = now - self.throttle.window
        for event in await core.store.recent_events("throttled", since):
            _, _, sender = str(event["detail"] or "").rpartition(":")
            if sender.lstrip("-").isdigit():
                self.throttle.exhaust(int(sender), now)

    async def handle(self, ev: Event, channel: Channel) -> Outcome:
        """Take one event through the gate, the record and the sender's order to its handler."""
        core = self.deps.core
        try:
            if ev.edited:
                log.info("event %s edits a message: ignored", ev.update_id)
                await core.store.mark_update_seen(ev.update_id, core.now(), final=True)
                return Outcome.IGNORED
            if not await self._admit(ev, channel):
                await core.store.mark_update_seen(ev.update_id, core.now(), final=True)
                return Outcome.DROPPED
            key = ev.sender.id if ev.sender is not None else ev.chat.id
            async with self._senders.hold(key):
                if not await core.store.mark_update_seen(ev.update_id, core.now()):
                    log.info("event %s handled before: ignored", ev.update_id)
                    return Outcome.REPLAYED
                async with self._running:
                    return await self._run(Turn(ev, channel, self.deps))
        finally:
            try:
                await core.store.flush_seen()
            except Exception:  # the database is gone (logged once where found)
                log.warning("could not finish an event", exc_info=True)

    # -- the gate --------------------------------------------------------------------------------

    async def _admit(self, ev: Event, channel: Channel) -> bool:
        """The flood gate: False when the sender's event is dropped (told once per window)."""
        sender = ev.sender
        if sender is None:
            return True
        core = self.deps.core
        now = core.now()
        verdict = self.throttle.check(sender.id, now)
        if verdict is Verdict.PASS:
            return True
        if verdict is Verdict.NOTICE:
            gate = self.throttle
            log.warning(
                "sender %s (%s) sends too fast: events dropped for up to %ss (dropped so far: %s)",
                sender.id,
                ev.channel,
                int(gate.window.total_seconds()),
                gate.dropped(sender.id),
            )
            person = await core.store.person_by_tg(sender.id)
            async with core.store.transaction():
                await core.store.log_event(
                    "throttled",
                    now,
                    actor_id=person.id if person else None,
                    detail=f"{ev.channel}:{sender.id}",
                )
            try:
                seconds = int(gate.window.total_seconds())
                await channel.reply(ev, Reply("ops_throttled", {"seconds": seconds}, alert=True))
            except Exception:
                log.info("could not tell sender %s about the throttle", sender.id)
        else:
            log.debug("event %s of sender %s dropped by the throttle", ev.update_id, sender.id)
        return False

    # -- the handlers ----------------------------------------------------------------------------

    def route(self, ev: Event) -> Handler | None:
        """The handler of an event (None: nothing the bot answers)."""
        if ev.moved is not None:
            return people.group_moved
        if ev.bot_added:
            return people.bot_added
        if ev.press is not None:
            return messages.button
        if ev.choice is not None:
            return messages.unknown_choice if self._notice(ev) else None
        if ev.doubt is not None:
            return messages.doubt
        if ev.command is not None:
            return self.commands.get(ev.command)
        if ev.chat.private:
            if ev.attachment is not None:
                if ev.attachment.kind in ("document", "voice"):
                    return messages.private_media
                return messages.unsupported if self._notice(ev) else None
            return messages.private_text if ev.text is not None else None
        if ev.reply_to_bot and (
            ev.attachment is None or ev.attachment.kind in ("document", "voice")
        ):
            return messages.group_reply
        return None

    def _notice(self, ev: Event) -> bool:
        """Whether a sender gets the «cannot use this» notice now (else it is ignored)."""
        if ev.sender is None:
            return True
        return self.notices.check(ev.sender.id, self.deps.core.now()) is Verdict.PASS

    async def _run(self, t: Turn) -> Outcome:
        handler = self.route(t.ev)
        if handler is None:
            return Outcome.IGNORED
        try:
            await handler(t)
        except Exception as exc:
            lost = isinstance(exc, DatabaseLost)  # logged in one line where found
            if not lost:
                log.exception("error while handling event %s (%s)", t.ev.update_id, t.ev.channel)
            try:
                await t.say(Reply("internal_error", alert=True))
            except Exception:  # the error reply itself may fail when the channel is unreachable
                log.warning("could not tell the sender about the error")
            if lost:
                raise  # the bot is stopping
        return Outcome.HANDLED
