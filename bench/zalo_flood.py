"""(j) One account's flood on Zalo and everyone else's replies.

A stranger sends ``STICKERS`` stickers to the bot on Zalo at once, and while the bot reads them
``MEMBERS`` other accounts ask for the help text one after another (``SPACING`` apart).
Measured: how long each member waits for their reply (from the moment their message is in
Zalo's queue to the moment the reply reaches Zalo), and what the stranger got. Zalo's send pace
is the default (``HOIDAP_ZALO_RATE`` = 5 messages a second): every reply the stranger costs is
0.2 s that a member's reply could wait behind.

Run alone: ``python -m bench.zalo_flood`` (prints JSON); ``python -m bench.run`` includes it.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.common import ADMIN, START, percentile, progress
from bot.clock import ManualClock
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness

STICKERS = 100
MEMBERS = 10
ZALO_RATE = 5.0
TARGET_S = 1.0  # a member's reply, p95, while the flood is read
SPACING = 0.3  # seconds between two members' messages (slower than Zalo's pace of sending)


@dataclass(frozen=True)
class FloodResult:
    stickers: int
    members: int
    zalo_rate: float
    reply_p50: float  # seconds a member waited for their reply
    reply_p95: float
    reply_max: float
    stranger_replies: int  # what the flood cost in replies
    seconds: float  # the whole run


async def zalo_flood(stickers: int = STICKERS, members: int = MEMBERS) -> FloodResult:
    with tempfile.TemporaryDirectory() as tmp:
        zalo = FakeZalo()
        await zalo.start()
        h = Harness(
            Path(tmp), ManualClock(START), admins=(ADMIN.id,), zalo=zalo, zalo_rate=ZALO_RATE
        )
        await h.start()
        try:
            pushed: dict[str, float] = {}
            answered: dict[str, float] = {}
            seen = 0

            def look() -> None:
                nonlocal seen
                for entry in zalo.sent[seen:]:
                    chat = str(entry["chat_id"])
                    if chat in pushed and chat not in answered:
                        answered[chat] = time.perf_counter()
                seen = len(zalo.sent)

            t0 = time.perf_counter()
            for _ in range(stickers):  # the flood arrives all at once
                zalo.push_event("message.sticker.received", "z-stranger", display_name="Lạ")
            # The members write one after another while the flood is being read.
            for n in range(members):
                member = f"z-member-{n:02d}"
                zalo.push_text(member, "trợ giúp", display_name="Cán bộ")
                pushed[member] = time.perf_counter()
                until = time.perf_counter() + SPACING
                while time.perf_counter() < until:
                    look()
                    await asyncio.sleep(0.005)  # a measure, not a wait for the bot's time
            deadline = time.perf_counter() + 120
            while len(answered) < len(pushed) and time.perf_counter() < deadline:
                look()
                await asyncio.sleep(0.005)
            await h.settle(60)
            seconds = time.perf_counter() - t0
            waits = sorted(answered[m] - pushed[m] for m in answered)
            stranger = sum(1 for e in zalo.sent if e["chat_id"] == "z-stranger")
            return FloodResult(
                stickers=stickers,
                members=len(pushed),
                zalo_rate=ZALO_RATE,
                reply_p50=percentile(waits, 0.50),
                reply_p95=percentile(waits, 0.95),
                reply_max=waits[-1] if waits else float("nan"),
                stranger_replies=stranger,
                seconds=seconds,
            )
        finally:
            await h.close()
            await zalo.stop()


def main() -> None:
    progress(f"(j) {STICKERS} stickers from one Zalo account, {MEMBERS} members asking")
    print(json.dumps(asdict(asyncio.run(zalo_flood())), indent=2))


if __name__ == "__main__":
    main()
