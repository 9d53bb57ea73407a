"""(n) A Zalo update's cost: a status command on Zalo beside a minimal Zalo echo loop.

What (a) measures for Telegram, for Zalo. Two bots poll the same fake Zalo server
(``fakes/fakezalo``) through the same client, ``bot/transport/zalo_api.py``:

- **the echo loop**: ``ZaloPoller`` (getUpdates one at a time, as hoidap polls), each update
  answered with its own text by ``ZaloApi.send_message``, one account's updates in order and at
  most ``MAX_RUNNING`` answers at once (the bound of hoidap's dispatcher);
- **hoidap**: the application through the Harness with Zalo on, ``MEMBERS`` Zalo accounts
  active staff of a bound program (direct store calls), the question of the week published;
  each sends ``/trangthai``, and every reply must be the status reply (checked once at the
  start, then each reply equal to it).

Zalo's pace is set to ``ZALO_RATE`` a second for both, far above what either reaches, so the
pace is not what is measured. The bots take turns, ``RUNS`` runs each (echo, hoidap, echo, …),
each run a fresh start: a warm-up of one update per account, then ``UPDATES`` updates injected
at once (throughput = updates / (last reply - first injection), times from the server's record
of each message), then ``IDLE`` one at a time, the next after the reply (the idle round trip).

The SQL statements of an update: in hoidap's first run, ``SAMPLE`` more updates one at a time
with the store's trace on (``Store.trace``): the statements of the update's own task (the
account's, ``hoidap-zalo-<id>``) split into reads and writes, and beside them what other tasks
ran meanwhile (the poller taking the message in, the batched record of messages taken in).
The store's counter over each measured burst gives every statement there per update, the
batched records of seen updates included. The warm-up of that run is traced too: what an
account's first update since a start reads before its rows are kept.

Run alone: ``python -m bench.zalo_roundtrip`` (prints JSON); ``python -m bench.run --parts n``
runs it in its own process (``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    ADMIN,
    GROUP_TITLE,
    PUBLISH_AT,
    START,
    WAIT,
    bind_group,
    percentile,
    progress,
    seed,
)
from bot.clock import ManualClock
from bot.store.base import Statement
from bot.transport.ordering import KeyedLocks
from bot.transport.zalo_api import ZaloApi, ZaloMessage, ZaloPoller
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness
from handlers.dispatch import MAX_RUNNING
from handlers.ops import CAPACITY as THROTTLE_CAPACITY

UPDATES = 500
MEMBERS = 50
RUNS = 3
IDLE = 100
SAMPLE = 50  # updates whose statements are traced (hoidap's first run)
ZALO_RATE = 10_000.0  # messages a second: the pace never holds a reply back
TEXT = "/trangthai"  # what a Zalo user sends for the status («tình hình» is the same command)
KEYWORD = "tình hình"  # checked once to give the same reply
TARGET_RATIO = 0.5  # the target: hoidap / echo loop throughput
TARGET_READS = 1  # statements per update: at most one read, no write of its own

_READ = re.compile(r"\s*(SELECT|WITH|PRAGMA)\b", re.IGNORECASE)
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_ACCOUNT = re.compile(r"^hoidap-zalo-z-staff-\d+$")


class TimedZalo(FakeZalo):
    """The fake Zalo server, each message it takes stamped with ``time.perf_counter()``."""

    def _record(self, method: str, chat_id: str, text: str, **more: Any) -> dict[str, Any]:
        return super()._record(method, chat_id, text, t=time.perf_counter(), **more)


def zalo_id(n: int) -> str:
    return f"z-staff-{n:03d}"


# -- the two bots -------------------------------------------------------------------------------


class Bot:
    name = ""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    def check(self, replies: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError


class EchoLoop(Bot):
    """The least a Zalo bot on this client does: poll, answer each update with its text."""

    name = "echo loop"

    def __init__(self, zalo: FakeZalo) -> None:
        self.zalo = zalo
        self.api: ZaloApi | None = None
        self.poller: ZaloPoller | None = None
        self._senders = KeyedLocks()
        self._running = asyncio.Semaphore(MAX_RUNNING)
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        # As hoidap/app.py builds its client: its own httpx client, the same pace.
        self.api = ZaloApi(self.zalo.token, self.zalo.url, rate=ZALO_RATE)
        self.poller = ZaloPoller(self.api, self._take)
        self.poller.start()

    async def _take(self, msg: ZaloMessage) -> None:
        # Like ZaloChannel.take: the poller goes on at once, each update in a task of its own.
        task = asyncio.create_task(self._answer(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, msg: ZaloMessage) -> None:
        assert self.api is not None
        async with self._senders.hold(msg.user_id), self._running:
            await self.api.send_message(msg.chat_id, msg.text or "…")

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.api is not None:
            await self.api.close()
        self.api = self.poller = None

    def check(self, replies: Sequence[dict[str, Any]]) -> None:
        if any(r["text"] != TEXT for r in replies):
            raise RuntimeError("echo loop: a reply is not the message it answers")


class Hoidap(Bot):
    """The hoidap application with Zalo on, through the Harness (Telegram idle beside it)."""

    name = "hoidap"

    def __init__(self, zalo: FakeZalo, workdir: Path, members: int) -> None:
        self.zalo = zalo
        self.ids = [zalo_id(n) for n in range(members)]
        self.h = Harness(
            workdir, ManualClock(START), admins=(ADMIN.id,), zalo=zalo, zalo_rate=ZALO_RATE
        )
        self.reference = ""

    async def prepare(self) -> None:
        """The program, its Zalo staff and the question published; then the reference reply,
        checked to be the status and the same for «tình hình»."""
        h = self.h
        await h.start()
        try:
            program_id = await bind_group(h)
            await seed(h.core, program_id, [], questions=5)
            store, now = h.core.store, h.core.now()
            async with store.transaction():  # as bench/channels.py zalo_staff
                for n, zid in enumerate(self.ids):
                    account = await store.add_zalo_account(zid, f"Cán bộ Zalo {n:03d}", now, zid)
                    await store.set_person_profile(
                        account.person_id, f"Trần Zalo {n:03d}", "Chuyên viên"
                    )
                    await store.upsert_member(program_id, account.person_id, "active", now)
                    await store.set_roles(program_id, account.person_id, ["staff"])
                    self.zalo.known.add(zid)
            steps = await h.at(PUBLISH_AT)
            if not any(step.endswith("publish") for step in steps):
                raise RuntimeError(f"the question was not published: {steps}")
            for text in (TEXT, KEYWORD):
                replies = await h.zalo_send(self.ids[0], text)
                if len(replies) != 1 or replies[0]["chat_id"] != self.ids[0]:
                    raise RuntimeError(f"{text!r}: expected one reply, got {replies}")
                reply = str(replies[0]["text"])
                if GROUP_TITLE not in reply or "Phiên:" not in reply:
                    raise RuntimeError(f"{text!r} is not answered with the status: {reply!r}")
                if self.reference and reply != self.reference:
                    raise RuntimeError(f"{text!r} and {TEXT!r} are answered differently")
                self.reference = reply
        finally:
            await h.stop()

    async def start(self) -> None:
        await self.h.start()

    async def stop(self) -> None:
        await self.h.settle(WAIT)
        await self.h.stop()

    async def close(self) -> None:
        await self.h.close()

    def check(self, replies: Sequence[dict[str, Any]]) -> None:
        wrong = [r["text"] for r in replies if r["text"] != self.reference]
        if wrong:
            raise RuntimeError(f"hoidap: {len(wrong)} replies are not the status: {wrong[0]!r}")


# -- driving ------------------------------------------------------------------------------------


def _senders(ids: Sequence[str], count: int) -> list[str]:
    return [ids[i % len(ids)] for i in range(count)]


async def burst(zalo: FakeZalo, bot: Bot, ids: Sequence[str], count: int) -> tuple[float, float]:
    """``count`` updates injected at once (round robin over the accounts); the seconds from the
    first injection to the last reply, and the replies' median latency."""
    senders = _senders(ids, count)
    mark = len(zalo.sent)
    injected: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    for who in senders:
        injected.setdefault(who, []).append(time.perf_counter())
        zalo.push_text(who, TEXT)
    await zalo.wait_sent(mark + count, WAIT)
    replies = zalo.sent[mark:]
    if len(replies) != count or Counter(r["chat_id"] for r in replies) != Counter(senders):
        raise RuntimeError(f"{bot.name}: the replies do not answer the updates one each")
    bot.check(replies)
    # One account's replies come in the order of its updates.
    latencies = [float(r["t"]) - injected[r["chat_id"]].pop(0) for r in replies]
    return max(float(r["t"]) for r in replies) - t0, percentile(latencies, 0.5)


