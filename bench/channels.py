"""(l) Each channel at its own pace: Telegram and Zalo side by side in one bot.

The hoidap application through the Harness with its real pace (``rate_limit=True``): the fake
Bot API enforces Telegram's limits strictly (30 messages in any 1-second window, a group's 20 a
minute, a private chat's 3 in 3 s), the fake Zalo server takes what the bot sends at Zalo's
default pace (``HOIDAP_ZALO_RATE`` = 5 a second). Members are created with direct store calls;
the publication is the scheduler's step at Friday 08:00. Times are the servers' records of each
message (``time.perf_counter``).

- **mixed**: one program, 150 staff on Zalo and 150 on Telegram; how long the Telegram part
  (group + 150) takes, beside the same program with the Telegram staff only.
- **owed during the other's bulk**: 5 s into a 300-person Zalo publication a second program
  (Telegram group + one member) publishes: how long its Telegram messages wait; and the other
  way round, 5 s into a 600-person Telegram publication a Zalo-only program publishes to one
  Zalo member.
- **Zalo publication**: 300 Zalo staff, the time to the last message; in a second run, 20 of
  them send ``/trangthai`` one every 2 s from 5 s on: how long each waits for the reply.

Run alone: ``python -m bench.channels`` (prints JSON); ``python -m bench.run --parts l``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    ADMIN,
    FLOOD,
    GROUP,
    PUBLISH_AT,
    START,
    WAIT,
    bind_group,
    percentile,
    progress,
    seed,
    staff_users,
)
from bot.clock import ManualClock
from bot.core import Core
from fakes.fakebotapi import FakeBotAPI
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness

ZALO_RATE = 5.0
OWED_AT = 5.0  # seconds into the other channel's bulk send
ASKERS = 20
ASK_EVERY = 2.0
SECOND_GROUP = -1005678


class TimedZalo(FakeZalo):
    """The fake Zalo server, each message it takes stamped with ``time.perf_counter()``."""

    def _record(self, method: str, chat_id: str, text: str, **more: Any) -> dict[str, Any]:
        return super()._record(method, chat_id, text, t=time.perf_counter(), **more)


def zalo_id(n: int) -> str:
    return f"z-staff-{n:03d}"


async def zalo_staff(
    core: Core, zalo: FakeZalo, program_id: int, count: int, first: int = 0
) -> list[str]:
    """``count`` people on Zalo only, active staff of the program, who wrote to the bot."""
    store, now = core.store, core.now()
    ids = []
    async with store.transaction():
        for n in range(first, first + count):
            zid = zalo_id(n)
            account = await store.add_zalo_account(zid, f"Cán bộ Zalo {n:03d}", now, zid)
            await store.set_person_profile(account.person_id, f"Trần Zalo {n:03d}", "Chuyên viên")
            await store.upsert_member(program_id, account.person_id, "active", now)
            await store.set_roles(program_id, account.person_id, ["staff"])
            zalo.known.add(zid)
            ids.append(zid)
    return ids


async def program(core: Core, chat_id: int, title: str, questions: int = 5) -> int:
    """A program bound to ``chat_id`` (a group the fake server knows, or a no-group address)."""
    store, now = core.store, core.now()
    async with store.transaction():
        program_id = await store.create_program(chat_id, title, "Asia/Ho_Chi_Minh", None, now)
    await seed(core, program_id, [], questions=questions)
    return program_id


@dataclass
class Bot:
    """A harness with both channels, and the servers' records from a mark on."""

    h: Harness
    server: FakeBotAPI
    zalo: TimedZalo
    tmp: tempfile.TemporaryDirectory[str]

    def telegram_times(self, after: int, chats: set[int] | None = None) -> list[float]:
        return [m.date for m in self.server.sent[after:] if chats is None or m.chat_id in chats]

    def zalo_times(self, after: int, chats: set[str] | None = None) -> list[float]:
        return [
            float(e["t"]) for e in self.zalo.sent[after:] if chats is None or e["chat_id"] in chats
        ]

    async def close(self) -> None:
        try:
            await self.h.close()
        finally:
            await self.zalo.stop()
            await self.server.stop()
            self.tmp.cleanup()


async def start_bot() -> Bot:
    server = FakeBotAPI(flood=FLOOD, clock=time.perf_counter)
    await server.start()
    zalo = TimedZalo()
    await zalo.start()
    tmp = tempfile.TemporaryDirectory(prefix="hoidap-bench-")
    h = Harness(
        Path(tmp.name),
        ManualClock(START),
        admins=(ADMIN.id,),
        server=server,
        rate_limit=True,
        zalo=zalo,
        zalo_rate=ZALO_RATE,
    )
    await h.start()
    return Bot(h, server, zalo, tmp)


