"""The pace of each channel: a window, an even grid that never catches up in a burst, replies
first, a flood answer waited out by everything; per chat, a group's minute and a private
chat's second. The rules are tested on explicit times, the turns on a clock the test holds."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.config import Settings
from bot.transport.pacing import ChatWindows, SlidingWindow
from bot.transport.telegram import BULK, TelegramPace
from hoidap.app import build_application
from tests.support.pace import HeldClock, until

STEP = 1 / 3


def _run(w: SlidingWindow, lateness: dict[int, float], count: int) -> list[float]:
    """``count`` turns asked for at once; turn ``i`` starts ``lateness[i]`` after its plan."""
    starts: list[float] = []
    for i in range(count):
        planned = w.earliest(0.0)
        at = planned + lateness.get(i, 0.0)
        w.started(planned, at)
        starts.append(at)
    return starts


def test_a_little_lateness_is_made_up_and_the_grid_holds() -> None:
    w = SlidingWindow(limit=3, window=1.0)
    starts = _run(w, {1: 0.1}, 9)  # the second wakes up 0.1 s late (less than half a step)
    assert abs(starts[2] - 2 * STEP) < 1e-9  # the third is on the grid again
    assert all(b - a >= STEP / 2 - 1e-9 for a, b in itertools.pairwise(starts))
    assert all(starts[i + 3] - starts[i] >= 1.0 - 1e-9 for i in range(len(starts) - 3))


def test_a_stall_is_never_made_up_in_a_burst() -> None:
    w = SlidingWindow(limit=30, window=1.03)
    step = w.spacing
    starts = _run(w, {5: 0.04, 12: 0.2}, 90)  # a stall of 40 ms, then one of 200 ms
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= step / 2 - 1e-9  # never two turns closer than half a step
    assert abs(gaps[5] - step / 2) < 1e-9  # after the stall: half a step, then the grid again
    assert all(g >= step - 1e-9 for g in gaps[6:11] + gaps[13:])
    window = [starts[i + 30] - starts[i] for i in range(len(starts) - 30)]
    assert min(window) >= 1.03 - 1e-9


def _held_up_run(answers: bool) -> tuple[list[float], list[float]]:
    """90 turns asked for at once, each answered 2 ms after its turn, but message 9 is held up
    80 ms on its way (the event loop stood still right after its turn). (starts, arrivals)."""
    w = SlidingWindow(limit=30, window=1.03)
    trip, held = 0.002, 0.08
    starts: list[float] = []
    arrivals: list[float] = []
    for i in range(90):
        planned = w.earliest(0.0)
        number = w.started(planned, planned)
        late = held if i == 9 else 0.0
        if answers:
            w.answered(number, planned, planned + trip + late)
        starts.append(planned)
        arrivals.append(planned + trip / 2 + late)
    return starts, arrivals


def test_a_message_held_up_on_its_way_counts_from_when_it_may_have_arrived() -> None:
    starts, arrivals = _held_up_run(answers=True)
    on_server = sorted(arrivals)
    # The server never sees more than 30 messages in any 1.03 s.
    assert min(on_server[i + 30] - on_server[i] for i in range(60)) >= 1.03 - 1e-9
    # Only the turn that would have made the 31st waits: the others keep the grid.
    step = SlidingWindow(30, 1.03).spacing
    late = [i for i in range(90) if abs(starts[i] - i * step) > 1e-9]
    assert late and late[0] == 39
    # Counted from its turn, message 9 would let the 39th arrive within the server's second.
    starts, arrivals = _held_up_run(answers=False)
    on_server = sorted(arrivals)
    assert min(on_server[i + 30] - on_server[i] for i in range(60)) < 1.0


def test_after_a_pause_the_next_message_goes_at_once() -> None:
    w = SlidingWindow(limit=30, window=1.03)
    for i in range(30):
        w.started(w.earliest(i * 0.01), i * 0.01)
    assert w.earliest(100.0) == 100.0


def test_after_a_flood_answer_nothing_starts_before_the_wait_and_then_one_step_at_a_time() -> None:
    w = SlidingWindow(limit=30, window=1.03)
    for i in range(10):
        w.started(w.earliest(i * w.spacing), i * w.spacing)
    w.pause_at(5.0)  # a 429 at about 0.34 s with retry_after: everything waits until 5 s
    starts = []
    for _ in range(40):  # everything queued meanwhile
        planned = w.earliest(0.4)
        w.started(planned, planned)
        starts.append(planned)
    assert starts[0] == 5.0
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(abs(g - w.spacing) < 1e-9 for g in gaps)  # the pause is not caught up
    assert max(sum(1 for s in starts if t <= s < t + 1.0) for t in starts) <= 30


def test_a_groups_minute_and_a_private_chats_second() -> None:
    group = ChatWindows(20, 61.0)
    for i in range(20):
        assert group.earliest(-5, i * 0.1) == i * 0.1
        group.started(-5, i * 0.1)
    assert group.earliest(-5, 2.0) == 61.0  # the 21st waits for the first to leave the minute
    assert group.earliest(-6, 2.0) == 2.0  # another group does not
    private = ChatWindows(3, 3.05)
    for t in (0.0, 0.1, 0.2):
        private.started(7, t)
    assert private.earliest(7, 0.3) == 3.05
    private.started(7, 3.05)
    assert private.earliest(7, 3.1) == 3.15


def test_chats_not_written_to_lately_are_forgotten() -> None:
    private = ChatWindows(3, 3.0)
    for chat in range(4096):
        private.started(chat, 0.0)
    private.started(99_999, 10.0)
    assert len(private) == 1


# -- the turns, on a held clock -------------------------------------------------------------------


async def test_a_reply_takes_the_next_turn_before_the_bulk_queue() -> None:
    clock = HeldClock()
    w = SlidingWindow(limit=1, window=1.0, clock=clock)
    order: list[str] = []

    async def take(name: str, urgent: bool) -> None:
        await w.turn(urgent)
        order.append(name)

    bulk = [asyncio.create_task(take(f"bulk{i}", False)) for i in range(5)]
    await until(lambda: order == ["bulk0"] and w.waiting(False) == 4)
    reply = asyncio.create_task(take("reply", True))
    await until(lambda: w.waiting(True) == 1)
    clock.to_next()
    await until(lambda: len(order) == 2)
    assert order == ["bulk0", "reply"]  # one step later, ahead of the four waiting before it

    def more_than(n: int) -> Callable[[], bool]:
        return lambda: len(order) > n

    while len(order) < 6:
        clock.to_next()
        await until(more_than(len(order)))
    assert order == ["bulk0", "reply", "bulk1", "bulk2", "bulk3", "bulk4"]
    await asyncio.gather(*bulk, reply)
    starts = [at for at, _ in w.granted]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(starts))


async def test_a_pause_holds_every_turn_then_the_grid_starts_again() -> None:
    clock = HeldClock()
    w = SlidingWindow(limit=10, window=1.0, clock=clock)
    start = clock.now()
    await w.turn(urgent=False)
    w.pause(3.0)  # the answer to that message was a 429 with retry_after 3
    waiting = [asyncio.create_task(w.turn(urgent=i == 2)) for i in range(6)]
    await until(lambda: bool(clock.sleepers))
    assert min(clock.sleepers) == start + 3.0
    clock.advance(2.9)
    await asyncio.sleep(0)
    assert not any(t.done() for t in waiting)
    while not all(t.done() for t in waiting):
        clock.to_next()
        await until(lambda: bool(clock.sleepers) or all(t.done() for t in waiting))
    after = [at for at, _ in list(w.granted)[1:]]
    assert after[0] == start + 3.0
    assert [b - a for a, b in itertools.pairwise(after)] == pytest.approx([0.1] * 5)
    assert list(w.granted)[1][1] is True  # the reply asked for during the pause went first


# -- Telegram: PTB's rate limiter hook ----------------------------------------------------------


class _Calls:
    """A Bot API call as PTB's rate limiter sees it; ``floods`` answers 429 that many times."""

    def __init__(self, clock: HeldClock, floods: int = 0, retry_after: int = 2) -> None:
        self.clock = clock
        self.floods = floods
        self.retry_after = retry_after
        self.at: list[tuple[float, str]] = []

    async def __call__(self, name: str) -> dict[str, Any]:
        self.at.append((self.clock.now(), name))
        if self.floods:
            self.floods -= 1
            raise RetryAfter(timedelta(seconds=self.retry_after))
        return {"ok": True}


