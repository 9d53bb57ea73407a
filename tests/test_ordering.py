"""Different people's events run concurrently; one person's events never overtake each other."""

from __future__ import annotations

import asyncio

from bot.transport.ordering import KeyedLocks


async def test_same_sender_in_order_others_concurrently() -> None:
    senders = KeyedLocks()
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(key: int, name: str, wait: asyncio.Event | None = None) -> None:
        async with senders.hold(key):
            log.append(f"start {name}")
            if wait is not None:
                await wait.wait()
            log.append(f"end {name}")

    first = asyncio.create_task(handle(10, "a1", release_first))
    second = asyncio.create_task(handle(10, "a2"))
    other = asyncio.create_task(handle(20, "b1"))
    await other  # another person is not held up by the first person's slow event
    assert log == ["start a1", "start b1", "end b1"]
    release_first.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert len(senders) == 0  # nothing kept for people with nothing queued