async def _publish(h: Harness, *program_ids: int) -> float:
    """The scheduler's publication step for these programs; the moment it was asked for."""
    h.clock.set(PUBLISH_AT)
    t0 = time.perf_counter()
    for program_id in program_ids:
        steps = await h.scheduler.run(program_id)
        if not any(s.endswith("publish") for s in steps):
            raise RuntimeError(f"program {program_id} did not publish: {steps}")
    return t0


async def _at(moment: float) -> None:
    """The benchmark's own schedule: until ``moment`` (``time.perf_counter``)."""
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))


async def _until(condition: Any, seconds: float = WAIT) -> None:
    deadline = time.perf_counter() + seconds
    while not condition():  # a look at the servers' records each time
        if time.perf_counter() > deadline:
            raise RuntimeError("the bot did not deliver in time")
        await asyncio.sleep(0.005)


# -- mixed publication ---------------------------------------------------------------------------


@dataclass
class Mixed:
    telegram_staff: int
    zalo_staff: int
    telegram_mixed_s: float  # group + Telegram staff, with the Zalo members in the program
    telegram_only_s: float  # the same without them
    zalo_s: float  # the Zalo members' part
    flood_429: int

    @property
    def ratio(self) -> float:
        return self.telegram_mixed_s / self.telegram_only_s


async def _telegram_part(with_zalo: int, telegram: int) -> tuple[float, float, int]:
    bot = await start_bot()
    try:
        h = bot.h
        program_id = await bind_group(h)
        staff = staff_users(telegram)
        for u in staff:
            bot.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, program_id, [(u, "staff") for u in staff], questions=5)
        await zalo_staff(h.core, bot.zalo, program_id, with_zalo)
        await h.settle(WAIT)
        bot.server.set_flood_limits(FLOOD)
        before_429 = bot.server.flood_429_count
        tg_mark, z_mark = bot.server.mark(), len(bot.zalo.sent)
        chats = {GROUP, *(u.id for u in staff)}
        t0 = await _publish(h, program_id)
        await _until(
            lambda: (
                len(bot.telegram_times(tg_mark, chats)) >= len(chats)
                and len(bot.zalo_times(z_mark)) >= with_zalo
            )
        )
        telegram = max(bot.telegram_times(tg_mark, chats)) - t0
        zalo = max(bot.zalo_times(z_mark), default=t0) - t0
        return telegram, zalo, bot.server.flood_429_count - before_429
    finally:
        await bot.close()


async def mixed(telegram: int = 150, zalo: int = 150) -> Mixed:
    only, _, floods_only = await _telegram_part(0, telegram)
    both, zalo_s, floods_both = await _telegram_part(zalo, telegram)
    return Mixed(telegram, zalo, both, only, zalo_s, floods_only + floods_both)


# -- owed during the other channel's bulk send ----------------------------------------------------


@dataclass
class Crossed:
    telegram_wait_s: float  # Telegram messages owed 5 s into a 300-person Zalo publication
    zalo_wait_s: float  # a Zalo message owed 5 s into a 600-person Telegram publication
    replies: list[float] = field(default_factory=list)  # (only with the Zalo publication)


async def telegram_during_zalo(staff: int = 300, askers: int = ASKERS) -> tuple[float, list[float]]:
    """A 300-person Zalo publication; at 5 s a Telegram program publishes (its wait); from 5 s
    on, ``askers`` of the Zalo staff send /trangthai one every 2 s (their waits)."""
    bot = await start_bot()
    try:
        h = bot.h
        main = await program(h.core, -1001999, "Giao ban (Zalo)")
        bot.server.group(-1001999, "Giao ban (Zalo)")
        ids = await zalo_staff(h.core, bot.zalo, main, staff)
        bot.server.group(SECOND_GROUP, "Giao ban thứ hai")
        second = await program(h.core, SECOND_GROUP, "Giao ban thứ hai")
        member = staff_users(1)[0]
        bot.server.user(member.id, member.first_name, member.last_name)
        await seed(h.core, second, [(member, "staff")])
        await h.settle(WAIT)
        z_mark, tg_mark = len(bot.zalo.sent), bot.server.mark()
        t0 = await _publish(h, main)
        asked: dict[str, float] = {}
        owed_at = 0.0
        for n in range(askers):
            await _at(t0 + OWED_AT + n * ASK_EVERY)  # the benchmark's own schedule
            if n == 0:
                owed_at = time.perf_counter()
                await h.scheduler.run(second)  # its messages are owed now
            who = ids[(n * 13) % len(ids)]
            bot.zalo.push_text(who, "/trangthai")
            asked[who] = time.perf_counter()
        await _until(lambda: len(bot.zalo_times(z_mark)) >= staff + askers)
        second_chats = {SECOND_GROUP, member.id}
        telegram = max(bot.telegram_times(tg_mark, second_chats)) - owed_at
        waits = []
        for who, at in asked.items():
            answers = [
                float(e["t"])
                for e in bot.zalo.sent[z_mark:]
                if e["chat_id"] == who
                and float(e["t"]) >= at
                and "câu hỏi tuần này" not in str(e["text"])  # the publication's own message
            ]
            waits.append(min(answers) - at if answers else float("nan"))
        return telegram, waits
    finally:
        await bot.close()