async def ping_pong(
    zalo: FakeZalo,
    bot: Bot,
    ids: Sequence[str],
    count: int,
    after: Callable[[int], Any] | None = None,
) -> list[float]:
    """One update at a time, the next after the reply; ``after(i)`` (awaited) between them."""
    latencies = []
    for i, who in enumerate(_senders(ids, count)):
        mark = len(zalo.sent)
        at = time.perf_counter()
        zalo.push_text(who, TEXT)
        replies = await zalo.wait_sent(mark + 1, WAIT)
        reply = replies[mark]
        if reply["chat_id"] != who:
            raise RuntimeError(f"{bot.name}: a reply went to {reply['chat_id']}, not {who}")
        bot.check([reply])
        latencies.append(float(reply["t"]) - at)
        if after is not None:
            await after(i)
    return latencies


# -- the statements of an update ------------------------------------------------------------------


def _kind(sql: str) -> str:
    if sql == "BEGIN IMMEDIATE":
        return "begin"
    if _READ.match(sql):
        return "read"
    if _WRITE.match(sql):
        return "write"
    return "other"


def _text(s: Statement) -> str:
    sql = " ".join(s.sql.split())
    return f"[{s.task or '-'}{', tx' if s.in_tx else ''}] {sql[:200]}"


@dataclass
class Sample:
    reads: list[int] = field(default_factory=list)  # of the update's own task, per update
    writes: list[int] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)
    elsewhere: Counter[str] = field(default_factory=Counter)  # other tasks' statements, by task
    trace: list[str] = field(default_factory=list)  # a typical update's statements (every task's)
    busiest: list[str] = field(default_factory=list)  # those of the update that ran the most


