"""(a) Update round trip: echo bots beside hoidap on the same fake Bot API server."""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import aiosqlite
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bench.common import (
    ADMIN,
    CONCURRENT_ECHO,
    DB_SAMPLE,
    GROUP,
    PUBLISH_AT,
    START,
    THROTTLE_CAPACITY,
    WAIT,
    Latencies,
    Tail,
    bind_group,
    member_users,
    percentile,
    progress,
    seed,
)
from bot.clock import ManualClock
from bot.transport.ordering import KeyedLocks
from bot.transport.telegram import send_html
from fakes.fakebotapi import FakeBotAPI, SentMessage
from fakes.harness import Harness, User
from handlers.dispatch import MAX_RUNNING
from hoidap.app import CONNECTIONS, UPDATES_IN_HAND

# --------------------------------------------------------------------------------------------
# (a) Update round trip
# --------------------------------------------------------------------------------------------


@dataclass
class RoundTripRun:
    throughput: float
    p50_ms: float
    p95_ms: float
    idle_p50_ms: float
    seconds: float


@dataclass
class RoundTripResult:
    name: str
    runs: list[RoundTripRun] = field(default_factory=list)
    sql_per_update: float | None = None  # SQL statements run per update (hoidap)
    db_calls_per_update: float | None = None  # aiosqlite worker-thread round trips per update
    sql_ms_per_update: float | None = None  # time spent awaiting aiosqlite per update

    @property
    def median(self) -> RoundTripRun:
        ordered = sorted(self.runs, key=lambda r: r.throughput)
        return ordered[len(ordered) // 2]


class BotUnderTest:
    name = ""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    def texts(self, count: int, offset: int) -> list[str]:
        raise NotImplementedError

    def check(self, texts: Sequence[str], replies: Sequence[SentMessage]) -> None:
        raise NotImplementedError


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


class EchoBot(BotUnderTest):
    """A bare PTB application: one MessageHandler that replies with the same text."""

    name = "bare PTB echo bot"

    def __init__(self, server: FakeBotAPI, concurrent: int | None = None) -> None:
        self.server = server
        self.concurrent = concurrent
        if concurrent is not None:
            self.name = f"bare PTB echo bot, concurrent_updates({concurrent})"
        self.app: Application | None = None  # type: ignore[type-arg]

    async def start(self) -> None:
        builder = (
            ApplicationBuilder()
            .token(self.server.token)
            .base_url(self.server.base_url)
            .base_file_url(self.server.base_file_url)
        )
        if self.concurrent is not None:
            builder = builder.concurrent_updates(self.concurrent)
        app = builder.build()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        self.app = app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        # Confirmed updates are not served again to the next bot polling this server.
        await self.server.wait_updates_consumed(WAIT)
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    def texts(self, count: int, offset: int) -> list[str]:
        return [f"echo {offset + i}" for i in range(count)]

    def check(self, texts: Sequence[str], replies: Sequence[SentMessage]) -> None:
        wrong = sum(1 for text, reply in zip(texts, replies, strict=True) if reply.text != text)
        if wrong and self.concurrent is None:
            raise RuntimeError(f"echo bot: {wrong} replies do not match their messages in order")
        # With concurrent updates PTB gives no order even for one person: check the set.
        if sorted(texts) != sorted(r.text or "" for r in replies):
            raise RuntimeError("echo bot: the replies are not the messages sent")


class SameReplyEchoBot(EchoBot):
    """An echo bot that answers every message with hoidap's ``/trangthai`` reply (the same HTML)
    through hoidap's transport: the defaults, the HTTP connection pool, people handled
    concurrently in order (``hoidap/app.py``), the reply sent by ``send_html``. What is left of
    the difference to hoidap is hoidap's own work on an update."""

    name = "echo bot with hoidap's reply and transport"

    def __init__(self, server: FakeBotAPI, reply_html: str) -> None:
        super().__init__(server)
        self.name = SameReplyEchoBot.name
        self.reply_html = reply_html

    async def start(self) -> None:
        html = self.reply_html
        # As the dispatcher does (handlers/dispatch.py): each sender in order, a bounded number
        # of handlers running.
        senders = KeyedLocks()
        running = asyncio.Semaphore(MAX_RUNNING)

        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            chat, user = update.effective_chat, update.effective_user
            if chat is None:
                return
            async with senders.hold(user.id if user is not None else chat.id), running:
                await send_html(context.bot, chat.id, html)

        app = (
            ApplicationBuilder()
            .token(self.server.token)
            .base_url(self.server.base_url)
            .base_file_url(self.server.base_file_url)
            .defaults(
                Defaults(
                    parse_mode=ParseMode.HTML,
                    tzinfo=START.tzinfo,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )
            .get_updates_read_timeout(35)
            .concurrent_updates(UPDATES_IN_HAND)
            .connection_pool_size(CONNECTIONS)
            .pool_timeout(10)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, answer))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        self.app = app

    def texts(self, count: int, offset: int) -> list[str]:
        return ["/trangthai"] * count

    def check(self, texts: Sequence[str], replies: Sequence[SentMessage]) -> None:
        if any(r.text != self.reply_html for r in replies):
            raise RuntimeError(f"{self.name}: a reply differs from hoidap's")


class HoidapBot(BotUnderTest):
    """The real hoidap application through the Harness, rate limiter off (like the echo bot)."""

    def __init__(
        self, server: FakeBotAPI, workdir: Path, text: str, name: str, users: Sequence[User]
    ) -> None:
        self.server = server
        self.text = text
        self.name = name
        self.users = list(users)
        self.harness = Harness(
            workdir, ManualClock(START), admins=(ADMIN.id,), server=server, rate_limit=False
        )
        self.reference: str | None = None
        self.sql_ms_per_update: float | None = None

    async def prepare(self) -> None:
        """Once per database: bind the group, the users as active staff, queued questions and
        the question of the week published (so /trangthai has a session to describe). Then
        the reference reply every measured reply must equal."""
        h = self.harness
        await h.start()
        try:
            if await h.core.store.program_by_chat(GROUP) is None:
                program_id = await bind_group(h)
                await seed(h.core, program_id, [(u, "staff") for u in self.users], questions=5)
                steps = await h.at(PUBLISH_AT)
                if not any(step.endswith("publish") for step in steps):
                    raise RuntimeError(f"the question was not published: {steps}")
            replies = await h.send(self.users[0], self.text)
            if len(replies) != 1 or replies[0].chat_id != self.users[0].id:
                raise RuntimeError(f"{self.text!r}: expected one reply, got {len(replies)}")
            self.reference = replies[0].text
        finally:
            await h.stop()

    async def start(self) -> None:
        await self.harness.start()

    async def stop(self) -> None:
        await self.harness.settle(WAIT)
        await self.harness.stop()

    def texts(self, count: int, offset: int) -> list[str]:
        return [self.text] * count

    async def count_db(
        self, users: Sequence[User], count: int, offset: int
    ) -> tuple[float, float | None]:
        """SQL statements (sqlite3 trace callback) and aiosqlite calls (each one a round trip
        to its worker thread) per update, over a separate small burst: counting costs a little,
        so it is kept out of the measured phases."""
        conn = self.harness.core.store.conn
        statements = calls = 0

        def trace(_sql: str) -> None:
            nonlocal statements
            statements += 1

        real = getattr(aiosqlite.Connection, "_execute", None)

        waited = 0.0

        async def counting(connection: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal calls, waited
            calls += 1
            assert real is not None
            t = time.perf_counter()
            try:
                return await real(connection, *args, **kwargs)
            finally:
                waited += time.perf_counter() - t

        await conn.set_trace_callback(trace)
        try:
            if real is None:  # aiosqlite internals changed: count statements only
                await burst(self.server, self, users, count, offset)
            else:
                with mock.patch.object(aiosqlite.Connection, "_execute", counting):
                    await burst(self.server, self, users, count, offset)
        finally:
            await conn.set_trace_callback(None)
        self.sql_ms_per_update = waited * 1000 / count
        return statements / count, calls / count if real is not None else None

    async def sql_time(self, users: Sequence[User], count: int, offset: int) -> float:
        """Milliseconds awaiting aiosqlite per update, one update at a time (no queueing)."""
        real = aiosqlite.Connection._execute
        waited = 0.0

        async def timed(connection: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal waited
            t = time.perf_counter()
            try:
                return await real(connection, *args, **kwargs)
            finally:
                waited += time.perf_counter() - t

        with mock.patch.object(aiosqlite.Connection, "_execute", timed):
            await ping_pong(self.server, self, users, count, offset)
        return waited * 1000 / count

    def check(self, texts: Sequence[str], replies: Sequence[SentMessage]) -> None:
        wrong = sum(1 for reply in replies if reply.text != self.reference)
        if wrong:
            sample = next(r.plain_text for r in replies if r.text != self.reference)
            raise RuntimeError(
                f"{self.name}: {wrong} replies differ from the reference: {sample!r}"
            )


def _senders(users: Sequence[User], count: int, offset: int) -> list[User]:
    return [users[(offset + i) % len(users)] for i in range(count)]


def _match(senders: Sequence[User], replies: Sequence[SentMessage]) -> list[SentMessage]:
    """The reply to each update, in the order of the updates.

    Each person's updates are answered in order, but different people's may interleave (hoidap
    handles people concurrently), so the k-th reply in a chat answers that person's k-th update.
    """
    by_chat: dict[int, list[SentMessage]] = {}
    for reply in replies:
        by_chat.setdefault(reply.chat_id, []).append(reply)
    matched: list[SentMessage] = []
    for user in senders:
        queue = by_chat.get(user.id)
        if not queue:
            raise RuntimeError(f"an update of chat {user.id} got no reply in that chat")
        matched.append(queue.pop(0))
    return matched


async def burst(
    server: FakeBotAPI, bot_: BotUnderTest, users: Sequence[User], count: int, offset: int
) -> tuple[Latencies, float]:
    """Inject ``count`` updates as fast as possible (round robin over ``users``, each in their
    private chat); returns the latencies and the seconds from first injection to last reply."""
    texts = bot_.texts(count, offset)
    senders = _senders(users, count, offset)
    tail = Tail(server, {u.id for u in users})
    injected: list[float] = []
    for user, text in zip(senders, texts, strict=True):
        server.send_text(user.id, text)
        injected.append(time.perf_counter())
    received = (await tail.wait(count))[:count]
    replies = _match(senders, received)
    bot_.check(texts, replies)
    latencies = [reply.date - at for reply, at in zip(replies, injected, strict=True)]
    return latencies, max(reply.date for reply in received) - injected[0]


async def ping_pong(
    server: FakeBotAPI, bot_: BotUnderTest, users: Sequence[User], count: int, offset: int
) -> Latencies:
    """One update at a time, the next after the reply: the round trip without queueing."""
    texts = bot_.texts(count, offset)
    senders = _senders(users, count, offset)
    tail = Tail(server, {u.id for u in users})
    latencies: Latencies = []
    for i, (user, text) in enumerate(zip(senders, texts, strict=True)):
        server.send_text(user.id, text)
        at = time.perf_counter()
        replies = await tail.wait(i + 1)
        latencies.append(replies[i].date - at)
    _match(senders, tail.found[:count])
    bot_.check(texts, tail.found[:count])
    return latencies


async def round_trip(
    updates: int, warmup: int, idle: int, runs: int, members: int, variant: bool
) -> list[RoundTripResult]:
    per_user = math.ceil((warmup + updates + idle + DB_SAMPLE) / members)
    if per_user > THROTTLE_CAPACITY:
        raise SystemExit(
            f"(a) {per_user} updates per member and run would trip hoidap's per-user throttle "
            f"({THROTTLE_CAPACITY}); use more --members"
        )
    progress(
        f"(a) round trip: {runs} runs x ({warmup} warm-up + {updates} burst + {idle} idle), "
        f"from {members} members"
    )
    users = member_users(members)
    async with FakeBotAPI(clock=time.perf_counter) as server:
        for user in users:
            server.user(user.id, user.first_name, user.last_name)
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            bots: list[BotUnderTest] = [EchoBot(server)]
            status = HoidapBot(server, Path(tmp), "/trangthai", "hoidap: /trangthai", users)
            await status.prepare()
            bots.append(status)
            if variant:
                free = HoidapBot(
                    server,
                    Path(tmp),
                    "Xin gửi câu trả lời của tôi cho câu hỏi tuần này.",
                    "hoidap: private free text",
                    users,
                )
                await free.prepare()
                bots.append(free)
            assert status.reference is not None
            bots.insert(1, SameReplyEchoBot(server, status.reference))
            bots.append(EchoBot(server, concurrent=CONCURRENT_ECHO))
            results = {b.name: RoundTripResult(b.name) for b in bots}
            for run in range(1, runs + 1):
                for b in bots:
                    await b.start()
                    try:
                        await burst(server, b, users, warmup, 0)
                        latencies, seconds = await burst(server, b, users, updates, warmup)
                        idle_latencies = await ping_pong(server, b, users, idle, warmup + updates)
                        if isinstance(b, HoidapBot) and run == 1:
                            sql, calls = await b.count_db(users, DB_SAMPLE, warmup + updates + idle)
                            results[b.name].sql_per_update = sql
                            results[b.name].db_calls_per_update = calls
                            results[b.name].sql_ms_per_update = b.sql_ms_per_update
                    finally:
                        await b.stop()
                    result = RoundTripRun(
                        throughput=updates / seconds,
                        p50_ms=percentile(latencies, 0.5) * 1000,
                        p95_ms=percentile(latencies, 0.95) * 1000,
                        idle_p50_ms=percentile(idle_latencies, 0.5) * 1000,
                        seconds=seconds,
                    )
                    results[b.name].runs.append(result)
                    progress(
                        f"(a) run {run}/{runs} {b.name}: {result.throughput:.0f} updates/s, "
                        f"p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
                        f"idle p50 {result.idle_p50_ms:.1f} ms"
                    )
            return list(results.values())