async def zalo_during_telegram(staff: int = 600) -> float:
    bot = await start_bot()
    try:
        h = bot.h
        main = await bind_group(h)
        people = staff_users(staff)
        for u in people:
            bot.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, main, [(u, "staff") for u in people], questions=5)
        chat = await h.core.store.next_no_group_chat()
        zalo_only = await program(h.core, chat, "Giao ban trên Zalo")
        (member,) = await zalo_staff(h.core, bot.zalo, zalo_only, 1)
        await h.settle(WAIT)
        bot.server.set_flood_limits(FLOOD)
        z_mark = len(bot.zalo.sent)
        t0 = await _publish(h, main)
        await _at(t0 + OWED_AT)
        owed_at = time.perf_counter()
        await h.scheduler.run(zalo_only)
        await _until(lambda: bool(bot.zalo_times(z_mark, {member})))
        wait = min(bot.zalo_times(z_mark, {member})) - owed_at
        await h.deps.outbox.idle(WAIT)
        return wait
    finally:
        await bot.close()


# -- a Zalo publication ----------------------------------------------------------------------------


@dataclass
class ZaloPublish:
    staff: int
    messages: int
    seconds: float  # trigger → the last message at the fake Zalo server
    zalo_rate: float


async def zalo_publish(staff: int = 300) -> ZaloPublish:
    bot = await start_bot()
    try:
        h = bot.h
        chat = await h.core.store.next_no_group_chat()
        main = await program(h.core, chat, "Giao ban trên Zalo")
        await zalo_staff(h.core, bot.zalo, main, staff)
        await h.settle(WAIT)
        z_mark = len(bot.zalo.sent)
        t0 = await _publish(h, main)
        await _until(lambda: len(bot.zalo_times(z_mark)) >= staff)
        await h.deps.outbox.idle(WAIT)
        times = bot.zalo_times(z_mark)
        return ZaloPublish(staff, len(times), max(times) - t0, ZALO_RATE)
    finally:
        await bot.close()


# -- all of (l) ------------------------------------------------------------------------------------


@dataclass
class ChannelsRun:
    mixed: Mixed
    zalo_publish: ZaloPublish
    telegram_wait_s: float
    zalo_wait_s: float
    replies: list[float]

    @property
    def reply_p50(self) -> float:
        return percentile(self.replies, 0.5)

    @property
    def reply_p95(self) -> float:
        return percentile(self.replies, 0.95)


async def channels_run() -> ChannelsRun:
    progress("(l) mixed publication: 150 Telegram + 150 Zalo, beside Telegram only")
    m = await mixed()
    progress(f"(l)   Telegram part {m.telegram_mixed_s:.2f} s vs {m.telegram_only_s:.2f} s alone")
    progress("(l) a 300-person Zalo publication")
    z = await zalo_publish()
    progress(f"(l)   {z.messages} messages in {z.seconds:.2f} s")
    progress("(l) the same with Telegram owed and Zalo replies asked for meanwhile")
    tg_wait, replies = await telegram_during_zalo()
    p95 = percentile(replies, 0.95)
    progress(f"(l)   Telegram waited {tg_wait:.2f} s; replies p95 {p95:.2f} s")
    progress("(l) a Zalo message owed during a 600-person Telegram publication")
    zalo_wait = await zalo_during_telegram()
    progress(f"(l)   Zalo waited {zalo_wait:.2f} s")
    return ChannelsRun(m, z, tg_wait, zalo_wait, replies)


def main() -> None:
    run = asyncio.run(channels_run())
    print(json.dumps(asdict(run), indent=2))


if __name__ == "__main__":
    main()