async def sample(zalo: FakeZalo, bot: Hoidap, ids: Sequence[str], count: int) -> Sample:
    """``count`` updates one at a time, the store's trace on; each update's statements are
    those run from its injection until its task finished (everything else is idle then)."""
    store, channel = bot.h.core.store, bot.h.zalo_transport
    await bot.h.settle(WAIT)  # the tasks of the updates before have finished
    senders = _senders(ids, count)
    result = Sample()
    done = channel.done
    most = -1

    async def collect(i: int) -> None:
        nonlocal done, most
        done += 1
        await asyncio.wait_for(channel.wait_done(done), WAIT)
        trace, store.trace = store.trace or [], []
        own = f"hoidap-zalo-{senders[i]}"
        mine = [_kind(s.sql) for s in trace if s.task == own]
        result.reads.append(mine.count("read"))
        result.writes.append(mine.count("write"))
        result.transactions.append(mine.count("begin"))
        for s in trace:
            if s.task != own and s.sql != "BEGIN IMMEDIATE":
                result.elsewhere[_ACCOUNT.sub("another account", s.task or "-")] += 1
        if i == count // 2:
            result.trace = [_text(s) for s in trace]
        if len(trace) > most:
            most, result.busiest = len(trace), [_text(s) for s in trace]

    store.trace = []
    try:
        await ping_pong(zalo, bot, ids, count, collect)
    finally:
        store.trace = None
    return result


