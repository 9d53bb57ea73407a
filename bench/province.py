"""(m) A province's Friday on one bot: many programs publish at the same moment.

The hoidap application through the Harness with its real pace (``rate_limit=True``) against the
fake Bot API enforcing Telegram's limits strictly (30 messages in any 1-second window, 20 a
minute per group, 3 in 3 s per private chat). Programs, groups and staff are created with direct
store calls; every program's publication is due at Friday 08:00 and the scheduler's steps for all
of them start together (as APScheduler starts the programs' jobs due at one moment).

- **100 programs × 30 staff**: 3,100 messages (a group post and 30 private questions each).
  Ideal: 3,100 × 1.03 / 30 s (the pace's own window, 30 messages in any 1.03 s).
- **20 programs with admin notices due together**: 20 × 30 staff, each program's queue
  nearly empty, so each publication also owes the bot-wide admin a «queue running low» notice:
  20 notices for one private chat, which Telegram lets take about one message a second.

Run alone: ``python -m bench.province`` (prints JSON); ``python -m bench.run --parts m``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.channels import program
from bench.common import ADMIN, FLOOD, PUBLISH_AT, START, WAIT, max_in_window, progress, seed
from bot.clock import ManualClock
from fakes.fakebotapi import FakeBotAPI
from fakes.harness import Harness, User

WINDOW = 1.03  # the pace's window: 30 messages in any 1.03 s


@dataclass
class Friday:
    programs: int
    staff: int  # per program
    messages: int  # delivered (group posts, private questions, admin messages)
    seconds: float  # all publications asked for → the last message at the server
    ideal: float  # messages × 1.03 / 30
    flood_429: int
    max_per_second: int
    to_admin: int  # messages the bot-wide admin got (the notices: one digest)
    notices: int  # notices owed to the admin

    @property
    def ratio(self) -> float:
        return self.seconds / self.ideal


def _people(programs: int, staff: int) -> list[list[User]]:
    return [
        [User(300_000 + p * 1000 + i, f"Cán bộ {i:02d}", f"Đơn vị {p:03d}") for i in range(staff)]
        for p in range(programs)
    ]


async def friday(programs: int = 100, staff: int = 30, questions: int = 10) -> Friday:
    """``questions`` per program's queue: below 4 after the publication, its admins are told."""
    async with FakeBotAPI(flood=FLOOD, clock=time.perf_counter) as server:
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            h = Harness(
                Path(tmp), ManualClock(START), admins=(ADMIN.id,), server=server, rate_limit=True
            )
            await h.start()
            try:
                server.user(ADMIN.id, ADMIN.first_name, ADMIN.last_name, ADMIN.username)
                async with h.core.store.transaction():  # the bot-wide admin wrote to the bot once
                    name = f"{ADMIN.last_name} {ADMIN.first_name}"
                    await h.core.store.upsert_person(
                        ADMIN.id, ADMIN.username, name, True, h.core.now()
                    )
                ids = []
                groups = {-1002000000 - p for p in range(programs)}
                people = _people(programs, staff)
                for p, (chat, members) in enumerate(zip(sorted(groups), people, strict=True)):
                    server.group(chat, f"Giao ban đơn vị {p:03d}")
                    program_id = await program(h.core, chat, f"Giao ban đơn vị {p:03d}", 0)
                    for u in members:
                        server.user(u.id, u.first_name, u.last_name)
                    await seed(h.core, program_id, [(u, "staff") for u in members], questions)
                    ids.append(program_id)
                await h.settle(WAIT)
                server.set_flood_limits(FLOOD)
                before_429 = server.flood_429_count
                mark = server.mark()
                expected = len(groups) + programs * staff
                notices = programs if questions < 4 else 0
                h.clock.set(PUBLISH_AT)
                t0 = time.perf_counter()
                with h.core.stepping():  # the scheduler's jobs of one moment (APScheduler)
                    steps = await asyncio.gather(*(h.scheduler.run(i) for i in ids))
                if sum(1 for s in steps if any(x.endswith("publish") for x in s)) != programs:
                    raise RuntimeError("not every program published")
                owed = [i for i in await h.core.store.pending_outbox() if i.chat_id == ADMIN.id]
                if notices and not owed and not server.messages_to(ADMIN.id):
                    raise RuntimeError("the publications owed the admin no notice")

                def delivered() -> int:
                    return sum(1 for m in server.sent[mark:] if m.chat_id != ADMIN.id)

                deadline = time.perf_counter() + 600
                while delivered() < expected or (notices and not server.messages_to(ADMIN.id)[-1:]):
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"{delivered()} of {expected} after 600 s")
                    await asyncio.sleep(0.01)  # a look at the server's record, not a wait
                await h.deps.outbox.idle(WAIT)
                sent = server.sent[mark:]
                to_admin = [m for m in sent if m.chat_id == ADMIN.id]
                return Friday(
                    programs=programs,
                    staff=staff,
                    messages=len(sent),
                    seconds=max(m.date for m in sent) - t0,
                    ideal=len(sent) * WINDOW / 30,
                    flood_429=server.flood_429_count - before_429,
                    max_per_second=max_in_window([m.date for m in sent]),
                    to_admin=len(to_admin),
                    notices=notices,
                )
            finally:
                await h.stop()


async def province_run() -> tuple[Friday, Friday]:
    progress("(m) 100 programs x 30 staff publish at once")
    big = await friday(100, 30)
    progress(
        f"(m)   {big.messages} in {big.seconds:.1f} s = {big.ratio:.3f} x ideal, "
        f"{big.flood_429} x 429"
    )
    progress("(m) 20 programs publish at once, each owing the admin a notice")
    notices = await friday(20, 30, questions=2)
    progress(
        f"(m)   {notices.messages} in {notices.seconds:.1f} s, {notices.flood_429} x 429, "
        f"{notices.to_admin} message(s) to the admin for {notices.notices} notices"
    )
    return big, notices


def main() -> None:
    big, notices = asyncio.run(province_run())
    print(json.dumps({"friday": asdict(big), "notices": asdict(notices)}, indent=2))


if __name__ == "__main__":
    main()
