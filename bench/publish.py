"""(b) Publishing the weekly question to 300 staff under the server's flood window."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    ADMIN,
    FLOOD,
    GROUP,
    PUBLISH_AT,
    START,
    WAIT,
    Tail,
    bind_group,
    describe_limiter,
    max_in_window,
    overall_rate,
    seed,
    staff_users,
)
from bot.clock import ManualClock
from fakes.fakebotapi import FakeBotAPI
from fakes.harness import Harness

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