async def _send(pace: TelegramPace, calls: _Calls, name: str, chat: int, bulk: bool) -> None:
    await pace.process_request(
        calls, (name,), {}, "sendMessage", {"chat_id": chat}, BULK if bulk else None
    )


async def test_telegram_after_a_flood_answer_every_message_waits_and_none_bursts() -> None:
    clock = HeldClock()
    pace = TelegramPace(clock)
    calls = _Calls(clock, floods=1, retry_after=2)
    start = clock.now()
    first = asyncio.create_task(_send(pace, calls, "first", 1, True))
    await until(lambda: len(calls.at) == 1)
    others = [asyncio.create_task(_send(pace, calls, f"m{i}", 10 + i, True)) for i in range(20)]
    tasks = [first, *others]
    while not all(t.done() for t in tasks):
        clock.to_next()
        await until(lambda: bool(clock.sleepers) or all(t.done() for t in tasks))
    after = [at for at, _ in calls.at[1:]]
    assert len(after) == 21 and min(after) >= start + 2.0  # nothing during the wait
    assert calls.at[1][1] == "first"  # the refused message keeps its place
    step = pace.overall.spacing
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert min(gaps) >= step - 1e-9  # then one step at a time: no burst after the wait
    assert pace.retries == 1


async def test_telegram_replies_overtake_the_outbox_and_chats_keep_their_own_limits() -> None:
    clock = HeldClock()
    pace = TelegramPace(clock)
    calls = _Calls(clock)
    bulk = [asyncio.create_task(_send(pace, calls, f"b{i}", 100 + i, True)) for i in range(10)]
    await until(lambda: len(calls.at) == 1 and pace.overall.waiting(False) == 9)
    reply = asyncio.create_task(_send(pace, calls, "reply", 7, False))
    await until(lambda: pace.overall.waiting(True) == 1)
    clock.to_next()
    await until(lambda: len(calls.at) == 2)
    assert calls.at[1][1] == "reply"
    # A private chat: three at once, the fourth about a second later, others meanwhile.
    mine = [asyncio.create_task(_send(pace, calls, f"p{i}", 7, False)) for i in range(3)]
    tasks = [*bulk, reply, *mine]
    while not all(t.done() for t in tasks):
        # The time moves when the pace waits for its next turn (or only a chat waits).
        await until(
            lambda: (
                (pace.overall.sleeping or 0) > clock.now()
                or (
                    not pace.overall.waiting()
                    and (bool(clock.sleepers) or all(t.done() for t in tasks))
                )
            )
        )
        clock.to_next()
    to_seven = [at for at, name in calls.at if name == "reply" or name.startswith("p")]
    assert to_seven[3] - to_seven[0] >= 3.05 - 1e-9
    assert [n for _, n in calls.at].index("b9") < [n for _, n in calls.at].index("p2")


def test_the_bot_paces_with_the_sliding_window(tmp_path: Path) -> None:
    app = build_application(Settings(token="1:x", db_path=tmp_path / "db.sqlite3"))
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, TelegramPace)
    assert isinstance(limiter.overall, SlidingWindow)
    assert (limiter.overall.limit, limiter.overall.window) == (30, 1.03)