async def cold(zalo: FakeZalo, bot: Hoidap, ids: Sequence[str]) -> tuple[list[int], list[str]]:
    """The warm-up burst (each account's first update since the start) with the trace on: each
    update's own statements, and one account's."""
    store = bot.h.core.store
    store.trace = []
    try:
        await burst(zalo, bot, ids, len(ids))
        await bot.h.settle(WAIT)
        trace = store.trace
    finally:
        store.trace = None
    own = Counter(s.task for s in trace if s.sql != "BEGIN IMMEDIATE")
    first = f"hoidap-zalo-{ids[-1]}"
    return (
        [own[f"hoidap-zalo-{who}"] for who in ids],
        [_text(s) for s in trace if s.task == first],
    )


# -- the result -----------------------------------------------------------------------------------


@dataclass
class ZaloTrip:
    updates: int
    members: int
    idle: int
    zalo_rate: float
    text: str
    echo: list[float]  # updates a second, each run
    hoidap: list[float]
    echo_p50_ms: list[float]  # a burst's median latency, each run
    hoidap_p50_ms: list[float]
    echo_idle_ms: list[float]  # the idle round trip's median, each run
    hoidap_idle_ms: list[float]
    burst_statements: list[float]  # every statement during a burst / its updates, each run
    sampled: int  # updates whose statements were traced
    reads: list[int]  # of each traced update's own task
    writes: list[int]
    transactions: list[int]
    elsewhere: dict[str, float]  # other tasks' statements per traced update, by task
    trace: list[str]  # a typical traced update's statements
    busiest: list[str]  # those of the traced update that ran the most
    cold_statements: list[int]  # each account's first update since the start (run 1)
    cold_trace: list[str]  # one such update's statements
    load_before: list[float]
    load_after: list[float]
    seconds: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ZaloTrip:
        return cls(**data)

    @property
    def ratios(self) -> list[float]:
        return [h / e for h, e in zip(self.hoidap, self.echo, strict=True)]

    @property
    def ratio(self) -> float:
        """hoidap / echo loop, the medians of the runs."""
        return statistics.median(self.hoidap) / statistics.median(self.echo)

    @property
    def idle_ratio(self) -> float:
        return statistics.median(self.hoidap_idle_ms) / statistics.median(self.echo_idle_ms)

    @property
    def median_reads(self) -> float:
        return statistics.median(self.reads)

    @property
    def median_writes(self) -> float:
        return statistics.median(self.writes)

    def figures(self) -> dict[str, Any]:
        """The result and what is derived from it (the JSON printed)."""
        return {
            **asdict(self),
            "ratios": self.ratios,
            "ratio": self.ratio,
            "idle_ratio": self.idle_ratio,
            "median_reads": self.median_reads,
            "median_writes": self.median_writes,
        }

    def target_rows(
        self, target: float = TARGET_RATIO, yes: Callable[[bool], str] = str
    ) -> list[str]:
        """The rows of the report's table of targets (``yes`` words whether one is met)."""
        runs = ", ".join(f"{r:.2f}" for r in self.ratios)
        statements_ok = self.median_reads <= TARGET_READS and self.median_writes == 0
        return [
            f"| (n) a status command on Zalo ≥ {target:g} × a minimal Zalo echo loop"
            f" (throughput) | {self.ratio:.2f} × (runs: {runs}) | {yes(self.ratio >= target)} |",
            f"| (n) SQL statements of a Zalo update ≤ {TARGET_READS} read, no write of its own"
            f" | {self.median_reads:g} read(s), {self.median_writes:g} write(s) (median of"
            f" {self.sampled}) | {yes(statements_ok)} |",
        ]

    @property
    def body(self) -> str:
        n = len(self.echo)
        rows = [
            f"| {i} | {e:.0f}/s, p50 {ep:.0f} ms | {h:.0f}/s, p50 {hp:.0f} ms | {h / e:.2f} ×"
            f" | {ei:.1f} ms | {hi:.1f} ms | {s:.2f} |"
            for i, (e, ep, h, hp, ei, hi, s) in enumerate(
                zip(
                    self.echo,
                    self.echo_p50_ms,
                    self.hoidap,
                    self.hoidap_p50_ms,
                    self.echo_idle_ms,
                    self.hoidap_idle_ms,
                    self.burst_statements,
                    strict=True,
                ),
                1,
            )
        ]
        elsewhere = ", ".join(f"{task} {v:.2f}" for task, v in sorted(self.elsewhere.items()))
        load = " / ".join(f"{x:.2f}" for x in self.load_before)
        return "\n".join(
            [
                f"`python -m bench.zalo_roundtrip` (its own process; {n} runs each, interleaved,"
                f" load average before {load}): the hoidap application with Zalo on answering"
                f" `{self.text}` from {self.members} Zalo accounts, active staff of a program"
                " whose question is published, beside a minimal Zalo echo loop on the same"
                " client (`ZaloApi`, `ZaloPoller`: getUpdates one at a time, each account's"
                " replies in order, at most 8 at once) against the same fake Zalo server. Zalo's"
                f" pace is {self.zalo_rate:g} messages a second for both (not what is measured)."
                f" Bursts of {self.updates} updates injected at once; the idle round trip is"
                f" {self.idle} updates one at a time.",
                "",
                "| Run | Echo loop | hoidap | Ratio | Echo idle p50 | hoidap idle p50"
                " | Statements per update (burst) |",
                "|---|---|---|---|---|---|---|",
                *rows,
                "",
                f"Throughput, ratio of the medians: **{self.ratio:.2f} ×**; idle round trip"
                f" hoidap / echo: **{self.idle_ratio:.2f} ×**.",
                "",
                f"SQL statements of a warm update ({self.sampled} traced, one at a time): the"
                f" update's own task runs {self.median_reads:g} read(s) and"
                f" {self.median_writes:g} write(s) (median; mean"
                f" {statistics.mean(self.reads):.2f} and {statistics.mean(self.writes):.2f},"
                f" {statistics.mean(self.transactions):.2f} transactions); other tasks meanwhile,"
                f" per update: {elsewhere or 'none'}. Over a whole burst, every statement"
                f" counted: {statistics.median(self.burst_statements):.2f} per update (median).",
                "",
                f"An account's first update since the start runs"
                f" {statistics.median(self.cold_statements):g} statements of its own (median over"
                f" {len(self.cold_statements)} accounts; its rows are read once, then kept).",
                "",
                "The statements of a typical warm update (every task's, from its injection to"
                " the end of its task):",
                "",
                *(f"- `{s}`" for s in self.trace),
                *([] if self.trace else ["- none"]),
                "",
                "The traced update that ran the most:",
                "",
                *(f"- `{s}`" for s in self.busiest),
                *([] if self.busiest else ["- none"]),
                "",
                "An account's first update since the start:",
                "",
                *(f"- `{s}`" for s in self.cold_trace),
            ]
        )


