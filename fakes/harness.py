"""The real application against the local fake Bot API server, for tests, the demo and benchmarks.

Everything goes over HTTP through python-telegram-bot's own client; only time is simulated (a
:class:`~bot.clock.ManualClock`), and "the scheduler fires" is :meth:`Harness.tick`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import ManualClock
from bot.config import DEFAULT_ZALO_API_URL, Settings
from bot.core import Core
from bot.transport.pacing import PaceClock
from bot.transport.zalo import ZaloChannel
from fakes.fakebotapi import FakeBotAPI, SentMessage
from fakes.fakezalo import FakeZalo
from handlers.common import Deps
from handlers.dispatch import Dispatcher
from hoidap.app import DB_WATCH_SECONDS, build_application, outside_changes, start_core, stop_core
from scheduler import ProgramScheduler


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None


class Harness:
    def __init__(
        self,
        workdir: Path,
        clock: ManualClock,
        *,
        admins: tuple[int, ...] = (),
        server: FakeBotAPI | None = None,
        rate_limit: bool = False,
        grace_minutes: int = 30,
        request_timeout: float | None = None,
        db_watch_seconds: float = DB_WATCH_SECONDS,
        zalo: FakeZalo | None = None,
        public_url: str | None = None,
        zalo_webhook_secret: str | None = None,
        http_port: int = 0,
        zalo_rate: float = 30.0,
        pace_clock: PaceClock | None = None,
    ) -> None:
        self.workdir = workdir
        # People on Zalo: a fake Zalo Bot API the bot polls (started and stopped by the caller).
        self.zalo = zalo
        self.public_url = public_url
        self.zalo_webhook_secret = zalo_webhook_secret
        self.http_port = http_port
        self.zalo_rate = zalo_rate
        # The time of the channels' pace (real time unless the test holds it).
        self.pace_clock = pace_clock
        self._zalo_before = 0
        self.clock = clock
        self.server = server or FakeBotAPI()
        self.admins = admins
        self.rate_limit = rate_limit
        self.grace_minutes = grace_minutes
        self.request_timeout = request_timeout  # short Bot API timeouts for hanging servers
        self.db_watch_seconds = db_watch_seconds
        # Why the bot had to stop (its database file lost), as `hoidap run` would stop; the
        # harness only records it, the test decides what to do.
        self.fatal: list[str] = []
        self.app: Application | None = None  # type: ignore[type-arg]
        self.db_path = workdir / "hoidap.sqlite3"
        self._own_server = server is None

    @property
    def settings(self) -> Settings:
        return Settings(
            token=self.server.token,
            api_url=self.server.base_url,
            db_path=self.db_path,
            admins=frozenset(self.admins),
            grace_minutes=self.grace_minutes,
            zalo_token=self.zalo.token if self.zalo else None,
            zalo_api_url=self.zalo.url if self.zalo else DEFAULT_ZALO_API_URL,
            zalo_rate=self.zalo_rate,
            public_url=self.public_url,
            http_port=self.http_port,
            zalo_webhook_secret=self.zalo_webhook_secret,
        )

    async def start(self) -> None:
        if self._own_server and self.server._runner is None:
            await self.server.start()
        app = build_application(
            self.settings,
            clock=self.clock,
            rate_limit=self.rate_limit,
            request_timeout=self.request_timeout,
            db_watch_seconds=self.db_watch_seconds,
            on_fatal=self.fatal.append,
            pace_clock=self.pace_clock,
        )
        # What the fake Zalo handed out before this start went to an earlier transport.
        self._zalo_before = self.zalo.delivered if self.zalo is not None else 0
        await app.initialize()
        # run_polling() would call these hooks; here the harness drives the lifecycle itself.
        await start_core(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        self.app = app

    async def stop(self) -> None:
        """A clean shutdown of the application (the server keeps running)."""
        app, self.app = self.app, None
        if app is None:
            return
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await stop_core(app)

    async def close(self) -> None:
        await self.stop()
        if self._own_server:
            await self.server.stop()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # -- access ----------------------------------------------------------------------------

    @property
    def deps(self) -> Deps:
        assert self.app is not None
        d = self.app.bot_data["deps"]
        assert isinstance(d, Deps)
        return d

    @property
    def core(self) -> Core:
        return self.deps.core

    @property
    def dispatcher(self) -> Dispatcher:
        assert self.app is not None
        d = self.app.bot_data["dispatcher"]
        assert isinstance(d, Dispatcher)
        return d

    @property
    def zalo_transport(self) -> ZaloChannel:
        assert self.app is not None
        z = self.app.bot_data["zalo"]
        assert isinstance(z, ZaloChannel)
        return z

    @property
    def scheduler(self) -> ProgramScheduler:
        assert self.app is not None
        s = self.app.bot_data["scheduler"]
        assert isinstance(s, ProgramScheduler)
        return s

    # -- driving -------------------------------------------------------------------------------

    async def settle(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Wait until every injected update is handled and every owed message is sent."""
        assert self.app is not None
        for _ in range(3):
            if self.zalo is not None:
                # Taken from Zalo (polled) and handled.
                count = self.zalo.delivered - self._zalo_before + self.zalo.pending
                await asyncio.wait_for(self.zalo_transport.wait_done(count), timeout)
            await self.server.wait_updates_consumed(timeout)
            await asyncio.wait_for(self.app.update_queue.join(), timeout)
            await self.deps.outbox.idle(timeout)
            if (
                not self.server.pending_updates
                and self.app.update_queue.empty()
                and (self.zalo is None or not self.zalo.pending)
            ):
                return

    async def outside_changes(self) -> bool:
        """What the bot does every few seconds: take in the command line's changes."""
        assert self.app is not None
        return await outside_changes(self.app)

    async def at(self, when: datetime) -> list[str]:
        """Move the clock and let the scheduler run what is due; returns the executed steps."""
        self.clock.set(when)
        return await self.tick()

    async def tick(self) -> list[str]:
        executed: list[str] = []
        for program in await self.core.store.programs():
            executed += await self.scheduler.run(program.id)
        await self.settle()
        return executed

    async def send(
        self, user: User, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> list[SentMessage]:
        """A user sends text; returns what the bot sent in response (after everything settled)."""
        self.server.user(user.id, user.first_name, user.last_name, user.username)
        mark = self.server.mark()
        self.server.send_text(user.id, text, chat_id=chat_id, reply_to_message_id=reply_to)
        await self.settle()
        return self.server.sent[mark:]

    async def upload(
        self, user: User, filename: str, data: bytes, chat_id: int | None = None
    ) -> list[SentMessage]:
        self.server.user(user.id, user.first_name, user.last_name, user.username)
        mark = self.server.mark()
        self.server.send_document(user.id, filename, data, chat_id=chat_id)
        await self.settle()
        return self.server.sent[mark:]

    async def voice(self, user: User, data: bytes, chat_id: int | None = None) -> list[SentMessage]:
        mark = self.server.mark()
        self.server.send_voice(user.id, data, chat_id=chat_id)
        await self.settle()
        return self.server.sent[mark:]

    async def press(
        self, user: User, message: SentMessage, label: str
    ) -> tuple[dict[str, Any], list[SentMessage]]:
        """Press a button by its label; returns the callback answer and what the bot sent."""
        self.server.user(user.id, user.first_name, user.last_name, user.username)
        mark = self.server.mark()
        query_id = self.server.press_button(user.id, message, label)
        answer = await self.server.wait_for_callback_answer(query_id)
        await self.settle()
        return answer, self.server.sent[mark:]

    async def press_data(
        self, user: User, message: SentMessage, data: str
    ) -> tuple[dict[str, Any], list[SentMessage]]:
        """Press with arbitrary callback data (forged or replayed presses)."""
        self.server.user(user.id, user.first_name, user.last_name, user.username)
        mark = self.server.mark()
        query_id = self.server.press(user.id, message.message_id, message.chat_id, data)
        answer = await self.server.wait_for_callback_answer(query_id)
        await self.settle()
        return answer, self.server.sent[mark:]

    async def zalo_send(
        self, user_id: str, text: str, display_name: str = "Người dùng Zalo"
    ) -> list[dict[str, Any]]:
        """A person on Zalo writes to the bot; returns what the bot sent on Zalo meanwhile."""
        assert self.zalo is not None
        mark = len(self.zalo.sent)
        self.zalo.push_text(user_id, text, display_name=display_name)
        await self.settle()
        return self.zalo.sent[mark:]

    def zalo_to(self, user_id: str) -> list[str]:
        """Every text the bot sent to a Zalo user so far, in order."""
        assert self.zalo is not None
        return [m["text"] for m in self.zalo.sent if m["chat_id"] == user_id]

    def last_to(
        self, chat_id: int, where: Callable[[SentMessage], bool] | None = None
    ) -> SentMessage:
        for message in reversed(self.server.sent):
            if message.chat_id == chat_id and (where is None or where(message)):
                return message
        raise LookupError(f"no message to chat {chat_id} matched")
