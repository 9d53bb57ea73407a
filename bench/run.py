"""Benchmarks of hoidap against the local fake Telegram Bot API (127.0.0.1 only).

Run from the repository root::

    python -m bench.run            # measure and print the Markdown report
    python -m bench.run --write    # ... and write it to BENCHMARKS.md

Four parts:

(a) Update round trip: a bare python-telegram-bot echo bot and the hoidap application (through
    :class:`bot.testing.harness.Harness`, no rate limiter) side by side on the same fake server.
    N private messages are injected at once; throughput is N / (last reply - first injection)
    and latency is per update (reply recorded by the server - injection).
(b) Publishing the weekly question to 300 staff with flood limits enforced by the server
    (30 messages/s over any 1-second window) and the bot's AIORateLimiter on.
(c) Peak memory (RSS) of the hoidap application through a whole cycle with 300 staff, in a
    child process (``python -m bench.run --memory-child``) so the fake server does not count.
(d) Archive search on 10,000 archived sessions (``bench/bench_search.py``, its own process).

Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, cast
from unittest import mock
from zoneinfo import ZoneInfo

import aiosqlite
import telegram
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

import bot.app
from bot.clock import ManualClock
from bot.core import Core
from bot.testing.fakebotapi import FakeBotAPI, FloodLimits, SentMessage
from bot.testing.harness import Harness, User

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SAMPLE_XLSX = ROOT / "questions" / "samples" / "cau_hoi_mau.xlsx"

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The same week as the end-to-end tests: Tuesday before the session of Monday 7/12/2026,
# publication Friday 4/12 08:00, draw Monday 7/12 09:00.
START = datetime(2026, 12, 1, 10, 0, tzinfo=VN)
PUBLISH_AT = datetime(2026, 12, 4, 8, 0, tzinfo=VN)
DRAW_AT = datetime(2026, 12, 7, 9, 0, tzinfo=VN)

GROUP = -1001234
GROUP_TITLE = "Giao ban Ban Tổ chức (đo hiệu năng)"
ADMIN = User(1001, "Quản", "Trị Viên", "quantri")
HEAD = User(2001, "Lê", "Trưởng Phòng")
LEADER = User(3001, "Phạm", "Lãnh Đạo")

# hoidap drops the updates of a user who sends more than this many per 30 s (handlers/ops.py);
# the ManualClock does not move during part (a), so no bucket refills there.
try:
    from handlers.ops import CAPACITY as THROTTLE_CAPACITY
except ImportError:  # pragma: no cover - the throttle was renamed or removed
    THROTTLE_CAPACITY = 20

FLOOD = FloodLimits(per_second_global=30)
CONCURRENT_ECHO = 256  # the echo bot's concurrency for the like-for-like comparison
DB_SAMPLE = 100  # (a) updates over which hoidap's database work is counted
WAIT = 120.0  # generous upper bound for any single wait on the server (never a sleep)

JSON = dict[str, Any]
Latencies = list[float]

_T0 = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def staff_users(count: int) -> list[User]:
    return [User(100_000 + i, f"Cán bộ {i:03d}", "Nguyễn") for i in range(1, count + 1)]


def member_users(count: int) -> list[User]:
    return [User(200_000 + i, f"Thành viên {i:03d}", "Trần") for i in range(1, count + 1)]


# --------------------------------------------------------------------------------------------
# Small statistics helpers
# --------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (``q`` in [0, 1])."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def max_in_window(times: Sequence[float], span: float = 1.0) -> int:
    """Most events inside any window ``(t - span, t]`` (the server's flood-window definition)."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - span:
            first += 1
        best = max(best, last - first + 1)
    return best


def rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def hwm_mb() -> float:
    """The kernel's high-water mark of this process's RSS (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


# --------------------------------------------------------------------------------------------
# Watching what the bot sends
# --------------------------------------------------------------------------------------------


class Tail:
    """The bot's messages recorded by the server from a mark on, read incrementally.

    Predicates built on it stay O(1) per server event, so waiting does not slow the event loop
    the bots under test share with the server.
    """

    def __init__(self, server: FakeBotAPI, chats: Collection[int] | None = None) -> None:
        self.server = server
        self.chats = None if chats is None else frozenset(chats)
        self.index = len(server.sent)
        self.found: list[SentMessage] = []

    def poll(self) -> int:
        sent = self.server.sent
        while self.index < len(sent):
            message = sent[self.index]
            self.index += 1
            if self.chats is None or message.chat_id in self.chats:
                self.found.append(message)
        return len(self.found)

    async def wait(self, count: int, seconds: float = WAIT) -> list[SentMessage]:
        await self.server.wait_until(lambda: self.poll() >= count, seconds)
        return self.found


# --------------------------------------------------------------------------------------------
# Setting up a program quickly (direct store calls, as the brief allows)
# --------------------------------------------------------------------------------------------


async def seed(
    core: Core,
    program_id: int,
    people: Sequence[tuple[User, str]],
    questions: int = 0,
) -> None:
    """Active members with the given role (``staff``/``head``/``leader``) and queued questions."""
    store, now = core.store, core.now()
    async with store.transaction():
        for user, role in people:
            name = f"{user.last_name or ''} {user.first_name}".strip()
            person = await store.upsert_person(user.id, user.username, name, False, now)
            await store.set_person_profile(person.id, name, "Chuyên viên")
            await store.upsert_member(program_id, person.id, "active", now)
            await store.set_roles(program_id, person.id, [role])
        for i in range(1, questions + 1):
            await store.add_question(
                program_id,
                f"Câu hỏi đo hiệu năng số {i}: thủ tục kết nạp đảng viên gồm những bước nào?",
                "Công tác đảng viên",
                "Chi bộ thử nghiệm",
                "Điều lệ Đảng; Quy định số 24-QĐ/TW",
                "Theo Điều lệ Đảng và hướng dẫn thi hành.",
                None,
                now,
            )


async def bind_group(h: Harness) -> int:
    """The admin adds the bot to the group and binds it with /lienket (real updates)."""
    h.server.group(GROUP, GROUP_TITLE)
    h.server.user(ADMIN.id, ADMIN.first_name, ADMIN.last_name, ADMIN.username)
    h.server.add_bot_to_group(ADMIN.id, GROUP)
    await h.send(ADMIN, "/lienket", chat_id=GROUP)
    program = await h.core.store.program_by_chat(GROUP)
    if program is None:
        raise RuntimeError("binding the group failed:\n" + h.server.describe_sent(5))
    return program.id


@contextmanager
def overall_rate(setting: tuple[float, float] | None) -> Iterator[list[Any]]:
    """Build the application with ``bot/app.py`` unchanged except the overall rate of its
    AIORateLimiter (``overall_max_rate``, ``overall_time_period``); ``None`` changes nothing.
    Yields the list of limiters built meanwhile."""
    built: list[Any] = []
    if setting is None:
        yield built
        return
    real = AIORateLimiter

    def factory(*args: Any, **kwargs: Any) -> AIORateLimiter:
        kwargs.update(overall_max_rate=setting[0], overall_time_period=setting[1])
        limiter = real(*args, **kwargs)
        built.append(limiter)
        return limiter

    with mock.patch.object(bot.app, "AIORateLimiter", factory):
        yield built
    if not built:
        raise RuntimeError("bot/app.py did not build an AIORateLimiter; cannot override it")


def describe_limiter(application: Application) -> str:  # type: ignore[type-arg]
    limiter = application.bot.rate_limiter
    if limiter is None:
        return "no rate limiter"
    base = getattr(limiter, "_base_limiter", None)
    if base is None:
        return type(limiter).__name__
    period = float(base.time_period)
    period_text = f"1/{round(1 / period)}" if period < 1 else f"{period:g}"
    return (
        f"{type(limiter).__name__}(overall_max_rate={base.max_rate:g}, "
        f"overall_time_period={period_text})"
    )


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

        async def counting(connection: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            assert real is not None
            return await real(connection, *args, **kwargs)

        await conn.set_trace_callback(trace)
        try:
            if real is None:  # aiosqlite internals changed: count statements only
                await burst(self.server, self, users, count, offset)
            else:
                with mock.patch.object(aiosqlite.Connection, "_execute", counting):
                    await burst(self.server, self, users, count, offset)
        finally:
            await conn.set_trace_callback(None)
        return statements / count, calls / count if real is not None else None

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


# --------------------------------------------------------------------------------------------
# (b) Publishing to 300 staff under flood limits
# --------------------------------------------------------------------------------------------


@dataclass
class PublishResult:
    limiter: str
    overridden: bool
    messages: int
    seconds: float
    enqueue_seconds: float
    flood_429: int
    max_per_second: int
    failed: int


async def publish_flood(staff_count: int, setting: tuple[float, float] | None) -> PublishResult:
    async with FakeBotAPI(flood=FLOOD, clock=time.perf_counter) as server:
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            h = Harness(
                Path(tmp), ManualClock(START), admins=(ADMIN.id,), server=server, rate_limit=True
            )
            with overall_rate(setting):
                await h.start()
            try:
                assert h.app is not None
                limiter = describe_limiter(h.app)
                program_id = await bind_group(h)
                staff = staff_users(staff_count)
                for user in staff:
                    server.user(user.id, user.first_name, user.last_name)
                await seed(h.core, program_id, [(u, "staff") for u in staff], questions=5)
                await h.settle(WAIT)

                # Fresh flood windows: the setup traffic does not count against the publication.
                server.set_flood_limits(FLOOD)
                before_429 = server.flood_429_count
                expected = {GROUP, *(u.id for u in staff)}
                tail = Tail(server)
                seen: set[int] = set()

                def all_delivered() -> bool:
                    start = len(tail.found)
                    tail.poll()
                    seen.update(m.chat_id for m in tail.found[start:])
                    return expected <= seen

                h.clock.set(PUBLISH_AT)
                t0 = time.perf_counter()
                steps = await h.scheduler.run(program_id)
                enqueued = time.perf_counter()
                if not any(step.endswith("publish") for step in steps):
                    raise RuntimeError(f"the question was not published: {steps}")
                await server.wait_until(all_delivered, WAIT)
                await h.deps.outbox.idle(WAIT)
                tail.poll()
                delivered = [m for m in tail.found if m.chat_id in expected]
                per_chat: dict[int, int] = {}
                for message in delivered:
                    per_chat[message.chat_id] = per_chat.get(message.chat_id, 0) + 1
                duplicates = sum(n - 1 for n in per_chat.values())
                if duplicates:
                    raise RuntimeError(f"{duplicates} chats got the question more than once")
                return PublishResult(
                    limiter=limiter,
                    overridden=setting is not None,
                    messages=len(delivered),
                    seconds=max(m.date for m in delivered) - t0,
                    enqueue_seconds=enqueued - t0,
                    flood_429=server.flood_429_count - before_429,
                    max_per_second=max_in_window([m.date for m in delivered]),
                    failed=h.deps.outbox.failed_count,
                )
            finally:
                await h.stop()


# --------------------------------------------------------------------------------------------
# (c) Peak memory: the hoidap application in a child process
# --------------------------------------------------------------------------------------------


@dataclass
class MemoryResult:
    staff: int
    rate_limit: bool
    start_rss_mb: float
    peak_rss_mb: float
    hwm_mb: float
    end_rss_mb: float
    seconds: float
    messages: int
    updates: int
    steps: list[str]


class _RemoteServer:
    """What the Harness needs to build the application: the parent's server address."""

    def __init__(self, token: str, base_url: str) -> None:
        self.token = token
        self.base_url = base_url


def _respond(payload: JSON) -> None:
    sys.stdout.write("@@" + json.dumps(payload) + "\n")
    sys.stdout.flush()


async def _child_settle(h: Harness) -> None:
    assert h.app is not None
    await asyncio.wait_for(h.app.update_queue.join(), WAIT)
    await h.deps.outbox.idle(WAIT)


async def _child_command(h: Harness, clock: ManualClock, request: JSON) -> JSON:
    store = h.core.store
    command = request["cmd"]
    if command == "settle":
        await _child_settle(h)
        return {}
    if command == "at":
        clock.set(datetime.fromisoformat(request["when"]))
        steps: list[str] = []
        for program in await store.programs():
            steps += await h.scheduler.run(program.id)
        await _child_settle(h)
        return {"steps": steps}
    if command == "seed":
        programs = await store.programs()
        if len(programs) != 1:
            raise RuntimeError(f"expected one bound program, found {len(programs)}")
        people = [
            (User(int(i), str(first), str(last)), str(role))
            for i, first, last, role in request["people"]
        ]
        await seed(h.core, programs[0].id, people)
        return {"queued": await store.count_queued(programs[0].id)}
    if command == "state":
        program = (await store.programs())[0]
        session = await store.latest_session(program.id)
        if session is None:
            return {"state": None, "drawn": None}
        drawn = await store.person(session.drawn_person_id) if session.drawn_person_id else None
        return {"state": session.state, "drawn": drawn.tg_user_id if drawn else None}
    if command == "memory":
        return {"peak_mb": rss_peak_mb(), "hwm_mb": hwm_mb(), "rss_mb": rss_now_mb()}
    raise ValueError(f"unknown command {command!r}")


async def memory_child(api_url: str, token: str, workdir: Path, rate_limit: bool) -> None:
    """The hoidap application alone in this process, driven over stdin/stdout by the parent."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    clock = ManualClock(START)
    server = cast(FakeBotAPI, _RemoteServer(token, api_url))
    h = Harness(workdir, clock, admins=(ADMIN.id,), server=server, rate_limit=rate_limit)
    await h.start()
    _respond({"rss_mb": rss_now_mb()})
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line.strip():
                break
            request = json.loads(line)
            if request["cmd"] == "stop":
                break
            try:
                _respond(await _child_command(h, clock, request))
            except Exception as exc:
                _respond({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        await h.stop()
    _respond({"peak_mb": rss_peak_mb(), "hwm_mb": hwm_mb(), "rss_mb": rss_now_mb()})


class Child:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr = bytearray()
        self._drain = asyncio.create_task(self._read_stderr())

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    def log_tail(self) -> str:
        return self.stderr.decode("utf-8", "replace")[-3000:]

    async def response(self) -> JSON:
        assert self.process.stdout is not None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), WAIT)
            if not line:
                await self._drain
                raise RuntimeError("the memory child exited:\n" + self.log_tail())
            if line.startswith(b"@@"):
                payload: JSON = json.loads(line[2:])
                if "error" in payload:
                    raise RuntimeError(f"memory child: {payload['error']}\n{self.log_tail()}")
                return payload

    async def call(self, command: str, **arguments: Any) -> JSON:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps({"cmd": command, **arguments}) + "\n").encode())
        await self.process.stdin.drain()
        return await self.response()

    async def close(self) -> JSON:
        assert self.process.stdin is not None
        self.process.stdin.write(b'{"cmd": "stop"}\n')
        await self.process.stdin.drain()
        final = await self.response()
        await asyncio.wait_for(self.process.wait(), WAIT)
        await self._drain
        return final


async def memory_cycle(staff_count: int, rate_limit: bool) -> MemoryResult:
    progress(f"(c) memory: whole cycle with {staff_count} staff in a child process")
    xlsx = await asyncio.to_thread(SAMPLE_XLSX.read_bytes)
    async with FakeBotAPI(clock=time.perf_counter) as server:
        staff = staff_users(staff_count)
        server.group(GROUP, GROUP_TITLE)
        for user in (ADMIN, HEAD, LEADER, *staff):
            server.user(user.id, user.first_name, user.last_name, user.username)
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            arguments = [
                "-m",
                "bench.run",
                "--memory-child",
                "--api-url",
                server.base_url,
                "--token",
                server.token,
                "--workdir",
                tmp,
            ]
            if not rate_limit:
                arguments.append("--no-rate-limit")
            # Through a shell that forks (no exec): on Linux a process started directly by
            # this big parent would inherit the parent's peak RSS in its own ru_maxrss.
            process = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                '"$@"; exit $?',
                "sh",
                sys.executable,
                *arguments,
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            child = Child(process)
            try:
                return await _drive_cycle(server, child, staff, xlsx, rate_limit)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()


async def _drive_cycle(
    server: FakeBotAPI, child: Child, staff: list[User], xlsx: bytes, rate_limit: bool
) -> MemoryResult:
    start = await child.response()  # the child reports once it is up
    t0 = time.perf_counter()
    mark, injected_before = len(server.sent), len(server.injected_updates)
    steps: list[str] = []

    async def settle() -> None:
        await server.wait_updates_consumed(WAIT)
        await child.call("settle")

    async def expect_state(state: str) -> JSON:
        current = await child.call("state")
        if current["state"] != state:
            raise RuntimeError(
                f"session state {current['state']!r}, expected {state!r}\n"
                + server.describe_sent(8)
                + "\n"
                + child.log_tail()
            )
        return current

    # Bind the group and import the sample question file, as the admin does it in chat.
    server.add_bot_to_group(ADMIN.id, GROUP)
    server.send_text(ADMIN.id, "/lienket", chat_id=GROUP)
    await settle()
    server.send_document(
        ADMIN.id,
        SAMPLE_XLSX.name,
        xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    await settle()
    people = [[u.id, u.first_name, u.last_name, "staff"] for u in staff]
    people += [[HEAD.id, HEAD.first_name, HEAD.last_name, "head"]]
    people += [[LEADER.id, LEADER.first_name, LEADER.last_name, "leader"]]
    seeded = await child.call("seed", people=people)
    if not seeded["queued"]:
        raise RuntimeError(
            "importing the sample questions queued nothing:\n" + server.describe_sent(5)
        )
    progress(f"(c) bound, {seeded['queued']} questions imported, {len(people)} members")

    # Friday: the question to the group and to every member privately.
    steps += (await child.call("at", when=PUBLISH_AT.isoformat()))["steps"]
    await expect_state("published")
    missing = [u.id for u in staff if not server.messages_to(u.id)]
    if missing:
        raise RuntimeError(f"{len(missing)} staff did not get the question")
    progress("(c) published to every member")

    # Monday: the draw, the answer, the grade, the conclusion.
    steps += (await child.call("at", when=DRAW_AT.isoformat()))["steps"]
    drawn = (await expect_state("drawn"))["drawn"]
    server.send_text(drawn, "Theo Điều lệ Đảng, cần có hai đảng viên chính thức giới thiệu.")
    await settle()
    await expect_state("answered")
    answer_post = next(
        m
        for m in reversed(server.messages_to(GROUP))
        if any(label == "Đúng" for label, _ in m.buttons())
    )
    query = server.press_button(HEAD.id, answer_post, "Đúng")
    await server.wait_for_callback_answer(query, WAIT)
    await settle()
    await expect_state("graded")
    server.send_text(LEADER.id, "/ketluan Thực hiện theo Điều lệ Đảng và Quy định số 24-QĐ/TW.")
    await settle()
    await expect_state("concluded")
    progress("(c) drawn, answered, graded, concluded")

    # Everyone checks the status at once.
    tail = Tail(server)
    for user in staff:
        server.send_text(user.id, "/trangthai")
    await settle()
    tail.poll()
    answered = {m.chat_id for m in tail.found}
    if not {u.id for u in staff} <= answered:
        raise RuntimeError("not every /trangthai was answered")
    seconds = time.perf_counter() - t0
    end = await child.call("memory")
    final = await child.close()
    if child.stderr.strip():
        progress("(c) the child logged:\n" + child.log_tail())
    return MemoryResult(
        staff=len(staff),
        rate_limit=rate_limit,
        start_rss_mb=float(start["rss_mb"]),
        peak_rss_mb=max(float(end["peak_mb"]), float(final["peak_mb"])),
        hwm_mb=max(float(end["hwm_mb"]), float(final["hwm_mb"])),
        end_rss_mb=float(end["rss_mb"]),
        seconds=seconds,
        messages=len(server.sent) - mark,
        updates=len(server.injected_updates) - injected_before,
        steps=steps,
    )


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

ROUND_TRIP_TARGET = 0.7
PUBLISH_TARGET_SECONDS = 1.15 * 10.0
MEMORY_TARGET_MB = 120.0


@dataclass
class Report:
    command: str
    started: datetime
    seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    settings: JSON
    round_trips: list[RoundTripResult]
    publishes: list[PublishResult]
    memory: MemoryResult | None


def machine_facts() -> list[tuple[str, str]]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
            break

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "?"

    return [
        ("nproc", str(len(os.sched_getaffinity(0)))),
        ("CPU", cpu),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("python-telegram-bot", telegram.__version__),
        ("aiolimiter", version("aiolimiter")),
        ("httpx", version("httpx")),
        ("aiohttp (fake server)", version("aiohttp")),
        ("aiosqlite", version("aiosqlite")),
        ("SQLite", sqlite3.sqlite_version),
        ("APScheduler", version("APScheduler")),
    ]


def _yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def render(report: Report) -> str:
    s = report.settings
    lines = [
        "# Benchmarks",
        "",
        "Measured by `bench/run.py` against the local fake Telegram Bot API server",
        "(`bot/testing/fakebotapi.py`, 127.0.0.1 only): the real python-telegram-bot client",
        "talks HTTP to it, the server records every message the bot sends with",
        "`time.perf_counter()`. The numbers below are written by the script itself",
        "(`--write`); they are not edited by hand.",
        "",
        f"- **Command:** `{report.command}` (from the repository root, with the project's"
        " virtualenv; rerun the same way, `--help` lists the options; about 2 minutes)",
        f"- **Date:** {report.started:%Y-%m-%d %H:%M} UTC; the whole run took"
        f" {report.seconds:.0f} s",
        "- **Machine:** " + "; ".join(f"{name} {value}" for name, value in machine_facts()),
        "- **Load average** (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in report.load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in report.load_after)
        + " (the bots, the fake server and the benchmark share these CPUs; other work on"
        " the machine shows up in the figures)",
        "",
    ]

    summary: list[str] = []
    if report.round_trips:
        echo, hoidap = report.round_trips[0].median, report.round_trips[1].median
        ratio = hoidap.throughput / echo.throughput
        summary.append(
            f"| (a) hoidap `/trangthai` throughput ≥ {ROUND_TRIP_TARGET} × bare echo bot"
            f" | {ratio:.2f} × | {_yes(ratio >= ROUND_TRIP_TARGET)} |"
        )
    for p in report.publishes:
        ok = p.seconds <= PUBLISH_TARGET_SECONDS and p.flood_429 == 0
        which = "candidate limiter" if p.overridden else "`bot/app.py` as is"
        summary.append(
            f"| (b) {p.messages} messages in ≤ {PUBLISH_TARGET_SECONDS:.1f} s, zero 429"
            f" ({which}) | {p.seconds:.2f} s, {p.flood_429} × 429 | {_yes(ok)} |"
        )
    if report.memory is not None:
        m = report.memory
        summary.append(
            f"| (c) peak RSS < {MEMORY_TARGET_MB:.0f} MB | {m.peak_rss_mb:.1f} MB"
            f" | {_yes(m.peak_rss_mb < MEMORY_TARGET_MB)} |"
        )
    if summary:
        lines += ["## Targets", "", "| Target | Measured | |", "|---|---|---|", *summary, ""]

    if report.round_trips:
        lines += [
            "## (a) Update round trip",
            "",
            "Two bots, one after the other, against the same fake server in the same process",
            "and event loop: a bare PTB `Application` with one `MessageHandler` that answers",
            "with `reply_text` (no defaults, no rate limiter), and the hoidap application",
            "through `bot.testing.harness.Harness` (`rate_limit=False`) with a bound group,",
            f"{s['members']} active staff members and the question of the week published. Both",
            "poll with `start_polling(poll_interval=0, timeout=1)`. The bare echo bot handles",
            "updates one at a time (PTB's default); hoidap handles different people",
            "concurrently and each person's updates in order (`bot/transport/ordering.py`). For",
            "reference, the same echo bot with `concurrent_updates("
            f"{CONCURRENT_ECHO})` is measured too: on one event loop shared with the server,",
            "concurrency does not raise throughput (all requests share one HTTP connection pool",
            "and one CPU); it keeps one person's slow update from holding up others.",
            "The server shares the event loop, so its own work per update and reply (copying",
            "updates, parsing the bot's HTML) counts for every bot.",
            "",
            f"Per run and bot: {s['warmup']} warm-up updates, then a burst of"
            f" **N = {s['updates']}** private messages injected as fast as possible"
            " (`server.send_text`, the injection time taken after each), then"
            f" {s['idle']} messages one at a time (the next after the reply). The messages come"
            f" round robin from the {s['members']} members, each in their private chat:"
            " hoidap drops the updates of anyone sending more than"
            f" {THROTTLE_CAPACITY} per 30 s, and the simulated clock does not move here.",
            "Throughput = N / (last reply − first injection); latency = time the server"
            " recorded the reply − injection time. The k-th reply in a chat is matched to that"
            " person's k-th message and checked (the echo text, or exactly the reference reply"
            " of the command).",
            "Under a burst every update waits for those before it, so burst latency is mostly"
            " queueing; *idle p50* is the round trip of a single update with nothing queued.",
            f"Each bot ran {s['runs']} times (interleaved); the run with the median throughput"
            " is reported.",
            "",
            "| Bot | updates/s | p50 latency (burst) | p95 latency (burst) | idle p50 |"
            " updates/s of each run | SQL statements / update | aiosqlite calls / update |",
            "|---|---:|---:|---:|---:|---|---:|---:|",
        ]
        echo_rate = report.round_trips[0].median.throughput
        for result in report.round_trips:
            med = result.median
            runs = ", ".join(f"{r.throughput:.0f}" for r in result.runs)
            sql = "–" if result.sql_per_update is None else f"{result.sql_per_update:.1f}"
            calls = (
                "–" if result.db_calls_per_update is None else f"{result.db_calls_per_update:.1f}"
            )
            lines.append(
                f"| {result.name} | {med.throughput:.0f} | {med.p50_ms:.0f} ms"
                f" | {med.p95_ms:.0f} ms | {med.idle_p50_ms:.1f} ms | {runs} | {sql} | {calls} |"
            )
        lines.append("")
        for result in report.round_trips[1:]:
            lines.append(
                f"- {result.name} / echo throughput: **{result.median.throughput / echo_rate:.2f}**"
            )
        lines += [
            "",
            "`/trangthai` by an active member: hoidap's own work per update (throttle, replay",
            "check, who is asking, which program, the session summary, a Jinja2 template) is",
            "mostly SQLite through aiosqlite, where every call is a round trip to aiosqlite's",
            "worker thread. The last two columns count it over a separate burst of"
            f" {DB_SAMPLE} updates (sqlite3 trace callback; calls into aiosqlite's worker).",
        ]
        if len(report.round_trips) > 2:
            lines += [
                "*Private free text* is the answer path of a member who is not (or no longer)",
                "waiting to answer (dialog lookup, the drawn-session lookup in a write",
                "transaction, the fallback reply): accepting an answer changes the session state,",
                "so it cannot be repeated N times.",
            ]
        lines.append("")

    if report.publishes:
        lines += [
            "## (b) Publishing to 300 staff under flood limits",
            "",
            "Fake server with `FloodLimits(per_second_global=30)` (a strict sliding window:"
            " more than 30 messages in any 1-second window is answered with 429; per private",
            "chat and per group limits at their defaults), the hoidap application through the",
            f"Harness with `rate_limit=True`. {s['staff']} active staff members, a bound group",
            "and queued questions are created with direct store calls; every staff member is",
            "registered on the server. After the setup the flood windows are reset, the clock",
            "is moved to the publication time (Friday 08:00) and `scheduler.run(program)` is",
            "called. Time = last of the (staff + 1 group) messages recorded by the server −",
            "trigger. *Max in 1 s* is the largest number of these messages inside any 1-second",
            "window. The ideal at exactly 30 messages/s is about 10 s.",
            "",
            "| Rate limiter | messages | time | 429 answers | max in 1 s | enqueue step |"
            " given up |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for p in report.publishes:
            label = f"{p.limiter}" + (" (candidate)" if p.overridden else " (`bot/app.py` as is)")
            lines.append(
                f"| {label} | {p.messages} | {p.seconds:.2f} s | {p.flood_429} |"
                f" {p.max_per_second} | {p.enqueue_seconds * 1000:.0f} ms | {p.failed} |"
            )
        lines += [
            "",
            "The bot's limiter (`bot/app.py`) is a bucket of one message that drains at 28",
            "per second (`overall_max_rate=1, overall_time_period=1/28`): no initial burst;",
            "`--candidate-rate R` measures the same application with another rate R beside it.",
            "PTB's usual `AIORateLimiter(overall_max_rate=30, overall_time_period=1)` is a leaky",
            "bucket that starts empty: it lets 30 messages through at once and then 30 more per",
            "second, up to about 60 in the first second, which a strict sliding window rejects",
            "(measured with it: 10 × 429 and 11.6 s). Each 429 makes PTB's AIORateLimiter hold",
            "back every request of the bot for `retry_after` + 0.1 s (at least 1.1 s) before it",
            "retries (`max_retries=3`).",
            "",
        ]

    if report.memory is not None:
        m = report.memory
        lines += [
            "## (c) Peak memory",
            "",
            "The hoidap application runs alone in a child process (`python -m bench.run"
            f" --memory-child`: the Harness with `rate_limit={m.rate_limit}`); the fake server"
            " stays in the parent and drives",
            f"a whole cycle with {m.staff} staff, a head and a leader: add the bot to the group",
            "and `/lienket`, upload `questions/samples/cau_hoi_mau.xlsx`, members created with",
            "direct store calls, publication (Friday 08:00), draw (Monday 09:00), the drawn",
            "person's answer, the head's grade (button), the leader's `/ketluan`, then every",
            "staff member sends `/trangthai` at once.",
            f"{m.updates} updates, {m.messages} messages sent by the bot, {m.seconds:.1f} s.",
            "The child is started through `/bin/sh -c '\"$@\"; exit $?'`, which forks",
            "rather than execs: on Linux a process started directly by the (larger) parent",
            "inherits the parent's peak RSS in its own `ru_maxrss`. `VmHWM` (the kernel's",
            "high-water mark of the child's own memory) is shown as a cross-check.",
            "",
            "| | RSS |",
            "|---|---:|",
            f"| after start-up | {m.start_rss_mb:.1f} MB |",
            f"| at the end of the cycle (`VmRSS`) | {m.end_rss_mb:.1f} MB |",
            f"| **peak** (`ru_maxrss`) | **{m.peak_rss_mb:.1f} MB** |",
            f"| peak (`VmHWM`, cross-check) | {m.hwm_mb:.1f} MB |",
            "",
            f"Steps run by the scheduler: {', '.join(m.steps) or '-'}.",
            "",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, command: str) -> Report:
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    parts = set(args.parts)
    round_trips: list[RoundTripResult] = []
    publishes: list[PublishResult] = []
    memory: MemoryResult | None = None
    if "a" in parts:
        round_trips = await round_trip(
            args.updates,
            args.warmup,
            args.idle,
            args.runs,
            args.members,
            variant=not args.no_variant,
        )
    if "b" in parts:
        settings: list[tuple[float, float] | None] = [None]
        if args.candidate_rate > 0:
            settings.append((1.0, 1.0 / args.candidate_rate))
        for setting in settings:
            progress(f"(b) publishing to {args.staff} staff, overall rate override {setting}")
            result = await publish_flood(args.staff, setting)
            publishes.append(result)
            progress(
                f"(b) {result.limiter}: {result.messages} messages in {result.seconds:.2f} s,"
                f" {result.flood_429} x 429, max {result.max_per_second} in 1 s"
            )
    if "c" in parts:
        memory = await memory_cycle(args.staff, rate_limit=not args.memory_no_rate_limit)
        progress(f"(c) peak RSS {memory.peak_rss_mb:.1f} MB, at the end {memory.end_rss_mb:.1f} MB")
    return Report(
        command=command,
        started=started,
        seconds=time.perf_counter() - t0,
        load_before=load_before,
        load_after=os.getloadavg(),
        settings={
            "updates": args.updates,
            "warmup": args.warmup,
            "idle": args.idle,
            "runs": args.runs,
            "staff": args.staff,
            "members": args.members,
        },
        round_trips=round_trips,
        publishes=publishes,
        memory=memory,
    )


def archive_search_section() -> str:
    """(d) bench/bench_search.py in its own process (its archive must not share this one's
    memory or event loop), its Markdown report under a heading of this file."""
    progress("(d) archive search on 10,000 entries (python -m bench.bench_search)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_search"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    body = done.stdout.strip()
    # Its headings move one level down, under this section.
    body = "\n".join("#" + line if line.startswith("#") else line for line in body.splitlines())
    return "## (d) Archive search\n\nCommand: `python -m bench.bench_search`.\n\n" + body


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="write the report to BENCHMARKS.md")
    parser.add_argument(
        "--parts", default="abcd", help="which parts to run (default: abcd; d = archive search)"
    )
    parser.add_argument("--updates", type=int, default=2000, help="(a) burst size N")
    parser.add_argument("--warmup", type=int, default=100, help="(a) warm-up updates")
    parser.add_argument("--idle", type=int, default=200, help="(a) one-at-a-time updates")
    parser.add_argument("--runs", type=int, default=3, help="(a) runs per bot")
    parser.add_argument(
        "--members", type=int, default=200, help="(a) members the updates come from"
    )
    parser.add_argument("--no-variant", action="store_true", help="(a) skip the free-text variant")
    parser.add_argument("--staff", type=int, default=300, help="(b, c) staff members")
    parser.add_argument(
        "--candidate-rate",
        type=float,
        default=0.0,
        help="(b) also try overall_max_rate=1, overall_time_period=1/RATE (0: skip)",
    )
    parser.add_argument(
        "--memory-no-rate-limit", action="store_true", help="(c) run the child without limiter"
    )
    child = parser.add_argument_group("internal: the memory child process")
    child.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    child.add_argument("--api-url", help=argparse.SUPPRESS)
    child.add_argument("--token", help=argparse.SUPPRESS)
    child.add_argument("--workdir", help=argparse.SUPPRESS)
    child.add_argument("--no-rate-limit", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(arguments)
    if args.memory_child:
        asyncio.run(
            memory_child(args.api_url, args.token, Path(args.workdir), not args.no_rate_limit)
        )
        return 0
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    launcher = "python -m bench.run" if __spec__ is not None else "python bench/run.py"
    command = " ".join([launcher, *arguments])
    report = asyncio.run(measure(args, command))
    text = render(report)
    if "d" in set(args.parts):
        text = text.rstrip() + "\n\n" + archive_search_section() + "\n"
    print(text)
    if args.write:
        BENCHMARKS_MD.write_text(text, encoding="utf-8")
        progress(f"wrote {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