# -- the whole measurement ------------------------------------------------------------------------


async def zalo_roundtrip(
    updates: int = UPDATES, members: int = MEMBERS, runs: int = RUNS, idle: int = IDLE
) -> ZaloTrip:
    per_account = 1 + math.ceil(updates / members) + math.ceil(idle / members)
    per_account += math.ceil(SAMPLE / members)
    if per_account > THROTTLE_CAPACITY:  # the gate would drop updates (the clock stands still)
        raise SystemExit(f"(n) {per_account} updates per account and run: use more --members")
    load_before = list(os.getloadavg())
    t0 = time.perf_counter()
    progress(
        f"(n) Zalo round trip: {runs} runs x ({members} warm-up + {updates} burst + {idle} idle)"
        f" from {members} accounts, load {load_before[0]:.2f}"
    )
    zalo = TimedZalo()
    await zalo.start()
    try:
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            hoidap = Hoidap(zalo, Path(tmp), members)
            try:
                await hoidap.prepare()
                echo = EchoLoop(zalo)
                ids = hoidap.ids
                figures: dict[str, list[float]] = {}
                traced = Sample()
                first: tuple[list[int], list[str]] = ([], [])
                for run in range(1, runs + 1):
                    for bot in (echo, hoidap):
                        await bot.start()
                        try:
                            if bot is hoidap and run == 1:
                                first = await cold(zalo, hoidap, ids)
                            else:  # warm-up: one update per account
                                await burst(zalo, bot, ids, members)
                            store = hoidap.h.core.store if bot is hoidap else None
                            before = store.statements if store is not None else 0
                            seconds, p50 = await burst(zalo, bot, ids, updates)
                            if store is not None:
                                figures.setdefault("burst_statements", []).append(
                                    (store.statements - before) / updates
                                )
                            idle_latencies = await ping_pong(zalo, bot, ids, idle)
                            if bot is hoidap and run == 1:
                                traced = await sample(zalo, hoidap, ids, SAMPLE)
                        finally:
                            await bot.stop()
                        idle_p50 = percentile(idle_latencies, 0.5) * 1000
                        figures.setdefault(bot.name, []).append(updates / seconds)
                        figures.setdefault(f"{bot.name} p50", []).append(p50 * 1000)
                        figures.setdefault(f"{bot.name} idle", []).append(idle_p50)
                        progress(
                            f"(n) run {run}/{runs} {bot.name}: {updates / seconds:.0f} updates/s,"
                            f" p50 {p50 * 1000:.0f} ms, idle p50 {idle_p50:.1f} ms"
                        )
            finally:
                await hoidap.close()
    finally:
        await zalo.stop()
    result = ZaloTrip(
        updates=updates,
        members=members,
        idle=idle,
        zalo_rate=ZALO_RATE,
        text=TEXT,
        echo=figures[EchoLoop.name],
        hoidap=figures[Hoidap.name],
        echo_p50_ms=figures[f"{EchoLoop.name} p50"],
        hoidap_p50_ms=figures[f"{Hoidap.name} p50"],
        echo_idle_ms=figures[f"{EchoLoop.name} idle"],
        hoidap_idle_ms=figures[f"{Hoidap.name} idle"],
        burst_statements=figures["burst_statements"],
        sampled=len(traced.reads),
        reads=traced.reads,
        writes=traced.writes,
        transactions=traced.transactions,
        elsewhere={k: v / max(1, len(traced.reads)) for k, v in traced.elsewhere.items()},
        trace=traced.trace,
        busiest=traced.busiest,
        cold_statements=first[0],
        cold_trace=first[1],
        load_before=load_before,
        load_after=list(os.getloadavg()),
        seconds=time.perf_counter() - t0,
    )
    progress(
        f"(n) throughput ratio {result.ratio:.2f} x, idle ratio {result.idle_ratio:.2f} x,"
        f" {result.median_reads:g} read(s) and {result.median_writes:g} write(s) per update"
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.zalo_roundtrip", description=__doc__)
    parser.add_argument("--json", action="store_true", help="the result only (for bench.run)")
    parser.add_argument("--updates", type=int, default=UPDATES, help="burst size")
    parser.add_argument("--members", type=int, default=MEMBERS, help="Zalo accounts")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per bot")
    parser.add_argument("--idle", type=int, default=IDLE, help="one-at-a-time updates")
    args = parser.parse_args(argv)
    result = asyncio.run(zalo_roundtrip(args.updates, args.members, args.runs, args.idle))
    # --json: exactly what ZaloTrip.from_json takes back; otherwise the derived figures too.
    print(json.dumps(asdict(result) if args.json else result.figures(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
