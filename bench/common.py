"""What every benchmark shares: the people, the clock, the fake server's helpers, measures."""

from __future__ import annotations

import math
import resource
import sys
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from aiolimiter import AsyncLimiter
from telegram.ext import (
    Application,
)

import hoidap.app
from bot.core import Core
from bot.transport.pacing import SlidingWindow
from fakes.fakebotapi import FakeBotAPI, FloodLimits, SentMessage
from fakes.harness import Harness, User

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
            tg_name = f"{user.first_name} {user.last_name or ''}".strip()  # as Telegram sends it
            person = await store.upsert_person(user.id, user.username, tg_name, False, now)
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
    """Build the application with ``hoidap/app.py`` unchanged except its overall limiter: an
    ``aiolimiter`` bucket (``max_rate``, ``time_period``) in place of the sliding window
    (``bot/transport/pacing.py``); ``None`` changes nothing. Yields the limiters built."""
    built: list[Any] = []
    if setting is None:
        yield built
        return

    def factory(*_args: Any, **_kwargs: Any) -> AsyncLimiter:
        limiter = AsyncLimiter(setting[0], setting[1])
        built.append(limiter)
        return limiter

    with mock.patch.object(hoidap.app, "SlidingWindow", factory):
        yield built
    if not built:
        raise RuntimeError("hoidap/app.py did not build its overall limiter; cannot override it")


def describe_limiter(application: Application) -> str:  # type: ignore[type-arg]
    limiter = application.bot.rate_limiter
    if limiter is None:
        return "no rate limiter"
    base = getattr(limiter, "_base_limiter", None)
    if base is None:
        return type(limiter).__name__
    if isinstance(base, SlidingWindow):
        return (
            f"{type(limiter).__name__} with SlidingWindow(limit={base.limit}, "
            f"window={base.window:g} s)"
        )
    period = float(base.time_period)
    period_text = f"1/{round(1 / period)}" if period < 1 else f"{period:g}"
    return (
        f"{type(limiter).__name__} with aiolimiter bucket (max_rate={base.max_rate:g}, "
        f"time_period={period_text})"
    )
